#!/usr/bin/env node
'use strict';
// npm run bench: the clients of bench/clients/ side by side against the Bedrock emulator
// in one run — throughput, client CPU per request, latency and peak RSS at C=1/64/512,
// the same over TLS (handshakes per request too), a failover mix, ConverseStream
// (events/s, time to first event, CPU per event) at C=16, cold starts in fresh processes,
// getStats()/getHealthStatus() cost, and RSS over 200k requests.
// Prints a markdown table and writes JSON (every repetition) + markdown to bench/results/.
//
//   node bench/run.js [--quick] [--clients a,b] [--reps N] [--window-ms N]
//                     [--emulator-threads N] [--no-verify] [--skip-stream] [--skip-soak]
//                     [--stream-concurrency 1,16] [--rebuild-emulator] [--only-hedging]
//                     [--skip-tls] [--tls-reps N] [--skip-cold] [--cold-samples N] [--original DIR]
//   node bench/run.js --profile b [--profile-ms N] [--profile-failover]   # one C=64 run under node --cpu-prof
//
// Everything targets the emulator on 127.0.0.1; every loop is bounded in time and count.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const emulator = require('./lib/emulator');
const { runChild, killAll } = require('./lib/fork');
const { runTlsGrid } = require('./lib/tls-phase');
const { coldStarts } = require('./lib/cold-start');
const { summarize, render, hedgingTable } = require('./lib/report');
const { selfTimes } = require('./lib/profile');
const { FAILOVER_MODELS, THROTTLED, STREAM, HEDGING } = require('./clients/common');

const RESULTS = path.join(__dirname, 'results');
const CLIENTS_DIR = path.join(__dirname, 'clients');

// The probes of clients (c) and (b) construct multiplexers, which load the AWS SDK and
// its Node-version warning; that one is noise, any other warning is printed.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!String(w.message).includes('NodeVersionSupportWarning')) process.stderr.write(`${w.name}: ${w.message}\n`);
});

