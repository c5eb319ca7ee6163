jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import { BedrockModel, BedrockMultiplexer, ErrorType, MultiplexerError, OutcomeType } from '../index';
import {
  answer,
  bedrock,
  failWith,
  hang,
  sdkError,
  throttling,
  userInput,
  validationFailure,
} from './helpers/fake-bedrock';
import { flush, modelConfig, watch } from './helpers/util';

const configWith = (models: any[], extra: Record<string, any> = {}) => ({
  models,
  defaultTimeoutMs: 5000,
  maxRetries: 3,
  ...extra,
});

const escalation = { tierEscalation: { enabled: true, escalationTier: 'priority' as const } };

const CANCELLED_SUGGESTIONS = ['Request was intentionally cancelled', 'Resubmit the request if needed'];
const TIMEOUT_SUGGESTIONS = ['Increase timeout duration', 'Reduce prompt size', 'Reduce max_tokens', 'Try a faster model'];

beforeEach(() => {
  bedrock.reset();
  // Always pick the first available model of a pool, so routes are predictable.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('throttling', () => {
  it('moves on to the next model and answers from it', async () => {
    bedrock.script('a', failWith(throttling()));
    bedrock.script('b', answer('b took it'));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe('b took it');
    expect(bedrock.route()).toEqual(['a', 'b']);
  });

  it('counts a rate-limit outcome and a breaker failure against the throttled model', async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const outcomes: any[] = [];
    mux.on('error', (_e, outcome) => outcome && outcomes.push(outcome));
    await mux.processRequest(userInput());
    expect(outcomes.map((o) => [o.modelId, o.type])).toEqual([['a', OutcomeType.RATE_LIMIT]]);
    expect(mux.getStats().modelStats.a.rateLimitCount).toBe(1);
    expect(mux.getStats().modelStats.b.successCount).toBe(1);
    expect(mux.getCircuitBreakerStatus().a.failureCount).toBe(1);
    expect(mux.getCircuitBreakerStatus().b.failureCount).toBe(0);
  });

  it('surfaces from BedrockModel.invoke as a RateLimitError carrying only its outcome', async () => {
    const error = throttling();
    const client = { send: jest.fn().mockRejectedValue(error) };
    const model = new BedrockModel(modelConfig('solo'), client as any);
    const thrown: any = await model.invoke(userInput()).catch((e) => e);
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.name).toBe('RateLimitError');
    expect(thrown.message).toBe('Model rate limited');
    expect(thrown.outcome).toEqual({
      modelId: 'solo',
      type: OutcomeType.RATE_LIMIT,
      latency: expect.any(Number),
      timestamp: expect.any(Date),
      error: expect.objectContaining({ code: 429, message: error.message }),
    });
    expect('errorResponse' in thrown).toBe(false);
    expect(model.getCircuitBreaker().getStatus().failureCount).toBe(1);
  });
});

describe('fail-fast errors', () => {
  it('reject the request at once with the FailFastError shape and no failover', async () => {
    const sdkFailure = validationFailure();
    bedrock.script('a', failWith(sdkFailure));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MultiplexerError);
    expect(error.name).toBe('FailFastError');
    expect(error.message).toBe('The provided model identifier is invalid.');
    const expectedResponse = {
      code: 400,
      message: 'The provided model identifier is invalid.',
      details: {
        name: 'ValidationException',
        stack: sdkFailure.stack,
        metadata: { httpStatusCode: 400, requestId: 'req-ValidationException' },
        fault: 'client',
      },
    };
    expect(error.errorResponse).toEqual(expectedResponse);
    expect(error.outcome).toEqual({
      modelId: 'a',
      type: OutcomeType.FAIL_FAST,
      latency: expect.any(Number),
      timestamp: expect.any(Date),
      error: expectedResponse,
    });
    expect(error.outcome.error).toBe(error.errorResponse);
    expect(bedrock.route()).toEqual(['a']);
    expect(mux.getStats().modelStats.a.failFastCount).toBe(1);
    expect(mux.getCircuitBreakerStatus().a.failureCount).toBe(1);
  });

  it('treat an unclassified error the same way, with code 500', async () => {
    bedrock.script('a', failWith(new Error('socket hang up')));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error.name).toBe('FailFastError');
    expect(error.message).toBe('socket hang up');
    expect(error.errorResponse.code).toBe(500);
    expect(error.errorResponse.details.name).toBe('Error');
    expect(bedrock.route()).toEqual(['a']);
  });

  it('are not retried on a higher tier even when escalation is on', async () => {
    bedrock.script('a', failWith(sdkError('AccessDeniedException', 'no access', 403)));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalation));
    await expect(mux.processRequest(userInput())).rejects.toMatchObject({ name: 'FailFastError', message: 'no access' });
    expect(bedrock.route()).toEqual(['a']);
  });
});

