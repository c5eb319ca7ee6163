// Integration tests of streaming (`mux.processStreamRequest`, `BedrockModel.invokeStream`,
// `mux.getStreamStats()`) over the native transport, against the bundled Bedrock
// emulator: a real HTTP server with SigV4 checks and fault injection. Nothing of ours is
// mocked and no fake timers are used; every stream goes through the Rust
// aws-sdk-bedrockruntime client over a socket. The last block mocks the JS SDK with
// aws-sdk-client-mock, as callers' test suites do, to check the JS path.
//
// Model ids: a primary `…primary…` and a fallback `…fallback…` make "the first choice"
// deterministic (primaries are chosen before fallbacks) without touching Math.random.

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
} from '@aws-sdk/client-bedrock-runtime';
import { BedrockModel, BedrockMultiplexer, OutcomeType } from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

jest.setTimeout(20_000);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const running = new Set<RunningEmulator>();
const multiplexers: BedrockMultiplexer[] = [];

/** A fresh emulator per test, so connection counts and request logs are the test's own. */
function emulator(): RunningEmulator {
  const emu = startEmulator();
  running.add(emu);
  return emu;
}

function clientConfigFor(endpoint: string) {
  return { region: 'us-east-1', endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 };
}

const PRIMARY = 'stream.primary-v1:0';
const FALLBACK = 'stream.fallback-v1:0';

/** A multiplexer over `models` (a primary, then fallbacks) talking to `endpoint`. */
function multiplexer(endpoint: string, models: Array<{ modelId: string; isFallback?: boolean }>, extra: Record<string, any> = {}) {
  const mux = new BedrockMultiplexer({
    models: models.map(({ modelId, isFallback = false }) => ({ modelId, weight: 1, isFallback })),
    clientConfig: clientConfigFor(endpoint),
    defaultTimeoutMs: 5000,
    maxRetries: 3,
    ...extra,
  } as any);
  multiplexers.push(mux);
  return mux;
}

const input = (text = 'hello') => ({ messages: [{ role: 'user' as const, content: [{ text }] }] });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `read()` until `accept` holds or `ms` passes; returns the last value read. */
async function pollUntil<T>(read: () => T, accept: (value: T) => boolean, ms = 2000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + ms;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await sleep(everyMs);
    value = read();
  }
  return value;
}

/** What the multiplexer tells its listeners, in order, as short strings. */
function recordEvents(mux: BedrockMultiplexer) {
  const log: string[] = [];
  const outcomes: Array<{ modelId: string; type: string; errorName?: string; errorMessage?: string }> = [];
  const outcome = (o: any) => {
    const entry = { modelId: String(o.modelId), type: OutcomeType[o.type], errorName: o.error?.details?.name, errorMessage: o.error?.message };
    outcomes.push(entry);
    return entry;
  };
  mux.on('model-selected', (modelId: string, isFallback: boolean) => log.push(`selected ${modelId}${isFallback ? ' (fallback)' : ''}`));
  mux.on('success', (_response: any, o: any) => {
    if (o) log.push(`success ${outcome(o).modelId}`);
  });
  mux.on('error', (_error: any, o: any) => {
    if (o) {
      const e = outcome(o);
      log.push(`${e.type} ${e.modelId}${e.errorName ? ` ${e.errorName}` : ''}`);
    }
  });
  return { log, outcomes };
}

/** Reads a whole stream: its events, and the error it threw (if any). */
async function drain(stream: AsyncIterable<any>) {
  const events: any[] = [];
  try {
    for await (const event of stream) events.push(event);
    return { events, error: null as any };
  } catch (error) {
    return { events, error: error as any };
  }
}

const deltaText = (events: any[]) => events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');

/** How a promise settled, as one comparable value. */
async function settled<T>(promise: Promise<T>) {
  try {
    return { status: 'fulfilled' as const, value: await promise, error: undefined as string | undefined };
  } catch (error: any) {
    return { status: 'rejected' as const, value: undefined, error: `${error?.name}: ${error?.message}` };
  }
}

const modelStats = (mux: BedrockMultiplexer, modelId: string) => {
  const s: any = mux.getStats().modelStats[modelId];
  return s && { successCount: s.successCount, rateLimitCount: s.rateLimitCount, failFastCount: s.failFastCount };
};

