// Cancellation that always wins, against a hostile server: a raw TCP "Bedrock" on
// loopback (startStallingServer in helpers/hostile-server.js) whose streams stall after
// their first event. An idle timeout, return() while a next() waits, and destroy() must
// each drop the HTTP body and release its connection at once, settle every pending read,
// and leave nothing that keeps a process alive. Counts are the server's own view of the
// sockets.

import * as path from 'node:path';
import { BedrockModel, BedrockMultiplexer } from '../index';
import { expectCleanExit, jsonLines, runNode } from './helpers/child';
import { eventually, settleWithin } from './helpers/util';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startStallingServer } = require('./helpers/hostile-server');

jest.setTimeout(20_000);

type StallingServer = {
  endpoint: string;
  connectionsOpen(): number;
  streamRequests(): number;
  converseRequests(): number;
  stallBeforeHeaders(): void;
  close(): Promise<void>;
};

const MODEL = 'stalling.model-v1:0';
const input = { messages: [{ role: 'user' as const, content: [{ text: 'stall' }] }] };

const servers: StallingServer[] = [];
const multiplexers: BedrockMultiplexer[] = [];

async function server(): Promise<StallingServer> {
  const started: StallingServer = await startStallingServer();
  servers.push(started);
  return started;
}

function clientConfigFor(srv: StallingServer) {
  return { region: 'us-east-1', endpoint: srv.endpoint, credentials: { accessKeyId: 'AKIDSTALL', secretAccessKey: 'stall' }, maxAttempts: 1 };
}

function multiplexer(clientConfig: object) {
  const mux = new BedrockMultiplexer({ models: [{ modelId: MODEL, weight: 1, isFallback: false }], clientConfig, defaultTimeoutMs: 5000, maxRetries: 1 } as any);
  multiplexers.push(mux);
  return mux;
}

/** Async iterators over `count` streams whose first event has been read. */
async function openStreams(open: () => Promise<{ stream?: AsyncIterable<unknown> }>, count: number) {
  const iterators: AsyncIterator<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const { stream } = await open();
    iterators.push(stream![Symbol.asyncIterator]());
  }
  const first = await Promise.all(iterators.map((it) => it.next()));
  expect(first.every((event) => event.done === false)).toBe(true);
  return iterators;
}

/** Fails the test unless the server counts `n` open connections within a second. */
async function expectConnections(srv: StallingServer, n: number) {
  await eventually(() => srv.connectionsOpen() === n, 1000);
  expect(srv.connectionsOpen()).toBe(n);
}

afterEach(async () => {
  for (const mux of multiplexers.splice(0)) mux.destroy();
  await Promise.all(servers.splice(0).map((srv) => srv.close()));
});

describe('a stream stalled after its first event', () => {
  it('is closed by its idle timeout: the read rejects and every connection is released', async () => {
    const srv = await server();
    const mux = multiplexer(clientConfigFor(srv));
    expect(mux.transport).toBe('native');
    const iterators = await openStreams(() => mux.processStreamRequest(input, { idleTimeoutMs: 200 }), 50);
    expect(srv.connectionsOpen()).toBe(50);

    const reads = await Promise.all(iterators.map((it) => settleWithin(it.next(), 5000)));
    expect(reads.map((r) => (r.status === 'rejected' ? r.reason.name : 'fulfilled'))).toEqual(Array(50).fill('TimeoutError'));
    await expectConnections(srv, 0);
  });

  it('is closed by return() while a next() waits: both settle, the connection closes', async () => {
    const srv = await server();
    const model = new BedrockModel({ modelId: MODEL, weight: 1, isFallback: false }, undefined, 5000, undefined, clientConfigFor(srv));
    expect(model.transport).toBe('native');
    const iterators = await openStreams(() => model.invokeStream(input), 20);
    const waiting = iterators.map((it) => settleWithin(it.next(), 2000));

    const returned = await Promise.all(iterators.map((it) => settleWithin(it.return!(), 2000)));
    expect(returned.every((r) => r.status === 'fulfilled' && (r.value as IteratorResult<unknown>).done)).toBe(true);
    const reads = await Promise.all(waiting);
    expect(reads.map((r) => r.status === 'fulfilled' && (r.value as IteratorResult<unknown>).done)).toEqual(Array(20).fill(true));
    await expectConnections(srv, 0);
    // A closed stream stays done.
    expect(await iterators[0].next()).toEqual({ done: true, value: undefined });
  });
});

describe('a stream that never answers', () => {
  it('is closed by its first-event timeout: the request rejects and the connection is released', async () => {
    const srv = await server();
    srv.stallBeforeHeaders();
    const mux = multiplexer(clientConfigFor(srv));
    const opening = Array.from({ length: 20 }, () => settleWithin(mux.processStreamRequest(input, { firstEventTimeoutMs: 200 }), 5000));
    expect(await eventually(() => srv.connectionsOpen() === 20, 2000)).toBe(true);
    const settled = await Promise.all(opening);
    expect(settled.map((r) => r.status)).toEqual(Array(20).fill('rejected'));
    await expectConnections(srv, 0);
  });
});

describe('a stream its reader drops unread', () => {
  it('is still closed by the garbage collector: what destroy() needs does not keep it alive', async () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    require('node:v8').setFlagsFromString('--expose-gc');
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gc: () => void = require('node:vm').runInNewContext('gc');
    const srv = await server();
    const mux = multiplexer(clientConfigFor(srv));
    for (let i = 0; i < 5; i++) await mux.processStreamRequest(input);
    expect(srv.connectionsOpen()).toBe(5);
    await eventually(() => {
      gc();
      return srv.connectionsOpen() === 0;
    }, 3000);
    expect(srv.connectionsOpen()).toBe(0);
  });
});

