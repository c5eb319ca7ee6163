'use strict';
// The refusal classifier's inference thread: loads onnxruntime-node and the model, and
// answers { id, text } with the session's outputs. onnxruntime-node runs inference on
// the thread that calls it; here that is not the caller's event loop.

const { parentPort, workerData } = require('node:worker_threads');

const ort = require(workerData.runtimePath);
const ready = ort.InferenceSession.create(workerData.modelPath, { executionProviders: ['cpu'] });

ready.then(
  () => parentPort.postMessage({ ready: true }),
  (error) => parentPort.postMessage({ ready: false, error: error.message }),
);

parentPort.on('message', async ({ id, text, release }) => {
  const session = await ready.catch(() => null);
  if (release) {
    await session?.release();
    parentPort.close();
    return;
  }
  try {
    const results = await session.run({ input: new ort.Tensor('string', [text], [1, 1]) });
    parentPort.postMessage({
      id,
      probabilities: results.probabilities ? Array.from(results.probabilities.data) : null,
      label: results.label ? Array.from(results.label.data) : null,
    });
  } catch (error) {
    parentPort.postMessage({ id, error: error.message });
  }
});