afterEach(async () => {
  for (const mux of multiplexers.splice(0)) mux.destroy();
  for (const emu of [...running]) {
    running.delete(emu);
    await emu.stop();
  }
});

// ---------------------------------------------------------------------------
// (a), (b) Failover before the first event
// ---------------------------------------------------------------------------

describe('failover until the first event', () => {
  it('(a) the first-choice model throttles (429): another model serves the stream, and the rate limit is counted', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, { fault: 'throttle' });
    emu.setBehavior(FALLBACK, { text: 'served by the fallback', stream: { chunkSize: 6 } });
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }, { modelId: FALLBACK, isFallback: true }]);
    const { log } = recordEvents(mux);

    const response = await mux.processStreamRequest(input());
    const { events, error } = await drain(response.stream!);

    expect(error).toBeNull();
    expect(deltaText(events)).toBe('served by the fallback');
    expect(log).toStrictEqual([`selected ${PRIMARY}`, `RATE_LIMIT ${PRIMARY} ThrottlingException`, `selected ${FALLBACK} (fallback)`, `success ${FALLBACK}`]);
    expect(emu.requests().map((r) => `${r.modelId} ${r.operation} ${r.status}`)).toStrictEqual([
      `${PRIMARY} ConverseStream 429`,
      `${FALLBACK} ConverseStream 200`,
    ]);
    expect(mux.getStats().rateLimitCount).toBe(1);
    expect(modelStats(mux, PRIMARY)).toStrictEqual({ successCount: 0, rateLimitCount: 1, failFastCount: 0 });
    expect(modelStats(mux, FALLBACK)).toStrictEqual({ successCount: 1, rateLimitCount: 0, failFastCount: 0 });
    expect(mux.getCircuitBreakerStatus()[PRIMARY].failureCount).toBe(1);
    expect(Object.keys(mux.getStreamStats())).toStrictEqual([FALLBACK]);
  });

  // README ("Beyond the original"): "Until then it is an ordinary request: weighted
  // selection, breakers, tier escalation, failover on throttling or unavailability."
  it('(b) the first-choice model is unavailable (503) before the first event: another model serves the stream', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, { fault: 'unavailable' });
    emu.setBehavior(FALLBACK, { text: 'served by the fallback' });
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }, { modelId: FALLBACK, isFallback: true }]);
    const { log } = recordEvents(mux);

    const result = await settled(mux.processStreamRequest(input()));
    const { events } = result.value ? await drain(result.value.stream!) : { events: [] };

    expect({ status: result.status, error: result.error, text: deltaText(events), log }).toStrictEqual({
      status: 'fulfilled',
      error: undefined,
      text: 'served by the fallback',
      log: [`selected ${PRIMARY}`, `FAIL_FAST ${PRIMARY} ServiceUnavailableException`, `selected ${FALLBACK} (fallback)`, `success ${FALLBACK}`],
    });
    expect(emu.requests().map((r) => `${r.modelId} ${r.status}`)).toStrictEqual([`${PRIMARY} 503`, `${FALLBACK} 200`]);
  });
});

// ---------------------------------------------------------------------------
// (c) A fault after the first event
// ---------------------------------------------------------------------------

