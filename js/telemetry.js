'use strict';
// Optional OpenTelemetry spans and metrics (issue 15) through @opentelemetry/api, an
// optional peer dependency. Telemetry is on for a request when the `openTelemetry`
// option names a provider, or when a tracer or meter provider is registered globally;
// "registered" is read from the API's own global slot (one property lookup, the API not
// even loaded), so without a provider a request costs what it did and takes the quiet
// path. The API is loaded the first time a provider is there; if it cannot be, telemetry
// stays off. What a request did is recorded by js/telemetry/observer.js.

const { RequestObserver } = require('./telemetry/observer');
const { TelemetryMetrics } = require('./telemetry/metrics');
const { serverAttributes } = require('./telemetry/names');
const { keepNativeAnswerTimes } = require('./transport');

const API_MODULE = '@opentelemetry/api';
/** Where @opentelemetry/api 1.x keeps its registered globals (`trace`, `metrics`, …). */
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');
const INSTRUMENTATION_SCOPE = 'bedrock-model-multiplexer';
const SCOPE_VERSION = require('../package.json').version;

class Telemetry {
  #options;
  #clientConfig;
  #breakerStatus;
  /** The API module; undefined until first needed, null when it cannot be loaded. */
  #api = undefined;
  #tracerProvider = null;
  #tracer = null;
  #meterProvider = null;
  /** @type {TelemetryMetrics | null} */
  #metrics = null;
  #server = null;

  /**
   * @param {{ enabled?: boolean, tracerProvider?: object, meterProvider?: object, captureContent?: boolean } | undefined} options  the `openTelemetry` option
   * @param {object | undefined} clientConfig  for server.address and server.port
   * @param {() => object} breakerStatus  each model's breaker, for the gauge
   */
  constructor(options, clientConfig, breakerStatus) {
    this.#options = options ?? undefined;
    this.#clientConfig = clientConfig;
    this.#breakerStatus = breakerStatus;
  }

  /** A request's observer, or null while no provider is there (nothing is created then). */
  observe(input, stream) {
    const runtime = this.#runtime();
    return runtime && new RequestObserver(runtime, input, stream);
  }

  /** Counts selections that passed over open circuits (a quiet request has no observer to see them). */
  circuitOpenSkipped(modelIds) {
    const metrics = this.#runtime()?.metrics;
    for (const modelId of metrics ? modelIds : []) metrics.circuitOpenSkipped(modelId);
  }

  /** Stops observing the breakers. */
  close() {
    this.#metrics?.close();
    this.#metrics = null;
    this.#meterProvider = null;
  }

  /** @returns {import('./telemetry/observer').TelemetryRuntime | null} */
  #runtime() {
    try {
      return this.#activeRuntime();
    } catch {
      return null; // a provider that fails to hand out a tracer or meter: no telemetry, the request goes on
    }
  }

  #activeRuntime() {
    const options = this.#options;
    if (options?.enabled === false) return null;
    const registered = globalThis[API_GLOBALS];
    const tracerProvider = options?.tracerProvider ?? registered?.trace;
    const meterProvider = options?.meterProvider ?? registered?.metrics;
    if (!tracerProvider && !meterProvider) return null;
    const api = this.#loadApi();
    if (!api) return null;
    const tracer = tracerProvider ? this.#tracerFrom(options?.tracerProvider ?? api.trace.getTracerProvider()) : null;
    const metrics = meterProvider ? this.#metricsFrom(options?.meterProvider ?? api.metrics.getMeterProvider()) : null;
    this.#server ??= serverAttributes(this.#clientConfig);
    return { api, tracer, metrics, captureContent: options?.captureContent === true, server: this.#server };
  }

  #loadApi() {
    if (this.#api === undefined) {
      try {
        this.#api = require(API_MODULE);
        keepNativeAnswerTimes();
      } catch {
        this.#api = null;
      }
    }
    return this.#api;
  }

  /** The tracer of `provider`, made again when another provider is in place. */
  #tracerFrom(provider) {
    if (provider !== this.#tracerProvider) {
      this.#tracer = provider.getTracer(INSTRUMENTATION_SCOPE, SCOPE_VERSION);
      this.#tracerProvider = provider;
    }
    return this.#tracer;
  }

  /** The instruments on `provider`'s meter, made again (the old gauge let go) when another provider is in place. */
  #metricsFrom(provider) {
    if (provider !== this.#meterProvider) {
      this.#metrics?.close();
      this.#metrics = new TelemetryMetrics(provider.getMeter(INSTRUMENTATION_SCOPE, SCOPE_VERSION), this.#breakerStatus);
      this.#meterProvider = provider;
    }
    return this.#metrics;
  }
}

module.exports = { Telemetry };
