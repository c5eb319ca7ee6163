import {
  BedrockMultiplexer,
  CircuitBreakerConfigValidator,
  ModelConfigValidator,
  MultiplexerConfigValidator,
  assertValid,
  formatValidationErrors,
} from '../index';

const good = { modelId: 'amazon.nova-lite-v1:0', weight: 1, isFallback: false };
const goodMux = { models: [good], defaultTimeoutMs: 30000, maxRetries: 3 };

const messagesOf = (result: { errors: { message: string }[] }) => result.errors.map((e) => e.message);
const fieldsOf = (result: { errors: { field: string }[] }) => result.errors.map((e) => e.field);

describe('ModelConfigValidator', () => {
  it('accepts a complete configuration', () => {
    expect(ModelConfigValidator.validate(good)).toStrictEqual({ isValid: true, errors: [] });
    expect(ModelConfigValidator.validate({ ...good, weight: 0 }).isValid).toBe(true);
    expect(ModelConfigValidator.validate({ ...good, weight: 10000, isFallback: true }).isValid).toBe(true);
  });

  it('rejects anything that is not an object', () => {
    expect(ModelConfigValidator.validate(null)).toStrictEqual({
      isValid: false,
      errors: [{ field: 'config', message: 'Model configuration must be a non-null object', expected: 'object', actual: 'object' }],
    });
    expect(ModelConfigValidator.validate('model').errors[0].actual).toBe('string');
    expect(ModelConfigValidator.validate(undefined).errors[0].actual).toBe('undefined');
  });

  it('reports every missing field, in order, without expected or actual', () => {
    expect(ModelConfigValidator.validate({})).toStrictEqual({
      isValid: false,
      errors: [
        { field: 'modelId', message: 'modelId is required' },
        { field: 'weight', message: 'weight is required' },
        { field: 'isFallback', message: 'isFallback is required' },
      ],
    });
    expect(messagesOf(ModelConfigValidator.validate({ modelId: '', weight: null, isFallback: null }))).toEqual([
      'modelId is required',
      'weight is required',
      'isFallback is required',
    ]);
  });

  it('rejects fields of the wrong type', () => {
    expect(ModelConfigValidator.validate({ modelId: 42, weight: '3', isFallback: 'no' }).errors).toStrictEqual([
      { field: 'modelId', message: 'modelId must be a string', expected: 'string', actual: 'number' },
      { field: 'weight', message: 'weight must be a number', expected: 'number', actual: 'string' },
      { field: 'isFallback', message: 'isFallback must be a boolean', expected: 'boolean', actual: 'string' },
    ]);
  });

  it('bounds the weight to 0..10000', () => {
    expect(ModelConfigValidator.validate({ ...good, weight: -0.5 }).errors).toStrictEqual([
      { field: 'weight', message: 'weight must be non-negative', expected: '>= 0', actual: '-0.5' },
    ]);
    expect(ModelConfigValidator.validate({ ...good, weight: 10001 }).errors).toStrictEqual([
      { field: 'weight', message: 'weight exceeds maximum allowed value', expected: '<= 10000', actual: '10001' },
    ]);
    expect(messagesOf(ModelConfigValidator.validate({ ...good, weight: Infinity }))).toEqual([
      'weight exceeds maximum allowed value',
    ]);
  });

  it('rejects a NaN weight (an addition of this package)', () => {
    const result = ModelConfigValidator.validate({ ...good, weight: NaN });
    expect(result.isValid).toBe(false);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].field).toBe('weight');
    expect(result.errors[0].message).toBe('weight must be a finite number');
  });
});

