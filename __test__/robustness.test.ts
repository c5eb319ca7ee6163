// Bad input must end in a thrown error or a rejected promise, never a crash or a hang.

jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import { BedrockModel, BedrockMultiplexer, MultiplexerError, OutcomeType, createMultiplexer } from '../index';
import { bedrock, failWith, sdkError, throwNow, userInput } from './helpers/fake-bedrock';
import { modelConfig, settleWithin } from './helpers/util';

const valid = () => ({ models: [modelConfig('a'), modelConfig('b')], defaultTimeoutMs: 5000, maxRetries: 3 });

beforeEach(() => {
  bedrock.reset();
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => jest.restoreAllMocks());

describe('constructing with a bad configuration', () => {
  it('throws the original validation message for null', () => {
    expect(() => new BedrockMultiplexer(null as any)).toThrow(
      new Error('Validation failed: config: Multiplexer configuration must be a non-null object (expected: object) (got: object)'),
    );
  });

  it('throws the original validation message for undefined and non-objects', () => {
    expect(() => new BedrockMultiplexer(undefined as any)).toThrow(
      'Validation failed: config: Multiplexer configuration must be a non-null object (expected: object) (got: undefined)',
    );
    expect(() => new BedrockMultiplexer('models' as any)).toThrow(
      'Validation failed: config: Multiplexer configuration must be a non-null object (expected: object) (got: string)',
    );
  });

  it('throws the original validation message for an empty object', () => {
    let message = '';
    try {
      new BedrockMultiplexer({} as any);
    } catch (error: any) {
      message = error.message;
    }
    expect(message).toBe(
      'Validation failed: models: models array is required; defaultTimeoutMs: defaultTimeoutMs is required; maxRetries: maxRetries is required',
    );
  });

  it('throws the original validation message for an empty model list', () => {
    expect(() => new BedrockMultiplexer({ models: [] } as any)).toThrow(
      new Error(
        'Validation failed: models: models array must contain at least one model; defaultTimeoutMs: defaultTimeoutMs is required; maxRetries: maxRetries is required',
      ),
    );
  });

  it('rejects a NaN weight', () => {
    expect(() => new BedrockMultiplexer({ ...valid(), models: [{ modelId: 'a', weight: NaN, isFallback: false }] })).toThrow(
      /weight must be a finite number/,
    );
  });

  it('creates no SDK client when validation fails', () => {
    expect(() => new BedrockMultiplexer({ ...valid(), maxRetries: -1 })).toThrow('maxRetries must be non-negative');
    expect(bedrock.clientConfigs).toEqual([]);
  });
});

describe('addModel with wrong types', () => {
  it.each([
    ['null', null, /Model configuration must be a non-null object/],
    ['a string', 'model-c', /Model configuration must be a non-null object/],
    ['a numeric modelId', { modelId: 7, weight: 1, isFallback: false }, /modelId must be a string/],
    ['a string weight', { modelId: 'c', weight: 'heavy', isFallback: false }, /weight must be a number/],
    ['a NaN weight', { modelId: 'c', weight: NaN, isFallback: false }, /weight must be a finite number/],
    ['a missing isFallback', { modelId: 'c', weight: 1 }, /isFallback is required/],
  ])('throws a clear error for %s and registers nothing', (_label, config, message) => {
    const mux = new BedrockMultiplexer(valid());
    const added = jest.fn();
    mux.on('model-added', added);
    expect(() => mux.addModel(config as any)).toThrow(message);
    expect(added).not.toHaveBeenCalled();
    expect(Object.keys(mux.getStats().modelStats)).toEqual(['a', 'b']);
    expect(Object.keys(mux.getCircuitBreakerStatus())).toEqual(['a', 'b']);
  });

  it('keeps working normally after a rejected addModel', async () => {
    const mux = new BedrockMultiplexer(valid());
    expect(() => mux.addModel({ modelId: 'c', weight: -1, isFallback: false })).toThrow();
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('fulfilled');
  });
});

describe('processRequest with bad input or a misbehaving client', () => {
  it('settles for an undefined input, sending just the modelId', async () => {
    bedrock.script('a', (input) =>
      input.messages ? Promise.resolve({}) : Promise.reject(sdkError('ValidationException', 'messages is required', 400)),
    );
    const mux = new BedrockMultiplexer(valid());
    const requests: any[] = [];
    mux.on('request', (input) => requests.push(input));
    const settled = await settleWithin(mux.processRequest(undefined as any));
    expect(settled.status).toBe('rejected');
    expect((settled as any).reason.name).toBe('FailFastError');
    expect((settled as any).reason.message).toBe('messages is required');
    expect(bedrock.calls[0].input).toEqual({ modelId: 'a' });
    expect(requests).toEqual([undefined]);
  });

  it('rejects when send throws synchronously, without failover', async () => {
    bedrock.script('a', throwNow(new Error('client exploded')));
    const mux = new BedrockMultiplexer(valid());
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('rejected');
    const reason = (settled as any).reason;
    expect(reason.name).toBe('FailFastError');
    expect(reason.message).toBe('client exploded');
    expect(reason.outcome.type).toBe(OutcomeType.FAIL_FAST);
    expect(bedrock.route()).toEqual(['a']);
    expect(mux.getCircuitBreakerStatus().a.failureCount).toBe(1);
  });

  it('fails over when send synchronously throws a throttling error', async () => {
    bedrock.script('a', throwNow(sdkError('ThrottlingException', 'slow', 429)));
    const mux = new BedrockMultiplexer(valid());
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('fulfilled');
    expect(bedrock.route()).toEqual(['a', 'b']);
  });

  it('rejects when send returns something that is not a promise', async () => {
    bedrock.script('a', () => ({ not: 'a promise' }));
    const mux = new BedrockMultiplexer(valid());
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('rejected');
    expect((settled as any).reason.name).toBe('FailFastError');
  });

  it('rejects when send rejects with a bare string', async () => {
    bedrock.script('a', failWith('just a string'));
    const mux = new BedrockMultiplexer(valid());
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('rejected');
    expect((settled as any).reason.name).toBe('FailFastError');
    expect((settled as any).reason.message).toBe('Unknown error');
    expect((settled as any).reason.errorResponse.code).toBe(500);
  });

  it('rejects when send rejects with undefined', async () => {
    bedrock.script('a', failWith(undefined));
    const mux = new BedrockMultiplexer(valid());
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('rejected');
  });

  it('a BedrockModel whose client send throws synchronously rejects its invoke', async () => {
    const model = new BedrockModel(modelConfig('m'), {
      send: () => {
        throw new TypeError('send is broken');
      },
    } as any);
    const settled = await settleWithin(model.invoke(userInput()));
    expect(settled.status).toBe('rejected');
    expect((settled as any).reason.message).toBe('send is broken');
    expect((settled as any).reason.errorResponse.details.name).toBe('TypeError');
  });

  it('a BedrockModel with a client lacking send rejects its invoke', async () => {
    const model = new BedrockModel(modelConfig('m'), {} as any);
    const settled = await settleWithin(model.invoke(userInput()));
    expect(settled.status).toBe('rejected');
    expect((settled as any).reason.name).toBe('FailFastError');
  });
});

describe('unknown ids and odd calls', () => {
  it('getModelHealthStatus returns null for an unknown model', () => {
    expect(new BedrockMultiplexer(valid()).getModelHealthStatus('unknown')).toBeNull();
  });

  it('removeModel of an unknown id does not throw and still announces it', () => {
    const mux = new BedrockMultiplexer(valid());
    const removed = jest.fn();
    mux.on('model-removed', removed);
    expect(() => mux.removeModel('unknown')).not.toThrow();
    expect(removed).toHaveBeenCalledWith('unknown');
    expect(Object.keys(mux.getStats().modelStats)).toEqual(['a', 'b']);
  });

  it('reportOutcome of an unknown outcome type records latency and health but no counter', async () => {
    const mux = new BedrockMultiplexer(valid());
    const errors: any[][] = [];
    mux.on('error', (...args: any[]) => errors.push(args));
    const outcome = { modelId: 'a', type: 99 as OutcomeType, latency: 10, timestamp: new Date() };
    await expect(mux.reportOutcome(outcome)).resolves.toBeUndefined();
    const stats = mux.getStats();
    expect(stats.modelStats.a).toEqual(
      expect.objectContaining({ successCount: 0, rateLimitCount: 0, failFastCount: 0, refusalCount: 0, averageLatency: 0 }),
    );
    expect(stats.latencyMetrics.max).toBe(10);
    expect(mux.getModelHealthStatus('a')!.errorRate).toBe(1);
    expect(errors).toEqual([[null, outcome]]);
  });

  it('re-adding a known model id starts its statistics afresh', async () => {
    const mux = new BedrockMultiplexer(valid());
    await mux.processRequest(userInput());
    expect(mux.getStats().modelStats.a.successCount).toBe(1);
    mux.addModel(modelConfig('a', 5));
    expect(mux.getStats().modelStats.a.successCount).toBe(0);
    expect((await mux.getModel('a'))!.weight).toBe(5);
  });
});

describe('after destroy', () => {
  it('processRequest rejects with MultiplexerError NO_MODELS_AVAILABLE', async () => {
    const mux = new BedrockMultiplexer(valid());
    mux.destroy();
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('rejected');
    const reason = (settled as any).reason;
    expect(reason).toBeInstanceOf(MultiplexerError);
    expect(reason.code).toBe('NO_MODELS_AVAILABLE');
    expect(reason.details).toEqual({ skippedModels: [], totalSkipped: 0 });
  });

  it('a second destroy is harmless', () => {
    const mux = new BedrockMultiplexer(valid());
    mux.destroy();
    expect(() => mux.destroy()).not.toThrow();
  });

  it('models can be added again and used', async () => {
    const mux = new BedrockMultiplexer(valid());
    mux.destroy();
    mux.addModel(modelConfig('again'));
    const settled = await settleWithin(mux.processRequest(userInput()));
    expect(settled.status).toBe('fulfilled');
    expect(bedrock.route()).toEqual(['again']);
  });
});

describe('a Rust panic', () => {
  it('reaches JavaScript as a thrown error and the process carries on', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const native = require('../js/native');
    expect(() => native.__panicForTesting()).toThrow(/deliberate panic/);
    expect(() => native.__panicForTesting()).toThrow(/deliberate panic/);
    const mux = createMultiplexer([{ modelId: 'still-alive', weight: 1, isFallback: false }]);
    expect(mux.getStats().modelStats['still-alive'].successCount).toBe(0);
  });
});
