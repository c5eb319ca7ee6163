// Small test utilities shared by the suites.

// Captured before any test can install fake timers.
const realSetImmediate = setImmediate;
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

/**
 * Formats one stack trace from the calling test file and from the helpers, so that
 * source-map-support has already parsed their source maps (it draws Math.random while
 * sorting mappings) before a test starts counting Math.random calls.
 */
export function warmStackTraces(): void {
  void new Error('warm-up').stack;
}

/** Let every queued promise job run (works while jest's fake timers are installed). */
export async function flush(rounds = 3): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => realSetImmediate(resolve));
  }
}

export type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: any };

/**
 * Resolves with how `promise` settled, or fails the test if it has not settled
 * within `ms` milliseconds of real time. Not for use under fake timers.
 */
export async function settleWithin<T>(promise: Promise<T>, ms = 2000): Promise<Settled<T>> {
  let timer: any;
  const deadline = new Promise<never>((_, reject) => {
    timer = realSetTimeout(() => reject(new Error(`promise did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ status: 'fulfilled' as const, value }),
        (reason) => ({ status: 'rejected' as const, reason }),
      ),
      deadline,
    ]);
  } finally {
    realClearTimeout(timer);
  }
}

/** Watches a promise without awaiting it (for fake-timer tests). */
export function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; rejected: boolean; value?: T; reason?: any } = { settled: false, rejected: false };
  promise.then(
    (value) => {
      state.settled = true;
      state.value = value;
    },
    (reason) => {
      state.settled = true;
      state.rejected = true;
      state.reason = reason;
    },
  );
  return state;
}

/** Polls `condition` in real time until it holds or `ms` passes. */
export async function eventually(condition: () => boolean, ms = 1000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
  return true;
}

export const EVENT_NAMES = [
  'request',
  'success',
  'error',
  'model-circuit-open-skipped',
  'model-added',
  'model-removed',
  'stats',
  'stats-reset',
  'model-selected',
  'model-invocation-start',
  'model-invocation-complete',
  'refusal-detected',
  'refusal-classification',
  'tier-escalation',
  'tier-escalation-success',
  'tier-escalation-failure',
] as const;

export type EventRecord = [string, ...any[]];

/** Records every multiplexer event, with its arguments, in emission order. */
export function recordEvents(emitter: { on(event: any, listener: any): any }): EventRecord[] {
  const log: EventRecord[] = [];
  for (const name of EVENT_NAMES) {
    emitter.on(name, (...args: any[]) => log.push([name, ...args]));
  }
  return log;
}

export const names = (log: EventRecord[]) => log.map((entry) => entry[0]);

export function modelConfig(modelId: string, weight = 1, isFallback = false) {
  return { modelId, weight, isFallback };
}
