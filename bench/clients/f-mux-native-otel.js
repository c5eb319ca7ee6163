'use strict';
// (f) Client (c) with an OpenTelemetry SDK registered globally (issue 15), as a service
// that runs OpenTelemetry would have it: a tracer provider batching every span to an
// exporter that drops them, a meter provider whose reader collects once an hour, and the
// AsyncLocalStorage context manager (`@opentelemetry/sdk-node`'s default). Against (c),
// its row is the telemetry's cost per request in the client process (our spans and
// measurements, and the SDK's own work), without any export I/O. Needs the devDependencies (@opentelemetry/sdk-trace-base, …). Optional:
// it runs only when named (`--clients c,f`).

const { ROOT, clientConfig, muxModels, muxCanStream, muxHandle } = require('./common');

/** Registers the SDK globally; returns how to shut it down. */
function registerSdk() {
  const { trace, metrics, context } = require('@opentelemetry/api');
  const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { MeterProvider, PeriodicExportingMetricReader, InMemoryMetricExporter, AggregationTemporality } = require('@opentelemetry/sdk-metrics');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
  const dropSpans = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropSpans)] });
  const reader = new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE), exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  return async () => {
    trace.disable();
    metrics.disable();
    context.disable();
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
  };
}

module.exports = {
  id: 'f',
  name: '(f) multiplexer, native transport, OpenTelemetry SDK registered',
  multiplexer: true,
  optional: true,
  available() {
    for (const sdk of ['@opentelemetry/api', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-metrics', '@opentelemetry/context-async-hooks']) require.resolve(sdk);
    return true;
  },
  pendingReason: 'unavailable: the OpenTelemetry SDK devDependencies are not installed',
  canStream: muxCanStream,
  async setup(endpoint, options = {}) {
    const shutdown = registerSdk();
    const { createMultiplexer } = require(ROOT);
    const mux = createMultiplexer(muxModels(options.models), { transport: 'native', clientConfig: clientConfig(endpoint) });
    return muxHandle(mux, mux.transport, async () => {
      mux.destroy();
      await shutdown();
    });
  },
};
