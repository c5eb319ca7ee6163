// Local resource exhaustion named: a child process under a low `ulimit -n` uses up its
// file descriptors, then sends a request through the native transport. The caller must
// see Node's EMFILE (not "socket hang up"), tried once (the JS SDK does not retry it),
// classified as the original classifies any non-throttling error; once descriptors are
// free again the model answers.

import * as path from 'node:path';
import { OutcomeType } from '../index';
import { expectCleanExit, jsonLines, runChild } from './helpers/child';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { startStallingServer } = require('./helpers/hostile-server');

jest.setTimeout(20_000);

const describeOnUnix = process.platform === 'win32' ? describe.skip : describe;

describeOnUnix('a request when the process has no file descriptor left', () => {
  it('fails with EMFILE, tried once, and the model answers once descriptors are free', async () => {
    const server = await startStallingServer();
    try {
      const script = path.join(__dirname, 'fixtures', 'emfile-request.js');
      const run = await runChild('/bin/sh', ['-c', 'ulimit -n 256 && exec "$0" "$@"', process.execPath, script, server.endpoint], 15_000);
      expectCleanExit(run);
      const phases = Object.fromEntries(jsonLines(run.stdout).map((entry) => [entry.phase, entry]));

      expect(phases.filled.code).toBe('EMFILE');
      expect(phases.failed).toMatchObject({
        name: 'FailFastError',
        message: 'connect EMFILE',
        // The original's classifier: not throttling, hence fail-fast.
        outcomeType: OutcomeType.FAIL_FAST,
        details: { name: 'Error', metadata: { attempts: 1, totalRetryDelay: 0 } },
        errorEvents: [OutcomeType.FAIL_FAST, null],
      });
      // Beyond the original: the process, not the model, ran out of descriptors, so the
      // model's breaker records nothing (the original counted a failure).
      expect(phases.failed.breaker).toMatchObject({ state: 'CLOSED', failureCount: 0 });
      // The error itself, as invokeStream throws it: Node's fields, one attempt.
      expect(phases['stream-failed']).toEqual({
        phase: 'stream-failed',
        name: 'Error',
        message: 'connect EMFILE',
        code: 'EMFILE',
        errno: -24,
        syscall: 'connect',
        $metadata: { attempts: 1, totalRetryDelay: 0 },
      });
      expect(phases.done).toMatchObject({ stopReason: 'end_turn' });
    } finally {
      await server.close();
    }
  });
});