describe('MultiplexerConfigValidator', () => {
  it('accepts a minimal valid configuration and the boundary values', () => {
    expect(MultiplexerConfigValidator.validate(goodMux)).toStrictEqual({ isValid: true, errors: [] });
    for (const edge of [
      { defaultTimeoutMs: 1000 },
      { defaultTimeoutMs: 300000 },
      { maxRetries: 0 },
      { maxRetries: 10 },
      { clientConfig: null },
      { clientConfig: { region: 'us-west-2' } },
      { refusalDetection: { enabled: false } },
      { tierEscalation: { enabled: false, escalationTier: 'anything' } },
    ]) {
      expect(MultiplexerConfigValidator.validate({ ...goodMux, ...edge })).toEqual({ isValid: true, errors: [] });
    }
  });

  it('rejects anything that is not an object', () => {
    expect(MultiplexerConfigValidator.validate(null).errors).toStrictEqual([
      { field: 'config', message: 'Multiplexer configuration must be a non-null object', expected: 'object', actual: 'object' },
    ]);
    expect(MultiplexerConfigValidator.validate(7).errors[0].actual).toBe('number');
  });

  it('checks the models array', () => {
    expect(messagesOf(MultiplexerConfigValidator.validate({ ...goodMux, models: undefined }))).toEqual([
      'models array is required',
    ]);
    expect(MultiplexerConfigValidator.validate({ ...goodMux, models: 'a,b' }).errors).toStrictEqual([
      { field: 'models', message: 'models must be an array', expected: 'array', actual: 'string' },
    ]);
    expect(MultiplexerConfigValidator.validate({ ...goodMux, models: [] }).errors).toStrictEqual([
      { field: 'models', message: 'models array must contain at least one model' },
    ]);
  });

  it('prefixes model errors with their index and flags duplicate ids', () => {
    const result = MultiplexerConfigValidator.validate({
      ...goodMux,
      models: [good, { modelId: 'x', weight: -1, isFallback: true }, { ...good }],
    });
    expect(result.errors).toStrictEqual([
      { field: 'models[1].weight', message: 'weight must be non-negative', expected: '>= 0', actual: '-1' },
      { field: 'models[2].modelId', message: 'Duplicate modelId found', actual: 'amazon.nova-lite-v1:0' },
    ]);
  });

  it('requires at least one primary model', () => {
    const result = MultiplexerConfigValidator.validate({ ...goodMux, models: [{ ...good, isFallback: true }] });
    expect(result.errors).toStrictEqual([{ field: 'models', message: 'At least one primary (non-fallback) model is required' }]);
  });

  it('checks defaultTimeoutMs', () => {
    const check = (value: unknown) => MultiplexerConfigValidator.validate({ ...goodMux, defaultTimeoutMs: value }).errors;
    expect(check(undefined)).toStrictEqual([{ field: 'defaultTimeoutMs', message: 'defaultTimeoutMs is required' }]);
    expect(check(1500.5)).toStrictEqual([
      { field: 'defaultTimeoutMs', message: 'defaultTimeoutMs must be an integer', expected: 'integer', actual: '1500.5' },
    ]);
    expect(check('5000')[0].message).toBe('defaultTimeoutMs must be an integer');
    expect(check(999)).toStrictEqual([
      { field: 'defaultTimeoutMs', message: 'defaultTimeoutMs must be at least 1000ms', expected: '>= 1000', actual: '999' },
    ]);
    expect(check(300001)).toStrictEqual([
      {
        field: 'defaultTimeoutMs',
        message: 'defaultTimeoutMs must not exceed 300000ms (5 minutes)',
        expected: '<= 300000',
        actual: '300001',
      },
    ]);
  });

  it('checks maxRetries', () => {
    const check = (value: unknown) => MultiplexerConfigValidator.validate({ ...goodMux, maxRetries: value }).errors;
    expect(check(null)).toStrictEqual([{ field: 'maxRetries', message: 'maxRetries is required' }]);
    expect(check(2.5)).toStrictEqual([
      { field: 'maxRetries', message: 'maxRetries must be an integer', expected: 'integer', actual: '2.5' },
    ]);
    expect(check(-1)).toStrictEqual([
      { field: 'maxRetries', message: 'maxRetries must be non-negative', expected: '>= 0', actual: '-1' },
    ]);
    expect(check(11)).toStrictEqual([
      { field: 'maxRetries', message: 'maxRetries must not exceed 10', expected: '<= 10', actual: '11' },
    ]);
  });

  it('checks clientConfig is a plain object', () => {
    const check = (value: unknown) => MultiplexerConfigValidator.validate({ ...goodMux, clientConfig: value }).errors;
    expect(check(['us-east-1'])).toStrictEqual([
      {
        field: 'clientConfig',
        message: 'clientConfig must be a plain object (BedrockRuntimeClient config overrides)',
        expected: 'object',
        actual: 'array',
      },
    ]);
    expect(check('us-east-1')[0].actual).toBe('string');
  });

  it('checks refusalDetection', () => {
    const check = (value: unknown) => MultiplexerConfigValidator.validate({ ...goodMux, refusalDetection: value }).errors;
    expect(check('on')).toStrictEqual([
      { field: 'refusalDetection', message: 'refusalDetection must be an object', expected: 'object', actual: 'string' },
    ]);
    expect(check([])[0].actual).toBe('array');
    expect(check({ enabled: 'yes' })).toStrictEqual([
      { field: 'refusalDetection.enabled', message: 'enabled must be a boolean', expected: 'boolean', actual: 'string' },
    ]);
    expect(check({ enabled: true })).toStrictEqual([
      {
        field: 'refusalDetection.modelPath',
        message: 'modelPath is required when refusal detection is enabled',
        expected: 'string',
      },
    ]);
    expect(check({ enabled: true, modelPath: 'm.onnx', confidenceThreshold: 'high' })).toStrictEqual([
      {
        field: 'refusalDetection.confidenceThreshold',
        message: 'confidenceThreshold must be a number',
        expected: 'number',
        actual: 'string',
      },
    ]);
    expect(check({ enabled: true, modelPath: 'm.onnx', confidenceThreshold: 1.5 })).toStrictEqual([
      {
        field: 'refusalDetection.confidenceThreshold',
        message: 'confidenceThreshold must be between 0 and 1',
        expected: '0–1',
        actual: '1.5',
      },
    ]);
    expect(check({ enabled: true, modelPath: 'm.onnx', retryOnRefusal: 'never' })).toStrictEqual([
      {
        field: 'refusalDetection.retryOnRefusal',
        message: 'retryOnRefusal must be a boolean',
        expected: 'boolean',
        actual: 'string',
      },
    ]);
    expect(check({ enabled: true, modelPath: 'm.onnx', confidenceThreshold: 0, retryOnRefusal: false })).toEqual([]);
  });

  it('checks tierEscalation', () => {
    const check = (value: unknown) => MultiplexerConfigValidator.validate({ ...goodMux, tierEscalation: value }).errors;
    expect(check(true)).toStrictEqual([
      { field: 'tierEscalation', message: 'tierEscalation must be an object', expected: 'object', actual: 'boolean' },
    ]);
    expect(check({ enabled: 1 })).toStrictEqual([
      { field: 'tierEscalation.enabled', message: 'enabled must be a boolean', expected: 'boolean', actual: 'number' },
    ]);
    expect(check({ enabled: true })).toStrictEqual([
      {
        field: 'tierEscalation.escalationTier',
        message: 'escalationTier is required when tier escalation is enabled',
        expected: '"reserved" | "priority"',
      },
    ]);
    expect(check({ enabled: true, escalationTier: 'flex' })).toStrictEqual([
      {
        field: 'tierEscalation.escalationTier',
        message: 'escalationTier must be "reserved" or "priority"',
        expected: '"reserved" | "priority"',
        actual: 'flex',
      },
    ]);
    expect(check({ enabled: true, escalationTier: 'reserved' })).toEqual([]);
  });

  it('lists problems in the order models, timeout, clientConfig, refusal, tier, retries', () => {
    const result = MultiplexerConfigValidator.validate({
      models: [],
      defaultTimeoutMs: 1,
      maxRetries: 99,
      clientConfig: 'x',
      refusalDetection: 'x',
      tierEscalation: 'x',
    });
    expect(fieldsOf(result)).toEqual([
      'models',
      'defaultTimeoutMs',
      'clientConfig',
      'refusalDetection',
      'tierEscalation',
      'maxRetries',
    ]);
  });
});

