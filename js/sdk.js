'use strict';
// The JavaScript AWS SDK, looked up when a client or command is first needed rather
// than when this package loads: callers' test suites replace the module with
// `jest.mock('@aws-sdk/client-bedrock-runtime', ...)` or aws-sdk-client-mock, and
// whatever they installed must be what we construct and send through.

// Node's own module cache (undocumented in the typings, stable since Node 0.x).
const nodeModuleCache = /** @type {any} */ (require('node:module'))._cache;

const SDK = '@aws-sdk/client-bedrock-runtime';

function bedrockRuntime() {
  return require(SDK);
}

let sdkPath;

/**
 * Whether the JS SDK may have been replaced by a test double, answered without loading it
 * (about 45 ms, most of a cold start when the native client carries the calls). Under
 * Node's own loader a double is installed on the loaded module (aws-sdk-client-mock and
 * sinon stub its client class), so a module nobody has loaded has not been replaced.
 * Under another loader (jest's registry, which jest.mock rewrites) that cannot be told
 * from outside: the answer is yes, and the caller looks at the module itself.
 */
function jsSdkMayBeReplaced() {
  if (require.cache !== nodeModuleCache) return true;
  if (sdkPath === undefined) {
    try {
      sdkPath = require.resolve(SDK);
    } catch {
      sdkPath = null; // not installed: nothing to replace
    }
  }
  return sdkPath !== null && sdkPath in require.cache;
}

/** The HttpResponse class the JS SDK puts on its errors, from the SDK's own dependencies. */
function httpResponseClass() {
  try {
    const from = { paths: [require.resolve(SDK)] };
    // Newer SDKs carry it in @smithy/core, older ones in @smithy/protocol-http.
    for (const module of ['@smithy/core/transport', '@smithy/protocol-http']) {
      try {
        const { HttpResponse } = require(require.resolve(module, from));
        if (HttpResponse) return HttpResponse;
      } catch {
        // try the next one
      }
    }
    return null;
  } catch {
    return null;
  }
}

module.exports = { bedrockRuntime, jsSdkMayBeReplaced, httpResponseClass };
