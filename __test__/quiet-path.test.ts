// While nobody watches a multiplexer (no listeners, no replaced methods), the request
// machine selects, looks up, reports successes and skips silent events on the core
// itself (`engine::quiet`). Nothing a caller can see may change: these tests run the
// same requests through an unwatched multiplexer and a watched one (a listener on an
// unrelated event is enough to turn the quiet path off) and compare what is visible.
jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import { BedrockMultiplexer } from '../index';
import { bedrock, converseOutput, failWith, throttling, userInput } from './helpers/fake-bedrock';
import { modelConfig } from './helpers/util';

const NOW = new Date('2025-03-01T12:00:00.000Z');

type Watch = 'quiet' | 'watched';

function multiplexer(watch: Watch, extra: Record<string, any> = {}) {
  const mux = new BedrockMultiplexer({
    models: [modelConfig('quiet.a-v1:0', 1), modelConfig('quiet.b-v1:0', 3), modelConfig('quiet.fallback-v1:0', 1, true)],
    defaultTimeoutMs: 5000,
    maxRetries: 3,
    ...extra,
  });
  if (watch === 'watched') mux.on('model-added', () => {});
  return mux;
}

/** Runs `count` requests with a fixed sequence of draws; returns what a caller sees. */
async function run(watch: Watch, count: number, script: () => void, extra: Record<string, any> = {}) {
  bedrock.reset();
  script();
  const draws = [0.1, 0.9, 0.5, 0.3, 0.7];
  let drawn = 0;
  const random = jest.spyOn(Math, 'random').mockImplementation(() => draws[drawn++ % draws.length]);
  const mux = multiplexer(watch, extra);
  const results: unknown[] = [];
  for (let i = 0; i < count; i++) {
    results.push(await mux.processRequest(userInput(`request ${i}`)).then((r) => ({ ok: r }), (e) => ({ error: e.message, code: e.code })));
  }
  random.mockRestore();
  const seen = {
    results,
    drawn,
    route: bedrock.route(),
    stats: mux.getStats(),
    health: mux.getHealthStatus(),
    breakers: mux.getCircuitBreakerStatus(),
  };
  mux.destroy();
  return seen;
}

beforeAll(() => {
  // The first stack trace of a TypeScript file parses its source map, which draws from
  // Math.random (source-map's quicksort): do it before any draw is counted.
  void throttling().stack;
});

beforeEach(() => {
  jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('an unwatched multiplexer', () => {
  it('answers, routes, draws and counts exactly as a watched one', async () => {
    const quiet = await run('quiet', 12, () => {});
    const watched = await run('watched', 12, () => {});
    expect(quiet).toEqual(watched);
    expect(quiet.stats.successCount).toBe(12);
    expect(quiet.drawn).toBe(24); // per request: its id, then the weighted pick
  });

  it('fails over, opens breakers and reports failures exactly as a watched one', async () => {
    const script = () => {
      bedrock.script('quiet.b-v1:0', failWith(throttling()));
      bedrock.script('quiet.a-v1:0', failWith(throttling()), failWith(throttling()), failWith(throttling()));
    };
    const quiet = await run('quiet', 10, script);
    const watched = await run('watched', 10, script);
    expect(quiet).toEqual(watched);
    expect(quiet.stats.rateLimitCount).toBeGreaterThan(0);
    expect(Object.values(quiet.breakers).some((b: any) => b.state === 'OPEN')).toBe(true);
  });

  it('runs out of models exactly as a watched one', async () => {
    const script = () => {
      for (const id of ['quiet.a-v1:0', 'quiet.b-v1:0', 'quiet.fallback-v1:0']) bedrock.script(id, failWith(throttling()));
    };
    const quiet = await run('quiet', 3, script, { maxRetries: 1 });
    const watched = await run('watched', 3, script, { maxRetries: 1 });
    expect(quiet).toEqual(watched);
    expect(quiet.results.every((r: any) => r.code === 'RETRIES_EXHAUSTED' || r.code === 'NO_MODELS_AVAILABLE')).toBe(true);
  });
});

describe('the quiet path steps aside', () => {
  beforeEach(() => {
    bedrock.reset();
    jest.spyOn(Math, 'random').mockReturnValue(0.1);
  });

  it('for a listener added while a request is in flight: it hears the rest of that request', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    bedrock.script('quiet.a-v1:0', async () => {
      await gate;
      return converseOutput('late');
    });
    const mux = multiplexer('quiet');
    const pending = mux.processRequest(userInput('hello'));
    await new Promise((resolve) => setImmediate(resolve));
    const heard: string[] = [];
    for (const event of ['model-invocation-complete', 'success', 'stats']) mux.on(event, () => heard.push(event));
    release();
    await pending;
    expect(heard).toEqual(['model-invocation-complete', 'success', 'stats']);
    mux.destroy();
  });

  it('for a replaced selectModel, getModel or reportOutcome: each is called', async () => {
    const mux = multiplexer('quiet');
    const select = jest.spyOn(mux, 'selectModel');
    const getModel = jest.spyOn(mux, 'getModel');
    const report = jest.spyOn(mux, 'reportOutcome');
    await mux.processRequest(userInput('hello'));
    expect(select).toHaveBeenCalledTimes(1);
    expect(getModel).toHaveBeenCalledWith('quiet.a-v1:0');
    expect(report).toHaveBeenCalledWith(expect.objectContaining({ modelId: 'quiet.a-v1:0', type: 0 }));
    mux.destroy();
  });

  it('for a spy on emit: it sees every event of the request', async () => {
    const mux = multiplexer('quiet');
    const emit = jest.spyOn(mux, 'emit');
    await mux.processRequest(userInput('hello'));
    expect(emit.mock.calls.map(([event]) => event)).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'success',
      'stats',
    ]);
    mux.destroy();
  });

  it('for an invoke spied on the model: the quiet path still calls it', async () => {
    const mux = multiplexer('quiet');
    const model = await mux.getModel('quiet.a-v1:0');
    const invoke = jest.spyOn(model as any, 'invoke');
    await mux.processRequest(userInput('hello'));
    expect(invoke).toHaveBeenCalledTimes(1);
    expect(mux.getStats().successCount).toBe(1);
    mux.destroy();
  });
});
