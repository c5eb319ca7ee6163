import {
  ErrorType,
  MultiplexerError,
  OutcomeType,
  classifyError,
  classifyErrorType,
  createEnhancedError,
  getErrorMessage,
  getRecoverySuggestions,
  getRetryDelay,
  isRetryableError,
  isThrottlingError,
  toErrorResponse,
} from '../index';

const named = (name: string, message = 'something happened', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name }, extra);

const THROTTLING_NAMES = [
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceQuotaExceededException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'RateLimitExceeded',
];

afterEach(() => jest.restoreAllMocks());

describe('MultiplexerError', () => {
  it('is an Error with name, code and details', () => {
    const error = new MultiplexerError('nothing left', 'NO_MODELS_AVAILABLE', { totalSkipped: 2 });
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('MultiplexerError');
    expect(error.message).toBe('nothing left');
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
    expect(error.details).toEqual({ totalSkipped: 2 });
    expect(typeof error.stack).toBe('string');
    expect(new MultiplexerError('m', 'C').details).toBeUndefined();
  });
});

describe('isThrottlingError', () => {
  it.each(THROTTLING_NAMES)('recognises %s', (name) => {
    expect(isThrottlingError(name)).toBe(true);
  });

  it('is exact and case-sensitive', () => {
    expect(isThrottlingError('throttlingexception')).toBe(false);
    expect(isThrottlingError('ThrottlingExceptionX')).toBe(false);
    expect(isThrottlingError('ValidationException')).toBe(false);
    expect(isThrottlingError('')).toBe(false);
  });
});

describe('classifyError', () => {
  it('maps throttling names to RATE_LIMIT and everything else to FAIL_FAST', () => {
    for (const name of THROTTLING_NAMES) expect(classifyError(named(name))).toBe(OutcomeType.RATE_LIMIT);
    expect(classifyError(named('ValidationException'))).toBe(OutcomeType.FAIL_FAST);
    expect(classifyError(new Error('rate limited'))).toBe(OutcomeType.FAIL_FAST);
    expect(classifyError({})).toBe(OutcomeType.FAIL_FAST);
    expect(classifyError(null)).toBe(OutcomeType.FAIL_FAST);
    expect(classifyError(undefined)).toBe(OutcomeType.FAIL_FAST);
  });
});

describe('classifyErrorType', () => {
  it.each([
    ['ThrottlingException', '', ErrorType.THROTTLING],
    ['ValidationException', '', ErrorType.VALIDATION],
    ['ValidationError', '', ErrorType.VALIDATION],
    ['AccessDeniedException', '', ErrorType.AUTHENTICATION],
    ['UnauthorizedException', '', ErrorType.AUTHENTICATION],
    ['CredentialsProviderError', '', ErrorType.AUTHENTICATION],
    ['Error', 'Could not load credentials from any providers', ErrorType.AUTHENTICATION],
    ['Error', 'Access Denied for this role', ErrorType.AUTHENTICATION],
    ['TimeoutError', '', ErrorType.TIMEOUT],
    ['ModelTimeoutException', '', ErrorType.TIMEOUT],
    ['Error', 'Connection TIMEOUT', ErrorType.TIMEOUT],
    ['Error', 'the call timed out', ErrorType.TIMEOUT],
    ['AbortError', '', ErrorType.CANCELLED],
    ['CancelledError', '', ErrorType.CANCELLED],
    ['Error', 'The operation was aborted', ErrorType.CANCELLED],
    ['Error', 'user cancelled it', ErrorType.CANCELLED],
    ['CircuitOpenError', '', ErrorType.CIRCUIT_OPEN],
    ['Error', 'circuit breaker tripped', ErrorType.CIRCUIT_OPEN],
    ['ModelNotReadyException', '', ErrorType.MODEL_UNAVAILABLE],
    ['ServiceUnavailableException', '', ErrorType.MODEL_UNAVAILABLE],
    ['ResourceNotFoundException', '', ErrorType.MODEL_UNAVAILABLE],
    ['Error', 'model not found', ErrorType.MODEL_UNAVAILABLE],
    ['Error', 'endpoint Unavailable', ErrorType.MODEL_UNAVAILABLE],
    ['NetworkError', '', ErrorType.NETWORK],
    ['NetworkingError', '', ErrorType.NETWORK],
    ['Error', 'network is down', ErrorType.NETWORK],
    ['Error', 'connect ECONNREFUSED 127.0.0.1:443', ErrorType.NETWORK],
    ['Error', 'getaddrinfo ENOTFOUND bedrock', ErrorType.NETWORK],
    ['InternalServerException', '', ErrorType.INTERNAL],
    ['Error', 'weird', ErrorType.UNKNOWN],
  ])('%s with message %j is %s', (name, message, expected) => {
    expect(classifyErrorType(named(name, message))).toBe(expected);
  });

  it('treats a server fault as internal', () => {
    expect(classifyErrorType(named('SomeServerThing', 'x', { $fault: 'server' }))).toBe(ErrorType.INTERNAL);
    expect(classifyErrorType(named('SomeClientThing', 'x', { $fault: 'client' }))).toBe(ErrorType.UNKNOWN);
  });

  it('checks the categories in a fixed order', () => {
    expect(classifyErrorType(named('ThrottlingException', 'credentials timeout'))).toBe(ErrorType.THROTTLING);
    expect(classifyErrorType(named('Error', 'credentials request timed out'))).toBe(ErrorType.AUTHENTICATION);
    expect(classifyErrorType(named('Error', 'timeout while cancelling'))).toBe(ErrorType.TIMEOUT);
    expect(classifyErrorType(named('Error', 'service unavailable on this network'))).toBe(ErrorType.MODEL_UNAVAILABLE);
    expect(classifyErrorType(named('InternalServerException', 'network glitch'))).toBe(ErrorType.NETWORK);
  });

  it('is UNKNOWN for nothing at all and tolerates missing fields', () => {
    expect(classifyErrorType(null)).toBe(ErrorType.UNKNOWN);
    expect(classifyErrorType(undefined)).toBe(ErrorType.UNKNOWN);
    expect(classifyErrorType({})).toBe(ErrorType.UNKNOWN);
  });
});

