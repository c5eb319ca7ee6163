// Runs a child process to its end with a deadline, for the tests of what a whole
// process does (exits by itself, survives a low ulimit, stays within its memory).

import { spawn, type SpawnOptions } from 'node:child_process';
import * as path from 'node:path';

// Captured before any test can install fake timers.
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;

export interface ChildRun {
  /** Killed at the deadline: it had not exited by itself. */
  killed: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` from the package's root (stdout and stderr collected) and resolves
 * once it has exited, killing it with SIGKILL after `limitMs`. `onStdout` sees the
 * output so far each time more arrives.
 */
export async function runChild(
  command: string,
  args: string[],
  limitMs: number,
  options: SpawnOptions & { onStdout?: (stdout: string) => void } = {},
): Promise<ChildRun> {
  const { onStdout, ...spawnOptions } = options;
  const child = spawn(command, args, { cwd: path.join(__dirname, '..', '..'), ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    onStdout?.(stdout);
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  let killed = false;
  const killer = realSetTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, limitMs);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  realClearTimeout(killer);
  return { killed, code, signal, stdout, stderr };
}

/** A node script run with `runChild`. */
export function runNode(script: string, args: string[], limitMs: number, options?: Parameters<typeof runChild>[3]): Promise<ChildRun> {
  return runChild(process.execPath, [script, ...args], limitMs, options);
}

/** One JSON value per non-empty line, as the fixtures report their steps. */
export function jsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/** Fails the test unless the child exited by itself with code 0; the failure shows its output. */
export function expectCleanExit(run: ChildRun): void {
  const context = `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
  expect({ killed: run.killed, code: run.code, signal: run.signal, context }).toEqual({ killed: false, code: 0, signal: null, context });
}
