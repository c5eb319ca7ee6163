#!/usr/bin/env node
'use strict';
// The original's own AWS integration suite (src/__tests__/integration.test.ts of
// aws-samples/sample-bedrock-model-routing), unchanged, against this package and the
// bundled emulator — set up the way a user aims an SDK at a local endpoint: AWS_ENDPOINT_URL,
// AWS_REGION and static keys in the environment, no clientConfig.endpoint. Then checks that
// every request the emulator received came from the Rust SDK (the native client) with a
// valid SigV4 signature.
//
//   node scripts/original-integration.js CONFORMANCE_RUN_SH ORIGINAL_REPO_DIR
//
// CONFORMANCE_RUN_SH: the conformance harness (../shared/conformance/run.sh here), which packs
// this package, copies the original's test file into a temporary project at run time and
// runs it with jest. Nothing of the original is stored in this repository. Build the addon
// first (npm run build). Exit status 0 only if the suite passed and every check held.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator, EMULATOR_CREDENTIALS } = require('../testing');

const SUITE = 'integration.test.ts';
/** Bedrock rejects model ids it does not know; the suite's error tests rely on that. */
const UNKNOWN_MODELS = ['invalid.model.id', 'invalid.model.definitely.not.real'];

function fail(message) {
  process.stderr.write(`original-integration: ${message}\n`);
  process.exit(2);
}

async function main() {
  const [runSh, origDir] = process.argv.slice(2);
  if (!runSh || !origDir) fail('usage: node scripts/original-integration.js CONFORMANCE_RUN_SH ORIGINAL_REPO_DIR');
  if (!fs.existsSync(runSh)) fail(`NOT RUN: the conformance harness ${runSh} does not exist`);
  const testsDir = path.join(origDir, 'src', '__tests__');
  if (!fs.existsSync(path.join(testsDir, SUITE))) fail(`NOT RUN: the original's ${SUITE} is not in ${testsDir}`);

  const emulator = startEmulator();
  for (const modelId of UNKNOWN_MODELS) emulator.setBehavior(modelId, { fault: 'validationError' });
  // Empty shared files: the caller's own ~/.aws must not steer the run.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'original-integration-'));
  const emptyFile = path.join(scratch, 'empty');
  fs.writeFileSync(emptyFile, '');
  const others = fs.readdirSync(testsDir).filter((f) => f.endsWith('.test.ts') && f !== SUITE);

  const env = {
    ...process.env,
    EXCLUDE: others.join(' '),
    KEEP_AWS_ENV: '1',
    AWS_ENDPOINT_URL: emulator.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_CONFIG_FILE: emptyFile,
    AWS_SHARED_CREDENTIALS_FILE: emptyFile,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of ['AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME']) delete env[name];

  const harnessStatus = await new Promise((resolve) => {
    const child = spawn('bash', [runSh, path.resolve(__dirname, '..'), origDir], { env, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('close', (code) => resolve(code));
  });

  const received = emulator.requests();
  await emulator.stop();
  fs.rmSync(scratch, { recursive: true, force: true });

  const notRust = received.filter((r) => !String(r.headers['user-agent'] ?? '').startsWith('aws-sdk-rust/'));
  const unsigned = received.filter((r) => !r.signatureVerified);
  const checks = [
    [`harness passed (exit ${harnessStatus})`, harnessStatus === 0],
    [`requests reached the emulator: ${received.length}`, received.length > 0],
    [`sent by the Rust SDK (native client): ${received.length - notRust.length}/${received.length}`, notRust.length === 0],
    [`valid SigV4 signatures: ${received.length - unsigned.length}/${received.length}`, unsigned.length === 0],
  ];
  for (const [label, ok] of checks) process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${label}\n`);
  process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
}

main().catch((error) => fail(String(error?.stack ?? error)));
