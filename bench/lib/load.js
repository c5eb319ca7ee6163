'use strict';
// The closed-loop load generator that runs inside a client's child process:
// `concurrency` workers each await send(i) (or stream(i)) back to back. A warm-up (a
// minimum count AND a minimum time, so the JIT and the connection pools settle) precedes
// one timed window; only completions inside the window are counted, and CPU and the
// emulator's ticks are read at exactly the window's edges. Every loop is bounded by time
// and count.

const { performance } = require('node:perf_hooks');
const { LatencyHistogram } = require('./histogram');
const { processCpuSeconds, systemBusySeconds } = require('./procfs');

// `unref` for the safety timeouts, so a finished race does not keep the process alive.
const sleep = (ms, unref = false) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (unref) t.unref();
  });

/**
 * With `o.stream` instead of `o.send`, each call is one whole stream: the request figures
 * (requests, reqPerSec, cpuUsPerReq, p50Ms/p99Ms) are then per stream, start to last
 * event, and the stream figures (events, time to first event) are added.
 *
 * @param {object} o
 * @param {(i: number) => Promise<void>} [o.send]
 * @param {(i: number) => Promise<{ firstEventAt: number, events: number }>} [o.stream]
 *        firstEventAt: performance.now() when the caller's loop got the first event
 * @param {number} [o.expectedEvents] a stream with any other count is an error
 * @param {number} o.concurrency
 * @param {number} o.warmupRequests   minimum completions before the window
 * @param {number} o.warmupMs         minimum warm-up time
 * @param {number} o.warmupMaxMs      the window starts after this even if the count was not reached
 * @param {number} o.windowMs
 * @param {number} [o.emulatorPid]    read its /proc ticks at the window's edges
 * @param {() => any} [o.atWindowStart]  snapshot hook (e.g. multiplexer stats)
 * @param {() => any} [o.atWindowEnd]
 */
async function runLoad(o) {
  const hist = new LatencyHistogram();
  const firstEvent = o.stream ? new LatencyHistogram() : null;
  const call = o.stream ? (i) => checkedStream(o, i) : o.send;
  let phase = 'warmup';
  let issued = 0;
  let completed = 0;
  let windowOk = 0;
  let windowErrors = 0;
  let windowEvents = 0;
  let warmupErrors = 0;
  let firstError = null;
  // A hard cap on requests, far above any plausible rate, so no loop can run away.
  const maxRequests = Math.ceil(((o.warmupMaxMs + o.windowMs) / 1000) * 200_000);

  const worker = async () => {
    while (phase !== 'drain' && issued < maxRequests) {
      const i = issued++;
      const t0 = performance.now();
      let ok = true;
      let answer;
      try {
        answer = await call(i);
      } catch (error) {
        ok = false;
        if (firstError === null) firstError = `${error?.name ?? 'Error'}: ${error?.message ?? error}`.slice(0, 300);
      }
      completed++;
      if (phase === 'window') {
        if (ok) {
          windowOk++;
          hist.record(performance.now() - t0);
          if (firstEvent) {
            firstEvent.record(answer.firstEventAt - t0);
            windowEvents += answer.events;
          }
        } else {
          windowErrors++;
        }
      } else if (phase === 'warmup' && !ok) {
        warmupErrors++;
      }
    }
  };

  const started = performance.now();
  const workers = Array.from({ length: o.concurrency }, worker);

  // Warm-up: poll every 20 ms, cheap next to hundreds of requests per second.
  while (performance.now() - started < o.warmupMaxMs) {
    if (completed >= o.warmupRequests && performance.now() - started >= o.warmupMs) break;
    await sleep(20);
  }
  const warmupCompleted = completed;

  const before = edge(o);
  const startHook = o.atWindowStart?.();
  phase = 'window';
  await sleep(o.windowMs);
  phase = 'drain';
  const after = edge(o);
  const endHook = o.atWindowEnd?.();

  // Let in-flight requests finish (not counted), but never wait forever for them.
  await Promise.race([Promise.all(workers), sleep(30_000, true)]);

  const seconds = (after.t - before.t) / 1000;
  const cpuUs = after.cpu.user - before.cpu.user + (after.cpu.system - before.cpu.system);
  const done = windowOk + windowErrors;
  const streaming = firstEvent && {
    events: windowEvents,
    eventsPerStream: windowOk ? windowEvents / windowOk : null,
    eventsPerSec: windowEvents / seconds,
    // Per event read; failed streams' events are not counted, and any error is flagged.
    cpuUsPerEvent: windowEvents ? cpuUs / windowEvents : null,
    firstEventP50Ms: firstEvent.quantileMs(0.5),
    firstEventP99Ms: firstEvent.quantileMs(0.99),
  };
  return {
    concurrency: o.concurrency,
    warmupCompleted,
    // Every request of the run, warm-up and drain included (handshakes per request use it).
    completedTotal: completed,
    warmupMs: before.t - started,
    warmupErrors,
    windowMs: after.t - before.t,
    requests: windowOk,
    errors: windowErrors,
    firstError,
    reqPerSec: windowOk / seconds,
    cpuUserUs: after.cpu.user - before.cpu.user,
    cpuSystemUs: after.cpu.system - before.cpu.system,
    // CPU per completed request (errors included: they cost CPU too; any error is flagged).
    cpuUsPerReq: done ? cpuUs / done : null,
    clientCpuPct: (cpuUs / 1e6 / seconds) * 100,
    emulatorCpuPct:
      before.emu != null && after.emu != null ? ((after.emu - before.emu) / seconds) * 100 : null,
    // Everything else the machine ran meanwhile (a build, a test suite): noise to watch.
    otherCpuPct: otherCpuPct(before, after, cpuUs, seconds),
    p50Ms: hist.quantileMs(0.5),
    p90Ms: hist.quantileMs(0.9),
    p99Ms: hist.quantileMs(0.99),
    maxMs: hist.maxUs / 1000,
    ...streaming,
    startHook,
    endHook,
  };
}

