'use strict';
// Helpers for native-differential.test.ts (and differential-child.js, which runs the same
// corpus in a plain Node process). They run one case through both transports and turn
// what each gave into plain, comparable summaries. Every normalisation lives here,
// named, with the reason it is needed; nothing else is relaxed.
//
// Plain CommonJS so that the child process can load it without a TypeScript step.

const assert = require('node:assert/strict');
const sdk = require('@aws-sdk/client-bedrock-runtime');
const { sendNative } = require('../../js/transport');
const { EMULATOR_CREDENTIALS } = require('../../testing');

async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Runs case `c` (a) through a JS SDK client and (b) through `sendNative`, against
 * `emulator` with the same behaviour. The behaviour is installed afresh before each
 * side, which also restarts its fault schedule (failFirst / sequence counters).
 */
async function runBoth(emulator, c, modelId) {
  const behavior = c.behavior ?? {};
  const config = () => ({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    credentials: { ...(c.credentials ?? EMULATOR_CREDENTIALS) },
    maxAttempts: c.maxAttempts ?? 1,
  });
  // The JS SDK has no tier argument: the tier goes into its input, as the multiplexer does.
  const jsInput = () => (c.tier ? { ...c.input(), serviceTier: { type: c.tier } } : c.input());
  // A case may send a model id other than the one its behaviour is installed for.
  const sentModelId = modelId + (c.modelIdSuffix ?? '');

  emulator.setBehavior(modelId, behavior);
  emulator.clearRequests();
  const client = new sdk.BedrockRuntimeClient(config());
  let js;
  try {
    js = await settle(client.send(new sdk.ConverseCommand({ ...jsInput(), modelId: sentModelId })));
  } finally {
    client.destroy();
  }
  const jsReceived = emulator.requests();

  emulator.setBehavior(modelId, behavior);
  emulator.clearRequests();
  const native = await settle(sendNative(config(), sentModelId, c.input(), c.tier, null));
  const nativeReceived = emulator.requests();

  return { js, native, jsReceived, nativeReceived };
}

/** What `Object.prototype.toString` and the constructor say a value is (realm-independent). */
function tagOf(value) {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') {
    return Object.is(value, -0) ? 'number(-0)' : typeof value;
  }
  const tag = Object.prototype.toString.call(value).slice(8, -1);
  const ctor = Object.getPrototypeOf(value)?.constructor?.name ?? '<null prototype>';
  return tag === ctor ? tag : `${tag}/${ctor}`;
}

/**
 * The structure of a value as JavaScript code can observe it by enumeration: one line
 * per object or array, with its path, its kind and its own enumerable keys in
 * `Object.keys` order. Equal layouts mean the same `JSON.stringify` key order, which
 * `toStrictEqual` alone does not check.
 */
function layout(value, path = '$', out = []) {
  if (value === null || typeof value !== 'object') return out;
  const tag = tagOf(value);
  if (ArrayBuffer.isView(value)) {
    out.push(`${path} ${tag}(${value.length})`);
    return out;
  }
  if (tag === 'Date') {
    out.push(`${path} ${tag}`);
    return out;
  }
  if (Array.isArray(value)) {
    out.push(`${path} ${tag}[${value.length}]`);
    value.forEach((item, i) => layout(item, `${path}[${i}]`, out));
    return out;
  }
  const keys = Object.keys(value);
  out.push(`${path} ${tag} {${keys.join(',')}}`);
  for (const key of keys) layout(value[key], `${path}.${key}`, out);
  return out;
}

/**
 * `$metadata` with `requestId` reduced to its type: the emulator gives every HTTP
 * response a fresh random UUID, so two calls can never agree on its value.
 */
function withoutRequestId(metadata) {
  if (metadata === null || typeof metadata !== 'object') return metadata;
  const out = {};
  for (const key of Object.keys(metadata)) {
    out[key] = key === 'requestId' ? `<${typeof metadata.requestId}>` : metadata[key];
  }
  return out;
}

/**
 * `$metadata.totalRetryDelay` after retries: both SDKs sleep a random, jittered backoff,
 * so the sums cannot be equal; compared as "a number > 0" (anything else is kept as it
 * is, so 0 or a missing value still fails). Used by the retry cases only.
 */
function retryDelayAsPositive(metadata) {
  if (metadata === null || typeof metadata !== 'object' || !('totalRetryDelay' in metadata)) return metadata;
  const out = {};
  const delay = metadata.totalRetryDelay;
  for (const key of Object.keys(metadata)) {
    out[key] = key === 'totalRetryDelay' ? (typeof delay === 'number' && delay > 0 ? '<number > 0>' : delay) : metadata[key];
  }
  return out;
}

function metadataOf(metadata, options) {
  const m = withoutRequestId(metadata);
  return options.retried ? retryDelayAsPositive(m) : m;
}

/** A successful Converse output (only `$metadata` normalised) and its layout. */
function outputSummary(output, options = {}) {
  if (output === null || typeof output !== 'object') return { output };
  const normalised = {};
  for (const key of Object.keys(output)) {
    normalised[key] = key === '$metadata' ? metadataOf(output.$metadata, options) : output[key];
  }
  return { output: normalised, layout: layout(normalised) };
}

/** Every exception class the SDK exports (the service base class included). */
const SDK_EXCEPTION_CLASSES = Object.entries(sdk).filter(
  ([, value]) =>
    typeof value === 'function' &&
    (value === sdk.BedrockRuntimeServiceException || value.prototype instanceof sdk.BedrockRuntimeServiceException),
);

function prototypeChain(value) {
  const names = [];
  for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p)) {
    names.push(Object.prototype.hasOwnProperty.call(p, 'constructor') ? p.constructor.name : '<anonymous>');
  }
  return names;
}

