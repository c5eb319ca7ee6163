'use strict';
// A tour of the multiplexer against the bundled Bedrock emulator:
//   three models, one of which throttles; watch the routing, the failover, its
//   breaker opening, then recovering once it is healthy again; then health and stats.
// Run: npm run demo   (after npm install)
//
// The breaker's 30 s recovery is shown without waiting: the engine reads the time
// from Date.now() at every call, so the demo moves its own clock forward.

const { createMultiplexer } = require('..');
const { startEmulator, EMULATOR_CREDENTIALS } = require('../testing');

const realNow = Date.now;
let clockOffsetMs = 0;
Date.now = () => realNow() + clockOffsetMs;

const FAST = 'amazon.nova-lite-v1:0';
const BUSY = 'anthropic.claude-haiku-4-5-v1:0';
const SPARE = 'amazon.nova-pro-v1:0';

async function main() {
  const emulator = startEmulator();
  emulator.setBehavior(BUSY, { fault: 'throttle' });
  console.log(`emulator listening on ${emulator.endpoint}; ${BUSY} throttles every request\n`);

  const mux = createMultiplexer(
    [
      { modelId: FAST, weight: 1, isFallback: false },
      { modelId: BUSY, weight: 3, isFallback: false },
      { modelId: SPARE, weight: 1, isFallback: true },
    ],
    {
      clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: EMULATOR_CREDENTIALS, maxAttempts: 1 },
    },
  );

  console.log(`requests go through the ${mux.transport} transport\n`);
  let line = [];
  mux.on('model-selected', (modelId, isFallback, retry) => line.push(`${retry ? '→ ' : ''}${modelId}${isFallback ? ' (fallback)' : ''}`));
  mux.on('model-circuit-open-skipped', (modelId) => line.push(`[skip ${modelId}: circuit open]`));
  mux.on('error', (error, outcome) => {
    if (outcome) line.push(`✗ ${error?.details?.name ?? 'error'}`);
  });

  const ask = async (n) => {
    line = [];
    const out = await mux.processRequest({ messages: [{ role: 'user', content: [{ text: `question ${n}` }] }] });
    console.log(`#${String(n).padStart(2)}  ${line.join('  ')}  ✓ "${out.output.message.content[0].text}"`);
  };
  const breaker = () => mux.getCircuitBreakerStatus()[BUSY];

  console.log('1. Routing by weight, failing over from the throttled model:');
  let n = 1;
  while (breaker().state !== 'OPEN') await ask(n++);
  console.log(`   ${BUSY}: breaker ${breaker().state} after ${breaker().failureCount} throttles\n`);

  console.log('2. With its breaker open the throttled model is skipped, no request sent:');
  for (let i = 0; i < 3; i++) await ask(n++);

  console.log(`\n3. ${BUSY} recovers; the clock moves 30 s forward:`);
  emulator.setBehavior(BUSY, {});
  clockOffsetMs += 30_000;
  console.log(`   breaker now ${breaker().state}`);
  while (breaker().state !== 'CLOSED') await ask(n++);
  console.log(`   breaker ${breaker().state} again after 2 successful trial requests\n`);

  const health = mux.getHealthStatus();
  console.log('4. Health:', JSON.stringify({ isHealthy: health.isHealthy, healthy: health.healthyModels, degraded: health.degradedModels, unhealthy: health.unhealthyModels, metrics: health.metrics }));
  for (const [modelId, h] of Object.entries(health.models)) {
    console.log(`   ${modelId.padEnd(34)} ${h.isHealthy ? 'healthy  ' : 'unhealthy'} circuit=${h.circuitState} errorRate=${h.errorRate.toFixed(2)} (all requests so far)`);
  }
  const stats = mux.getStats();
  console.log('5. Stats:');
  for (const [modelId, s] of Object.entries(stats.modelStats)) {
    console.log(`   ${modelId.padEnd(34)} ok=${s.successCount} throttled=${s.rateLimitCount} failed=${s.failFastCount} avg=${s.averageLatency.toFixed(1)} ms`);
  }
  console.log('   latency:', JSON.stringify(stats.latencyMetrics));
  console.log(`   emulator saw ${emulator.requests().length} requests`);

  mux.destroy();
  await emulator.stop();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
