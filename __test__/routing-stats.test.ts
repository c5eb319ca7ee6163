// Beyond the original (issue 14, item 4): with `routing` `'latency'` or `'least-busy'`,
// getStats() shows each model's latency estimate and requests in flight, and a request
// holds its model in flight from the selection it goes on with until that attempt ends,
// however it ends: released exactly once, never by a caller's own selectModel.
import { BedrockMultiplexer } from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

jest.setTimeout(30_000);

const A = 'routing.a-v1:0';
const B = 'routing.b-v1:0';
let emu: RunningEmulator;
const multiplexers: BedrockMultiplexer[] = [];

beforeEach(() => {
  emu = startEmulator();
});

afterEach(async () => {
  for (const mux of multiplexers.splice(0)) mux.destroy();
  await emu.stop();
});

function multiplexer(routing?: string, extra: Record<string, unknown> = {}) {
  const mux = new BedrockMultiplexer({
    models: [A, B].map((modelId) => ({ modelId, weight: 1, isFallback: false })),
    clientConfig: { region: 'us-east-1', endpoint: emu.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
    defaultTimeoutMs: 10_000,
    maxRetries: 1,
    ...(routing ? { routing } : {}),
    ...extra,
  } as any);
  multiplexers.push(mux);
  return mux;
}

const input = { messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }] };
const inFlight = (mux: BedrockMultiplexer) => {
  const routing = (mux.getStats() as any).routing;
  return { [A]: routing[A].inFlight, [B]: routing[B].inFlight };
};

test("getStats() has no routing entry with the default 'weighted'", async () => {
  const mux = multiplexer();
  await mux.processRequest(input);
  expect(mux.getStats()).not.toHaveProperty('routing');
  expect(Object.keys(multiplexer('weighted').getStats())).toEqual(Object.keys(mux.getStats()));
});

test("'latency': the estimate follows the successes, and a request in flight is counted until it ends", async () => {
  emu.setBehavior(A, { latencyMs: 300 });
  emu.setBehavior(B, { latencyMs: 300 });
  const mux = multiplexer('latency');
  expect((mux.getStats() as any).routing).toEqual({
    [A]: { latencyEstimateMs: null, inFlight: 0 },
    [B]: { latencyEstimateMs: null, inFlight: 0 },
  });
  let picked = '';
  mux.once('model-selected', (modelId: string) => (picked = modelId));
  const request = mux.processRequest(input);
  await new Promise((resolve) => setImmediate(resolve));
  expect(picked).not.toBe('');
  expect(inFlight(mux)[picked]).toBe(1);
  await request;
  const after = (mux.getStats() as any).routing[picked];
  expect(after.inFlight).toBe(0);
  expect(after.latencyEstimateMs).toBeGreaterThanOrEqual(300);
});

test("'least-busy': a caller's own selectModel holds nothing in flight", async () => {
  const mux = multiplexer('least-busy');
  for (let i = 0; i < 3; i++) await mux.selectModel({ skippedModels: new Set() });
  expect(inFlight(mux)).toEqual({ [A]: 0, [B]: 0 });
});

test("'least-busy': a request ended by a throw with no outcome releases its model", async () => {
  const mux = multiplexer('least-busy');
  // The model's call throws before any outcome exists: the request rethrows and nothing
  // is reported for the model (it stayed counted in flight before).
  (mux as any).getModel = async () => ({
    invoke: async () => {
      throw new Error('the caller cancelled');
    },
  });
  await expect(mux.processRequest(input)).rejects.toThrow('the caller cancelled');
  expect(inFlight(mux)).toEqual({ [A]: 0, [B]: 0 });
});

test("'least-busy': failing over and escalating release each hold once, on both paths", async () => {
  emu.setBehavior(A, { fault: 'throttle', faultTiers: ['default'] });
  emu.setBehavior(B, { fault: 'throttle', faultTiers: ['default'] });
  const quiet = multiplexer('least-busy', { tierEscalation: { enabled: true, escalationTier: 'priority' } });
  const watched = multiplexer('least-busy', { tierEscalation: { enabled: true, escalationTier: 'priority' } });
  watched.on('success', () => {});
  // Each request: a throttled default-tier call, then the same model at priority (a
  // second outcome for one hold) answers.
  for (const mux of [quiet, watched]) {
    for (let i = 0; i < 4; i++) await mux.processRequest(input);
    expect(inFlight(mux)).toEqual({ [A]: 0, [B]: 0 });
  }
  // Concurrently, too: a release never takes another request's hold.
  emu.setBehavior(A, { latencyMs: 400 });
  emu.setBehavior(B, { latencyMs: 400 });
  const slow = quiet.processRequest(input);
  await new Promise((resolve) => setImmediate(resolve));
  const counts = inFlight(quiet);
  expect(counts[A] + counts[B]).toBe(1);
  await slow;
  expect(inFlight(quiet)).toEqual({ [A]: 0, [B]: 0 });
});
