// `sharedState` (issue 13) end to end: Node processes, each its own multiplexer, on the
// bundled emulator and one real redis-server started here (never skipped: the helper
// installs redis-server when missing and fails loudly when it cannot start).

import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { createMultiplexer } from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';
import { startRedis, type RedisServer } from './helpers/redis';
import { settleWithin } from './helpers/util';

jest.setTimeout(60_000);

const CHILD = path.join(__dirname, 'helpers', 'fleet-child.js');
const INSTANCES = 8;

let redis: RedisServer;
let emulator: RunningEmulator;

beforeAll(async () => {
  redis = await startRedis();
  emulator = startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
  await redis?.stop();
});

interface ChildResult {
  ok: number;
  failed: Record<string, number>;
  events: Array<{ event: string; reason?: string }>;
  sent: Record<string, number>;
}

/** What a fleet-child with `trace` saw at a request's start and at its selection. */
type TraceEntry = { event: 'request' | 'model-selected'; modelId?: string; at: number; shared: boolean; viewRefreshedAt: number | null };

type Model = { modelId: string; weight: number; isFallback: boolean; requestsPerMinute?: number; tokensPerMinute?: number };

/**
 * Runs `INSTANCES` fleet-child processes with these options (instance i starts `i * staggerMs`
 * after the common start, once every one is ready) and returns what each reports; each must
 * exit by itself with code 0 after destroy().
 */
