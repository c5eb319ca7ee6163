// The real AWS SDK, with BedrockRuntimeClient.send stubbed by aws-sdk-client-mock.

import { mockClient } from 'aws-sdk-client-mock';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseCommandOutput,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import {
  BedrockMultiplexer,
  ErrorType,
  MultiplexerError,
  OutcomeType,
  classifyError,
  classifyErrorType,
  createEnhancedError,
  isRetryableError,
  toErrorResponse,
} from '../index';
import { modelConfig } from './helpers/util';

const bedrockMock = mockClient(BedrockRuntimeClient);

const output = (text: string): ConverseCommandOutput => ({
  output: { message: { role: 'assistant', content: [{ text }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 4, outputTokens: 2, totalTokens: 6 },
  metrics: { latencyMs: 20 },
  $metadata: { httpStatusCode: 200 },
});

const throttled = () =>
  new ThrottlingException({ message: 'Too many tokens, slow down.', $metadata: { httpStatusCode: 429, requestId: 'thr-1' } });

const invalid = () =>
  new ValidationException({ message: 'Malformed input request.', $metadata: { httpStatusCode: 400, requestId: 'val-1' } });

const input = {
  messages: [{ role: 'user' as const, content: [{ text: 'Name three prime numbers.' }] }],
  inferenceConfig: { maxTokens: 50 },
};

const newMux = (models = [modelConfig('model-a'), modelConfig('model-b')], extra: Record<string, any> = {}) =>
  new BedrockMultiplexer({
    models,
    defaultTimeoutMs: 5000,
    maxRetries: 3,
    clientConfig: { region: 'us-east-1', maxAttempts: 1 },
    ...extra,
  });

const sentInputs = () => bedrockMock.commandCalls(ConverseCommand).map((call) => call.args[0].input);

beforeEach(() => {
  bedrockMock.reset();
  jest.spyOn(Math, 'random').mockReturnValue(0);
});

afterEach(() => jest.restoreAllMocks());

describe('resolved sends', () => {
  it('answer the request and receive the input with the modelId stamped', async () => {
    bedrockMock.on(ConverseCommand).resolves(output('2, 3 and 5'));
    const mux = newMux();
    const response = await mux.processRequest(input);
    expect(response.output?.message?.content?.[0].text).toBe('2, 3 and 5');
    expect(sentInputs()).toEqual([{ ...input, modelId: 'model-a' }]);
  });

  it('go through real SDK clients and ConverseCommands', async () => {
    bedrockMock.on(ConverseCommand).resolves(output('ok'));
    const mux = newMux();
    await mux.processRequest(input);
    const model = await mux.getModel('model-a');
    expect(model!.getClient()).toBeInstanceOf(BedrockRuntimeClient);
    const calls = bedrockMock.commandCalls(ConverseCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0]).toBeInstanceOf(ConverseCommand);
    expect(bedrockMock.calls()).toHaveLength(1);
  });
});

describe('rejected sends', () => {
  it('throttling on one model fails over to the next', async () => {
    bedrockMock.on(ConverseCommand, { modelId: 'model-a' }).rejects(throttled());
    bedrockMock.on(ConverseCommand, { modelId: 'model-b' }).resolves(output('from b'));
    const mux = newMux();
    const outcomes: any[] = [];
    mux.on('error', (_e, outcome) => outcome && outcomes.push(outcome));

    const response = await mux.processRequest(input);
    expect(response.output?.message?.content?.[0].text).toBe('from b');
    expect(sentInputs().map((i) => i.modelId)).toEqual(['model-a', 'model-b']);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0].type).toBe(OutcomeType.RATE_LIMIT);
    expect(outcomes[0].error.code).toBe(429);
    expect(outcomes[0].error.details.name).toBe('ThrottlingException');
    expect(outcomes[0].error.details.fault).toBe('client');
    expect(outcomes[0].error.details.metadata).toEqual(expect.objectContaining({ requestId: 'thr-1' }));
  });

  it('a ValidationException rejects with the FailFastError shape', async () => {
    bedrockMock.on(ConverseCommand).rejects(invalid());
    const mux = newMux();
    const error: any = await mux.processRequest(input).catch((e) => e);
    expect(error.name).toBe('FailFastError');
    expect(error.message).toBe('Malformed input request.');
    expect(error.errorResponse).toEqual({
      code: 400,
      message: 'Malformed input request.',
      details: {
        name: 'ValidationException',
        stack: expect.any(String),
        metadata: expect.objectContaining({ httpStatusCode: 400, requestId: 'val-1' }),
        fault: 'client',
      },
    });
    expect(error.outcome).toEqual(
      expect.objectContaining({ modelId: 'model-a', type: OutcomeType.FAIL_FAST, error: error.errorResponse }),
    );
    expect(sentInputs()).toHaveLength(1);
  });

  it('a rejection given as a string becomes a FailFastError with that message', async () => {
    bedrockMock.on(ConverseCommand).rejects('connection reset by peer');
    const error: any = await newMux().processRequest(input).catch((e) => e);
    expect(error.name).toBe('FailFastError');
    expect(error.message).toBe('connection reset by peer');
  });

  it('every model throttled ends in NO_MODELS_AVAILABLE', async () => {
    bedrockMock.on(ConverseCommand).rejects(throttled());
    const error: any = await newMux().processRequest(input).catch((e) => e);
    expect(error).toBeInstanceOf(MultiplexerError);
    expect(error.code).toBe('NO_MODELS_AVAILABLE');
    expect(error.details).toEqual({ skippedModels: ['model-a', 'model-b'], totalSkipped: 2 });
  });
});