describe('CircuitBreakerConfigValidator', () => {
  it('accepts an empty or complete configuration', () => {
    expect(CircuitBreakerConfigValidator.validate({})).toStrictEqual({ isValid: true, errors: [] });
    expect(
      CircuitBreakerConfigValidator.validate({ failureThreshold: 100, recoveryTimeMs: 1000, successThreshold: 20, failureWindowMs: 600000 })
        .isValid,
    ).toBe(true);
  });

  it('rejects anything that is not an object', () => {
    expect(CircuitBreakerConfigValidator.validate(false).errors).toStrictEqual([
      { field: 'config', message: 'Circuit breaker configuration must be a non-null object', expected: 'object', actual: 'boolean' },
    ]);
  });

  it('bounds each setting with its own message', () => {
    const errorsFor = (config: Record<string, unknown>) => CircuitBreakerConfigValidator.validate(config).errors;
    expect(errorsFor({ failureThreshold: 1.5 })).toStrictEqual([
      { field: 'failureThreshold', message: 'failureThreshold must be an integer', expected: 'integer', actual: '1.5' },
    ]);
    expect(errorsFor({ failureThreshold: 0 })[0]).toStrictEqual({
      field: 'failureThreshold',
      message: 'failureThreshold must be at least 1',
      expected: '>= 1',
      actual: '0',
    });
    expect(errorsFor({ failureThreshold: 101 })[0].message).toBe('failureThreshold must not exceed 100');
    expect(errorsFor({ recoveryTimeMs: 'soon' })[0].message).toBe('recoveryTimeMs must be an integer');
    expect(errorsFor({ recoveryTimeMs: 999 })[0].message).toBe('recoveryTimeMs must be at least 1000ms');
    expect(errorsFor({ recoveryTimeMs: 300001 })[0]).toStrictEqual({
      field: 'recoveryTimeMs',
      message: 'recoveryTimeMs must not exceed 300000ms (5 minutes)',
      expected: '<= 300000',
      actual: '300001',
    });
    expect(errorsFor({ successThreshold: 0 })[0].message).toBe('successThreshold must be at least 1');
    expect(errorsFor({ successThreshold: 21 })[0]).toStrictEqual({
      field: 'successThreshold',
      message: 'successThreshold must not exceed 20',
      expected: '<= 20',
      actual: '21',
    });
    expect(errorsFor({ failureWindowMs: 999 })[0].message).toBe('failureWindowMs must be at least 1000ms');
    expect(errorsFor({ failureWindowMs: 600001 })[0]).toStrictEqual({
      field: 'failureWindowMs',
      message: 'failureWindowMs must not exceed 600000ms (10 minutes)',
      expected: '<= 600000',
      actual: '600001',
    });
    expect(fieldsOf(CircuitBreakerConfigValidator.validate({ failureWindowMs: 1, successThreshold: 0, recoveryTimeMs: 1, failureThreshold: 0 }))).toEqual([
      'failureThreshold',
      'recoveryTimeMs',
      'successThreshold',
      'failureWindowMs',
    ]);
  });
});

