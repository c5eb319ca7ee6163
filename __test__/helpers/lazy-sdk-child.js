'use strict';
// A one-shot script in a plain Node process (not jest: jest's module registry hides
// whether a module was loaded), for lazy-sdk.test.ts. Not a test file itself.
//
// argv[2]: the endpoint; argv[3]: the mode —
//   `native`: createMultiplexer, one request; the JS SDK must stay unloaded;
//   `stubbed`: the caller loads the SDK first and stubs the client's `send` on its
//             prototype (as aws-sdk-client-mock and sinon do); our calls must reach it.
// Prints one line of JSON: what was answered and whether the SDK got loaded, when.

const SDK = '@aws-sdk/client-bedrock-runtime';
const sdkLoaded = () => require.resolve(SDK) in require.cache;

const [endpoint, mode] = process.argv.slice(2);

async function main() {
  if (mode === 'stubbed') {
    const { BedrockRuntimeClient } = require(SDK);
    BedrockRuntimeClient.prototype.send = async () => ({
      output: { message: { role: 'assistant', content: [{ text: 'from the stub' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
      metrics: { latencyMs: 1 },
    });
  }
  const { createMultiplexer, EMULATOR_CREDENTIALS } = { ...require('../..'), ...require('../../testing') };
  const afterLoad = sdkLoaded();
  const mux = createMultiplexer([{ modelId: 'amazon.nova-lite-v1:0', weight: 1, isFallback: false }], {
    clientConfig: { region: 'us-east-1', endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
  });
  const afterCreate = sdkLoaded();
  const output = await mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'cold' }] }] });
  const afterRequest = sdkLoaded();
  mux.destroy();
  process.stdout.write(`${JSON.stringify({ text: output.output?.message?.content?.[0]?.text, afterLoad, afterCreate, afterRequest })}\n`);
}

main().catch((error) => {
  process.exitCode = 1;
  process.stdout.write(`${JSON.stringify({ error: String(error?.stack ?? error) })}\n`);
});
