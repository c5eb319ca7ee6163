'use strict';
// Runs one job in a fresh child process (lib/child.js) and returns its result. Each
// child is killed if it overruns its time bound; the live ones are tracked so that an
// interrupted bench can kill them before it exits.

const path = require('node:path');
const { fork } = require('node:child_process');

const CHILD = path.join(__dirname, 'child.js');
const live = new Set();

/**
 * @param {object} job          sent to the child as is
 * @param {number} timeoutMs    the child is killed after this
 * @param {string[]} [execArgv] extra Node flags (e.g. --cpu-prof)
 * @param {object} [env]        variables added to this process's environment (e.g. NODE_EXTRA_CA_CERTS)
 * @returns {Promise<{ok: true, result: object} | {ok: false, error: string}>}
 */
function runChild(job, timeoutMs, execArgv = [], env = {}) {
  return new Promise((resolve) => {
    // --no-warnings: the child filters warnings itself (see child.js).
    const child = fork(CHILD, [], { execArgv: ['--no-warnings', ...execArgv], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(child);
    let answer = null;
    const timer = setTimeout(() => {
      answer ??= { ok: false, error: `timed out after ${Math.round(timeoutMs / 1000)} s` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => {
      answer ??= message;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve(answer ?? { ok: false, error: `child exited (${code ?? signal}) without a result` });
    });
    child.on('error', (error) => {
      answer ??= { ok: false, error: String(error) };
    });
    child.send(job);
  });
}

function killAll() {
  for (const child of live) child.kill('SIGKILL');
}

module.exports = { runChild, killAll };
