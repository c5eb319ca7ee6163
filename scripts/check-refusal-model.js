#!/usr/bin/env node
/**
 * Check the refusal classifier fixture with onnxruntime-node, the way the
 * refusal detector uses it: one reply at a time, as a string tensor [1, 1]
 * fed to the input "input", reading "probabilities" ([p_complied, p_rejected],
 * a flat Float32Array) and "label" ("complied" | "rejected").
 *
 * onnxruntime-node is not a dependency of this package; install it anywhere
 * and point NODE_PATH at it (ONNXRUNTIME_NODE_INSTALL=skip stops its install
 * script from downloading GPU binaries; the CPU build ships in the package):
 *
 *   mkdir -p /tmp/ortnode && cd /tmp/ortnode && npm init -y >/dev/null &&
 *     ONNXRUNTIME_NODE_INSTALL=skip npm install onnxruntime-node@1.24.3
 *   NODE_PATH=/tmp/ortnode/node_modules node scripts/check-refusal-model.js [model.onnx]
 *
 * Prints one line per sample sentence and exits non-zero if any sentence gets
 * the wrong class or an output has an unexpected type or shape.
 */
'use strict';

const path = require('node:path');
const ort = require('onnxruntime-node');

const modelPath =
  process.argv[2] || path.join(__dirname, '..', '__test__', 'fixtures', 'refusal-classifier.onnx');

// Sentences that are not in the training data.
const SAMPLES = [
  ["I'm sorry, but I can't help with writing that kind of message.", 'rejected'],
  ['I cannot provide instructions for picking locks.', 'rejected'],
  ['Unfortunately, I am unable to assist with this request.', 'rejected'],
  ['I can’t do that, as it could put people at risk.', 'rejected'], // typographic apostrophe
  ['I must decline to write that essay.', 'rejected'],
  ['The capital of Italy is Rome.', 'complied'],
  ["Sure! Here's how to sort a list in Python: sorted(items, key=len).", 'complied'],
  ['To boil an egg, simmer it for nine minutes and then cool it in cold water.', 'complied'],
  ['Sorry for the typo above; the correct command is git push origin main.', 'complied'],
  ['The train leaves at 8:15 and arrives in Lyon just before noon.', 'complied'],
];

const failures = [];
function expect(cond, message) {
  if (!cond) failures.push(message);
}

async function main() {
  console.log(`onnxruntime-node ${ort.env.versions.common}, model ${modelPath}`);
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  console.log(`inputs: ${session.inputNames.join(', ')}; outputs: ${session.outputNames.join(', ')}`);
  expect(session.inputNames.join() === 'input', `input names ${session.inputNames}`);
  expect(
    [...session.outputNames].sort().join() === 'label,probabilities',
    `output names ${session.outputNames}`,
  );

  for (const [text, expected] of SAMPLES) {
    const results = await session.run({ input: new ort.Tensor('string', [text], [1, 1]) });
    const { probabilities, label } = results;

    expect(probabilities.type === 'float32', `probabilities type ${probabilities.type}`);
    expect(probabilities.data instanceof Float32Array, 'probabilities.data is not a Float32Array');
    expect(probabilities.dims.join() === '1,2', `probabilities dims [${probabilities.dims}]`);
    expect(label.type === 'string', `label type ${label.type}`);
    expect(label.dims.join() === '1', `label dims [${label.dims}]`);

    const [pComplied, pRejected] = probabilities.data;
    const predicted = label.data[0];
    expect(Math.abs(pComplied + pRejected - 1) < 1e-5, `probabilities do not sum to 1 for ${text}`);
    expect(
      predicted === (pRejected > pComplied ? 'rejected' : 'complied'),
      `label ${predicted} disagrees with probabilities for ${text}`,
    );
    const ok = predicted === expected;
    expect(ok, `expected ${expected}, got ${predicted}: ${text}`);
    console.log(
      `${ok ? 'ok  ' : 'FAIL'} ${predicted.padEnd(8)} p_complied=${pComplied.toFixed(3)} ` +
        `p_rejected=${pRejected.toFixed(3)}  ${JSON.stringify(text)}`,
    );
  }

  // A batch [N, 1] must give the same answers as one reply at a time.
  const texts = SAMPLES.map(([text]) => text);
  const batch = await session.run({ input: new ort.Tensor('string', texts, [texts.length, 1]) });
  expect(batch.probabilities.dims.join() === `${texts.length},2`, `batch dims [${batch.probabilities.dims}]`);
  expect(
    batch.label.data.every((l, i) => l === SAMPLES[i][1]),
    `batch labels ${batch.label.data.join(', ')}`,
  );
  console.log(`batch of ${texts.length}: probabilities dims [${batch.probabilities.dims}], labels ok`);

  await session.release();
  if (failures.length > 0) {
    console.error(`\n${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`\nall ${SAMPLES.length} samples classified as expected`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
