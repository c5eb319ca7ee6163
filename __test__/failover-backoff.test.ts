// Beyond the original (issue 14, items 1 and 4): `failover.backoff` against the emulator.
// Once every model has failed and `maxRetries` allows more, the request tries them again
// after a full-jitter exponential wait drawn from Math.random (the `backoff` event says
// how long and why); a model's Retry-After holds it back at least that long; no wait
// reaches the `defaultTimeoutMs` deadline. An attempt `failover` ends by its timeout
// emits `attempt-timeout`. Each test states the order of the events it sees.

import { MultiplexerError } from '../index';
import { emulatorFixture } from './helpers/emulator-fixture';

jest.setTimeout(30_000);

const PRIMARY = 'test.failing-v1:0';
const FALLBACK = 'test.fallback-v1:0';
const EVENTS = ['model-selected', 'model-invocation-start', 'model-invocation-complete', 'attempt-timeout', 'backoff', 'error', 'success'];

const { emulator, multiplexer } = emulatorFixture(FALLBACK, { modelIds: [PRIMARY], defaultTimeoutMs: 10_000 });

/** Every event the request machine emits, in order, as `name modelId [args]`. */
function recordEvents(mux: any): string[] {
  const seen: string[] = [];
  for (const name of EVENTS) {
    mux.on(name, (...args: any[]) => {
      // The request's own failure comes as an `error` without an outcome.
      const modelId = name === 'error' || name === 'success' ? (args[1]?.modelId ?? '(request)') : args[0];
      const extra = name === 'backoff' || name === 'attempt-timeout' ? ` ${args.slice(1).join(' ')}` : '';
      seen.push(`${name} ${modelId}${extra}`);
    });
  }
  return seen;
}

const input = { messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }] };
const text = (response: any): string => response?.output?.message?.content?.[0]?.text;

/** Fake timers for the wait and the clock; I/O and this file's polling stay real. */
function useFakeTimers() {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask', 'performance'] });
}

