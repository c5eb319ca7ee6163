'use strict';
// Paired comparison: two or more clients (or builds), each in a long-lived child process,
// take turns running bursts of requests against one emulator; every burst's CPU per
// request is read, and each round's figures are compared with each other. On a shared VM
// whose speed drifts from minute to minute, turns of a second or two see the same drift,
// so the per-round ratio stays steady where back-to-back runs of minutes do not. Used for
// the (c) − (d) figures of issue 16 (bench/README.md, "Paired comparisons").
// Only CPU spent inside a burst counts: a child idle between its bursts may collect
// garbage then, which favours the client that allocates most (the raw JS SDK). Compare
// clients of like allocation here (c with d, a build with a build); for ratios to the raw
// SDK, `npm run bench` keeps each client busy over its whole window.
//
//   node bench/pair.js --clients d,c --concurrency 1 --rounds 14
//   node bench/pair.js --clients d,d@../other-checkout --concurrency 64
//   node bench/pair.js --clients d,c --stream --concurrency 16      # whole ConverseStreams
//
// `client@DIR` takes the client from another checkout (its bench/clients, its build);
// `client+VAR=VALUE` runs it with that environment variable (e.g. d+TOKIO_WORKER_THREADS=1).

const fs = require('node:fs');
const path = require('node:path');
const { fork } = require('node:child_process');
const emulator = require('./lib/emulator');
const { median } = require('./lib/summary');
const { threadCpuSeconds } = require('./lib/procfs');
const { STREAM } = require('./clients/common');

const ROOT = path.resolve(__dirname, '..');

function parseArgs(argv) {
  const o = { clients: ['d', 'c'], concurrency: 1, rounds: 14, burst: null, warmup: 2000, stream: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--clients') o.clients = next().split(',');
    else if (a === '--concurrency') o.concurrency = Number(next());
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--burst') o.burst = Number(next());
    else if (a === '--stream') o.stream = true;
    else if (a === '-h' || a === '--help') {
      console.log('node bench/pair.js [--clients d,c] [--concurrency 1] [--rounds 14] [--burst N] [--stream]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (o.clients.length < 2) throw new Error('--clients needs at least two');
  // About one to two seconds per burst on this machine at either end of the range.
  o.burst ??= o.stream ? 300 : o.concurrency === 1 ? 3000 : 10000;
  if (o.stream) o.warmup = 200;
  return o;
}

/** `id`, `id@DIR`, either with `+VAR=VALUE`s: the client module file and its environment. */
function parseClient(spec) {
  const [where, ...vars] = spec.split('+');
  const env = Object.fromEntries(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]));
  return { file: clientFile(where), env };
}

function clientFile(where) {
  const [id, dir = ROOT] = where.split('@');
  const clients = path.join(path.resolve(dir), 'bench', 'clients');
  const file = fs.readdirSync(clients).find((f) => f.startsWith(`${id}-`));
  if (!file) throw new Error(`no client ${id} in ${clients}`);
  return path.join(clients, file);
}

// ---- child: one client, bursts on request ----

/** CPU seconds (user + system) of this process's main thread, the JavaScript one. */
const mainThreadCpuSeconds = () => threadCpuSeconds(process.pid, process.pid);

/** Voluntary context switches so far, all threads of this process together. */
function voluntarySwitches() {
  let total = 0;
  for (const task of fs.readdirSync('/proc/self/task')) {
    const status = fs.readFileSync(`/proc/self/task/${task}/status`, 'utf8');
    total += Number(/^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)[1]);
  }
  return total;
}

async function drive(send, concurrency, count) {
  let next = 0;
  const worker = async () => {
    while (next < count) await send(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function child() {
  let client;
  let send;
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (job) => {
    try {
      if (job.setup) {
        const spec = require(job.file);
        client = await spec.setup(job.endpoint, job.stream ? { models: STREAM.models } : {});
        // A stream is read to its end, as a caller would (clients/common.js's consume()).
        send = job.stream ? (i) => client.stream(i) : client.send;
        await drive(send, job.concurrency, job.warmup);
        process.send({ ok: true });
        return;
      }
      const cpu = process.cpuUsage();
      const js = mainThreadCpuSeconds();
      const switches = voluntarySwitches();
      await drive(send, job.concurrency, job.count);
      const used = process.cpuUsage(cpu);
      process.send({
        ok: true,
        cpuUs: (used.user + used.system) / job.count,
        jsThreadUs: ((mainThreadCpuSeconds() - js) * 1e6) / job.count,
        switches: (voluntarySwitches() - switches) / job.count,
      });
    } catch (error) {
      process.send({ ok: false, error: String(error?.stack ?? error) });
    }
  });
}

// ---- parent ----

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const { bin } = emulator.ensureBinary({});
  const emu = await emulator.start({ bin, threads: 1, verify: true });
  if (o.stream) await emu.setBehavior(STREAM.modelId, STREAM.behavior);
  const clients = o.clients.map(parseClient);
  const kids = clients.map(({ env }) => fork(__filename, ['--child'], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const ask = (kid, job) =>
    new Promise((resolve, reject) => {
      kid.once('message', (answer) => (answer.ok ? resolve(answer) : reject(new Error(answer.error))));
      kid.send(job);
    });
  try {
    const what = o.stream ? `streams of ${STREAM.events} events` : 'requests';
    console.log(`pair: ${o.clients.join(' vs ')}, C=${o.concurrency}, ${o.rounds} rounds of ${o.burst} ${what} each, emulator ${emu.endpoint}`);
    await Promise.all(kids.map((kid, i) => ask(kid, { setup: true, file: clients[i].file, endpoint: emu.endpoint, stream: o.stream, concurrency: o.concurrency, warmup: Math.max(o.warmup, 4 * o.concurrency) })));
    const rounds = [];
    for (let r = 0; r < o.rounds; r++) {
      // Alternate who goes first, so neither always follows the other's burst.
      const order = r % 2 === 0 ? kids.map((_, i) => i) : kids.map((_, i) => i).reverse();
      const round = [];
      for (const i of order) round[i] = await ask(kids[i], { count: o.burst, concurrency: o.concurrency });
      rounds.push(round);
    }
    report(o, rounds);
  } finally {
    for (const kid of kids) kid.kill();
    await emu.stop();
  }
}

function report(o, rounds) {
  const base = o.clients[0];
  if (o.stream) console.log(`\n(per stream of ${STREAM.events} events: divide by ${STREAM.events} for CPU per event)`);
  console.log('\n| client | CPU µs/req (median) | JS thread µs/req | context switches/req | − ' + base + ' µs (median of rounds) | ÷ ' + base + ' (median of rounds) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  o.clients.forEach((spec, i) => {
    const cpu = rounds.map((r) => r[i].cpuUs);
    const js = rounds.map((r) => r[i].jsThreadUs);
    const sw = rounds.map((r) => r[i].switches);
    const diff = rounds.map((r) => r[i].cpuUs - r[0].cpuUs);
    const ratio = rounds.map((r) => r[i].cpuUs / r[0].cpuUs);
    const cells = i === 0 ? ['', ''] : [median(diff).toFixed(1), median(ratio).toFixed(3)];
    console.log(`| ${spec} | ${median(cpu).toFixed(1)} | ${median(js).toFixed(1)} | ${median(sw).toFixed(2)} | ${cells.join(' | ')} |`);
  });
  console.log(`\nper round, CPU µs/req: ${rounds.map((r) => r.map((x) => x.cpuUs.toFixed(0)).join('/')).join('  ')}`);
}

if (process.argv[2] === '--child') child();
else
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
