'use strict';
// (c) Our multiplexer over the native Rust transport, forced with { transport: 'native' }.
// The transport is being built; available() probes at run time whether the option is
// honoured (mux.transport === 'native'), so this row reads "pending" until it is.
// Streams: processStreamRequest over the same transport.

const { ROOT, clientConfig, muxModels, muxCanStream, muxHandle } = require('./common');

function create(endpoint, models, hedging) {
  const { createMultiplexer } = require(ROOT);
  return createMultiplexer(muxModels(models), { transport: 'native', clientConfig: clientConfig(endpoint), ...(hedging && { hedging }) });
}

module.exports = {
  id: 'c',
  name: '(c) multiplexer, native transport',
  multiplexer: true,
  available() {
    let mux;
    try {
      // Nothing is sent: constructing is enough to see which transport was chosen.
      mux = create('http://127.0.0.1:9');
      return mux.transport === 'native';
    } catch {
      return false;
    } finally {
      try {
        mux?.destroy();
      } catch {
        // a half-built multiplexer may not destroy cleanly; the probe only needs the answer
      }
    }
  },
  pendingReason: 'pending: native transport not built yet',
  canStream: muxCanStream,
  async setup(endpoint, options = {}) {
    const mux = create(endpoint, options.models, options.hedging);
    if (mux.transport !== 'native') throw new Error(`transport is ${mux.transport}, not native`);
    return muxHandle(mux);
  },
};
