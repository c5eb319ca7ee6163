'use strict';
// One Bedrock model behind a circuit breaker: sends Converse through the native Rust
// client or a JavaScript SDK client (js/transport.js decides which, per call), bounds
// it by the model's timeout, and turns every ending into an outcome. Which failure is
// which, and whether it counts against the breaker, is decided in Rust
// (`describeInvokeFailure`); this file builds the error objects callers catch.

const native = require('./native');
const { bedrockRuntime } = require('./sdk');
const { OutcomeType } = require('./enums');
const { createEnhancedError, toErrorResponse } = require('./errors');
const { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER_CONFIG } = require('./breakers');
const { chooseTransport, jsSdkReplaced, sendNative } = require('./transport');

/** Set by the multiplexer: its `transport` option ('auto', 'native' or 'js-sdk'). */
const TRANSPORT_OPTION = Symbol('transport option');

class BedrockModel {
  #config;
  #client;
  #ownClient;
  #clientConfig;
  #breaker;
  #timeoutMs;
  [TRANSPORT_OPTION] = 'auto';

  constructor(config, client, defaultTimeoutMs = 30000, circuitBreaker, clientConfig = {}) {
    this.#config = config;
    this.#timeoutMs = defaultTimeoutMs;
    this.#breaker = circuitBreaker ?? new CircuitBreaker(config.modelId, DEFAULT_CIRCUIT_BREAKER_CONFIG);
    this.#clientConfig = clientConfig;
    this.#ownClient = Boolean(client);
    // A test double of the SDK expects its client to be built now, with clientConfig
    // as given; a real one is built only if a call ever goes through it.
    this.#client = client ? client : jsSdkReplaced() ? new (bedrockRuntime().BedrockRuntimeClient)(clientConfig) : null;
  }

  /** Beyond the original: which transport the next call takes, 'native' or 'js-sdk'. */
  get transport() {
    return chooseTransport({ forced: this[TRANSPORT_OPTION], hasOwnClient: this.#ownClient, clientConfig: this.#clientConfig });
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
    this.#client ??= new (bedrockRuntime().BedrockRuntimeClient)(this.#clientConfig);
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
      const response = await withTimeout(this.#converse(input, serviceTier, abortSignal), this.#timeoutMs, abortSignal);
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
      const send = { start: () => this.getClient().send(command, { abortSignal }) };
      const response = await withTimeout(send, this.#timeoutMs, abortSignal);
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

  /** The send of one Converse call, for withTimeout: `start()`, and `cancel()` on giving up. */
  #converse(input, serviceTier, abortSignal) {
    const modelId = this.#config.modelId;
    if (this.transport === 'native') {
      const canceller = new native.CallCanceller();
      return {
        start: () => sendNative(this.#clientConfig, modelId, input, serviceTier, canceller),
        cancel: () => canceller.cancel(),
      };
    }
    return {
      start: () => {
        const commandInput = { ...input, modelId };
        if (serviceTier) commandInput.serviceTier = { type: serviceTier };
        const command = new (bedrockRuntime().ConverseCommand)(commandInput);
        return this.getClient().send(command, { abortSignal });
      },
    };
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
 * Settles with `send.start()` unless the timeout or the abort signal comes first; then
 * `send.cancel()` abandons the call where the transport can (the native one closes
 * its connection; the JS SDK call, as in the original, runs on).
 */
function withTimeout(send, timeoutMs, abortSignal) {
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
      send.cancel?.();
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
      if (!settled) send.cancel?.();
      finish(reject, named(new Error(`Request timed out after ${timeoutMs}ms`), 'TimeoutError'));
    }, timeoutMs);
    try {
      send.start().then((value) => finish(resolve, value), (error) => finish(reject, error));
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

module.exports = { BedrockModel, TRANSPORT_OPTION };
