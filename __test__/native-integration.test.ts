// Integration tests of the native transport against the bundled Bedrock emulator
// (a real HTTP server with SigV4 checks and fault injection). Nothing of ours is
// mocked and no fake timers are used: every request goes through the Rust
// aws-sdk-bedrockruntime client over a socket. Only `Date.now` is moved forward in the
// breaker test, the documented way to show the 30 s recovery without waiting for it.

import * as path from 'node:path';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { BedrockModel, CircuitBreakerState, ErrorType, MultiplexerError, OutcomeType, createMultiplexer } from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';
import { expectCleanExit, jsonLines, runNode } from './helpers/child';
import { settleWithin } from './helpers/util';

jest.setTimeout(30_000);

const REAL_DATE_NOW = Date.now;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const running = new Set<RunningEmulator>();
const multiplexers: Array<{ destroy(): void }> = [];

/** A fresh emulator per test, so connection counts and request logs are the test's own. */
function emulator(): RunningEmulator {
  const emu = startEmulator();
  running.add(emu);
  return emu;
}

async function stopEmulator(emu: RunningEmulator): Promise<void> {
  if (!running.delete(emu)) return;
  await emu.stop();
}

function clientConfigFor(emu: RunningEmulator, extra: Record<string, any> = {}) {
  return { region: 'us-east-1', endpoint: emu.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1, ...extra };
}

function multiplexer(models: Array<{ modelId: string; weight?: number; isFallback?: boolean }>, options: Record<string, any>) {
  const mux = createMultiplexer(
    models.map(({ modelId, weight = 1, isFallback = false }) => ({ modelId, weight, isFallback })),
    options as any,
  );
  multiplexers.push(mux);
  return mux;
}

const input = (text = 'hello') => ({ messages: [{ role: 'user' as const, content: [{ text }] }] });

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every promise settled within `ms` (one deadline for all), or the test fails naming how many hung. */
async function allSettleWithin<T>(promises: Promise<T>[], ms = 10_000): Promise<PromiseSettledResult<T>[]> {
  let done = 0;
  const tracked = promises.map((p) => p.finally(() => void done++));
  const result = await settleWithin(Promise.allSettled(tracked), ms).catch((error) => {
    throw new Error(`${error.message}: ${promises.length - done} of ${promises.length} still pending`);
  });
  if (result.status !== 'fulfilled') throw result.reason;
  return result.value;
}

/** Polls `read()` until `accept` holds or `ms` passes; returns the last value read. */
async function pollUntil<T>(read: () => T, accept: (value: T) => boolean, ms = 2000, everyMs = 10): Promise<T> {
  const deadline = REAL_DATE_NOW() + ms;
  let value = read();
  while (!accept(value) && REAL_DATE_NOW() < deadline) {
    await sleep(everyMs);
    value = read();
  }
  return value;
}

