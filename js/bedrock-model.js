'use strict';
// One Bedrock model behind a circuit breaker: sends Converse through the native Rust
// client or a JavaScript SDK client (js/transport.js decides which, per call), bounds
// it by the model's timeout, and turns every ending into an outcome. Which failure is
// which, and whether it counts against the breaker, is decided in Rust
// (`describeInvokeFailure`, `describeStreamFailure`); js/errors.js builds the errors.

const native = require('./native');
const { bedrockRuntime } = require('./sdk');
const { OutcomeType, ErrorType } = require('./enums');
const errors = require('./errors');
const { CircuitBreaker, DEFAULT_CIRCUIT_BREAKER_CONFIG } = require('./breakers');
const { numberOf, spreadable } = require('./text');
const { markFailover, markAttemptTimeout, markRetryAfter } = require('./request-handler');
const { chooseTransport, jsSdkReplaced, prepareNativeTransport, nativeCallId, cancelNative, sendNative, sendNativeStream, OpenStreams } = require('./transport');

/** The multiplexer's way into a stream that answers at its first event; see below. */
const OPEN_STREAM = Symbol('open stream');

class BedrockModel {
  #config;
  #client;
  #ownClient;
  #clientConfig;
  #breaker;
  #timeoutMs;
  #transportOption;
  /** This model's native streams, opening or open: see sendNativeStream. */
  #openStreams = new OpenStreams();
  #maxResponseBytes;
  /** Beyond the original: the multiplexer's `failover` option (issue 14), or undefined. */
  #failover;

  /**
   * `transportOption` and `maxResponseBytes` (not in the original's signature) are the
   * multiplexer's options of those names; the native client's default bound applies
   * when `maxResponseBytes` is undefined. So is `failover`: without it, every failure
   * but throttling fails fast, as in the original.
   */
  constructor(config, client, defaultTimeoutMs = 30000, circuitBreaker, clientConfig = {}, transportOption = 'auto', maxResponseBytes = undefined, failover = undefined) {
    this.#transportOption = transportOption;
    this.#failover = failover ?? undefined;
    this.#maxResponseBytes = maxResponseBytes;
    this.#config = config;
    // Kept as given (setTimeout and the timeout message read it), but an array is read
    // now, within bounds: both would join it, and a sparse one takes minutes.
    this.#timeoutMs = Array.isArray(defaultTimeoutMs) ? numberOf(defaultTimeoutMs, 'defaultTimeoutMs') : defaultTimeoutMs;
    this.#breaker = circuitBreaker ?? new CircuitBreaker(config.modelId, DEFAULT_CIRCUIT_BREAKER_CONFIG);
    this.#clientConfig = clientConfig;
    this.#ownClient = Boolean(client);
    // A test double of the SDK expects its client to be built now, with clientConfig
    // as given; a real one is built only if a call ever goes through it.
    this.#client = client ? client : jsSdkReplaced() ? new (bedrockRuntime().BedrockRuntimeClient)(clientConfig) : null;
    if (this.transport === 'native') prepareNativeTransport(clientConfig);
  }

