'use strict';
// BedrockMultiplexer: the EventEmitter callers hold. Its state — the model table (ids,
// order, weights, pools), breakers, statistics, health — lives in the Rust
// `MultiplexerCore`; this class keeps the JavaScript objects (each model's at the slot
// the core hands out for it, listeners, tracer) and turns the core's answers into the
// events the original emits, in the original's order.

const { EventEmitter } = require('node:events');
const native = require('./native');
const { BedrockModel, OPEN_STREAM } = require('./bedrock-model');
const { streamFailureOutcome, messageOf } = require('./errors');
const { chooseTransport, holdNativeTransport } = require('./transport');
const { RequestHandler, markFailover, QUIET, IN_FLIGHT, SERVED_USAGE } = require('./request-handler');
const { MultiplexerConfigValidator, assertValid } = require('./validation');
const { createTracer } = require('./tracing');
const { Telemetry } = require('./telemetry');
const { OutcomeType } = require('./enums');
const { breakerFromHandle, DEFAULT_CIRCUIT_BREAKER_CONFIG } = require('./breakers');
const { RefusalClassifier } = require('./refusal');
const { adopt } = require('./realm');
const { textOf } = require('./text');
const { joinFleet, shareModel, fleetHealth, fleetTotals } = require('./fleet');

class BedrockMultiplexer extends EventEmitter {
  #config;
  #core;
  /** The model objects, each at the slot the core handed out for its entry (`addModel`). */
  #models = [];
  #tracer;
  /** OpenTelemetry spans and metrics, while a provider is there (js/telemetry.js). */
  #telemetry;
  #noClientConfig;
  #refusal = null;
  #refusalReady = null;
  #quietAccess = null;
  /** Lets go of the native client's pool (see holdNativeTransport); null when not held. */
  #releaseTransport = null;
  /** The fleet (`sharedState`), or null: without it no Redis code runs. */
  #fleet = null;
  /** Beyond the original: `hedging` (js/hedge.js), or null: without it no hedge timer is set. */
  #hedging = null;

