'use strict';
// RefusalClassifier: runs an ONNX text classifier (input `input`, a string tensor
// [N,1]; outputs `label` and `probabilities` [p_complied, p_rejected]) through
// onnxruntime-node, an optional peer dependency loaded only when a classifier is
// initialised, so callers who never enable refusal detection never load it.
//
// onnxruntime-node runs inference on the calling thread, so the real runtime is driven
// from a worker thread (js/refusal-worker.js) and the caller's event loop never waits
// on it. A runtime replaced by a test double (jest.mock) is driven in place, as the
// original drives it, so callers' tests that assert on it keep working.

const path = require('node:path');
const { Worker } = require('node:worker_threads');

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
    const create = this.#ort.InferenceSession.create;
    this.#session = create._isMockFunction
      ? await create(this.#modelPath, { executionProviders: ['cpu'] })
      : await WorkerSession.start(this.#modelPath, require.resolve(ONNX_RUNTIME));
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

/**
 * An inference session living on a worker thread, with the session's `run`/`release`
 * face. The worker keeps the process alive exactly while a run or the release is
 * pending (a one-shot script awaiting `classify()` must get its answer), and never
 * while it is idle (a classifier nobody calls must not hold a process open).
 */
class WorkerSession {
  #worker;
  #pending = new Map();
  #nextId = 0;
  #releasing = false;
  /** Settles when the worker thread has stopped, for whatever reason. */
  #exited;
  #stopped = false;

  static start(modelPath, runtimePath) {
    const worker = new Worker(path.join(__dirname, 'refusal-worker.js'), { workerData: { modelPath, runtimePath } });
    return new Promise((resolve, reject) => {
      worker.once('message', ({ ready, error }) => {
        if (ready) {
          resolve(new WorkerSession(worker));
        } else {
          worker.terminate();
          reject(new Error(error));
        }
      });
      worker.once('error', reject);
    });
  }

  constructor(worker) {
    this.#worker = worker;
    worker.on('message', ({ id, error, probabilities, label }) => {
      const pending = this.#pending.get(id);
      if (error) pending?.reject(new Error(error));
      else pending?.resolve({ probabilities: probabilities && { data: probabilities }, label: label && { data: label } });
    });
    worker.on('error', (error) => this.#failAll(error));
    this.#exited = new Promise((resolve) => worker.once('exit', resolve));
    this.#exited.then(() => {
      this.#stopped = true;
      this.#failAll(stoppedError());
    });
    // After the listeners: adding a 'message' listener refs the worker again.
    this.#holdWhileBusy();
  }

  run(feeds) {
    // A stopped worker never answers: fail now rather than wait forever.
    if (this.#stopped) return Promise.reject(stoppedError());
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (value) => this.#settled(id, resolve, value),
        reject: (error) => this.#settled(id, reject, error),
      });
      this.#holdWhileBusy();
      this.#worker.postMessage({ id, text: feeds.input.data[0] });
    });
  }

  async release() {
    this.#releasing = true;
    this.#holdWhileBusy();
    this.#worker.postMessage({ release: true });
    await this.#exited;
  }

  #settled(id, settle, value) {
    this.#pending.delete(id);
    this.#holdWhileBusy();
    settle(value);
  }

  /** Refs the worker while anything is pending on it, unrefs it when idle. */
  #holdWhileBusy() {
    if (this.#pending.size > 0 || this.#releasing) this.#worker.ref();
    else this.#worker.unref();
  }

  #failAll(error) {
    for (const { reject } of [...this.#pending.values()]) reject(error);
  }
}

const stoppedError = () => new Error('refusal classifier worker stopped');

/** p(rejected): the second probability, or 1/0 from the label when there are none. */
function refusalProbability(results) {
  const probabilities = results.probabilities;
  if (probabilities) return probabilities.data[1];
  return results.label?.data?.[0] === 'rejected' ? 1.0 : 0.0;
}

module.exports = { RefusalClassifier };