describe('a fault mid-stream', () => {
  const cases: Array<{ exception: string; name: string; message: string; outcomeType: 'FAIL_FAST' | 'RATE_LIMIT' }> = [
    { exception: 'modelStreamErrorException', name: 'ModelStreamErrorException', message: 'The model encountered an error while streaming the response.', outcomeType: 'FAIL_FAST' },
    { exception: 'throttlingException', name: 'ThrottlingException', message: 'Too many requests, please wait before trying again.', outcomeType: 'RATE_LIMIT' },
  ];

  it.each(cases)(
    "(c) $exception after 3 events reaches the caller's for await, counts a breaker failure and a $outcomeType outcome for that model",
    async ({ exception, name, message, outcomeType }) => {
      const emu = emulator();
      emu.setBehavior(PRIMARY, { text: 'x'.repeat(200), stream: { chunkSize: 10 }, streamErrorAfter: { events: 3, exception } });
      emu.setBehavior(FALLBACK, { text: 'never asked' });
      const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }, { modelId: FALLBACK, isFallback: true }]);
      const { log, outcomes } = recordEvents(mux);

      const response = await mux.processStreamRequest(input());
      expect(mux.getCircuitBreakerStatus()[PRIMARY]).toStrictEqual({ state: 'CLOSED', failureCount: 0 });
      const { events, error } = await drain(response.stream!);

      expect(events.map((e) => Object.keys(e)[0])).toStrictEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta']);
      expect(error).not.toBeNull();
      expect({ name: error.name, message: error.message }).toStrictEqual({ name, message });
      // The stream's failure counts against the model that served it, once.
      expect(mux.getCircuitBreakerStatus()[PRIMARY]).toStrictEqual({ state: 'CLOSED', failureCount: 1 });
      expect(log).toStrictEqual([`selected ${PRIMARY}`, `success ${PRIMARY}`, `${outcomeType} ${PRIMARY} ${name}`]);
      expect(outcomes[1]).toStrictEqual({ modelId: PRIMARY, type: outcomeType, errorName: name, errorMessage: message });
      expect(modelStats(mux, PRIMARY)).toStrictEqual({
        successCount: 1, // the first event
        rateLimitCount: outcomeType === 'RATE_LIMIT' ? 1 : 0,
        failFastCount: outcomeType === 'FAIL_FAST' ? 1 : 0,
      });
      // No failover after the first event: the fallback was never called.
      expect(emu.requests().map((r) => r.modelId)).toStrictEqual([PRIMARY]);
      expect(mux.getStreamStats()[PRIMARY]).toBeUndefined();
    },
  );

  // What the caller's catch sees should be the JS SDK's own exception class, as with the
  // JS SDK (see native-stream-differential.test.ts for the full comparison).
  it.each([
    ['modelStreamErrorException', ModelStreamErrorException],
    ['throttlingException', ThrottlingException],
  ] as const)('(c) the error %s reaching the caller is an instance of the SDK exception class', async (exception, Class) => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, { text: 'x'.repeat(100), stream: { chunkSize: 10 }, streamErrorAfter: { events: 3, exception } });
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }]);
    const { error } = await drain((await mux.processStreamRequest(input())).stream!);
    expect({ constructor: error?.constructor?.name, instanceOfClass: error instanceof Class, $fault: error?.$fault }).toStrictEqual({
      constructor: Class.name,
      instanceOfClass: true,
      $fault: 'client', // both are client faults in the SDK's model
    });
  });
});

// ---------------------------------------------------------------------------
// (d) Leaving a for await early closes the HTTP stream
// ---------------------------------------------------------------------------

describe('leaving for await early', () => {
  // 100 deltas, 20 ms apart: about 2 s of stream if nobody closes it.
  const LONG_STREAM = { text: 'x'.repeat(1000), stream: { chunkSize: 10, eventDelayMs: 20 } };

  it('(d) break after 2 events closes the HTTP stream: connectionsOpen() drops to 0 (a fully consumed stream keeps its keep-alive connection)', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, LONG_STREAM);
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }]);
    const { log } = recordEvents(mux);

    // Fully consumed: the connection goes back to the pool and may stay open.
    const full = await drain((await mux.processStreamRequest(input())).stream!);
    expect(full.error).toBeNull();
    expect(full.events).toHaveLength(104);
    await sleep(100);
    const openAfterFull = emu.connectionsOpen();
    expect(openAfterFull).toBeLessThanOrEqual(1);

    // Left after 2 events.
    const response = await mux.processStreamRequest(input());
    const openDuring = emu.connectionsOpen();
    let seen = 0;
    const startedAt = Date.now();
    for await (const _event of response.stream!) {
      if (++seen === 2) break;
    }
    const openAfterBreak = await pollUntil(() => emu.connectionsOpen(), (n) => n === 0, 2000);
    const closedWithinMs = Date.now() - startedAt;
    console.log(
      `(d) connectionsOpen: ${openAfterFull} after a fully consumed stream, ${openDuring} during the second stream, ` +
        `${openAfterBreak} within ${closedWithinMs} ms of leaving it after 2 events`,
    );

    expect(openDuring).toBe(1);
    expect(openAfterBreak).toBe(0);
    // Leaving early is not a failure of the model.
    expect(mux.getCircuitBreakerStatus()[PRIMARY].failureCount).toBe(0);
    expect(log).toStrictEqual([`selected ${PRIMARY}`, `success ${PRIMARY}`, `selected ${PRIMARY}`, `success ${PRIMARY}`]);
  });

  it('(d) the same through BedrockModel.invokeStream (native transport)', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, LONG_STREAM);
    const model = new BedrockModel({ modelId: PRIMARY, weight: 1, isFallback: false } as any, undefined, 5000, undefined, clientConfigFor(emu.endpoint));
    expect(model.transport).toBe('native');
    const response = await model.invokeStream(input());
    expect(emu.connectionsOpen()).toBe(1);
    let seen = 0;
    for await (const _event of response.stream!) {
      if (++seen === 2) break;
    }
    expect(await pollUntil(() => emu.connectionsOpen(), (n) => n === 0, 2000)).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// (e) Backpressure: a slow consumer of a fast stream holds memory still
