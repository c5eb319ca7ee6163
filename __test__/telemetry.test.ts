// OpenTelemetry spans and metrics (issue 15), through the SDK's in-memory exporters,
// against the bundled Bedrock emulator over the native transport: nothing of ours is
// mocked. Model ids: a primary `…primary…` before a fallback `…fallback…` makes the
// first choice deterministic without touching Math.random.

import { context, trace, metrics, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import { emulatorFixture } from './helpers/emulator-fixture';

jest.setTimeout(20_000);

const native = require('../js/native');

const PRIMARY = 'otel.primary-v1:0';
const FALLBACK = 'otel.fallback-v1:0';

const fixture = emulatorFixture(FALLBACK, { modelIds: [PRIMARY, FALLBACK], defaultTimeoutMs: 5000 });
let emulator: ReturnType<typeof fixture.emulator>;

beforeEach(() => {
  emulator = fixture.emulator();
});

afterEach(() => {
  trace.disable();
  metrics.disable();
  context.disable();
});

function multiplexer(extra: Record<string, any> = {}) {
  return fixture.multiplexer('native', extra);
}

const input = { messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }], inferenceConfig: { maxTokens: 64, temperature: 0.5, topP: 0.9, stopSequences: ['END'] } };

function tracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

function metering() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  /** Every metric collected so far, by name. */
  const collect = async () => {
    await reader.forceFlush();
    const byName = new Map<string, any>();
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
    }
    return byName;
  };
  return { provider, collect };
}

const childrenOf = (spans: ReadableSpan[], parent: ReadableSpan) => spans.filter((s) => s.parentSpanContext?.spanId === parent.spanContext().spanId);

/** The histogram points of `metric` whose attributes include `attributes`. */
function points(metric: HistogramMetricData | undefined, attributes: Record<string, unknown>) {
  return (metric?.dataPoints ?? []).filter((point) => Object.entries(attributes).every(([k, v]) => point.attributes[k] === v));
}

