'use strict';
// Runs the ConverseStream differential corpus in a plain Node process — one realm, as
// in production — and writes every case's summaries to stdout, v8-serialised and
// base64-encoded (v8 keeps undefined, typed arrays and key order, which JSON would
// not). Started by native-stream-differential.test.ts; not a test file itself.

const v8 = require('node:v8');
const { startEmulator } = require('../../testing');
const { CASES, runBoth, caseResult } = require('./stream-differential');

(async () => {
  const emulator = startEmulator();
  const results = {};
  try {
    let n = 0;
    for (const c of CASES) {
      results[c.name] = caseResult(c, await runBoth(emulator, c, `stream-differential.plain-node-${++n}:0`));
    }
  } finally {
    await emulator.stop();
  }
  process.stdout.write(v8.serialize(results).toString('base64'));
})().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exitCode = 1;
});