// ---------------------------------------------------------------------------

describe('a slow consumer of a fast, large stream', () => {
  const MB = 1024 * 1024;
  let child: ChildProcess | null = null;
  let endpoint = '';

  // The emulator runs in a process of its own here: it renders a whole answer up front,
  // and in this process its hundreds of megabytes would hide what the client holds.
  beforeAll(async () => {
    const behaviors = {
      'stream.big-10mb-v1:0': { repeatText: { unit: 'lorem ipsum dolor sit amet ', bytes: 10 * MB }, stream: { chunkSize: 64 * 1024 } },
      'stream.big-200mb-v1:0': { repeatText: { unit: 'lorem ipsum dolor sit amet ', bytes: 200 * MB }, stream: { chunkSize: MB } },
      'stream.warm-up-v1:0': { text: 'warm' },
    };
    child = spawn(process.execPath, [path.join(__dirname, 'helpers', 'emulator-child.js'), JSON.stringify(behaviors)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    endpoint = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.on('error', reject);
      child!.on('exit', (code) => reject(new Error(`emulator child exited early (${code})`)));
      child!.stdout!.on('data', (chunk) => {
        out += chunk;
        if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))).endpoint);
      });
    });
  });

  afterAll(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.stdin!.end();
    const timer = setTimeout(() => child!.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  });

  /**
   * Opens `modelId`'s stream through processStreamRequest, reads `slowEvents` events one
   * per 10 ms while sampling RSS (every event and every 5 ms), then drains the rest
   * quickly. Growth is measured from just before the request.
   */
  async function slowRead(modelId: string, slowEvents: number) {
    const mux = multiplexer(endpoint, [{ modelId }, { modelId: 'stream.warm-up-v1:0', isFallback: true }]);
    // Warm up the client (connection pool, first allocations) so that it is not counted.
    await drain((await (await mux.getModel('stream.warm-up-v1:0'))!.invokeStream(input())).stream!);
    const baseline = process.memoryUsage().rss;
    let peak = 0;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().rss - baseline);
    };
    const sampler = setInterval(sample, 5);
    const startedAt = Date.now();
    try {
      const response = await mux.processStreamRequest(input(), { firstEventTimeoutMs: 15_000 });
      let events = 0;
      let bytes = 0;
      let slowPeak = 0;
      for await (const event of response.stream!) {
        events++;
        bytes += event.contentBlockDelta?.delta?.text?.length ?? 0;
        sample();
        if (events <= slowEvents) {
          await sleep(10);
          if (events === slowEvents) slowPeak = peak;
        }
      }
      if (events < slowEvents) slowPeak = peak;
      return { events, bytes, slowPeakMB: slowPeak / MB, peakMB: peak / MB, ms: Date.now() - startedAt };
    } finally {
      clearInterval(sampler);
    }
  }

  it('(e) ~10 MB in 64 KB deltas, every event read 10 ms apart: RSS grows by less than 64 MB', async () => {
    const result = await slowRead('stream.big-10mb-v1:0', Infinity);
    console.log(
      `(e) 10 MB stream, ${result.events} events read 10 ms apart in ${result.ms} ms: ` +
        `peak RSS growth ${result.peakMB.toFixed(1)} MB`,
    );
    expect(result.bytes).toBe(10 * MB);
    expect(result.peakMB).toBeLessThan(64);
  });

  it('(e) 200 MB in 1 MB deltas, the first 40 read 10 ms apart, then drained: RSS grows by less than 64 MB while slow', async () => {
    const result = await slowRead('stream.big-200mb-v1:0', 40);
    console.log(
      `(e) 200 MB stream, ${result.events} events (40 read 10 ms apart, then drained) in ${result.ms} ms: ` +
        `peak RSS growth ${result.slowPeakMB.toFixed(1)} MB while slow, ${result.peakMB.toFixed(1)} MB overall`,
    );
    expect(result.bytes).toBe(200 * MB);
    // A reader that ran ahead of the consumer would hold most of the 200 MB by now.
    expect(result.slowPeakMB).toBeLessThan(64);
  });
});

