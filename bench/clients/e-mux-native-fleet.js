'use strict';
// (e) Client (c) with `sharedState` on a healthy local Redis (issue 13): the same multiplexer
// over the native transport, joined to a fleet on a redis-server this client starts on a
// free loopback port (scripts/redis-server.js) and stops when it closes. Against (c), its
// row is the fleet state's cost per request in the client process: the view, the outbox and
// the background publishes and refreshes. Redis's own CPU is its process's, not counted.

const { ROOT, clientConfig, muxModels, muxCanStream, muxHandle } = require('./common');
const { RedisServer, ensureRedisServer } = require('../../scripts/redis-server');

module.exports = {
  id: 'e',
  name: '(e) multiplexer, native transport, sharedState on local Redis',
  multiplexer: true,
  available() {
    try {
      ensureRedisServer();
      return true;
    } catch {
      return false;
    }
  },
  pendingReason: 'unavailable: redis-server is missing (scripts/install-redis.sh installs it)',
  canStream: muxCanStream,
  async setup(endpoint, options = {}) {
    const redis = await RedisServer.start();
    const { createMultiplexer } = require(ROOT);
    const mux = createMultiplexer(muxModels(options.models), {
      transport: 'native',
      clientConfig: clientConfig(endpoint),
      sharedState: { url: redis.url, keyPrefix: 'bench:' },
    });
    // Measure steady state: the fleet view in use, as after a service's first second.
    for (let waited = 0; !mux.getHealthStatus().sharedState.shared; waited += 10) {
      if (waited > 5000) throw new Error('the fleet view was not in use within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return muxHandle(mux, mux.transport, async () => {
      mux.destroy();
      await redis.stop();
    });
  },
};