/**
 * A non-enumerable own property: its definition and the kind of its value, not the
 * value itself for `$response` (the JS SDK's raw HttpResponse object, which cannot be
 * equal by identity; its status code is kept).
 */
function hiddenProperty(error, key) {
  const d = Object.getOwnPropertyDescriptor(error, key);
  let kind = d.get || d.set ? 'accessor' : tagOf(d.value);
  if (key === '$response' && d.value && typeof d.value === 'object') kind += ` statusCode=${d.value.statusCode}`;
  if (key === 'message') kind += ` ${JSON.stringify(d.value)}`;
  return `${key}: ${kind} enumerable=false writable=${d.writable} configurable=${d.configurable}`;
}

/**
 * Everything a caller can observe of a thrown error except `stack` (call sites differ)
 * and `$metadata.requestId` (and, in retry cases, the exact `totalRetryDelay`).
 *
 * `instanceof Error` is compared via `Object.prototype.toString`, not by identity: under
 * jest, errors raised inside Node's own modules come from the host realm while code
 * loaded through jest builds errors in the test realm, so identity with the test file's
 * `Error` would reflect where an error was built, not what the caller can see of it.
 * `instanceof` the SDK's exception classes is compared exactly.
 */
function errorSummary(error, options = {}) {
  if (error === null || typeof error !== 'object') return { thrown: error };
  const ownEnumerable = {};
  for (const key of Object.keys(error)) {
    ownEnumerable[key] = key === '$metadata' ? metadataOf(error.$metadata, options) : error[key];
  }
  const instanceOf = {};
  for (const [name, Class] of SDK_EXCEPTION_CLASSES) instanceOf[name] = error instanceof Class;
  return {
    constructorName: error.constructor?.name,
    prototypeChain: prototypeChain(error),
    isErrorObject: Object.prototype.toString.call(error) === '[object Error]',
    instanceOf,
    name: error.name,
    message: error.message,
    $fault: error.$fault,
    $metadata: metadataOf(error.$metadata, options),
    ownEnumerableKeys: Object.keys(error),
    ownEnumerable,
    ownEnumerableLayout: layout(ownEnumerable),
    hiddenOwnProperties: Object.getOwnPropertyNames(error)
      .filter((key) => key !== 'stack' && !Object.getOwnPropertyDescriptor(error, key).enumerable)
      .map((key) => hiddenProperty(error, key)),
    hasStack: typeof error.stack === 'string',
  };
}

function summary(result, options = {}) {
  return result.ok
    ? { settled: 'fulfilled', ...outputSummary(result.value, options) }
    : { settled: 'rejected', ...errorSummary(result.error, options) };
}

/**
 * What the emulator received, minus what necessarily differs between two SDKs: headers
 * other than Content-Type and Content-Length (user agent, signature, invocation id,
 * date), HTTP version, arrival time, sequence number (HTTP versions are compared once
 * for the whole corpus, see httpVersions). The body is compared as the exact text
 * received (`bodyText`): member order, number spelling and every byte count.
 */
function receivedSummary(requests) {
  return requests.map((r) => ({
    modelId: r.modelId,
    operation: r.operation,
    serviceTier: r.serviceTier,
    status: r.status,
    outcome: r.outcome,
    signatureVerified: r.signatureVerified,
    signatureError: r.signatureError,
    accessKeyId: r.accessKeyId,
    contentType: r.headers?.['content-type'],
    contentLength: r.headers?.['content-length'],
    bodyText: r.bodyText,
  }));
}

/** The emulator kept the raw text of every request (else body comparisons would be vacuous). */
function assertBodiesRecorded(requests) {
  if (requests.length === 0) throw new Error('the emulator recorded no request');
  for (const r of requests) {
    if (typeof r.bodyText !== 'string' || r.bodyText.length === 0) throw new Error('the emulator recorded no body text');
  }
}

/** Content-Length of each request: differs whenever the JSON text does (number spelling, extra members). */
function contentLengths(requests) {
  return requests.map((r) => r.headers?.['content-length']);
}

/** The HTTP version each request arrived with (the emulator speaks HTTP/1.1 and h2c). */
function httpVersions(requests) {
  return requests.map((r) => r.httpVersion);
}

/** Everything compared for one case, from one run. */
function caseResult(c, outcome) {
  const options = { retried: !!c.retried };
  let sanity = null;
  try {
    c.js(outcome.js, outcome.jsReceived);
    // A case the JS SDK refuses before sending says so (`sendsNothing`).
    if (c.sendsNothing) assert.equal(outcome.jsReceived.length, 0, 'the JS SDK sent a request');
    else assertBodiesRecorded(outcome.jsReceived);
  } catch (error) {
    sanity = String(error?.message ?? error);
  }
  return {
    sanity,
    js: summary(outcome.js, options),
    native: summary(outcome.native, options),
    jsReceived: receivedSummary(outcome.jsReceived),
    nativeReceived: receivedSummary(outcome.nativeReceived),
    jsContentLengths: contentLengths(outcome.jsReceived),
    nativeContentLengths: contentLengths(outcome.nativeReceived),
    jsHttpVersions: httpVersions(outcome.jsReceived),
    nativeHttpVersions: httpVersions(outcome.nativeReceived),
  };
}

module.exports = {
  settle,
  runBoth,
  tagOf,
  layout,
  withoutRequestId,
  retryDelayAsPositive,
  summary,
  receivedSummary,
  assertBodiesRecorded,
  contentLengths,
  caseResult,
  SDK_EXCEPTION_CLASSES,
};
