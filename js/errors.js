'use strict';
// Errors, outcomes and error classification. The rules (which names throttle, which
// error type a failure is, whether it counts against a breaker, what to suggest) and
// the messages they carry live in Rust (`src/error.rs`, `crates/engine`); this is the
// one JavaScript module that reads arbitrary error objects (whose shape the SDK and
// callers decide) and builds the multiplexer's errors and outcomes callers see.
//
// Not here, on purpose: the errors the JS SDK would throw are rebuilt in
// js/transport/sdk-error.js, next to the SDK they imitate (its classes, its decorating
// rule, its hidden response; they are what a send rejects with, and this module reads
// them like any SDK error); the refusal classifier's own state errors stay in
// js/refusal.js; a TypeError for a bad argument is thrown where the argument is read.

const native = require('./native');
const { adopt } = require('./realm');
const { textOf, numberOf } = require('./text');
const { OutcomeType } = require('./enums');

/** What an error without a message reads as, in events and error responses. */
const UNKNOWN_ERROR = 'Unknown error';
/** What no error at all reads as. */
const NO_ERROR = 'Unknown error occurred';

/** A failure of the multiplexer itself (no model left, retries spent), never an SDK error. */
class MultiplexerError extends Error {
  constructor(message, code, details) {
    // Error() would join an array message, holes included; anything else as given.
    super(Array.isArray(message) ? textOf(message, 'message') : message);
    this.name = 'MultiplexerError';
    this.code = code;
    this.details = details;
    Object.setPrototypeOf(this, MultiplexerError.prototype);
  }
}

/**
 * A request the multiplexer itself gave up on, as the engine described it (`failure`:
 * code, message, and for RETRIES_EXHAUSTED the retries spent), with the details only
 * JavaScript holds: the `maxRetries` given and the last error.
 * @param {import('../binding').MultiplexerFailure} failure
 * @param {string[]} skipped
 * @param {unknown} maxRetries
 * @param {any} lastError
 */
function multiplexerFailure(failure, skipped, maxRetries, lastError) {
  const details =
    failure.retries === undefined
      ? { skippedModels: skipped, totalSkipped: skipped.length }
      : { maxRetries, actualRetries: failure.retries, skippedModels: skipped, totalSkipped: skipped.length, lastError: lastError?.message };
  return new MultiplexerError(failure.message, failure.code, details);
}

/**
 * What a model invocation ended in, as the original reports it.
 * @typedef {{ modelId: unknown, type: number, latency: number, timestamp: Date, error?: object }} Outcome
 */

/**
 * An outcome as the original reports it; a failure's carries its error response.
 * @param {unknown} modelId
 * @param {number} type
 * @param {number} latency
 * @param {object} [error]
 * @returns {Outcome}
 */
function outcome(modelId, type, latency, error) {
  const made = { modelId, type, latency, timestamp: new Date() };
  if (error !== undefined) made.error = error;
  return made;
}

/**
 * The error `invoke` throws when the model's breaker refuses calls; the request
 * handler moves on to another model for it (the engine knows it by its name).
 * @param {{ message: string }} circuitError  the breaker's `getCircuitOpenError()`
 *   (a `CircuitOpenResponse`, or whatever a caller's own breaker returns)
 * @param {unknown} modelId
 */
function circuitOpenFailure(circuitError, modelId) {
  const refused = outcome(modelId, OutcomeType.FAIL_FAST, 0, circuitError);
  return tagged(new Error(circuitError.message), native.CIRCUIT_OPEN_ERROR_NAME, refused, circuitError);
}

/**
 * The error `invokeStream` throws when the model's breaker refuses calls.
 * @param {{ message: string }} circuitError  the breaker's `getCircuitOpenError()`
 */
function circuitOpenStreamFailure(circuitError) {
  return new Error(circuitError.message);
}

/**
 * The error `invoke` throws for a failed send, with its outcome attached; `failure`
 * is the engine's reading of it (`describeInvokeFailure`).
 * @param {any} error  what the send threw (a caught value)
 * @param {import('../binding').InvokeFailureFacts} failure
 * @param {unknown} modelId
 * @param {number} latency
 */
function invokeFailure(error, failure, modelId, latency) {
  const errorResponse = failure.errorType
    ? createEnhancedError(error, failure.errorType, modelId, failure.responseMessage)
    : toErrorResponse(error);
  const thrown = new Error(failure.message ?? errorResponse.message);
  const failed = outcome(modelId, failure.outcomeType, latency, errorResponse);
  return tagged(thrown, failure.name, failed, failure.attachErrorResponse ? errorResponse : undefined);
}

/**
 * The outcome a served stream that failed reports, of the kind the engine gave it.
 * @param {any} error  what the stream threw (a caught value)
 * @param {string} modelId
 * @param {number} outcomeType
 */
function streamFailureOutcome(error, modelId, outcomeType) {
  return outcome(modelId, outcomeType, 0, toErrorResponse(error));
}

/**
 * What a native stream that `destroy()` closed throws to its reader (an opening one
 * rejects with it). Destroying is the caller's doing: it counts against no breaker.
 */
class ClosedByDestroy extends Error {
  constructor() {
    super('The stream was closed: destroy() was called');
    this.name = 'AbortError';
  }
}

/** The caller's abort signal fired before the call settled. */
function abortError() {
  return named(new Error('Request aborted'), 'AbortError');
}

/**
 * The model's own timeout passed before the call settled.
 * @param {unknown} timeoutMs  as given (the message writes it as a template literal would)
 */