describe('isRetryableError', () => {
  it('retries throttling, timeouts, network, internal and unavailable errors only', () => {
    expect(isRetryableError(named('ThrottlingException'))).toBe(true);
    expect(isRetryableError(named('TimeoutError'))).toBe(true);
    expect(isRetryableError(named('NetworkError'))).toBe(true);
    expect(isRetryableError(named('InternalServerException'))).toBe(true);
    expect(isRetryableError(named('ModelNotReadyException'))).toBe(true);
    expect(isRetryableError(named('ValidationException'))).toBe(false);
    expect(isRetryableError(named('AccessDeniedException'))).toBe(false);
    expect(isRetryableError(named('AbortError'))).toBe(false);
    expect(isRetryableError(named('CircuitOpenError'))).toBe(false);
    expect(isRetryableError(named('Error', 'weird'))).toBe(false);
    expect(isRetryableError(null)).toBe(false);
  });
});

describe('getRetryDelay', () => {
  it('honours retryAfterSeconds without drawing a random number', () => {
    const random = jest.spyOn(Math, 'random');
    expect(getRetryDelay({ retryAfterSeconds: 7 })).toBe(7000);
    expect(getRetryDelay({ retryAfterSeconds: 120 }, 10, 9)).toBe(120000);
    expect(random).not.toHaveBeenCalled();
  });

  it('backs off exponentially from the base delay, plus up to 30 % jitter', () => {
    const random = jest.spyOn(Math, 'random').mockReturnValue(0);
    expect(getRetryDelay({})).toBe(1000);
    expect(getRetryDelay({}, 500, 3)).toBe(2000);
    expect(random).toHaveBeenCalledTimes(2);
    random.mockReturnValue(0.5);
    expect(getRetryDelay({}, 1000, 1)).toBe(1150);
    random.mockReturnValue(0.37);
    expect(getRetryDelay({}, 250, 4)).toBeCloseTo(2000 + 0.37 * 0.3 * 2000, 9);
  });

  it('caps the delay at 60 seconds', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.99);
    expect(getRetryDelay({}, 1000, 10)).toBe(60000);
    expect(getRetryDelay({}, 50000, 1)).toBe(60000);
  });
});

describe('toErrorResponse', () => {
  it('describes a missing error generically', () => {
    expect(toErrorResponse(null)).toStrictEqual({ code: 500, message: 'Unknown error occurred', details: {} });
  });

  it('copies status, message, name, stack and the SDK extras', () => {
    const error = named('ThrottlingException', 'slow down', {
      $metadata: { httpStatusCode: 429, requestId: 'abc' },
      $fault: 'client',
      requestId: 'top-level-id',
      retryAfterSeconds: 3,
    });
    expect(toErrorResponse(error)).toStrictEqual({
      code: 429,
      message: 'slow down',
      details: {
        name: 'ThrottlingException',
        stack: error.stack,
        metadata: { httpStatusCode: 429, requestId: 'abc' },
        fault: 'client',
        requestId: 'top-level-id',
        retryAfterSeconds: 3,
      },
    });
  });

  it('falls back to 500 and "Unknown error" when status and message are missing', () => {
    const response = toErrorResponse({ name: 'Odd', $metadata: { httpStatusCode: 0 } });
    expect(response.code).toBe(500);
    expect(response.message).toBe('Unknown error');
    expect(response.details).toEqual({ name: 'Odd', stack: undefined, metadata: { httpStatusCode: 0 } });
  });
});

