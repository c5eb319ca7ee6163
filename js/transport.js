'use strict';
// Which transport carries a model's Converse calls, and the native client behind it.
//
// The native transport (the Rust aws-sdk-bedrockruntime client, off the event loop) is
// the default. The JavaScript SDK client carries the calls instead when the caller
// passed a client, when @aws-sdk/client-bedrock-runtime has been replaced by a test
// double (a jest.mock factory or automock, aws-sdk-client-mock, any stubbed send) — so
// callers' tests keep steering the answers — when the caller forces it with
// `transport: 'js-sdk'`, or when clientConfig holds something the native client cannot
// honour exactly (said once in a debug log: NODE_DEBUG=bedrock-model-multiplexer).

const { debuglog } = require('node:util');
const native = require('./native');
const { bedrockRuntime, httpResponseClass } = require('./sdk');
const { adopt } = require('./realm');
const { textOf } = require('./text');

const debug = debuglog('bedrock-model-multiplexer');

/** clientConfig keys the native client maps; see nativeSettings(). */
const NATIVE_KEYS = new Set(['region', 'credentials', 'endpoint', 'maxAttempts', 'retryMode', 'requestHandler', 'customUserAgent']);

const TRANSPORTS = new Set(['auto', 'native', 'js-sdk']);

/** Whether the JS SDK module has been swapped or stubbed by a test double. */
function jsSdkReplaced() {
  let sdk;
  try {
    sdk = bedrockRuntime();
  } catch {
    return false;
  }
  const Client = sdk.BedrockRuntimeClient;
  const Command = sdk.ConverseCommand;
  if (typeof Client !== 'function' || typeof Command !== 'function') return true;
  if (Client._isMockFunction || Command._isMockFunction) return true;
  // aws-sdk-client-mock and sinon stub `send` on the client class's own prototype.
  return Object.prototype.hasOwnProperty.call(Client.prototype, 'send');
}

/** Why clientConfig rules the native client out, or null when it does not. */
function unsupportedConfig(clientConfig) {
  const keys = Object.keys(clientConfig ?? {}).filter((key) => clientConfig[key] !== undefined && !NATIVE_KEYS.has(key));
  if (keys.length) return `clientConfig.${keys.join(', clientConfig.')}`;
  const handler = clientConfig?.requestHandler;
  if (handler !== undefined && (typeof handler !== 'object' || handler === null || Object.getPrototypeOf(handler) !== Object.prototype)) {
    return 'clientConfig.requestHandler (a handler instance; pass { connectionTimeout, requestTimeout } instead)';
  }
  if (typeof clientConfig?.region === 'function') return 'clientConfig.region (a provider)';
  if (typeof clientConfig?.maxAttempts === 'function') return 'clientConfig.maxAttempts (a provider)';
  if (typeof clientConfig?.retryMode === 'function') return 'clientConfig.retryMode (a provider)';
  return null;
}

const explained = new WeakSet();
const unsupportedReasons = new WeakMap();

/**
 * `unsupportedConfig`, read once per clientConfig object, as the SDK client and the
 * native client built from it read it once.
 */
function unsupportedConfigOf(clientConfig) {
  if (clientConfig === null || typeof clientConfig !== 'object') return unsupportedConfig(clientConfig);
  let reason = unsupportedReasons.get(clientConfig);
  if (reason === undefined) {
    reason = unsupportedConfig(clientConfig);
    unsupportedReasons.set(clientConfig, reason);
  }
  return reason;
}

/**
 * The transport a model uses for its next call: 'native' or 'js-sdk'. Decided per
 * call because tests install their mocks at any time.
 */
function chooseTransport({ forced, hasOwnClient, clientConfig }) {
  if (hasOwnClient || forced === 'js-sdk') return 'js-sdk';
  if (forced === 'native') return 'native';
  if (jsSdkReplaced()) return 'js-sdk';
  const reason = unsupportedConfigOf(clientConfig);
  if (reason) {
    if (clientConfig && !explained.has(clientConfig)) {
      explained.add(clientConfig);
      debug('using the JavaScript SDK client: the native client cannot honour %s', reason);
    }
    return 'js-sdk';
  }
  return 'native';
}

