'use strict';
// One instance of a fleet for fleet.test.ts: its own multiplexer on the test's emulator,
// with or without `sharedState`. Not a test file itself.
//
// argv[2]: JSON `{ endpoint, redisUrl?, keyPrefix?, models, delayMs, durationMs?, requests?, concurrency, trace? }`.
// Prints `{"ready":true}` once its fleet view is in use (at once without `redisUrl`), then
// waits for a line `{"startAt": <epoch ms>}` on stdin, starts at `startAt + delayMs`, sends
// `requests` requests per worker (or as many as fit in `durationMs`) from `concurrency`
// workers, prints `{"ok": n, "failed": {code: n}, "events": [...], "sent": {modelId: n}}` (with
// `trace`, also `"trace"`: each request's start and selection, with the fleet view's state
// then), destroys the
// multiplexer and exits by itself (which the test checks: destroy() closes the fleet).

const readline = require('node:readline');
const { createMultiplexer } = require('../..');
const { EMULATOR_CREDENTIALS } = require('../../testing');

const options = JSON.parse(process.argv[2]);
const events = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const mux = createMultiplexer(options.models, {
  defaultTimeoutMs: 5000,
  maxRetries: 3,
  clientConfig: { region: 'us-east-1', endpoint: options.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
  ...(options.redisUrl ? { sharedState: { url: options.redisUrl, keyPrefix: options.keyPrefix } } : {}),
});
mux.on('shared-state-degraded', (reason) => events.push({ event: 'degraded', reason }));
mux.on('shared-state-restored', () => events.push({ event: 'restored' }));
// Listeners take the request off the quiet path: only when asked for.
const trace = [];
if (options.trace) {
  const view = () => {
    const { shared, viewRefreshedAt } = mux.getHealthStatus().sharedState;
    return { at: Date.now(), shared, viewRefreshedAt };
  };
  mux.on('request', () => trace.push({ event: 'request', ...view() }));
  mux.on('model-selected', (modelId) => trace.push({ event: 'model-selected', modelId, ...view() }));
}

async function main() {
  if (options.redisUrl) {
    const deadline = Date.now() + 5000;
    while (!mux.getHealthStatus().sharedState.shared) {
      if (Date.now() > deadline) throw new Error('the fleet view was not in use within 5 s');
      await sleep(5);
    }
  }
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  const { startAt } = JSON.parse(await new Promise((resolve) => lines.once('line', resolve)));
  lines.close();
  await sleep(Math.max(0, startAt + options.delayMs - Date.now()));
  // On the common clock, not from whenever this process woke: every instance sends within
  // the same `durationMs`, however late a loaded machine ran its timer.
  const endAt = startAt + options.delayMs + (options.durationMs ?? Infinity);
  let ok = 0;
  const failed = {};
  const worker = async () => {
    for (let i = 0; i < (options.requests ?? Infinity) && Date.now() < endAt; i++) {
      try {
        await mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });
        ok++;
      } catch (error) {
        failed[error.code ?? error.name] = (failed[error.code ?? error.name] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  // Per model, the calls this instance made (every outcome it recorded).
  const sent = {};
  for (const [modelId, m] of Object.entries(mux.getStats().modelStats)) sent[modelId] = m.successCount + m.rateLimitCount + m.failFastCount + m.refusalCount;
  process.stdout.write(`${JSON.stringify({ ok, failed, events, sent, ...(options.trace ? { trace } : {}) })}\n`);
  mux.destroy();
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
  mux.destroy();
});