async function runFleet(options: { redisUrl?: string; keyPrefix?: string; models: Model[]; staggerMs: number; durationMs?: number; requests?: number; concurrency: number }): Promise<ChildResult[]> {
  const children = Array.from({ length: INSTANCES }, (_, i) => {
    const args = JSON.stringify({ ...options, endpoint: emulator.endpoint, delayMs: i * options.staggerMs });
    const child = spawn(process.execPath, [CHILD, args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lines = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    return { child, exited, lines, stderr: () => stderr };
  });
  const ready = async (c: (typeof children)[number]) => {
    while (!c.lines().some((line) => line.ready)) {
      if (c.child.exitCode !== null) throw new Error(`a child exited before it was ready: ${c.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await settleWithin(Promise.all(children.map(ready)), 15_000);
  const startAt = Date.now() + 100;
  for (const c of children) c.child.stdin.end(`${JSON.stringify({ startAt })}\n`);
  const codes = await settleWithin(Promise.all(children.map((c) => c.exited)), 45_000);
  const stderr = children.map((c) => c.stderr()).join('');
  expect({ codes, stderr }).toEqual({ codes: { status: 'fulfilled', value: Array(INSTANCES).fill(0) }, stderr: '' });
  return children.map((c) => {
    const result = c.lines().find((line) => 'ok' in line);
    if (!result) throw new Error(`a child reported nothing: ${c.stderr()}`);
    return result as ChildResult;
  });
}

const sentTo = (modelId: string) => emulator.requests().filter((r) => r.modelId === modelId).length;

test('a throttling model: the fleet sends it about one request with sharedState, each instance its own breaker-full without', async () => {
  emulator.setBehavior('throttled', { fault: 'throttle' });
  emulator.setBehavior('steady', { mode: 'echo' });
  const models: Model[] = [
    { modelId: 'throttled', weight: 1, isFallback: false },
    { modelId: 'steady', weight: 1, isFallback: true },
  ];
  // One request at a time per instance, instances starting 100 ms apart: each one's first
  // request comes after the previous instance's first throttle has been published (a
  // process's first request, its connections cold, takes tens of ms on a loaded machine).
  const fleet = { models, staggerMs: 100, requests: 10, concurrency: 1 };

  emulator.clearRequests();
  const alone = await runFleet(fleet);
  const unshared = sentTo('throttled');
  emulator.clearRequests();
  const together = await runFleet({ ...fleet, redisUrl: redis.url, keyPrefix: 'throttle-test:' });
  const shared = sentTo('throttled');
  console.log(`requests the 8-process fleet sent to the throttling model: ${unshared} without sharedState, ${shared} with`);

  for (const result of [...alone, ...together]) expect(result).toMatchObject({ ok: 10, failed: {} });
  // Without: each instance learns alone, its breaker opening after 5 failures (the
  // original's default failureThreshold).
  expect(unshared).toBe(INSTANCES * 5);
  // With: the first throttle, plus what was in flight before it was published (at most
  // one per instance).
  expect(shared).toBeGreaterThanOrEqual(1);
  expect(shared).toBeLessThanOrEqual(INSTANCES);
  expect(shared * 4).toBeLessThanOrEqual(unshared);
});

test('a fleet quota: 8 processes sharing requestsPerMinute 600 for 10 s send at most rate × (T + 1 s) = 110 to the model', async () => {
  emulator.setBehavior('limited', { mode: 'echo' });
  emulator.setBehavior('spare', { mode: 'echo' });
  const results = await runFleet({
    redisUrl: redis.url,
    keyPrefix: 'quota-test:',
    models: [
      { modelId: 'limited', weight: 1, isFallback: false, requestsPerMinute: 600 },
      { modelId: 'spare', weight: 1, isFallback: true },
    ],
    staggerMs: 0,
    durationMs: 10_000,
    concurrency: 4,
  });
  // Counted by each instance (the emulator's request log keeps only the latest 10,000).
  const total = (modelId: string) => results.reduce((sum, result) => sum + (result.sent[modelId] ?? 0), 0);
  const limited = total('limited');
  const spare = total('spare');
  console.log(`fleet quota 600 rpm over 10 s, 8 processes: ${limited} to the limited model, ${spare} to the fallback`);
  // The bound holds while Redis is reachable: no instance degraded (deciding alone).
  for (const result of results) expect(result).toMatchObject({ failed: {}, events: [] });
  // The bound: burst (2.5, a quarter second's worth) + 10/s × (10 s + 0.25 s lease lifetime),
  // plus permits leased just before the window and refunded inside it (at most another
  // burst + 0.25 s of refill): 100 and a tolerance of 10 (README, "Fleet quotas").
  expect(limited).toBeLessThanOrEqual(110);
  // The quota is used, not starved: at least half the 10 s worth went through.
  expect(limited).toBeGreaterThanOrEqual(50);
  expect(spare).toBeGreaterThan(limited);
});

test('chaos at C=64: Redis killed, restarted and paused 5 s; every request settles, none fails, each transition reported once', async () => {
  emulator.setBehavior('steady-a', { mode: 'echo', latencyMs: 5 });
  emulator.setBehavior('steady-b', { mode: 'echo', latencyMs: 5 });
  const muxes = [0, 1].map(() =>
    createMultiplexer(
      [
        { modelId: 'steady-a', weight: 1, isFallback: false },
        { modelId: 'steady-b', weight: 1, isFallback: true },
      ],
      {
        defaultTimeoutMs: 5000,
        maxRetries: 3,
        clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
        sharedState: { url: redis.url, keyPrefix: 'chaos-test:' },
      },
    ),
  );
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (const mux of muxes) {
    for (let waited = 0; !mux.getHealthStatus().sharedState?.shared; waited += 10) {
      if (waited > 5000) throw new Error('the fleet view was not in use within 5 s');
      await sleep(10);
    }
  }
  const events: Array<Array<{ kind: 'degraded' | 'restored'; at: number; reason?: string }>> = [[], []];
  muxes.forEach((mux, i) => {
    mux.on('shared-state-degraded', (reason) => events[i].push({ kind: 'degraded', at: Date.now(), reason }));
    mux.on('shared-state-restored', () => events[i].push({ kind: 'restored', at: Date.now() }));
  });
  let running = true;
  let settled = 0;
  const failures: string[] = [];
  const worker = async (mux: (typeof muxes)[number]) => {
    while (running) {
      await mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] }).then(
        () => settled++,
        (error) => failures.push(String(error.code ?? error.message)),
      );
    }
  };
  const load = Promise.all(Array.from({ length: 64 }, (_, i) => worker(muxes[i % 2])));
  const times: Record<string, number> = {};
  try {
    await sleep(500);
    times.kill = Date.now();
    await redis.kill();
    await sleep(1000);
    times.restart = Date.now();
    await redis.restart();
    await sleep(3000);
    times.pause = Date.now();
    redis.pause();
    await sleep(5000);
    times.resume = Date.now();
    redis.resume();
    await sleep(3000);
    running = false;
    await settleWithin(load, 10_000);
  } finally {
    running = false;
    redis.resume();
    for (const mux of muxes) mux.destroy();
  }
  const firstAfter = (i: number, kind: string, t: number) => events[i].find((e) => e.kind === kind && e.at >= t)?.at ?? Infinity;
  const afterRestart = [0, 1].map((i) => firstAfter(i, 'restored', times.restart) - times.restart);
  const afterResume = [0, 1].map((i) => firstAfter(i, 'restored', times.resume) - times.resume);
  console.log(`chaos: ${settled} requests settled; restored ${afterRestart.join(' / ')} ms after the restart, ${afterResume.join(' / ')} ms after the resume; events ${JSON.stringify(events.map((list) => list.map((e) => `${e.kind} +${e.at - times.kill}ms${e.reason ? ` (${e.reason})` : ''}`)))}`);

  expect(failures).toEqual([]);
  expect(settled).toBeGreaterThan(1000);
  for (const list of events) {
    // Once each per outage (however many calls fail during it; one late reply outside an
    // outage degrades nothing: it takes two failed calls in a row): degraded after the kill
    // and before the restart, restored after the restart; degraded during the pause,
    // restored after the resume.
    expect(list.map((e) => e.kind)).toEqual(['degraded', 'restored', 'degraded', 'restored']);
    expect(list[0].at >= times.kill && list[0].at < times.restart).toBe(true);
    expect(list[1].at >= times.restart && list[1].at < times.pause).toBe(true);
    expect(list[2].at >= times.pause && list[2].at < times.resume).toBe(true);
    expect(list[3].at).toBeGreaterThanOrEqual(times.resume);
  }
  // Converged within 3 s of the restart and of the resume: the reconnection backoff is
  // capped at 2 s, then one refresh (bounded by the 250 ms call timeout) restores the view.
  for (const ms of [...afterRestart, ...afterResume]) expect(ms).toBeLessThanOrEqual(3000);
});

test('without sharedState, health and breaker status keep the original shape', () => {
  const mux = createMultiplexer([{ modelId: 'steady-a', weight: 1, isFallback: false }], {
    clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS } },
  });
  try {
    expect(mux.getHealthStatus()).not.toHaveProperty('sharedState');
    expect(mux.getStats()).not.toHaveProperty('fleet');
    expect(mux.getCircuitBreakerStatus()['steady-a']).toEqual({ state: 'CLOSED', failureCount: 0 });
  } finally {
    mux.destroy();
  }
});

function fleetMultiplexer(models: Model[], sharedState: { url: string; keyPrefix?: string }) {
  return createMultiplexer(models, {
    defaultTimeoutMs: 5000,
    maxRetries: 3,
    clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
    sharedState,
  });
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > ms) throw new Error(`${what} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('an unreachable Redis from the start: requests succeed as without sharedState, one degraded event, destroy() returns', async () => {
  emulator.setBehavior('steady-a', { mode: 'echo' });
  // A port nothing listens on: the one of a server started and stopped.
  const gone = await startRedis();
  await gone.stop();
  const mux = fleetMultiplexer([{ modelId: 'steady-a', weight: 1, isFallback: false }], { url: gone.url });
  const degraded: string[] = [];
  mux.on('shared-state-degraded', (reason) => degraded.push(reason));
  try {
    for (let i = 0; i < 20; i++) await expect(mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })).resolves.toBeDefined();
    await until(() => degraded.length > 0, 3000, 'no degraded event');
    expect(degraded).toHaveLength(1);
    expect(mux.getHealthStatus().sharedState).toEqual({ shared: false, viewRefreshedAt: null, unhealthyModels: 0, skippedModels: {} });
    expect(mux.getStats().fleet).toBeNull();
  } finally {
    mux.destroy();
  }
});

test("one instance's open breaker shows in another's getCircuitBreakerStatus().fleet, and that one skips the model", async () => {
  emulator.setBehavior('failing', { fault: 'internalError' });
  emulator.setBehavior('steady-a', { mode: 'echo' });
  const models: Model[] = [
    { modelId: 'failing', weight: 1, isFallback: false },
    { modelId: 'steady-a', weight: 1, isFallback: true },
  ];
  const sharedState = { url: redis.url, keyPrefix: 'breaker-test:' };
  const [a, b] = [fleetMultiplexer(models, sharedState), fleetMultiplexer(models, sharedState)];
  try {
    await until(() => a.getHealthStatus().sharedState!.shared && b.getHealthStatus().sharedState!.shared, 5000, 'the fleet view was not in use');
    // Five failures open a's breaker (the original's default threshold); the fail-fast
    // errors reject, as in the original.
    for (let i = 0; i < 5; i++) await a.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }).catch(() => undefined);
    expect(a.getCircuitBreakerStatus().failing.state).toBe('OPEN');
    await until(() => b.getCircuitBreakerStatus().failing.fleet?.state === 'OPEN', 2000, "b did not see a's breaker open");
    expect(b.getCircuitBreakerStatus().failing).toMatchObject({ state: 'CLOSED', failureCount: 0 });
    const skipped: string[] = [];
    b.on('model-circuit-open-skipped', (modelId) => skipped.push(modelId));
    emulator.clearRequests();
    await b.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    expect(skipped).toEqual(['failing']);
    expect(sentTo('failing')).toBe(0);
  } finally {
    a.destroy();
    b.destroy();
  }
});

test("a new instance's first request catches up first: it skips a model the fleet saw throttle before it started", async () => {
  emulator.setBehavior('throttling', { fault: 'throttle' });
  emulator.setBehavior('steady-a', { mode: 'echo' });
  const models: Model[] = [
    { modelId: 'throttling', weight: 1, isFallback: false },
    { modelId: 'steady-a', weight: 1, isFallback: true },
  ];
  const sharedState = { url: redis.url, keyPrefix: 'catch-up-test:' };
  const a = fleetMultiplexer(models, sharedState);
  let b: ReturnType<typeof fleetMultiplexer> | undefined;
  try {
    await until(() => a.getHealthStatus().sharedState!.shared, 5000, 'the fleet view was not in use');
    await a.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    // Published at once; the next refresh of a fresh instance reads it from Redis.
    await new Promise((resolve) => setTimeout(resolve, 100));
    emulator.clearRequests();
    // No wait: the request itself must refresh the (empty, stale) view before selecting.
    b = fleetMultiplexer(models, sharedState);
    await b.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    expect(sentTo('throttling')).toBe(0);
    expect(sentTo('steady-a')).toBe(1);
  } finally {
    a.destroy();
    b?.destroy();
  }
});

test('a stream charges its metadata usage to tokensPerMinute: once the quota is spent, the next request goes to the fallback', async () => {
  emulator.setBehavior('metered', { mode: 'echo', usage: { inputTokens: 1000, outputTokens: 1000 } });
  emulator.setBehavior('steady-a', { mode: 'echo' });
  const mux = createMultiplexer(
    [
      { modelId: 'metered', weight: 1, isFallback: false, tokensPerMinute: 600 },
      { modelId: 'steady-a', weight: 1, isFallback: true },
    ],
    {
      defaultTimeoutMs: 5000,
      clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
      sharedState: { url: redis.url, keyPrefix: 'stream-tokens-test:' },
    },
  );
  try {
    await until(() => mux.getHealthStatus().sharedState!.shared, 5000, 'the fleet view was not in use');
    emulator.clearRequests();
    const { stream } = await mux.processStreamRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    let usage: { inputTokens?: number; outputTokens?: number } | undefined;
    for await (const event of stream as AsyncIterable<{ metadata?: { usage?: typeof usage } }>) usage = event.metadata?.usage ?? usage;
    expect(usage).toMatchObject({ inputTokens: 1000, outputTokens: 1000 });
    expect(sentTo('metered')).toBe(1);
    // 2,000 tokens against a bucket of 2.5 (a quarter second of 600 per minute): over quota for
    // minutes, so the next request is routed to the fallback.
    await mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    expect(sentTo('metered')).toBe(1);
    expect(sentTo('steady-a')).toBe(1);
  } finally {
    mux.destroy();
  }
});

test('a response\'s usage is charged to tokensPerMinute where its outcome is reported, watched or not, and no model method is wrapped', async () => {
  emulator.setBehavior('metered', { mode: 'echo', usage: { inputTokens: 1000, outputTokens: 1000 } });
  emulator.setBehavior('steady-a', { mode: 'echo' });
  // Unwatched, the machine reports the success on the core itself (invokedQuietly); with a
  // listener, through reportOutcome: both must charge.
  for (const watched of [false, true]) {
    const mux = createMultiplexer(
      [
        { modelId: 'metered', weight: 1, isFallback: false, tokensPerMinute: 600 },
        { modelId: 'steady-a', weight: 1, isFallback: true },
      ],
      {
        defaultTimeoutMs: 5000,
        clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
        sharedState: { url: redis.url, keyPrefix: `response-tokens-${watched}:` },
      },
    );
    const successes: string[] = [];
    if (watched) mux.on('success', (_response: unknown, outcome: { modelId: string }) => successes.push(outcome.modelId));
    try {
      await until(() => mux.getHealthStatus().sharedState!.shared, 5000, 'the fleet view was not in use');
      emulator.clearRequests();
      const request = { messages: [{ role: 'user' as const, content: [{ text: 'hi' }] }] };
      await mux.processRequest(request);
      expect(sentTo('metered')).toBe(1);
      // 2,000 tokens against a bucket of 2.5: over quota for minutes.
      await mux.processRequest(request);
      expect({ metered: sentTo('metered'), fallback: sentTo('steady-a') }).toEqual({ metered: 1, fallback: 1 });
      expect(successes).toEqual(watched ? ['metered', 'steady-a'] : []);
      // Counted fleet-wide too, once.
      await until(() => mux.getStats().fleet?.metered?.tokens === 2000, 5000, 'the fleet did not count the tokens');
      const model = await mux.getModel('metered');
      expect(Object.prototype.hasOwnProperty.call(model, 'invoke')).toBe(false);
    } finally {
      mux.destroy();
    }
  }
});

test('tier escalation: one instance finds the higher tier throttling too; the fleet skips the model, so no other instance escalates it', async () => {
  emulator.setBehavior('tiered', { fault: 'throttle' });
  emulator.setBehavior('steady-a', { mode: 'echo' });
  const models: Model[] = [
    { modelId: 'tiered', weight: 1, isFallback: false },
    { modelId: 'steady-a', weight: 1, isFallback: true },
  ];
  const instances = (sharedState?: { url: string; keyPrefix: string }) =>
    Array.from({ length: INSTANCES }, () =>
      createMultiplexer(models, {
        defaultTimeoutMs: 5000,
        tierEscalation: { enabled: true, escalationTier: 'priority' },
        clientConfig: { region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
        ...(sharedState ? { sharedState } : {}),
      }),
    );
  const escalations = () => emulator.requests().filter((r) => r.modelId === 'tiered' && r.serviceTier === 'priority').length;
  const run = async (muxes: ReturnType<typeof instances>, shared: boolean) => {
    try {
      if (shared) await until(() => muxes.every((mux) => mux.getHealthStatus().sharedState!.shared), 5000, 'the fleet view was not in use');
      emulator.clearRequests();
      // Instance A first: its default tier throttles, its escalation throttles too, then
      // the fallback answers.
      await muxes[0].processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
      expect(escalations()).toBe(1);
      // The throttle is published at once (a few ms on loopback); B..H then each send one.
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const mux of muxes.slice(1)) await mux.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
      return { escalations: escalations(), sent: sentTo('tiered') };
    } finally {
      for (const mux of muxes) mux.destroy();
    }
  };
  const alone = await run(instances(), false);
  const together = await run(instances({ url: redis.url, keyPrefix: 'escalation-test:' }), true);
  console.log(`escalations of the throttling model by 8 instances: ${alone.escalations} without sharedState, ${together.escalations} with`);
  // Without: every instance learns alone and escalates once.
  expect(alone).toEqual({ escalations: INSTANCES, sent: 2 * INSTANCES });
  // With: only A's two attempts; B..H skip the model on the fleet's throttle cooldown.
  expect(together).toEqual({ escalations: 1, sent: 2 });
});

test("getHealthStatus() counts a model the fleet skips as unhealthy, and getStats().fleet adds the fleet's totals", async () => {
  emulator.setBehavior('throttling-h', { fault: 'throttle' });
  emulator.setBehavior('steady-a', { mode: 'echo', usage: { inputTokens: 3, outputTokens: 4 } });
  const models: Model[] = [
    { modelId: 'throttling-h', weight: 1, isFallback: false },
    { modelId: 'steady-a', weight: 1, isFallback: true },
  ];
  const sharedState = { url: redis.url, keyPrefix: 'health-stats-test:' };
  const [a, b] = [fleetMultiplexer(models, sharedState), fleetMultiplexer(models, sharedState)];
  try {
    await until(() => a.getHealthStatus().sharedState!.shared && b.getHealthStatus().sharedState!.shared, 5000, 'the fleet view was not in use');
    expect(b.getHealthStatus().sharedState).toEqual({ shared: true, viewRefreshedAt: expect.any(Number), unhealthyModels: 0, skippedModels: {} });
    // a: the throttle, then the fallback answers (7 tokens).
    await a.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    await until(() => 'throttling-h' in b.getHealthStatus().sharedState!.skippedModels, 2000, "b did not see a's throttle");
    const health = b.getHealthStatus();
    // b's own figures are untouched: it never called the model.
    expect(health.unhealthyModels).toBe(0);
    expect(health.sharedState).toMatchObject({ shared: true, unhealthyModels: 1, skippedModels: { 'throttling-h': { reason: 'throttled' } } });
    expect(health.sharedState!.skippedModels['throttling-h'].until).toBeGreaterThan(Date.now());
    // Counters reach b with a refresh (every 500 ms).
    await until(() => b.getStats().fleet?.['steady-a']?.successes === 1, 3000, "b did not see a's counters");
    const stats = b.getStats();
    expect(stats.modelStats['steady-a'].successCount).toBe(0);
    expect(stats.fleet).toEqual({
      'throttling-h': { requests: 1, successes: 0, failures: 0, throttles: 1, tokens: 0 },
      'steady-a': { requests: 1, successes: 1, failures: 0, throttles: 0, tokens: 7 },
    });
  } finally {
    a.destroy();
    b.destroy();
  }
});

test('a frozen instance (SIGSTOP beyond the staleness bound, as Lambda freezes) waits for a refresh before its first selection after resuming, and skips a model throttled meanwhile', async () => {
  emulator.setBehavior('throttling-f', { fault: 'throttle' });
  emulator.setBehavior('steady-a', { mode: 'echo' });
  const models: Model[] = [
    { modelId: 'throttling-f', weight: 1, isFallback: false },
    { modelId: 'steady-a', weight: 1, isFallback: true },
  ];
  const sharedState = { url: redis.url, keyPrefix: 'freeze-test:' };
  const args = { endpoint: emulator.endpoint, redisUrl: redis.url, keyPrefix: sharedState.keyPrefix, models, delayMs: 0, requests: 1, concurrency: 1, trace: true };
  const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const a = fleetMultiplexer(models, sharedState);
  try {
    await until(() => stdout.includes('"ready"') || child.exitCode !== null, 15_000, 'the child was not ready');
    await until(() => a.getHealthStatus().sharedState!.shared, 5000, 'the fleet view was not in use');
    child.kill('SIGSTOP');
    // Its subscription dropped while frozen (as a frozen Lambda's connections are), so the
    // throttle cannot reach it by pub/sub: only the catch-up before selection can tell it.
    expect(await redisCommand(redis.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub')).toMatch(/^:[1-9]/);
    // Frozen past the 1000 ms staleness bound; meanwhile a sees the model throttle.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await a.processRequest({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] });
    // The child's request is waiting on its stdin when it resumes.
    // Redis holds every command for 150 ms (under the 250 ms call bound) from just before
    // the resume, so the background refresh the child's driver makes on waking cannot land
    // before the child's request starts (its first selection; 2-13 ms after waking here):
    // only a refresh the request itself waits for can tell it the model throttled. Redis
    // ends a pause on its cron tick: at hz 100 that is 10 ms late at most, not 100.
    expect(await redisCommand(redis.port, 'CONFIG', 'SET', 'hz', '100')).toBe('+OK');
    expect(await redisCommand(redis.port, 'CLIENT', 'PAUSE', '150', 'ALL')).toBe('+OK');
    const resumedAt = Date.now();
    child.stdin.end(`${JSON.stringify({ startAt: resumedAt })}\n`);
    child.kill('SIGCONT');
    expect(await settleWithin(exited, 15_000)).toEqual({ status: 'fulfilled', value: 0 });
    expect(stderr).toBe('');
    const result = stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => 'ok' in line) as ChildResult & { trace: TraceEntry[] };
    expect(result).toMatchObject({ ok: 1, failed: {}, sent: { 'throttling-f': 0, 'steady-a': 1 } });
    console.log(`freeze: resumed at ${resumedAt}, ${JSON.stringify(result.trace)}`);
    // The event order: the request began on a stale view (it would have decided alone), and
    // its selection came after a refresh applied since it began: the request waited for it.
    const [began, selected] = result.trace;
    expect(began).toMatchObject({ event: 'request', shared: false });
    expect(selected).toMatchObject({ event: 'model-selected', modelId: 'steady-a', shared: true });
    expect(selected.viewRefreshedAt).toBeGreaterThanOrEqual(began.at);
  } finally {
    child.kill('SIGCONT');
    a.destroy();
    await redisCommand(redis.port, 'CONFIG', 'SET', 'hz', '10');
  }
});

/** One command to the test's redis-server over a fresh connection; resolves to its first reply line. */
function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('error', reject);
    socket.once('data', (reply) => {
      socket.end();
      resolve(reply.toString().split('\r\n')[0]);
    });
    socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`);
  });
}
