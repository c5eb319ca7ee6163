'use strict';
// The multiplexer's OpenTelemetry metrics on one meter: the GenAI client histograms
// (operation duration, token usage, time to first chunk, time per output chunk) and
// the multiplexer's own counters and breaker gauge. Names, units and buckets come from
// names.js; what happened comes from the request observer (observer.js).

const { ATTR, METRIC, BREAKER_STATE_VALUES, commonAttributes } = require('./names');

class TelemetryMetrics {
  #operationDuration;
  #tokenUsage;
  #timeToFirstChunk;
  #timePerOutputChunk;
  #requestDuration;
  #failovers;
  #circuitOpenSkips;
  #tierEscalations;
  #refusals;
  #hedges;
  #breakerGauge;
  #observeBreakers;

  /**
   * @param {import('@opentelemetry/api').Meter} meter
   * @param {() => object} breakerStatus  each model's breaker (`getCircuitBreakerStatus`'s shape), read when a reader collects
   */
  constructor(meter, breakerStatus) {
    this.#operationDuration = histogram(meter, METRIC.OPERATION_DURATION);
    this.#tokenUsage = histogram(meter, METRIC.TOKEN_USAGE);
    this.#timeToFirstChunk = histogram(meter, METRIC.TIME_TO_FIRST_CHUNK);
    this.#timePerOutputChunk = histogram(meter, METRIC.TIME_PER_OUTPUT_CHUNK);
    this.#requestDuration = histogram(meter, METRIC.REQUEST_DURATION);
    this.#failovers = counter(meter, METRIC.FAILOVERS);
    this.#circuitOpenSkips = counter(meter, METRIC.CIRCUIT_OPEN_SKIPS);
    this.#tierEscalations = counter(meter, METRIC.TIER_ESCALATIONS);
    this.#refusals = counter(meter, METRIC.REFUSALS);
    this.#hedges = counter(meter, METRIC.HEDGES);
    const { name, unit, description } = METRIC.BREAKER_STATE;
    this.#breakerGauge = meter.createObservableGauge(name, { unit, description });
    this.#observeBreakers = (result) => {
      for (const [modelId, status] of Object.entries(breakerStatus())) {
        result.observe(BREAKER_STATE_VALUES[status.state] ?? -1, { [ATTR.REQUEST_MODEL]: modelId });
      }
    };
    this.#breakerGauge.addCallback(this.#observeBreakers);
  }

  /** One call to a model ended after `seconds`: with `errorType` when it failed, with `usage` when it answered. */
  attemptEnded(modelId, seconds, errorType, usage) {
    const attributes = modelAttributes(modelId);
    if (errorType) attributes[ATTR.ERROR_TYPE] = errorType;
    this.#operationDuration.record(seconds, attributes);
    if (!usage || errorType) return;
    for (const [type, count] of [['input', usage.inputTokens], ['output', usage.outputTokens]]) {
      if (typeof count === 'number') this.#tokenUsage.record(count, { ...modelAttributes(modelId), [ATTR.TOKEN_TYPE]: type });
    }
  }

  /** One multiplexed request ended; `modelId` is the model that answered (null when none did). */
  requestEnded(modelId, seconds, errorType) {
    const attributes = modelAttributes(modelId);
    if (errorType) attributes[ATTR.ERROR_TYPE] = errorType;
    this.#requestDuration.record(seconds, attributes);
  }

  firstChunk(modelId, seconds) {
    this.#timeToFirstChunk.record(seconds, modelAttributes(modelId));
  }

  outputChunk(modelId, seconds) {
    this.#timePerOutputChunk.record(seconds, modelAttributes(modelId));
  }

  failover(modelId, reason) {
    this.#failovers.add(1, { ...modelAttributes(modelId), [ATTR.FAILOVER_REASON]: reason });
  }

  circuitOpenSkipped(modelId) {
    this.#circuitOpenSkips.add(1, modelAttributes(modelId));
  }

  tierEscalation(modelId, from, to) {
    this.#tierEscalations.add(1, { ...modelAttributes(modelId), [ATTR.TIER_FROM]: String(from), [ATTR.TIER_TO]: String(to) });
  }

  refusal(modelId) {
    this.#refusals.add(1, modelAttributes(modelId));
  }

  hedge(modelId) {
    this.#hedges.add(1, modelAttributes(modelId));
  }

  /** Stops observing the breakers (the multiplexer is being destroyed). */
  close() {
    this.#breakerGauge.removeCallback(this.#observeBreakers);
  }
}

function modelAttributes(modelId) {
  const attributes = commonAttributes();
  if (modelId) attributes[ATTR.REQUEST_MODEL] = modelId;
  return attributes;
}

function histogram(meter, { name, unit, description, buckets }) {
  return meter.createHistogram(name, { unit, description, advice: { explicitBucketBoundaries: buckets } });
}

function counter(meter, { name, unit, description }) {
  return meter.createCounter(name, { unit, description });
}

module.exports = { TelemetryMetrics };
