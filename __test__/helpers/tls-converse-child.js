'use strict';
// One Converse with the raw JS SDK in a process of its own, for emulator-tls.test.ts:
// NODE_EXTRA_CA_CERTS is read only when Node starts, so trusting the emulator's test CA
// the way a user would needs a fresh process. Not a test file itself.
//
// argv[2]: the endpoint; argv[3]: the model id. Prints one line of JSON:
// `{ "text": "..." }` or `{ "error": { "name", "code", "message" } }`.

const { BedrockRuntimeClient, ConverseCommand } = require('@aws-sdk/client-bedrock-runtime');
const { EMULATOR_CREDENTIALS } = require('../../testing');

const [endpoint, modelId] = process.argv.slice(2);
const client = new BedrockRuntimeClient({
  region: 'us-east-1',
  endpoint,
  credentials: { ...EMULATOR_CREDENTIALS },
  maxAttempts: 1,
});

client
  .send(new ConverseCommand({ modelId, messages: [{ role: 'user', content: [{ text: 'over TLS' }] }] }))
  .then(
    (output) => ({ text: output.output?.message?.content?.[0]?.text }),
    (error) => ({ error: { name: error?.name, code: error?.code, message: String(error?.message) } }),
  )
  .then((result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    client.destroy();
  });
