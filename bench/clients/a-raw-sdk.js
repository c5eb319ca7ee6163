'use strict';
// (a) The baseline: the raw @aws-sdk/client-bedrock-runtime client, default request
// handler (NodeHttp2Handler, which against an http:// endpoint opens a new connection
// per request), one BedrockRuntimeClient.send(new ConverseCommand(...)) per request.

const path = require('node:path');
const { ROOT, MODEL, messages, clientConfig } = require('./common');

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
  async setup(endpoint) {
    const { BedrockRuntimeClient, ConverseCommand } = require(SDK);
    const client = new BedrockRuntimeClient(clientConfig(endpoint));
    return {
      async send(i) {
        await client.send(new ConverseCommand({ modelId: MODEL, messages: messages(i) }));
      },
      close() {
        client.destroy();
      },
    };
  },
};
