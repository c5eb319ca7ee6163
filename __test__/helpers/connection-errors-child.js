'use strict';
// Child process of connection-errors.test.ts. Runs in plain Node, not in jest's sandbox:
// there the JS SDK's retry middleware sees Node's own errors (from the host realm) as
// non-errors and rewraps them ("AWS SDK error wrapper for …"), which no caller outside
// jest ever sees. Each case sends the same request with `transport: 'native'` and
// `transport: 'js-sdk'` and prints, as one JSON object, what each rejected with.

const net = require('node:net');
const path = require('node:path');
const root = path.join(__dirname, '..', '..');
const { BedrockModel, createMultiplexer } = require(root);
const { EMULATOR_CREDENTIALS, startEmulator } = require(path.join(root, 'testing'));

const MODEL = 'fixture.model-v1:0';
const input = { messages: [{ role: 'user', content: [{ text: 'anyone there?' }] }] };

/** Keys whose values differ between any two runs: masked to their type. */
const VARYING = new Set(['stack', 'latency', 'timestamp', 'retryAfterMs', 'totalRetryDelay']);

/**
 * Everything a caller can observe of a value, errors included (prototype chain by
 * constructor name, own keys in order with the hidden ones, `String(error)`), with
 * the varying keys masked.
 */
function observable(value) {
  if (Array.isArray(value)) return value.map(observable);
  if (value === null || typeof value !== 'object') return value === undefined ? '<undefined>' : value;
  if (value instanceof Date) return '<Date>';
  const keys = Reflect.ownKeys(value).map(String);
  const values = Object.fromEntries(keys.map((key) => [key, VARYING.has(key) ? typeof value[key] : observable(value[key])]));
  if (!(value instanceof Error)) return values;
  const prototypes = [];
  for (let p = Object.getPrototypeOf(value); p; p = Object.getPrototypeOf(p)) prototypes.push(p.constructor.name);
  return { prototypes, enumerable: Object.keys(value), values, text: String(value) };
}

/** A loopback port with nothing listening on it. */
async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * What the call rejects with: `processRequest` gives the original's FailFastError
 * around the SDK error; `BedrockModel.invokeStream` passes the SDK error through as is.
 */
async function rejectionOf(call, transport, clientConfig) {
  const config = { region: 'us-east-1', credentials: { ...EMULATOR_CREDENTIALS }, ...clientConfig };
  const model = { modelId: MODEL, weight: 1, isFallback: false };
  const mux = createMultiplexer([model], { clientConfig: config, transport });
  try {
    if (call === 'processRequest') await mux.processRequest(input);
    else await new BedrockModel(model, undefined, 30000, undefined, config, transport).invokeStream(input);
    return { resolved: true };
  } catch (error) {
    return observable(error);
  } finally {
    mux.destroy();
  }
}

async function main() {
  const emulator = startEmulator();
  emulator.setBehavior(MODEL, { latencyMs: 2000 });
  const refused = await refusedPort();
  const cases = {
    unresolvable: { endpoint: 'http://bedrock.invalid:1', maxAttempts: 1 },
    refused: { endpoint: `http://127.0.0.1:${refused}`, maxAttempts: 2 },
    refusedByName: { endpoint: `http://localhost:${refused}`, maxAttempts: 1 },
    requestTimeout: { endpoint: emulator.endpoint, maxAttempts: 1, requestHandler: { requestTimeout: 200 } },
  };
  const results = { refusedPort: refused };
  for (const [name, clientConfig] of Object.entries(cases)) {
    for (const call of ['invokeStream', 'processRequest']) {
      results[`${call} ${name}`] = {
        native: await rejectionOf(call, 'native', clientConfig),
        js: await rejectionOf(call, 'js-sdk', clientConfig),
      };
    }
  }
  await emulator.stop();
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack));
  process.exitCode = 1;
});
