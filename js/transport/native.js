'use strict';
// The native client behind a clientConfig (one per object, shared by the multiplexers
// that share it), and one Converse call through it settled as the JS SDK's `send` would.

const native = require('../native');
const { adopt } = require('../realm');
const { textOf } = require('../text');
const { sdkError } = require('./sdk-error');
const { nativeSettings } = require('./settings');

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
  if (result.ok) return answerTimes === null ? nativeOutput(result) : keptTime(nativeOutput(result), performance.now() - result.answeredMsAgo);
  if (result.cancelled) return undefined; // the caller has already given up on it
  throw sdkError(result.error);
}

/**
 * When each native answer arrived (on `performance.now()`'s clock, measured off the
 * JavaScript thread), by output object; null until telemetry asks for them
 * (keepNativeAnswerTimes), so that nothing is kept while nobody reads them.
 * @type {WeakMap<object, number> | null}
 */
let answerTimes = null;

function keepNativeAnswerTimes() {
  answerTimes ??= new WeakMap();
}

/** When the native call that answered `output` had its answer; undefined when not kept. */
function nativeAnswerTime(output) {
  return answerTimes?.get(output);
}

function keptTime(output, answeredAt) {
  if (typeof output === 'object' && output !== null) answerTimes.set(output, answeredAt);
  return output;
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

module.exports = { nativeTransportFor, holdNativeTransport, prepareNativeTransport, nativeCallId, cancelNative, pathModelId, sendNative, nativeOutput, keepNativeAnswerTimes, nativeAnswerTime };
