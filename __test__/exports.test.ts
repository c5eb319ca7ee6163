import * as pkg from '../index';
import {
  CircuitBreakerState,
  ErrorType,
  MultiplexerError,
  OutcomeType,
  RequestHandler,
  VERSION,
  extractResponseText,
} from '../index';

describe('package surface', () => {
  it('exports every name of the original', () => {
    // (`default` is added by TypeScript's esModuleInterop namespace import, not by the package.)
    expect(Object.keys(pkg).filter((key) => key !== 'default').sort()).toEqual(
      [
        'OutcomeType',
        'CircuitBreakerState',
        'ErrorType',
        'BedrockMultiplexer',
        'BedrockModel',
        'RequestHandler',
        'MultiplexerError',
        'Timer',
        'weightedRandomSelect',
        'createWeightedItem',
        'classifyError',
        'classifyErrorType',
        'isThrottlingError',
        'isRetryableError',
        'getRetryDelay',
        'toErrorResponse',
        'createEnhancedError',
        'getRecoverySuggestions',
        'getErrorMessage',
        'MultiplexerTracer',
        'createTracer',
        'CircuitBreaker',
        'CircuitBreakerManager',
        'DEFAULT_CIRCUIT_BREAKER_CONFIG',
        'ModelConfigValidator',
        'MultiplexerConfigValidator',
        'CircuitBreakerConfigValidator',
        'formatValidationErrors',
        'assertValid',
        'HealthCheckManager',
        'HealthCheckEndpoint',
        'RefusalClassifier',
        'extractResponseText',
        'createMultiplexer',
        'VERSION',
      ].sort(),
    );
  });

  it('reports version 1.0.0', () => {
    expect(VERSION).toBe('1.0.0');
  });
});

describe('enums', () => {
  it('OutcomeType is numeric with a reverse mapping', () => {
    expect(OutcomeType.SUCCESS).toBe(0);
    expect(OutcomeType.RATE_LIMIT).toBe(1);
    expect(OutcomeType.FAIL_FAST).toBe(2);
    expect(OutcomeType.REFUSAL).toBe(3);
    expect(OutcomeType[0]).toBe('SUCCESS');
    expect(OutcomeType[3]).toBe('REFUSAL');
    expect(Object.keys(OutcomeType)).toHaveLength(8);
  });

  it('CircuitBreakerState has string values', () => {
    expect({ ...CircuitBreakerState }).toStrictEqual({ CLOSED: 'CLOSED', OPEN: 'OPEN', HALF_OPEN: 'HALF_OPEN' });
  });

  it('ErrorType has string values', () => {
    expect({ ...ErrorType }).toStrictEqual({
      VALIDATION: 'VALIDATION',
      THROTTLING: 'THROTTLING',
      MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
      TIMEOUT: 'TIMEOUT',
      CANCELLED: 'CANCELLED',
      CIRCUIT_OPEN: 'CIRCUIT_OPEN',
      INTERNAL: 'INTERNAL',
      AUTHENTICATION: 'AUTHENTICATION',
      NETWORK: 'NETWORK',
      UNKNOWN: 'UNKNOWN',
    });
  });
});

describe('extractResponseText', () => {
  it('joins the text blocks with single spaces and ignores other blocks', () => {
    const output: any = {
      output: {
        message: {
          role: 'assistant',
          content: [{ text: 'First.' }, { toolUse: { toolUseId: 't', name: 'x', input: {} } }, { text: 'Second.' }],
        },
      },
    };
    expect(extractResponseText(output)).toBe('First. Second.');
  });

  it('keeps empty text blocks as empty segments', () => {
    expect(extractResponseText({ output: { message: { role: 'assistant', content: [{ text: '' }, { text: 'x' }] } } } as any)).toBe(' x');
  });

  it('returns an empty string when there is no message or no content', () => {
    expect(extractResponseText({} as any)).toBe('');
    expect(extractResponseText({ output: {} } as any)).toBe('');
    expect(extractResponseText({ output: { message: { role: 'assistant' } } } as any)).toBe('');
    expect(extractResponseText({ output: { message: { role: 'assistant', content: [] } } } as any)).toBe('');
  });
});

