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
const NATIVE_KEYS = new Set([
  'region', 'credentials', 'endpoint', 'maxAttempts', 'retryMode', 'requestHandler', 'customUserAgent',
  'profile', 'useFipsEndpoint', 'useDualstackEndpoint', 'userAgentAppId', 'ignoreConfiguredEndpointUrls',
]);

/** NATIVE_KEYS the native client takes only as plain values, not as provider functions. */
const VALUE_ONLY_KEYS = ['region', 'maxAttempts', 'retryMode'];

/** NATIVE_KEYS the native client takes only with these types (a provider function included). */
const NATIVE_KEY_TYPES = { profile: 'string', useFipsEndpoint: 'boolean', useDualstackEndpoint: 'boolean', userAgentAppId: 'string' };

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
  if (isJestMock(Client) || isJestMock(Command)) return true;
  // aws-sdk-client-mock and sinon stub `send` on the client class's own prototype.
  return Object.prototype.hasOwnProperty.call(Client.prototype, 'send');
}

/** Whether `fn` is a jest mock function (jest marks them with `_isMockFunction`). */
function isJestMock(fn) {
  return '_isMockFunction' in fn && Boolean(fn._isMockFunction);
}

/** Why clientConfig rules the native client out, or null when it does not. */
function unsupportedConfig(clientConfig) {
  const keys = Object.keys(clientConfig ?? {}).filter((key) => clientConfig[key] !== undefined && !NATIVE_KEYS.has(key));
  if (keys.length) return `clientConfig.${keys.join(', clientConfig.')}`;
  const handler = clientConfig?.requestHandler;
  if (handler !== undefined && (typeof handler !== 'object' || handler === null || Object.getPrototypeOf(handler) !== Object.prototype)) {
    return 'clientConfig.requestHandler (a handler instance; pass { connectionTimeout, requestTimeout } instead)';
  }
  const provider = VALUE_ONLY_KEYS.find((key) => typeof clientConfig?.[key] === 'function');
  if (provider) return `clientConfig.${provider} (a provider)`;
  const typed = Object.keys(NATIVE_KEY_TYPES).find((key) => clientConfig?.[key] !== undefined && typeof clientConfig[key] !== NATIVE_KEY_TYPES[key]);
  if (typed) return `clientConfig.${typed} (${typeof clientConfig[typed] === 'function' ? 'a provider' : `a ${typeof clientConfig[typed]}`})`;
  if (userAgentPairs(clientConfig?.customUserAgent) === null) return 'clientConfig.customUserAgent (not a string or [name, version] string pairs)';
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

/**
 * clientConfig as the native client reads it. What it leaves out, the native side reads
 * from the environment and the shared config files, as the JS SDK would.
 */
function nativeSettings(clientConfig = {}) {
  const { region, credentials, endpoint, maxAttempts, retryMode, requestHandler, customUserAgent } = clientConfig;
  const { profile, useFipsEndpoint, useDualstackEndpoint, userAgentAppId, ignoreConfiguredEndpointUrls } = clientConfig;
  const userAgent = userAgentPairs(customUserAgent);
  if (userAgent === null) throw new TypeError('clientConfig.customUserAgent must be a string or [name, version] string pairs');
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
    customUserAgent: userAgent,
    profile,
    useFipsEndpoint,
    useDualstackEndpoint,
    userAgentAppId,
    // The JS SDK tests it for truth (`!!`), whatever its type.
    ignoreConfiguredEndpointUrls: ignoreConfiguredEndpointUrls === undefined ? undefined : !!ignoreConfiguredEndpointUrls,
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

/**
 * customUserAgent as the native client takes it (which escapes and places the sections as
 * the JS SDK does), read as the JS SDK reads it: a string is one section without a
 * version; a section's [0] is its name and [1] its version (null or undefined: none).
 * Null for anything else: the JS SDK fails such calls its own way, so they go through it.
 */
function userAgentPairs(customUserAgent) {
  if (customUserAgent == null) return [];
  if (typeof customUserAgent === 'string') return [{ name: customUserAgent }];
  if (!Array.isArray(customUserAgent)) return null;
  const pairs = [];
  for (const pair of customUserAgent) {
    const name = pair?.[0];
    const version = pair?.[1] ?? undefined;
    if (typeof name !== 'string' || (version !== undefined && typeof version !== 'string')) return null;
    pairs.push({ name, version });
  }
  return pairs;
}

const holders = new WeakMap();

/**
 * Counts a multiplexer among the users of clientConfig's native client. The function
 * returned lets go (once); the last to let go closes the client's connection pool, so
 * that idle keep-alive sockets close now (calls in flight finish, and a later call opens
 * a new pool). Multiplexers sharing one clientConfig object thus share one pool until
 * the last of them is destroyed.
 */
function holdNativeTransport(clientConfig) {
  holders.set(clientConfig, (holders.get(clientConfig) ?? 0) + 1);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    const left = holders.get(clientConfig) - 1;
    holders.set(clientConfig, left);
    if (left === 0) transports.get(clientConfig)?.close();
  };
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
 * `modelId` as text for the request path. The JS SDK percent-encodes it there with
 * `encodeURIComponent`, which throws `URIError: URI malformed` on a lone UTF-16
 * surrogate; the native side reads strings as UTF-8 (the surrogate becoming U+FFFD) and
 * would send the request, so the same call throws here first.
 */
function pathModelId(modelId) {
  const text = textOf(modelId, 'modelId');
  encodeURIComponent(text);
  return text;
}

/**
 * One Converse call through the native client, settled as the JS SDK's `send` would:
 * the output object, or the SDK's own exception. `callId` (from `nativeCallId`) lets
 * `cancelNative` abandon it; `maxResponseBytes` (validated) bounds the response body,
 * the native client's default (64 MiB) when undefined.
 */
async function sendNative(clientConfig, modelId, input, serviceTier, callId, maxResponseBytes) {
  const result = await nativeTransportFor(clientConfig).converse(pathModelId(modelId), input, serviceTier ?? null, callId, maxResponseBytes);
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
 * the same order), then the raw response as a hidden `$response`. Members are added as
 * its `decorateServiceException` adds them: never over an existing or inherited property
 * (a body's `toString`, `constructor` or `__proto__` leaves the error intact).
 */
function sdkError(description, fromResponse = true) {
  const { name, message, kind, fault, code, cause, metadata, fields, responseBody, statusForResponse } = description;
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
    return withHiddenResponse(error, $metadata, statusForResponse);
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
 * The native streams of one model that are opening or open, each as a function
 * `(error) => void` that closes it at once. Held weakly: a stream its reader drops is
 * still closed by the garbage collector (its handle's finalizer drops the response),
 * and then leaves the set.
 */
class OpenStreams {
  #closers = new Set();
  #collected = new FinalizationRegistry((ref) => this.#closers.delete(ref));

  /** Adds `close`; returns the key for `delete`. */
  add(close) {
    const ref = new WeakRef(close);
    this.#closers.add(ref);
    this.#collected.register(close, ref, ref);
    return ref;
  }

  delete(ref) {
    this.#closers.delete(ref);
    this.#collected.unregister(ref);
  }

  /** Closes every stream, each with an error of its own from `makeError()`. */
  closeAll(makeError) {
    for (const ref of [...this.#closers]) ref.deref()?.(makeError());
  }
}

/**
 * One ConverseStream call through the native client, as the JS SDK's `send` gives it:
 * `{ stream, $metadata }` once the first event has arrived, `stream` an async iterable
 * of the SDK's event objects that throws the SDK's exceptions. Leaving a `for await`
 * early (or an error) closes the HTTP stream. Until it ends, the call is in `openStreams`
 * (an OpenStreams, when given): closing it there makes the opening call reject, or the
 * pending and the next `next()` throw, with the error given.
 */
async function sendNativeStream(clientConfig, modelId, input, callId, openStreams, maxResponseBytes) {
  const transport = nativeTransportFor(clientConfig);
  let closedWith = null;
  const closeOpening = (error) => {
    closedWith = error;
    transport.cancel(callId);
  };
  const opening = openStreams?.add(closeOpening);
  let result;
  try {
    result = await transport.converseStream(pathModelId(modelId), input, null, callId, maxResponseBytes);
  } finally {
    openStreams?.delete(opening);
  }
  if (closedWith) {
    result.stream?.close();
    throw closedWith;
  }
  if (result.cancelled) return undefined;
  if (!result.ok) throw firstEventError(result.error);
  // The JS SDK's own order and kind: `stream` first, an object that is only async-iterable.
  const events = nativeEvents(result.stream, openStreams);
  return { stream: { [Symbol.asyncIterator]: () => events }, $metadata: adopt(result.metadata) };
}

/**
 * The events of a native stream, as an async iterator whose `return()` closes the
 * HTTP stream at once, even while a `next()` is waiting for the connection; it stays
 * in `openStreams` (see sendNativeStream) until it ends.
 */
function nativeEvents(handle, openStreams) {
  let finished = false;
  let closedWith = null;
  // Reached from the iterator's methods through `finish`, so held as long as the
  // iterator is: `openStreams` holds it only weakly.
  const close = (error) => {
    closedWith = error;
    finished = true;
    openStreams?.delete(key);
    handle.close();
  };
  const key = openStreams?.add(close);
  const finish = () => close(null);
  const closedError = () => {
    const error = closedWith;
    closedWith = null; // thrown once; the iterator is done after that
    return error;
  };
  return {
    async next() {
      if (finished) {
        if (closedWith) throw closedError();
        return { done: true, value: undefined };
      }
      const next = await handle.next();
      if (closedWith) throw closedError();
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
  chooseTransport,
  nativeTransportFor,
  holdNativeTransport,
  OpenStreams,
  prepareNativeTransport,
  jsSdkReplaced,
  nativeCallId,
  cancelNative,
  sendNative,
  sendNativeStream,
};
