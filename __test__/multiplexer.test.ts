jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import {
  BedrockModel,
  BedrockMultiplexer,
  CircuitBreakerState,
  MultiplexerError,
  OutcomeType,
  createMultiplexer,
} from '../index';
import { answer, answerWith, bedrock, converseOutput, failWith, hang, throttling, userInput } from './helpers/fake-bedrock';
import { EventEmitter } from 'events';
import { flush, modelConfig, watch } from './helpers/util';

const baseConfig = (models = [modelConfig('a'), modelConfig('b')]) => ({
  models,
  defaultTimeoutMs: 5000,
  maxRetries: 3,
});

beforeEach(() => bedrock.reset());
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('createMultiplexer', () => {
  it('builds a BedrockMultiplexer with every given model registered', () => {
    const mux = createMultiplexer([modelConfig('a'), modelConfig('z', 2, true)]);
    expect(mux).toBeInstanceOf(BedrockMultiplexer);
    expect(mux).toBeInstanceOf(EventEmitter);
    expect(Object.keys(mux.getStats().modelStats).sort()).toEqual(['a', 'z']);
    expect(mux.getStats().modelStats.z.isFallback).toBe(true);
  });

  it('times a silent model out after 30000 ms by default', async () => {
    jest.useFakeTimers();
    bedrock.script('a', hang());
    const mux = createMultiplexer([modelConfig('a')]);
    const request = watch(mux.processRequest(userInput()));
    await flush();
    jest.advanceTimersByTime(29999);
    await flush();
    expect(request.settled).toBe(false);
    jest.advanceTimersByTime(1);
    await flush();
    expect(request.rejected).toBe(true);
    expect(request.reason.name).toBe('TimeoutError');
    expect(request.reason.message).toBe('Request timed out after 30000ms');
  });

  it('allows three retries by default', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    ids.forEach((id) => bedrock.script(id, failWith(throttling())));
    const mux = createMultiplexer(ids.map((id) => modelConfig(id)));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.details.maxRetries).toBe(3);
    expect(error.details.actualRetries).toBe(4);
    expect(bedrock.calls).toHaveLength(4);
  });

  it('lets options override the timeout and the retry budget', async () => {
    jest.useFakeTimers();
    bedrock.script('slow', hang());
    const slow = createMultiplexer([modelConfig('slow')], { defaultTimeoutMs: 1500, maxRetries: 1 });
    const request = watch(slow.processRequest(userInput()));
    await flush();
    jest.advanceTimersByTime(1500);
    await flush();
    expect(request.reason.message).toBe('Request timed out after 1500ms');
    jest.useRealTimers();

    ['a', 'b', 'c'].forEach((id) => bedrock.script(id, failWith(throttling())));
    const mux = createMultiplexer(['a', 'b', 'c'].map((id) => modelConfig(id)), { maxRetries: 1 });
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.details.maxRetries).toBe(1);
    expect(error.details.actualRetries).toBe(2);
  });

  it('passes the remaining options through to the multiplexer', () => {
    const tierEscalation = { enabled: true, escalationTier: 'reserved' as const };
    const mux = createMultiplexer([modelConfig('a')], { tierEscalation });
    expect(mux.tierEscalationConfig).toEqual({ enabled: true, escalationTier: 'reserved' });
  });

  it('validates the merged configuration', () => {
    expect(() => createMultiplexer([])).toThrow(
      'Validation failed: models: models array must contain at least one model',
    );
    expect(() => createMultiplexer([modelConfig('a')], { maxRetries: 11 })).toThrow(
      'Validation failed: maxRetries: maxRetries must not exceed 10 (expected: <= 10) (got: 11)',
    );
  });
});

describe('BedrockMultiplexer.addModel', () => {
  it('registers a primary model, announces it and reports zeroed statistics for it', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    const added: string[] = [];
    mux.on('model-added', (id) => added.push(id));
    mux.addModel(modelConfig('b', 4));
    expect(added).toEqual(['b']);
    const model = await mux.getModel('b');
    expect(model).toBeInstanceOf(BedrockModel);
    expect(model!.modelId).toBe('b');
    expect(model!.weight).toBe(4);
    expect(model!.isFallback).toBe(false);
    expect(mux.getStats().modelStats.b).toStrictEqual({
      modelId: 'b',
      successCount: 0,
      rateLimitCount: 0,
      failFastCount: 0,
      refusalCount: 0,
      averageLatency: 0,
      isFallback: false,
    });
    expect(mux.getCircuitBreakerStatus().b).toStrictEqual({ state: CircuitBreakerState.CLOSED, failureCount: 0 });
    expect(mux.getHealthStatus().totalModels).toBe(2);
  });

  it('puts a fallback model in a pool used only once every primary is out', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    mux.addModel(modelConfig('spare', 100, true));
    expect(await mux.selectModel({ skippedModels: new Set() })).toEqual({ modelId: 'a', isFallback: false });
    expect(await mux.selectModel({ skippedModels: new Set(['a']) })).toEqual({ modelId: 'spare', isFallback: true });
  });

  it('starts the request routing to a model added after construction', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    bedrock.script('a', failWith(throttling()));
    mux.addModel(modelConfig('late'));
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe('answer from late');
  });
});

