'use strict';
// One configuration-matrix case, in a process of its own (its environment and HOME are
// the case's): one Converse call through a JS SDK client and one through the native client,
// each built from the same clientConfig, and what each call gave. The emulator (in the
// parent) records what arrived. Started by config-matrix.test.ts; not a test file itself.
//
// argv[2]: JSON `{ clientConfig, jsModelId, nativeModelId }`. Prints one JSON line.

const sdk = require('@aws-sdk/client-bedrock-runtime');
const { sendNative, chooseTransport } = require('../../js/transport');

const INPUT = { messages: [{ role: 'user', content: [{ text: 'configuration matrix' }] }] };

/** What a call gave, in the terms both clients share. */
async function outcome(call) {
  try {
    await call();
    return { ok: true };
  } catch (error) {
    return { ok: false, name: error?.name, message: error?.message };
  }
}

(async () => {
  const { clientConfig, jsModelId, nativeModelId } = JSON.parse(process.argv[2]);
  const client = new sdk.BedrockRuntimeClient({ ...clientConfig });
  const js = await outcome(() => client.send(new sdk.ConverseCommand({ ...INPUT, modelId: jsModelId })));
  client.destroy();
  const transport = chooseTransport({ clientConfig });
  const native = await outcome(() => sendNative({ ...clientConfig }, nativeModelId, INPUT, undefined, null));
  process.stdout.write(`${JSON.stringify({ js, native, transport })}\n`);
})().catch((error) => {
  process.stderr.write(String(error?.stack ?? error));
  process.exitCode = 1;
});
