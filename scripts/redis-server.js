'use strict';
// A throwaway redis-server for the fleet-state tests and the bench's `sharedState` row: on a
// free loopback port, in its own temp dir, without persistence. Installs redis-server with
// scripts/install-redis.sh when missing, and throws when it cannot start (the tests that
// need it fail loudly, never skip).

const { execFileSync, spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

// Captured at load, before a test can install fake timers.
const realSetTimeout = setTimeout;
const sleep = (ms) => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Makes sure `redis-server` is on PATH (the project's installer runs apt or brew if not). */
function ensureRedisServer() {
  if (spawnSync('redis-server', ['--version']).status === 0) return;
  execFileSync('bash', [path.join(__dirname, 'install-redis.sh')], { stdio: 'inherit' });
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Whether a server answers PING on `port`. */
function pong(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(reply.startsWith('+PONG')));
    socket.on('error', () => resolve(false));
  });
}

class RedisServer {
  #child = null;
  #dir;

  constructor(port, dir) {
    this.port = port;
    this.#dir = dir;
  }

  /** Starts a server, trying a few ports (one found free may be taken before redis binds it). */
  static async start() {
    ensureRedisServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmm-redis-'));
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisServer(await freePort(), dir);
      if (await server.#spawn()) return server;
    }
    throw new Error(`redis-server could not start (log: ${path.join(dir, 'redis.log')}); install it with scripts/install-redis.sh`);
  }

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  async #spawn() {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir, '--logfile', path.join(this.#dir, 'redis.log')];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    let exited = false;
    child.on('exit', () => (exited = true));
    child.on('error', () => (exited = true));
    for (let waited = 0; waited < 10_000 && !exited; waited += 20) {
      if (await pong(this.port)) {
        this.#child = child;
        return true;
      }
      await sleep(20);
    }
    child.kill('SIGKILL');
    return false;
  }

  /** SIGKILL, as a crash: nothing is saved. */
  async kill() {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A new, empty server on the same port. */
  async restart() {
    await this.kill();
    if (!(await this.#spawn())) throw new Error(`redis-server did not restart on port ${this.port}`);
  }

  /** SIGSTOP: connections stay open and nothing answers. */
  pause() {
    this.#child?.kill('SIGSTOP');
  }

  resume() {
    this.#child?.kill('SIGCONT');
  }

  async stop() {
    await this.kill();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}

module.exports = { RedisServer, ensureRedisServer };
