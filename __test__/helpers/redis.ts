// The fleet-state tests' redis-server (scripts/redis-server.js, shared with the bench), typed.

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** SIGKILL, as a crash: nothing is saved. */
  kill(): Promise<void>;
  /** A new, empty server on the same port. */
  restart(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const server: { RedisServer: { start(): Promise<RedisServer> } } = require('../../scripts/redis-server');

/** Starts redis-server on a free loopback port (installing it if missing); throws when it cannot. */
export function startRedis(): Promise<RedisServer> {
  return server.RedisServer.start();
}
