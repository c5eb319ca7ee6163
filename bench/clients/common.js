'use strict';
// What every bench client shares: where the package is (relative, so a fresh clone works
// anywhere), the credentials the emulator accepts, the request every client sends, and
// the model ids. Keeping the request identical across clients keeps the comparison fair.

const path = require('node:path');

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

module.exports = { ROOT, CREDENTIALS, REGION, MODEL, FAILOVER_MODELS, THROTTLED, messages, clientConfig, muxModels };
