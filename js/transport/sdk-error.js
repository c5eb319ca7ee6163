'use strict';
// The errors the JS SDK would throw, rebuilt from the native side's description of them
// (`error_object` in src/transport/output.rs): service exceptions of the SDK's own classes,
// Node's socket and internal errors, V8's parse failures, and the stream's variants. Their
// messages are the description's (the service's or Rust's words); js/errors.js only reads
// these errors, as it reads those of a JS SDK client.

const { bedrockRuntime, httpResponseClass } = require('../sdk');
const { adopt } = require('../realm');

/**
 * The error the JS SDK would throw, from the native side's description of it, built
 * the way its error handler builds it: a service exception constructed empty, then its
 * metadata, fault, message and members assigned (so they are own enumerable keys in
 * the same order), then the raw response as a hidden `$response`. Members are added as
 * its `decorateServiceException` adds them: never over an existing or inherited property
 * (a body's `toString`, `constructor` or `__proto__` leaves the error intact).
 */
function sdkError(description, fromResponse = true) {
  const { name, message, kind, fault, code, cause, metadata, fields, responseBody, statusForResponse, responseHeaders } = description;
  // A setting found nowhere (no region), or refused by the endpoint rules: the SDK's own
  // plain Error (an EndpointError only by name), thrown before sending.
  if (kind === 'Config') return name === 'Error' ? new Error(message) : Object.assign(new Error(message), { name });
  const $metadata = adopt(metadata);
  const extra = adopt(fields);
  let sdk = null;
  try {
    sdk = bedrockRuntime();
  } catch {
    // Not installed: plain errors with the same fields.
  }
  const ServiceException = sdk?.BedrockRuntimeServiceException;
  if ((kind === 'Service' || kind === 'Stream') && typeof ServiceException === 'function') {
    const Modeled = sdk[name];
    const modeled = typeof Modeled === 'function' && Modeled.prototype instanceof ServiceException;
    // The constructor copies $fault and $metadata from its options: undefined until set below.
    const error = modeled ? new Modeled({}) : new ServiceException({ name, $fault: undefined, $metadata: undefined });
    if (kind === 'Stream') {
      // An exception event of a stream: no response of its own, hence no $metadata.
      return decorate(Object.assign(error, { $fault: fault }, { message }), extra);
    }
    decorate(Object.assign(error, { $metadata, $fault: fault }, { message }), extra);
    return withHiddenResponse(error, $metadata, statusForResponse, responseHeaders);
  }
  let error;
  if (kind === 'Deserialization' && responseBody) error = parseFailure(responseBody, message);
  else if (kind === 'Network' && code?.startsWith('ERR_')) error = nodeInternalError(message, code, cause);
  else error = new Error(message);
  if (error.name !== name) error.name = name;
  if (code) error.code = code;
  Object.assign(error, extra);
  error.$metadata = $metadata;
  return kind === 'Deserialization' && fromResponse ? withHiddenResponse(error, $metadata) : error;
}

/**
 * An error shaped as Node's internal errors (codes `ERR_*`) are: own keys `code`, then
 * `cause` when there is one (Node's socket error behind it, without `$metadata`), then
 * the non-enumerable `message`; both of Node's error prototype (`nodeErrorPrototype`).
 */
function nodeInternalError(message, code, cause) {
  const error = Object.setPrototypeOf(new Error(), nodeErrorPrototype(code));
  error.code = code;
  if (cause) error.cause = Object.setPrototypeOf(Object.assign(new Error(cause.message), adopt(cause.fields)), nodeErrorPrototype());
  Object.defineProperty(error, 'message', { value: message, writable: true, configurable: true });
  Error.captureStackTrace(error, nodeInternalError);
  return error;
}

const nodeErrorPrototypes = new Map();

/**
 * The prototype of Node's own errors: a subclass of Error that calls itself `Error`
 * (its `constructor` is a getter returning Error), whose `toString` names the code
 * for internal errors (`Error [ERR_HTTP2_STREAM_CANCEL]: …`).
 */
function nodeErrorPrototype(code) {
  const internalCode = code?.startsWith('ERR_') ? code : '';
  let prototype = nodeErrorPrototypes.get(internalCode);
  if (!prototype) {
    const properties = { constructor: { get: () => Error, configurable: true } };
    if (internalCode) {
      // Assigned, not set: `properties.toString` would name Object's method to a type check.
      Object.assign(properties, {
        toString: {
          /** @this {Error} */
          value() {
            return `${this.name} [${internalCode}]: ${this.message}`;
          },
          writable: true,
          configurable: true,
        },
      });
    }
    prototype = Object.create(Error.prototype, properties);
    nodeErrorPrototypes.set(internalCode, prototype);
  }
  return prototype;
}

/** `decorateServiceException`'s rule: a member is set only where the error has none yet. */
function decorate(error, members) {
  for (const [key, value] of Object.entries(members)) {
    if (error[key] == undefined || error[key] === '') error[key] = value;
  }
  return error;
}

/**
 * The JS SDK hides the raw response on errors it parsed from one. Of its headers, the
 * native client keeps only the back-off ones (`retry-after`, `x-amz-retry-after`).
 */
function withHiddenResponse(error, $metadata, statusCode = $metadata?.httpStatusCode, headers = {}) {
  const fields = { statusCode, headers: { ...headers }, body: undefined };
  const HttpResponse = httpResponseClass();
  const response = HttpResponse ? new HttpResponse(fields) : fields;
  Object.defineProperty(error, '$response', { value: response, enumerable: false, writable: false, configurable: false });
  return error;
}

/** V8's own error for an unparseable body, with the SDK's hint appended. */
function parseFailure(body, message) {
  try {
    JSON.parse(Buffer.from(body).toString('utf8'));
  } catch (parseError) {
    // V8's own words, then the SDK's hint when the message carries one.
    if (message.includes('\n')) parseError.message += message.slice(message.indexOf('\n'));
    return parseError;
  }
  return new SyntaxError(message);
}

/**
 * What the JS SDK's event iterator throws: exception events as the SDK's classes
 * (whose `$metadata` field stays undefined), other failures without `$metadata` or a
 * hidden `$response`.
 */
function streamError(description) {
  const error = sdkError(description, false);
  if (description.kind !== 'Stream') delete error.$metadata;
  return error;
}

/**
 * An exception arriving as the first event: the JS SDK's send() rejects with it as a
 * service error of the 200 response, whose `$metadata` holds only the retry counts.
 */
function firstEventError(description) {
  if (description.kind !== 'Stream') return sdkError(description);
  const { attempts, totalRetryDelay, httpStatusCode } = adopt(description.metadata);
  return sdkError({ ...description, kind: 'Service', metadata: { attempts, totalRetryDelay }, statusForResponse: httpStatusCode ?? 200 });
}

module.exports = { sdkError, streamError, firstEventError };