describe('BedrockMultiplexer.removeModel', () => {
  it('forgets the model everywhere and announces the removal', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    const removed: string[] = [];
    mux.on('model-removed', (id) => removed.push(id));
    mux.removeModel('a');
    expect(removed).toEqual(['a']);
    expect(await mux.getModel('a')).toBeNull();
    expect(Object.keys(mux.getStats().modelStats)).toEqual(['b']);
    expect(Object.keys(mux.getCircuitBreakerStatus())).toEqual(['b']);
    expect(Object.keys(mux.getHealthStatus().models)).toEqual(['b']);
    expect(mux.getModelHealthStatus('a')).toBeNull();
  });

  it('sends to the model added after a removal, watched or not', async () => {
    for (const watched of [false, true]) {
      bedrock.reset();
      const mux = new BedrockMultiplexer(baseConfig([modelConfig('a'), modelConfig('b')]));
      // Any listener turns the quiet path (the core looks the model up itself) off.
      if (watched) mux.on('model-selected', () => {});
      mux.removeModel('a');
      mux.addModel(modelConfig('c'));
      const random = jest.spyOn(Math, 'random').mockReturnValue(0.99); // the last primary: c
      const response = await mux.processRequest(userInput());
      random.mockReturnValue(0); // the first: b
      await mux.processRequest(userInput());
      random.mockRestore();
      expect(response.output?.message?.content?.[0].text).toBe('answer from c');
      expect(bedrock.route()).toEqual(['c', 'b']);
    }
  });

  it('never sends to a removed model', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    mux.removeModel('a');
    for (let i = 0; i < 5; i++) await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['b', 'b', 'b', 'b', 'b']);
  });
});

describe('BedrockMultiplexer.processRequest', () => {
  it('resolves with the exact object the SDK client produced', async () => {
    const output = converseOutput('forty-two');
    bedrock.script('a', answerWith(output));
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    await expect(mux.processRequest(userInput())).resolves.toBe(output);
  });

  it('sends the caller input with the routed modelId and leaves the caller object untouched', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    const input = { ...userInput('hi'), inferenceConfig: { maxTokens: 64, temperature: 0.2 }, system: [{ text: 'be brief' }] };
    const snapshot = JSON.parse(JSON.stringify(input));
    await mux.processRequest(input);
    expect(bedrock.calls[0].input).toEqual({ ...snapshot, modelId: 'a' });
    expect(input).toEqual(snapshot);
    expect('modelId' in input).toBe(false);
  });

  it('records a success in the statistics and the health report', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    await mux.processRequest(userInput());
    expect(mux.getStats().successCount).toBe(1);
    expect(mux.getStats().modelStats.a.successCount).toBe(1);
    expect(mux.getModelHealthStatus('a')!.requestsPerMinute).toBe(1);
    expect(mux.getModelHealthStatus('a')!.lastSuccessAt).toBeInstanceOf(Date);
  });
});

describe('BedrockMultiplexer.selectModel', () => {
  it('answers with a primary model and its pool', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a'), modelConfig('f', 1, true)]));
    await expect(mux.selectModel({ skippedModels: new Set() })).resolves.toEqual({ modelId: 'a', isFallback: false });
  });

  it('answers with a null model when everything is skipped', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a'), modelConfig('f', 1, true)]));
    await expect(mux.selectModel({ skippedModels: new Set(['a', 'f']) })).resolves.toEqual({
      modelId: null,
      isFallback: false,
    });
  });

  it('does not alter the set it is given', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    const skipped = new Set(['a']);
    await mux.selectModel({ skippedModels: skipped });
    expect(Array.from(skipped)).toEqual(['a']);
  });
});

