'use strict';
// The JavaScript AWS SDK, looked up when a client or command is first needed rather
// than when this package loads: callers' test suites replace the module with
// `jest.mock('@aws-sdk/client-bedrock-runtime', ...)` or aws-sdk-client-mock, and
// whatever they installed must be what we construct and send through.

function bedrockRuntime() {
  return require('@aws-sdk/client-bedrock-runtime');
}

/** The HttpResponse class the JS SDK puts on its errors, from the SDK's own dependencies. */
function httpResponseClass() {
  try {
    const from = { paths: [require.resolve('@aws-sdk/client-bedrock-runtime')] };
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

module.exports = { bedrockRuntime, httpResponseClass };