describe('open circuits', () => {
  it('are skipped without being sent to', async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    (await mux.getModel('a'))!.getCircuitBreaker().forceOpen();
    const skipped: string[] = [];
    mux.on('model-circuit-open-skipped', (id) => skipped.push(id));
    await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['b']);
    expect(skipped).toEqual(['a']);
  });

  it('leave NO_MODELS_AVAILABLE with an empty skip list when every breaker is open', async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('f', 1, true)]));
    for (const id of ['a', 'f']) (await mux.getModel(id))!.getCircuitBreaker().forceOpen();
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
    expect(error.details).toEqual({ skippedModels: [], totalSkipped: 0 });
    expect(bedrock.calls).toHaveLength(0);
  });

  it('opening between selection and invocation turns into a CircuitOpenError outcome and a failover', async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const breakerA = (await mux.getModel('a'))!.getCircuitBreaker();
    let tripped = false;
    mux.on('model-selected', (id) => {
      if (id === 'a' && !tripped) {
        tripped = true;
        breakerA.forceOpen();
      }
    });
    const reported: any[] = [];
    mux.on('error', (errorResponse, outcome) => outcome && reported.push({ errorResponse, outcome }));
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe('answer from b');
    expect(bedrock.route()).toEqual(['b']);
    expect(reported).toHaveLength(1);
    expect(reported[0].outcome).toEqual(
      expect.objectContaining({ modelId: 'a', type: OutcomeType.FAIL_FAST, latency: 0 }),
    );
    expect(reported[0].errorResponse).toEqual(
      expect.objectContaining({
        code: 503,
        message: 'Circuit breaker is open for model a',
        errorType: ErrorType.CIRCUIT_OPEN,
        retryable: true,
        modelId: 'a',
      }),
    );
    expect(mux.getStats().modelStats.a.failFastCount).toBe(1);
  });

  it('make BedrockModel.invoke throw a CircuitOpenError without sending', async () => {
    const client = { send: jest.fn() };
    const model = new BedrockModel(modelConfig('m'), client as any);
    model.getCircuitBreaker().forceOpen();
    const error: any = await model.invoke(userInput()).catch((e) => e);
    expect(error.name).toBe('CircuitOpenError');
    expect(error.message).toBe('Circuit breaker is open for model m');
    expect(error.outcome).toEqual(
      expect.objectContaining({ modelId: 'm', type: OutcomeType.FAIL_FAST, latency: 0, error: error.errorResponse }),
    );
    expect(error.errorResponse.errorType).toBe('CIRCUIT_OPEN');
    expect(client.send).not.toHaveBeenCalled();
  });
});

describe('timeouts', () => {
  it('reject with a TimeoutError once defaultTimeoutMs passes, without failover', async () => {
    jest.useFakeTimers();
    bedrock.script('a', hang());
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')]));
    const request = watch(mux.processRequest(userInput()));
    await flush();
    jest.advanceTimersByTime(4999);
    await flush();
    expect(request.settled).toBe(false);
    jest.advanceTimersByTime(1);
    await flush();

    expect(request.rejected).toBe(true);
    const error = request.reason;
    expect(error.name).toBe('TimeoutError');
    expect(error.message).toBe('Request timed out after 5000ms');
    expect(error.outcome.type).toBe(OutcomeType.FAIL_FAST);
    expect(error.outcome.latency).toBe(5000);
    expect(error.errorResponse).toEqual(
      expect.objectContaining({
        code: 500,
        message: 'Request timed out after 5000ms',
        errorType: ErrorType.TIMEOUT,
        retryable: true,
        recoverySuggestions: TIMEOUT_SUGGESTIONS,
        modelId: 'a',
      }),
    );
    // Math.random is pinned to 0, so the suggested retry delay has no jitter.
    expect(error.errorResponse.retryAfterMs).toBe(1000);
    expect(error.errorResponse.details.name).toBe('TimeoutError');
    expect(bedrock.route()).toEqual(['a']);
    expect(mux.getCircuitBreakerStatus().a.failureCount).toBe(1);
    expect(mux.getStats().modelStats.a.failFastCount).toBe(1);
  });

  it('apply to BedrockModel.invoke with its own timeout', async () => {
    jest.useFakeTimers();
    const model = new BedrockModel(modelConfig('m'), { send: () => new Promise(() => {}) } as any, 2000);
    const call = watch(model.invoke(userInput()));
    await flush();
    jest.advanceTimersByTime(2000);
    await flush();
    expect(call.reason.name).toBe('TimeoutError');
    expect(call.reason.message).toBe('Request timed out after 2000ms');
    expect(model.getCircuitBreaker().getStatus().failureCount).toBe(1);
  });

  it('are not triggered by an answer that arrives in time', async () => {
    jest.useFakeTimers();
    let release!: (value: any) => void;
    bedrock.script('a', () => new Promise((resolve) => (release = resolve)));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a')]));
    const request = watch(mux.processRequest(userInput()));
    await flush();
    jest.advanceTimersByTime(4000);
    release({ output: { message: { role: 'assistant', content: [{ text: 'just in time' }] } } });
    await flush();
    jest.advanceTimersByTime(5000);
    await flush();
    expect(request.rejected).toBe(false);
    expect(request.value?.output?.message?.content?.[0].text).toBe('just in time');
    expect(mux.getStats().modelStats.a.averageLatency).toBe(4000);
  });
});