function timeoutError(timeoutMs) {
  return named(new Error(native.timeoutMessage(timeoutMs)), 'TimeoutError');
}

/**
 * A served stream went `idleTimeoutMs` without an event.
 * @param {number} idleTimeoutMs
 */
function idleTimeoutError(idleTimeoutMs) {
  return named(new Error(`No stream event for ${idleTimeoutMs}ms`), 'TimeoutError');
}

/**
 * What `assertValid` and the constructors throw for an invalid configuration.
 * @param {string} message  the engine's (`validationFailureMessage`)
 */
function validationFailure(message) {
  return new Error(message);
}

/** An error's message for events and traces. */
function messageOf(error) {
  return error.message || UNKNOWN_ERROR;
}

function named(error, name) {
  error.name = name;
  return error;
}

function tagged(error, name, attached, errorResponse) {
  error.name = name;
  error.outcome = attached;
  if (errorResponse !== undefined) error.errorResponse = errorResponse;
  return error;
}

function classifyError(error) {
  return native.outcomeForError(nameOf(error));
}

/**
 * How a stream's failure counts, as the engine classifies it.
 * @param {any} error  what the stream threw (a caught value)
 * @returns {import('../binding').StreamFailureFacts}
 */
function describeStreamFailure(error) {
  return native.describeStreamFailure(nameOf(error), error instanceof ClosedByDestroy);
}

/** `error.name || ''` as text, or null for no error at all. */
function nameOf(error) {
  return error ? textOf(error.name || '', 'error.name') : null;
}

function classifyErrorType(error) {
  if (!error) return 'UNKNOWN';
  const message = (error.message || '').toLowerCase();
  return native.classifyErrorType(textOf(error.name || '', 'error.name'), message, faultOf(error));
}

function isThrottlingError(errorName) {
  return native.isThrottlingName(textOf(errorName, 'errorName'));
}

function isRetryableError(error) {
  return native.isRetryableErrorType(classifyErrorType(error));
}

function getRetryDelay(error, baseDelayMs = 1000, attempt = 1) {
  const retryAfterSeconds = error.retryAfterSeconds ? numberOf(error.retryAfterSeconds, 'error.retryAfterSeconds') : null;
  return native.retryDelay(retryAfterSeconds, baseDelayMs, attempt, Math.random);
}

/**
 * Beyond the original, for `failover.backoff`: until when (ms since the epoch) the error
 * says its model should not be called again — the hidden response's `retry-after` and
 * `x-amz-retry-after` headers, read as the JS SDK's retry strategy reads them, or
 * `retryAfterSeconds` (the rule: `engine::backoff::retry_after_until`) — or null.
 */
function retryAfterUntil(error, now) {
  if (error === null || typeof error !== 'object') return null;
  const headers = error.$response?.headers;
  const header = (wanted) => {
    if (!headers || typeof headers !== 'object') return undefined;
    const name = Object.keys(headers).find((key) => key.toLowerCase() === wanted);
    return name === undefined ? undefined : headers[name];
  };
  const retryAfter = header('retry-after');
  const retryAfterDate = typeof retryAfter === 'string' ? Date.parse(retryAfter) : undefined;
  return native.retryAfterUntil(retryAfter, retryAfterDate, header('x-amz-retry-after'), error.retryAfterSeconds, now);
}

function getRecoverySuggestions(errorType) {
  return adopt(native.recoverySuggestions(textOf(errorType, 'errorType')));
}

function getErrorMessage(error) {
  if (!error) return NO_ERROR;
  const name = textOf(error.name || '', 'error.name');
  return native.friendlyErrorMessage(name) ?? (error.message || `${name} occurred`);
}

/** The SDK-specific fields the original copies into `details`, in its order. */
function sdkDetails(error) {
  const details = {};
  if (error.$metadata) details.metadata = error.$metadata;
  if (error.$fault) details.fault = error.$fault;
  if (error.requestId) details.requestId = error.requestId;
  if (error.retryAfterSeconds) details.retryAfterSeconds = error.retryAfterSeconds;
  return details;
}

function toErrorResponse(error) {
  if (!error) return { code: 500, message: NO_ERROR, details: {} };
  return {
    code: error.$metadata?.httpStatusCode || 500,
    message: messageOf(error),
    details: { name: error.name, stack: error.stack, ...sdkDetails(error) },
  };
}

function createEnhancedError(error, errorType, modelId, customMessage) {
  const base = toErrorResponse(error);
  const detectedType = errorType ?? classifyErrorType(error);
  const retryable = isRetryableError(error);
  return {
    ...base,
    message: customMessage ?? base.message,
    errorType: detectedType,
    retryable,
    retryAfterMs: retryable ? getRetryDelay(error) : undefined,
    recoverySuggestions: getRecoverySuggestions(detectedType),
    modelId,
    requestId: error?.$metadata?.requestId,
  };
}

function faultOf(error) {
  return typeof error.$fault === 'string' ? error.$fault : null;
}

module.exports = {
  retryAfterUntil,
  MultiplexerError,
  ClosedByDestroy,
  multiplexerFailure,
  outcome,
  circuitOpenFailure,
  circuitOpenStreamFailure,
  invokeFailure,
  streamFailureOutcome,
  describeStreamFailure,
  abortError,
  timeoutError,
  idleTimeoutError,
  validationFailure,
  messageOf,
  classifyError,
  classifyErrorType,
  isThrottlingError,
  isRetryableError,
  getRetryDelay,
  toErrorResponse,
  createEnhancedError,
  getRecoverySuggestions,
  getErrorMessage,
};