describe('BedrockMultiplexer.getModel', () => {
  it('returns the registered model, or null for an unknown id', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a', 3), modelConfig('f', 2, true)]));
    const fallback = await mux.getModel('f');
    expect(fallback).toBeInstanceOf(BedrockModel);
    expect(fallback!.configuration).toEqual({ modelId: 'f', weight: 2, isFallback: true });
    expect(await mux.getModel('a')).toBe(await mux.getModel('a'));
    await expect(mux.getModel('nope')).resolves.toBeNull();
  });

  it('answers an id in both pools with its primary model, as the original looks there first', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    mux.addModel(modelConfig('twice', 1, false));
    mux.addModel(modelConfig('twice', 1, true));
    expect((await mux.getModel('twice'))!.isFallback).toBe(false);
    mux.removeModel('twice');
    await expect(mux.getModel('twice')).resolves.toBeNull();
  });

  it('finds nothing under a key that is not a string, as a Map lookup would', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('7')]));
    expect(await mux.getModel('7')).toBeInstanceOf(BedrockModel);
    await expect(mux.getModel(7 as any)).resolves.toBeNull();
  });
});

describe('BedrockMultiplexer.reportOutcome, getStats and resetStats', () => {
  const report = (mux: BedrockMultiplexer, modelId: string, type: OutcomeType, latency: number) =>
    mux.reportOutcome({ modelId, type, latency, timestamp: new Date() });

  it('accumulates counters, per-model average latency and latency percentiles', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a'), modelConfig('b', 1, true)]));
    await report(mux, 'a', OutcomeType.SUCCESS, 100);
    await report(mux, 'a', OutcomeType.RATE_LIMIT, 300);
    await report(mux, 'b', OutcomeType.FAIL_FAST, 50);
    await report(mux, 'b', OutcomeType.REFUSAL, 150);

    expect(mux.getStats()).toStrictEqual({
      successCount: 1,
      rateLimitCount: 1,
      failFastCount: 1,
      refusalCount: 1,
      modelStats: {
        a: {
          modelId: 'a',
          successCount: 1,
          rateLimitCount: 1,
          failFastCount: 0,
          refusalCount: 0,
          averageLatency: 200,
          isFallback: false,
        },
        b: {
          modelId: 'b',
          successCount: 0,
          rateLimitCount: 0,
          failFastCount: 1,
          refusalCount: 1,
          averageLatency: 100,
          isFallback: true,
        },
      },
      latencyMetrics: { average: 150, p50: 150, p95: 300, p99: 300, min: 50, max: 300 },
    });
  });

  it('reports zeroed latency metrics before any outcome', () => {
    const mux = new BedrockMultiplexer(baseConfig());
    expect(mux.getStats().latencyMetrics).toStrictEqual({ average: 0, p50: 0, p95: 0, p99: 0, min: 0, max: 0 });
  });

  it('keeps only the latest 1000 latencies for the percentiles', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a')]));
    for (let i = 1; i <= 1005; i++) await report(mux, 'a', OutcomeType.SUCCESS, i);
    const metrics = mux.getStats().latencyMetrics;
    expect(metrics.min).toBe(6);
    expect(metrics.max).toBe(1005);
    expect(metrics.p50).toBe(506);
    expect(metrics.average).toBeCloseTo(505.5, 10);
    expect(mux.getStats().modelStats.a.successCount).toBe(1005);
  });

  it('feeds the health figures: failures raise the error rate', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    await report(mux, 'a', OutcomeType.SUCCESS, 10);
    await report(mux, 'a', OutcomeType.RATE_LIMIT, 30);
    await report(mux, 'a', OutcomeType.REFUSAL, 20);
    const health = mux.getModelHealthStatus('a')!;
    expect(health.errorRate).toBeCloseTo(2 / 3, 10);
    expect(health.isHealthy).toBe(false);
    expect(health.avgResponseTimeMs).toBe(20);
    expect(health.requestsPerMinute).toBe(3);
  });

  it('ignores outcomes for models it does not know', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    const seen: string[] = [];
    mux.on('success', () => seen.push('success'));
    mux.on('stats', () => seen.push('stats'));
    await expect(report(mux, 'ghost', OutcomeType.SUCCESS, 5)).resolves.toBeUndefined();
    expect(seen).toEqual([]);
    expect(mux.getStats().successCount).toBe(0);
    expect(mux.getStats().latencyMetrics.max).toBe(0);
  });

  it('hands out copies of the statistics', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    await report(mux, 'a', OutcomeType.SUCCESS, 10);
    const first = mux.getStats();
    first.modelStats.a.successCount = 99;
    first.successCount = 99;
    expect(mux.getStats().successCount).toBe(1);
    expect(mux.getStats().modelStats.a.successCount).toBe(1);
  });

  it('resetStats zeroes counters and latencies, announces it, and leaves health history alone', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    await report(mux, 'a', OutcomeType.SUCCESS, 10);
    await report(mux, 'b', OutcomeType.FAIL_FAST, 30);
    const resets: any[][] = [];
    mux.on('stats-reset', (...args: any[]) => resets.push(args));
    mux.resetStats();
    expect(resets).toEqual([[]]);
    const stats = mux.getStats();
    expect(stats.successCount + stats.failFastCount).toBe(0);
    expect(stats.modelStats.b).toEqual(expect.objectContaining({ failFastCount: 0, averageLatency: 0 }));
    expect(stats.latencyMetrics).toEqual({ average: 0, p50: 0, p95: 0, p99: 0, min: 0, max: 0 });
    expect(mux.getHealthStatus().metrics.totalRequests).toBe(2);
  });
});

