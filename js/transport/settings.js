'use strict';
// clientConfig as the native client reads it (`NativeSettings` in src/transport/settings.rs).

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
    ...nodeTrust(),
  };
}

/**
 * What this Node trusts besides its bundled roots, for the native client to trust the
 * same: the system's store when Node was told to use it, and the PEM bundle
 * NODE_EXTRA_CA_CERTS names (an empty value names none, as for Node).
 */
function nodeTrust() {
  return { useSystemCa: nodeUsesSystemCa(), extraCaCertsFile: process.env.NODE_EXTRA_CA_CERTS || undefined };
}

/**
 * Whether this Node trusts the system's certificate store besides its bundled roots:
 * `--use-system-ca` (or the older `--use-openssl-ca`) on the command line or in
 * NODE_OPTIONS, or NODE_USE_SYSTEM_CA=1 on a Node that knows the flag (older ones ignore it).
 */
function nodeUsesSystemCa() {
  const flags = ['--use-system-ca', '--use-openssl-ca'];
  const options = (process.env.NODE_OPTIONS ?? '').split(/\s+/);
  if (flags.some((flag) => process.execArgv.includes(flag) || options.includes(flag))) return true;
  return process.env.NODE_USE_SYSTEM_CA === '1' && process.allowedNodeEnvironmentFlags.has('--use-system-ca');
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

module.exports = { nativeSettings, userAgentPairs };