const transports = new WeakMap();

/** The native client for a clientConfig object: one per object, so one per multiplexer. */
function nativeTransportFor(clientConfig) {
  let transport = transports.get(clientConfig);
  if (!transport) {
    transport = new native.NativeTransport(nativeSettings(clientConfig));
    transports.set(clientConfig, transport);
  }
  return transport;
}

/** clientConfig as the native client reads it. */
function nativeSettings(clientConfig = {}) {
  const { region, credentials, endpoint, maxAttempts, retryMode, requestHandler, customUserAgent } = clientConfig;
  return {
    region,
    credentials: typeof credentials === 'function' || credentials == null ? undefined : keysOf(credentials),
    // Called from Rust whenever the cached credentials are about to expire.
    credentialsProvider: typeof credentials === 'function' ? async () => keysOf(await credentials()) : undefined,
    endpoint: endpoint === undefined ? undefined : endpointText(endpoint),
    maxAttempts,
    retryMode,
    connectionTimeoutMs: requestHandler?.connectionTimeout,
    requestTimeoutMs: requestHandler?.requestTimeout,
    userAgent: userAgentText(customUserAgent),
  };
}

/** AWS credentials (`expiration` a Date, as the SDKs give it) as the native side reads them. */
function keysOf({ accessKeyId, secretAccessKey, sessionToken, expiration }) {
  return { accessKeyId, secretAccessKey, sessionToken, expirationMs: expiration ? new Date(expiration).getTime() : undefined };
}

function endpointText(endpoint) {
  if (typeof endpoint === 'string') return endpoint;
  if (endpoint instanceof URL || typeof endpoint?.href === 'string') return endpoint.href;
  if (endpoint?.url) return endpointText(endpoint.url);
  if (endpoint?.hostname) {
    const port = endpoint.port ? `:${endpoint.port}` : '';
    return `${endpoint.protocol ?? 'https:'}//${endpoint.hostname}${port}${endpoint.path ?? ''}`;
  }
  throw new TypeError('clientConfig.endpoint must be a string, a URL or an endpoint object');
}

function userAgentText(customUserAgent) {
  if (customUserAgent === undefined || typeof customUserAgent === 'string') return customUserAgent;
  if (Array.isArray(customUserAgent)) {
    return customUserAgent.map((pair) => (Array.isArray(pair) ? pair.filter(Boolean).join('/') : String(pair))).join(' ');
  }
  throw new TypeError('clientConfig.customUserAgent must be a string or [name, version] pairs');
}

/**
 * Builds the native client now when a region is known, so that a setting it cannot
 * use (an endpoint, credentials, retry mode) throws at construction rather than at the
 * first request. Without a region it waits: the JS SDK too only complains when sending.
 */
function prepareNativeTransport(clientConfig) {
  if (clientConfig?.region || process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION) nativeTransportFor(clientConfig);
}


let lastCallId = 0;

/** An id for a native call that may have to be cancelled (`cancelNative`). */
function nativeCallId() {
  lastCallId = lastCallId >= 0x7fffffff ? 1 : lastCallId + 1;
  return lastCallId;
}

/** Abandons the native call `callId` and closes its connection; it settles `undefined`. */
function cancelNative(clientConfig, callId) {
  nativeTransportFor(clientConfig).cancel(callId);
}

/**
 * One Converse call through the native client, settled as the JS SDK's `send` would:
 * the output object, or the SDK's own exception. `callId` (from `nativeCallId`) lets
 * `cancelNative` abandon it.
 */
async function sendNative(clientConfig, modelId, input, serviceTier, callId) {
  const result = await nativeTransportFor(clientConfig).converse(textOf(modelId, 'modelId'), input, serviceTier ?? null, callId);
  if (result.ok) return nativeOutput(result);
  if (result.cancelled) return undefined; // the caller has already given up on it
  throw sdkError(result.error);
}

