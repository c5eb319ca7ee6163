// Beyond the original (issue 14, item 2): the `hedging` option against the emulator, on
// both transports. A first model slow to answer is raced by a hedge to the next eligible
// model; the first success wins, the loser is cancelled (the emulator sees its request
// abandoned) and counts neither as a breaker failure nor in the statistics; a racer that
// fails while another runs leaves the request waiting; streams are decided at the first
// content event; a percentile delay sends no hedge before it has samples; the hedge
// timer runs on the caller's timers; without the option nothing is hedged.

import { emulatorFixture } from './helpers/emulator-fixture';

jest.setTimeout(30_000);

const SLOW = 'test.slow-v1:0';
const FALLBACK = 'test.fallback-v1:0';

const { emulator, multiplexer } = emulatorFixture(FALLBACK, { modelIds: [SLOW, FALLBACK], defaultTimeoutMs: 20_000 });

const input = { messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }] };
const text = (response: any): string => response?.output?.message?.content?.[0]?.text;

/** Waits (a bounded real-time wait, for liveness only) until `condition` holds. */
async function eventually(condition: () => boolean): Promise<boolean> {
  const [start] = process.hrtime();
  while (!condition()) {
    if (process.hrtime()[0] - start > 10) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

function recordEvents(mux: any): string[] {
  const events: string[] = [];
  mux.on('request-hedged', (modelId: string, afterMs: number) => events.push(`hedged ${modelId} ${typeof afterMs}`));
  mux.on('hedge-won', (modelId: string) => events.push(`hedge-won ${modelId}`));
  mux.on('error', (_error: unknown, outcome: any) => events.push(`error ${outcome?.modelId}`));
  mux.on('success', (_none: unknown, outcome: any) => events.push(`success ${outcome.modelId}`));
  mux.on('model-invocation-complete', (modelId: string) => events.push(`complete ${modelId}`));
  return events;
}

async function streamText(stream: AsyncIterable<any>): Promise<string> {
  let out = '';
  for await (const event of stream) out += event?.contentBlockDelta?.delta?.text ?? '';
  return out;
}

describe.each(['native', 'js-sdk'] as const)('transport %s', (transport) => {
  it('a slow first model is hedged to the next one, whose answer wins; the first is cancelled and not counted', async () => {
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'too late', latencyMs: 15_000 });
    const mux = multiplexer(transport, { hedging: { afterMs: 200 } });
    const events = recordEvents(mux);

    const response = await mux.processRequest(input);

    expect(text(response)).toBe('from the fallback');
    expect(events).toEqual([`hedged ${FALLBACK} number`, `hedge-won ${FALLBACK}`, `complete ${FALLBACK}`, `success ${FALLBACK}`]);
    expect(await eventually(() => emulator().stats().abandoned === 1)).toBe(true);
    expect(mux.getCircuitBreakerStatus()[SLOW]).toMatchObject({ state: 'CLOSED', failureCount: 0 });
    const stats = mux.getStats();
    expect(stats.modelStats[SLOW]).toMatchObject({ successCount: 0, failFastCount: 0, rateLimitCount: 0 });
    expect(stats.modelStats[FALLBACK]).toMatchObject({ successCount: 1 });
    expect(stats.hedging).toEqual({ hedged: 1, hedgesSent: 1, wonByHedge: 1, cancelled: 1 });
  });

  it('a first model answering before afterMs sends no hedge', async () => {
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'in time' });
    const mux = multiplexer(transport, { hedging: { afterMs: 10_000 } });
    const events = recordEvents(mux);

    expect(text(await mux.processRequest(input))).toBe('in time');
    expect(events).toEqual([`complete ${SLOW}`, `success ${SLOW}`]);
    expect(emulator().requests().map((r) => r.modelId)).toEqual([SLOW]);
    expect(mux.getStats().hedging).toEqual({ hedged: 0, hedgesSent: 0, wonByHedge: 0, cancelled: 0 });
  });

  it('a first attempt answering after the hedge was sent but before it wins, and the hedge is cancelled', async () => {
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'first after all', latencyMs: 600 });
    emulator().setBehavior(FALLBACK, { mode: 'fixed', text: 'from the fallback', latencyMs: 15_000 });
    const mux = multiplexer(transport, { hedging: { afterMs: 100 } });
    const events = recordEvents(mux);

    expect(text(await mux.processRequest(input))).toBe('first after all');
    expect(events).toEqual([`hedged ${FALLBACK} number`, `complete ${SLOW}`, `success ${SLOW}`]);
    expect(await eventually(() => emulator().stats().abandoned === 1)).toBe(true);
    expect(mux.getCircuitBreakerStatus()[FALLBACK]).toMatchObject({ failureCount: 0 });
    expect(mux.getStats().modelStats[FALLBACK]).toMatchObject({ successCount: 0, failFastCount: 0 });
    expect(mux.getStats().hedging).toEqual({ hedged: 1, hedgesSent: 1, wonByHedge: 0, cancelled: 1 });
  });

  it('a racer failing while the other runs is reported, and the request waits for the other', async () => {
    emulator().setBehavior(SLOW, { fault: 'unavailable', latencyMs: 600 });
    emulator().setBehavior(FALLBACK, { mode: 'fixed', text: 'from the fallback', latencyMs: 1500 });
    const mux = multiplexer(transport, { hedging: { afterMs: 100 } });
    const events = recordEvents(mux);

    const response = await mux.processRequest(input);

    expect(text(response)).toBe('from the fallback');
    expect(events).toEqual([`hedged ${FALLBACK} number`, `error ${SLOW}`, `hedge-won ${FALLBACK}`, `complete ${FALLBACK}`, `success ${FALLBACK}`]);
    expect(mux.getCircuitBreakerStatus()[SLOW]).toMatchObject({ failureCount: 1 });
    expect(mux.getStats().hedging).toEqual({ hedged: 1, hedgesSent: 1, wonByHedge: 1, cancelled: 0 });
  });

  it('every racer failing fails the request as an unhedged attempt would', async () => {
    emulator().setBehavior(SLOW, { fault: 'validationError', latencyMs: 400 });
    emulator().setBehavior(FALLBACK, { fault: 'validationError', latencyMs: 800 });
    const mux = multiplexer(transport, { hedging: { afterMs: 100 } });

    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: 'FailFastError' });
    expect(emulator().requests().map((r) => r.modelId)).toEqual([SLOW, FALLBACK]);
    expect(mux.getStats().hedging).toEqual({ hedged: 1, hedgesSent: 1, wonByHedge: 0, cancelled: 0 });
  });

  it('a stream is decided at its first content event, not at opening: the hedge with content first wins and the other stream is closed', async () => {
    // The slow model opens at once and sends messageStart, then waits 5 s per event.
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'slow words', stream: { chunks: 3, eventDelayMs: 5000 } });
    emulator().setBehavior(FALLBACK, { mode: 'fixed', text: 'from the fallback', latencyMs: 100 });
    const mux = multiplexer(transport, { hedging: { afterMs: 300 } });
    const events = recordEvents(mux);

    const response = await mux.processStreamRequest(input);

    expect(await streamText(response.stream!)).toBe('from the fallback');
    expect(events).toEqual([`hedged ${FALLBACK} number`, `hedge-won ${FALLBACK}`, `complete ${FALLBACK}`, `success ${FALLBACK}`]);
    expect(await eventually(() => emulator().stats().abandoned === 1)).toBe(true);
    expect(mux.getCircuitBreakerStatus()[SLOW]).toMatchObject({ failureCount: 0 });
    expect(mux.getStats().hedging).toMatchObject({ wonByHedge: 1, cancelled: 1 });
  });

  it('a stream whose content arrives before afterMs is not hedged, and arrives whole', async () => {
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'quick stream', stream: { chunks: 2, eventDelayMs: 20 } });
    const mux = multiplexer(transport, { hedging: { afterMs: 5000 } });

    const response = await mux.processStreamRequest(input);
    const events: any[] = [];
    for await (const event of response.stream!) events.push(event);

    expect(Object.keys(events[0])).toEqual(['messageStart']);
    expect(events.map((event) => event?.contentBlockDelta?.delta?.text ?? '').join('')).toBe('quick stream');
    expect(emulator().requests().map((r) => r.modelId)).toEqual([SLOW]);
  });
});

