#!/usr/bin/env node
'use strict';
// Runs the original library's own examples (its `src/examples/*.ts`) as plain Node
// scripts, once against the original and once against this package, each against the
// bundled Bedrock emulator reached through AWS_ENDPOINT_URL (no clientConfig.endpoint),
// and compares what they print.
//
//   node scripts/run-original-examples.js EXAMPLES_DIR [options]
//
//   EXAMPLES_DIR            the original's src/examples (read at run time, never stored here)
//   --original DIR          the original's work tree, built in a temporary copy with
//                           `npm install` + `tsc` (default: the tree holding EXAMPLES_DIR)
//   --original-build DIR    an already built original (dist/ and node_modules/) to reuse
//   --only 01,07            run only the examples whose names start with these
//   --force-js-sdk          run this package with `transport: 'js-sdk'` (a preloaded
//                           wrapper of createMultiplexer): a check of the harness itself
//                           while the native client does not read AWS_ENDPOINT_URL
//   --keep                  keep the temporary directory (its path is printed)
//   --verbose               print both outputs of every example
//
// Each example is transpiled (TypeScript, transpile only); the only change to its code
// is the module specifier of its imports of the library: 'bedrock-model-multiplexer'
// stays, and relative imports of the library's own modules ('../index',
// '../classifiers/…', '../types') become 'bedrock-model-multiplexer'. Type-only imports
// disappear in the transpilation. Both runs happen in a directory laid out like the
// original's repository (src/examples/, models/), whose node_modules links
// 'bedrock-model-multiplexer' to the library under test and 'dotenv' to the original's.
//
// Same conditions on both sides: a fresh emulator per run (with the behaviours of
// EMULATOR_BEHAVIORS below), AWS_REGION=us-east-1 and the emulator's static keys in
// the environment, no AWS profile, and Math.random seeded identically (the examples
// route by weighted random choice; both libraries draw from Math.random).
//
// Compared: exit code, whether the process exited by itself, the number of requests the
// emulator received, that this package sent them natively (unless --force-js-sdk), and
// stdout and stderr with times, latencies and ids masked (see mask()); Node's process
// warnings are off on both sides (--no-warnings). Reported besides: which SDK sent the requests (by user agent:
// aws-sdk-rust = the native client, aws-sdk-js = the JS SDK) and whether every
// signature verified. Exit status 0 when every example matched.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const ts = require('typescript');
const { startEmulator, EMULATOR_CREDENTIALS } = require(path.join(ROOT, 'testing'));

/** Longest an example may run before it counts as hanging. */
const EXAMPLE_LIMIT_MS = 120_000;

/**
 * Emulator behaviours per example (by file-name prefix), to let an example show what it
 * is about; the same on both sides. Unlisted examples get the default: every model
 * answers, echoing the prompt.
 */
const EMULATOR_BEHAVIORS = {
  // The first primary throttles on the default tier and answers at the priority tier:
  // part 1 fails over to another model, part 2 escalates the tier and succeeds.
  '03': { 'amazon.nova-2-lite-v1:0': { fault: 'throttle', faultTiers: ['default'] } },
  // Latencies of half a second, so the timeout it derives (2.5 × p99) passes validation
  // (>= 1000 ms) and the example reaches its tuned multiplexer.
  '06': { 'amazon.nova-2-lite-v1:0': { latencyMs: 500 }, 'amazon.nova-pro-v1:0': { latencyMs: 500 } },
};

/** What each example can and cannot show against the emulator. */
const NOTES = {
  '09': 'X-Ray: the tracer runs (no daemon, so no segment leaves the process); compared: its console output',
  '10': "Part A runs the classifier on this repository's test model (copied to models/refusal_classifier.onnx " +
    'for both sides; the original ships no model file); Part B answers are echoes, so refusals are whatever ' +
    'the classifier makes of the echoed prompts, the same on both sides',
  '11': 'credential providers: the example builds multiplexers with provider chains but the imports are ' +
    'commented out in the original; compared: its console output',
};

function parseArgs(argv) {
  const args = { only: null, forceJsSdk: false, keep: false, verbose: false };
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--original') args.original = argv[++i];
    else if (arg === '--original-build') args.originalBuild = argv[++i];
    else if (arg === '--only') args.only = argv[++i].split(',');
    else if (arg === '--force-js-sdk') args.forceJsSdk = true;
    else if (arg === '--keep') args.keep = true;
    else if (arg === '--verbose') args.verbose = true;
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else rest.push(arg);
  }
  if (rest.length !== 1) throw new Error('usage: node scripts/run-original-examples.js EXAMPLES_DIR [options]');
  args.examples = path.resolve(rest[0]);
  args.original = path.resolve(args.original ?? path.join(args.examples, '..', '..'));
  return args;
}

