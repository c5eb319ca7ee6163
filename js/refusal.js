'use strict';
// RefusalClassifier: runs an ONNX text classifier (input `input`, a string tensor
// [N,1]; outputs `label` and `probabilities` [p_complied, p_rejected]) through
// onnxruntime-node, an optional peer dependency loaded only when a classifier is
// initialised, so callers who never enable refusal detection never load it.

const ONNX_RUNTIME = 'onnxruntime-node';

class RefusalClassifier {
  #modelPath;
  #threshold;
  #session = null;
  #ort = null;

  constructor(config) {
    this.#modelPath = config.modelPath;
    this.#threshold = config.confidenceThreshold ?? 0.5;
  }

  async initialize() {
    this.#ort = require(ONNX_RUNTIME);
    this.#session = await this.#ort.InferenceSession.create(this.#modelPath, { executionProviders: ['cpu'] });
  }

  async classify(responseText) {
    if (!this.#session) throw new Error('RefusalClassifier not initialized. Call initialize() first.');
    const startedAt = Date.now();
    const input = new this.#ort.Tensor('string', [responseText], [1, 1]);
    const results = await this.#session.run({ input });
    const confidence = refusalProbability(results);
    return { isRefusal: confidence >= this.#threshold, confidence, latencyMs: Date.now() - startedAt };
  }

  async destroy() {
    if (this.#session) {
      await this.#session.release();
      this.#session = null;
    }
  }

  get isReady() {
    return this.#session !== null;
  }

  get confidenceThreshold() {
    return this.#threshold;
  }
}

/** p(rejected): the second probability, or 1/0 from the label when there are none. */
function refusalProbability(results) {
  const probabilities = results.probabilities;
  if (probabilities) return probabilities.data[1];
  return results.label?.data?.[0] === 'rejected' ? 1.0 : 0.0;
}

module.exports = { RefusalClassifier };