describe('formatValidationErrors', () => {
  it('is empty for a valid result', () => {
    expect(formatValidationErrors({ isValid: true, errors: [] })).toBe('');
  });

  it('joins "field: message (expected: ...) (got: ...)" parts with semicolons', () => {
    expect(
      formatValidationErrors({
        isValid: false,
        errors: [
          { field: 'weight', message: 'too heavy', expected: '<= 10', actual: '11' },
          { field: 'modelId', message: 'missing' },
          { field: 'mode', message: 'odd', actual: 'x' },
        ],
      }),
    ).toBe('weight: too heavy (expected: <= 10) (got: 11); modelId: missing; mode: odd (got: x)');
  });

  it('leaves out empty expected and actual values', () => {
    expect(
      formatValidationErrors({ isValid: false, errors: [{ field: 'f', message: 'm', expected: '', actual: '' }] }),
    ).toBe('f: m');
  });

  it('formats what a validator returns', () => {
    expect(formatValidationErrors(ModelConfigValidator.validate({ modelId: 'a', weight: 20000, isFallback: false }))).toBe(
      'weight: weight exceeds maximum allowed value (expected: <= 10000) (got: 20000)',
    );
  });
});

describe('assertValid', () => {
  it('returns quietly for a valid result', () => {
    expect(assertValid({ isValid: true, errors: [] })).toBeUndefined();
  });

  it('throws an Error prefixed with "Validation failed: "', () => {
    const result = MultiplexerConfigValidator.validate({ ...goodMux, maxRetries: -2 });
    let thrown: any;
    try {
      assertValid(result);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(thrown.message).toBe('Validation failed: maxRetries: maxRetries must be non-negative (expected: >= 0) (got: -2)');
  });

  it('uses the given errors even when they were hand-made', () => {
    expect(() => assertValid({ isValid: false, errors: [{ field: 'x', message: 'y' }] })).toThrow('Validation failed: x: y');
  });
});

describe('the transport option (beyond the original)', () => {
  const transportError = 'transport: transport must be "auto", "native" or "js-sdk"';

  it('is one of "auto", "native" or "js-sdk" when given', () => {
    for (const transport of ['auto', 'native', 'js-sdk']) {
      expect(MultiplexerConfigValidator.validate({ ...goodMux, transport })).toStrictEqual({ isValid: true, errors: [] });
    }
  });

  it('is reported by the validator and thrown by the constructor with the value it got', () => {
    expect(MultiplexerConfigValidator.validate({ ...goodMux, transport: 'http' })).toStrictEqual({
      isValid: false,
      errors: [{ field: 'transport', message: 'transport must be "auto", "native" or "js-sdk"', actual: 'http' }],
    });
    expect(() => new BedrockMultiplexer({ ...goodMux, transport: 'http' } as never)).toThrow(`Validation failed: ${transportError} (got: http)`);
    expect(() => new BedrockMultiplexer({ ...goodMux, transport: null } as never)).toThrow(`Validation failed: ${transportError} (got: null)`);
  });
});
