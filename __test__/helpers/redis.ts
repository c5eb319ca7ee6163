// A real redis-server for the fleet-state tests (`sharedState`): on a free loopback port, in
// its own temp dir, stopped by `stop()`. Installs it with scripts/install-redis.sh when
// missing and fails loudly when it cannot start: these tests are never skipped.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const realSetTimeout = setTimeout;
const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));

/** Makes sure `redis-server` is on PATH (the project's installer runs apt or brew if not). */
export function ensureRedisServer(): void {
  if (spawnSync('redis-server', ['--version']).status === 0) return;
  execFileSync('bash', [path.join(__dirname, '..', '..', 'scripts', 'install-redis.sh')], { stdio: 'inherit' });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function pong(port: number): Promise<boolean> {
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

export class RedisServer {
  #child: ChildProcess | null = null;
  #dir: string;
  readonly port: number;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  /** Starts a server, trying a few ports (one found free may be taken before redis binds it). */
  static async start(): Promise<RedisServer> {
    ensureRedisServer();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmm-redis-'));
    for (let attempt = 0; attempt < 5; attempt++) {
      const server = new RedisServer(await freePort(), dir);
      if (await server.#spawn()) return server;
    }
    throw new Error(`redis-server could not start (log: ${path.join(dir, 'redis.log')})`);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async #spawn(): Promise<boolean> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.#dir, '--logfile', path.join(this.#dir, 'redis.log')];
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    let exited = false;
    child.on('exit', () => (exited = true));
    child.on('error', () => (exited = true));
    for (let waited = 0; waited < 10000 && !exited; waited += 20) {
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
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#child = null;
    child.kill('SIGCONT');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A new, empty server on the same port. */
  async restart(): Promise<void> {
    await this.kill();
    if (!(await this.#spawn())) throw new Error(`redis-server did not restart on port ${this.port}`);
  }

  /** SIGSTOP: connections stay open and nothing answers. */
  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    await this.kill();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}