describe('RequestHandler with a hand-written delegate', () => {
  const delegate = (overrides: Record<string, any> = {}) => ({
    selectModel: jest.fn(async () => ({ modelId: 'ghost', isFallback: false })),
    getModel: jest.fn(async () => null),
    reportOutcome: jest.fn(async () => {}),
    emitEvent: jest.fn(),
    classifyRefusal: jest.fn(async () => null),
    refusalRetryEnabled: false,
    tierEscalationConfig: undefined,
    ...overrides,
  });

  it('skips a selected model that cannot be found and retries until the budget is spent', async () => {
    const d = delegate();
    const error: any = await new RequestHandler({ messages: [] }, d as any, 2, 'rid').process().catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('RETRIES_EXHAUSTED');
    expect(error.message).toBe('All retry attempts exhausted (3 retries)');
    expect(error.details).toEqual({
      maxRetries: 2,
      actualRetries: 3,
      skippedModels: ['ghost'],
      totalSkipped: 1,
      lastError: undefined,
    });
    expect(d.selectModel).toHaveBeenCalledTimes(3);
    expect(d.selectModel.mock.calls.map((call: any[]) => Array.from(call[0].skippedModels))).toEqual([[], ['ghost'], ['ghost']]);
    expect(d.emitEvent).not.toHaveBeenCalled();
  });

  it('returns the response of the delegate model and reports its outcome', async () => {
    const response = { output: { message: { role: 'assistant', content: [{ text: 'hi' }] } } };
    const outcome = { modelId: 'm', type: OutcomeType.SUCCESS, latency: 3, timestamp: new Date() };
    const model = { invoke: jest.fn(async () => ({ response, outcome })) };
    const d = delegate({
      selectModel: jest.fn(async () => ({ modelId: 'm', isFallback: false })),
      getModel: jest.fn(async () => model),
    });
    const input = { messages: [] };
    await expect(new RequestHandler(input, d as any, 1, 'rid-7').process()).resolves.toBe(response);
    expect(model.invoke).toHaveBeenCalledWith(input);
    expect(d.reportOutcome).toHaveBeenCalledWith(outcome);
    expect(d.emitEvent.mock.calls.map((c: any[]) => c.slice(0, 3))).toEqual([
      ['model-invocation-start', 'm', 'rid-7'],
      ['model-invocation-complete', 'm', 'rid-7'],
    ]);
  });

  it('rethrows an error without an outcome as it is', async () => {
    const oops = new RangeError('unexpected');
    const d = delegate({
      selectModel: jest.fn(async () => ({ modelId: 'm', isFallback: false })),
      getModel: jest.fn(async () => ({ invoke: async () => Promise.reject(oops) })),
    });
    await expect(new RequestHandler({ messages: [] }, d as any).process()).rejects.toBe(oops);
    expect(d.reportOutcome).not.toHaveBeenCalled();
  });

  it('moves on to another model only from an error whose name is the string CircuitOpenError', async () => {
    const failingWith = (name: unknown) => {
      const outcome = { modelId: 'm', type: OutcomeType.FAIL_FAST, latency: 0, timestamp: new Date() };
      const refused = Object.assign(new Error('open'), { name, outcome });
      const d = delegate({
        selectModel: jest.fn(async () => ({ modelId: 'm', isFallback: false })),
        getModel: jest.fn(async () => ({ invoke: async () => Promise.reject(refused) })),
      });
      return new RequestHandler({ messages: [] }, d as any, 1).process().catch((e) => e);
    };
    const movedOn = await failingWith('CircuitOpenError');
    expect(movedOn).toBeInstanceOf(MultiplexerError);
    expect(movedOn.message).toBe('All retry attempts exhausted (2 retries)');
    expect(movedOn.details.lastError).toBe('open');
    // The original compares with ===: a name that only converts to the string is another error.
    const lookalike = { toString: () => 'CircuitOpenError' };
    const rethrown = await failingWith(lookalike);
    expect(rethrown).not.toBeInstanceOf(MultiplexerError);
    expect(rethrown.name).toBe(lookalike);
  });

  it('defaults to three retries', async () => {
    const error: any = await new RequestHandler({ messages: [] }, delegate() as any).process().catch((e) => e);
    expect(error.details.maxRetries).toBe(3);
    expect(error.details.actualRetries).toBe(4);
  });
});
