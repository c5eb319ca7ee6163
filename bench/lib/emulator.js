'use strict';
// The Bedrock emulator in its own process (the `bedrock-emulator` binary of
// crates/emulator), so its CPU never counts as a client's. Builds the binary when a
// fresh clone lacks it, starts it on an ephemeral loopback port, talks to its unsigned
// /__emulator/ control API, and stops it. Its stdin is a pipe: if this process dies
// without cleaning up, the emulator sees end-of-file and exits by itself.
// With `tls`, it serves HTTPS (ALPN h2 and http/1.1) with a test CA generated at start,
// written to a file the clients are told to trust (NODE_EXTRA_CA_CERTS), as a user trusts
// a corporate CA.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');
const { spawn, spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const LOOPBACK = /^https?:\/\/127\.0\.0\.1:\d+$/;

function binaryPath() {
  if (process.env.BMM_EMULATOR_BIN) return process.env.BMM_EMULATOR_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target');
  return path.join(target, 'release', 'bedrock-emulator');
}

/** The newest modification time (ms) of the files the binary is built from. */
function newestSourceMs() {
  const newest = (dir) =>
    fs.readdirSync(dir, { withFileTypes: true }).reduce((ms, entry) => {
      const full = path.join(dir, entry.name);
      return Math.max(ms, entry.isDirectory() ? newest(full) : fs.statSync(full).mtimeMs);
    }, 0);
  const crates = ['emulator', 'eventstream', 'js-semantics'].map((name) => path.join(ROOT, 'crates', name, 'src'));
  const manifests = ['Cargo.lock', 'crates/emulator/Cargo.toml'].map((file) => fs.statSync(path.join(ROOT, file)).mtimeMs);
  return Math.max(...manifests, ...crates.filter((dir) => fs.existsSync(dir)).map(newest));
}

/**
 * The binary's path; runs cargo when it is missing, older than its sources (a pull that
 * changed the emulator would otherwise be measured with the old one), or when asked to.
 * BMM_EMULATOR_BIN names a binary to use as it is.
 */
function ensureBinary({ rebuild = false, log = console.log } = {}) {
  const bin = binaryPath();
  const given = Boolean(process.env.BMM_EMULATOR_BIN);
  const stale = !given && fs.existsSync(bin) && fs.statSync(bin).mtimeMs < newestSourceMs();
  if (!rebuild && !stale && fs.existsSync(bin)) return { bin, builtMs: 0 };
  log(`building the emulator: cargo build --release -p bmm-emulator (${stale ? 'its sources changed since the last build' : 'once per clone'})`);
  const started = Date.now();
  const res = spawnSync('cargo', ['build', '--release', '-p', 'bmm-emulator'], { cwd: ROOT, stdio: 'inherit', timeout: 15 * 60_000 });
  if (res.status !== 0 || !fs.existsSync(bin)) {
    throw new Error(`could not build the emulator (cargo exit ${res.status ?? res.signal ?? res.error?.message})`);
  }
  return { bin, builtMs: Date.now() - started };
}

/** Starts the emulator; resolves once it prints its `listening http(s)://...` line. */
function start({ bin, threads, verify = true, tls = false, timeoutMs = 20_000 }) {
  const args = ['--threads', String(threads)];
  if (!verify) args.push('--no-verify');
  const caFile = tls ? path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bmm-bench-ca-')), 'ca.pem') : null;
  if (caFile) args.push('--tls-generate', '--ca-out', caFile);
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => fail(new Error('the emulator did not start within 20 s')), timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`the emulator exited early (${code ?? signal})`)));
    child.stdout.on('data', (data) => {
      buffered += data;
      const match = /listening (\S+)/.exec(buffered);
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout.removeAllListeners('data');
      child.stdout.resume(); // nothing more is expected, but never let a full pipe block it
      const endpoint = match[1];
      if (!LOOPBACK.test(endpoint)) {
        fail(new Error(`refusing a non-loopback emulator endpoint ${endpoint}`));
        return;
      }
      const ca = caFile ? fs.readFileSync(caFile) : null;
      resolve(handle(child, endpoint, threads, verify, caFile, ca));
    });
  });
}

function handle(child, endpoint, threads, verify, caFile, ca) {
  let stopped = false;
  const removeCa = () => caFile && fs.rmSync(path.dirname(caFile), { recursive: true, force: true });
  return {
    endpoint,
    pid: child.pid,
    threads,
    verify,
    /** With TLS: the test CA's PEM file, for NODE_EXTRA_CA_CERTS; otherwise null. */
    caFile,
    setBehavior: (modelId, behavior) => control('PUT', `${endpoint}/__emulator/behaviors/${encodeURIComponent(modelId)}`, behavior, ca),
    resetBehaviors: () => control('DELETE', `${endpoint}/__emulator/behaviors`, undefined, ca),
    /** Request, connection and TLS handshake counters since start. */
    stats: () => control('GET', `${endpoint}/__emulator/stats`, undefined, ca).then(JSON.parse),
    /** SIGTERM, then SIGKILL if it has not exited within 3 s. */
    stop() {
      if (stopped || child.exitCode !== null) return Promise.resolve();
      stopped = true;
      return new Promise((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(force);
          removeCa();
          resolve();
        });
        child.stdin.end();
        child.kill('SIGTERM');
      });
    },
    /** For exit handlers, where nothing asynchronous runs any more. */
    killNow() {
      if (child.exitCode === null) child.kill('SIGKILL');
      removeCa();
    },
  };
}

function control(method, url, body, ca) {
  if (!LOOPBACK.test(new URL(url).origin)) return Promise.reject(new Error(`not loopback: ${url}`));
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const transport = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const options = { method, timeout: 5000, headers: payload ? { 'content-type': 'application/json' } : {}, ...(ca ? { ca, agent: false } : {}) };
    const req = transport.request(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => (res.statusCode < 300 ? resolve(text) : reject(new Error(`${method} ${url}: ${res.statusCode} ${text}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

module.exports = { ensureBinary, start, binaryPath };