/** Lets real I/O run until `condition` holds (a bounded wait for liveness, not a timing check). */
async function until(condition: () => boolean, what: string) {
  const giveUpAt = performance.now() + 10_000;
  while (!condition()) {
    if (performance.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Settles `request` under fake timers: each time a `backoff` event says how long the
 * request waits, the clock moves exactly that far (it moves at no other time, so each
 * wait is the engine's figure to the millisecond).
 */
async function drive(request: ReturnType<typeof settle>, delays: number[]) {
  let waited = 0;
  for (;;) {
    await until(() => request.done || delays.length > waited, 'a backoff event or the end');
    if (request.done) return;
    await jest.advanceTimersByTimeAsync(delays[waited]);
    waited += 1;
  }
}

function settle(promise: Promise<unknown>) {
  const state: { done: boolean; value?: any; error?: any } = { done: false };
  promise.then(
    (value) => Object.assign(state, { done: true, value }),
    (error) => Object.assign(state, { done: true, error }),
  );
  return state;
}

describe.each(['native', 'js-sdk'] as const)('transport %s', (transport) => {
  it("a model's Retry-After holds its second try back exactly that long", async () => {
    emulator().setBehavior(PRIMARY, { fault: 'unavailable', retryAfter: '2', failFirst: 1, mode: 'fixed', text: 'second try' });
    useFakeTimers();
    const mux = multiplexer(transport, { failover: { backoff: { baseMs: 10, maxMs: 10 } } });
    const events = recordEvents(mux);

    const request = settle(mux.processRequest(input));
    await until(() => events.some((e) => e.startsWith('backoff')), 'the backoff event');
    // The fake clock stood still since the 503 arrived: the wait is the whole Retry-After.
    expect(events.at(-1)).toBe(`backoff ${PRIMARY} 2000 retry-after`);
    await jest.advanceTimersByTimeAsync(1999);
    for (let i = 0; i < 50; i += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(emulator().requests()).toHaveLength(1);
    expect(request.done).toBe(false);

    await jest.advanceTimersByTimeAsync(1);
    await until(() => request.done, 'the request to settle');
    expect(text(request.value)).toBe('second try');
    expect(emulator().requests().map((r) => r.status)).toEqual([503, 200]);
    expect(events).toEqual([
      `model-selected ${PRIMARY}`,
      `model-invocation-start ${PRIMARY}`,
      `model-invocation-complete ${PRIMARY}`,
      `error ${PRIMARY}`,
      `model-selected ${PRIMARY}`,
      `backoff ${PRIMARY} 2000 retry-after`,
      `model-invocation-start ${PRIMARY}`,
      `model-invocation-complete ${PRIMARY}`,
      `success ${PRIMARY}`,
    ]);
  });
});

describe('back-off between rounds', () => {
  it.each([
    [0.5, [50, 75, 75]],
    [0.2, [20, 30, 30]],
  ])('with Math.random() at %p the waits are that share of 100, 200 (capped at 150), 150 ms', async (draw, waits) => {
    emulator().setBehavior(PRIMARY, { fault: 'unavailable' });
    jest.spyOn(Math, 'random').mockReturnValue(draw);
    useFakeTimers();
    const mux = multiplexer('native', { failover: { backoff: { baseMs: 100, maxMs: 150 } } });
    const delays: number[] = [];
    const reasons = new Set<string>();
    mux.on('backoff', (_modelId: string, delayMs: number, reason: string) => {
      reasons.add(reason);
      delays.push(delayMs);
    });

    const request = settle(mux.processRequest(input));
    await drive(request, delays);
    const failure = request.error;

    expect(failure).toBeInstanceOf(MultiplexerError);
    expect(failure.code).toBe('RETRIES_EXHAUSTED');
    expect(delays).toEqual(waits);
    expect([...reasons]).toEqual(['exponential']);
    // maxRetries 3: the first try and three more.
    expect(emulator().requests()).toHaveLength(4);
  });

  it('the fallback is tried before any wait, and waits come only once both failed', async () => {
    emulator().setBehavior(PRIMARY, { fault: 'unavailable' });
    emulator().setBehavior(FALLBACK, { fault: 'internalError', failFirst: 1, mode: 'fixed', text: 'from the fallback' });
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    useFakeTimers();
    const mux = multiplexer('native', { maxRetries: 4, failover: { backoff: { baseMs: 20, maxMs: 20 } } }, [PRIMARY, FALLBACK]);
    const events = recordEvents(mux);
    const delays: number[] = [];
    mux.on('backoff', (_modelId: string, delayMs: number) => delays.push(delayMs));

    const request = settle(mux.processRequest(input));
    await drive(request, delays);
    expect(text(request.value)).toBe('from the fallback');
    expect(events.filter((e) => /^(backoff|model-invocation-start)/.test(e))).toEqual([
      `model-invocation-start ${PRIMARY}`,
      `model-invocation-start ${FALLBACK}`,
      `backoff ${PRIMARY} 10 exponential`,
      `model-invocation-start ${PRIMARY}`,
      // The round's wait is over for the next model: no second wait.
      `model-invocation-start ${FALLBACK}`,
    ]);
  });

  it('without backoff a request still ends once every model failed, as before', async () => {
    emulator().setBehavior(PRIMARY, { fault: 'unavailable' });
    const mux = multiplexer('native', { failover: {} });
    const events = recordEvents(mux);
    const failure = await mux.processRequest(input).catch((error) => error);
    expect(failure.code).toBe('NO_MODELS_AVAILABLE');
    expect(emulator().requests()).toHaveLength(1);
    expect(events.some((e) => e.startsWith('backoff'))).toBe(false);
  });
});

describe('the overall deadline', () => {
  it.each([
    ['a Retry-After reaching past it', { retryAfter: '5' }, 0.5],
    ['a jittered wait reaching past it', {}, 0.9],
  ])('%s: no wait, the request fails at once with NO_MODELS_AVAILABLE', async (_, extra, draw) => {
    emulator().setBehavior(PRIMARY, { fault: 'unavailable', ...extra });
    jest.spyOn(Math, 'random').mockReturnValue(draw);
    useFakeTimers();
    const mux = multiplexer('native', { defaultTimeoutMs: 3000, failover: { backoff: { baseMs: 4000, maxMs: 4000 } } });
    const events = recordEvents(mux);

    const request = settle(mux.processRequest(input));
    // Settles with the fake clock never advanced: nothing waited for the deadline.
    await until(() => request.done, 'the request to settle');

    expect(request.error).toBeInstanceOf(MultiplexerError);
    expect(request.error.code).toBe('NO_MODELS_AVAILABLE');
    expect(emulator().requests()).toHaveLength(1);
    expect(events.some((e) => e.startsWith('backoff'))).toBe(false);
  });
});

describe('attempt-timeout', () => {
  it('comes right after the attempt ends, before its model-invocation-complete and error', async () => {
    emulator().setBehavior(PRIMARY, { mode: 'fixed', text: 'too late', latencyMs: 20_000 });
    const mux = multiplexer('native', { failover: { attemptTimeoutMs: 300 } }, [PRIMARY, FALLBACK]);
    const events = recordEvents(mux);

    expect(text(await mux.processRequest(input))).toBe('from the fallback');

    expect(events).toEqual([
      `model-selected ${PRIMARY}`,
      `model-invocation-start ${PRIMARY}`,
      `attempt-timeout ${PRIMARY} 300 1`,
      `model-invocation-complete ${PRIMARY}`,
      `error ${PRIMARY}`,
      `model-selected ${FALLBACK}`,
      `model-invocation-start ${FALLBACK}`,
      `model-invocation-complete ${FALLBACK}`,
      `success ${FALLBACK}`,
    ]);
  });

  it('is not emitted without `failover`, as in the original', async () => {
    emulator().setBehavior(PRIMARY, { mode: 'fixed', text: 'too late', latencyMs: 20_000 });
    const mux = multiplexer('native', { defaultTimeoutMs: 1000 });
    const events = recordEvents(mux);
    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(events.some((e) => e.startsWith('attempt-timeout'))).toBe(false);
  });
});
