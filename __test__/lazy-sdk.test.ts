// Cold start: a caller on the native transport never pays for loading the JS SDK (about
// 45 ms), while a caller who stubbed the SDK's client still gets every call through the
// stub. Run in plain Node child processes: under jest the SDK is always looked at, since
// jest.mock can replace it without loading it.

import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

jest.setTimeout(30_000);

const CHILD = path.join(__dirname, 'helpers', 'lazy-sdk-child.js');

let emu: RunningEmulator;

beforeAll(() => {
  emu = startEmulator();
});

afterAll(async () => {
  await emu.stop();
});

function runChild(mode: 'native' | 'stubbed'): Promise<any> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, emu.endpoint, mode], { timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`child failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim()));
    });
  });
}

test('the native transport answers without the JS SDK ever being loaded', async () => {
  const result = await runChild('native');
  expect(result).toEqual({ text: expect.stringContaining('cold'), afterLoad: false, afterCreate: false, afterRequest: false });
  expect(emu.requests().length).toBeGreaterThan(0);
});

test("a client the caller stubbed on the SDK's prototype still receives the call", async () => {
  const sentBefore = emu.requests().length;
  const result = await runChild('stubbed');
  expect(result).toEqual({ text: 'from the stub', afterLoad: true, afterCreate: true, afterRequest: true });
  expect(emu.requests().length).toBe(sentBefore);
});