/** One stream; a stream without events or with the wrong count throws, so it counts as an error. */
async function checkedStream(o, i) {
  const answer = await o.stream(i);
  if (!(answer?.events > 0) || typeof answer.firstEventAt !== 'number') throw new Error(`stream ${i} returned ${JSON.stringify(answer)}`);
  if (o.expectedEvents != null && answer.events !== o.expectedEvents) throw new Error(`stream ${i}: ${answer.events} events, expected ${o.expectedEvents}`);
  return answer;
}

function edge(o) {
  return {
    t: performance.now(),
    cpu: process.cpuUsage(),
    emu: o.emulatorPid ? processCpuSeconds(o.emulatorPid) : null,
    machine: systemBusySeconds(),
  };
}

function otherCpuPct(before, after, clientCpuUs, seconds) {
  if (before.machine == null || after.machine == null) return null;
  const emu = before.emu != null && after.emu != null ? after.emu - before.emu : 0;
  // /proc/stat counts in 10 ms ticks: clamp the small negative values rounding gives.
  return Math.max(0, ((after.machine - before.machine - clientCpuUs / 1e6 - emu) / seconds) * 100);
}

/**
 * Warms up until at least `warmupRequests` have completed and `warmupMs` have passed
 * (by then the JIT, the connection pools and V8's young generation, which grows with the
 * allocation rate, have settled), then drives `measuredRequests` more at `concurrency`,
 * calling onMark(completed) at the end of the warm-up and every `every` completions
 * after it. Bounded by `maxMs`.
 */
async function runCount({ send, concurrency, warmupRequests, warmupMs, measuredRequests, every, maxMs, onMark }) {
  let issued = 0;
  let completed = 0;
  let errors = 0;
  let firstError = null;
  let total = Infinity; // known once the warm-up ends
  let nextMark = null;
  let stop = false;
  const started = performance.now();
  const deadline = started + maxMs;
  const worker = async () => {
    while (!stop && issued < total) {
      const i = issued++;
      try {
        await send(i);
      } catch (error) {
        errors++;
        if (firstError === null) firstError = `${error?.name ?? 'Error'}: ${error?.message ?? error}`.slice(0, 300);
      }
      completed++;
      if (nextMark === null && completed >= warmupRequests && performance.now() - started >= warmupMs) {
        nextMark = completed;
        total = completed + measuredRequests;
      }
      if (nextMark !== null && completed >= nextMark) {
        nextMark += every;
        onMark(completed);
      }
      // Checked per completion: a stalled send cannot stop the loop, but the timer below can.
      if (performance.now() > deadline) stop = true;
    }
  };
  const timer = setTimeout(() => (stop = true), maxMs);
  // A send that never settles must not hang the bench: give up 30 s after the bound.
  await Promise.race([Promise.all(Array.from({ length: concurrency }, worker)), sleep(maxMs + 30_000, true)]);
  clearTimeout(timer);
  return { completed, errors, firstError, elapsedMs: performance.now() - started, timedOut: completed < total };
}

module.exports = { runLoad, runCount };