describe('cancellation through an abort signal', () => {
  const expectCancelled = (error: any, modelId: string) => {
    expect(error.name).toBe('CancelledError');
    expect(error.message).toBe('Request cancelled');
    expect(error.outcome).toEqual({
      modelId,
      type: OutcomeType.FAIL_FAST,
      latency: expect.any(Number),
      timestamp: expect.any(Date),
      error: error.errorResponse,
    });
    expect(error.errorResponse).toEqual({
      code: 500,
      message: 'Request was cancelled',
      details: { name: 'AbortError', stack: expect.any(String) },
      errorType: ErrorType.CANCELLED,
      retryable: false,
      retryAfterMs: undefined,
      recoverySuggestions: CANCELLED_SUGGESTIONS,
      modelId,
      requestId: undefined,
    });
  };

  it('rejects an in-flight invoke with a CancelledError and spares the breaker', async () => {
    const client = { send: jest.fn(() => new Promise(() => {})) };
    const model = new BedrockModel(modelConfig('m'), client as any);
    const controller = new AbortController();
    const pending = model.invoke(userInput(), controller.signal);
    await Promise.resolve();
    controller.abort();
    const error: any = await pending.catch((e) => e);
    expectCancelled(error, 'm');
    expect(client.send).toHaveBeenCalledWith(expect.anything(), { abortSignal: controller.signal });
    expect(model.getCircuitBreaker().getStatus().failureCount).toBe(0);
  });

  it('rejects at once, without sending, when the signal is already aborted', async () => {
    const client = { send: jest.fn() };
    const model = new BedrockModel(modelConfig('m'), client as any);
    const controller = new AbortController();
    controller.abort();
    expectCancelled(await model.invoke(userInput(), controller.signal).catch((e) => e), 'm');
    expect(client.send).not.toHaveBeenCalled();
  });

  it('maps an AbortError thrown by the client to a CancelledError', async () => {
    const abort = new Error('The operation was aborted');
    abort.name = 'AbortError';
    const model = new BedrockModel(modelConfig('m'), { send: () => Promise.reject(abort) } as any);
    const error: any = await model.invoke(userInput()).catch((e) => e);
    expect(error.name).toBe('CancelledError');
    expect(error.errorResponse.details.name).toBe('AbortError');
    expect(error.errorResponse.details.stack).toBe(abort.stack);
  });
});

describe('running out of models', () => {
  it('throws NO_MODELS_AVAILABLE naming the models that were skipped', async () => {
    bedrock.script('a', failWith(throttling()));
    bedrock.script('f', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('f', 1, true)]));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MultiplexerError');
    expect(error.message).toBe('No models available to process the request');
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
    expect(error.details).toEqual({ skippedModels: ['a', 'f'], totalSkipped: 2 });
  });
});

