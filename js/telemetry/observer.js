'use strict';
// What one multiplexed request did, told to OpenTelemetry: the observer stands between
// the request handler and its delegate (the multiplexer, or its stream delegate),
// passing every call through unchanged and noting what happened — each attempt's start
// and end, its answer or failure, failovers, tier escalations, refusals — into the
// request's spans (spans.js) and the multiplexer's metrics (metrics.js). The request
// machine is not touched: the delegate calls and events already say all of it.

const { RequestSpans } = require('./spans');
const { ATTR, commonAttributes, requestAttributes, answerAttributes, outputContentAttributes, errorType, outcomeName } = require('./names');
const { nativeAnswerTime } = require('../transport');
const { OutcomeType } = require('../enums');

/** Epoch milliseconds with sub-millisecond precision, for span times and durations. */
function now() {
  return performance.timeOrigin + performance.now();
}

/**
 * @typedef {object} TelemetryRuntime  What an active multiplexer's telemetry offers a request.
 * @property {typeof import('@opentelemetry/api')} api
 * @property {import('@opentelemetry/api').Tracer | null} tracer
 * @property {import('./metrics').TelemetryMetrics | null} metrics
 * @property {boolean} captureContent
 * @property {Record<string, string | number>} server  server.address and server.port
 */

class RequestObserver {
  #api;
  #metrics;
  #captureContent;
  #server;
  #stream;
  #startedAt;
  /** @type {RequestSpans | null} */
  #spans = null;
  #attempts = 0;
  /** The last attempt's span, ended once nothing more can be said of it (a refusal comes later). */
  #lastAttempt = null;
  /** The model an attempt failed on and why, until the next attempt says whether it was a failover. */
  #failed = null;
  /** A tier escalation was announced: the next attempt is the same model on another tier, not a failover. */
  #escalating = false;
  /** The model whose answer the request returns. */
  #answeredBy = null;
  /** Whether the model last selected came from the fallback pool. */
  #fromFallback = false;
  /** The stream attempt that answered, whose span ends with the stream. */
  #streamAttempt = null;
  /** A hedge was announced (`request-hedged`): the next attempt is that hedge. */
  #hedgeNext = false;
  /** A hedge was sent: an attempt ended through its own aborted signal lost the race. */
  #raced = false;
  /** The request's span has ended: an attempt settling later (a hedge race's loser) ends its own. */
  #requestEnded = false;

  /**
   * Starts observing a request; its span's parent is the caller's active context.
   * @param {TelemetryRuntime} runtime
   * @param {object} input  the Converse input
   * @param {boolean} stream  processStreamRequest
   */
  constructor(runtime, input, stream) {
    this.#api = runtime.api;
    this.#metrics = runtime.metrics;
    this.#captureContent = runtime.captureContent;
    this.#server = runtime.server;
    this.#stream = stream;
    this.#startedAt = now();
    if (runtime.tracer) {
      const attributes = { ...requestAttributes(input, stream), ...runtime.server };
      this.#spans = new RequestSpans(this.#api, runtime.tracer, this.#api.context.active(), attributes, this.#startedAt, input, runtime.captureContent);
    }
  }

