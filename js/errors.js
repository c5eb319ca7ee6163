'use strict';
// Errors and error classification. The rules (which names throttle, which error type a
// failure is, whether it is retryable, what to suggest) live in Rust; this file only
// reads arbitrary JavaScript error objects (whose shape the SDK and callers decide)
// and builds the plain objects the original returns.

const native = require('./native');
const { adopt } = require('./realm');
const { textOf, numberOf } = require('./text');

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

function classifyError(error) {
  return native.outcomeForError(error ? textOf(error.name || '', 'error.name') : null);
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

function getRecoverySuggestions(errorType) {
  return adopt(native.recoverySuggestions(textOf(errorType, 'errorType')));
}

function getErrorMessage(error) {
  if (!error) return 'Unknown error occurred';
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
  if (!error) return { code: 500, message: 'Unknown error occurred', details: {} };
  return {
    code: error.$metadata?.httpStatusCode || 500,
    message: error.message || 'Unknown error',
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
  MultiplexerError,
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
