jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import { BedrockMultiplexer, MultiplexerError, OutcomeType } from '../index';
import {
  answer,
  bedrock,
  converseOutput,
  answerWith,
  failWith,
  throttling,
  userInput,
  validationFailure,
} from './helpers/fake-bedrock';
import { modelConfig, names, recordEvents } from './helpers/util';

const NOW = new Date('2025-03-01T12:00:00.000Z');

const configWith = (models: any[], extra: Record<string, any> = {}) => ({
  models,
  defaultTimeoutMs: 5000,
  maxRetries: 3,
  ...extra,
});

const throttleResponse = (error: any) => ({
  code: 429,
  message: error.message,
  details: {
    name: 'ThrottlingException',
    stack: error.stack,
    metadata: { httpStatusCode: 429, requestId: 'req-ThrottlingException' },
    fault: 'client',
  },
});

const zeroModel = (modelId: string, isFallback = false) => ({
  modelId,
  successCount: 0,
  rateLimitCount: 0,
  failFastCount: 0,
  refusalCount: 0,
  averageLatency: 0,
  isFallback,
});

const zeroLatency = { average: 0, p50: 0, p95: 0, p99: 0, min: 0, max: 0 };

beforeEach(() => {
  bedrock.reset();
  // A frozen clock makes every latency 0, so whole events can be compared.
  jest.useFakeTimers({ now: NOW });
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('event log of one request', () => {
  it('records the original sequence and arguments for a throttle followed by failover', async () => {
    const throttle = throttling();
    bedrock.script('a', failWith(throttle));
    const output = converseOutput('from b');
    bedrock.script('b', answerWith(output));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const log = recordEvents(mux);
    const input = userInput('route me');

    await expect(mux.processRequest(input)).resolves.toBe(output);

    expect(names(log)).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'error',
      'stats',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'success',
      'stats',
    ]);

    const requestId = log[2][2];
    expect(requestId).toMatch(/^req_\d+_/);
    expect(log[0]).toEqual(['request', input]);
    expect(log[0][1]).toBe(input);
    expect(log[1]).toEqual(['model-selected', 'a', false, 0]);
    expect(log[2]).toEqual(['model-invocation-start', 'a', requestId]);
    expect(log[3]).toEqual(['model-invocation-complete', 'a', requestId, 0]);

    const [, errorArg, failedOutcome] = log[4];
    expect(failedOutcome).toEqual({
      modelId: 'a',
      type: OutcomeType.RATE_LIMIT,
      latency: 0,
      timestamp: NOW,
      error: throttleResponse(throttle),
    });
    expect(failedOutcome.timestamp).toBeInstanceOf(Date);
    expect(errorArg).toBe(failedOutcome.error);

    expect(log[5][1]).toStrictEqual({
      successCount: 0,
      rateLimitCount: 1,
      failFastCount: 0,
      refusalCount: 0,
      modelStats: { a: { ...zeroModel('a'), rateLimitCount: 1 }, b: zeroModel('b') },
      latencyMetrics: zeroLatency,
    });

    expect(log[6]).toEqual(['model-selected', 'b', false, 1]);
    expect(log[7]).toEqual(['model-invocation-start', 'b', requestId]);
    expect(log[8]).toEqual(['model-invocation-complete', 'b', requestId, 0]);
    expect(log[9]).toEqual(['success', null, { modelId: 'b', type: OutcomeType.SUCCESS, latency: 0, timestamp: NOW }]);
    expect(log[10][1]).toStrictEqual({
      successCount: 1,
      rateLimitCount: 1,
      failFastCount: 0,
      refusalCount: 0,
      modelStats: { a: { ...zeroModel('a'), rateLimitCount: 1 }, b: { ...zeroModel('b'), successCount: 1 } },
      latencyMetrics: zeroLatency,
    });
  });

  it('uses a new request id for every request', async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const ids: string[] = [];
    mux.on('model-invocation-start', (_model, requestId) => ids.push(requestId));
    await mux.processRequest(userInput());
    jest.advanceTimersByTime(1);
    await mux.processRequest(userInput());
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]).toBe(`req_${NOW.getTime()}_`);
  });
});

