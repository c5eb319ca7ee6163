'use strict';
// The quiet request path's crossings alone: startQuietly + invokedQuietly on a
// MultiplexerCore of two models, as js/request-handler.js feeds them, in ns per request.
// Compares addon builds in one run (copies of the .node file, e.g. before and after a change):
//
//   node bench/machine-feeds.js before=/tmp/before.node after=./bedrock-model-multiplexer.linux-x64-gnu.node
//
// Two copies of the addon cannot share a process (their static TLS), so each measurement runs
// in a child of its own, the builds taking turns round after round; the median is printed.
// Builds from before the typed steps (startQuietly returned the model id) are driven as they were.
const { execFileSync } = require('node:child_process');

const BREAKERS = { failureThreshold: 5, recoveryTimeMs: 60000, successThreshold: 2, failureWindowMs: 60000 };
const REQUESTS = 300000;
const ROUNDS = 9;

function setup(binding) {
  const core = new binding.MultiplexerCore({ ...BREAKERS });
  const byId = new Map();
  const bySlot = [];
  for (const modelId of ['bench.a-v1:0', 'bench.b-v1:0']) {
    const added = core.addModel({ modelId, weight: 1, isFallback: false });
    const model = { modelId };
    byId.set(modelId, model);
    if (typeof added?.slot === 'number') bySlot[added.slot] = model;
  }
  return { core, byId, bySlot, machine: new binding.RequestMachine(0) };
}

/** One request's feeds; true when it ended in `return`. */
function request({ core, byId, bySlot, machine }) {
  const first = machine.startQuietly(3, core, Date.now(), Math.random);
  if (typeof first === 'string') {
    // Before the typed steps: the model id, then whether the request was answered.
    return machine.invokedQuietly(core, false, byId.get(first).modelId, 5, Date.now());
  }
  const model = first.slot === undefined ? byId.get(first.modelId) : bySlot[first.slot];
  return machine.invokedQuietly(core, false, model.modelId, 5, Date.now()).kind === 'return';
}

function measure(state) {
  let answered = 0;
  const startedAt = process.hrtime.bigint();
  for (let i = 0; i < REQUESTS; i++) if (request(state)) answered++;
  const ns = Number(process.hrtime.bigint() - startedAt) / REQUESTS;
  if (answered !== REQUESTS) throw new Error(`${REQUESTS - answered} requests did not end in return`);
  return ns;
}

if (process.argv[2] === '--child') {
  const state = setup(require(process.argv[3]));
  measure(state); // warm-up
  process.stdout.write(String(measure(state)));
} else {
  const builds = process.argv.slice(2).map((arg) => {
    const at = arg.indexOf('=');
    return { label: arg.slice(0, at), file: require('node:path').resolve(arg.slice(at + 1)), samples: [] };
  });
  for (let round = 0; round < ROUNDS; round++) {
    for (const build of builds) build.samples.push(Number(execFileSync(process.execPath, [__filename, '--child', build.file])));
  }
  for (const { label, samples } of builds) {
    const sorted = samples.sort((a, b) => a - b);
    console.log(`${label.padEnd(12)} ${sorted[ROUNDS >> 1].toFixed(0)} ns/request (median of ${ROUNDS}; min ${sorted[0].toFixed(0)}, max ${sorted[ROUNDS - 1].toFixed(0)})`);
  }
}
