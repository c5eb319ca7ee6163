// A small seeded run of scripts/fuzz-exports.js: every export called with hostile
// arguments (throwing getters, Proxies, cycles, BigInt, Symbol, sparse arrays of
// length 2³² − 1, 8 MB strings, near-valid configs) in child processes. No call may
// crash its process, block it past the watchdog, leave a promise unsettled, throw
// from a timer or leave a rejection unhandled, or add more than the memory bound.
// The script's own header says how it counts; `--calls 10000` is the long run.

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import * as pkg from '../index';

jest.setTimeout(300_000);

const CALLS = 1000;
const SEED = 2026;

function fuzz(): Promise<any> {
  const script = path.join(__dirname, '..', 'scripts', 'fuzz-exports.js');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, '--calls', String(CALLS), '--seed', String(SEED), '--json'], { timeout: 280_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      // Exit code 1 means problems were found: the summary says which.
      if (error && error.code !== 1) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

test(`${CALLS} seeded calls of every export: no crash, hang, unsettled promise or stray error`, async () => {
  const summary = await fuzz();
  expect(summary.problems).toEqual([]);
  expect(summary).toMatchObject({ completed: CALLS, crashes: 0, hangs: 0, unsettled: 0, uncaught: 0, unhandledRejections: 0, overMemoryBound: 0 });
  // Every function and class the package exports was called.
  const callable = Object.entries(pkg).filter(([, value]) => typeof value === 'function').map(([name]) => name);
  expect(Object.keys(summary.byExport).sort()).toEqual(callable.sort());
  // The calls went past the first check: some promises resolved, some rejected.
  expect(summary.resolved).toBeGreaterThan(0);
  expect(summary.rejected).toBeGreaterThan(0);
});