describe('emission through emit()', () => {
  it("routes every event through emit, so a spy on emit sees 'stats' even without a 'stats' listener", async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const emit = jest.spyOn(mux, 'emit');
    await mux.processRequest(userInput());
    expect(emit.mock.calls.map((call) => call[0])).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'error',
      'stats',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'success',
      'stats',
    ]);
    const lastStats = emit.mock.calls[emit.mock.calls.length - 1][1] as any;
    expect(lastStats.successCount).toBe(1);
    expect(lastStats.rateLimitCount).toBe(1);
  });
});

describe("the 'error' event", () => {
  it('is emitted last with (error, null) when processRequest fails, and the rejection is the same error', async () => {
    bedrock.script('a', failWith(validationFailure()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const log = recordEvents(mux);
    const rejection = await mux.processRequest(userInput()).catch((e) => e);
    expect(names(log)).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'error',
      'stats',
      'error',
    ]);
    const last = log[log.length - 1];
    expect(last).toHaveLength(3);
    expect(last[1]).toBe(rejection);
    expect(last[2]).toBeNull();
    expect(rejection.name).toBe('FailFastError');
    // The first 'error' is the per-model outcome report.
    expect(log[4][2].type).toBe(OutcomeType.FAIL_FAST);
    expect(log[4][1]).toBe(log[4][2].error);
  });

  it('is safe without any user listener: the request simply rejects', async () => {
    bedrock.script('a', failWith(validationFailure()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    expect(mux.listenerCount('error')).toBe(1);
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error.name).toBe('FailFastError');
    expect(error.message).toBe('The provided model identifier is invalid.');
  });

  it('carries a MultiplexerError with null when no model is left', async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const failures: any[][] = [];
    mux.on('error', (...args: any[]) => failures.push(args));
    await expect(mux.processRequest(userInput())).rejects.toBeInstanceOf(MultiplexerError);
    expect(failures).toHaveLength(2);
    expect(failures[0][1].type).toBe(OutcomeType.RATE_LIMIT);
    expect(failures[1][0]).toBeInstanceOf(MultiplexerError);
    expect(failures[1][0].code).toBe('NO_MODELS_AVAILABLE');
    expect(failures[1][1]).toBeNull();
  });
});

describe('model lifecycle events', () => {
  it("'model-added' and 'model-removed' carry the model id", () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const log = recordEvents(mux);
    mux.addModel(modelConfig('b', 2, true));
    mux.removeModel('a');
    expect(log).toEqual([
      ['model-added', 'b'],
      ['model-removed', 'a'],
    ]);
  });
});

describe("'model-circuit-open-skipped'", () => {
  it('is emitted for an open model on every selection that looks at its pool', async () => {
    bedrock.script('b', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b'), modelConfig('c', 1, true)]));
    (await mux.getModel('a'))!.getCircuitBreaker().forceOpen();
    const log = recordEvents(mux);
    await mux.processRequest(userInput());
    expect(log.filter(([name]) => name === 'model-circuit-open-skipped' || name === 'model-selected')).toEqual([
      ['model-circuit-open-skipped', 'a'],
      ['model-selected', 'b', false, 0],
      ['model-circuit-open-skipped', 'a'],
      ['model-selected', 'c', true, 1],
    ]);
    expect(bedrock.route()).toEqual(['b', 'c']);
  });

  it('precedes the null selection when every breaker is open', async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    for (const id of ['a', 'b']) (await mux.getModel(id))!.getCircuitBreaker().forceOpen();
    const log = recordEvents(mux);
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(names(log)).toEqual(['request', 'model-circuit-open-skipped', 'model-circuit-open-skipped', 'error']);
    expect(log[1][1]).toBe('a');
    expect(log[2][1]).toBe('b');
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
  });
});

