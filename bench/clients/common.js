'use strict';
// What every bench client shares: where the package is (relative, so a fresh clone works
// anywhere), the credentials the emulator accepts, the request every client sends, the
// model ids, and the streaming workload. Keeping the request identical across clients
// keeps the comparison fair.

const path = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = path.resolve(__dirname, '..', '..');

const CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };
const REGION = 'us-east-1';

/** The single model of the throughput runs. */
const MODEL = 'amazon.nova-lite-v1:0';

/** The failover mix: three primaries of equal weight; the bench makes THROTTLED throttle. */
const FAILOVER_MODELS = [
  { modelId: 'bench.model-a-v1:0', weight: 1, isFallback: false },
  { modelId: 'bench.model-throttled-v1:0', weight: 1, isFallback: false },
  { modelId: 'bench.model-c-v1:0', weight: 1, isFallback: false },
];
const THROTTLED = 'bench.model-throttled-v1:0';

/**
 * The streaming workload: a model whose ConverseStream answer is 2,000 characters cut
 * into 20-character deltas, so each stream carries many small events, as a long answer
 * from a real model does. ASCII only: the emulator cuts by characters.
 */
const STREAM_MODEL = 'bench.stream-v1:0';
const STREAM_TEXT = 'The quick brown fox jumps over the lazy dog. '.repeat(45).slice(0, 2000);
const STREAM_CHUNK = 20;
const STREAM_DELTAS = Math.ceil(STREAM_TEXT.length / STREAM_CHUNK);
const STREAM = {
  modelId: STREAM_MODEL,
  /** The multiplexer clients' models for the streaming runs. */
  models: [{ modelId: STREAM_MODEL, weight: 1, isFallback: false }],
  /** The emulator behaviour the bench sets on STREAM_MODEL. */
  behavior: { text: STREAM_TEXT, stream: { chunkSize: STREAM_CHUNK } },
  characters: STREAM_TEXT.length,
  chunkSize: STREAM_CHUNK,
  deltas: STREAM_DELTAS,
  /** Per stream: messageStart, the deltas, contentBlockStop, messageStop, metadata (a text block has no contentBlockStart). */
  events: STREAM_DELTAS + 4,
};

/**
 * The hedging rows (`hedging` option, issue 14): a primary whose answers take 20 ms, but
 * 5 % of them (drawn by the emulator's seeded schedule) 20× longer, and a steady fallback
 * of 20 ms; client (c) runs them without hedging and with `hedging: { afterMs: 'p95' }`.
 */
const HEDGING = {
  models: [
    { modelId: 'bench.long-tail-v1:0', weight: 1, isFallback: false },
    { modelId: 'bench.steady-v1:0', weight: 1, isFallback: true },
  ],
  behaviors: {
    'bench.long-tail-v1:0': { latencyMs: 20, fault: 'slow', faultProbability: 0.05, seed: 14, slowLatencyMs: 400 },
    'bench.steady-v1:0': { latencyMs: 20 },
  },
  settings: [
    { label: 'no hedging', hedging: undefined },
    { label: "hedging { afterMs: 'p95' }", hedging: { afterMs: 'p95' } },
  ],
  concurrency: 16,
};

/** The Converse messages of request i (a short user turn; the emulator echoes it). */
function messages(i) {
  return [{ role: 'user', content: [{ text: `bench request ${i}` }] }];
}

/** The JS SDK client configuration every SDK-based client uses (no SDK retries). */
function clientConfig(endpoint) {
  return { region: REGION, endpoint, credentials: { ...CREDENTIALS }, maxAttempts: 1 };
}

/** Multiplexer options as a caller would pass them. */
function muxModels(models) {
  return models ?? [{ modelId: MODEL, weight: 1, isFallback: false }];
}

/** Whether this build's multiplexer streams (clients b and c stream through processStreamRequest). */
function muxCanStream() {
  return typeof require(ROOT).BedrockMultiplexer.prototype.processStreamRequest === 'function';
}

/**
 * Reads every event of a stream (an async iterable, as the JS SDK gives it), as a caller
 * would; returns when the first event reached this loop (performance.now()) and how many came.
 */
async function consume(stream) {
  let firstEventAt = null;
  let events = 0;
  for await (const _event of stream) {
    if (events++ === 0) firstEventAt = performance.now();
  }
  return { firstEventAt, events };
}

/**
 * What the harness drives of a multiplexer client (b, c, e): one request, one stream read to
 * the end (processStreamRequest resolves once the first event has arrived; the loop reads it
 * first), its statistics and health, and `close` (by default `destroy()`).
 */
function muxHandle(mux, transport = mux.transport, close = () => mux.destroy()) {
  return {
    transport,
    async send(i) {
      await mux.processRequest({ messages: messages(i) });
    },
    async stream(i) {
      const output = await mux.processStreamRequest({ messages: messages(i) });
      return consume(output.stream);
    },
    stats: () => mux.getStats(),
    health: () => mux.getHealthStatus(),
    close,
  };
}

module.exports = {
  ROOT,
  CREDENTIALS,
  REGION,
  MODEL,
  FAILOVER_MODELS,
  THROTTLED,
  STREAM,
  HEDGING,
  messages,
  clientConfig,
  muxModels,
  muxCanStream,
  consume,
  muxHandle,
};
