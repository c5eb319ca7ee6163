'use strict';
// (d) A bare native send, no routing: js/transport's sendNative (the Rust
// aws-sdk-bedrockruntime client behind napi), one Converse call per request, its output
// built as a caller receives it. The floor under (c): what (c) costs beyond it is the
// multiplexer's own work. Streams: sendNativeStream and a for await over its events.

const path = require('node:path');
const { ROOT, MODEL, STREAM, messages, clientConfig, consume } = require('./common');

function transport() {
  return require(path.join(ROOT, 'js', 'transport'));
}

module.exports = {
  id: 'd',
  name: '(d) bare native send',
  multiplexer: false,
  available() {
    try {
      return typeof transport().sendNative === 'function';
    } catch {
      return false;
    }
  },
  pendingReason: 'pending: the native transport is not built yet',
  canStream() {
    return typeof transport().sendNativeStream === 'function';
  },
  async setup(endpoint) {
    const { sendNative, sendNativeStream } = transport();
    // One clientConfig object, hence one native client, as a multiplexer has.
    const config = clientConfig(endpoint);
    return {
      transport: 'native',
      async send(i) {
        await sendNative(config, MODEL, { messages: messages(i) }, null, null);
      },
      async stream(i) {
        const output = await sendNativeStream(config, STREAM.modelId, { messages: messages(i) }, null);
        return consume(output.stream);
      },
      close() {
        // The native client has no close(): its connections go with the process.
      },
    };
  },
};
