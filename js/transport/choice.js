'use strict';
// Which transport carries a model's Converse calls: the native client unless the caller
// passed a client, the JS SDK has been replaced by a test double, the caller forces
// `transport: 'js-sdk'`, or clientConfig holds something the native client cannot honour
// exactly (said once in a debug log: NODE_DEBUG=bedrock-model-multiplexer).

const { debuglog } = require('node:util');
const { bedrockRuntime, jsSdkMayBeReplaced } = require('../sdk');
const { userAgentPairs } = require('./settings');

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
  if (!jsSdkMayBeReplaced()) return false;
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

module.exports = { chooseTransport, jsSdkReplaced };
