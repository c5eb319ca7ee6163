'use strict';
// Turns the raw runs into medians and the markdown tables the bench prints and saves.
// Ratios are against client (a), the raw JS SDK, at the same concurrency.

const { median, ratio } = require('./summary');
const { renderTls } = require('./tls-phase');
const { renderColdStarts } = require('./cold-start');

const fmt = {
  int: (v) => (v == null ? '—' : Math.round(v).toLocaleString('en-US')),
  f1: (v) => (v == null ? '—' : v.toFixed(1)),
  f2: (v) => (v == null ? '—' : v.toFixed(2)),
  ms: (v) => (v == null ? '—' : v < 10 ? v.toFixed(2) : v.toFixed(1)),
  x: (v) => (v == null ? '—' : `${v.toFixed(2)}×`),
  pct: (v) => (v == null ? '—' : `${Math.round(v)}%`),
};

/** Medians per (client, concurrency) of the successful repetitions of one phase. */
function summarize(runs, phase) {
  const groups = new Map();
  for (const run of runs.filter((r) => r.phase === phase)) {
    const key = `${run.client}|${run.concurrency}`;
    if (!groups.has(key)) groups.set(key, { client: run.client, concurrency: run.concurrency, ok: [], failed: [] });
    (run.ok ? groups.get(key).ok : groups.get(key).failed).push(run);
  }
  const out = [];
  for (const g of groups.values()) {
    const pick = (f) => median(g.ok.map((r) => f(r.result)));
    out.push({
      phase,
      client: g.client,
      concurrency: g.concurrency,
      reps: g.ok.length,
      failedReps: g.failed.map((r) => r.error),
      reqPerSec: pick((r) => r.reqPerSec),
      cpuUsPerReq: pick((r) => r.cpuUsPerReq),
      p50Ms: pick((r) => r.p50Ms),
      p99Ms: pick((r) => r.p99Ms),
      peakRssMB: pick((r) => r.peakRssMB),
      clientCpuPct: pick((r) => r.clientCpuPct),
      emulatorCpuPct: pick((r) => r.emulatorCpuPct),
      otherCpuPct: pick((r) => r.otherCpuPct),
      errors: g.ok.reduce((n, r) => n + r.result.errors, 0),
      firstError: g.ok.map((r) => r.result.firstError).find(Boolean) ?? null,
      perModel: g.ok[0]?.result.perModel ? medianPerModel(g.ok.map((r) => r.result.perModel)) : undefined,
      throttledLifetime: pick((r) => r.throttledLifetime),
      // TLS runs only.
      handshakesPerRequest: pick((r) => r.handshakesPerRequest),
      // Streaming runs only (reqPerSec and cpuUsPerReq are then per stream).
      eventsPerSec: pick((r) => r.eventsPerSec),
      eventsPerStream: pick((r) => r.eventsPerStream),
      cpuUsPerEvent: pick((r) => r.cpuUsPerEvent),
      firstEventP50Ms: pick((r) => r.firstEventP50Ms),
      firstEventP99Ms: pick((r) => r.firstEventP99Ms),
      // Hedging runs only.
      extraRequestPct: pick((r) => r.extraRequestPct),
    });
  }
  return out;
}

function medianPerModel(list) {
  const out = {};
  for (const modelId of Object.keys(list[0])) {
    out[modelId] = {
      share: median(list.map((m) => m[modelId]?.share)),
      served: median(list.map((m) => m[modelId]?.served)),
      throttled: median(list.map((m) => m[modelId]?.throttled)),
      failed: median(list.map((m) => m[modelId]?.failed)),
    };
  }
  return out;
}