  /**
   * `inner` as seen through this observer: the same calls and answers.
   * @param {import('../request-handler').RequestDelegate} inner
   * @returns {import('../request-handler').RequestDelegate}
   */
  delegate(inner) {
    const observer = this;
    return {
      selectModel: async (request) => {
        const selection = await inner.selectModel(request);
        observer.#fromFallback = Boolean(selection?.isFallback);
        return selection;
      },
      reportOutcome: (outcome) => inner.reportOutcome(outcome),
      classifyRefusal: (text) => inner.classifyRefusal(text),
      emitEvent: (event, ...args) => {
        observer.#noteEvent(event, args);
        inner.emitEvent(event, ...args);
      },
      getModel: async (modelId) => {
        const model = await inner.getModel(modelId);
        if (!model) return model;
        return { invoke: (...args) => observer.#attempt(model, String(modelId), args) };
      },
      get refusalRetryEnabled() {
        return inner.refusalRetryEnabled;
      },
      get tierEscalationConfig() {
        return inner.tierEscalationConfig;
      },
    };
  }

  /**
   * The request's promise, settling as `running` does once the request's telemetry is
   * recorded; a stream's is recorded when its events end.
   * @param {Promise<any>} running  the response, or for a stream `{ stream, $metadata }`
   * @returns {Promise<any>}
   */
  settled(running) {
    return running.then(
      (response) => {
        if (this.#stream) return this.#streaming(response);
        this.#endRequest(answerAttributes(response?.stopReason, response?.usage), undefined, response?.output?.message);
        return response;
      },
      (error) => {
        this.#endRequest({}, error, undefined);
        throw error;
      },
    );
  }

  /** One attempt: `model.invoke(...args)` under its own span, with what it answered or threw noted. */
  async #attempt(model, modelId, args) {
    this.#endLastAttempt();
    const attributes = { ...commonAttributes(), ...this.#server, [ATTR.REQUEST_MODEL]: modelId, [ATTR.ATTEMPT]: ++this.#attempts };
    if (this.#stream) attributes[ATTR.REQUEST_STREAM] = true;
    if (typeof args[2] === 'string') attributes[ATTR.SERVICE_TIER] = args[2];
    if (this.#fromFallback) attributes[ATTR.FALLBACK] = true;
    if (this.#hedgeNext) attributes[ATTR.HEDGED] = true;
    this.#hedgeNext = false;
    if (this.#failed && !this.#escalating) {
      attributes[ATTR.FAILOVER_REASON] = this.#failed.reason;
      this.#metrics?.failover(this.#failed.modelId, this.#failed.reason);
    }
    this.#failed = null;
    this.#escalating = false;
    const startedAt = now();
    const span = this.#spans?.startAttempt(modelId, attributes, startedAt) ?? null;
    let result;
    try {
      result = await (span ? this.#api.context.with(this.#spans.attemptContext(span), () => model.invoke(...args)) : model.invoke(...args));
    } catch (error) {
      const endedAt = now();
      // A hedge race's loser, cancelled through its own signal: not a failure of the model.
      if (args[1]?.aborted && this.#raced) {
        if (span) this.#spans.endAttempt(span, { [ATTR.OUTCOME]: 'cancelled' }, undefined, endedAt);
        throw error;
      }
      const type = errorType(error);
      this.#failed = { modelId, reason: type };
      this.#metrics?.attemptEnded(modelId, seconds(endedAt - startedAt), type, undefined);
      if (span) this.#keepLastAttempt({ span, attributes: { [ATTR.ERROR_TYPE]: type, [ATTR.OUTCOME]: outcomeName(error?.outcome?.type), ...breakerState(model) }, error, endTime: endedAt });
      throw error;
    }
    this.#answeredBy = modelId;
    const response = result?.response;
    if (this.#stream) {
      this.#openStream(span, modelId, startedAt, now(), breakerState(model));
      return result;
    }
    // The native transport measured when the answer arrived, which the event loop may have reached later.
    const endedAt = answerTime(response, startedAt, now());
    const usage = response?.usage;
    this.#metrics?.attemptEnded(modelId, seconds(endedAt - startedAt), undefined, usage);
    if (span) {
      const answered = { ...answerAttributes(response?.stopReason, usage), [ATTR.OUTCOME]: outcomeName(result?.outcome?.type), ...breakerState(model) };
      this.#keepLastAttempt({ span, attributes: answered, error: undefined, endTime: endedAt });
    }
    return result;
  }

  /**
   * Keeps a settled attempt's span open for what may still be said of it (a refusal).
   * Racing attempts (hedging) settle in any order: one settling after another ends the
   * other's span, and one settling after the request ended ends its own at once.
   */
  #keepLastAttempt(attempt) {
    if (this.#requestEnded) {
      this.#spans.endAttempt(attempt.span, attempt.attributes, attempt.error, attempt.endTime);
      return;
    }
    this.#endLastAttempt();
    this.#lastAttempt = attempt;
  }

  /** What the machine announced: refusals and tier escalations concern the last attempt. */
  #noteEvent(event, args) {
    const [modelId] = args;
    if (event === 'refusal-classification') {
      if (this.#lastAttempt && typeof args[2] === 'number') this.#lastAttempt.attributes[ATTR.REFUSAL_SCORE] = args[2];
    } else if (event === 'refusal-detected') {
      if (this.#lastAttempt) this.#lastAttempt.attributes[ATTR.OUTCOME] = outcomeName(OutcomeType.REFUSAL);
      this.#failed = { modelId: String(modelId), reason: 'refusal' };
      this.#metrics?.refusal(String(modelId));
    } else if (event === 'request-hedged') {
      this.#raced = true;
      this.#hedgeNext = true;
      this.#metrics?.hedge(String(modelId));
    } else if (event === 'tier-escalation') {
      this.#escalating = true;
      this.#metrics?.tierEscalation(String(modelId), args[1], args[2]);
    }
  }

  #endLastAttempt() {
    const last = this.#lastAttempt;
    if (!last) return;
    this.#lastAttempt = null;
    this.#spans.endAttempt(last.span, last.attributes, last.error, last.endTime);
  }

  /** The stream attempt that answered: its span stays open until the stream ends (#streaming). */
  #openStream(span, modelId, startedAt, firstChunkAt, breaker) {
    const timeToFirstChunk = seconds(firstChunkAt - startedAt);
    this.#metrics?.firstChunk(modelId, timeToFirstChunk);
    this.#streamAttempt = { span, modelId, startedAt, firstChunkAt, attributes: { [ATTR.TIME_TO_FIRST_CHUNK]: timeToFirstChunk, [ATTR.OUTCOME]: outcomeName(OutcomeType.SUCCESS), ...breaker } };
  }

  /** The stream response with its events watched, so the spans end when the stream does. */
  #streaming(response) {
    if (!this.#streamAttempt || !response?.stream) {
      this.#endRequest({}, undefined, undefined);
      return response;
    }
    response.stream = this.#watch(response.stream, this.#streamAttempt);
    return response;
  }

  async *#watch(events, attempt) {
    let lastChunkAt = attempt.firstChunkAt;
    let usage;
    let stopReason;
    let failure;
    try {
      for await (const event of events) {
        if (event?.contentBlockDelta) {
          const at = now();
          this.#metrics?.outputChunk(attempt.modelId, seconds(at - lastChunkAt));
          lastChunkAt = at;
        }
        usage = event?.metadata?.usage ?? usage;
        stopReason = event?.messageStop?.stopReason ?? stopReason;
        yield event;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      const endedAt = now();
      const type = failure === undefined ? undefined : errorType(failure);
      this.#metrics?.attemptEnded(attempt.modelId, seconds(endedAt - attempt.startedAt), type, usage);
      const answered = answerAttributes(stopReason, usage);
      if (attempt.span) {
        const attributes = { ...attempt.attributes, ...answered };
        if (type) attributes[ATTR.ERROR_TYPE] = type;
        this.#spans.endAttempt(attempt.span, attributes, failure, endedAt);
      }
      this.#endRequest({ ...answered, [ATTR.TIME_TO_FIRST_CHUNK]: attempt.attributes[ATTR.TIME_TO_FIRST_CHUNK] }, failure, undefined, endedAt);
    }
  }

  /** Ends the request: its span (after the last attempt's) and its duration. */
  #endRequest(attributes, error, message, endedAt = now()) {
    this.#endLastAttempt();
    this.#requestEnded = true;
    const type = error === undefined ? undefined : errorType(error);
    const modelId = error === undefined ? this.#answeredBy : null;
    this.#metrics?.requestEnded(modelId, seconds(endedAt - this.#startedAt), type);
    if (!this.#spans) return;
    attributes[ATTR.ATTEMPTS] = this.#attempts;
    if (type) attributes[ATTR.ERROR_TYPE] = type;
    if (this.#captureContent) Object.assign(attributes, outputContentAttributes(message));
    this.#spans.end(modelId, attributes, error, endedAt);
  }
}

/** `bmm.breaker_state` of the model's breaker after the attempt, when the model has one. */
function breakerState(model) {
  try {
    const state = model.getCircuitBreaker?.()?.getState?.();
    return typeof state === 'string' ? { [ATTR.BREAKER_STATE]: state.toLowerCase() } : {};
  } catch {
    return {};
  }
}

/** When the attempt ended: when the native transport had the answer (kept within [startedAt, seenAt]), else seenAt. */
function answerTime(response, startedAt, seenAt) {
  const answeredAt = nativeAnswerTime(response);
  return typeof answeredAt === 'number' ? Math.min(seenAt, Math.max(startedAt, performance.timeOrigin + answeredAt)) : seenAt;
}

function seconds(ms) {
  return ms / 1000;
}

module.exports = { RequestObserver };
