// The bundled emulator over HTTPS (`startEmulator({ tls: true })`): the raw JS SDK reaches
// it when told to trust the emulator's test CA the way a user trusts a corporate CA
// (NODE_EXTRA_CA_CERTS, in a fresh process) and not otherwise; HTTP/2 is negotiated by
// ALPN for the SDK's default handler, HTTP/1.1 for an https.Agent; the request log and the
// counters say so.

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

jest.setTimeout(30_000);

const MODEL = 'us.anthropic.claude-3-haiku-20240307-v1:0';
const CHILD = path.join(__dirname, 'helpers', 'tls-converse-child.js');

const running: RunningEmulator[] = [];

function emulator(options: Parameters<typeof startEmulator>[0] = { tls: true }): RunningEmulator {
  const emu = startEmulator(options);
  running.push(emu);
  return emu;
}

afterEach(async () => {
  for (const emu of running.splice(0)) await emu.stop();
});

/** One Converse by the raw JS SDK in a child process with `env` added to this one's. */
function converseInChild(endpoint: string, env: Record<string, string | undefined>): Promise<any> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CHILD, endpoint, MODEL], { env: childEnv, timeout: 20_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`child failed: ${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout.trim()));
    });
  });
}

test('a TLS emulator has an https endpoint and gives its test CA as PEM', async () => {
  const emu = emulator();
  expect(emu.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(emu.caPem).toMatch(/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/);

  const file = emu.writeCaFile();
  expect(fs.readFileSync(file, 'utf8')).toBe(emu.caPem);
  await emu.stop();
  expect(fs.existsSync(file)).toBe(false);
});

test('each TLS emulator has a CA of its own', () => {
  expect(emulator().caPem).not.toBe(emulator().caPem);
});

test('the JS SDK trusting the CA through NODE_EXTRA_CA_CERTS sends Converse over h2', async () => {
  const emu = emulator();
  const result = await converseInChild(emu.endpoint, { NODE_EXTRA_CA_CERTS: emu.writeCaFile() });
  expect(result).toEqual({ text: 'echo: over TLS' });

  const [request] = emu.requests();
  expect(request).toMatchObject({ modelId: MODEL, protocol: 'h2', httpVersion: 'HTTP/2.0', tls: true, signatureVerified: true });
  expect(emu.stats()).toMatchObject({ requests: 1, tlsHandshakes: 1 });
});

test('the JS SDK without the CA refuses the emulator', async () => {
  const emu = emulator();
  const result = await converseInChild(emu.endpoint, { NODE_EXTRA_CA_CERTS: undefined });
  expect(result.error).toBeDefined();
  expect(`${result.error.code} ${result.error.message}`).toMatch(/unable to verify|issuer|self.signed/i);
  expect(emu.requests()).toEqual([]);
  expect(emu.stats().tlsHandshakes).toBe(0);
});

test('an https.Agent with the CA speaks HTTP/1.1 over TLS and keeps one connection', async () => {
  const emu = emulator();
  const agent = new https.Agent({ ca: emu.caPem!, keepAlive: true, maxSockets: 1 });
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { ...EMULATOR_CREDENTIALS },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: agent }),
  });
  try {
    for (const text of ['one', 'two', 'three']) {
      const output = await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text }] }] }));
      expect(output.output?.message?.content?.[0]?.text).toBe(`echo: ${text}`);
    }
  } finally {
    client.destroy();
    agent.destroy();
  }
  const requests = emu.requests();
  expect(requests.map((r) => [r.protocol, r.tls])).toEqual([
    ['http/1.1', true],
    ['http/1.1', true],
    ['http/1.1', true],
  ]);
  expect(emu.stats()).toMatchObject({ requests: 3, connectionsTotal: 1, tlsHandshakes: 1 });
});

test('a plain emulator stays plain HTTP and has no CA', async () => {
  const emu = emulator({});
  expect(emu.endpoint).toMatch(/^http:\/\//);
  expect(emu.caPem).toBeNull();
  expect(() => emu.writeCaFile()).toThrow(/no generated CA/);
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: emu.endpoint,
    credentials: { ...EMULATOR_CREDENTIALS },
    maxAttempts: 1,
  });
  try {
    await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'plain' }] }] }));
  } finally {
    client.destroy();
  }
  expect(emu.requests().map((r) => r.tls)).toEqual([false]);
  expect(emu.stats().tlsHandshakes).toBe(0);
});

test('bad tls options are refused at start', () => {
  expect(() => startEmulator({ tls: 'yes' as any })).toThrow(/option tls must be/);
  expect(() => startEmulator({ tls: { cert: 'not a PEM', key: 'nor this' } })).toThrow(/TLS/);
});