  constructor(config) {
    super();
    // Failures already reject processRequest(); without a listener, emit('error')
    // would throw instead.
    this.on('error', () => {});
    assertValid(MultiplexerConfigValidator.validate(config));
    this.#config = config;
    this.#core = new native.MultiplexerCore({ ...DEFAULT_CIRCUIT_BREAKER_CONFIG });
    this.#tracer = createTracer({
      enabled: config.tracing?.enabled || false,
      serviceName: config.tracing?.serviceName,
      captureBodies: config.tracing?.captureBodies,
      captureModelSelection: config.tracing?.captureModelSelection,
    });
    this.#telemetry = new Telemetry(config.openTelemetry, config.clientConfig, () => this.#core.circuitBreakerStatus(Date.now()));
    if (config.refusalDetection?.enabled) this.#startRefusalDetection(config.refusalDetection);
    if (config.routing) this.#core.setRouting(config.routing);
    if (config.hedging) this.#hedging = new native.Hedging(config.hedging);
    if (config.sharedState) this.#fleet = joinFleet(this, this.#core, config.sharedState);
    for (const model of config.models) this.addModel(model);
  }

  #startRefusalDetection({ modelPath, confidenceThreshold }) {
    this.#refusal = new RefusalClassifier({ modelPath, confidenceThreshold });
    // A classifier that cannot load disables detection; requests still succeed.
    this.#refusalReady = this.#refusal.initialize().catch((error) => {
      console.warn(
        `[BedrockMultiplexer] Failed to initialize refusal classifier: ${error.message}. Refusal detection will be disabled.`,
      );
      this.#refusal = null;
      this.#refusalReady = null;
    });
  }

  addModel(modelConfig) {
    assertValid(native.validateModelConfig(modelConfig));
    const added = this.#core.addModel(modelConfig);
    const breaker = breakerFromHandle(added.breaker);
    // One clientConfig object for every model: one native client and connection pool.
    const clientConfig = this.#config.clientConfig ?? (this.#noClientConfig ??= {});
    this.#releaseTransport ??= holdNativeTransport(clientConfig);
    const transport = this.#config.transport ?? 'auto';
    const model = new BedrockModel(modelConfig, undefined, this.#config.defaultTimeoutMs, breaker, clientConfig, transport, this.#config.maxResponseBytes, this.#config.failover);
    if (this.#fleet) shareModel(this.#fleet, modelConfig);
    this.#models[added.slot] = model;
    this.emit('model-added', modelConfig.modelId);
  }

  removeModel(modelId) {
    for (const slot of this.#core.removeModel(textOf(modelId, 'modelId'))) this.#models[slot] = undefined;
    this.emit('model-removed', modelId);
  }

  // Not async itself: an async function returning #process's promise would add a
  // promise and three microtask hops to every request.
  processRequest(input) {
    const requestId = this.#tracer.generateRequestId();
    const observer = this.#telemetry.observe(input, false);
    const delegate = observer ? observer.delegate(this) : this;
    const running = this.#config.tracing?.enabled ? this.#processTraced(input, requestId, delegate) : this.#process(input, requestId, null, delegate);
    return observer ? observer.settled(running) : running;
  }

  async #processTraced(input, requestId, delegate) {
    const tracer = this.#tracer;
    return tracer.traceOperation('BedrockMultiplexer.processRequest', () => this.#process(input, requestId, tracer, delegate), {
      request_id: requestId,
      service: 'bedrock-multiplexer',
    });
  }

  /**
   * One request through the request machine, over `delegate` (this multiplexer by default).
   * @param {import('./request-handler').RequestDelegate} [delegate]
   */
  async #process(input, requestId, tracer, delegate = this) {
    this.emit('request', input);
    if (tracer) this.#annotateRequest(tracer, input, requestId);
    // A fleet view gone stale (just started, or frozen between Lambda invocations) is
    // refreshed before selecting, within a bounded wait; in steady state no await here.
    if (this.#fleet?.needsCatchUp(Date.now())) await this.#fleet.catchUp(Date.now());
    try {
      // Under `failover`, defaultTimeoutMs also bounds the whole request, every attempt together.
      const budgetMs = this.#config.failover ? this.#config.defaultTimeoutMs : undefined;
      const response = await new RequestHandler(input, delegate, this.#config.maxRetries, requestId, { budgetMs, hedging: this.#hedging, backoff: this.#config.failover?.backoff }).process();
      if (tracer) {
        tracer.putAnnotation('outcome', 'success');
        if (this.#config.tracing?.captureBodies) tracer.putMetadata('response', response);
      }
      return response;
    } catch (error) {
      if (tracer) {
        tracer.putAnnotation('outcome', 'error');
        tracer.putAnnotation('error_message', messageOf(error));
        if (error.code) tracer.putAnnotation('error_code', error.code);
      }
      // Only with a listener: with none (after destroy()), emit('error') would throw,
      // and under jest it would wrap the error in ERR_UNHANDLED_ERROR.
      if (this.listenerCount('error') > 0) this.emit('error', error, null);
      throw error;
    }
  }

  /**
   * Beyond the original: a multiplexed ConverseStream. Selection, breakers, tier
   * escalation and failover work as for processRequest until the first event has
   * arrived; it resolves then with `{ stream, $metadata }` (the JS SDK's
   * ConverseStreamCommandOutput), and an error after that reaches the caller through
   * the stream and counts against the model that served it. Options:
   * `firstEventTimeoutMs` (default defaultTimeoutMs), `idleTimeoutMs` (between events).
   * @param {{ firstEventTimeoutMs?: number, idleTimeoutMs?: number }} [options]
   */
  async processStreamRequest(input, options = {}) {
    const observer = this.#telemetry.observe(input, true);
    const delegate = this.#streamDelegate(options);
    const running = this.#process(input, this.#tracer.generateRequestId(), null, observer ? observer.delegate(delegate) : delegate);
    return observer ? observer.settled(running) : running;
  }

  /** Statistics of the streams served, per model: `{ streams, timeToFirstEvent, outputTokensPerSecond }`. */
  getStreamStats() {
    return adopt(this.#core.streamStats());
  }

  /**
   * This multiplexer as a RequestHandler delegate whose models answer with streams.
   * @param {{ firstEventTimeoutMs?: number, idleTimeoutMs?: number }} options
   * @returns {import('./request-handler').RequestDelegate & import('./request-handler').InFlightHook}
   */
  #streamDelegate({ firstEventTimeoutMs, idleTimeoutMs }) {
    const mux = this;
    return {
      selectModel: (request) => mux.selectModel(request),
      [IN_FLIGHT]: (hold, release) => mux[IN_FLIGHT](hold, release),
      reportOutcome: (outcome) => mux.reportOutcome(outcome),
      emitEvent: (event, ...args) => mux.emitEvent(event, ...args),
      classifyRefusal: async () => null,
      refusalRetryEnabled: false,
      get tierEscalationConfig() {
        return mux.tierEscalationConfig;
      },
      getModel: async (modelId) => {
        const model = await mux.getModel(modelId);
        if (!model) return null;
        const watch = mux.#streamWatch(String(modelId));
        return {
          invoke: async (input, abortSignal, serviceTier) => {
            try {
              // Under `hedging`, a race is decided at content, and its losers closed by their abort.
              const untilContent = mux.#hedging !== null;
              return await model[OPEN_STREAM](input, serviceTier, { firstEventTimeoutMs, idleTimeoutMs, watch, abortSignal, untilContent });
            } catch (error) {
              const serviceError = error?.errorResponse?.details?.name ?? error?.outcome?.error?.details?.name ?? '';
              if (native.failsOverBeforeFirstEvent(String(error?.name ?? ''), String(serviceError))) markFailover(error);
              throw error;
            }
          },
        };
      },
    };
  }

  /**
   * What a served stream reports when it ends: its figures (and, with `sharedState`, its
   * tokens charged to the model's quota), or its failure as an outcome.
   */
  #streamWatch(modelId) {
    return {
      ended: (firstEventMs, outputTokens, streamingMs, usage) => {
        this.#core.recordStream(modelId, firstEventMs, outputTokens, streamingMs);
        this[SERVED_USAGE](modelId, usage);
      },
      failed: (error, outcomeType) => this.reportOutcome(streamFailureOutcome(error, modelId, outcomeType)),
    };
  }

  #annotateRequest(tracer, input, requestId) {
    const pools = this.#core.poolSizes();
    tracer.putAnnotation('request_id', requestId);
    tracer.putAnnotation('model_count', pools.primary + pools.fallback);
    tracer.putAnnotation('primary_models', pools.primary);
    tracer.putAnnotation('fallback_models', pools.fallback);
    if (this.#config.tracing?.captureBodies) tracer.putMetadata('request', input);
  }

  /**
   * Beyond the original: which transport requests take now, 'native' (the Rust SDK
   * client) or 'js-sdk' (a @aws-sdk/client-bedrock-runtime client). Set with the
   * `transport` option ('auto' by default).
   */
  get transport() {
    return chooseTransport({ forced: this.#config.transport ?? 'auto', hasOwnClient: false, clientConfig: this.#config.clientConfig });
  }

  /**
   * With `sharedState`, also `fleet`: each model's fleet-wide totals, or null while not
   * shared. With `hedging`, also `hedging`: `{ hedged, hedgesSent, wonByHedge, cancelled }`.
   * With `routing` `'latency'` or `'least-busy'`, also `routing`: each model's latency
   * estimate and requests in flight.
   */
  getStats() {
    const stats = adopt(this.#core.stats());
    if (this.#fleet) stats.fleet = fleetTotals(this.#fleet, Object.keys(stats.modelStats), Date.now());
    if (this.#hedging) stats.hedging = adopt(this.#hedging.stats());
    const routing = this.#core.routingStats();
    if (routing !== null) stats.routing = adopt(routing);
    return stats;
  }

  /** For RequestHandler: a request's hold in flight moves from `release` to `hold` (either may be null). */
  [IN_FLIGHT](hold, release) {
    this.#core.moveInFlight(hold, release);
  }

  resetStats() {
    this.#core.resetStats();
    this.#hedging?.resetStats();
    this.emit('stats-reset');
  }

  async selectModel(request) {
    if (!this.#config.tracing?.captureModelSelection) return this.#select(request, null);
    return this.#tracer.traceOperation('BedrockMultiplexer.selectModel', async () => this.#select(request, this.#tracer));
  }

  #select(request, tracer) {
    const skipped = request.skippedModels;
    if (tracer) {
      const pools = this.#core.poolSizes();
      tracer.putAnnotation('skipped_models_count', skipped.size);
      tracer.putAnnotation('available_primary_models', pools.primary);
      tracer.putAnnotation('available_fallback_models', pools.fallback);
      if (this.#config.tracing?.captureBodies) tracer.putMetadata('skipped_models', Array.from(skipped));
    }
    const selection = this.#core.select(Array.from(skipped, String), Date.now(), Math.random);
    for (const modelId of selection.circuitOpenSkipped) this.emit('model-circuit-open-skipped', modelId);
    if (selection.circuitOpenSkipped.length > 0) this.#telemetry.circuitOpenSkipped(selection.circuitOpenSkipped);
    if (selection.modelId === null) {
      if (tracer) tracer.putAnnotation('selected_model_type', 'none');
      return { modelId: null, isFallback: false };
    }
    if (tracer) {
      tracer.putAnnotation('selected_model_type', selection.isFallback ? 'fallback' : 'primary');
      tracer.putAnnotation('selected_model_id', selection.modelId);
    }
    this.emit('model-selected', selection.modelId, selection.isFallback, skipped.size);
    return { modelId: selection.modelId, isFallback: selection.isFallback };
  }

  async getModel(modelId) {
    // Model ids are strings (the validator's rule): any other key finds nothing, as in the original's Maps.
    const slot = typeof modelId === 'string' ? this.#core.modelSlot(modelId) : null;
    return slot === null ? null : (this.#models[slot] ?? null);
  }

  async reportOutcome(outcome) {
    if (!this.#core.reportOutcome(textOf(outcome.modelId, 'outcome.modelId'), outcome.type, outcome.latency, Date.now())) return;
    if (outcome.type === OutcomeType.SUCCESS) {
      this.emit('success', null, outcome);
    } else if (this.listenerCount('error') > 0) {
      this.emit('error', outcome.error || null, outcome);
    }
    // The original computes statistics after every outcome. Only a listener, or an
    // emit() replaced by a spy or a subclass, can see them: skip the work otherwise.
    if (this.listenerCount('stats') > 0 || this.emit !== EventEmitter.prototype.emit) {
      this.emit('stats', this.getStats());
    }
  }

  /** With `sharedState`: a served response's `usage`, charged to the model's token quota. */
  [SERVED_USAGE](modelId, usage) {
    if (this.#fleet) this.#core.chargeUsage(textOf(modelId, 'modelId'), usage, Date.now());
  }

  /** With `sharedState`, also `sharedState`: the fleet view's use, skips and unhealthy count (`fleetHealth`). */
  getHealthStatus() {
    const now = Date.now();
    const health = adopt(this.#core.healthStatus(now));
    if (this.#fleet) health.sharedState = fleetHealth(this.#fleet, health, now);
    return health;
  }

  getModelHealthStatus(modelId) {
    return adopt(this.#core.modelHealthStatus(textOf(modelId, 'modelId'), Date.now()));
  }

  getSimpleHealthCheck() {
    return adopt(this.#core.simpleHealthCheck(Date.now()));
  }

  isHealthy() {
    return this.getSimpleHealthCheck().status === 'healthy';
  }

  /** With `sharedState`, each model's entry also has `fleet`: the fleet's breaker for it, or null. */
  getCircuitBreakerStatus() {
    const now = Date.now();
    const status = adopt(this.#core.circuitBreakerStatus(now));
    if (this.#fleet) {
      for (const modelId of Object.keys(status)) status[modelId].fleet = this.#fleet.breaker(modelId, now);
    }
    return status;
  }

  /**
   * For RequestHandler: the core and the models while nothing could observe the steps
   * the machine then performs itself (selection, lookup, events, the success report):
   * no listener but the built-in 'error' one, no replaced method, no selection tracing.
   */
  [QUIET]() {
    const names = this.eventNames();
    if (names.length > 1 || (names.length === 1 && (names[0] !== 'error' || this.listenerCount('error') > 1))) return null;
    // Hedging selects and reports per racer: always the observed path.
    if (this.#config.tracing?.captureModelSelection || this.#hedging) return null;
    const own = BedrockMultiplexer.prototype;
    if (
      this.emit !== EventEmitter.prototype.emit ||
      this.selectModel !== own.selectModel ||
      this.getModel !== own.getModel ||
      this.reportOutcome !== own.reportOutcome ||
      this.emitEvent !== own.emitEvent
    ) {
      return null;
    }
    this.#quietAccess ??= { core: this.#core, models: this.#models };
    return this.#quietAccess;
  }

  emitEvent(event, ...args) {
    // An event name is a string or a symbol; an array would be joined into one.
    this.emit(Array.isArray(event) ? textOf(event, 'event') : event, ...args);
  }

  async classifyRefusal(responseText) {
    if (!this.#refusal || !this.#refusalReady) return null;
    await this.#refusalReady;
    // Loading may have failed meanwhile, which disables detection.
    return this.#refusal ? this.#refusal.classify(responseText) : null;
  }

  // Both read the config object anew, as the original: callers may change it later.
  get refusalRetryEnabled() {
    const section = this.#config.refusalDetection;
    // Read on every request: without a section there is nothing to ask the engine.
    return section === undefined ? false : native.refusalRetryEnabled(section);
  }

  get tierEscalationConfig() {
    const section = this.#config.tierEscalation;
    return native.tierEscalationEnabled(section) ? section : undefined;
  }

  destroy() {
    if (this.#refusal) {
      this.#refusal.destroy();
      this.#refusal = null;
      this.#refusalReady = null;
    }
    // As the original, each model's destroy(); ours also closes its native streams.
    for (const model of this.#models) model?.destroy();
    this.#core.destroy();
    this.#telemetry.close();
    this.#models.length = 0;
    // After the core let go of it: the fleet's last publish, then its connections close.
    this.#fleet?.shutdown();
    this.#fleet = null;
    this.#releaseTransport?.();
    this.#releaseTransport = null;
    this.removeAllListeners();
  }
}

module.exports = { BedrockMultiplexer };
