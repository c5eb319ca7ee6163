'use strict';
// What the multiplexer's OpenTelemetry spans and metrics look like, against the bundled
// Bedrock emulator: an OpenTelemetry SDK registered globally (as a service would), three
// requests — one answered at once, one failing over from a throttled model, one stream —
// then every span printed as a tree, as a collector would show the trace, and the
// metrics collected once.
// Run: npm run demo:telemetry   (after npm install: the SDK packages are devDependencies)

const { trace, metrics, context } = require('@opentelemetry/api');
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } = require('@opentelemetry/sdk-metrics');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { createMultiplexer } = require('..');
const { startEmulator, EMULATOR_CREDENTIALS } = require('../testing');

const FAST = 'amazon.nova-lite-v1:0';
const BUSY = 'anthropic.claude-haiku-4-5-v1:0';

async function main() {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const measurements = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: measurements, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);

  const emulator = startEmulator();
  const mux = createMultiplexer(
    [
      { modelId: BUSY, weight: 1, isFallback: false },
      { modelId: FAST, weight: 1, isFallback: true },
    ],
    { clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 } },
  );
  const ask = (text) => ({ messages: [{ role: 'user', content: [{ text }] }], inferenceConfig: { maxTokens: 256, temperature: 0.2 } });

  // The caller's own span: the multiplexer's spans join its trace.
  const app = tracerProvider.getTracer('demo-app');
  await app.startActiveSpan('answer a user', async (span) => {
    await mux.processRequest(ask('What is a circuit breaker?'));
    emulator.setBehavior(BUSY, { fault: 'throttle' });
    await mux.processRequest(ask('And failover?'));
    emulator.setBehavior(BUSY, { stream: { chunkSize: 8 } });
    const { stream } = await mux.processStreamRequest(ask('Stream me a long answer, please.'));
    for await (const _event of stream) {
      // a caller reads every event; the stream's spans end with it
    }
    span.end();
  });

  console.log('Spans, as a collector would show the trace:\n');
  printTree(spans.getFinishedSpans());

  await reader.forceFlush();
  console.log('\nMetrics:\n');
  for (const metric of measurements.getMetrics().flatMap((r) => r.scopeMetrics).flatMap((s) => s.metrics)) {
    for (const point of metric.dataPoints) {
      const value = typeof point.value === 'number' ? point.value : `count=${point.value.count} sum=${round(point.value.sum)}`;
      const labels = Object.entries(point.attributes)
        .filter(([key]) => !['gen_ai.operation.name', 'gen_ai.provider.name'].includes(key))
        .map(([key, v]) => `${key}=${v}`)
        .join(' ');
      console.log(`  ${metric.descriptor.name} [${metric.descriptor.unit}] {${labels}} ${value}`);
    }
  }

  mux.destroy();
  await emulator.stop();
  await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
}

/** Each span under its parent, with its duration, status and the attributes worth a look. */
function printTree(finished) {
  const byParent = new Map();
  for (const span of finished) {
    const parent = span.parentSpanContext?.spanId ?? null;
    byParent.set(parent, [...(byParent.get(parent) ?? []), span]);
  }
  const ms = (span) => (span.duration[0] * 1e3 + span.duration[1] / 1e6).toFixed(1);
  const print = (span, depth) => {
    const status = span.status.code === 2 ? ` ERROR (${span.attributes['error.type']})` : '';
    const shown = Object.entries(span.attributes)
      .filter(([key]) => !['gen_ai.operation.name', 'gen_ai.provider.name', 'server.address', 'server.port'].includes(key))
      .map(([key, value]) => `${key}=${Array.isArray(value) ? JSON.stringify(value) : value}`)
      .join(' ');
    console.log(`${'  '.repeat(depth + 1)}${span.name}  ${ms(span)} ms${status}${shown ? `\n${'  '.repeat(depth + 3)}${shown}` : ''}`);
    const children = (byParent.get(span.spanContext().spanId) ?? []).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    for (const child of children) print(child, depth + 1);
  };
  for (const root of byParent.get(null) ?? []) print(root, 0);
}

function round(n) {
  return Math.round(n * 1e4) / 1e4;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