describe('destroy()', () => {
  it('closes open, unread and opening streams and the idle pool; every read settles', async () => {
    const srv = await server();
    const mux = multiplexer(clientConfigFor(srv));
    // Idle keep-alive connections in the pool.
    await Promise.all([1, 2, 3].map(() => mux.processRequest(input)));
    const pooled = srv.connectionsOpen();
    expect(pooled).toBeGreaterThanOrEqual(1);

    const reading = await openStreams(() => mux.processStreamRequest(input), 5);
    const waiting = reading.map((it) => settleWithin(it.next(), 2000));
    const unread: AsyncIterable<unknown>[] = [];
    for (let i = 0; i < 5; i++) unread.push((await mux.processStreamRequest(input)).stream!);
    srv.stallBeforeHeaders();
    const opening = Array.from({ length: 5 }, () => settleWithin(mux.processStreamRequest(input), 2000));
    expect(await eventually(() => srv.streamRequests() === 15, 2000)).toBe(true);
    // Streams may reuse the pooled connections, and those left idle stay open.
    expect(srv.connectionsOpen()).toBeGreaterThanOrEqual(15);

    mux.destroy();

    const reads = await Promise.all(waiting);
    expect(reads.map((r) => r.status === 'rejected' && `${r.reason.name}: ${r.reason.message}`)).toEqual(
      Array(5).fill('AbortError: The stream was closed: destroy() was called'),
    );
    for (const stream of unread) {
      // The first event arrived before destroy(); then the stream is closed.
      const it = stream[Symbol.asyncIterator]();
      expect(await it.next()).toMatchObject({ done: false, value: { messageStart: { role: 'assistant' } } });
      await expect(it.next()).rejects.toMatchObject({ name: 'AbortError' });
      expect(await it.next()).toEqual({ done: true, value: undefined });
    }
    const opened = await Promise.all(opening);
    expect(opened.map((r) => r.status)).toEqual(Array(5).fill('rejected'));
    await expectConnections(srv, 0);
  });

  it('keeps the pool and streams of another multiplexer on the same clientConfig', async () => {
    const srv = await server();
    const shared = clientConfigFor(srv);
    const first = multiplexer(shared);
    const second = multiplexer(shared);
    await first.processRequest(input);
    const [kept] = await openStreams(() => second.processStreamRequest(input), 1);
    let keptSettled = false;
    const keptRead = kept.next().finally(() => (keptSettled = true));

    first.destroy();
    // The second still answers, and its stream is still open.
    await expect(second.processRequest(input)).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(keptSettled).toBe(false);
    expect(srv.connectionsOpen()).toBeGreaterThanOrEqual(2); // the stream's and a pooled one

    second.destroy();
    await expect(settleWithin(keptRead, 2000)).resolves.toMatchObject({ status: 'rejected', reason: { name: 'AbortError' } });
    await expectConnections(srv, 0);
  });

  it('closes the pool, not the streams of a BedrockModel built on the same clientConfig', async () => {
    const srv = await server();
    const shared = clientConfigFor(srv);
    const mux = multiplexer(shared);
    const model = new BedrockModel({ modelId: MODEL, weight: 1, isFallback: false }, undefined, 5000, undefined, shared);
    await Promise.all([1, 2, 3].map(() => mux.processRequest(input)));
    const [own] = await openStreams(() => model.invokeStream(input), 1);
    let ownSettled = false;
    const ownRead = own.next().finally(() => (ownSettled = true));
    // The model's stream (perhaps on a pooled connection) and the idle ones.
    expect(srv.connectionsOpen()).toBeGreaterThanOrEqual(1);

    mux.destroy();
    await expectConnections(srv, 1);
    expect(ownSettled).toBe(false);

    model.destroy();
    await expect(settleWithin(ownRead, 2000)).resolves.toMatchObject({ status: 'rejected', reason: { name: 'AbortError' } });
    await expectConnections(srv, 0);
  });

  it('leaves a multiplexer usable again (addModel), with a new pool', async () => {
    const srv = await server();
    const mux = multiplexer(clientConfigFor(srv));
    await mux.processRequest(input);
    mux.destroy();
    await expectConnections(srv, 0);
    mux.addModel({ modelId: MODEL, weight: 1, isFallback: false });
    await expect(mux.processRequest(input)).resolves.toMatchObject({ stopReason: 'end_turn' });
    expect(srv.converseRequests()).toBe(2);
    mux.destroy();
    await expectConnections(srv, 0);
  });
});

describe('a process with stalled streams', () => {
  const script = path.join(__dirname, 'fixtures', 'stalled-streams-exit.js');

  /** Runs the fixture in `mode`; resolves with its phases once it exits, or fails after 10 s. */
  async function runFixture(endpoint: string, mode: string) {
    const run = await runNode(script, [endpoint, mode], 10_000);
    expectCleanExit(run);
    return jsonLines(run.stdout);
  }

  it.each([
    ['idle-timeout', 'TimeoutError'],
    ['return', 'done'],
    ['destroy', 'AbortError'],
  ])('exits by itself after %s (reads settle as %s)', async (mode, settledAs) => {
    const srv = await server();
    const phases = await runFixture(srv.endpoint, mode);
    const done = phases[phases.length - 1];
    expect(done.phase).toBe('done');
    expect(done.reads).toEqual(Array(10).fill(settledAs));
    await expectConnections(srv, 0);
  });
});