describe('tier escalation through the SDK', () => {
  const escalation = { tierEscalation: { enabled: true, escalationTier: 'priority' as const } };

  it('resends the throttled command to the same model with serviceTier { type }', async () => {
    bedrockMock
      .on(ConverseCommand, { modelId: 'model-a' })
      .rejectsOnce(throttled())
      .resolves(output('priority answer'));
    const mux = newMux(undefined, escalation);
    const response = await mux.processRequest(input);
    expect(response.output?.message?.content?.[0].text).toBe('priority answer');
    expect(sentInputs()).toEqual([
      { ...input, modelId: 'model-a' },
      { ...input, modelId: 'model-a', serviceTier: { type: 'priority' } },
    ]);
  });

  it('escalates once per model and then moves on', async () => {
    bedrockMock.on(ConverseCommand, { modelId: 'model-a' }).rejects(throttled());
    bedrockMock.on(ConverseCommand, { modelId: 'model-b' }).resolves(output('b'));
    await newMux(undefined, { tierEscalation: { enabled: true, escalationTier: 'reserved' } }).processRequest(input);
    expect(sentInputs().map((i) => [i.modelId, i.serviceTier?.type])).toEqual([
      ['model-a', undefined],
      ['model-a', 'reserved'],
      ['model-b', undefined],
    ]);
  });

  it('is keyed on the real ThrottlingException class only, not on other failures', async () => {
    bedrockMock.on(ConverseCommand, { modelId: 'model-a' }).rejects(
      new ServiceUnavailableException({ message: 'down', $metadata: { httpStatusCode: 503 } }),
    );
    const error: any = await newMux(undefined, escalation).processRequest(input).catch((e) => e);
    expect(error.name).toBe('FailFastError');
    expect(error.errorResponse.code).toBe(503);
    expect(error.errorResponse.details.fault).toBe('server');
    expect(sentInputs()).toHaveLength(1);
  });
});

describe('classification of real SDK exceptions', () => {
  it('maps them to outcomes, error types and retryability', () => {
    expect(classifyError(throttled())).toBe(OutcomeType.RATE_LIMIT);
    expect(classifyError(invalid())).toBe(OutcomeType.FAIL_FAST);
    expect(classifyErrorType(throttled())).toBe(ErrorType.THROTTLING);
    expect(classifyErrorType(invalid())).toBe(ErrorType.VALIDATION);
    expect(classifyErrorType(new AccessDeniedException({ message: 'nope', $metadata: {} }))).toBe(ErrorType.AUTHENTICATION);
    expect(classifyErrorType(new ServiceUnavailableException({ message: 'later', $metadata: {} }))).toBe(
      ErrorType.MODEL_UNAVAILABLE,
    );
    expect(isRetryableError(throttled())).toBe(true);
    expect(isRetryableError(invalid())).toBe(false);
  });

  it('reads status, fault and request id from them', () => {
    const response = toErrorResponse(throttled());
    expect(response.code).toBe(429);
    expect(response.details).toEqual(
      expect.objectContaining({ name: 'ThrottlingException', fault: 'client', metadata: expect.objectContaining({ requestId: 'thr-1' }) }),
    );
    const enhanced = createEnhancedError(throttled(), undefined, 'model-a');
    expect(enhanced.requestId).toBe('thr-1');
    expect(enhanced.errorType).toBe(ErrorType.THROTTLING);
    expect(enhanced.retryAfterMs).toBe(1000);
  });
});
