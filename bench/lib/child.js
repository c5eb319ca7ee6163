'use strict';
// The child process of one client run. The parent forks it with an IPC channel, sends
// one job, and gets one result back; so process.cpuUsage() and the peak RSS here belong
// to this client alone (plus Node and this small harness, the same for every client).
//
// Jobs: "load" (warm-up + timed window, also used for the failover mix and, as
// "hedging", for the hedging rows), "stream" (the same with whole ConverseStream calls)
// and "soak" (RSS every 10k requests over 200k,
// then the cost of getStats()/getHealthStatus()).

const { performance } = require('node:perf_hooks');
const { runLoad, runCount } = require('./load');
const { peakRssMB, rssMB, systemBusySeconds } = require('./procfs');

// The AWS SDK warns once per process that it will need Node >= 22 from 2027; that is
// noise here. Every other warning still reaches stderr (children run with --no-warnings).
process.on('warning', (w) => {
  if (!String(w.message).includes('NodeVersionSupportWarning') && w.name !== 'NodeVersionSupportWarning') {
    process.stderr.write(`${w.name}: ${w.message}\n`);
  }
});

// A parent that dies (or is interrupted) closes the channel: stop at once.
process.on('disconnect', () => process.exit(2));

process.once('message', async (job) => {
  let client;
  try {
    const spec = require(job.clientFile);
    const setupStarted = performance.now();
    client = await spec.setup(job.endpoint, { models: job.models, hedging: job.hedging });
    const setupMs = performance.now() - setupStarted;
    const result = job.kind === 'soak' ? await soak(client, job) : await load(client, job);
    result.setupMs = setupMs;
    result.transport = client.transport ?? null;
    result.peakRssMB = peakRssMB();
    await client.close();
    client = null;
    process.send({ ok: true, result }, () => process.exit(0));
  } catch (error) {
    try {
      await client?.close();
    } catch {
      // the error being reported matters more than one from cleaning up
    }
    process.send({ ok: false, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` }, () => process.exit(1));
  }
});

async function load(client, job) {
  const snapshot = job.failover || job.kind === 'hedging' ? () => client.stats() : undefined;
  if (job.kind === 'stream' && typeof client.stream !== 'function') throw new Error('this client has no stream()');
  const result = await runLoad({
    ...(job.kind === 'stream' ? { stream: client.stream, expectedEvents: job.expectedEvents } : { send: client.send }),
    concurrency: job.concurrency,
    warmupRequests: job.warmupRequests,
    warmupMs: job.warmupMs,
    warmupMaxMs: job.warmupMaxMs,
    windowMs: job.windowMs,
    emulatorPid: job.emulatorPid,
    atWindowStart: snapshot,
    atWindowEnd: snapshot,
  });
  if (job.failover) {
    result.perModel = perModelDiff(result.startHook, result.endHook);
    // Over the child's whole life (warm-up included), to show the breaker at work.
    result.throttledLifetime = result.endHook.rateLimitCount;
  }
  if (job.kind === 'hedging') {
    // Without the option no hedge can be sent: extra requests are 0 by construction.
    const sent = (hook) => hook.hedging?.hedgesSent ?? 0;
    result.hedgesSent = sent(result.endHook) - sent(result.startHook);
    result.extraRequestPct = result.requests ? (100 * result.hedgesSent) / result.requests : null;
    result.wonByHedge = (result.endHook.hedging?.wonByHedge ?? 0) - (result.startHook.hedging?.wonByHedge ?? 0);
  }
  delete result.startHook;
  delete result.endHook;
  return result;
}

/** What each model did inside the window, from two getStats() snapshots. */
function perModelDiff(before, after) {
  const out = {};
  let served = 0;
  for (const [modelId, s] of Object.entries(after.modelStats)) {
    const b = before.modelStats[modelId] ?? { successCount: 0, rateLimitCount: 0, failFastCount: 0 };
    out[modelId] = {
      served: s.successCount - b.successCount,
      throttled: s.rateLimitCount - b.rateLimitCount,
      failed: s.failFastCount - b.failFastCount,
    };
    served += out[modelId].served;
  }
  for (const m of Object.values(out)) m.share = served ? m.served / served : 0;
  return out;
}

async function soak(client, job) {
  const samples = [];
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const machine0 = systemBusySeconds();
  const run = await runCount({
    send: client.send,
    concurrency: job.concurrency,
    warmupRequests: job.warmupRequests,
    warmupMs: job.warmupMs,
    measuredRequests: job.measuredRequests,
    every: job.sampleEvery,
    maxMs: job.maxMs,
    onMark(completed) {
      const mem = process.memoryUsage();
      samples.push({
        requests: completed,
        atMs: Math.round(performance.now() - started),
        rssMB: rssMB(),
        heapUsedMB: mem.heapUsed / 1048576,
        externalMB: mem.external / 1048576,
      });
    },
  });
  const cpu = process.cpuUsage(cpu0);
  const clientCpuS = (cpu.user + cpu.system) / 1e6;
  const machine1 = systemBusySeconds();
  const first = samples[0];
  const last = samples[samples.length - 1];
  const recorded = client.stats ? sumRecorded(client.stats()) : null;
  return {
    concurrency: job.concurrency,
    ...run,
    reqPerSec: (run.completed / run.elapsedMs) * 1000,
    cpuUsPerReq: (clientCpuS * 1e6) / run.completed,
    // Emulator + anything else, % of one core (the emulator's share is not split out here).
    nonClientCpuPct: machine0 != null && machine1 != null ? ((machine1 - machine0 - clientCpuS) / (run.elapsedMs / 1000)) * 100 : null,
    samples,
    rssGrowthMB: first && last ? last.rssMB - first.rssMB : null,
    heapGrowthMB: first && last ? last.heapUsedMB - first.heapUsedMB : null,
    recordedRequests: recorded,
    calls: client.stats && client.health ? timeCalls(client, job) : null,
  };
}

function sumRecorded(stats) {
  return stats.successCount + stats.rateLimitCount + stats.failFastCount;
}

/** µs per call of getStats() and getHealthStatus(), alternated, `reps` times each. */
function timeCalls(client, job) {
  const out = { statsUs: [], healthUs: [] };
  let sink = 0; // keeps each result observed
  for (let r = 0; r < job.statsReps; r++) {
    for (const [key, fn] of [['statsUs', client.stats], ['healthUs', client.health]]) {
      const t0 = performance.now();
      for (let k = 0; k < job.statsCalls; k++) sink += fn() ? 1 : 0;
      out[key].push(((performance.now() - t0) * 1000) / job.statsCalls);
    }
  }
  out.calls = sink;
  return out;
}