function parseArgs(argv) {
  const o = {
    reps: 3,
    windowMs: 3000,
    warmupRequests: 300,
    warmupMs: 1500, // the JIT needs about a second of traffic before CPU/request settles
    warmupMaxMs: 15_000,
    concurrency: [1, 64, 512],
    failoverConcurrency: 64,
    streamConcurrency: [16],
    soakConcurrency: 64,
    soakWarmup: 20_000,
    // And at least this long: at 10k req/s V8 keeps growing its young generation for
    // ~40k requests, which a count alone would have measured as RSS growth.
    soakWarmupMs: 5_000,
    soakRequests: 200_000,
    soakEvery: 10_000,
    statsCalls: 10_000,
    statsReps: 3,
    emulatorThreads: 1,
    verify: true,
    skipStream: false,
    skipSoak: false,
    // The TLS grid has as many rows as the plain one; it gets fewer repetitions so the
    // whole command stays under 10 minutes.
    skipTls: false,
    tlsReps: 2,
    skipCold: false,
    coldSamples: 5,
    // A built checkout of the original (its dist/ and node_modules/), for the cold-start row.
    original: null,
    rebuild: false,
    clients: null,
    onlyHedging: false,
    profile: null,
    profileMs: 10_000,
    profileFailover: false,
    // The whole bench must stay under 10 minutes; soaks get what is left of this budget.
    budgetMs: 570_000,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const int = (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${a}: expected a positive integer, got ${v}`);
      return n;
    };
    if (a === '--quick') Object.assign(o, { reps: 1, tlsReps: 1, coldSamples: 2, windowMs: 1000, warmupMs: 500, soakWarmup: 2000, soakWarmupMs: 500, soakRequests: 20_000, soakEvery: 2000, statsCalls: 1000 });
    else if (a === '--reps') o.reps = int(next());
    else if (a === '--window-ms') o.windowMs = int(next());
    else if (a === '--emulator-threads') o.emulatorThreads = int(next());
    else if (a === '--no-verify') o.verify = false;
    else if (a === '--skip-stream') o.skipStream = true;
    else if (a === '--stream-concurrency') o.streamConcurrency = next().split(',').map(int);
    else if (a === '--skip-soak') o.skipSoak = true;
    else if (a === '--skip-tls') o.skipTls = true;
    else if (a === '--tls-reps') o.tlsReps = int(next());
    else if (a === '--skip-cold') o.skipCold = true;
    else if (a === '--cold-samples') o.coldSamples = int(next());
    else if (a === '--original') o.original = path.resolve(next());
    else if (a === '--rebuild-emulator') o.rebuild = true;
    else if (a === '--only-hedging') o.onlyHedging = true;
    else if (a === '--clients') o.clients = next().split(',');
    else if (a === '--profile') o.profile = next();
    else if (a === '--profile-ms') o.profileMs = int(next());
    else if (a === '--profile-failover') o.profileFailover = true;
    else if (a === '-h' || a === '--help') {
      console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 15).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

function machine() {
  let cpuModel = 'unknown CPU';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpuModel;
  } catch {
    // not Linux: keep "unknown"
  }
  let nproc = os.availableParallelism?.() ?? os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // nproc missing: keep Node's count
  }
  return { date: new Date().toISOString(), nproc, cpuModel, node: process.version, kernel: `${os.type()} ${os.release()}`, loadAverage: os.loadavg().map((x) => x.toFixed(2)).join(' ') };
}

/**
 * What build is being measured: git HEAD and the addon's size and mtime. Taken before
 * every child, so a rebuild in the middle of a run (others work in this tree too) shows.
 */
function buildFingerprint() {
  let head = 'unknown';
  try {
    head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: path.join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout (a packed copy): the addon's stat still tells builds apart
  }
  const root = path.join(__dirname, '..');
  const addons = fs
    .readdirSync(root)
    .filter((f) => f.endsWith('.node'))
    .map((f) => {
      const st = fs.statSync(path.join(root, f));
      return `${f}:${st.size}:${Math.round(st.mtimeMs)}`;
    });
  return `${head} ${addons.join(',') || 'no-addon'}`;
}

/** A client's probe; one that throws means "not there yet". */
function probe(fn) {
  try {
    return Boolean(fn());
  } catch {
    return false;
  }
}

/** Every client module, in file order, with its availability (and streaming) probed now. */
function loadClients(filter) {
  return fs
    .readdirSync(CLIENTS_DIR)
    .filter((f) => /^[a-z]-.*\.js$/.test(f))
    .sort()
    .map((f) => {
      const file = path.join(CLIENTS_DIR, f);
      const spec = require(file);
      const available = probe(() => spec.available());
      const streams = available && probe(() => spec.canStream?.());
      return { id: spec.id, name: spec.name, multiplexer: Boolean(spec.multiplexer), optional: Boolean(spec.optional), pendingReason: spec.pendingReason, file, available, streams };
    })
    // An optional client runs only when --clients names it.
    .filter((c) => (filter ? filter.includes(c.id) : !c.optional));
}

/** Rotates the client order each repetition, so no client always runs first. */
function rotate(list, by) {
  if (list.length === 0) return list;
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

async function main() {
  const t0 = Date.now();
  const o = parseArgs(process.argv.slice(2));
  const header = machine();
  console.log(`bench: ${header.date} — nproc ${header.nproc}, ${header.cpuModel}, node ${header.node}, load average ${header.loadAverage}`);
  if (os.loadavg()[0] > 0.5 * header.nproc) console.log('warning: the machine is already busy; figures will be noisy (see the "other CPU" column)');

  const { bin, builtMs } = emulator.ensureBinary({ rebuild: o.rebuild });
  const emu = await emulator.start({ bin, threads: o.emulatorThreads, verify: o.verify });
  const needsTls = !o.profile && !o.onlyHedging && (!o.skipTls || !o.skipCold);
  const tlsEmu = needsTls ? await emulator.start({ bin, threads: o.emulatorThreads, verify: o.verify, tls: true }) : null;
  const cleanup = () => {
    killAll();
    emu.killNow();
    tlsEmu?.killNow();
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => {
      console.error(`\n${sig}: stopping the children and the emulator`);
      cleanup();
      process.exit(130);
    });
  }
  console.log(`emulator: ${bin} (pid ${emu.pid}) at ${emu.endpoint}${tlsEmu ? ` and ${tlsEmu.endpoint} (pid ${tlsEmu.pid})` : ''}${builtMs ? `, built in ${(builtMs / 1000).toFixed(0)} s` : ''}`);

  try {
    if (o.profile) await profile(o, emu);
    else if (o.onlyHedging) await onlyHedging(o, emu);
    else await bench(o, emu, tlsEmu, header, t0, builtMs);
  } finally {
    await emu.stop();
    await tlsEmu?.stop();
  }
}

function loadJob(o, emu, client, concurrency, extra = {}) {
  return {
    kind: 'load',
    clientFile: client.file,
    endpoint: emu.endpoint,
    emulatorPid: emu.pid,
    concurrency,
    warmupRequests: Math.max(o.warmupRequests, 2 * concurrency),
    warmupMs: o.warmupMs,
    warmupMaxMs: o.warmupMaxMs,
    windowMs: o.windowMs,
    ...extra,
  };
}

const loadTimeout = (o) => o.warmupMaxMs + o.windowMs + 60_000;

async function bench(o, emu, tlsEmu, header, t0, builtMs) {
  const clients = loadClients(o.clients);
  for (const c of clients) console.log(`client ${c.name}: ${c.available ? `available${c.streams ? '' : ', no streaming'}` : c.pendingReason}`);
  const ready = clients.filter((c) => c.available);
  const runs = [];
  let build = buildFingerprint();
  header.build = build;
  const child = (job, timeoutMs, env) => {
    build = buildFingerprint();
    return runChild(job, timeoutMs, [], env);
  };
  const record = (run, answer) => {
    runs.push({ ...run, build, ok: answer.ok, ...(answer.ok ? { result: answer.result } : { error: answer.error }) });
    const r = answer.result;
    const what = `${run.phase} ${run.client} C=${run.concurrency} rep ${run.rep + 1}`;
    if (!answer.ok) console.log(`  ${what}: ERROR ${answer.error}`);
    else if (run.phase === 'stream')
      console.log(
        `  ${what}: ${Math.round(r.reqPerSec)} streams/s, ${Math.round(r.eventsPerSec)} events/s (${r.eventsPerStream?.toFixed(1)}/stream), first event p50 ${r.firstEventP50Ms?.toFixed(2)} ms p99 ${r.firstEventP99Ms?.toFixed(2)} ms, ${Math.round(r.cpuUsPerReq)} µs CPU/stream, ${r.cpuUsPerEvent?.toFixed(1)} µs CPU/event, RSS ${Math.round(r.peakRssMB)} MB, emulator ${Math.round(r.emulatorCpuPct ?? 0)}%, other ${Math.round(r.otherCpuPct ?? 0)}%${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}`,
      );
    else if (run.phase !== 'soak')
      console.log(
        `  ${what}: ${Math.round(r.reqPerSec)} req/s, ${Math.round(r.cpuUsPerReq)} µs CPU/req, p50 ${r.p50Ms?.toFixed(2)} ms, p99 ${r.p99Ms?.toFixed(2)} ms, RSS ${Math.round(r.peakRssMB)} MB, emulator ${Math.round(r.emulatorCpuPct ?? 0)}%, other ${Math.round(r.otherCpuPct ?? 0)}%${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}`,
      );
  };

  // 1. Throughput grid: repetition-major, then concurrency, then clients (rotated), so
  //    the runs compared with each other are close together in time.
  console.log(`\n1. throughput: ${ready.length} clients × C=${o.concurrency.join('/')} × ${o.reps} repetitions`);
  for (let rep = 0; rep < o.reps; rep++) {
    for (const C of o.concurrency) {
      for (const c of rotate(ready, rep)) {
        record({ phase: 'load', client: c.id, concurrency: C, rep }, await child(loadJob(o, emu, c, C), loadTimeout(o)));
      }
    }
  }

  if (!o.skipTls) {
    await runTlsGrid({
      emu: tlsEmu,
      clients,
      concurrency: o.concurrency,
      reps: o.tlsReps,
      job: (c, C) => loadJob(o, tlsEmu, c, C),
      child,
      record,
      timeoutMs: loadTimeout(o),
      rotate,
      log: console.log,
    });
  }

  // 2. Failover mix: one of three models throttles every request.
  const muxes = ready.filter((c) => c.multiplexer);
  console.log(`\n2. failover mix: ${muxes.length} multiplexer clients × ${o.reps} repetitions, ${THROTTLED} throttles`);
  await emu.setBehavior(THROTTLED, { fault: 'throttle' });
  for (let rep = 0; rep < o.reps; rep++) {
    for (const c of rotate(muxes, rep)) {
      const job = loadJob(o, emu, c, o.failoverConcurrency, { failover: true, models: FAILOVER_MODELS });
      record({ phase: 'failover', client: c.id, concurrency: o.failoverConcurrency, rep }, await child(job, loadTimeout(o)));
    }
  }
  await emu.resetBehaviors();

  // 2b. Hedging: client (c) on a long-tailed model, without and with `hedging`.
  const hedger = ready.find((c) => c.id === 'c');
  if (hedger) await hedgingRows(o, emu, hedger, child, record);

  // 3. Streaming: whole ConverseStream calls of STREAM.events events each, same order as 1.
  //    Before the soaks, whose budget is whatever time is left.
  if (!o.skipStream) {
    const streamers = ready.filter((c) => c.streams);
    console.log(`\n3. streaming: ${streamers.length} clients × C=${o.streamConcurrency.join('/')} × ${o.reps} repetitions, ${STREAM.events} events per stream`);
    await emu.setBehavior(STREAM.modelId, STREAM.behavior);
    for (let rep = 0; rep < o.reps; rep++) {
      for (const C of o.streamConcurrency) {
        for (const c of rotate(streamers, rep)) {
          const job = loadJob(o, emu, c, C, { kind: 'stream', models: STREAM.models, expectedEvents: STREAM.events });
          record({ phase: 'stream', client: c.id, concurrency: C, rep }, await child(job, loadTimeout(o)));
        }
      }
    }
    await emu.resetBehaviors();
  }

  // Cold starts: short, and before the soaks, whose budget is whatever time is left.
  let cold = [];
  if (!o.skipCold) {
    console.log(`\ncold start: ${o.coldSamples} fresh processes per subject over TLS${o.original ? `, the original at ${o.original}` : ' (no --original: its row is pending)'}`);
    cold = await coldStarts(tlsEmu.endpoint, { caFile: tlsEmu.caFile, original: o.original, samples: o.coldSamples, log: console.log });
    for (const r of cold.filter((x) => x.samples)) console.log(`  ${r.id}: load ${r.loadMs.toFixed(1)} ms, create ${r.createMs.toFixed(1)} ms, first request ${r.firstRequestMs.toFixed(1)} ms (${r.firstRequestCpuMs.toFixed(1)} ms CPU), total ${r.totalMs.toFixed(1)} ms`);
  }

  // 4. Soak: RSS every 10k requests over 200k, then getStats()/getHealthStatus() timing.
  //    One run per client: at JS-SDK speed one run alone takes minutes.
  const notes = [];
  if (!o.skipSoak) {
    console.log(`\n4. soak: ${o.soakWarmup} requests and ${o.soakWarmupMs / 1000} s of warm-up, then ${o.soakRequests} requests at C=${o.soakConcurrency} per multiplexer client`);
    // Fastest first (by the C=64 throughput just measured): each soak may use what is
    // left of the budget minus a reserve for the slower ones after it, so the slowest
    // (the JS SDK path, minutes for 220k requests) runs last with all that remains.
    const rate = (c) => summarize(runs, 'load').find((s) => s.client === c.id && s.concurrency === o.soakConcurrency)?.reqPerSec ?? 500;
    const need = (c) => (Math.max(o.soakWarmup / rate(c), o.soakWarmupMs / 1000) + o.soakRequests / rate(c)) * 1000 * 1.2 + 15_000;
    const order = [...muxes].sort((x, y) => rate(y) - rate(x));
    for (const [k, c] of order.entries()) {
      // From the very start, a first build of the emulator included: the whole command
      // must finish within 10 minutes.
      const left = o.budgetMs - (Date.now() - t0);
      const reserve = order.slice(k + 1).reduce((ms, later) => ms + Math.min(need(later), 120_000), 0);
      const maxMs = Math.max(20_000, Math.min(need(c), left - reserve - 10_000));
      const job = {
        kind: 'soak',
        clientFile: c.file,
        endpoint: emu.endpoint,
        concurrency: o.soakConcurrency,
        warmupRequests: o.soakWarmup,
        warmupMs: o.soakWarmupMs,
        measuredRequests: o.soakRequests,
        sampleEvery: o.soakEvery,
        maxMs,
        statsCalls: o.statsCalls,
        statsReps: o.statsReps,
      };
      const started = Date.now();
      const answer = await child(job, maxMs + 90_000);
      runs.push({ phase: 'soak', client: c.id, concurrency: o.soakConcurrency, rep: 0, build, ok: answer.ok, ...(answer.ok ? { result: answer.result } : { error: answer.error }) });
      if (answer.ok) {
        const r = answer.result;
        console.log(
          `  soak ${c.id}: ${r.completed} requests in ${((Date.now() - started) / 1000).toFixed(0)} s (bound ${Math.round(maxMs / 1000)} s), RSS growth ${r.rssGrowthMB?.toFixed(1)} MB, ${Math.round(r.cpuUsPerReq)} µs CPU/req, emulator + other processes ${Math.round(r.nonClientCpuPct ?? 0)}% of a core${r.timedOut ? ' — CUT by the time bound' : ''}`,
        );
        if (r.timedOut) notes.push(`soak ${c.id} was cut by its time bound (${Math.round(maxMs / 1000)} s) after ${r.completed} requests.`);
        if (r.recordedRequests != null && r.recordedRequests < 100_000)
          notes.push(`soak ${c.id}: only ${r.recordedRequests} requests were recorded before the getStats()/getHealthStatus() timing (wanted ≥ 100k).`);
      } else console.log(`  soak ${c.id}: ERROR ${answer.error}`);
    }
  }

  const wallMs = Date.now() - t0;
  const load = summarize(runs, 'load');
  const tls = summarize(runs, 'tls');
  const failover = summarize(runs, 'failover');
  const stream = summarize(runs, 'stream');
  const hedging = summarize(runs, 'hedging');
  const soaks = runs.filter((r) => r.phase === 'soak');
  for (const s of [...load, ...tls, ...failover, ...stream, ...hedging]) {
    const what = `${s.phase} ${s.client} C=${s.concurrency}`;
    if (s.errors) notes.push(`${what}: ${s.errors} errors in the windows, first: ${s.firstError}`);
    if (s.otherCpuPct != null && s.otherCpuPct > 15)
      notes.push(`${what}: other processes used ${Math.round(s.otherCpuPct)}% of a core during the windows (median): figures are noisy.`);
    if (s.emulatorCpuPct != null && s.emulatorCpuPct > 85 * o.emulatorThreads)
      notes.push(`${what}: the emulator was at ${Math.round(s.emulatorCpuPct)}% of its ${o.emulatorThreads} thread(s): it may be the bottleneck.`);
  }
  const builds = [...new Set(runs.map((r) => r.build))];
  if (builds.length > 1)
    notes.unshift(`**the build changed during this run** (${builds.length} builds: ${builds.join(' | ')}): medians mix builds — run again on a quiet tree.`);
  const transports = new Map();
  for (const r of runs.filter((x) => x.ok)) {
    if (!transports.has(r.client)) transports.set(r.client, new Set());
    transports.get(r.client).add(r.result.transport);
  }
  for (const [id, set] of transports) if (set.size > 1) notes.unshift(`**client ${id} ran on different transports** (${[...set].join(', ')}) within this run.`);
  if (builtMs) notes.push(`the emulator binary was built first (${(builtMs / 1000).toFixed(0)} s, included in the wall time).`);
  const config = { ...o, failoverModels: FAILOVER_MODELS.map((m) => m.modelId), stream: STREAM, hedging: HEDGING };
  const markdown = render({ header, clients, load, tls, failover, stream, hedging, cold, soaks, config, wallMs, notes });

  fs.mkdirSync(RESULTS, { recursive: true });
  const stamp = header.date.replace(/[:.]/g, '-');
  const json = JSON.stringify({ header, config, emulator: { bin: emulator.binaryPath(), pid: emu.pid, threads: o.emulatorThreads, verify: o.verify }, clients, wallMs, summary: { load, tls, failover, stream, hedging, cold }, runs }, null, 2);
  for (const name of [`bench-${stamp}`, 'latest']) {
    fs.writeFileSync(path.join(RESULTS, `${name}.json`), json);
    fs.writeFileSync(path.join(RESULTS, `${name}.md`), markdown + '\n');
  }
  console.log(`\n${markdown}`);
  console.log(`results: ${path.relative(process.cwd(), path.join(RESULTS, `bench-${stamp}.{json,md}`))}`);
}

/**
 * The hedging rows: `o.reps` repetitions of each HEDGING setting on client (c), as
 * `record`ed runs of phase 'hedging' (the setting's label in place of the client id).
 */
async function hedgingRows(o, emu, client, child, record) {
  console.log(`\nhedging: client c × ${HEDGING.settings.length} settings × ${o.reps} repetitions at C=${HEDGING.concurrency}`);
  for (const [modelId, behavior] of Object.entries(HEDGING.behaviors)) await emu.setBehavior(modelId, behavior);
  for (let rep = 0; rep < o.reps; rep++) {
    for (const setting of rotate(HEDGING.settings, rep)) {
      const job = loadJob(o, emu, client, HEDGING.concurrency, { kind: 'hedging', models: HEDGING.models, hedging: setting.hedging });
      const answer = await child(job, loadTimeout(o));
      record({ phase: 'hedging', client: setting.label, concurrency: HEDGING.concurrency, rep }, answer);
      if (answer.ok) console.log(`    extra requests ${answer.result.extraRequestPct?.toFixed(1)} %, won by a hedge ${answer.result.wonByHedge}`);
    }
  }
  await emu.resetBehaviors();
}

/** `--only-hedging`: the hedging rows alone, printed and saved as bench/results/hedging-latest.{json,md}. */
async function onlyHedging(o, emu) {
  const client = loadClients(['c'])[0];
  if (!client?.available) throw new Error('client c (the native multiplexer) is not available');
  const runs = [];
  const record = (run, answer) => {
    runs.push({ ...run, ok: answer.ok, ...(answer.ok ? { result: answer.result } : { error: answer.error }) });
    const r = answer.result;
    if (answer.ok) console.log(`  ${run.client} rep ${run.rep + 1}: ${Math.round(r.reqPerSec)} req/s, p50 ${r.p50Ms?.toFixed(2)} ms, p99 ${r.p99Ms?.toFixed(2)} ms${r.errors ? `, ${r.errors} errors (${r.firstError})` : ''}`);
    else console.log(`  ${run.client} rep ${run.rep + 1}: ERROR ${answer.error}`);
  };
  await hedgingRows(o, emu, client, runChild, record);
  const markdown = hedgingTable(summarize(runs, 'hedging'), { ...o, hedging: HEDGING }).join('\n');
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'hedging-latest.json'), JSON.stringify({ config: { ...o, hedging: HEDGING }, runs }, null, 2));
  fs.writeFileSync(path.join(RESULTS, 'hedging-latest.md'), markdown + '\n');
  console.log(`\n${markdown}`);
}

/** One C=64 run of a client under node --cpu-prof; prints the top self-time functions. */
async function profile(o, emu) {
  const client = loadClients([o.profile])[0];
  if (!client?.available) throw new Error(`client ${o.profile} is not available`);
  const dir = path.join(RESULTS, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
  fs.mkdirSync(dir, { recursive: true });
  const mix = o.profileFailover ? 'the failover mix' : 'one model';
  console.log(`profiling ${client.name} at C=64 on ${mix} for ${o.profileMs / 1000} s (plus start-up and warm-up) → ${dir}`);
  if (o.profileFailover) await emu.setBehavior(THROTTLED, { fault: 'throttle' });
  const extra = o.profileFailover ? { failover: true, models: FAILOVER_MODELS } : {};
  const job = loadJob({ ...o, windowMs: o.profileMs }, emu, client, 64, extra);
  const answer = await runChild(job, loadTimeout({ ...o, windowMs: o.profileMs }), ['--cpu-prof', '--cpu-prof-dir', dir]);
  if (!answer.ok) throw new Error(answer.error);
  const r = answer.result;
  console.log(`${Math.round(r.reqPerSec)} req/s, ${Math.round(r.cpuUsPerReq)} µs CPU/req under the profiler`);
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const t = selfTimes(path.join(dir, file));
  const lines = [`## CPU profile: ${client.name}, C=64, ${mix} (whole child process, ${t.totalMs.toFixed(0)} ms sampled)`, ''];
  lines.push('| # | function (self time) | ms | % |', '|---:|---|---:|---:|');
  t.functions.slice(0, 10).forEach((f, i) => lines.push(`| ${i + 1} | \`${f.name}\` | ${f.ms.toFixed(0)} | ${f.pct.toFixed(1)} |`));
  lines.push('', '| where | self ms | % |', '|---|---:|---:|');
  for (const g of t.groups.slice(0, 12)) lines.push(`| ${g.name} | ${g.ms.toFixed(0)} | ${g.pct.toFixed(1)} |`);
  const md = lines.join('\n');
  fs.writeFileSync(path.join(dir, 'top.md'), md + '\n');
  fs.writeFileSync(path.join(dir, 'top.json'), JSON.stringify({ result: r, ...t, functions: t.functions.slice(0, 50) }, null, 2));
  console.log(`\n${md}\n\nprofile: ${path.relative(process.cwd(), path.join(dir, file))}`);
}

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  killAll();
  process.exitCode = 1;
});