/**
 * A value the native side sent: JSON text (`json`, with the paths of the members that
 * are `undefined` in `undefinedMembers`) parsed here, hence in the caller's realm; or
 * a tree it built (`value`), for what JSON cannot carry (bytes, dates).
 */
function nativeOutput({ json, undefinedMembers, value }) {
  if (json === undefined) return adopt(value);
  const output = JSON.parse(json);
  if (undefinedMembers !== undefined) {
    for (const path of JSON.parse(undefinedMembers)) {
      let target = output;
      for (let i = 0; i < path.length - 1; i++) target = target[path[i]];
      target[path[path.length - 1]] = undefined;
    }
  }
  return output;
}

/**
 * The error the JS SDK would throw, from the native side's description of it, built
 * the way its error handler builds it: a service exception constructed empty, then its
 * metadata, fault, message and members assigned (so they are own enumerable keys in
 * the same order), then the raw response as a hidden `$response`.
 */
function sdkError(description, fromResponse = true) {
  const { name, message, kind, fault, code, metadata, fields, responseBody, statusForResponse } = description;
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
    const error = modeled ? new Modeled({}) : new ServiceException({ name });
    if (kind === 'Stream') {
      // An exception event of a stream: no response of its own, hence no $metadata.
      return Object.assign(error, { $fault: fault }, { message }, extra);
    }
    Object.assign(error, { $metadata, $fault: fault }, { message }, extra);
    return withHiddenResponse(error, $metadata, statusForResponse);
  }
  const error = kind === 'Deserialization' && responseBody ? parseFailure(responseBody, message) : new Error(message);
  if (error.name !== name) error.name = name;
  if (code) error.code = code;
  Object.assign(error, extra);
  error.$metadata = $metadata;
  return kind === 'Deserialization' && fromResponse ? withHiddenResponse(error, $metadata) : error;
}

/** The JS SDK hides the raw response on errors it parsed from one. */
function withHiddenResponse(error, $metadata, statusCode = $metadata?.httpStatusCode) {
  const fields = { statusCode, headers: {}, body: undefined };
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
 * One ConverseStream call through the native client, as the JS SDK's `send` gives it:
 * `{ stream, $metadata }` once the first event has arrived, `stream` an async iterable
 * of the SDK's event objects that throws the SDK's exceptions. Leaving a `for await`
 * early (or an error) closes the HTTP stream.
 */
async function sendNativeStream(clientConfig, modelId, input, callId) {
  const result = await nativeTransportFor(clientConfig).converseStream(textOf(modelId, 'modelId'), input, null, callId);
  if (result.cancelled) return undefined;
  if (!result.ok) throw firstEventError(result.error);
  // The JS SDK's own order and kind: `stream` first, an object that is only async-iterable.
  const events = nativeEvents(result.stream);
  return { stream: { [Symbol.asyncIterator]: () => events }, $metadata: adopt(result.metadata) };
}

/**
 * The events of a native stream, as an async iterator whose `return()` closes the
 * HTTP stream at once, even while a `next()` is waiting for the connection.
 */
function nativeEvents(handle) {
  let finished = false;
  const finish = () => {
    finished = true;
    handle.close();
  };
  return {
    async next() {
      if (finished) return { done: true, value: undefined };
      const next = await handle.next();
      if (next.error) {
        finish();
        throw streamError(next.error);
      }
      if (next.done) {
        finish();
        return { done: true, value: undefined };
      }
      return { done: false, value: nativeOutput(next) };
    },
    async return() {
      finish();
      return { done: true, value: undefined };
    },
  };
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

module.exports = {
  TRANSPORTS,
  chooseTransport,
  nativeTransportFor,
  prepareNativeTransport,
  jsSdkReplaced,
  nativeCallId,
  cancelNative,
  sendNative,
  sendNativeStream,
};