describe('spans', () => {
  it('a failover from a throttled model: one request span, two attempt children with their statuses', async () => {
    emulator.setBehavior(PRIMARY, { fault: 'throttle' });
    const { exporter, provider } = tracing();
    const mux = multiplexer({ openTelemetry: { tracerProvider: provider } });
    const response = await mux.processRequest(input);
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    const request = spans.find((s) => s.parentSpanContext === undefined)!;
    expect(request.name).toBe(`chat ${FALLBACK}`);
    expect(request.kind).toBe(SpanKind.CLIENT);
    expect(request.status.code).toBe(SpanStatusCode.UNSET);
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.request.model': FALLBACK,
      'gen_ai.request.max_tokens': 64,
      'gen_ai.request.temperature': 0.5,
      'gen_ai.request.top_p': 0.9,
      'gen_ai.request.stop_sequences': ['END'],
      'gen_ai.response.finish_reasons': [response.stopReason],
      'gen_ai.usage.input_tokens': response.usage!.inputTokens,
      'gen_ai.usage.output_tokens': response.usage!.outputTokens,
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(emulator.endpoint).port),
      'bmm.attempts': 2,
    });
    expect(request.attributes['gen_ai.input.messages']).toBeUndefined();

    const [throttled, answered] = childrenOf(spans, request).sort((a, b) => Number(a.attributes['bmm.attempt']) - Number(b.attributes['bmm.attempt']));
    expect(throttled.name).toBe(`chat ${PRIMARY}`);
    expect(throttled.kind).toBe(SpanKind.CLIENT);
    expect(throttled.status.code).toBe(SpanStatusCode.ERROR);
    expect(throttled.attributes).toMatchObject({ 'gen_ai.request.model': PRIMARY, 'bmm.attempt': 1, 'bmm.outcome': 'rate_limit', 'error.type': 'ThrottlingException', 'bmm.breaker_state': 'closed' });
    expect(answered.name).toBe(`chat ${FALLBACK}`);
    expect(answered.status.code).toBe(SpanStatusCode.UNSET);
    expect(throttled.attributes['bmm.fallback']).toBeUndefined();
    expect(answered.attributes).toMatchObject({ 'bmm.attempt': 2, 'bmm.fallback': true, 'bmm.outcome': 'success', 'bmm.failover_reason': 'ThrottlingException', 'gen_ai.usage.output_tokens': response.usage!.outputTokens });
    expect(answered.attributes['error.type']).toBeUndefined();
    // Attempts lie within the request, one after the other.
    const at = (time: [number, number]) => time[0] * 1e9 + time[1]; // ns, within 256 ns
    expect(at(throttled.startTime)).toBeGreaterThanOrEqual(at(request.startTime));
    expect(at(throttled.endTime)).toBeLessThanOrEqual(at(answered.startTime));
    expect(at(answered.endTime)).toBeLessThanOrEqual(at(request.endTime));
    // The answer's arrival as the native transport measured it, off the JavaScript thread, ends the attempt.
    const answeredAt = performance.timeOrigin + require('../js/transport').nativeAnswerTime(response);
    expect(at(answered.endTime) / 1e6).toBeCloseTo(answeredAt, 3);
  });

  it('a request that fails everywhere ends its span in error with error.type', async () => {
    emulator.setBehavior(PRIMARY, { fault: 'throttle' });
    emulator.setBehavior(FALLBACK, { fault: 'throttle' });
    const { exporter, provider } = tracing();
    const mux = multiplexer({ openTelemetry: { tracerProvider: provider } });
    const error: any = await mux.processRequest(input).catch((e) => e);
    const request = exporter.getFinishedSpans().find((s) => s.parentSpanContext === undefined)!;
    expect(request.name).toBe('chat');
    expect(request.status.code).toBe(SpanStatusCode.ERROR);
    expect(request.attributes['error.type']).toBe(error.code ?? error.name);
  });

  it("joins the caller's trace: the caller's active span is the request span's parent", async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const { exporter, provider } = tracing();
    const mux = multiplexer({ openTelemetry: { tracerProvider: provider } });
    const caller = provider.getTracer('caller');
    await caller.startActiveSpan('handle user question', async (span) => {
      await mux.processRequest(input);
      span.end();
    });
    const spans = exporter.getFinishedSpans();
    const callerSpan = spans.find((s) => s.name === 'handle user question')!;
    const request = spans.find((s) => s.name === `chat ${PRIMARY}` && s.attributes['bmm.attempt'] === undefined)!;
    expect(request.parentSpanContext?.spanId).toBe(callerSpan.spanContext().spanId);
    expect(request.spanContext().traceId).toBe(callerSpan.spanContext().traceId);
    expect(childrenOf(spans, request)).toHaveLength(1);
  });

  it('records the messages and the answer only with captureContent', async () => {
    const { exporter, provider } = tracing();
    const mux = multiplexer({ openTelemetry: { tracerProvider: provider, captureContent: true } });
    const response = await mux.processRequest({ ...input, system: [{ text: 'be brief' }] });
    const request = exporter.getFinishedSpans().find((s) => s.parentSpanContext === undefined)!;
    expect(JSON.parse(String(request.attributes['gen_ai.input.messages']))).toEqual(input.messages);
    expect(JSON.parse(String(request.attributes['gen_ai.system_instructions']))).toEqual([{ text: 'be brief' }]);
    expect(JSON.parse(String(request.attributes['gen_ai.output.messages']))).toEqual([response.output!.message]);
  });
});

