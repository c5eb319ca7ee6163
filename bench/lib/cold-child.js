'use strict';
// One cold start, in a process of its own: `node cold-child.js SUBJECT ENDPOINT [PACKAGE_DIR]`.
// Measures what a one-shot script or a Lambda cold start pays before its first answer:
// loading the package, creating the client, and the first request (its TLS handshake
// included), as wall time and as this process's CPU (all threads). Prints one JSON line.
//
// Subjects: `raw-sdk` (BedrockRuntimeClient + ConverseCommand), `multiplexer` (this
// package, its default transport) and `original` (the original package, built, at
// PACKAGE_DIR). Each is given the same clientConfig and request as the bench clients.

const { performance } = require('node:perf_hooks');

// Node's own start-up, before this script's first line: the same for every subject.
const bootMs = performance.now();
const { ROOT, MODEL, messages, clientConfig } = require('../clients/common');

const [subject, endpoint, packageDir] = process.argv.slice(2);
const models = [{ modelId: MODEL, weight: 1, isFallback: false }];

/** How each subject loads, creates its client and sends its first request. */
const SUBJECTS = {
  'raw-sdk': {
    load: () => require(require.resolve('@aws-sdk/client-bedrock-runtime', { paths: [ROOT] })),
    create: (sdk) => ({ sdk, client: new sdk.BedrockRuntimeClient(clientConfig(endpoint)) }),
    send: ({ sdk, client }) => client.send(new sdk.ConverseCommand({ modelId: MODEL, messages: messages(0) })),
    close: ({ client }) => client.destroy(),
  },
  multiplexer: {
    load: () => require(ROOT),
    create: (pkg) => pkg.createMultiplexer(models, { clientConfig: clientConfig(endpoint) }),
    send: (mux) => mux.processRequest({ messages: messages(0) }),
    close: (mux) => mux.destroy(),
  },
  original: {
    load: () => require(packageDir),
    create: (pkg) => pkg.createMultiplexer(models, { clientConfig: clientConfig(endpoint) }),
    send: (mux) => mux.processRequest({ messages: messages(0) }),
    close: (mux) => mux.destroy?.(),
  },
};

/** Wall milliseconds and CPU milliseconds (user + system) of one step. */
async function step(fn) {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, wallMs: performance.now() - t, cpuMs: (used.user + used.system) / 1000 };
}

async function main() {
  const spec = SUBJECTS[subject];
  if (!spec) throw new Error(`unknown subject ${subject}`);
  const load = await step(spec.load);
  const create = await step(() => spec.create(load.value));
  const first = await step(() => spec.send(create.value));
  await spec.close(create.value);
  const out = {
    subject,
    loadMs: load.wallMs,
    loadCpuMs: load.cpuMs,
    createMs: create.wallMs,
    createCpuMs: create.cpuMs,
    firstRequestMs: first.wallMs,
    firstRequestCpuMs: first.cpuMs,
    totalMs: load.wallMs + create.wallMs + first.wallMs,
    totalCpuMs: load.cpuMs + create.cpuMs + first.cpuMs,
    bootMs,
  };
  // No process.exit: a one-shot script must end by itself once its client is closed,
  // and the parent's wall time (spawn to exit) shows it if it does not.
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error) => {
  process.exitCode = 1;
  process.stdout.write(`${JSON.stringify({ subject, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` })}\n`, () => process.exit());
});
