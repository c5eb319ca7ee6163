'use strict';
// (b) Our multiplexer through the JS SDK: createMultiplexer(...) with a clientConfig and
// `transport: 'js-sdk'`, so every model sends through @aws-sdk/client-bedrock-runtime
// (default handler); routing, breakers and statistics run in the Rust engine behind napi.
// The JS SDK was the default until the native transport landed (b23dd38); since then it
// must be forced. Builds without the option ignore it and use the JS SDK anyway.
// Streams: processStreamRequest over the same path.

const { ROOT, clientConfig, muxModels, muxCanStream, muxHandle } = require('./common');

module.exports = {
  id: 'b',
  name: '(b) multiplexer, JS SDK path',
  multiplexer: true,
  available() {
    try {
      require.resolve(ROOT);
      return true;
    } catch {
      return false;
    }
  },
  pendingReason: 'pending: the addon is not built (run npm install)',
  canStream: muxCanStream,
  /** @param {{ models?: object[] }} [options] failover runs pass three models, streaming runs the stream model */
  async setup(endpoint, options = {}) {
    const { createMultiplexer } = require(ROOT);
    const mux = createMultiplexer(muxModels(options.models), { transport: 'js-sdk', clientConfig: clientConfig(endpoint) });
    // undefined: a build from before the transport option, which only had the JS SDK.
    if (mux.transport !== undefined && mux.transport !== 'js-sdk') throw new Error(`transport is ${mux.transport}, not js-sdk`);
    return muxHandle(mux, mux.transport ?? 'js-sdk');
  },
};
