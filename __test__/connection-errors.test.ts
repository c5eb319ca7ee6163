// Connection-level failures through the native client throw what the JS SDK throws for
// the same failure: the host that did not resolve or the address that refused is named,
// with Node's socket error as `cause`. The JS SDK sends over HTTP/2 (for http://
// endpoints too), so a host it cannot reach fails as Node's `ERR_HTTP2_STREAM_CANCEL`:
// `The pending stream has been canceled (caused by: getaddrinfo ENOTFOUND <host>)`.
//
// The cases run in a child process in plain Node (helpers/connection-errors-child.js
// says why), each twice, `transport: 'native'` and `transport: 'js-sdk'`; this file
// compares what a caller observes of both rejections.

import { execFile } from 'node:child_process';
import * as path from 'node:path';

jest.setTimeout(120_000);

interface Observed {
  prototypes: string[];
  enumerable: string[];
  values: Record<string, any>;
  text: string;
}

let results: Record<string, { native: Observed; js: Observed }>;
let refusedPort: number;

beforeAll(async () => {
  const child = path.join(__dirname, 'helpers', 'connection-errors-child.js');
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [child], { timeout: 110_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  ({ refusedPort, ...results } = JSON.parse(out));
});

const CALLS = ['invokeStream', 'processRequest'] as const;

describe.each(CALLS)('%s', (call) => {
  const both = (name: string) => results[`${call} ${name}`];
  /** The rejection's message (processRequest's FailFastError takes the SDK error's). */
  const message = (observed: Observed) => observed.values.message;

  it('an unresolvable host (.invalid): the same error, naming the host', () => {
    const { native, js } = both('unresolvable');
    expect(native).toStrictEqual(js);
    expect(message(native)).toBe('The pending stream has been canceled (caused by: getaddrinfo ENOTFOUND bedrock.invalid)');
  });

  it('a port that refuses connections: the same error, naming the address and port, after the same number of attempts', () => {
    const { native, js } = both('refused');
    expect(native).toStrictEqual(js);
    expect(message(native)).toBe(`The pending stream has been canceled (caused by: connect ECONNREFUSED 127.0.0.1:${refusedPort})`);
  });

  it('a host name whose address refuses connections: the same error, naming the resolved address', () => {
    const { native, js } = both('refusedByName');
    expect(native).toStrictEqual(js);
    expect(message(native)).toBe(`The pending stream has been canceled (caused by: connect ECONNREFUSED 127.0.0.1:${refusedPort})`);
  });

  it('requestHandler.requestTimeout running out: the same TimeoutError', () => {
    const { native, js } = both('requestTimeout');
    expect(native).toStrictEqual(js);
    expect(native.values.name).toBe('TimeoutError');
  });
});

describe('the SDK error itself (thrown as is by invokeStream)', () => {
  it('unreachable: Error [ERR_HTTP2_STREAM_CANCEL] with code, cause (Node getaddrinfo error) and $metadata', () => {
    const { native } = results['invokeStream unresolvable'];
    expect(native.text).toBe(
      'Error [ERR_HTTP2_STREAM_CANCEL]: The pending stream has been canceled (caused by: getaddrinfo ENOTFOUND bedrock.invalid)',
    );
    expect(native.enumerable).toStrictEqual(['code', 'cause', '$metadata']);
    expect(native.values.cause.values).toStrictEqual({
      stack: 'string',
      message: 'getaddrinfo ENOTFOUND bedrock.invalid',
      errno: -3008,
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'bedrock.invalid',
    });
    expect(native.values.$metadata).toStrictEqual({ attempts: 1, totalRetryDelay: 'number' });
  });

  it('refused: the cause carries errno, code, syscall, address and port; $metadata counts both attempts', () => {
    const { native } = results['invokeStream refused'];
    expect(native.values.cause.values).toStrictEqual({
      stack: 'string',
      message: `connect ECONNREFUSED 127.0.0.1:${refusedPort}`,
      errno: -111,
      code: 'ECONNREFUSED',
      syscall: 'connect',
      address: '127.0.0.1',
      port: refusedPort,
    });
    expect(native.values.$metadata).toStrictEqual({ attempts: 2, totalRetryDelay: 'number' });
  });

  it('timed out: TimeoutError naming the requestTimeout, as the JS SDK words it', () => {
    const { native } = results['invokeStream requestTimeout'];
    expect(native.text).toBe('TimeoutError: Stream timed out because of no activity for 200 ms');
  });
});
