'use strict';
// The throughput grid over HTTPS: clients (a)–(d) against a second emulator serving TLS
// (ALPN h2 and http/1.1) with a test CA that each client process trusts through
// NODE_EXTRA_CA_CERTS, connections reused as each client does by default. Besides CPU
// and latency, the TLS handshakes each client caused per request (from the emulator's
// counters around the child's whole run, warm-up included).

const { ratio } = require('./summary');

/** The clients of the TLS grid: the raw SDK, both multiplexer transports, the bare native send. */
const TLS_CLIENTS = new Set(['a', 'b', 'c', 'd']);

/**
 * Runs the grid; `child(job, timeoutMs, env)` runs one client job and `record(run, answer)`
 * keeps it (as phase 'tls'); `job(client, C)` builds the load job against `emu`.
 */
async function runTlsGrid({ emu, clients, concurrency, reps, job, child, record, timeoutMs, rotate, log }) {
  const ready = clients.filter((c) => c.available && TLS_CLIENTS.has(c.id));
  log(`\n1b. throughput over TLS: ${ready.length} clients × C=${concurrency.join('/')} × ${reps} repetitions, ${emu.endpoint}`);
  for (let rep = 0; rep < reps; rep++) {
    for (const C of concurrency) {
      for (const c of rotate(ready, rep)) {
        const before = await emu.stats();
        const answer = await child(job(c, C), timeoutMs, { NODE_EXTRA_CA_CERTS: emu.caFile });
        const after = await emu.stats();
        if (answer.ok) {
          const handshakes = after.tlsHandshakes - before.tlsHandshakes;
          answer.result.tlsHandshakes = handshakes;
          answer.result.handshakesPerRequest = answer.result.completedTotal ? handshakes / answer.result.completedTotal : null;
        }
        record({ phase: 'tls', client: c.id, concurrency: C, rep }, answer);
      }
    }
  }
}

/** The TLS table; `tls` is summarize(runs, 'tls') (medians), ratios against (a) over TLS. */
function renderTls({ clients, tls, concurrency, reps, fmt }) {
  const lines = [
    `## Over TLS (HTTPS to the emulator, ALPN; medians of ${reps})`,
    '',
    "Each client process trusts the emulator's test CA through NODE_EXTRA_CA_CERTS, as a user trusts a corporate CA; connections are reused as each client does by default. Handshakes/request: TLS handshakes the emulator completed during the child's whole run (warm-up included) over the requests it sent.",
    '',
    '| client | C | req/s | req/s vs raw SDK | CPU µs/req | CPU/req vs raw SDK | p50 ms | p99 ms | handshakes/request | peak RSS MB | other CPU | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of clients.filter((x) => TLS_CLIENTS.has(x.id))) {
    if (!c.available) {
      lines.push(`| ${c.name} | — | ${c.pendingReason} | | | | | | | | | |`);
      continue;
    }
    for (const C of concurrency) {
      const s = tls.find((x) => x.client === c.id && x.concurrency === C);
      if (!s || s.reps === 0) {
        lines.push(`| ${c.name} | ${C} | error: ${s?.failedReps[0] ?? 'not run'} | | | | | | | | | |`);
        continue;
      }
      const b = tls.find((x) => x.client === 'a' && x.concurrency === C);
      lines.push(
        `| ${c.name} | ${C} | ${fmt.int(s.reqPerSec)} | ${fmt.x(ratio(s.reqPerSec, b?.reqPerSec))} | ${fmt.int(s.cpuUsPerReq)} | ${fmt.x(ratio(s.cpuUsPerReq, b?.cpuUsPerReq))} | ${fmt.ms(s.p50Ms)} | ${fmt.ms(s.p99Ms)} | ${s.handshakesPerRequest == null ? '—' : s.handshakesPerRequest.toFixed(4)} | ${fmt.int(s.peakRssMB)} | ${fmt.pct(s.otherCpuPct)} | ${s.errors} |`,
      );
    }
  }
  lines.push('');
  return lines;
}

module.exports = { runTlsGrid, renderTls, TLS_CLIENTS };
