// Timer on jest's fake timers, and the optional X-Ray tracer: off (a no-op) and on,
// with @aws-lambda-powertools/tracer replaced by a recording fake.

const mockTracerLog: { calls: any[][]; constructed: any[] } = { calls: [], constructed: [] };

function mockSegment(name: string): any {
  return {
    name,
    closed: false,
    children: [] as any[],
    addNewSubsegment(childName: string) {
      const child = mockSegment(childName);
      this.children.push(child);
      mockTracerLog.calls.push(['addNewSubsegment', name, childName]);
      return child;
    },
    close() {
      this.closed = true;
      mockTracerLog.calls.push(['close', name]);
    },
  };
}

const mockRoot = mockSegment('root');

jest.mock('@aws-lambda-powertools/tracer', () => ({
  Tracer: jest.fn().mockImplementation((options: any) => {
    mockTracerLog.constructed.push(options);
    return {
      putAnnotation: (key: string, value: any) => mockTracerLog.calls.push(['putAnnotation', key, value]),
      putMetadata: (key: string, value: any) => mockTracerLog.calls.push(['putMetadata', key, value]),
      getSegment: () => mockRoot,
      setSegment: (segment: any) => mockTracerLog.calls.push(['setSegment', segment.name]),
    };
  }),
}));

jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import { BedrockMultiplexer, MultiplexerTracer, Timer, createTracer } from '../index';
import { bedrock, failWith, userInput, validationFailure } from './helpers/fake-bedrock';
import { eventually, modelConfig } from './helpers/util';

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('Timer', () => {
  beforeEach(() => jest.useFakeTimers());

  it('calls back once when the duration has elapsed', () => {
    const callback = jest.fn();
    const timer = new Timer(callback);
    expect(timer.isRunning()).toBe(false);
    timer.start(1000);
    expect(timer.isRunning()).toBe(true);
    jest.advanceTimersByTime(999);
    expect(callback).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(callback).toHaveBeenCalledTimes(1);
    expect(timer.isRunning()).toBe(false);
    jest.advanceTimersByTime(10000);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('is no longer running by the time its callback runs', () => {
    let runningInside: boolean | undefined;
    const timer: Timer = new Timer(() => {
      runningInside = timer.isRunning();
    });
    timer.start(10);
    jest.advanceTimersByTime(10);
    expect(runningInside).toBe(false);
  });

  it('restarts from zero when started again', () => {
    const callback = jest.fn();
    const timer = new Timer(callback);
    timer.start(1000);
    jest.advanceTimersByTime(800);
    timer.start(1000);
    jest.advanceTimersByTime(800);
    expect(callback).not.toHaveBeenCalled();
    jest.advanceTimersByTime(200);
    expect(callback).toHaveBeenCalledTimes(1);
  });

  it('cancel stops a pending callback and is harmless when idle', () => {
    const callback = jest.fn();
    const timer = new Timer(callback);
    timer.cancel();
    timer.start(500);
    timer.cancel();
    expect(timer.isRunning()).toBe(false);
    jest.advanceTimersByTime(1000);
    expect(callback).not.toHaveBeenCalled();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('can be started again after firing', () => {
    const callback = jest.fn();
    const timer = new Timer(callback);
    timer.start(5);
    jest.advanceTimersByTime(5);
    timer.start(5);
    expect(timer.isRunning()).toBe(true);
    jest.advanceTimersByTime(5);
    expect(callback).toHaveBeenCalledTimes(2);
  });
});

describe('MultiplexerTracer when disabled', () => {
  it('is not enabled and never loads the tracer package', async () => {
    const tracer = createTracer({ enabled: false });
    expect(tracer).toBeInstanceOf(MultiplexerTracer);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(tracer.isEnabled()).toBe(false);
    expect(mockTracerLog.constructed).toEqual([]);
  });

  it('turns every tracing call into a no-op', () => {
    const tracer = new MultiplexerTracer({ enabled: false, captureBodies: true });
    const segment = { close: jest.fn() };
    expect(() => tracer.putAnnotation('k', 1)).not.toThrow();
    expect(() => tracer.putMetadata('k', { a: 1 })).not.toThrow();
    expect(tracer.createSubsegment('x')).toBeNull();
    expect(() => tracer.setSegment(segment)).not.toThrow();
    expect(mockTracerLog.calls).toEqual([]);
  });

  it('closeSegment closes what it is given and swallows errors', () => {
    const tracer = new MultiplexerTracer({ enabled: false });
    const segment = { close: jest.fn() };
    tracer.closeSegment(segment);
    expect(segment.close).toHaveBeenCalledTimes(1);
    expect(() => tracer.closeSegment({ close: () => { throw new Error('x'); } })).not.toThrow();
    expect(() => tracer.closeSegment(null)).not.toThrow();
  });

  it('traceOperation returns the result and annotates metadata, outcome and latency through putAnnotation', async () => {
    const tracer = createTracer({ enabled: false });
    const annotate = jest.spyOn(tracer, 'putAnnotation');
    await expect(tracer.traceOperation('op', async () => 'value', { tenant: 'acme', attempt: 2 })).resolves.toBe('value');
    expect(annotate.mock.calls).toEqual([
      ['tenant', 'acme'],
      ['attempt', 2],
      ['outcome', 'success'],
      ['latency_ms', expect.any(Number)],
    ]);
  });

  it('traceOperation rethrows the same error after annotating it', async () => {
    jest.useFakeTimers({ now: 1000 });
    const tracer = createTracer({ enabled: false, captureBodies: true });
    const annotate = jest.spyOn(tracer, 'putAnnotation');
    const metadata = jest.spyOn(tracer, 'putMetadata');
    const failure = Object.assign(new Error('nope'), { name: 'SpecialError', code: 'E42' });
    await expect(
      tracer.traceOperation('op', async () => {
        jest.advanceTimersByTime(25);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(annotate.mock.calls).toEqual([
      ['outcome', 'error'],
      ['error_type', 'SpecialError'],
      ['latency_ms', 25],
    ]);
    expect(metadata).toHaveBeenCalledWith('error', { message: 'nope', stack: failure.stack, code: 'E42' });
  });

  it('names an unnamed failure UnknownError', async () => {
    const tracer = createTracer({ enabled: false });
    const annotate = jest.spyOn(tracer, 'putAnnotation');
    await expect(tracer.traceOperation('op', () => Promise.reject({ message: 'bare' }))).rejects.toEqual({ message: 'bare' });
    expect(annotate).toHaveBeenCalledWith('error_type', 'UnknownError');
  });

  it('generates request ids from the clock and Math.random', () => {
    jest.useFakeTimers({ now: 1700000000000 });
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    expect(createTracer({ enabled: false }).generateRequestId()).toBe('req_1700000000000_i');
    jest.spyOn(Math, 'random').mockReturnValue(0.123456789);
    expect(createTracer({ enabled: false }).generateRequestId()).toBe(
      `req_1700000000000_${(0.123456789).toString(36).substr(2, 9)}`,
    );
  });
});

describe('MultiplexerTracer when enabled', () => {
  beforeEach(() => {
    mockTracerLog.calls = [];
    mockTracerLog.constructed = [];
    mockRoot.children = [];
  });

  it('loads the tracer package asynchronously with the service name', async () => {
    const tracer = createTracer({ enabled: true, serviceName: 'checkout' });
    expect(tracer.isEnabled()).toBe(false);
    expect(await eventually(() => tracer.isEnabled())).toBe(true);
    expect(mockTracerLog.constructed).toEqual([{ serviceName: 'checkout' }]);
  });

  it('defaults the service name to bedrock-multiplexer', async () => {
    const tracer = createTracer({ enabled: true });
    await eventually(() => tracer.isEnabled());
    expect(mockTracerLog.constructed).toEqual([{ serviceName: 'bedrock-multiplexer' }]);
  });

  it('wraps an operation in a subsegment of the current segment and annotates it', async () => {
    const tracer = createTracer({ enabled: true });
    expect(await eventually(() => tracer.isEnabled())).toBe(true);
    await tracer.traceOperation('lookup', async () => 1, { key: 'v' });
    expect(mockTracerLog.calls).toEqual([
      ['addNewSubsegment', 'root', 'lookup'],
      ['putAnnotation', 'key', 'v'],
      ['setSegment', 'lookup'],
      ['putAnnotation', 'outcome', 'success'],
      ['putAnnotation', 'latency_ms', expect.any(Number)],
      ['close', 'lookup'],
    ]);
    expect(mockRoot.children[0].closed).toBe(true);
  });

  it('forwards metadata only when bodies are captured', async () => {
    const quiet = createTracer({ enabled: true });
    const chatty = createTracer({ enabled: true, captureBodies: true });
    expect(await eventually(() => quiet.isEnabled() && chatty.isEnabled())).toBe(true);
    quiet.putMetadata('body', { a: 1 });
    chatty.putMetadata('body', { b: 2 });
    expect(mockTracerLog.calls).toEqual([['putMetadata', 'body', { b: 2 }]]);
  });

  it('annotates a multiplexer request once the tracer has loaded', async () => {
    bedrock.reset();
    const mux = new BedrockMultiplexer({
      models: [modelConfig('a'), modelConfig('f', 1, true)],
      defaultTimeoutMs: 5000,
      maxRetries: 2,
      tracing: { enabled: true },
    });
    expect(await eventually(() => mockTracerLog.constructed.length > 0)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    mockTracerLog.calls = [];
    await mux.processRequest(userInput());

    const annotations = mockTracerLog.calls.filter((c) => c[0] === 'putAnnotation').map((c) => [c[1], c[2]]);
    const requestId = annotations[0][1];
    expect(requestId).toMatch(/^req_\d+_/);
    expect(annotations).toEqual([
      ['request_id', requestId],
      ['service', 'bedrock-multiplexer'],
      ['request_id', requestId],
      ['model_count', 2],
      ['primary_models', 1],
      ['fallback_models', 1],
      ['outcome', 'success'],
      ['outcome', 'success'],
      ['latency_ms', expect.any(Number)],
    ]);
    expect(mockTracerLog.calls[0]).toEqual(['addNewSubsegment', 'root', 'BedrockMultiplexer.processRequest']);
    expect(mockTracerLog.calls[mockTracerLog.calls.length - 1]).toEqual(['close', 'BedrockMultiplexer.processRequest']);
  });

  it('annotates failures and model selection when asked to', async () => {
    bedrock.reset();
    bedrock.script('a', failWith(validationFailure()));
    const mux = new BedrockMultiplexer({
      models: [modelConfig('a')],
      defaultTimeoutMs: 5000,
      maxRetries: 2,
      tracing: { enabled: true, captureModelSelection: true, captureBodies: true },
    });
    expect(await eventually(() => mockTracerLog.constructed.length > 0)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    mockTracerLog.calls = [];
    const input = userInput();
    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: 'FailFastError' });

    const keys = mockTracerLog.calls.filter((c) => c[0] === 'putAnnotation').map((c) => c[1]);
    expect(keys).toEqual([
      'request_id',
      'service',
      'request_id',
      'model_count',
      'primary_models',
      'fallback_models',
      'skipped_models_count',
      'available_primary_models',
      'available_fallback_models',
      'selected_model_type',
      'selected_model_id',
      'outcome',
      'latency_ms',
      'outcome',
      'error_message',
      'outcome',
      'error_type',
      'latency_ms',
    ]);
    const find = (key: string) => mockTracerLog.calls.find((c) => c[0] === 'putAnnotation' && c[1] === key)![2];
    expect(find('selected_model_id')).toBe('a');
    expect(find('selected_model_type')).toBe('primary');
    expect(find('error_message')).toBe('The provided model identifier is invalid.');
    expect(find('error_type')).toBe('FailFastError');
    const metadataKeys = mockTracerLog.calls.filter((c) => c[0] === 'putMetadata').map((c) => c[1]);
    expect(metadataKeys).toEqual(['request', 'skipped_models', 'error']);
    expect(mockTracerLog.calls.find((c) => c[0] === 'putMetadata' && c[1] === 'request')![2]).toBe(input);
  });
});