describe('metrics', () => {
  it('token usage histograms hold the usage the emulator answered with', async () => {
    emulator.setBehavior(PRIMARY, { usage: { inputTokens: 21, outputTokens: 34 } });
    const { provider, collect } = metering();
    const mux = multiplexer({ openTelemetry: { meterProvider: provider } });
    const first = await mux.processRequest(input);
    const second = await mux.processRequest(input);
    expect([first.usage, second.usage]).toEqual([expect.objectContaining({ inputTokens: 21, outputTokens: 34 }), expect.objectContaining({ inputTokens: 21, outputTokens: 34 })]);
    const byName = await collect();
    const usage = byName.get('gen_ai.client.token.usage');
    expect(usage.descriptor.unit).toBe('{token}');
    const [input_] = points(usage, { 'gen_ai.token.type': 'input', 'gen_ai.request.model': PRIMARY });
    const [output] = points(usage, { 'gen_ai.token.type': 'output', 'gen_ai.request.model': PRIMARY });
    expect([input_.value.count, input_.value.sum]).toEqual([2, 42]);
    expect([output.value.count, output.value.sum]).toEqual([2, 68]);
    expect(input_.value.buckets.boundaries).toEqual([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);
    const [duration] = points(byName.get('gen_ai.client.operation.duration'), { 'gen_ai.request.model': PRIMARY });
    expect(duration.value.count).toBe(2);
    expect(byName.get('gen_ai.client.operation.duration').descriptor.unit).toBe('s');
  });

  it('a failover counts, the failed call carries error.type, and the breaker gauge reads each model', async () => {
    emulator.setBehavior(PRIMARY, { fault: 'throttle' });
    const { provider, collect } = metering();
    const mux = multiplexer({ openTelemetry: { meterProvider: provider } });
    await mux.processRequest(input);
    const byName = await collect();
    const [failover] = byName.get('bmm.failovers').dataPoints;
    expect(failover.value).toBe(1);
    expect(failover.attributes).toMatchObject({ 'gen_ai.request.model': PRIMARY, 'bmm.failover_reason': 'ThrottlingException' });
    expect(points(byName.get('gen_ai.client.operation.duration'), { 'gen_ai.request.model': PRIMARY, 'error.type': 'ThrottlingException' })).toHaveLength(1);
    const gauge = byName.get('bmm.breaker.state').dataPoints.map((p: any) => [p.attributes['gen_ai.request.model'], p.value]);
    expect(gauge.sort()).toEqual([[FALLBACK, 0], [PRIMARY, 0]]);
  });

  it('a stream records time to first chunk, time per output chunk, and ends its spans with the stream', async () => {
    emulator.setBehavior(PRIMARY, { mode: 'fixed', text: 'one two three four five six', stream: { chunkSize: 4, eventDelayMs: 5 }, usage: { inputTokens: 3, outputTokens: 6 } });
    const { provider: meterProvider, collect } = metering();
    const { exporter, provider: tracerProvider } = tracing();
    const mux = multiplexer({ openTelemetry: { meterProvider, tracerProvider } });
    const { stream } = await mux.processStreamRequest(input);
    expect(exporter.getFinishedSpans()).toHaveLength(0); // both spans end with the stream
    let text = '';
    for await (const event of stream!) text += event.contentBlockDelta?.delta?.text ?? '';
    expect(text).toBe('one two three four five six');
    const byName = await collect();
    const [first] = points(byName.get('gen_ai.client.operation.time_to_first_chunk'), { 'gen_ai.request.model': PRIMARY });
    expect(first.value.count).toBe(1);
    expect(first.value.sum).toBeGreaterThan(0);
    const [perChunk] = points(byName.get('gen_ai.client.operation.time_per_output_chunk'), { 'gen_ai.request.model': PRIMARY });
    expect(perChunk.value.count).toBe(Math.ceil(text.length / 4));
    const [output] = points(byName.get('gen_ai.client.token.usage'), { 'gen_ai.token.type': 'output' });
    expect(output.value.sum).toBe(6);
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.parentSpanContext === undefined)!;
    expect(request.attributes).toMatchObject({ 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': 6, 'gen_ai.response.time_to_first_chunk': first.value.sum });
    expect(childrenOf(spans, request).map((s) => s.attributes['gen_ai.response.time_to_first_chunk'])).toEqual([first.value.sum]);
  });
});

describe('what the machine decided', () => {
  it('a tier escalation is counted, its attempt carries the tier, and it is no failover', async () => {
    emulator.setBehavior(PRIMARY, { fault: 'throttle', faultTiers: ['default'] });
    const { exporter, provider: tracerProvider } = tracing();
    const { provider: meterProvider, collect } = metering();
    const mux = multiplexer({ openTelemetry: { tracerProvider, meterProvider }, tierEscalation: { enabled: true, escalationTier: 'priority' } });
    await mux.processRequest(input);
    const attempts = exporter.getFinishedSpans().filter((s) => s.attributes['bmm.attempt'] !== undefined);
    expect(attempts.map((s) => [s.name, s.attributes['bmm.service_tier'], s.attributes['bmm.failover_reason']])).toEqual([
      [`chat ${PRIMARY}`, undefined, undefined],
      [`chat ${PRIMARY}`, 'priority', undefined],
    ]);
    const byName = await collect();
    expect(byName.get('bmm.tier_escalations').dataPoints.map((p: any) => [p.attributes['bmm.tier.to'], p.value])).toEqual([['priority', 1]]);
    expect(byName.get('bmm.failovers')).toBeUndefined();
  });

  it('an open circuit: its skips are counted and the gauge reads it open', async () => {
    emulator.setBehavior(PRIMARY, { fault: 'throttle' });
    const { provider: meterProvider, collect } = metering();
    const mux = multiplexer({ openTelemetry: { meterProvider } });
    for (let i = 0; i < 5; i++) await mux.processRequest(input);
    expect(mux.getCircuitBreakerStatus()[PRIMARY].state).toBe('OPEN');
    await mux.processRequest(input);
    const byName = await collect();
    expect(byName.get('bmm.circuit_open.skips').dataPoints.map((p: any) => [p.attributes['gen_ai.request.model'], p.value])).toEqual([[PRIMARY, 1]]);
    expect(byName.get('bmm.failovers').dataPoints[0].value).toBe(5);
    const gauge = new Map(byName.get('bmm.breaker.state').dataPoints.map((p: any) => [p.attributes['gen_ai.request.model'], p.value]));
    expect(gauge.get(PRIMARY)).toBe(2);
  });

  it("with the failover option a 503 fails over, named by the service's exception", async () => {
    emulator.setBehavior(PRIMARY, { fault: 'unavailable' });
    const { exporter, provider } = tracing();
    const mux = multiplexer({ openTelemetry: { tracerProvider: provider }, failover: {} });
    await mux.processRequest(input);
    const attempts = exporter.getFinishedSpans().filter((s) => s.attributes['bmm.attempt'] !== undefined);
    expect(attempts.map((s) => s.attributes['bmm.failover_reason'])).toEqual([undefined, 'ServiceUnavailableException']);
    expect(attempts[0].status.code).toBe(SpanStatusCode.ERROR);
  });

  it('the X-Ray tracer and OpenTelemetry run side by side', async () => {
    const { exporter, provider } = tracing();
    const mux = multiplexer({ openTelemetry: { tracerProvider: provider }, tracing: { enabled: true } });
    const response = await mux.processRequest(input);
    expect(response.output?.message?.content?.[0].text).toBeDefined();
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });
});

describe('without a provider', () => {
  it('creates nothing and takes the quiet path', async () => {
    const getTracerProvider = jest.spyOn(trace, 'getTracerProvider');
    const getMeterProvider = jest.spyOn(metrics, 'getMeterProvider');
    const quietly = jest.spyOn(native.RequestMachine.prototype, 'startQuietly');
    const mux = multiplexer();
    await mux.processRequest(input);
    expect(quietly).toHaveBeenCalledTimes(1);
    expect(getTracerProvider).not.toHaveBeenCalled();
    expect(getMeterProvider).not.toHaveBeenCalled();
  });

  it('uses a globally registered provider once there, and stops when it is gone', async () => {
    const { exporter, provider } = tracing();
    const quietly = jest.spyOn(native.RequestMachine.prototype, 'startQuietly');
    const mux = multiplexer();
    await mux.processRequest(input);
    expect(trace.setGlobalTracerProvider(provider)).toBe(true);
    await mux.processRequest(input);
    trace.disable();
    await mux.processRequest(input);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual([`chat ${PRIMARY}`, `chat ${PRIMARY}`]);
    expect(quietly).toHaveBeenCalledTimes(2);
  });

  it('enabled: false asks no provider for a tracer, even one passed in', async () => {
    const provider = { getTracer: jest.fn() };
    const mux = multiplexer({ openTelemetry: { enabled: false, tracerProvider: provider } });
    await mux.processRequest(input);
    expect(provider.getTracer).not.toHaveBeenCalled();
  });
});

describe('hedging', () => {
  it('a hedge that wins: the hedged attempt marked, the cancelled loser ended as cancelled, the hedge counted', async () => {
    emulator.setBehavior(PRIMARY, { mode: 'fixed', text: 'too late', latencyMs: 15_000 });
    emulator.setBehavior(FALLBACK, { mode: 'fixed', text: 'from the hedge' });
    const { exporter, provider } = tracing();
    const { provider: meterProvider, collect } = metering();
    const mux = multiplexer({ hedging: { afterMs: 50 }, openTelemetry: { tracerProvider: provider, meterProvider } });
    const response = await mux.processRequest(input);
    expect(response.output?.message?.content?.[0]).toEqual({ text: 'from the hedge' });
    // The loser's cancellation settles on its own after the answer: wait for its span (bounded).
    for (let i = 0; i < 100 && exporter.getFinishedSpans().length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    const request = spans.find((s) => s.parentSpanContext === undefined)!;
    expect(request.attributes).toMatchObject({ 'gen_ai.request.model': FALLBACK, 'bmm.attempts': 2 });
    const attempts = childrenOf(spans, request);
    const loser = attempts.find((s) => s.attributes['gen_ai.request.model'] === PRIMARY)!;
    const hedge = attempts.find((s) => s.attributes['gen_ai.request.model'] === FALLBACK)!;
    expect(loser.attributes['bmm.outcome']).toBe('cancelled');
    expect(loser.attributes['bmm.hedged']).toBeUndefined();
    expect(loser.status.code).toBe(SpanStatusCode.UNSET);
    expect(hedge.attributes['bmm.hedged']).toBe(true);
    expect(hedge.attributes['bmm.failover_reason']).toBeUndefined();
    const byName = await collect();
    expect(byName.get('bmm.hedges').dataPoints.map((p: any) => [p.attributes['gen_ai.request.model'], p.value])).toEqual([[FALLBACK, 1]]);
    expect(byName.get('bmm.failovers')).toBeUndefined();
  });
});
