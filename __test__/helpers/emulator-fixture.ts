// A fresh bundled emulator for each test of a file, with `fallback` answering, and the
// multiplexers a test builds on it (native or JS SDK transport) destroyed after it. Used by
// the suites of the options beyond the original (failover, back-off, hedging).

import { createMultiplexer } from '../../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../../testing';
import type { RunningEmulator } from '../../testing';

export interface EmulatorFixture {
  /** This test's emulator. */
  emulator(): RunningEmulator;
  /** A multiplexer over `modelIds` (the first primary, the rest fallbacks) on this test's emulator. */
  multiplexer(transport: 'native' | 'js-sdk', extra: Record<string, any>, modelIds?: string[]): ReturnType<typeof createMultiplexer>;
}

export function emulatorFixture(fallback: string, defaults: { modelIds: string[]; defaultTimeoutMs: number }): EmulatorFixture {
  let emu: RunningEmulator;
  const multiplexers: Array<{ destroy(): void }> = [];

  beforeEach(() => {
    emu = startEmulator();
    emu.setBehavior(fallback, { mode: 'fixed', text: 'from the fallback' });
  });

  afterEach(async () => {
    jest.useRealTimers();
    jest.restoreAllMocks();
    for (const mux of multiplexers.splice(0)) mux.destroy();
    await emu.stop();
    // A native call a test left in flight (its request already settled, or a cancelled
    // racer) ends when the emulator closes its connection; let it settle while the file's
    // environment is still up, or building its error would require the SDK after jest's
    // teardown.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  return {
    emulator: () => emu,
    multiplexer(transport, extra, modelIds = defaults.modelIds) {
      const mux = createMultiplexer(
        modelIds.map((modelId, i) => ({ modelId, weight: 1, isFallback: i > 0 })),
        {
          defaultTimeoutMs: defaults.defaultTimeoutMs,
          maxRetries: 3,
          transport,
          clientConfig: { region: 'us-east-1', endpoint: emu.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 },
          ...extra,
        } as any,
      );
      multiplexers.push(mux);
      return mux;
    },
  };
}
