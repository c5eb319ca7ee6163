jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import { BedrockMultiplexer, createWeightedItem, weightedRandomSelect } from '../index';
import { bedrock, failWith, throttling, userInput } from './helpers/fake-bedrock';
import { modelConfig, warmStackTraces } from './helpers/util';

let random: jest.SpyInstance<number, []>;

beforeAll(() => {
  // Stack traces are source-mapped lazily, and source-map's quicksort draws Math.random;
  // get that done before any draw is counted.
  void throttling().stack;
  void new Error('warm-up').stack;
  warmStackTraces();
});

beforeEach(() => {
  bedrock.reset();
  random = jest.spyOn(Math, 'random');
});

afterEach(() => jest.restoreAllMocks());

describe('createWeightedItem', () => {
  it('pairs an item with its weight', () => {
    const payload = { id: 7 };
    const item = createWeightedItem(payload, 2.5);
    expect(item).toStrictEqual({ item: payload, weight: 2.5 });
    expect(item.item).toBe(payload);
  });
});

describe('weightedRandomSelect', () => {
  const pool = () => [createWeightedItem('light', 1), createWeightedItem('heavy', 3)];

  it('returns null for an empty list without drawing', () => {
    expect(weightedRandomSelect([])).toBeNull();
    expect(random).not.toHaveBeenCalled();
  });

  it('returns null when the weights add up to zero or less, without drawing', () => {
    expect(weightedRandomSelect([createWeightedItem('a', 0), createWeightedItem('b', 0)])).toBeNull();
    expect(weightedRandomSelect([createWeightedItem('a', -2), createWeightedItem('b', 1)])).toBeNull();
    expect(random).not.toHaveBeenCalled();
  });

  it('draws once and maps the draw onto cumulative weights', () => {
    random.mockReturnValue(0.2);
    expect(weightedRandomSelect(pool())).toBe('light');
    random.mockReturnValue(0.3);
    expect(weightedRandomSelect(pool())).toBe('heavy');
    random.mockReturnValue(0.999999);
    expect(weightedRandomSelect(pool())).toBe('heavy');
    expect(random).toHaveBeenCalledTimes(3);
  });

  it('includes the upper edge of each slice', () => {
    random.mockReturnValue(0.25);
    expect(weightedRandomSelect(pool())).toBe('light');
    random.mockReturnValue(0.2500001);
    expect(weightedRandomSelect(pool())).toBe('heavy');
  });

  it('lands a zero draw on the first item even when that item weighs nothing', () => {
    random.mockReturnValue(0);
    expect(weightedRandomSelect([createWeightedItem('weightless', 0), createWeightedItem('real', 5)])).toBe('weightless');
  });

  it('skips zero-weight items for any positive draw', () => {
    random.mockReturnValue(0.01);
    expect(weightedRandomSelect([createWeightedItem('weightless', 0), createWeightedItem('real', 5)])).toBe('real');
  });

  it('returns the very item object it was given', () => {
    const chosen = { name: 'only' };
    random.mockReturnValue(0.5);
    expect(weightedRandomSelect([createWeightedItem(chosen, 1)])).toBe(chosen);
  });

  it('handles fractional weights', () => {
    random.mockReturnValue(0.5);
    expect(weightedRandomSelect([createWeightedItem('a', 0.1), createWeightedItem('b', 0.2), createWeightedItem('c', 0.7)])).toBe('c');
    random.mockReturnValue(0.2);
    expect(weightedRandomSelect([createWeightedItem('a', 0.1), createWeightedItem('b', 0.2), createWeightedItem('c', 0.7)])).toBe('b');
  });
});