// ---------------------------------------------------------------------------
// (f) Stream statistics
// ---------------------------------------------------------------------------

describe('getStreamStats()', () => {
  it('(f) after 3 streams: the stream count, the time to first event as recorded, output tokens per second', async () => {
    const emu = emulator();
    const LATENCY = 40;
    const DELAY = 5;
    const OUTPUT_TOKENS = 50;
    // messageStart, 10 deltas, contentBlockStop, messageStop, metadata: 14 events, DELAY ms apart.
    emu.setBehavior(PRIMARY, { text: 'y'.repeat(100), latencyMs: LATENCY, usage: { outputTokens: OUTPUT_TOKENS }, stream: { chunkSize: 10, eventDelayMs: DELAY } });
    emu.setBehavior(FALLBACK, { fault: 'throttle' });
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }, { modelId: FALLBACK, isFallback: true }]);

    const measured: Array<{ firstEventMs: number; streamingMs: number }> = [];
    for (let i = 0; i < 3; i++) {
      const startedAt = Date.now();
      const response = await mux.processStreamRequest(input());
      const firstAt = Date.now();
      const { events, error } = await drain(response.stream!);
      expect(error).toBeNull();
      expect(events).toHaveLength(14);
      expect(events[13].metadata.usage.outputTokens).toBe(OUTPUT_TOKENS);
      measured.push({ firstEventMs: firstAt - startedAt, streamingMs: Date.now() - firstAt });
    }

    const stats: any = mux.getStreamStats();
    console.log(`(f) getStreamStats(): ${JSON.stringify(stats)}; measured by the caller: ${JSON.stringify(measured)}`);
    expect(Object.keys(stats)).toStrictEqual([PRIMARY]);
    expect(Object.keys(stats[PRIMARY])).toStrictEqual(['streams', 'timeToFirstEvent', 'outputTokensPerSecond']);
    expect(stats[PRIMARY].streams).toBe(3);

    const ttfe = stats[PRIMARY].timeToFirstEvent;
    expect(Object.keys(ttfe)).toStrictEqual(['average', 'p50', 'p95', 'p99', 'min', 'max']);
    for (const key of Object.keys(ttfe)) {
      // The emulator waits LATENCY ms before answering; the caller saw each stream open
      // no earlier than the multiplexer recorded it.
      expect(ttfe[key]).toBeGreaterThanOrEqual(LATENCY - 1); // Date.now() is whole milliseconds
      expect(ttfe[key]).toBeLessThanOrEqual(Math.max(...measured.map((m) => m.firstEventMs)));
    }
    expect(ttfe.min).toBeLessThanOrEqual(ttfe.p50);
    expect(ttfe.p50).toBeLessThanOrEqual(ttfe.p95);
    expect(ttfe.p95).toBeLessThanOrEqual(ttfe.p99);
    expect(ttfe.p99).toBeLessThanOrEqual(ttfe.max);
    expect(ttfe.average).toBeGreaterThanOrEqual(ttfe.min);
    expect(ttfe.average).toBeLessThanOrEqual(ttfe.max);

    // Tokens over the time from the first event to the end: the emulator spaces the 14
    // events DELAY ms apart (so about 13 × DELAY ms per stream at least; 12 × DELAY
    // leaves room for whole-millisecond clocks), and the caller's own streaming time
    // includes the multiplexer's.
    const rate = stats[PRIMARY].outputTokensPerSecond;
    const tokens = 3 * OUTPUT_TOKENS;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThanOrEqual((tokens * 1000) / (3 * 12 * DELAY));
    expect(rate).toBeGreaterThanOrEqual((tokens * 1000) / measured.reduce((sum, m) => sum + m.streamingMs, 0));
  });
});