describe('createEnhancedError', () => {
  it('adds type, retryability, a delay, suggestions, model and request ids', () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const error = named('ThrottlingException', 'slow down', { $metadata: { httpStatusCode: 429, requestId: 'rq-9' } });
    expect(createEnhancedError(error, undefined, 'model-x')).toStrictEqual({
      code: 429,
      message: 'slow down',
      details: { name: 'ThrottlingException', stack: error.stack, metadata: { httpStatusCode: 429, requestId: 'rq-9' } },
      errorType: ErrorType.THROTTLING,
      retryable: true,
      retryAfterMs: 1000,
      recoverySuggestions: getRecoverySuggestions(ErrorType.THROTTLING),
      modelId: 'model-x',
      requestId: 'rq-9',
    });
  });

  it('lets the caller choose the type and message; retryability still comes from the error', () => {
    const error = named('ValidationException', 'bad prompt');
    const enhanced = createEnhancedError(error, ErrorType.TIMEOUT, 'm', 'custom words');
    expect(enhanced.errorType).toBe(ErrorType.TIMEOUT);
    expect(enhanced.message).toBe('custom words');
    expect(enhanced.retryable).toBe(false);
    expect(enhanced.retryAfterMs).toBeUndefined();
    expect(enhanced.recoverySuggestions).toEqual(getRecoverySuggestions(ErrorType.TIMEOUT));
    expect(enhanced.requestId).toBeUndefined();
  });

  it('copes with a missing error', () => {
    const enhanced = createEnhancedError(null);
    expect(enhanced).toEqual({
      code: 500,
      message: 'Unknown error occurred',
      details: {},
      errorType: ErrorType.UNKNOWN,
      retryable: false,
      recoverySuggestions: getRecoverySuggestions(ErrorType.UNKNOWN),
    });
  });
});

describe('getRecoverySuggestions', () => {
  it.each([
    [ErrorType.THROTTLING, ['Reduce request rate', 'Implement exponential backoff', 'Consider using a different model', 'Request a quota increase from AWS']],
    [ErrorType.VALIDATION, ['Check request parameters', 'Verify prompt is not empty', 'Verify max_tokens is within allowed range', 'Check temperature is between 0 and 2']],
    [ErrorType.AUTHENTICATION, ['Check AWS credentials configuration', 'Verify IAM permissions for Amazon Bedrock', 'Verify the AWS region is correct', 'Check if the model is available in your region']],
    [ErrorType.TIMEOUT, ['Increase timeout duration', 'Reduce prompt size', 'Reduce max_tokens', 'Try a faster model']],
    [ErrorType.CANCELLED, ['Request was intentionally cancelled', 'Resubmit the request if needed']],
    [ErrorType.CIRCUIT_OPEN, ['Wait for the circuit breaker to recover', 'Check model health status', 'Use an alternative model']],
    [ErrorType.MODEL_UNAVAILABLE, ['Check if the model ID is correct', 'Verify the model is available in your region', 'Use a fallback model', 'Wait and retry later']],
    [ErrorType.NETWORK, ['Check network connectivity', 'Verify VPC/endpoint configuration', 'Check firewall rules', 'Retry the request']],
    [ErrorType.INTERNAL, ['Retry the request with exponential backoff', 'Contact AWS support if the issue persists', 'Check AWS service health dashboard']],
    [ErrorType.UNKNOWN, ['Check error details for more information', 'Retry the request', 'Contact support if the issue persists']],
  ])('lists the hints for %s', (type, hints) => {
    expect(getRecoverySuggestions(type)).toStrictEqual(hints);
  });

  it('uses the generic hints for an unrecognised type', () => {
    expect(getRecoverySuggestions('SOMETHING_ELSE' as ErrorType)).toEqual(getRecoverySuggestions(ErrorType.UNKNOWN));
  });

  it('returns a fresh array each time', () => {
    const first = getRecoverySuggestions(ErrorType.NETWORK);
    first.push('mutated');
    expect(getRecoverySuggestions(ErrorType.NETWORK)).toHaveLength(4);
  });
});

describe('getErrorMessage', () => {
  it.each([
    ['ThrottlingException', 'Request was throttled due to rate limiting. Please retry after some time.'],
    ['ValidationException', 'Request validation failed. Please check your input parameters.'],
    ['AccessDeniedException', 'Access denied. Please check your AWS credentials and permissions.'],
    ['InternalServerException', 'Internal server error occurred. Please retry the request.'],
    ['ModelNotReadyException', 'Model is not ready to serve requests. Please try again later.'],
    ['ModelTimeoutException', 'Model request timed out. Please try again.'],
    ['ServiceUnavailableException', 'Service is temporarily unavailable. Please try again later.'],
    ['ResourceNotFoundException', 'Requested model or resource was not found.'],
    ['TimeoutError', 'Request timed out. Consider increasing timeout or reducing request size.'],
    ['AbortError', 'Request was cancelled.'],
    ['CancelledError', 'Request was cancelled.'],
    ['CircuitOpenError', 'Circuit breaker is open. The model is temporarily unavailable due to repeated failures.'],
  ])('has a fixed message for %s', (name, message) => {
    expect(getErrorMessage(named(name, 'original text'))).toBe(message);
  });

  it('falls back to the error message, then to "<name> occurred"', () => {
    expect(getErrorMessage(named('TooManyRequestsException', 'quota hit'))).toBe('quota hit');
    expect(getErrorMessage({ name: 'Mystery' })).toBe('Mystery occurred');
    expect(getErrorMessage({})).toBe(' occurred');
    expect(getErrorMessage(null)).toBe('Unknown error occurred');
  });
});
