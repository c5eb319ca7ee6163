'use strict';
// (d) A bare native send, no routing: js/native's NativeTransport (the Rust
// aws-sdk-bedrockruntime client behind napi) called directly, one converse() per request.
// The floor under (c): what (c) costs beyond it is the multiplexer's own work.

const path = require('node:path');
const { ROOT, MODEL, messages, clientConfig } = require('./common');

function nativeTransport() {
  return require(path.join(ROOT, 'js', 'native')).NativeTransport;
}

module.exports = {
  id: 'd',
  name: '(d) bare native send',
  multiplexer: false,
  available() {
    try {
      return typeof nativeTransport() === 'function';
    } catch {
      return false;
    }
  },
  pendingReason: 'pending: NativeTransport not built yet',
  async setup(endpoint) {
    const NativeTransport = nativeTransport();
    // The same settings the multiplexer derives from clientConfig (js/transport.js).
    const { region, credentials, maxAttempts } = clientConfig(endpoint);
    const transport = new NativeTransport({ region, credentials, endpoint, maxAttempts });
    return {
      transport: 'native',
      async send(i) {
        const result = await transport.converse(MODEL, { messages: messages(i) }, null, null);
        if (!result.ok) throw new Error(`converse failed: ${JSON.stringify(result.error).slice(0, 200)}`);
      },
      close() {
        // NativeTransport has no close(): its connections go with the process.
      },
    };
  },
};