function render({ header, clients, load, tls, failover, stream, hedging, cold, soaks, config, wallMs, notes }) {
  const lines = [];
  const base = (c) => load.find((s) => s.client === 'a' && s.concurrency === c);

  lines.push(`# bedrock-model-multiplexer bench`);
  lines.push('');
  lines.push(`- date: ${header.date}`);
  lines.push(`- machine: nproc ${header.nproc}, ${header.cpuModel}, node ${header.node}, ${header.kernel}; load average at start ${header.loadAverage}`);
  lines.push(`- build: ${header.build} (git HEAD, addon file:size:mtime)`);
  lines.push(
    `- emulator: separate process, ${config.emulatorThreads} worker thread(s), SigV4 verification ${config.verify ? 'on' : 'off'}; its CPU is not in the client figures`,
  );
  lines.push(
    `- method: each client in its own child process; warm-up ≥ ${config.warmupRequests} requests and ≥ ${config.warmupMs / 1000} s, then a ${config.windowMs / 1000} s window; medians of ${config.reps} repetitions, clients alternated within each repetition`,
  );
  lines.push(`- total wall time: ${(wallMs / 1000).toFixed(0)} s`);
  lines.push('');

  lines.push(`## Throughput, client CPU and latency (medians of ${config.reps})`);
  lines.push('');
  lines.push('| client | C | req/s | req/s vs raw SDK | CPU µs/req | CPU/req vs raw SDK | p50 ms | p99 ms | peak RSS MB | client CPU | emulator CPU | other CPU | errors |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of clients) {
    if (!c.available) {
      lines.push(`| ${c.name} | — | ${c.pendingReason} | | | | | | | | | | |`);
      continue;
    }
    for (const C of config.concurrency) {
      const s = load.find((x) => x.client === c.id && x.concurrency === C);
      if (!s || s.reps === 0) {
        lines.push(`| ${c.name} | ${C} | error: ${s?.failedReps[0] ?? 'not run'} | | | | | | | | | | |`);
        continue;
      }
      const b = base(C);
      lines.push(
        `| ${c.name} | ${C} | ${fmt.int(s.reqPerSec)} | ${fmt.x(ratio(s.reqPerSec, b?.reqPerSec))} | ${fmt.int(s.cpuUsPerReq)} | ${fmt.x(ratio(s.cpuUsPerReq, b?.cpuUsPerReq))} | ${fmt.ms(s.p50Ms)} | ${fmt.ms(s.p99Ms)} | ${fmt.int(s.peakRssMB)} | ${fmt.pct(s.clientCpuPct)} | ${fmt.pct(s.emulatorCpuPct)} | ${fmt.pct(s.otherCpuPct)} | ${s.errors}${s.reps < config.reps ? ` (${config.reps - s.reps} rep failed)` : ''} |`,
      );
    }
  }
  lines.push('');
  lines.push('client / emulator CPU: % of one core over the window (all threads of that process); other CPU: the rest of the machine meanwhile (anything else running: high values mean noisy figures).');
  lines.push('');
  if (config.skipTls) lines.push('## Over TLS', '', 'skipped (--skip-tls).', '');
  else lines.push(...renderTls({ clients, tls, concurrency: config.concurrency, reps: config.tlsReps, fmt }));
  if (config.skipCold) lines.push('## Cold start', '', 'skipped (--skip-cold).', '');
  else lines.push(...renderColdStarts(cold, { samples: config.coldSamples }));

  lines.push(`## Failover mix (C=${config.failoverConcurrency}; three equal-weight primaries, one answers every request with 429 ThrottlingException)`);
  lines.push('');
  lines.push('| client | req/s | CPU µs/req | CPU/req vs raw SDK (C=' + config.failoverConcurrency + ', no failover) | share served: ' + config.failoverModels.map(shortModel).join(' / ') + ' | throttled attempts: window / whole run | emulator CPU | errors |');
  lines.push('|---|---:|---:|---:|---|---:|---:|---:|');
  for (const c of clients.filter((x) => x.multiplexer)) {
    if (!c.available) {
      lines.push(`| ${c.name} | ${c.pendingReason} | | | | | | |`);
      continue;
    }
    const s = failover.find((x) => x.client === c.id);
    if (!s || s.reps === 0) {
      lines.push(`| ${c.name} | error: ${s?.failedReps[0] ?? 'not run'} | | | | | | |`);
      continue;
    }
    const b = base(config.failoverConcurrency);
    const shares = config.failoverModels.map((m) => fmt.pct((s.perModel?.[m]?.share ?? 0) * 100)).join(' / ');
    const throttled = Object.values(s.perModel ?? {}).reduce((n, m) => n + (m.throttled ?? 0), 0);
    lines.push(
      `| ${c.name} | ${fmt.int(s.reqPerSec)} | ${fmt.int(s.cpuUsPerReq)} | ${fmt.x(ratio(s.cpuUsPerReq, b?.cpuUsPerReq))} | ${shares} | ${fmt.int(throttled)} / ${fmt.int(s.throttledLifetime)} | ${fmt.pct(s.emulatorCpuPct)} | ${s.errors} |`,
    );
  }
  lines.push('');
  lines.push("The throttled model's breaker opens during warm-up (5 failures in 60 s) and stays open for 30 s, so inside the window it is skipped without a request; the window measures routing around an open breaker.");
  lines.push('');

  lines.push(`## getStats() / getHealthStatus() cost after ≥ 100k recorded requests (median of ${config.statsReps} × ${fmt.int(config.statsCalls)} calls)`);
  lines.push('');
  lines.push('| client | requests recorded | getStats µs/call | getHealthStatus µs/call |');
  lines.push('|---|---:|---:|---:|');
  for (const c of clients.filter((x) => x.multiplexer)) {
    const s = soaks.find((x) => x.client === c.id);
    if (!c.available) lines.push(`| ${c.name} | ${c.pendingReason} | | |`);
    else if (!s?.ok || !s.result.calls) lines.push(`| ${c.name} | error: ${s?.error ?? 'not run'} | | |`);
    else
      lines.push(
        `| ${c.name} | ${fmt.int(s.result.recordedRequests)} | ${fmt.f1(median(s.result.calls.statsUs))} | ${fmt.f1(median(s.result.calls.healthUs))} |`,
      );
  }
  lines.push('');

  lines.push(
    `## RSS over ${fmt.int(config.soakRequests)} requests (C=${config.soakConcurrency}; sampled every ${fmt.int(config.soakEvery)} after a warm-up of ≥ ${fmt.int(config.soakWarmup)} requests and ≥ ${config.soakWarmupMs / 1000} s; one run each)`,
  );
  lines.push('');
  lines.push('| client | requests | RSS first MB | RSS last MB | growth MB | max MB | heapUsed growth MB | req/s | CPU µs/req | errors |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of clients.filter((x) => x.multiplexer)) {
    const s = soaks.find((x) => x.client === c.id);
    if (!c.available) {
      lines.push(`| ${c.name} | ${c.pendingReason} | | | | | | | | |`);
      continue;
    }
    if (!s?.ok) {
      lines.push(`| ${c.name} | error: ${s?.error ?? 'not run'} | | | | | | | | |`);
      continue;
    }
    const r = s.result;
    const first = r.samples[0];
    const last = r.samples[r.samples.length - 1];
    const max = Math.max(...r.samples.map((x) => x.rssMB));
    const cut = r.timedOut ? ` (cut by the time bound at ${fmt.int(r.completed)})` : '';
    lines.push(
      `| ${c.name} | ${fmt.int((last?.requests ?? 0) - (first?.requests ?? 0))}${cut} | ${fmt.f1(first?.rssMB)} | ${fmt.f1(last?.rssMB)} | ${fmt.f1(r.rssGrowthMB)} | ${fmt.f1(max)} | ${fmt.f1(r.heapGrowthMB)} | ${fmt.int(r.reqPerSec)} | ${fmt.int(r.cpuUsPerReq)} | ${r.errors} |`,
    );
  }
  lines.push('');

  lines.push(...streamingTable(clients, stream, config));
  lines.push(...hedgingTable(hedging, config));

  if (notes.length) {
    lines.push('## Notes');
    lines.push('');
    for (const n of notes) lines.push(`- ${n}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** The streaming section: per client and concurrency, ratios against (a) at the same C. */
function streamingTable(clients, stream, config) {
  const w = config.stream;
  const lines = [
    `## Streaming (medians of ${config.reps})`,
    '',
    `ConverseStream to \`${w.modelId}\`: a ${fmt.int(w.characters)}-character answer in ${w.chunkSize}-character deltas, ${w.events} events per stream (messageStart, ${w.deltas} contentBlockDelta, contentBlockStop, messageStop, metadata), every event read by the caller; C = ${config.streamConcurrency.join(', ')} concurrent streams. First event: from the call to the first event in the caller's loop. CPU: the client process over the window, per stream read to the end and per event.`,
    '',
  ];
  if (config.skipStream) return [...lines, 'skipped (--skip-stream).', ''];
  lines.push('| client | C | streams/s | streams/s vs raw SDK | events/s | first event p50 ms | first event p99 ms | CPU µs/stream | CPU/stream vs raw SDK | CPU µs/event | peak RSS MB | client CPU | emulator CPU | other CPU | errors |');
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const blank = ' | | | | | | | | | | | | |';
  for (const c of clients) {
    if (!c.available || !c.streams) {
      lines.push(`| ${c.name} | — | ${c.available ? 'no streaming in this client or build' : c.pendingReason}${blank}`);
      continue;
    }
    for (const C of config.streamConcurrency) {
      const s = stream.find((x) => x.client === c.id && x.concurrency === C);
      if (!s || s.reps === 0) {
        lines.push(`| ${c.name} | ${C} | error: ${s?.failedReps[0] ?? 'not run'}${blank}`);
        continue;
      }
      const b = stream.find((x) => x.client === 'a' && x.concurrency === C);
      lines.push(
        `| ${c.name} | ${C} | ${fmt.int(s.reqPerSec)} | ${fmt.x(ratio(s.reqPerSec, b?.reqPerSec))} | ${fmt.int(s.eventsPerSec)} | ${fmt.ms(s.firstEventP50Ms)} | ${fmt.ms(s.firstEventP99Ms)} | ${fmt.int(s.cpuUsPerReq)} | ${fmt.x(ratio(s.cpuUsPerReq, b?.cpuUsPerReq))} | ${fmt.f1(s.cpuUsPerEvent)} | ${fmt.int(s.peakRssMB)} | ${fmt.pct(s.clientCpuPct)} | ${fmt.pct(s.emulatorCpuPct)} | ${fmt.pct(s.otherCpuPct)} | ${s.errors}${s.reps < config.reps ? ` (${config.reps - s.reps} rep failed)` : ''} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

/** The hedging rows: client (c) on a long-tailed primary, per `hedging` setting. */
function hedgingTable(hedging, config) {
  const w = config.hedging;
  const [tail, steady] = w.models.map((m) => w.behaviors[m.modelId]);
  const lines = [
    `## Hedging (client c, medians of ${config.reps})`,
    '',
    `\`${w.models[0].modelId}\` answers in ${tail.latencyMs} ms, ${tail.faultProbability * 100} % of its answers (seeded) in ${tail.slowLatencyMs} ms; the fallback \`${w.models[1].modelId}\` in ${steady.latencyMs} ms; C = ${w.concurrency}. Extra requests: hedges sent per request served in the window.`,
    '',
    '| setting | req/s | p50 ms | p99 ms | p99 vs no hedging | extra requests | errors |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  const base = hedging.find((s) => s.client === w.settings[0].label);
  for (const { label } of w.settings) {
    const s = hedging.find((x) => x.client === label);
    if (!s || s.reps === 0) {
      lines.push(`| ${label} | error: ${s?.failedReps[0] ?? 'not run'} | | | | | |`);
      continue;
    }
    lines.push(`| ${label} | ${fmt.int(s.reqPerSec)} | ${fmt.ms(s.p50Ms)} | ${fmt.ms(s.p99Ms)} | ${fmt.x(ratio(s.p99Ms, base?.p99Ms))} | ${fmt.f1(s.extraRequestPct)} % | ${s.errors} |`);
  }
  lines.push('');
  return lines;
}

function shortModel(modelId) {
  return modelId.replace(/^bench\./, '').replace(/-v1:0$/, '');
}

module.exports = { summarize, render, hedgingTable };
