'use strict';
// The cold-start phase: each subject (raw JS SDK, this package, and the original when a
// built copy is given with --original DIR) started in fresh processes, one after another,
// against the TLS emulator; medians of the samples. A subject's process is spawned with
// the CA to trust in NODE_EXTRA_CA_CERTS, as a user's would be.

const path = require('node:path');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { median, ratio } = require('./summary');

const CHILD = path.join(__dirname, 'cold-child.js');

/** One fresh process; resolves with its JSON line plus the wall time from spawn to exit. */
function coldRun(subject, endpoint, { caFile, packageDir, timeoutMs = 60_000 }) {
  return new Promise((resolve) => {
    const started = performance.now();
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: caFile, NODE_NO_WARNINGS: '1' };
    const child = spawn(process.execPath, [CHILD, subject, endpoint, ...(packageDir ? [packageDir] : [])], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const processMs = performance.now() - started;
      let parsed = null;
      try {
        parsed = JSON.parse(out.trim().split('\n').pop());
      } catch {
        // reported below
      }
      if (parsed && !parsed.error && code === 0) resolve({ ok: true, result: { ...parsed, processMs } });
      else resolve({ ok: false, error: parsed?.error ?? `exit ${code ?? signal}${signal === 'SIGKILL' ? ' (did not exit within the time bound)' : ''}: ${err.trim().split('\n').slice(-3).join(' ')}` });
    });
  });
}

const FIELDS = ['bootMs', 'loadMs', 'loadCpuMs', 'createMs', 'createCpuMs', 'firstRequestMs', 'firstRequestCpuMs', 'totalMs', 'totalCpuMs', 'processMs'];

/**
 * Runs `samples` cold starts per subject, interleaved (subject order rotated each round)
 * so a noisy moment hits them alike; returns per subject the medians and any error.
 */
async function coldStarts(endpoint, { caFile, original, samples, log }) {
  const subjects = [
    { id: 'raw-sdk', name: 'raw JS SDK' },
    { id: 'original', name: 'the original (TypeScript)', packageDir: original, pending: original ? null : 'not measured: pass --original DIR (a built checkout of the original)' },
    { id: 'multiplexer', name: 'this package (native transport)' },
  ];
  const results = new Map(subjects.map((s) => [s.id, { ...s, runs: [], errors: [] }]));
  const runnable = subjects.filter((s) => !s.pending);
  for (let round = 0; round < samples; round++) {
    for (let k = 0; k < runnable.length; k++) {
      const s = runnable[(k + round) % runnable.length];
      const answer = await coldRun(s.id, endpoint, { caFile, packageDir: s.packageDir });
      const entry = results.get(s.id);
      if (answer.ok) entry.runs.push(answer.result);
      else entry.errors.push(answer.error);
      if (!answer.ok) log(`  cold start ${s.id}: ERROR ${answer.error}`);
    }
  }
  return [...results.values()].map((r) => {
    const medians = {};
    for (const f of FIELDS) medians[f] = median(r.runs.map((x) => x[f]).filter((v) => typeof v === 'number'));
    return { id: r.id, name: r.name, pending: r.pending, samples: r.runs.length, errors: r.errors, ...medians };
  });
}

const ms = (v) => (v == null ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1));
const x = (v) => (v == null ? '—' : `${v.toFixed(2)}×`);

/** The cold-start table: medians per subject, and the total against the raw SDK's and the original's. */
function renderColdStarts(rows, { samples }) {
  const raw = rows.find((r) => r.id === 'raw-sdk');
  const original = rows.find((r) => r.id === 'original');
  const lines = [
    `## Cold start over TLS (fresh processes, medians of ${samples})`,
    '',
    "Each sample is a new Node process trusting the emulator's test CA through NODE_EXTRA_CA_CERTS: load the package, create the client (`createMultiplexer(models, { clientConfig })`, or `new BedrockRuntimeClient(clientConfig)`), send the first Converse request (connection and TLS handshake included). Wall time and CPU (user + system, all threads) of each step; total = load + create + first request; process = spawn to exit, Node's own start-up and exit included.",
    '',
    '| subject | load ms | create ms | first request ms (CPU ms) | total ms | total vs raw SDK | total vs original | total CPU ms | process ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    if (r.pending || r.samples === 0) {
      lines.push(`| ${r.name} | ${r.pending ?? `error: ${r.errors[0] ?? 'not run'}`} | | | | | | | |`);
      continue;
    }
    lines.push(
      `| ${r.name} | ${ms(r.loadMs)} | ${ms(r.createMs)} | ${ms(r.firstRequestMs)} (${ms(r.firstRequestCpuMs)}) | ${ms(r.totalMs)} | ${x(ratio(r.totalMs, raw?.totalMs))} | ${x(ratio(r.totalMs, original?.totalMs))} | ${ms(r.totalCpuMs)} | ${ms(r.processMs)} |`,
    );
  }
  lines.push('');
  return lines;
}

module.exports = { coldStarts, renderColdStarts };