describe('when to hedge', () => {
  it("a percentile sends no hedge before 20 samples of the model's latency, then hedges past it", async () => {
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'quick' });
    const mux = multiplexer('native', { hedging: { afterMs: 'p95' } });
    for (let i = 0; i < 19; i++) await mux.processRequest(input);
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'slow', latencyMs: 800 });
    expect(text(await mux.processRequest(input))).toBe('slow');
    expect(mux.getStats().hedging).toMatchObject({ hedged: 0 });

    // Twenty samples now, nearly all quick: the next slow answer is hedged.
    expect(text(await mux.processRequest(input))).toBe('from the fallback');
    expect(mux.getStats().hedging).toMatchObject({ hedged: 1, wonByHedge: 1 });
  });

  it("the hedge timer runs on the caller's timers", async () => {
    // 19 s of fake time pass in a moment: on real timers, the bounded waits would give up first.
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'too late', latencyMs: 60_000 });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const mux = multiplexer('native', { hedging: { afterMs: 19_000 } });
    let settled: any = null;
    mux.processRequest(input).then((response) => (settled = response));
    expect(await eventually(() => emulator().stats().requests === 1)).toBe(true);

    await jest.advanceTimersByTimeAsync(18_999);
    expect(emulator().stats().requests).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(await eventually(() => settled !== null)).toBe(true);
    expect(text(settled)).toBe('from the fallback');
  });

  it('without hedging a slow first model is waited for, and getStats has no hedging', async () => {
    emulator().setBehavior(SLOW, { mode: 'fixed', text: 'waited for', latencyMs: 500 });
    const mux = multiplexer('native', {});
    expect(text(await mux.processRequest(input))).toBe('waited for');
    expect(emulator().requests().map((r) => r.modelId)).toEqual([SLOW]);
    expect(mux.getStats()).not.toHaveProperty('hedging');
  });

  it('an invalid hedging section is rejected with the field named', () => {
    expect(() => multiplexer('native', { hedging: { afterMs: 'p50' } })).toThrow(/hedging\.afterMs/);
    expect(() => multiplexer('native', { hedging: { afterMs: 100, maxHedges: 9 } })).toThrow(/hedging\.maxHedges/);
  });
});
