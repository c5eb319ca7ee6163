'use strict';
// (a) The baseline: the raw @aws-sdk/client-bedrock-runtime client, default request
// handler (NodeHttp2Handler, which against an http:// endpoint opens a new connection
// per request), one BedrockRuntimeClient.send(new ConverseCommand(...)) per request, and
// send(new ConverseStreamCommand(...)) read with for await per stream.

const path = require('node:path');
const { ROOT, MODEL, STREAM, messages, clientConfig, consume } = require('./common');

const SDK = path.join(ROOT, 'node_modules', '@aws-sdk', 'client-bedrock-runtime');

module.exports = {
  id: 'a',
  name: '(a) raw JS SDK',
  multiplexer: false,
  available() {
    try {
      require.resolve(SDK);
      return true;
    } catch {
      return false;
    }
  },
  pendingReason: 'pending: @aws-sdk/client-bedrock-runtime not installed (run npm install)',
  canStream() {
    return typeof require(SDK).ConverseStreamCommand === 'function';
  },
  async setup(endpoint) {
    const { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } = require(SDK);
    const client = new BedrockRuntimeClient(clientConfig(endpoint));
    return {
      async send(i) {
        await client.send(new ConverseCommand({ modelId: MODEL, messages: messages(i) }));
      },
      async stream(i) {
        const output = await client.send(new ConverseStreamCommand({ modelId: STREAM.modelId, messages: messages(i) }));
        return consume(output.stream);
      },
      close() {
        client.destroy();
      },
    };
  },
};