describe('spending the retry budget', () => {
  it('throws RETRIES_EXHAUSTED with the retry details and the last error message', async () => {
    ['a', 'b', 'c'].forEach((id) => bedrock.script(id, failWith(throttling())));
    const mux = new BedrockMultiplexer(configWith(['a', 'b', 'c'].map((id) => modelConfig(id)), { maxRetries: 1 }));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.message).toBe('All retry attempts exhausted (2 retries)');
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.details).toEqual({
      maxRetries: 1,
      actualRetries: 2,
      skippedModels: ['a', 'b'],
      totalSkipped: 2,
      lastError: 'Model rate limited',
    });
    expect(bedrock.route()).toEqual(['a', 'b']);
  });

  it('with no retries allowed, gives up after the first throttled model', async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], { maxRetries: 0 }));
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error.message).toBe('All retry attempts exhausted (1 retries)');
    expect(error.details).toEqual({
      maxRetries: 0,
      actualRetries: 1,
      skippedModels: ['a'],
      totalSkipped: 1,
      lastError: 'Model rate limited',
    });
  });

  it('reports the circuit-open message as the last error when that was the last failure', async () => {
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], { maxRetries: 0 }));
    const breakerA = (await mux.getModel('a'))!.getCircuitBreaker();
    mux.on('model-selected', (id) => id === 'a' && breakerA.forceOpen());
    const error: any = await mux.processRequest(userInput()).catch((e) => e);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.details.lastError).toBe('Circuit breaker is open for model a');
    expect(error.details.skippedModels).toEqual(['a']);
  });
});

describe('tier escalation', () => {
  it('retries a throttled model once on the escalation tier and returns that answer', async () => {
    bedrock.script('a', failWith(throttling()), answer('priority lane'));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalation));
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe('priority lane');
    expect(bedrock.route()).toEqual(['a', 'a:priority']);
    expect(bedrock.calls[0].input.serviceTier).toBeUndefined();
    expect(bedrock.calls[1].input.serviceTier).toEqual({ type: 'priority' });
    expect(mux.getStats().modelStats.a).toEqual(expect.objectContaining({ rateLimitCount: 1, successCount: 1 }));
  });

  it('uses the reserved tier when configured so', async () => {
    bedrock.script('a', failWith(throttling()), answer('reserved lane'));
    const mux = new BedrockMultiplexer(
      configWith([modelConfig('a')], { tierEscalation: { enabled: true, escalationTier: 'reserved' } }),
    );
    await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['a', 'a:reserved']);
  });

  it('escalates each throttled model at most once per request', async () => {
    bedrock.script('a', failWith(throttling()));
    bedrock.script('b', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith(['a', 'b', 'c'].map((id) => modelConfig(id)), escalation));
    await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['a', 'a:priority', 'b', 'b:priority', 'c']);
  });

  it('escalates again in a later request', async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalation));
    await mux.processRequest(userInput());
    await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['a', 'a:priority', 'b', 'a', 'a:priority', 'b']);
  });

  it('does not spend the retry budget', async () => {
    bedrock.script('a', failWith(throttling()), answer('escalated'));
    const none = new BedrockMultiplexer(configWith([modelConfig('a')], { ...escalation, maxRetries: 0 }));
    await expect(none.processRequest(userInput())).resolves.toBeDefined();
    expect(bedrock.route()).toEqual(['a', 'a:priority']);

    bedrock.reset();
    ['a', 'b', 'c'].forEach((id) => bedrock.script(id, failWith(throttling())));
    const one = new BedrockMultiplexer(configWith(['a', 'b', 'c'].map((id) => modelConfig(id)), { ...escalation, maxRetries: 1 }));
    const error: any = await one.processRequest(userInput()).catch((e) => e);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.details.actualRetries).toBe(2);
    expect(bedrock.route()).toEqual(['a', 'a:priority', 'b', 'b:priority']);
  });

  it('falls over to another model after a fail-fast escalation failure', async () => {
    bedrock.script('a', failWith(throttling()), failWith(validationFailure()));
    const mux = new BedrockMultiplexer(configWith([modelConfig('a'), modelConfig('b')], escalation));
    const response = await mux.processRequest(userInput());
    expect(response.output?.message?.content?.[0].text).toBe('answer from b');
    expect(bedrock.route()).toEqual(['a', 'a:priority', 'b']);
    expect(mux.getCircuitBreakerStatus().a.failureCount).toBe(2);
  });

  it('is not attempted when disabled', async () => {
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer(
      configWith([modelConfig('a'), modelConfig('b')], { tierEscalation: { enabled: false, escalationTier: 'priority' } }),
    );
    await mux.processRequest(userInput());
    expect(bedrock.route()).toEqual(['a', 'b']);
  });
});
