'use strict';
// (c) Our multiplexer over the native Rust transport, forced with { transport: 'native' }.
// The transport is being built; available() probes at run time whether the option is
// honoured (mux.transport === 'native'), so this row reads "pending" until it is.
// Streams: processStreamRequest over the same transport.

const { ROOT, messages, clientConfig, muxModels, muxCanStream, consume } = require('./common');

function create(endpoint, models) {
  const { createMultiplexer } = require(ROOT);
  return createMultiplexer(muxModels(models), { transport: 'native', clientConfig: clientConfig(endpoint) });
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
    const mux = create(endpoint, options.models);
    if (mux.transport !== 'native') throw new Error(`transport is ${mux.transport}, not native`);
    return {
      transport: mux.transport,
      async send(i) {
        await mux.processRequest({ messages: messages(i) });
      },
      // processStreamRequest resolves once the first event has arrived; the loop reads it first.
      async stream(i) {
        const output = await mux.processStreamRequest({ messages: messages(i) });
        return consume(output.stream);
      },
      stats: () => mux.getStats(),
      health: () => mux.getHealthStatus(),
      close() {
        mux.destroy();
      },
    };
  },
};