describe("'stats' and 'stats-reset'", () => {
  it("'stats' follows every reported outcome with the statistics at that moment", async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const snapshots: any[] = [];
    mux.on('stats', (stats) => snapshots.push(stats));
    await mux.reportOutcome({ modelId: 'a', type: OutcomeType.SUCCESS, latency: 40, timestamp: new Date() });
    await mux.reportOutcome({ modelId: 'a', type: OutcomeType.FAIL_FAST, latency: 60, timestamp: new Date() });
    expect(snapshots.map((s) => [s.successCount, s.failFastCount, s.latencyMetrics.max])).toEqual([
      [1, 0, 40],
      [1, 1, 60],
    ]);
    expect(snapshots[1].modelStats.a.averageLatency).toBe(50);
  });

  it("'success' and 'error' from reportOutcome carry (null, outcome) and (outcome.error or null, outcome)", async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const log = recordEvents(mux);
    const ok = { modelId: 'a', type: OutcomeType.SUCCESS, latency: 1, timestamp: new Date() };
    const refused = { modelId: 'a', type: OutcomeType.REFUSAL, latency: 2, timestamp: new Date() };
    const failed = {
      modelId: 'a',
      type: OutcomeType.FAIL_FAST,
      latency: 3,
      timestamp: new Date(),
      error: { code: 500, message: 'x' },
    };
    await mux.reportOutcome(ok);
    await mux.reportOutcome(refused);
    await mux.reportOutcome(failed);
    const outcomeEvents = log.filter(([name]) => name !== 'stats');
    expect(outcomeEvents).toEqual([
      ['success', null, ok],
      ['error', null, refused],
      ['error', failed.error, failed],
    ]);
    expect(outcomeEvents[0][2]).toBe(ok);
    expect(outcomeEvents[2][1]).toBe(failed.error);
  });

  it("'stats-reset' is emitted without arguments", () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const log = recordEvents(mux);
    mux.resetStats();
    expect(log).toEqual([['stats-reset']]);
  });
});

describe('tier escalation events', () => {
  const escalating = { tierEscalation: { enabled: true, escalationTier: 'priority' as const } };

  it('announce the escalation and its success, with no invocation events for the escalated call', async () => {
    const throttle = throttling();
    bedrock.script('a', failWith(throttle), answer('priority answer'));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalating));
    const log = recordEvents(mux);
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe('priority answer');
    expect(names(log)).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'error',
      'stats',
      'tier-escalation',
      'tier-escalation-success',
      'success',
      'stats',
    ]);
    expect(log[6]).toEqual(['tier-escalation', 'a', 'default', 'priority']);
    expect(log[7]).toEqual(['tier-escalation-success', 'a', 'priority']);
    expect(log[8]).toEqual(['success', null, { modelId: 'a', type: OutcomeType.SUCCESS, latency: 0, timestamp: NOW }]);
  });

  it('announce the failure with its message, report its outcome, then fail over', async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalating));
    const log = recordEvents(mux);
    await mux.processRequest(userInput());
    expect(names(log)).toEqual([
      'request',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'error',
      'stats',
      'tier-escalation',
      'tier-escalation-failure',
      'error',
      'stats',
      'model-selected',
      'model-invocation-start',
      'model-invocation-complete',
      'success',
      'stats',
    ]);
    expect(log[7]).toEqual(['tier-escalation-failure', 'a', 'priority', 'Model rate limited']);
    expect(log[8][2]).toEqual(expect.objectContaining({ modelId: 'a', type: OutcomeType.RATE_LIMIT }));
    expect(log[10]).toEqual(['model-selected', 'b', false, 1]);
    expect(log[9][1].modelStats.a.rateLimitCount).toBe(2);
  });

  it('report a fail-fast escalation failure with the SDK message', async () => {
    bedrock.script('a', failWith(throttling()), failWith(validationFailure()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalating));
    const log = recordEvents(mux);
    await mux.processRequest(userInput());
    const failure = log.find(([name]) => name === 'tier-escalation-failure');
    expect(failure).toEqual(['tier-escalation-failure', 'a', 'priority', 'The provided model identifier is invalid.']);
    expect(mux.getStats().modelStats.a).toEqual(expect.objectContaining({ rateLimitCount: 1, failFastCount: 1 }));
  });
});
