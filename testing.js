'use strict';
// bedrock-model-multiplexer/testing: the bundled Bedrock emulator, a real HTTP server
// speaking Converse and ConverseStream with SigV4 checks and fault injection, for
// integration tests, demos and benchmarks.

const native = require('./js/native');
const { adopt } = require('./js/realm');

/** Credentials the emulator accepts unless told otherwise. */
// Not frozen: the JS SDK marks the credential objects it is given.
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };

function startEmulator(options = {}) {
  const server = native.EmulatorServer.start(options);
  return {
    endpoint: server.endpoint,
    setBehavior: (modelId, behavior) => server.setBehavior(String(modelId), behavior),
    requests: () => adopt(server.requests()),
    clearRequests: () => server.clearRequests(),
    connectionsOpen: () => server.connectionsOpen(),
    stop: async () => server.stop(),
  };
}

module.exports = { startEmulator, EMULATOR_CREDENTIALS };
