'use strict';
// One Bedrock model behind a circuit breaker: sends Converse through a JavaScript SDK
// client, bounds it by the model's timeout, and turns every ending into an outcome.
// Which failure is which, and whether it counts against the breaker, is decided in
// Rust (`describeInvokeFailure`); this file builds the error objects callers catch.

const native = require('./native');
const { bedrockRuntime } = require('./sdk');
const { OutcomeType } = require('./enums');
const { createEnhancedError, toErrorResponse } = require('./errors');
const { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER_CONFIG } = require('./breakers');

class BedrockModel {
  #config;
  #client;
  #breaker;
  #timeoutMs;

  constructor(config, client, defaultTimeoutMs = 30000, circuitBreaker, clientConfig = {}) {
    this.#config = config;
    this.#timeoutMs = defaultTimeoutMs;
    this.#breaker = circuitBreaker ?? new CircuitBreaker(config.modelId, DEFAULT_CIRCUIT_BREAKER_CONFIG);
    this.#client = client ? client : new (bedrockRuntime().BedrockRuntimeClient)(clientConfig);
  }

  get modelId() {
    return this.#config.modelId;
  }

  get configuration() {
    return { ...this.#config };
  }

  get isFallback() {
    return this.#config.isFallback;
  }

  get weight() {
    return this.#config.weight;
  }

  getCircuitBreaker() {
    return this.#breaker;
  }

  getClient() {
    return this.#client;
  }

  async invoke(input, abortSignal, serviceTier) {
    const modelId = this.#config.modelId;
    if (!this.#breaker.canExecute()) {
      const circuitError = this.#breaker.getCircuitOpenError();
      const outcome = { modelId, type: OutcomeType.FAIL_FAST, latency: 0, timestamp: new Date(), error: circuitError };
      throw tagged(new Error(circuitError.message), 'CircuitOpenError', outcome, circuitError);
    }

    const startedAt = Date.now();
    try {
      const commandInput = { ...input, modelId };
      if (serviceTier) commandInput.serviceTier = { type: serviceTier };
      const command = new (bedrockRuntime().ConverseCommand)(commandInput);
      const response = await withTimeout(() => this.#client.send(command, { abortSignal }), this.#timeoutMs, abortSignal);
      const latency = Date.now() - startedAt;
      this.#breaker.recordSuccess();
      return { response, outcome: { modelId, type: OutcomeType.SUCCESS, latency, timestamp: new Date() } };
    } catch (error) {
      throw this.#failure(error, Date.now() - startedAt, abortSignal);
    }
  }

  async invokeStream(input, abortSignal) {
    if (!this.#breaker.canExecute()) {
      throw new Error(this.#breaker.getCircuitOpenError().message);
    }
    const command = new (bedrockRuntime().ConverseStreamCommand)({ ...input, modelId: this.#config.modelId });
    try {
      const response = await withTimeout(() => this.#client.send(command, { abortSignal }), this.#timeoutMs, abortSignal);
      this.#breaker.recordSuccess();
      return response;
    } catch (error) {
      this.#breaker.recordFailure(error);
      throw error;
    }
  }

  destroy() {
    this.#breaker.reset();
  }

  /** The error `invoke` throws for a failed send, with its outcome attached. */
  #failure(error, latency, abortSignal) {
    const modelId = this.#config.modelId;
    const failure = native.describeInvokeFailure(error.name, Boolean(abortSignal?.aborted), this.#timeoutMs);
    if (failure.recordsBreakerFailure) this.#breaker.recordFailure(error);
    const errorResponse = failure.errorType
      ? createEnhancedError(error, failure.errorType, modelId, failure.responseMessage)
      : toErrorResponse(error);
    const outcome = { modelId, type: failure.outcomeType, latency, timestamp: new Date(), error: errorResponse };
    const thrown = new Error(failure.message ?? errorResponse.message);
    return tagged(thrown, failure.name, outcome, failure.attachErrorResponse ? errorResponse : undefined);
  }
}

function tagged(error, name, outcome, errorResponse) {
  error.name = name;
  error.outcome = outcome;
  if (errorResponse !== undefined) error.errorResponse = errorResponse;
  return error;
}

/**
 * Settles with `operation()` unless the timeout or the abort signal comes first.
 * Like the original, a timeout does not cancel the SDK call itself.
 */
function withTimeout(operation, timeoutMs, abortSignal) {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(named(new Error('Request aborted'), 'AbortError'));
      return;
    }
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(named(new Error('Request aborted'), 'AbortError'));
    };
    const finish = (settle, value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      abortSignal?.removeEventListener('abort', onAbort);
      settle(value);
    };
    abortSignal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      finish(reject, named(new Error(`Request timed out after ${timeoutMs}ms`), 'TimeoutError'));
    }, timeoutMs);
    try {
      operation().then((value) => finish(resolve, value), (error) => finish(reject, error));
    } catch (error) {
      // A send that throws instead of rejecting must not leave the timer running.
      finish(reject, error);
    }
  });
}

function named(error, name) {
  error.name = name;
  return error;
}

module.exports = { BedrockModel };