  /** Beyond the original: which transport the next call takes, 'native' or 'js-sdk'. */
  get transport() {
    return chooseTransport({ forced: this.#transportOption, hasOwnClient: this.#ownClient, clientConfig: this.#clientConfig });
  }

  get modelId() {
    return this.#config.modelId;
  }

  get configuration() {
    return { ...spreadable(this.#config) };
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

  /**
   * `deadline` (beyond the original, from the request handler under `failover`) is when
   * the request's overall budget runs out: the attempt ends by then at the latest.
   */
  async invoke(input, abortSignal, serviceTier, deadline) {
    this.#admit();
    const modelId = this.#config.modelId;

    const startedAt = Date.now();
    const timeoutMs = this.#attemptTimeoutMs(startedAt, deadline);
    try {
      const response = await withTimeout(this.#converse(input, serviceTier, abortSignal), timeoutMs, abortSignal);
      const latency = Date.now() - startedAt;
      this.#breaker.recordSuccess();
      return { response, outcome: errors.outcome(modelId, OutcomeType.SUCCESS, latency) };
    } catch (error) {
      throw this.#failure(error, Date.now() - startedAt, abortSignal, timeoutMs);
    }
  }

  /**
   * How long one attempt may take: the model's timeout, or under `failover` the shorter
   * of it, `attemptTimeoutMs` and what is left before `deadline` (at least 1 ms).
   */
  #attemptTimeoutMs(now, deadline) {
    if (!this.#failover) return this.#timeoutMs;
    const left = typeof deadline === 'number' ? Math.max(1, deadline - now) : Infinity;
    return Math.min(Number(this.#timeoutMs), this.#failover.attemptTimeoutMs ?? Infinity, left);
  }

  async invokeStream(input, abortSignal) {
    if (!this.#breaker.canExecute()) {
      throw errors.circuitOpenStreamFailure(this.#breaker.getCircuitOpenError());
    }
    try {
      const response = await withTimeout(this.#converseStream(input, abortSignal), this.#timeoutMs, abortSignal);
      this.#breaker.recordSuccess();
      return response;
    } catch (error) {
      this.#recordStreamFailure(error);
      throw error;
    }
  }

  /**
   * As the original, resets the breaker (the model stays usable). Beyond it, closes the
   * model's native streams, also those opening or never read: their connections close
   * now, and a reader waiting on one gets an AbortError.
   */
  destroy() {
    this.#openStreams.closeAll(() => new errors.ClosedByDestroy());
    this.#breaker.reset();
  }

  /**
   * Beyond the original, for `processStreamRequest`: like `invoke`, but sends
   * ConverseStream and answers once the first event has arrived, so that a failure
   * before it (throttling, unavailability, a timeout) fails over like any other. The
   * response's `stream` yields every event; `watch.ended(firstEventMs, outputTokens,
   * streamingMs, usage)` (the metadata event's `usage`) or `watch.failed(error, outcomeType)`
   * hears how it ends. Under `hedging` (beyond the original), `untilContent` answers at the
   * first event that decides a race (`engine::hedge::decides_stream_race`), and
   * `abortSignal` closes the stream of a racer that lost.
   */
  async [OPEN_STREAM](input, serviceTier, { firstEventTimeoutMs, idleTimeoutMs, watch, abortSignal, untilContent = false }) {
    this.#admit();
    const startedAt = Date.now();
    const streamInput = serviceTier ? { ...spreadable(input), serviceTier: { type: serviceTier } } : input;
    const timeoutMs = firstEventTimeoutMs ?? this.#timeoutMs;
    let opened;
    try {
      opened = await withTimeout(this.#firstEvent(streamInput, untilContent, abortSignal), timeoutMs, abortSignal);
    } catch (error) {
      throw this.#failure(error, Date.now() - startedAt, abortSignal, timeoutMs);
    }
    abortSignal?.addEventListener('abort', () => opened.iterator.return?.(), { once: true });
    const firstEventMs = Date.now() - startedAt;
    this.#breaker.recordSuccess();
    const stream = watchedEvents(opened, idleTimeoutMs, {
      ended: (usage, streamingMs) => watch.ended(firstEventMs, usage?.outputTokens ?? 0, streamingMs, usage),
      failed: (error) => {
        watch.failed(error, this.#recordStreamFailure(error).outcomeType);
      },
    });
    const response = { ...opened.output, stream };
    return { response, outcome: errors.outcome(this.#config.modelId, OutcomeType.SUCCESS, firstEventMs) };
  }

  /** Throws the original's CircuitOpenError when the breaker refuses calls. */
  #admit() {
    if (this.#breaker.canExecute()) return;
    throw errors.circuitOpenFailure(this.#breaker.getCircuitOpenError(), this.#config.modelId);
  }

  /**
   * Opens a stream and reads its first event (with `untilContent`, up to the first that
   * decides a hedged race, the ones before it kept in `before`), for withTimeout.
   */
  #firstEvent(streamInput, untilContent, abortSignal) {
    const send = this.#converseStream(streamInput, abortSignal);
    let iterator = null;
    let cancelled = false;
    return {
      start: async () => {
        const output = await send.start();
        iterator = output.stream[Symbol.asyncIterator]();
        // A stream that opens after the caller gave up is closed, not left to the GC.
        if (cancelled) iterator.return?.();
        const before = [];
        let first = await iterator.next();
        while (untilContent && !first.done && !native.decidesStreamRace(Object.keys(first.value ?? {})[0] ?? '')) {
          before.push(first.value);
          first = await iterator.next();
        }
        return { output, iterator, first, before };
      },
      cancel: () => {
        cancelled = true;
        send.cancel?.();
        iterator?.return?.();
      },
    };
  }

  /** The send of one ConverseStream call, for withTimeout (see #converse). */
  #converseStream(input, abortSignal) {
    const modelId = this.#config.modelId;
    if (this.transport === 'native') {
      const callId = nativeCallId();
      return {
        start: () => sendNativeStream(this.#clientConfig, modelId, input, callId, this.#openStreams, this.#maxResponseBytes),
        cancel: () => cancelNative(this.#clientConfig, callId),
      };
    }
    return {
      start: () => {
        const command = new (bedrockRuntime().ConverseStreamCommand)({ ...spreadable(input), modelId });
        return this.getClient().send(command, { abortSignal });
      },
    };
  }

  /** The send of one Converse call, for withTimeout: `start()`, and `cancel()` on giving up. */
  #converse(input, serviceTier, abortSignal) {
    const modelId = this.#config.modelId;
    if (this.transport === 'native') {
      const callId = nativeCallId();
      return {
        start: () => sendNative(this.#clientConfig, modelId, input, serviceTier, callId, this.#maxResponseBytes),
        cancel: () => cancelNative(this.#clientConfig, callId),
      };
    }
    // Under `failover`, an attempt the timeout ends is aborted, so its connection is
    // freed for the next model; without it the JS SDK call runs on, as in the original.
    // withTimeout cancels the send on the caller's abort too, so the attempt's own
    // controller needs no listener on the caller's signal.
    const attempt = this.#failover ? new AbortController() : null;
    return {
      start: () => {
        const commandInput = { ...spreadable(input), modelId };
        if (serviceTier) commandInput.serviceTier = { type: serviceTier };
        const command = new (bedrockRuntime().ConverseCommand)(commandInput);
        return this.getClient().send(command, { abortSignal: attempt ? attempt.signal : abortSignal });
      },
      cancel: attempt ? () => attempt.abort() : undefined,
    };
  }

  /** Records a stream's failure as the engine counts it, and returns that reading. */
  #recordStreamFailure(error) {
    const failure = errors.describeStreamFailure(error);
    if (failure.recordsBreakerFailure) this.#breaker.recordFailure(error);
    return failure;
  }

  /** The error `invoke` throws for a failed send, with its outcome attached. */
  #failure(error, latency, abortSignal, timeoutMs = this.#timeoutMs) {
    const failure = native.describeInvokeFailure(error.name, error?.code, error?.cause?.code, Boolean(abortSignal?.aborted), timeoutMs);
    if (failure.recordsBreakerFailure) this.#breaker.recordFailure(error);
    const thrown = errors.invokeFailure(error, failure, this.#config.modelId, latency);
    if (this.#failover && failure.errorType === ErrorType.TIMEOUT) markAttemptTimeout(thrown, timeoutMs);
    if (this.#failover?.backoff) markRetryAfter(thrown, errors.retryAfterUntil(error, Date.now()));
    return this.#failsOver(error, failure) ? markFailover(thrown) : thrown;
  }

  /** Whether `failover` moves a failed send on to another model (`engine::failover`). */
  #failsOver(error, failure) {
    const policy = this.#failover;
    if (!policy || !failure.recordsBreakerFailure) return false;
    return native.failsOverUnderPolicy(
      policy.serverErrors !== false,
      policy.connectionErrors !== false,
      policy.attemptTimeoutMs !== undefined,
      error?.name,
      error?.message,
      error?.$fault,
      error?.$metadata?.httpStatusCode,
      error?.code,
      error?.cause?.code,
    );
  }
}

/**
 * The events of an opened stream: the first one (already read), then the rest, each
 * within `idleTimeoutMs` of the previous when set. Leaving early closes the stream.
 */
async function* watchedEvents({ iterator, first, before }, idleTimeoutMs, watch) {
  const firstEventAt = Date.now();
  let usage;
  let finished = false;
  try {
    yield* before;
    let next = first;
    while (!next.done) {
      usage = next.value?.metadata?.usage ?? usage;
      yield next.value;
      next = await withinIdleTimeout(iterator, idleTimeoutMs);
    }
    finished = true;
    watch.ended(usage, Date.now() - firstEventAt);
  } catch (error) {
    finished = true;
    watch.failed(error);
    throw error;
  } finally {
    if (!finished) await iterator.return?.();
  }
}

async function withinIdleTimeout(iterator, idleTimeoutMs) {
  if (!idleTimeoutMs) return iterator.next();
  let timer;
  const idle = new Promise((_, reject) => {
    timer = setTimeout(() => {
      iterator.return?.(); // closes the HTTP stream now, not after the pending read
      reject(errors.idleTimeoutError(idleTimeoutMs));
    }, idleTimeoutMs);
  });
  try {
    return await Promise.race([iterator.next(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Settles with `send.start()` unless the timeout or the abort signal comes first; then
 * `send.cancel()` abandons the call where the transport can (the native one closes
 * its connection; the JS SDK call, as in the original, runs on).
 */
function withTimeout(send, timeoutMs, abortSignal) {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) {
      reject(errors.abortError());
      return;
    }
    let settled = false;
    const onAbort = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      send.cancel?.();
      reject(errors.abortError());
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
      finish(reject, errors.timeoutError(timeoutMs));
    }, timeoutMs);
    try {
      send.start().then((value) => finish(resolve, value), (error) => finish(reject, error));
    } catch (error) {
      // A send that throws instead of rejecting must not leave the timer running.
      finish(reject, error);
    }
  });
}

module.exports = { BedrockModel, OPEN_STREAM };
