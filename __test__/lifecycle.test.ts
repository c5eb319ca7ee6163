// Plain Node scripts, as users run them (no jest, no server keeping the event loop
// busy): a pending classification or native call keeps the process alive until it
// settles, and nothing idle keeps it alive afterwards. Each script runs in a child
// process that never calls process.exit(); a bounded wait kills it if it hangs.

import * as path from 'node:path';
import { jsonLines, runNode, type ChildRun } from './helpers/child';

jest.setTimeout(60_000);

/** Longest a fixture may take before it is treated as hanging. */
const HANG_LIMIT_MS = 30_000;

type ScriptRun = ChildRun & { steps: Array<Record<string, unknown>> };

/** Runs a fixture script to its end, killing it after HANG_LIMIT_MS. */
async function runFixture(name: string, ...args: string[]): Promise<ScriptRun> {
  const run = await runNode(path.join(__dirname, 'fixtures', name), args, HANG_LIMIT_MS);
  return { ...run, steps: jsonLines(run.stdout) };
}

/** Exited by itself, successfully. */
const exitedByItself = (run: ScriptRun) => ({ killed: run.killed, code: run.code, signal: run.signal, stderr: run.stderr });
const BY_ITSELF = { killed: false, code: 0, signal: null, stderr: '' };

describe('a one-shot script', () => {
  it('classifies with RefusalClassifier and a refusal-detecting multiplexer, prints every result, and exits by itself', async () => {
    const run = await runFixture('one-shot-classify.js');
    expect(exitedByItself(run)).toStrictEqual(BY_ITSELF);
    expect(run.steps).toStrictEqual([
      { step: 'classified', text: "I'm sorry, but I can't help with that request.", isRefusal: true },
      { step: 'classified', text: 'The capital of France is Paris.', isRefusal: false },
      { step: 'refusal-detected', modelId: 'fixture.reluctant-v1:0' },
      { step: 'answered', transport: 'native', text: 'The capital of France is Paris.' },
      { step: 'done' },
    ]);
  });

  it.each([
    ['converse', 'a pending processRequest'],
    ['provider', 'a pending processRequest whose credentials come from an async provider'],
    ['stream', 'a pending processStreamRequest and its events'],
  ])('%s: %s keeps the process alive until it has answered, then the process exits by itself', async (mode) => {
    const run = await runFixture('one-shot-request.js', mode);
    expect(exitedByItself(run)).toStrictEqual(BY_ITSELF);
    expect(run.steps).toStrictEqual([{ step: 'answered', transport: 'native', text: 'echo: still there?' }, { step: 'done' }]);
  });

  it.each([
    ['idle', { step: 'idle', transport: 'native' }],
    ['idle-provider', { step: 'idle', transport: 'native' }],
    ['destroyed', { step: 'destroyed' }],
  ])('%s: a multiplexer with nothing pending does not keep the process alive', async (mode, first) => {
    const run = await runFixture('one-shot-request.js', mode);
    expect(exitedByItself(run)).toStrictEqual(BY_ITSELF);
    expect(run.steps).toStrictEqual([first, { step: 'done' }]);
  });
});
