'use strict';
// bedrock-model-multiplexer/testing: the bundled Bedrock emulator, a real HTTP server
// speaking Converse and ConverseStream with SigV4 checks and fault injection, for
// integration tests, demos and benchmarks. With `tls: true` it serves HTTPS with a test
// CA made at start.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const native = require('./js/native');
const { adopt } = require('./js/realm');

/** Credentials the emulator accepts unless told otherwise. */
// Not frozen: the JS SDK marks the credential objects it is given.
const EMULATOR_CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };

function startEmulator(options = {}) {
  const server = native.EmulatorServer.start(options);
  const caPem = server.caPem ?? null;
  // Folders writeCaFile made, removed at stop.
  const tempDirs = [];
  return {
    endpoint: server.endpoint,
    caPem,
    writeCaFile: (file) => {
      if (caPem === null) throw new Error('writeCaFile: this emulator has no generated CA (start it with { tls: true })');
      let target = file;
      if (target === undefined) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bedrock-emulator-ca-'));
        tempDirs.push(dir);
        target = path.join(dir, 'ca.pem');
      }
      fs.writeFileSync(target, caPem);
      return target;
    },
    setBehavior: (modelId, behavior) => server.setBehavior(String(modelId), behavior),
    requests: () => adopt(server.requests()),
    clearRequests: () => server.clearRequests(),
    connectionsOpen: () => server.connectionsOpen(),
    stats: () => adopt(server.stats()),
    stop: async () => {
      server.stop();
      for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startEmulator, EMULATOR_CREDENTIALS };
