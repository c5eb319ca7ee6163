'use strict';
// The bundled emulator in a process of its own, for native-stream-integration.test.ts's
// memory test: there, the test process's RSS must show only what the client side holds,
// not the emulator's rendering of a large answer. Not a test file itself.
//
// argv[2]: JSON `{ "<modelId>": { ...behavior, "repeatText"?: { "unit": "...", "bytes": N } } }`;
// `repeatText` becomes `text`: `unit` repeated to `bytes` characters (built here, so
// that a large answer needs no large argument). Prints `{"endpoint": "..."}` on one
// line once listening; stops when its stdin closes (or on SIGTERM).

const { startEmulator } = require('../../testing');

const emulator = startEmulator();
const behaviors = JSON.parse(process.argv[2] ?? '{}');
for (const [modelId, { repeatText, ...behavior }] of Object.entries(behaviors)) {
  if (repeatText) behavior.text = repeatText.unit.repeat(Math.ceil(repeatText.bytes / repeatText.unit.length)).slice(0, repeatText.bytes);
  emulator.setBehavior(modelId, behavior);
}
process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await emulator.stop();
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