describe('BedrockMultiplexer.selectModel steered by Math.random', () => {
  const mux = (models = [modelConfig('light', 1), modelConfig('heavy', 3), modelConfig('spare', 1, true)]) =>
    new BedrockMultiplexer({ models, defaultTimeoutMs: 5000, maxRetries: 3 });

  it('follows the draw across primary weights, one draw per selection', async () => {
    const m = mux();
    random.mockReturnValueOnce(0.1).mockReturnValueOnce(0.6).mockReturnValueOnce(0.25);
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('light');
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('heavy');
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('light');
    expect(random).toHaveBeenCalledTimes(3);
  });

  it('draws once for the fallback pool when every primary is skipped', async () => {
    const m = mux();
    random.mockReturnValue(0.9);
    const selected: any[][] = [];
    m.on('model-selected', (...args: any[]) => selected.push(args));
    expect(await m.selectModel({ skippedModels: new Set(['light', 'heavy']) })).toEqual({ modelId: 'spare', isFallback: true });
    expect(random).toHaveBeenCalledTimes(1);
    expect(selected).toEqual([['spare', true, 2]]);
  });

  it('does not draw when nothing is left to choose', async () => {
    const m = mux();
    expect(await m.selectModel({ skippedModels: new Set(['light', 'heavy', 'spare']) })).toEqual({
      modelId: null,
      isFallback: false,
    });
    expect(random).not.toHaveBeenCalled();
  });

  it('does not draw when every model is behind an open breaker', async () => {
    const m = mux();
    for (const id of ['light', 'heavy', 'spare']) (await m.getModel(id))!.getCircuitBreaker().forceOpen();
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBeNull();
    expect(random).not.toHaveBeenCalled();
  });

  it('leaves open-breaker models out of the weights before drawing', async () => {
    const m = mux();
    (await m.getModel('light'))!.getCircuitBreaker().forceOpen();
    random.mockReturnValue(0);
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('heavy');
    expect(random).toHaveBeenCalledTimes(1);
  });

  it('passes over a primary pool of zero weight to the fallback pool, drawing only there', async () => {
    const m = mux([modelConfig('idle', 0), modelConfig('spare', 2, true)]);
    random.mockReturnValue(0.5);
    expect(await m.selectModel({ skippedModels: new Set() })).toEqual({ modelId: 'spare', isFallback: true });
    expect(random).toHaveBeenCalledTimes(1);
  });

  it('keeps the configured order of a pool when mapping the draw', async () => {
    const m = mux([modelConfig('z', 1), modelConfig('a', 1)]);
    random.mockReturnValue(0.4);
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('z');
    random.mockReturnValue(0.6);
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('a');
  });

  it('keeps the order of models added later after the configured ones', async () => {
    const m = mux([modelConfig('first', 1)]);
    m.addModel(modelConfig('second', 1));
    random.mockReturnValue(0.75);
    expect((await m.selectModel({ skippedModels: new Set() })).modelId).toBe('second');
  });
});

describe('random draws made by processRequest', () => {
  it('are one for the request id plus one per selection that had candidates', async () => {
    bedrock.script('light', failWith(throttling()));
    const m = new BedrockMultiplexer({
      models: [modelConfig('light', 1), modelConfig('heavy', 1)],
      defaultTimeoutMs: 5000,
      maxRetries: 3,
    });
    random.mockReturnValue(0);
    await m.processRequest(userInput());
    expect(bedrock.route()).toEqual(['light', 'heavy']);
    expect(random).toHaveBeenCalledTimes(3);
  });

  it('are one for the id and one for the only selection when nothing is left afterwards', async () => {
    bedrock.script('solo', failWith(throttling()));
    const m = new BedrockMultiplexer({ models: [modelConfig('solo')], defaultTimeoutMs: 5000, maxRetries: 3 });
    random.mockReturnValue(0.5);
    await expect(m.processRequest(userInput())).rejects.toMatchObject({ code: 'NO_MODELS_AVAILABLE' });
    expect(random).toHaveBeenCalledTimes(2);
  });

  it('route traffic by weight across many requests when the draws are spread evenly', async () => {
    const m = new BedrockMultiplexer({
      models: [modelConfig('light', 1), modelConfig('heavy', 3)],
      defaultTimeoutMs: 5000,
      maxRetries: 3,
    });
    // Alternate: request-id draw, then a selection draw from an even grid over [0, 1).
    let n = 0;
    random.mockImplementation(() => {
      n += 1;
      return n % 2 === 1 ? 0.5 : ((n / 2 - 1) % 100) / 100 + 0.005;
    });
    for (let i = 0; i < 100; i++) await m.processRequest(userInput());
    const counts = bedrock.route().reduce<Record<string, number>>((acc, id) => ({ ...acc, [id]: (acc[id] ?? 0) + 1 }), {});
    expect(counts).toEqual({ light: 25, heavy: 75 });
  });
});
