'use strict';
// What a caller could log from one use of a multiplexer with given credentials, for
// secrets.test.ts: construction, a request and a stream, and for each the thrown error
// (message, stack, `util.inspect(err, { showHidden: true })`, outcome), every event
// payload and the health and stats reports. Not a test file itself.
//
// Run as a script (for credentials from the environment, which only a process of its
// own can give the native client): argv[2] the emulator's endpoint, argv[3] the
// transport; prints the transcript as one JSON line.

const { inspect } = require('node:util');
const { createMultiplexer } = require('../../index');

const deep = { showHidden: true, depth: Infinity };

/** A multiplexer whose every emitted event is written into `texts`. */
function watchedMultiplexer(texts, clientConfig, transport) {
  const mux = createMultiplexer([{ modelId: 'scan-model', weight: 1, isFallback: false }], { clientConfig, transport });
  const emit = mux.emit.bind(mux);
  mux.emit = (name, ...args) => {
    texts.push(name, inspect(args, deep));
    return emit(name, ...args);
  };
  return mux;
}

/** `{ texts, messages, succeeded }`: `messages` of the errors thrown, `succeeded` of 2 calls. */
async function transcript(endpoint, credentials, transport) {
  const texts = [];
  const messages = [];
  const recordError = (error) => {
    messages.push(String(error && error.message));
    texts.push(String(error), String(error && error.stack), inspect(error, deep), JSON.stringify((error && error.outcome) ?? null));
  };
  const clientConfig = { region: 'us-east-1', endpoint, maxAttempts: 1 };
  if (credentials !== undefined) clientConfig.credentials = credentials;
  let mux;
  try {
    mux = watchedMultiplexer(texts, clientConfig, transport);
  } catch (error) {
    recordError(error);
    return { texts, messages, succeeded: 0 };
  }
  const input = () => ({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });
  let succeeded = 0;
  try {
    texts.push(inspect(await mux.processRequest(input()), deep));
    succeeded++;
  } catch (error) {
    recordError(error);
  }
  try {
    const { stream } = await mux.processStreamRequest(input());
    for await (const event of stream) texts.push(inspect(event, deep));
    succeeded++;
  } catch (error) {
    recordError(error);
  }
  texts.push(inspect(mux.getHealthStatus(), deep), inspect(mux.getStats(), deep), inspect(mux.getCircuitBreakerStatus(), deep));
  mux.destroy();
  return { texts, messages, succeeded };
}

module.exports = { transcript };

if (require.main === module) {
  transcript(process.argv[2], undefined, process.argv[3]).then((result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  });
}