describe('BedrockMultiplexer health methods', () => {
  it('getHealthStatus reports every model with Date timestamps', async () => {
    const mux = new BedrockMultiplexer(baseConfig([modelConfig('a'), modelConfig('f', 1, true)]));
    await mux.processRequest(userInput());
    const health = mux.getHealthStatus();
    expect(health.timestamp).toBeInstanceOf(Date);
    expect(health.totalModels).toBe(2);
    expect(health.healthyModels).toBe(2);
    expect(health.isHealthy).toBe(true);
    expect(health.models.a.lastSuccessAt).toBeInstanceOf(Date);
    expect(health.models.f.lastSuccessAt).toBeUndefined();
    expect(health.metrics.totalRequests).toBe(1);
    expect(health.metrics.successRate).toBe(1);
  });

  it('getModelHealthStatus describes one model and returns null for unknown ids', () => {
    const mux = new BedrockMultiplexer(baseConfig());
    expect(mux.getModelHealthStatus('a')).toEqual({
      modelId: 'a',
      isHealthy: true,
      circuitState: 'CLOSED',
      lastSuccessAt: undefined,
      lastFailureAt: undefined,
      avgResponseTimeMs: 0,
      errorRate: 0,
      requestsPerMinute: 0,
    });
    expect(mux.getModelHealthStatus('unknown')).toBeNull();
  });

  it('getSimpleHealthCheck and isHealthy turn unhealthy when half of two models has an open breaker', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    expect(mux.getSimpleHealthCheck()).toStrictEqual({ status: 'healthy', code: 200 });
    expect(mux.isHealthy()).toBe(true);
    (await mux.getModel('a'))!.getCircuitBreaker().forceOpen();
    expect(mux.getSimpleHealthCheck()).toStrictEqual({ status: 'unhealthy', code: 503 });
    expect(mux.isHealthy()).toBe(false);
  });

  it('getCircuitBreakerStatus shows state and failure count per model', async () => {
    bedrock.script('a', failWith(throttling()));
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const mux = new BedrockMultiplexer(baseConfig());
    await mux.processRequest(userInput());
    (await mux.getModel('b'))!.getCircuitBreaker().forceOpen();
    expect(mux.getCircuitBreakerStatus()).toStrictEqual({
      a: { state: 'CLOSED', failureCount: 1 },
      b: { state: 'OPEN', failureCount: 0 },
    });
  });
});

describe('BedrockMultiplexer.emitEvent', () => {
  it('emits any event name with the given arguments', () => {
    const mux = new BedrockMultiplexer(baseConfig());
    const heard: any[][] = [];
    (mux as any).on('custom-signal', (...args: any[]) => heard.push(args));
    mux.emitEvent('custom-signal', 1, 'two', { three: 3 });
    mux.emitEvent('model-added', 'x');
    expect(heard).toEqual([[1, 'two', { three: 3 }]]);
  });
});

