// No secret in any message: the secret access key and the session token never appear
// in a thrown error (its message, stack, `util.inspect(err, { showHidden: true })`),
// in an outcome, in an event payload or in the health and stats reports, whatever the
// credentials' source (static object, async provider, environment), the transport
// (native or JS SDK) and the type of the value (right, or a wrong type that still holds
// the secret: `{ value }`, a Buffer, a String object, an array). Wrong types are
// refused with the field and the type it must have, as the JS SDK's signer refuses them.

import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { transcript } = require('./helpers/secret-transcript');

type Transcript = { texts: string[]; messages: string[]; succeeded: number };

jest.setTimeout(60_000);

const KEY_ID = 'AKIDSECRETSCAN';
const SECRET = `scan-secret-${randomBytes(12).toString('hex')}`;
const TOKEN = `scan-token-${randomBytes(12).toString('hex')}`;
/** A secret of the right type that the emulator does not accept. */
const WRONG_SECRET = `scan-wrong-${randomBytes(12).toString('hex')}`;

/** Each secret as text and in the encodings a value of the wrong type would be shown in. */
const NEEDLES = [SECRET, TOKEN, WRONG_SECRET].flatMap((secret) => {
  const bytes = Buffer.from(secret);
  return [
    secret,
    bytes.toString('hex'),
    bytes.toString('base64'),
    // `<Buffer 73 63 61 ...>` and `Uint8Array(n) [ 115, 99, 97, ...]`, as inspect shows bytes.
    [...bytes.subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join(' '),
    [...bytes.subarray(0, 12)].join(', '),
    // The same as JSON (`{"type":"Buffer","data":[115,99,97,...]}`).
    [...bytes.subarray(0, 12)].join(','),
    // A typed array as JSON (`{"0":115,"1":99,...}`).
    [...bytes.subarray(0, 12)].map((b, i) => `"${i}":${b}`).join(','),
    // An array of characters, as inspect and as JSON show them.
    [...secret.slice(0, 12)].map((c) => `'${c}'`).join(', '),
    [...secret.slice(0, 12)].map((c) => `"${c}"`).join(','),
  ];
});

/** The needles found in `texts`. */
function leaks(texts: string[]): string[] {
  return NEEDLES.filter((needle) => texts.some((text) => text.includes(needle)));
}

/** One use of a multiplexer in this process (see helpers/secret-transcript.js). */
function attempt(emu: RunningEmulator, credentials: unknown, transport: string): Promise<Transcript> {
  return transcript(emu.endpoint, credentials, transport);
}

/**
 * The same in a child process whose environment holds the credentials: jest gives
 * tests a copy of process.env, which the native client (reading the real environment)
 * does not see.
 */
function attemptWithEnvironment(emu: RunningEmulator, transport: string, env: Record<string, string>): Promise<Transcript> {
  const script = path.join(__dirname, 'helpers', 'secret-transcript.js');
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.AWS_PROFILE;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, emu.endpoint, transport], { env: childEnv, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

const keys = (overrides: Record<string, unknown>) => ({ accessKeyId: KEY_ID, secretAccessKey: SECRET, ...overrides });

/** Right types: the signer uses them (a String object token is sent as the token, as by the JS SDK). */
const RIGHT: Array<[string, Record<string, unknown>]> = [
  ['strings', keys({ sessionToken: TOKEN })],
  ['a String object session token', keys({ sessionToken: new String(TOKEN) })],
];

/** Wrong types that still hold the secret, and the field they are refused by. */
const WRONG: Array<[string, Record<string, unknown>, string]> = [
  ['secret as { value }', keys({ secretAccessKey: { value: SECRET } }), 'secretAccessKey'],
  ['secret as a Buffer', keys({ secretAccessKey: Buffer.from(SECRET) }), 'secretAccessKey'],
  ['secret as a String object', keys({ secretAccessKey: new String(SECRET) }), 'secretAccessKey'],
  ['secret as an array', keys({ secretAccessKey: [...SECRET] }), 'secretAccessKey'],
  ['token as { value }', keys({ sessionToken: { value: TOKEN } }), 'sessionToken'],
  ['token as a Buffer', keys({ sessionToken: Buffer.from(TOKEN) }), 'sessionToken'],
  ['token as a Uint8Array', keys({ sessionToken: new Uint8Array(Buffer.from(TOKEN)) }), 'sessionToken'],
];

const TRANSPORTS = ['native', 'js-sdk'];

let emu: RunningEmulator;

beforeAll(() => {
  emu = startEmulator({ credentials: [{ accessKeyId: KEY_ID, secretAccessKey: SECRET }] });
});

afterAll(async () => {
  await emu.stop();
});

describe.each(TRANSPORTS)('with the %s transport', (transport) => {
  describe.each([
    ['static', (credentials: Record<string, unknown>) => credentials],
    ['provider', (credentials: Record<string, unknown>) => async () => credentials],
  ])('%s credentials', (_source, as) => {
    test.each(RIGHT)('of the right types (%s) sign requests, and no message shows them', async (_name, credentials) => {
      emu.clearRequests();
      const { texts, messages, succeeded } = await attempt(emu, as(credentials), transport);
      expect(messages).toEqual([]);
      expect(succeeded).toBe(2);
      expect(emu.requests().map((request) => request.headers['x-amz-security-token'])).toEqual([TOKEN, TOKEN]);
      expect(leaks(texts)).toEqual([]);
    });

    test.each(WRONG)('of a wrong type (%s) are refused without showing the value', async (_name, credentials, field) => {
      const { texts, messages, succeeded } = await attempt(emu, as(credentials), transport);
      expect(leaks(texts)).toEqual([]);
      expect(succeeded).toBe(0);
      expect(messages.length).toBeGreaterThan(0);
      if (transport === 'native') {
        // The field and the type it must have.
        for (const message of messages) expect(message).toMatch(new RegExp(`${field} must be a string \\(got object\\)`));
      }
    });
  });

  test('a secret of the right type that the service refuses is not shown', async () => {
    const { texts, messages, succeeded } = await attempt(emu, keys({ secretAccessKey: WRONG_SECRET, sessionToken: TOKEN }), transport);
    expect(succeeded).toBe(0);
    expect(messages.join('\n')).toMatch(/signature/i);
    expect(leaks(texts)).toEqual([]);
  });

  test.each([
    ['accepted', SECRET, 2],
    ['refused', WRONG_SECRET, 0],
  ])('environment credentials (%s) are not shown', async (_name, secret, successes) => {
    const env = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: secret as string, AWS_SESSION_TOKEN: TOKEN };
    const { texts, succeeded } = await attemptWithEnvironment(emu, transport, env);
    expect(succeeded).toBe(successes);
    expect(leaks(texts)).toEqual([]);
  });
});

test('the scan finds a secret where one is shown', () => {
  // The check itself can fail: a napi conversion error of the kind this suite guards
  // against, and an inspected Buffer, are both caught.
  const found = leaks([
    String(new Error(`Failed to convert JavaScript value \`Object {"value":"${SECRET}"}\` into rust type \`String\``)),
    inspect({ sessionToken: Buffer.from(TOKEN) }),
    inspect({ secretAccessKey: new String(WRONG_SECRET) }),
  ]);
  expect(found).toContain(SECRET);
  expect(found).toContain(WRONG_SECRET);
  expect(found.some((needle) => needle.startsWith('73 63 61 6e 2d 74 6f 6b'))).toBe(true); // the Buffer's bytes
});
