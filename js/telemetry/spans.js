'use strict';
// The spans of one multiplexed request: a CLIENT span for the request, a child CLIENT
// span per attempt, started and ended at the times given (the attempt's own when the
// native transport measured them). Attribute names come from names.js; the request
// observer (observer.js) decides what goes on which span and when.

const { ATTR, spanName, inputContentAttributes } = require('./names');

class RequestSpans {
  #api;
  #tracer;
  #span;
  /** The request span's context, under which attempts start. */
  #context;

  /**
   * Starts the request's span as a child of `parentContext` (the caller's active one).
   * @param {typeof import('@opentelemetry/api')} api
   * @param {import('@opentelemetry/api').Tracer} tracer
   */
  constructor(api, tracer, parentContext, attributes, startTime, input, captureContent) {
    this.#api = api;
    this.#tracer = tracer;
    if (captureContent) Object.assign(attributes, inputContentAttributes(input));
    this.#span = tracer.startSpan(spanName(null), { kind: api.SpanKind.CLIENT, attributes, startTime }, parentContext);
    this.#context = api.trace.setSpan(parentContext, this.#span);
  }

  /** The context an attempt's own work runs in, so what it calls joins its span. */
  attemptContext(attempt) {
    return this.#api.trace.setSpan(this.#context, attempt);
  }

  /** Starts an attempt's span at `startTime`. */
  startAttempt(modelId, attributes, startTime) {
    return this.#tracer.startSpan(spanName(modelId), { kind: this.#api.SpanKind.CLIENT, attributes, startTime }, this.#context);
  }

  /** Sets attributes on an attempt's span, then ends it at `endTime`, failed with `error` if given. */
  endAttempt(attempt, attributes, error, endTime) {
    finish(this.#api, attempt, attributes, error, endTime);
  }

  /** Ends the request's span; `modelId` (the model that answered, or null) completes its name. */
  end(modelId, attributes, error, endTime) {
    if (modelId) {
      this.#span.updateName(spanName(modelId));
      attributes[ATTR.REQUEST_MODEL] = modelId;
    }
    finish(this.#api, this.#span, attributes, error, endTime);
  }
}

function finish(api, span, attributes, error, endTime) {
  span.setAttributes(attributes);
  if (error !== undefined) {
    span.setStatus({ code: api.SpanStatusCode.ERROR, message: messageOf(error) });
  }
  span.end(endTime);
}

function messageOf(error) {
  return typeof error?.message === 'string' ? error.message : String(error);
}

module.exports = { RequestSpans };
