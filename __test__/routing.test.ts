// `routing` (issue 14, item 3) against the bundled emulator: `'latency'` moves traffic to the
// fast model and back when the slow one recovers; `'least-busy'` steers new requests away
// from a model holding requests open. Math.random is a seeded generator (a spy), so the
// draws replay; the shares asserted leave wide margins for the emulator's timing noise.
import { BedrockMultiplexer } from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

jest.setTimeout(60_000);

let emu: RunningEmulator;
const multiplexers: BedrockMultiplexer[] = [];

beforeEach(() => {
  emu = startEmulator();
});

afterEach(async () => {
  jest.restoreAllMocks();
  for (const mux of multiplexers.splice(0)) mux.destroy();
  await emu.stop();
});

/** mulberry32: a small seeded generator standing in for Math.random. */
function seedRandom(seed: number) {
  let state = seed >>> 0;
  jest.spyOn(Math, 'random').mockImplementation(() => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  });
}

function multiplexer(modelIds: string[], routing: string) {
  const mux = new BedrockMultiplexer({
    models: modelIds.map((modelId) => ({ modelId, weight: 1, isFallback: false })),
    clientConfig: { region: 'us-east-1', endpoint: emu.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
    defaultTimeoutMs: 10_000,
    maxRetries: 1,
    routing,
  } as any);
  multiplexers.push(mux);
  return mux;
}

const input = { messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }] };

/** The model each of the emulator's requests went to, in order. */
const routes = () => emu.requests().map((request) => request.modelId);

/** Sends `count` requests one after another; returns the models they went to. */
async function sequential(mux: BedrockMultiplexer, count: number): Promise<string[]> {
  const before = routes().length;
  for (let i = 0; i < count; i++) await mux.processRequest(input);
  return routes().slice(before);
}

const share = (picked: string[], modelId: string) => picked.filter((id) => id === modelId).length / picked.length;

describe("routing: 'latency'", () => {
  const FAST = 'routing.fast-v1:0';
  const SLOW = 'routing.slow-v1:0';

  test('sends at least 90 % to the 3x faster model after warm-up, and shares again once the slow one recovers', async () => {
    seedRandom(14);
    emu.setBehavior(FAST, { latencyMs: 30 });
    emu.setBehavior(SLOW, { latencyMs: 90 });
    const mux = multiplexer([SLOW, FAST], 'latency');

    await sequential(mux, 20);
    const warm = await sequential(mux, 100);
    const fastShare = share(warm, FAST);
    expect(fastShare).toBeGreaterThanOrEqual(0.9);

    // The slow model becomes as fast: exploration notices it and the traffic is shared
    // again. Counted: requests until the last 20 give it at least a quarter. Measured:
    // 50 in three runs alone, 28 and 31 beside another suite, but over 100 once in the
    // full `npm test` (its load makes the 30 ms model's samples noisy), so the bound
    // stays 300: tightened to 100 it failed there.
    emu.setBehavior(SLOW, { latencyMs: 30 });
    const BOUND = 300;
    const recovered: string[] = [];
    let movedBackAfter = -1;
    while (recovered.length < BOUND) {
      recovered.push(...(await sequential(mux, 1)));
      if (recovered.length >= 20 && share(recovered.slice(-20), SLOW) >= 0.25) {
        movedBackAfter = recovered.length;
        break;
      }
    }
    console.log(
      `routing 'latency': fast share after warm-up ${(fastShare * 100).toFixed(0)} % of 100; ` +
        `share moved back after ${movedBackAfter} requests (bound ${BOUND})`,
    );
    expect(movedBackAfter).toBeGreaterThan(0);
  });
});

describe("routing: 'least-busy'", () => {
  const HELD = 'routing.held-v1:0';
  const IDLE = ['routing.idle-a-v1:0', 'routing.idle-b-v1:0', 'routing.idle-c-v1:0'];

  /**
   * Sends `count` requests one at a time: one answered quickly is awaited, one sent to
   * HELD (answering after 1 s) is left open. Returns the models picked (`model-selected`),
   * how many went to HELD while it still held one open, and how the held ones ended.
   */
  async function whileOneHolds(routing: string, count: number) {
    seedRandom(4455);
    emu.setBehavior(HELD, { latencyMs: 1000 });
    for (const id of IDLE) emu.setBehavior(id, { latencyMs: 0 });
    const mux = multiplexer([HELD, ...IDLE], routing);
    const picked: string[] = [];
    mux.on('model-selected', (modelId: string) => picked.push(modelId));
    const held: Promise<string>[] = [];
    let open = 0;
    let toBusyHeld = 0;
    for (let i = 0; i < count; i++) {
      const request = mux.processRequest(input);
      // Selection happens before the request's first await ends.
      await new Promise((resolve) => setImmediate(resolve));
      expect(picked).toHaveLength(i + 1);
      if (picked[i] === HELD) {
        if (open > 0) toBusyHeld++;
        open++;
        held.push(
          request.then(
            () => 'answered',
            (error) => String(error),
          ).finally(() => open--),
        );
      } else {
        await request;
      }
    }
    return { picked, toBusyHeld, held: await Promise.all(held) };
  }

  test('new requests avoid a model holding requests open (power of two choices)', async () => {
    const COUNT = 60;
    const busy = await whileOneHolds('least-busy', COUNT);
    const weighted = await whileOneHolds('weighted', COUNT);
    console.log(
      `routing 'least-busy': ${busy.toBusyHeld} of ${COUNT} requests sent to the model already holding one open ` +
        `(weighted, same draws: ${weighted.toBusyHeld})`,
    );
    expect(busy.picked).toHaveLength(COUNT);
    for (const outcome of [...busy.held, ...weighted.held]) expect(outcome).toBe('answered');
    // Two draws among four equal models both land on the held one 1/16 of the time;
    // the weighted draw lands there 1/4 of the time.
    expect(busy.toBusyHeld).toBeLessThan(COUNT / 6);
    expect(weighted.toBusyHeld).toBeGreaterThan(busy.toBusyHeld * 2);
  });
});