// ---------------------------------------------------------------------------
// (g) Timeouts
// ---------------------------------------------------------------------------

describe('timeouts', () => {
  it('(g) firstEventTimeoutMs: a slow first choice times out (TimeoutError) and another model serves the stream', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, { text: 'too slow', latencyMs: 3000 });
    emu.setBehavior(FALLBACK, { text: 'served by the fallback' });
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }, { modelId: FALLBACK, isFallback: true }]);
    const { log } = recordEvents(mux);

    const startedAt = Date.now();
    const result = await settled(mux.processStreamRequest(input(), { firstEventTimeoutMs: 300 }));
    const elapsed = Date.now() - startedAt;
    const { events } = result.value ? await drain(result.value.stream!) : { events: [] };

    expect({ status: result.status, error: result.error, text: deltaText(events), log }).toStrictEqual({
      status: 'fulfilled',
      error: undefined,
      text: 'served by the fallback',
      log: [`selected ${PRIMARY}`, `FAIL_FAST ${PRIMARY} TimeoutError`, `selected ${FALLBACK} (fallback)`, `success ${FALLBACK}`],
    });
    expect(elapsed).toBeLessThan(3000);
  });

  it('(g) firstEventTimeoutMs: the timeout fires at firstEventTimeoutMs, abandons the call, and its TimeoutError names that time', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, { text: 'too slow', latencyMs: 3000 });
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }]);
    const { outcomes } = recordEvents(mux);

    const startedAt = Date.now();
    const result = await settled(mux.processStreamRequest(input(), { firstEventTimeoutMs: 300 }));
    const elapsed = Date.now() - startedAt;
    expect(result.status).toBe('rejected');
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(3000);
    // The abandoned call's connection is closed.
    expect(await pollUntil(() => emu.connectionsOpen(), (n) => n === 0, 2000)).toBe(0);
    expect(outcomes[0]).toStrictEqual({ modelId: PRIMARY, type: 'FAIL_FAST', errorName: 'TimeoutError', errorMessage: 'Request timed out after 300ms' });
  });

  // 6 deltas 1.5 s apart: about 9 s of stream if nobody closes it.
  const PAUSING = { text: 'z'.repeat(60), stream: { chunkSize: 10, eventDelayMs: 1500 } };

  it('(g) idleTimeoutMs: a gap between events longer than idleTimeoutMs throws TimeoutError to the consumer and counts against the model', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, PAUSING);
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }]);
    const { log, outcomes } = recordEvents(mux);

    const response = await mux.processStreamRequest(input(), { idleTimeoutMs: 200 });
    const firstAt = Date.now();
    const { events, error } = await drain(response.stream!);
    const waited = Date.now() - firstAt;

    expect(events.map((e) => Object.keys(e)[0])).toStrictEqual(['messageStart']);
    expect({ name: error?.name, message: error?.message }).toStrictEqual({ name: 'TimeoutError', message: 'No stream event for 200ms' });
    expect(waited).toBeGreaterThanOrEqual(190);
    expect(waited).toBeLessThan(1500);
    expect(mux.getCircuitBreakerStatus()[PRIMARY].failureCount).toBe(1);
    expect(log).toStrictEqual([`selected ${PRIMARY}`, `success ${PRIMARY}`, `FAIL_FAST ${PRIMARY} TimeoutError`]);
    expect(outcomes[1].errorMessage).toBe('No stream event for 200ms');
    expect(modelStats(mux, PRIMARY)).toStrictEqual({ successCount: 1, rateLimitCount: 0, failFastCount: 1 });
  });

  it('(g) idleTimeoutMs: the stream given up on is closed (connectionsOpen() drops to 0 within 2 s)', async () => {
    const emu = emulator();
    emu.setBehavior(PRIMARY, PAUSING);
    const mux = multiplexer(emu.endpoint, [{ modelId: PRIMARY }]);

    const response = await mux.processStreamRequest(input(), { idleTimeoutMs: 200 });
    expect(emu.connectionsOpen()).toBe(1);
    const { error } = await drain(response.stream!);
    expect(error?.name).toBe('TimeoutError');
    const open = await pollUntil(() => emu.connectionsOpen(), (n) => n === 0, 2000);
    expect(open).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// (h) The JS SDK path: the SDK mocked with aws-sdk-client-mock
// ---------------------------------------------------------------------------

describe('with the JS SDK mocked by aws-sdk-client-mock', () => {
  let bedrockMock: ReturnType<typeof mockClient>;

  const mockedEvents = () => [
    { messageStart: { role: 'assistant' } },
    { contentBlockDelta: { delta: { text: 'mocked ' }, contentBlockIndex: 0 } },
    { contentBlockDelta: { delta: { text: 'stream' }, contentBlockIndex: 0 } },
    { contentBlockStop: { contentBlockIndex: 0 } },
    { messageStop: { stopReason: 'end_turn' } },
    { metadata: { usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: { latencyMs: 7 } } },
  ];

  const mockedOutput = () => {
    const events = mockedEvents();
    return {
      $metadata: { httpStatusCode: 200, requestId: 'mocked-request' },
      stream: {
        async *[Symbol.asyncIterator]() {
          yield* events;
        },
      },
    };
  };

  // Installed here, not at the top of the file: while it is, every model in this file
  // would take the JS path.
  beforeAll(() => {
    bedrockMock = mockClient(BedrockRuntimeClient);
  });

  afterAll(() => {
    bedrockMock.restore();
  });

  beforeEach(() => {
    bedrockMock.reset();
  });

  it('(h) BedrockModel.invokeStream passes the mocked output through (JS path, nothing reaches the emulator)', async () => {
    const emu = emulator();
    const output = mockedOutput();
    bedrockMock.on(ConverseStreamCommand).resolves(output as any);
    const model = new BedrockModel({ modelId: PRIMARY, weight: 1, isFallback: false } as any, undefined, 5000, undefined, clientConfigFor(emu.endpoint));
    expect(model.transport).toBe('js-sdk');

    const response = await model.invokeStream(input('mocked?'));

    expect(response).toBe(output);
    const { events, error } = await drain(response.stream!);
    expect(error).toBeNull();
    expect(events).toStrictEqual(mockedEvents());
    expect(bedrockMock.commandCalls(ConverseStreamCommand).map((call) => call.args[0].input)).toStrictEqual([{ ...input('mocked?'), modelId: PRIMARY }]);
    expect(emu.requests()).toStrictEqual([]);
  });

  it('(h) a mocked rejection reaches the caller of invokeStream as is, and counts a breaker failure', async () => {
    const thrown = new ThrottlingException({ message: 'mocked throttle', $metadata: { httpStatusCode: 429 } });
    bedrockMock.on(ConverseStreamCommand).rejects(thrown);
    const model = new BedrockModel({ modelId: PRIMARY, weight: 1, isFallback: false } as any, undefined, 5000, undefined, { region: 'us-east-1' });
    await expect(model.invokeStream(input())).rejects.toBe(thrown);
    expect(model.getCircuitBreaker().getStatus().failureCount).toBe(1);
  });

  it('(h) processStreamRequest with the SDK mocked streams the mocked events too', async () => {
    bedrockMock.on(ConverseStreamCommand).resolves(mockedOutput() as any);
    const mux = multiplexer('http://127.0.0.1:9', [{ modelId: PRIMARY }]);
    expect(mux.transport).toBe('js-sdk');
    const response = await mux.processStreamRequest(input());
    expect(response.$metadata).toStrictEqual({ httpStatusCode: 200, requestId: 'mocked-request' });
    const { events, error } = await drain(response.stream!);
    expect(error).toBeNull();
    expect(events).toStrictEqual(mockedEvents());
    expect(mux.getStreamStats()[PRIMARY].streams).toBe(1);
  });
});