/** Runs a command to its end; rejects with its output when it fails. */
function run(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed (${code}):\n${output.slice(-3000)}`)),
    );
  });
}

/** The original built in a copy of its tree: npm install (no CUDA download), then tsc. */
async function buildOriginal(source, work) {
  const target = path.join(work, 'original');
  fs.cpSync(source, target, {
    recursive: true,
    filter: (file) => !/[/\\](node_modules|dist|\.git)$/.test(file),
  });
  const env = { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' };
  log(`building the original in ${target} (npm install, tsc)`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: target, env });
  await run(process.execPath, [path.join(target, 'node_modules', 'typescript', 'bin', 'tsc')], { cwd: target });
  return target;
}

/** The library's own modules, as the examples import them relatively. */
const LIBRARY_SPECIFIER = /^(bedrock-model-multiplexer|\.\.\/(index|types|classifiers\/[\w-]+|core\/[\w-]+|utils\/[\w-]+))$/;

/** The example as CommonJS, its library imports pointed at the package. */
function transpile(source) {
  let rewritten = 0;
  const rewriteImports = (context) => (file) => {
    const visit = (node) => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        if (LIBRARY_SPECIFIER.test(node.moduleSpecifier.text)) {
          rewritten++;
          const specifier = ts.factory.createStringLiteral('bedrock-model-multiplexer');
          return ts.isImportDeclaration(node)
            ? ts.factory.updateImportDeclaration(node, node.modifiers, node.importClause, specifier, node.attributes)
            : ts.factory.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause, specifier, node.attributes);
        }
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitNode(file, visit);
  };
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    transformers: { before: [rewriteImports] },
  });
  return { code: outputText, rewritten };
}

/** A directory laid out like the original's repository, with `library` as the package. */
function prepareRunDirectory(dir, library, originalBuild, examples) {
  fs.mkdirSync(path.join(dir, 'src', 'examples'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules'), { recursive: true });
  fs.symlinkSync(library, path.join(dir, 'node_modules', 'bedrock-model-multiplexer'), 'dir');
  fs.symlinkSync(path.join(originalBuild, 'node_modules', 'dotenv'), path.join(dir, 'node_modules', 'dotenv'), 'dir');
  fs.copyFileSync(path.join(ROOT, '__test__', 'fixtures', 'refusal-classifier.onnx'), path.join(dir, 'models', 'refusal_classifier.onnx'));
  for (const { name, code } of examples) fs.writeFileSync(path.join(dir, 'src', 'examples', `${name}.js`), code);
}

/** Preloaded into every run: Math.random as a seeded generator (mulberry32). */
const SEEDED_RANDOM = `'use strict';
let state = 0x2f6b3c1d;
Math.random = function random() {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
`;

/** Preloaded with --force-js-sdk: this package's multiplexers take the JS SDK path. */
const FORCE_JS_SDK = `'use strict';
const library = require(require.resolve('bedrock-model-multiplexer', { paths: [process.cwd()] }));
const createMultiplexer = library.createMultiplexer;
library.createMultiplexer = (models, options = {}) => createMultiplexer(models, { ...options, transport: 'js-sdk' });
`;

/** The environment of every run: the emulator through AWS_ENDPOINT_URL, its keys, no profile. */
function exampleEnvironment(endpoint) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && key !== 'NODE_OPTIONS') env[key] = value;
  }
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    // Shared config files that do not exist: no profile of this machine leaks in.
    AWS_CONFIG_FILE: path.join(os.tmpdir(), 'bmm-examples-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(os.tmpdir(), 'bmm-examples-no-aws-credentials'),
  };
}

/** One example in one run directory, against its own emulator. */
async function runExample(runDir, name, preloads) {
  const emulator = startEmulator();
  for (const [modelId, behavior] of Object.entries(EMULATOR_BEHAVIORS[name.slice(0, 2)] ?? {})) {
    emulator.setBehavior(modelId, behavior);
  }
  // --no-warnings: Node's process warnings differ by SDK version, not by library (the
  // original pins @aws-sdk 3.1006; later versions warn about Node < 22 on first send).
  const args = ['--no-warnings', ...preloads.flatMap((file) => ['-r', file]), path.join(runDir, 'src', 'examples', `${name}.js`)];
  const child = spawn(process.execPath, args, { cwd: runDir, env: exampleEnvironment(emulator.endpoint), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let hung = false;
  const killer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, EXAMPLE_LIMIT_MS);
  const code = await new Promise((resolve) => child.on('close', (exitCode, signal) => resolve(exitCode ?? signal)));
  clearTimeout(killer);
  const requests = emulator.requests();
  await emulator.stop();
  const agents = new Set(requests.map(({ headers }) => sdkOf(headers['user-agent'] ?? '')));
  return {
    code,
    hung,
    stdout,
    stderr,
    requests: requests.length,
    sdk: [...agents].sort().join('+') || '-',
    signaturesVerified: requests.every((r) => r.signatureVerified),
  };
}

function sdkOf(userAgent) {
  if (userAgent.includes('aws-sdk-rust')) return 'native';
  if (userAgent.includes('aws-sdk-js')) return 'js-sdk';
  return 'other';
}

/**
 * What may differ between two runs of the same program: times and latencies, UUIDs,
 * the time in request ids, stack frames, the absolute paths of the two run directories.
 */
function mask(text, runDir) {
  return text
    .split(runDir).join('<run>')
    .replace(/^\s+at .*\n/gm, '') // stack frames: the two implementations' internals
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\breq_\d+_/g, 'req_<time>_') // request ids: Date.now() and a (seeded) random suffix
    .replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g, '<time>')
    .replace(/(?<![\d,.])-?\d+(\.\d+)?(\s?)ms\b/g, '<n>$2ms')
    .replace(/(latency|Latency|time|Time|uptime|Uptime|p50|p95|p99|P50|P95|P99|Avg|avg)([^:\n]{0,30}):\s*-?\d+(\.\d+)?/g, '$1$2: <n>');
}

function log(message) {
  process.stderr.write(`[examples] ${message}\n`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bmm-examples-'));
  try {
    const originalBuild = args.originalBuild ? path.resolve(args.originalBuild) : await buildOriginal(args.original, work);
    const names = fs
      .readdirSync(args.examples)
      .filter((file) => file.endsWith('.ts'))
      .map((file) => file.slice(0, -3))
      .filter((name) => !args.only || args.only.some((prefix) => name.startsWith(prefix)))
      .sort();
    const examples = names.map((name) => ({ name, ...transpile(fs.readFileSync(path.join(args.examples, `${name}.ts`), 'utf8')) }));

    const sides = { original: path.join(work, 'run-original'), package: path.join(work, 'run-package') };
    prepareRunDirectory(sides.original, originalBuild, originalBuild, examples);
    prepareRunDirectory(sides.package, ROOT, originalBuild, examples);
    const seeded = path.join(work, 'seeded-random.js');
    fs.writeFileSync(seeded, SEEDED_RANDOM);
    const forceJs = path.join(work, 'force-js-sdk.js');
    fs.writeFileSync(forceJs, FORCE_JS_SDK);

    let matched = 0;
    const rows = [];
    for (const { name, rewritten } of examples) {
      const original = await runExample(sides.original, name, [seeded]);
      const ours = await runExample(sides.package, name, args.forceJsSdk ? [seeded, forceJs] : [seeded]);
      const differences = [];
      if (original.code !== ours.code) differences.push(`exit ${original.code} vs ${ours.code}`);
      if (original.hung || ours.hung) differences.push(`hung: original ${original.hung}, package ${ours.hung}`);
      if (original.requests !== ours.requests) differences.push(`${original.requests} vs ${ours.requests} requests`);
      // Without --force-js-sdk, this package's requests must go through its native client.
      if (!args.forceJsSdk && ours.requests > 0 && ours.sdk !== 'native') differences.push(`package requests sent by ${ours.sdk}, not the native client`);
      for (const stream of ['stdout', 'stderr']) {
        const a = mask(original[stream], sides.original);
        const b = mask(ours[stream], sides.package);
        if (a !== b) differences.push(`${stream} differs at line ${firstDifferentLine(a, b)}`);
      }
      if (!differences.length) matched++;
      rows.push({ name, rewritten, original, ours, differences });
      const side = (r) => `exit ${r.code}${r.hung ? ' (hung)' : ''}, ${r.requests} requests (${r.sdk})${r.signaturesVerified ? '' : ' UNSIGNED'}`;
      console.log(`${differences.length ? 'DIFFERS' : 'same   '} ${name}: original ${side(original)}; package ${side(ours)}`);
      if (differences.length) console.log(`        ${differences.join('; ')}`);
      if (NOTES[name.slice(0, 2)]) console.log(`        note: ${NOTES[name.slice(0, 2)]}`);
      if (args.verbose || differences.length) printBoth(original, ours, sides, args.verbose);
    }
    console.log(`\n${matched} of ${examples.length} examples behave the same${args.forceJsSdk ? ' (package forced onto its JS SDK path)' : ''}`);
    process.exitCode = matched === examples.length ? 0 : 1;
  } finally {
    if (args.keep) log(`kept ${work}`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
}

function firstDifferentLine(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  let i = 0;
  while (i < left.length && left[i] === right[i]) i++;
  return `${i + 1}: ${JSON.stringify(left[i] ?? '<end>')} vs ${JSON.stringify(right[i] ?? '<end>')}`;
}

function printBoth(original, ours, sides, everything) {
  for (const stream of ['stdout', 'stderr']) {
    const a = mask(original[stream], sides.original);
    const b = mask(ours[stream], sides.package);
    if (!everything && a === b) continue;
    console.log(`  --- original ${stream} (masked)\n${indent(a)}\n  --- package ${stream} (masked)\n${indent(b)}`);
  }
}

const indent = (text) => text.replace(/^/gm, '    ');

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exitCode = 2;
});