/** Counts outcomes the multiplexer reports ('success' / 'error' with an outcome) and invocations. */
function countEvents(mux: any) {
  const counts = {
    outcomes: {} as Record<string, { success: number; rateLimit: number; failFast: number; refusal: number; total: number }>,
    totalOutcomes: 0,
    invocations: 0,
    invocationsByModel: {} as Record<string, number>,
  };
  const add = (outcome: any) => {
    const entry = (counts.outcomes[outcome.modelId] ??= { success: 0, rateLimit: 0, failFast: 0, refusal: 0, total: 0 });
    if (outcome.type === OutcomeType.SUCCESS) entry.success++;
    else if (outcome.type === OutcomeType.RATE_LIMIT) entry.rateLimit++;
    else if (outcome.type === OutcomeType.FAIL_FAST) entry.failFast++;
    else if (outcome.type === OutcomeType.REFUSAL) entry.refusal++;
    entry.total++;
    counts.totalOutcomes++;
  };
  mux.on('success', (_response: any, outcome: any) => outcome && add(outcome));
  mux.on('error', (_error: any, outcome: any) => outcome && add(outcome));
  mux.on('model-invocation-start', (modelId: string) => {
    counts.invocations++;
    counts.invocationsByModel[modelId] = (counts.invocationsByModel[modelId] ?? 0) + 1;
  });
  return counts;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

const text = (response: any): string => response?.output?.message?.content?.[0]?.text;

afterEach(async () => {
  Date.now = REAL_DATE_NOW;
  for (const mux of multiplexers.splice(0)) mux.destroy();
  for (const emu of [...running]) await stopEmulator(emu);
});

afterAll(async () => {
  Date.now = REAL_DATE_NOW;
  for (const emu of [...running]) await stopEmulator(emu);
});

// ---------------------------------------------------------------------------
// 1. Failover on throttling
// ---------------------------------------------------------------------------

describe('failover on throttling', () => {
  it('skips the throttled model and answers from another; stats, events and the emulator agree', async () => {
    const emu = emulator();
    const BUSY = 'test.busy-model-v1:0';
    const SPARE = 'test.spare-model-v1:0';
    emu.setBehavior(BUSY, { fault: 'throttle' });
    // BUSY is the only primary, so it is always tried first; SPARE is the fallback.
    const mux = multiplexer([{ modelId: BUSY }, { modelId: SPARE, isFallback: true }], { clientConfig: clientConfigFor(emu) });
    expect(mux.transport).toBe('native');

    const selected: Array<[string, boolean, number]> = [];
    const errors: Array<[any, any]> = [];
    const successes: any[] = [];
    const starts: string[] = [];
    mux.on('model-selected', (id: string, isFallback: boolean, retry: number) => selected.push([id, isFallback, retry]));
    mux.on('error', (error: any, outcome: any) => errors.push([error, outcome]));
    mux.on('success', (_r: any, outcome: any) => successes.push(outcome));
    mux.on('model-invocation-start', (id: string) => starts.push(id));

    const response = await mux.processRequest(input('failover please'));

    expect(text(response)).toBe('echo: failover please');
    expect(selected).toEqual([
      [BUSY, false, 0],
      [SPARE, true, 1],
    ]);
    expect(starts).toEqual([BUSY, SPARE]);

    expect(errors).toHaveLength(1);
    const [throttleError, throttleOutcome] = errors[0];
    expect(throttleOutcome).toMatchObject({ modelId: BUSY, type: OutcomeType.RATE_LIMIT });
    expect(throttleError).toMatchObject({ code: 429, details: { name: 'ThrottlingException' } });
    expect(successes).toHaveLength(1);
    expect(successes[0]).toMatchObject({ modelId: SPARE, type: OutcomeType.SUCCESS });

    const stats = mux.getStats();
    expect(stats).toMatchObject({ successCount: 1, rateLimitCount: 1, failFastCount: 0, refusalCount: 0 });
    expect(stats.modelStats[BUSY]).toMatchObject({ successCount: 0, rateLimitCount: 1, failFastCount: 0, isFallback: false });
    expect(stats.modelStats[SPARE]).toMatchObject({ successCount: 1, rateLimitCount: 0, failFastCount: 0, isFallback: true });
    expect(mux.getCircuitBreakerStatus()[BUSY]).toMatchObject({ state: 'CLOSED', failureCount: 1 });

    const requests = emu.requests();
    expect(requests.map((r) => [r.modelId, r.status])).toEqual([
      [BUSY, 429],
      [SPARE, 200],
    ]);
    for (const request of requests) {
      expect(request.signatureVerified).toBe(true);
      expect(request.operation).toMatch(/^converse$/i);
      expect(request.body).toEqual(input('failover please'));
    }
  });
});

// ---------------------------------------------------------------------------
// 2. Circuit breaker: open, half-open, closed through real requests
// ---------------------------------------------------------------------------

describe('circuit breaker through real requests', () => {
  it('opens after 5 throttles, goes half-open after the recovery time, closes after 2 successes', async () => {
    const emu = emulator();
    const BUSY = 'test.breaker-model-v1:0';
    const SPARE = 'test.breaker-spare-v1:0';
    emu.setBehavior(BUSY, { fault: 'throttle' });
    const mux = multiplexer([{ modelId: BUSY }, { modelId: SPARE, isFallback: true }], { clientConfig: clientConfigFor(emu) });
    const skipped: string[] = [];
    mux.on('model-circuit-open-skipped', (id: string) => skipped.push(id));

    // The engine reads Date.now() from the caller at every call: move it, don't wait 30 s.
    let offsetMs = 0;
    Date.now = () => REAL_DATE_NOW() + offsetMs;
    const breaker = () => mux.getCircuitBreakerStatus()[BUSY];

    for (let i = 1; i <= 5; i++) {
      expect(breaker().state).toBe(CircuitBreakerState.CLOSED);
      await expect(mux.processRequest(input(`throttled ${i}`))).resolves.toBeDefined();
    }
    expect(breaker()).toMatchObject({ state: CircuitBreakerState.OPEN, failureCount: 5 });
    expect(emu.requests().filter((r) => r.modelId === BUSY).map((r) => r.status)).toEqual([429, 429, 429, 429, 429]);
    expect(skipped).toEqual([]);

    // Open: BUSY is passed over without a request being sent to it.
    emu.clearRequests();
    const whileOpen = await mux.processRequest(input('while open'));
    expect(text(whileOpen)).toBe('echo: while open');
    expect(skipped).toEqual([BUSY]);
    expect(emu.requests().map((r) => r.modelId)).toEqual([SPARE]);

    // BUSY recovers; 30 s pass on the caller's clock.
    emu.setBehavior(BUSY, {});
    offsetMs += 29_000;
    expect(breaker().state).toBe(CircuitBreakerState.OPEN);
    offsetMs += 1_001;
    expect(breaker().state).toBe(CircuitBreakerState.HALF_OPEN);

    emu.clearRequests();
    await expect(mux.processRequest(input('trial 1'))).resolves.toMatchObject({ output: { message: { content: [{ text: 'echo: trial 1' }] } } });
    expect(emu.requests().map((r) => [r.modelId, r.status])).toEqual([[BUSY, 200]]);
    // getCircuitBreakerStatus() reports only state and failureCount (as the original);
    // the trial successes are on the model's own breaker.
    expect(breaker().state).toBe(CircuitBreakerState.HALF_OPEN);
    const busyBreaker = (await mux.getModel(BUSY))!.getCircuitBreaker();
    expect(busyBreaker.getStatus()).toMatchObject({ state: CircuitBreakerState.HALF_OPEN, successCount: 1 });

    await mux.processRequest(input('trial 2'));
    expect(emu.requests().map((r) => [r.modelId, r.status])).toEqual([
      [BUSY, 200],
      [BUSY, 200],
    ]);
    expect(breaker()).toEqual({ state: CircuitBreakerState.CLOSED, failureCount: 0 });
    expect(busyBreaker.getStatus()).toMatchObject({ state: CircuitBreakerState.CLOSED, failureCount: 0, successCount: 0 });
    expect(mux.getStats().modelStats[BUSY]).toMatchObject({ successCount: 2, rateLimitCount: 5 });
    expect(mux.getStats().modelStats[SPARE]).toMatchObject({ successCount: 6 });
  });
});

// ---------------------------------------------------------------------------
// 3. Timeouts
// ---------------------------------------------------------------------------

describe('timeouts', () => {
  it('rejects a slow model with the original TimeoutError in about 1 s and releases its connection', async () => {
    const emu = emulator();
    const SLOW = 'test.slow-model-v1:0';
    emu.setBehavior(SLOW, { latencyMs: 3000 });
    const mux = multiplexer([{ modelId: SLOW }], { defaultTimeoutMs: 1000, clientConfig: clientConfigFor(emu) });
    const counts = countEvents(mux);

    const startedAt = REAL_DATE_NOW();
    const pending = settleWithin(mux.processRequest(input('too slow')), 5000);
    // Half-way: the native call holds a connection to the emulator.
    await sleep(500);
    expect(emu.connectionsOpen()).toBeGreaterThanOrEqual(1);

    const result = await pending;
    const elapsed = REAL_DATE_NOW() - startedAt;
    expect(result.status).toBe('rejected');
    const error = (result as any).reason;
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toBe('Request timed out after 1000ms');
    expect(error.outcome).toMatchObject({ modelId: SLOW, type: OutcomeType.FAIL_FAST });
    expect(error.errorResponse).toMatchObject({
      errorType: ErrorType.TIMEOUT,
      message: 'Request timed out after 1000ms',
      modelId: SLOW,
    });
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(2000);

    expect(mux.getStats()).toMatchObject({ successCount: 0, rateLimitCount: 0, failFastCount: 1 });
    expect(counts.outcomes[SLOW]).toMatchObject({ failFast: 1, total: 1 });
    expect(mux.getCircuitBreakerStatus()[SLOW]).toMatchObject({ state: 'CLOSED', failureCount: 1 });

    // The abandoned native call closes its connection: the emulator sees it go, long
    // before the 3 s answer would have been written.
    const open = await pollUntil(() => emu.connectionsOpen(), (n) => n === 0, 1000);
    expect(open).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// 4. AbortSignal on BedrockModel.invoke
// ---------------------------------------------------------------------------

describe('AbortSignal on BedrockModel.invoke', () => {
  it('rejects with CancelledError when aborted mid-call and releases the connection', async () => {
    const emu = emulator();
    const SLOW = 'test.abortable-model-v1:0';
    emu.setBehavior(SLOW, { latencyMs: 5000 });
    const model = new BedrockModel({ modelId: SLOW, weight: 1, isFallback: false }, undefined, 30000, undefined, clientConfigFor(emu));
    try {
      expect(model.transport).toBe('native');
      const controller = new AbortController();
      const pending = settleWithin(model.invoke(input('cancel me'), controller.signal), 5000);

      expect(await pollUntil(() => emu.connectionsOpen(), (n) => n >= 1)).toBeGreaterThanOrEqual(1);
      const abortedAt = REAL_DATE_NOW();
      controller.abort();
      const result = await pending;
      expect(REAL_DATE_NOW() - abortedAt).toBeLessThan(500);

      expect(result.status).toBe('rejected');
      const error = (result as any).reason;
      expect(error.name).toBe('CancelledError');
      expect(error.message).toBe('Request cancelled');
      expect(error.outcome).toMatchObject({ modelId: SLOW, type: OutcomeType.FAIL_FAST });
      expect(error.errorResponse).toMatchObject({ errorType: ErrorType.CANCELLED, message: 'Request was cancelled', modelId: SLOW });
      // A cancellation is not the model's fault: the breaker does not count it (as in the original).
      expect(model.getCircuitBreaker().getStatus()).toMatchObject({ state: 'CLOSED', failureCount: 0 });

      expect(await pollUntil(() => emu.connectionsOpen(), (n) => n === 0, 1000)).toBe(0);
    } finally {
      model.destroy();
    }
  });

  it('rejects with CancelledError without sending anything when the signal is already aborted', async () => {
    const emu = emulator();
    const MODEL = 'test.never-called-v1:0';
    const model = new BedrockModel({ modelId: MODEL, weight: 1, isFallback: false }, undefined, 30000, undefined, clientConfigFor(emu));
    try {
      const result = await settleWithin(model.invoke(input('never sent'), AbortSignal.abort()), 2000);
      expect(result.status).toBe('rejected');
      expect((result as any).reason).toMatchObject({ name: 'CancelledError', errorResponse: { errorType: 'CANCELLED' } });
      await sleep(50);
      expect(emu.requests()).toEqual([]);
      expect(emu.connectionsOpen()).toBe(0);
    } finally {
      model.destroy();
    }
  });
});

// ---------------------------------------------------------------------------
// 5. Credential provider
// ---------------------------------------------------------------------------

describe('async credential provider', () => {
  const HOUR = 3600_000;

  it('is called once for many requests while its credentials are valid', async () => {
    const emu = emulator();
    const MODEL = 'test.creds-model-v1:0';
    let calls = 0;
    const provider = async () => {
      calls++;
      return { ...EMULATOR_CREDENTIALS, sessionToken: `session-${calls}`, expiration: new Date(REAL_DATE_NOW() + HOUR) };
    };
    const mux = multiplexer([{ modelId: MODEL }], { clientConfig: clientConfigFor(emu, { credentials: provider }) });
    expect(mux.transport).toBe('native');

    const first = await settleWithin(mux.processRequest(input('first')), 5000);
    expect(first.status === 'rejected' ? describeError((first as any).reason) : 'fulfilled').toBe('fulfilled');
    const burst = await allSettleWithin(Array.from({ length: 10 }, (_, i) => mux.processRequest(input(`burst ${i}`))));
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    await mux.processRequest(input('last 1'));
    await mux.processRequest(input('last 2'));

    expect(calls).toBe(1);
    const requests = emu.requests();
    expect(requests).toHaveLength(13);
    for (const request of requests) {
      expect(request.signatureVerified).toBe(true);
      expect(request.headers['x-amz-security-token']).toBe('session-1');
    }
  });

  it('is called again once its credentials are about to expire (deterministically, via the refresh buffer)', async () => {
    // Credentials count as expired some time BEFORE their `expiration`. The native
    // client is configured like the JS SDK's 5-minute buffer, but its identity cache
    // jitters that buffer (refresh happens 150-300 s before `expiration`). So any
    // credentials expiring less than 150 s ahead are already "expiring" when they
    // arrive: they are used for the request that fetched them and re-fetched by the
    // next request. That makes this deterministic without moving the native client's
    // clock (which JavaScript's Date.now cannot move), and without waiting:
    //   - the provider's first 2 answers expire in 3 s -> the next request refreshes;
    //   - its 3rd answer expires in 1 h                  -> no further calls.
    // 5 sequential requests => calls after each request: 1, 2, 3, 3, 3.
    // (Lifetimes between 150 s and 300 s would be refreshed or not at random.)
    const makeProvider = () => {
      const provider = async () => {
        provider.calls++;
        const lifetime = provider.calls <= 2 ? 3000 : HOUR;
        return { ...EMULATOR_CREDENTIALS, sessionToken: `session-${provider.calls}`, expiration: new Date(REAL_DATE_NOW() + lifetime) };
      };
      provider.calls = 0;
      return provider;
    };

    const emu = emulator();
    const MODEL = 'test.expiring-creds-v1:0';
    const nativeProvider = makeProvider();
    const mux = multiplexer([{ modelId: MODEL }], { clientConfig: clientConfigFor(emu, { credentials: nativeProvider }) });
    expect(mux.transport).toBe('native');
    const nativeCalls: number[] = [];
    for (let i = 0; i < 5; i++) {
      const result = await settleWithin(mux.processRequest(input(`native ${i}`)), 5000);
      expect(result.status === 'rejected' ? describeError((result as any).reason) : 'fulfilled').toBe('fulfilled');
      nativeCalls.push(nativeProvider.calls);
    }
    expect(nativeCalls).toEqual([1, 2, 3, 3, 3]);
    const nativeRequests = emu.requests();
    expect(nativeRequests.map((r) => r.headers['x-amz-security-token'])).toEqual(['session-1', 'session-2', 'session-3', 'session-3', 'session-3']);
    expect(nativeRequests.every((r) => r.signatureVerified)).toBe(true);

    // For comparison, the same sequence through the real JS SDK client. Its provider is
    // memoized twice (client config and auth scheme), and each layer re-checks expiry
    // right after loading, so it burns through the short-lived answers inside the
    // FIRST send (3 calls, signing with session-3). Both end in the same place: the
    // long-lived credentials, used from then on without further calls.
    emu.clearRequests();
    const jsProvider = makeProvider();
    const client = new BedrockRuntimeClient(clientConfigFor(emu, { credentials: jsProvider }));
    try {
      for (let i = 0; i < 5; i++) await client.send(new ConverseCommand({ modelId: MODEL, ...input(`js ${i}`) }));
    } finally {
      client.destroy();
    }
    expect(jsProvider.calls).toBe(3);
    expect(emu.requests().slice(2).map((r) => r.headers['x-amz-security-token'])).toEqual(['session-3', 'session-3', 'session-3']);
  });
});

function describeError(error: any): string {
  return `${error?.name}: ${error?.message}`;
}

// ---------------------------------------------------------------------------
// 6. Bad signature
// ---------------------------------------------------------------------------

describe('bad signature', () => {
  it('rejects with a FailFastError naming the exception the JS SDK throws', async () => {
    const emu = emulator();
    const MODEL = 'test.signed-model-v1:0';
    const wrong = { accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' };
    const mux = multiplexer([{ modelId: MODEL }], { clientConfig: clientConfigFor(emu, { credentials: { ...wrong } }) });
    expect(mux.transport).toBe('native');

    const result = await settleWithin(mux.processRequest(input('signed wrongly')), 5000);
    expect(result.status).toBe('rejected');
    const error = (result as any).reason;
    expect(error.name).toBe('FailFastError');
    expect(error.outcome).toMatchObject({ modelId: MODEL, type: OutcomeType.FAIL_FAST });

    // What the real JS SDK throws for the same request.
    const client = new BedrockRuntimeClient(clientConfigFor(emu, { credentials: { ...wrong } }));
    let sdkError: any;
    try {
      await client.send(new ConverseCommand({ modelId: MODEL, ...input('signed wrongly') }));
    } catch (e) {
      sdkError = e;
    } finally {
      client.destroy();
    }
    expect(sdkError?.name).toBe('InvalidSignatureException');

    expect(error.errorResponse.details.name).toBe(sdkError.name);
    expect(error.errorResponse.code).toBe(sdkError.$metadata.httpStatusCode);
    expect(error.errorResponse.code).toBe(403);
    expect(error.message).toBe(sdkError.message);
    expect(error.errorResponse.details.fault).toBe(sdkError.$fault);
    expect(mux.getStats()).toMatchObject({ successCount: 0, failFastCount: 1 });

    const requests = emu.requests();
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.signatureVerified).toBe(false);
      expect(request.status).toBe(403);
    }
  });
});

// ---------------------------------------------------------------------------
// 7. destroy() with requests in flight
// ---------------------------------------------------------------------------

describe('destroy() with requests in flight', () => {
  const MID = 'test.mid-latency-v1:0';

  it('settles all 20 requests started right before destroy(); later requests reject NO_MODELS_AVAILABLE', async () => {
    const emu = emulator();
    emu.setBehavior(MID, { latencyMs: 300 });
    const mux = multiplexer([{ modelId: MID }], { clientConfig: clientConfigFor(emu) });

    const pending = Array.from({ length: 20 }, (_, i) => mux.processRequest(input(`doomed ${i}`)));
    mux.destroy();
    const settled = await allSettleWithin(pending, 10_000);
    expect(settled).toHaveLength(20);
    for (const result of settled) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(Error);
    }

    const later = await settleWithin(mux.processRequest(input('after destroy')), 2000);
    expect(later.status).toBe('rejected');
    const error = (later as any).reason;
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
  });

  it('settles 20 requests whose native calls are already on the wire when destroy() is called', async () => {
    const emu = emulator();
    emu.setBehavior(MID, { latencyMs: 300 });
    const mux = multiplexer([{ modelId: MID }], { clientConfig: clientConfigFor(emu) });

    const pending = Array.from({ length: 20 }, (_, i) => mux.processRequest(input(`on the wire ${i}`)));
    expect(await pollUntil(() => emu.connectionsOpen(), (n) => n >= 20)).toBeGreaterThanOrEqual(20);
    mux.destroy();
    const settled = await allSettleWithin(pending, 10_000);
    expect(settled).toHaveLength(20);
    // The calls were already made; destroy() does not cancel them, so they answer.
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(20);

    await expect(mux.processRequest(input('after destroy'))).rejects.toMatchObject({
      name: 'MultiplexerError',
      code: 'NO_MODELS_AVAILABLE',
    });
  });

  it('lets a child process exit by itself after destroy() and emulator.stop()', async () => {
    const script = path.join(__dirname, 'fixtures', 'destroy-exit.js');
    let doneAt = 0;
    const run = await runNode(script, [], 15_000, {
      onStdout: (stdout) => {
        if (!doneAt && stdout.includes('"phase":"done"')) doneAt = REAL_DATE_NOW();
      },
    });
    const exitedAt = REAL_DATE_NOW();

    const phases = jsonLines(run.stdout);
    expectCleanExit(run);
    expect(phases.map((p) => p.phase)).toEqual(['started', 'warm', 'in-flight', 'stopped', 'done']);
    expect(phases[0].transport).toBe('native');
    expect(phases[1].fulfilled).toBe(3);
    expect(phases[4].fulfilled + phases[4].rejected).toBe(20);
    // "By itself within a few seconds" of its last line.
    expect(exitedAt - doneAt).toBeLessThan(3000);
  });
});

// ---------------------------------------------------------------------------
// 8. 1,000 concurrent requests
// ---------------------------------------------------------------------------

describe('1,000 concurrent requests', () => {
  it('all settle, each with its own answer, and the stats add up', async () => {
    const emu = emulator();
    const A = 'test.concurrent-a-v1:0';
    const B = 'test.concurrent-b-v1:0';
    emu.setBehavior(B, { fault: 'throttle', faultProbability: 0.2, seed: 42 });
    const mux = multiplexer([{ modelId: A }, { modelId: B }], { clientConfig: clientConfigFor(emu) });
    const counts = countEvents(mux);

    const N = 1000;
    const startedAt = REAL_DATE_NOW();
    const settled = await allSettleWithin(
      Array.from({ length: N }, (_, i) => mux.processRequest(input(`request ${i}`))),
      20_000,
    );
    const elapsed = REAL_DATE_NOW() - startedAt;

    const fulfilled = settled.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<any>[];
    const rejected = settled.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    expect(fulfilled.length + rejected.length).toBe(N);
    // No cross-talk: every answer echoes its own request.
    settled.forEach((result, i) => {
      if (result.status === 'fulfilled') expect(text(result.value)).toBe(`echo: request ${i}`);
    });
    expect({ rejected: rejected.map((r) => describeError(r.reason)).slice(0, 5) }).toEqual({ rejected: [] });

    const stats = mux.getStats();
    expect(stats.successCount).toBe(fulfilled.length);
    expect(stats.successCount + stats.rateLimitCount + stats.failFastCount).toBe(counts.totalOutcomes);
    for (const id of [A, B]) {
      const m = stats.modelStats[id];
      expect(m.successCount + m.rateLimitCount + m.failFastCount).toBe(counts.outcomes[id]?.total ?? 0);
    }
    expect(stats.rateLimitCount).toBeGreaterThan(0); // B's seeded throttles happened and failed over
    expect(emu.requests()).toHaveLength(counts.invocations);
    expect(emu.requests().every((r) => r.signatureVerified)).toBe(true);
    expect(elapsed).toBeLessThan(15_000);
  });
});

// ---------------------------------------------------------------------------
// 9. A mix of faults
// ---------------------------------------------------------------------------

describe('a seeded mix of faults', () => {
  it('settles every one of 300 requests exactly once, and stats, events and the emulator agree', async () => {
    const emu = emulator();
    const behaviours: Record<string, any> = {
      'test.mix-throttle-v1:0': { fault: 'throttle', faultProbability: 0.4, seed: 1 },
      'test.mix-unavailable-v1:0': { fault: 'unavailable', faultProbability: 0.2, seed: 2 },
      'test.mix-internal-v1:0': { fault: 'internalError', faultProbability: 0.2, seed: 3 },
      'test.mix-reset-v1:0': { fault: 'connectionReset', faultProbability: 0.2, seed: 4 },
      'test.mix-truncated-v1:0': { fault: 'truncatedBody', faultProbability: 0.2, seed: 5 },
      'test.mix-malformed-v1:0': { fault: 'malformedBody', faultProbability: 0.2, seed: 6 },
      'test.mix-healthy-v1:0': {},
    };
    for (const [id, behaviour] of Object.entries(behaviours)) emu.setBehavior(id, behaviour);
    const ids = Object.keys(behaviours);
    const mux = multiplexer(
      ids.map((modelId) => ({ modelId })),
      { defaultTimeoutMs: 5000, clientConfig: clientConfigFor(emu) },
    );
    const counts = countEvents(mux);

    const N = 300;
    const settleCount = new Array<number>(N).fill(0);
    const results = new Array<any>(N);
    const pending = Array.from({ length: N }, (_, i) =>
      mux.processRequest(input(`mix ${i}`)).then(
        (value) => {
          settleCount[i]++;
          results[i] = { ok: true, value };
        },
        (reason) => {
          settleCount[i]++;
          results[i] = { ok: false, reason };
        },
      ),
    );
    await allSettleWithin(pending, 15_000);
    // Give any stray second settlement a chance to show up.
    await sleep(50);
    expect(settleCount.filter((n) => n !== 1)).toEqual([]);

    const okCount = results.filter((r) => r.ok).length;
    const failures = results.filter((r) => !r.ok).map((r) => r.reason);
    // Fail-fast errors are rethrown (no failover), as in the original; throttles fail over.
    for (const reason of failures) {
      expect(['FailFastError', 'MultiplexerError', 'TimeoutError']).toContain(reason.name);
      if (reason.name === 'FailFastError') expect(reason.outcome?.type).toBe(OutcomeType.FAIL_FAST);
    }
    const failureKinds = countBy(failures, (e: any) => `${e.name}/${e.code ?? e.errorResponse?.details?.name}`);
    // Each injected fault shows up as its own kind of failure.
    expect(Object.keys(failureKinds).sort()).toEqual(
      expect.arrayContaining([
        'FailFastError/ServiceUnavailableException',
        'FailFastError/InternalServerException',
        'FailFastError/SyntaxError',
      ]),
    );

    const stats = mux.getStats();
    expect(stats.successCount).toBe(okCount);
    expect(stats.successCount + stats.rateLimitCount + stats.failFastCount).toBe(counts.totalOutcomes);
    for (const id of ids) {
      const m = stats.modelStats[id];
      const seen = counts.outcomes[id] ?? { success: 0, rateLimit: 0, failFast: 0, total: 0 };
      expect({ id, success: m.successCount, rateLimit: m.rateLimitCount, failFast: m.failFastCount }).toEqual({
        id,
        success: seen.success,
        rateLimit: seen.rateLimit,
        failFast: seen.failFast,
      });
    }
    expect(stats.modelStats['test.mix-throttle-v1:0'].rateLimitCount).toBeGreaterThan(0);
    for (const id of ids.filter((id) => id.includes('unavailable') || id.includes('internal') || id.includes('reset') || id.includes('truncated') || id.includes('malformed'))) {
      expect({ id, failFast: stats.modelStats[id].failFastCount > 0 }).toEqual({ id, failFast: true });
    }

    const requests = emu.requests();
    expect(requests).toHaveLength(counts.invocations);
    expect(countBy(requests, (r) => r.modelId)).toEqual(counts.invocationsByModel);
  });
});
