'use strict';
// The JavaScript AWS SDK, looked up when a client or command is first needed rather
// than when this package loads: callers' test suites replace the module with
// `jest.mock('@aws-sdk/client-bedrock-runtime', ...)` or aws-sdk-client-mock, and
// whatever they installed must be what we construct and send through.

function bedrockRuntime() {
  return require('@aws-sdk/client-bedrock-runtime');
}

module.exports = { bedrockRuntime };