describe('BedrockMultiplexer getters', () => {
  it('refusalRetryEnabled is off unless refusal detection is enabled and retrying is not turned off', async () => {
    const modelPath = '/nonexistent/classifier.onnx';
    jest.spyOn(console, 'warn').mockImplementation(() => {});
    const build = (refusalDetection?: any) => new BedrockMultiplexer({ ...baseConfig(), refusalDetection });
    const muxes = [
      build(undefined),
      build({ enabled: false, modelPath }),
      build({ enabled: true, modelPath }),
      build({ enabled: true, modelPath, retryOnRefusal: true }),
      build({ enabled: true, modelPath, retryOnRefusal: false }),
    ];
    expect(muxes.map((mux) => mux.refusalRetryEnabled)).toEqual([false, false, true, true, false]);
    // Let the (failing) classifier loads finish while console.warn is still silenced.
    await Promise.all(muxes.map((mux) => mux.classifyRefusal('x')));
  });

  it('tierEscalationConfig is the configured object when enabled and undefined otherwise', () => {
    const tierEscalation = { enabled: true, escalationTier: 'priority' as const };
    expect(new BedrockMultiplexer({ ...baseConfig(), tierEscalation }).tierEscalationConfig).toBe(tierEscalation);
    expect(new BedrockMultiplexer(baseConfig()).tierEscalationConfig).toBeUndefined();
    expect(
      new BedrockMultiplexer({ ...baseConfig(), tierEscalation: { enabled: false, escalationTier: 'priority' } })
        .tierEscalationConfig,
    ).toBeUndefined();
  });
});

describe('BedrockMultiplexer configuration object', () => {
  it('is consulted on every request: later changes to tierEscalation take effect', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const config: any = baseConfig();
    const mux = new BedrockMultiplexer(config);
    expect(mux.tierEscalationConfig).toBeUndefined();
    config.tierEscalation = { enabled: true, escalationTier: 'priority' };
    expect(mux.tierEscalationConfig).toEqual({ enabled: true, escalationTier: 'priority' });
    bedrock.script('a', failWith(throttling()), answer('escalated'));
    await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['a', 'a:priority']);
  });

  it('is consulted on every request: later changes to maxRetries take effect', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const config: any = baseConfig([modelConfig('a'), modelConfig('b'), modelConfig('c')]);
    const mux = new BedrockMultiplexer(config);
    config.maxRetries = 0;
    bedrock.script('a', failWith(throttling()));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error.details).toEqual(expect.objectContaining({ maxRetries: 0, actualRetries: 1 }));
  });

  it('is consulted for refusalRetryEnabled: turning retryOnRefusal off later takes effect', async () => {
    jest.spyOn(console, 'warn').mockImplementation(() => {});
    const config: any = { ...baseConfig(), refusalDetection: { enabled: true, modelPath: '/nonexistent/classifier.onnx' } };
    const mux = new BedrockMultiplexer(config);
    const before = mux.refusalRetryEnabled;
    config.refusalDetection.retryOnRefusal = false;
    const after = mux.refusalRetryEnabled;
    // Let the (failing) classifier load finish while console.warn is still silenced.
    await mux.classifyRefusal('x');
    expect([before, after]).toEqual([true, false]);
  });
});

describe('BedrockMultiplexer.destroy', () => {
  it('drops models, breakers, health data and listeners', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    await mux.processRequest(userInput());
    const listener = jest.fn();
    mux.on('model-added', listener);
    mux.destroy();
    expect(mux.listenerCount('model-added')).toBe(0);
    expect(mux.getStats().modelStats).toEqual({});
    expect(mux.getStats().successCount).toBe(0);
    expect(mux.getCircuitBreakerStatus()).toEqual({});
    expect(mux.getHealthStatus().totalModels).toBe(0);
    expect(mux.getHealthStatus().isHealthy).toBe(false);
    expect(await mux.getModel('a')).toBeNull();
  });

  it('destroys the model object of every pool entry, an id in both pools twice, as the original', () => {
    const mux = new BedrockMultiplexer(baseConfig());
    mux.addModel(modelConfig('twice', 1, false));
    mux.addModel(modelConfig('twice', 1, true));
    const destroyed = jest.spyOn(BedrockModel.prototype, 'destroy');
    mux.destroy();
    expect(destroyed.mock.contexts.map((model: any) => [model.modelId, model.isFallback])).toEqual([
      ['a', false],
      ['b', false],
      ['twice', false],
      ['twice', true],
    ]);
  });

  it('reports a later request to a newly attached error listener as (MultiplexerError, null)', async () => {
    const mux = new BedrockMultiplexer(baseConfig());
    mux.destroy();
    const heard: any[][] = [];
    mux.on('error', (...args: any[]) => heard.push(args));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
    expect(heard).toEqual([[error, null]]);
    expect(bedrock.calls).toHaveLength(0);
  });
});
