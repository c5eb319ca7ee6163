// The AWS SDK replaced with jest.mock and a factory: every client, command and send
// the package makes goes through these jest.fn()s.

const mockSend = jest.fn();

jest.mock('@aws-sdk/client-bedrock-runtime', () => ({
  BedrockRuntimeClient: jest.fn().mockImplementation((config: any) => ({ config, send: mockSend })),
  ConverseCommand: jest.fn().mockImplementation((input: any) => ({ commandName: 'Converse', input })),
  ConverseStreamCommand: jest.fn().mockImplementation((input: any) => ({ commandName: 'ConverseStream', input })),
}));

import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { BedrockModel, BedrockMultiplexer, CircuitBreaker, OutcomeType, createMultiplexer } from '../index';
import { flush, modelConfig, watch } from './helpers/util';

const ClientMock = BedrockRuntimeClient as unknown as jest.Mock;
const ConverseMock = ConverseCommand as unknown as jest.Mock;
const StreamMock = ConverseStreamCommand as unknown as jest.Mock;

const reply = (text: string) => ({
  output: { message: { role: 'assistant', content: [{ text }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
  metrics: { latencyMs: 1 },
  $metadata: {},
});

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });

const input = { messages: [{ role: 'user' as const, content: [{ text: 'Summarise the plot of Hamlet.' }] }] };

beforeEach(() => {
  mockSend.mockReset();
  ClientMock.mockClear();
  ConverseMock.mockClear();
  StreamMock.mockClear();
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('clients created by the multiplexer', () => {
  it('are one per model, each given the configured clientConfig object', () => {
    const clientConfig = { region: 'eu-west-1', maxAttempts: 1 };
    createMultiplexer([modelConfig('a'), modelConfig('b')], { clientConfig });
    expect(ClientMock).toHaveBeenCalledTimes(2);
    expect(ClientMock.mock.calls[0][0]).toBe(clientConfig);
    expect(ClientMock.mock.calls[1][0]).toBe(clientConfig);
  });

  it('get an empty configuration when none is given', () => {
    createMultiplexer([modelConfig('a')]);
    expect(ClientMock).toHaveBeenCalledTimes(1);
    expect(ClientMock).toHaveBeenCalledWith({});
  });

  it('are also created for models added later', () => {
    const mux = createMultiplexer([modelConfig('a')], { clientConfig: { region: 'us-east-2' } });
    mux.addModel(modelConfig('b'));
    expect(ClientMock).toHaveBeenCalledTimes(2);
    expect(ClientMock.mock.calls[1][0]).toEqual({ region: 'us-east-2' });
  });
});

describe('commands sent by the multiplexer', () => {
  it('are ConverseCommands with the caller input plus the routed modelId, sent with an abortSignal option', async () => {
    mockSend.mockResolvedValue(reply('Revenge, mostly.'));
    const mux = createMultiplexer([modelConfig('anthropic.claude-3-haiku')]);
    await mux.processRequest({ ...input, inferenceConfig: { maxTokens: 100 } });
    expect(ConverseMock).toHaveBeenCalledTimes(1);
    expect(ConverseMock).toHaveBeenCalledWith({
      ...input,
      inferenceConfig: { maxTokens: 100 },
      modelId: 'anthropic.claude-3-haiku',
    });
    expect(mockSend).toHaveBeenCalledTimes(1);
    const [command, options] = mockSend.mock.calls[0];
    expect(command).toBe(ConverseMock.mock.results[0].value);
    expect(options).toEqual({ abortSignal: undefined });
  });

  it('overwrite a modelId smuggled into the caller input', async () => {
    mockSend.mockResolvedValue(reply('ok'));
    const mux = createMultiplexer([modelConfig('routed')]);
    await mux.processRequest({ ...input, modelId: 'smuggled' } as any);
    expect(ConverseMock.mock.calls[0][0].modelId).toBe('routed');
  });

  it('carry serviceTier only on the escalated retry', async () => {
    mockSend.mockRejectedValueOnce(throttle()).mockResolvedValueOnce(reply('escalated'));
    const mux = createMultiplexer([modelConfig('a')], { tierEscalation: { enabled: true, escalationTier: 'priority' } });
    await mux.processRequest(input);
    expect(ConverseMock).toHaveBeenCalledTimes(2);
    expect('serviceTier' in ConverseMock.mock.calls[0][0]).toBe(false);
    expect(ConverseMock.mock.calls[1][0]).toEqual({ ...input, modelId: 'a', serviceTier: { type: 'priority' } });
  });

  it('resolve the request with whatever send resolved', async () => {
    const output = reply('exactly this');
    mockSend.mockResolvedValue(output);
    const mux = createMultiplexer([modelConfig('a')]);
    await expect(mux.processRequest(input)).resolves.toBe(output);
  });

  it('fail over when the mocked send throttles one model', async () => {
    mockSend.mockImplementation((command: any) =>
      command.input.modelId === 'busy' ? Promise.reject(throttle()) : Promise.resolve(reply(`from ${command.input.modelId}`)),
    );
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const mux = createMultiplexer([modelConfig('busy'), modelConfig('idle')]);
    const response = await mux.processRequest(input);
    expect(response.output?.message?.content?.[0].text).toBe('from idle');
    expect(mockSend.mock.calls.map(([command]) => command.input.modelId)).toEqual(['busy', 'idle']);
    expect(mux.getStats().rateLimitCount).toBe(1);
  });
});

describe('a client passed to new BedrockModel(config, client)', () => {
  it('is used as given and no SDK client is constructed', async () => {
    const output = reply('from my client');
    const client = { send: jest.fn().mockResolvedValue(output) };
    const model = new BedrockModel(modelConfig('mine', 2, true), client as any);
    expect(ClientMock).not.toHaveBeenCalled();
    expect(model.getClient()).toBe(client);

    const result = await model.invoke(input);
    expect(client.send).toHaveBeenCalledTimes(1);
    expect(client.send.mock.calls[0][0]).toEqual({ commandName: 'Converse', input: { ...input, modelId: 'mine' } });
    expect(mockSend).not.toHaveBeenCalled();
    expect(result.response).toBe(output);
    expect(result.outcome).toEqual({
      modelId: 'mine',
      type: OutcomeType.SUCCESS,
      latency: expect.any(Number),
      timestamp: expect.any(Date),
    });
  });

  it('receives the service tier when invoke is given one', async () => {
    const client = { send: jest.fn().mockResolvedValue(reply('x')) };
    const model = new BedrockModel(modelConfig('mine'), client as any);
    await model.invoke(input, undefined, 'flex');
    expect(client.send.mock.calls[0][0].input.serviceTier).toEqual({ type: 'flex' });
  });
});

describe('BedrockModel without a client', () => {
  it('builds one SDK client from clientConfig (or an empty object)', () => {
    const withConfig = new BedrockModel(modelConfig('m'), undefined, 1000, undefined, { region: 'ap-south-1' });
    expect(ClientMock).toHaveBeenLastCalledWith({ region: 'ap-south-1' });
    expect((withConfig.getClient() as any).config).toEqual({ region: 'ap-south-1' });
    new BedrockModel(modelConfig('n'));
    expect(ClientMock).toHaveBeenLastCalledWith({});
  });

  it('exposes its configuration through getters and a copy', () => {
    const config = modelConfig('cfg', 7, true);
    const model = new BedrockModel(config);
    expect(model.modelId).toBe('cfg');
    expect(model.weight).toBe(7);
    expect(model.isFallback).toBe(true);
    expect(model.configuration).toEqual(config);
    expect(model.configuration).not.toBe(config);
    model.configuration.weight = 100;
    expect(model.weight).toBe(7);
  });

  it('uses an injected breaker, or a fresh default one', () => {
    const shared = new CircuitBreaker('cfg', { failureThreshold: 1 });
    expect(new BedrockModel(modelConfig('cfg'), undefined, 1000, shared).getCircuitBreaker()).toBe(shared);
    const own = new BedrockModel(modelConfig('cfg')).getCircuitBreaker();
    expect(own).toBeInstanceOf(CircuitBreaker);
    expect(own).not.toBe(shared);
  });

  it('destroy resets the breaker', () => {
    const model = new BedrockModel(modelConfig('m'));
    model.getCircuitBreaker().forceOpen();
    model.destroy();
    expect(model.getCircuitBreaker().getState()).toBe('CLOSED');
  });

  it('times out after 30000 ms when no timeout is given', async () => {
    jest.useFakeTimers();
    mockSend.mockReturnValue(new Promise(() => {}));
    const model = new BedrockModel(modelConfig('m'));
    const call = watch(model.invoke(input));
    await flush();
    jest.advanceTimersByTime(29999);
    await flush();
    expect(call.settled).toBe(false);
    jest.advanceTimersByTime(1);
    await flush();
    expect(call.reason.message).toBe('Request timed out after 30000ms');
  });
});

describe('BedrockModel.invokeStream', () => {
  it('sends a ConverseStreamCommand and returns the raw output', async () => {
    const streamOutput = { stream: { [Symbol.asyncIterator]: async function* () {} }, $metadata: {} };
    const client = { send: jest.fn().mockResolvedValue(streamOutput) };
    const model = new BedrockModel(modelConfig('streamer'), client as any);
    await expect(model.invokeStream(input)).resolves.toBe(streamOutput);
    expect(StreamMock).toHaveBeenCalledWith({ ...input, modelId: 'streamer' });
    expect(client.send.mock.calls[0][0].commandName).toBe('ConverseStream');
  });

  it('rethrows the raw SDK error and counts it against the breaker', async () => {
    const error = throttle();
    const model = new BedrockModel(modelConfig('streamer'), { send: jest.fn().mockRejectedValue(error) } as any);
    await expect(model.invokeStream(input)).rejects.toBe(error);
    expect(model.getCircuitBreaker().getStatus().failureCount).toBe(1);
  });

  it('refuses with a plain Error while the breaker is open', async () => {
    const client = { send: jest.fn() };
    const model = new BedrockModel(modelConfig('streamer'), client as any);
    model.getCircuitBreaker().forceOpen();
    const error: any = await model.invokeStream(input).catch((e) => e);
    expect(error.name).toBe('Error');
    expect(error.message).toBe('Circuit breaker is open for model streamer');
    expect(client.send).not.toHaveBeenCalled();
  });

  it('records a success on the breaker, closing a half-open one after enough successes', async () => {
    const client = { send: jest.fn().mockResolvedValue({ stream: null }) };
    const breaker = new CircuitBreaker('streamer', { recoveryTimeMs: 1000, successThreshold: 1 });
    jest.useFakeTimers();
    breaker.forceOpen();
    jest.advanceTimersByTime(1000);
    const model = new BedrockModel(modelConfig('streamer'), client as any, 5000, breaker);
    const call = watch(model.invokeStream(input));
    await flush();
    expect(call.settled).toBe(true);
    expect(breaker.getState()).toBe('CLOSED');
  });
});

describe('multiplexer with this mock', () => {
  it('is still a BedrockMultiplexer whose models hold the mocked clients', async () => {
    const mux = new BedrockMultiplexer({ models: [modelConfig('a')], defaultTimeoutMs: 1000, maxRetries: 0 });
    const model = await mux.getModel('a');
    expect(model!.getClient()).toBe(ClientMock.mock.results[0].value);
  });
});
