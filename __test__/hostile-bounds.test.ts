// Hostile-server tests of the native transport's bounds and of JS objects built from
// service data. A raw TCP "Bedrock" (helpers/hostile-server.js, 127.0.0.1 only) answers
// with scripted bytes: a frame whose prelude claims 4 GB, a 2 GB Content-Length, an
// endless body, error bodies and documents whose keys name Object.prototype's members.
// Each call is bounded in time by settleWithin; memory by the process's RSS.

import * as path from 'node:path';
import * as sdk from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { BedrockMultiplexer, MultiplexerConfigValidator, OutcomeType } from '../index';
import { expectCleanExit, runChild } from './helpers/child';
import { settleWithin } from './helpers/util';

const { sendNative, sendNativeStream } = require('../js/transport');
const { summary } = require('./helpers/differential');
const { thrownSummary } = require('./helpers/stream-differential');
const hostile = require('./helpers/hostile-server');

jest.setTimeout(30_000);

const MiB = 1024 * 1024;
const MODEL = 'hostile.model-v1:0';
const INPUT = () => ({ messages: [{ role: 'user' as const, content: [{ text: 'hi' }] }] });
const CREDENTIALS = { accessKeyId: 'AKIDHOSTILE', secretAccessKey: 'hostile-secret' };

const servers: any[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: (request: any, reply: any) => Promise<void> | void) {
  const server = await hostile.startHostileServer(script);
  servers.push(server);
  return server;
}

/** A fresh clientConfig per call: one native client (and pool) per object. */
function clientConfig(endpoint: string, extra: Record<string, unknown> = {}) {
  return { region: 'us-east-1', endpoint, credentials: { ...CREDENTIALS }, ...extra };
}

/** RSS now, after a collection when exposed (it is not under plain jest: then RSS as is). */
function rss(): number {
  (globalThis as any).gc?.();
  return process.memoryUsage().rss;
}

/** Runs `call` while sampling RSS; gives how it settled and the highest RSS growth seen. */
async function withPeakRss<T>(call: () => Promise<T>, ms = 15_000) {
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const settled = await settleWithin(call(), ms);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { settled, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

/** A reusable 1 MiB block of junk. */
const JUNK = Buffer.alloc(MiB, 0x41);

describe('bounds on what a server sends (native transport)', () => {
  it('refuses an event-stream frame whose prelude claims ~4 GB before buffering it', async () => {
    let closedByClient: Promise<boolean> | undefined;
    const server = await serve(async (_request, reply) => {
      await reply.write(hostile.eventStreamHead());
      await reply.write(hostile.chunk(hostile.prelude(0xf0000000)));
      closedByClient = reply.untilClosed(5000);
      // Then as much of the "frame" as the client will take, up to 1.5 GB.
      await reply.pump(hostile.chunk(JUNK), 1536 * MiB);
    });
    const { settled, growth } = await withPeakRss(() => sendNativeStream(clientConfig(server.endpoint), MODEL, INPUT(), null));
    expect(settled.status).toBe('rejected');
    const error = (settled as any).reason;
    expect(error).toMatchObject({
      name: 'ResponseTooLargeError',
      code: 'ERR_EVENT_FRAME_TOO_LARGE',
      limit: 16 * MiB,
      size: 0xf0000000,
      message: 'Event-stream frame of 4026531840 bytes exceeds the format\'s limit of 16777216 bytes',
    });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 1 });
    expect(String(error)).toContain('ResponseTooLargeError');
    expect(await closedByClient).toBe(true);
    expect(growth).toBeLessThan(64 * MiB);
    expect(server.bytesWritten()).toBeLessThan(256 * MiB);
    expect(server.requests).toHaveLength(1);
  });

  it('fails a stream whose later frame is over the limit, through the iterator', async () => {
    const server = await serve(async (_request, reply) => {
      await reply.write(hostile.eventStreamHead());
      await reply.write(hostile.chunk(hostile.event('messageStart', { role: 'assistant' })));
      await reply.write(hostile.chunk(hostile.prelude(100 * MiB)));
      await reply.pump(hostile.chunk(JUNK), 200 * MiB);
    });
    const opened = await settleWithin(sendNativeStream(clientConfig(server.endpoint), MODEL, INPUT(), null) as Promise<any>, 10_000);
    expect(opened.status).toBe('fulfilled');
    const events: unknown[] = [];
    const read = (async () => {
      for await (const e of (opened as any).value.stream) events.push(e);
    })();
    const ended = await settleWithin(read, 10_000);
    expect(events).toEqual([{ messageStart: { role: 'assistant' } }]);
    expect(ended.status).toBe('rejected');
    const error = (ended as any).reason;
    expect(error).toMatchObject({ name: 'ResponseTooLargeError', code: 'ERR_EVENT_FRAME_TOO_LARGE', size: 100 * MiB });
    // Thrown by the event iterator, like the SDK's stream errors: no $metadata.
    expect(error.$metadata).toBeUndefined();
  });

  it('refuses a 2 GB Content-Length without reading the body, and does not retry', async () => {
    let closedByClient: Promise<boolean> | undefined;
    const server = await serve(async (_request, reply) => {
      await reply.write(hostile.head(200, { 'content-type': 'application/json', 'content-length': 2 * 1024 * MiB, 'x-amzn-requestid': 'hostile-1' }));
      closedByClient = reply.untilClosed(5000);
      await reply.pump(JUNK, 1536 * MiB);
    });
    // The JS SDK's default of 3 attempts: a refused body is not fetched again.
    const { settled, growth } = await withPeakRss(() => sendNative(clientConfig(server.endpoint), MODEL, INPUT(), null, null));
    expect(settled.status).toBe('rejected');
    const error = (settled as any).reason;
    expect(error).toMatchObject({
      name: 'ResponseTooLargeError',
      code: 'ERR_RESPONSE_TOO_LARGE',
      limit: 64 * MiB,
      size: 2 * 1024 * MiB,
      message: 'Response body of 2147483648 bytes (Content-Length) exceeds maxResponseBytes (67108864 bytes)',
    });
    expect(error.$metadata).toMatchObject({ httpStatusCode: 200, requestId: 'hostile-1', attempts: 1 });
    expect(await closedByClient).toBe(true);
    expect(growth).toBeLessThan(64 * MiB);
    expect(server.requests).toHaveLength(1);
  });

  it('cuts a body without a length at maxResponseBytes while reading it', async () => {
    const server = await serve(async (_request, reply) => {
      // No Content-Length: the body runs until the connection closes.
      await reply.write(hostile.head(200, { 'content-type': 'application/json', connection: 'close' }));
      await reply.pump(JUNK, 1024 * MiB);
      reply.destroy();
    });
    const { settled, growth } = await withPeakRss(() => sendNative(clientConfig(server.endpoint), MODEL, INPUT(), null, null, 4 * MiB));
    expect(settled.status).toBe('rejected');
    const error = (settled as any).reason;
    expect(error).toMatchObject({ name: 'ResponseTooLargeError', code: 'ERR_RESPONSE_TOO_LARGE', limit: 4 * MiB });
    expect(error.size).toBeGreaterThan(4 * MiB);
    expect(error.message).toMatch(/^Response body exceeds maxResponseBytes \(4194304 bytes\): \d+ bytes read$/);
    expect(growth).toBeLessThan(64 * MiB);
    expect(server.requests).toHaveLength(1);
  });

  it('cuts a body longer than its declared Content-Length... as HTTP does: at the declared length', async () => {
    const body = JSON.stringify({ stopReason: 'end_turn' });
    const server = await serve(async (_request, reply) => {
      await reply.write(hostile.head(200, { 'content-type': 'application/json', 'content-length': body.length }));
      await reply.write(body);
      await reply.write(JUNK); // beyond the declared length: not part of this response
      reply.destroy();
    });
    const settled = await settleWithin(sendNative(clientConfig(server.endpoint), MODEL, INPUT(), null, null, 1024), 10_000);
    expect(settled).toMatchObject({ status: 'fulfilled', value: { stopReason: 'end_turn' } });
  });

  it('answers bodies within the limit as before', async () => {
    const answer = { output: { message: { role: 'assistant', content: [{ text: 'x'.repeat(3 * MiB) }] } }, stopReason: 'end_turn' };
    const server = await serve(answering(hostile.jsonResponse(200, answer)));
    const settled = await settleWithin(sendNative(clientConfig(server.endpoint), MODEL, INPUT(), null, null, 4 * MiB), 10_000);
    expect(settled.status).toBe('fulfilled');
    expect((settled as any).value.output.message.content[0].text).toHaveLength(3 * MiB);
  });

  it('converts a 50 MB answer within a small constant factor of its size (peak RSS, own process)', async () => {
    const text = 'x'.repeat(50 * MiB);
    const large = hostile.jsonResponse(200, { output: { message: { role: 'assistant', content: [{ text }] } }, stopReason: 'end_turn' });
    const small = hostile.jsonResponse(200, { stopReason: 'end_turn' });
    const server = await serve(async (request, reply) => {
      await reply.write(request.path.includes('/model/small/') ? small : large);
    });
    const measure = async (env: Record<string, string>) => {
      const script = path.join(__dirname, 'fixtures', 'large-answer-rss.js');
      const run = await runChild(process.execPath, ['--expose-gc', script, server.endpoint], 25_000, { env: { ...process.env, ...env } });
      expectCleanExit(run);
      const report = JSON.parse(run.stdout);
      expect(report.textLength).toBe(50 * MiB);
      return report.peakGrowth / large.length;
    };
    // With mimalloc purging freed memory at once, the peak is what the conversion holds
    // live: the body and the tree built from it, or the tree and the JSON text for
    // JavaScript, or that text and JavaScript's output (measured: about 2.5x).
    expect(await measure({ MIMALLOC_PURGE_DELAY: '0' })).toBeLessThan(3.5);
    // As shipped, large answers hand their freed memory back before JavaScript builds its
    // copy (measured: about 4x; 5.9x before they did).
    expect(await measure({})).toBeLessThan(5);
  });

  it('counts an oversized answer as a failure of that model: fail-fast, breaker failure, no failover', async () => {
    const server = await serve(async (_request, reply) => {
      await reply.write(hostile.head(200, { 'content-type': 'application/json', 'content-length': 8 * MiB }));
      await reply.pump(JUNK, 8 * MiB);
    });
    const mux = new BedrockMultiplexer({
      models: [
        { modelId: 'hostile.primary-v1:0', weight: 1, isFallback: false },
        { modelId: 'hostile.fallback-v1:0', weight: 1, isFallback: true },
      ],
      defaultTimeoutMs: 10_000,
      maxRetries: 3,
      maxResponseBytes: 1 * MiB,
      clientConfig: clientConfig(server.endpoint),
    });
    try {
      const settled = await settleWithin(mux.processRequest(INPUT()), 15_000);
      expect(settled.status).toBe('rejected');
      const error = (settled as any).reason;
      expect(error.name).toBe('FailFastError');
      expect(error.outcome).toMatchObject({ modelId: 'hostile.primary-v1:0', type: OutcomeType.FAIL_FAST });
      expect(error.message).toContain('exceeds maxResponseBytes');
      expect(mux.getCircuitBreakerStatus()['hostile.primary-v1:0'].failureCount).toBe(1);
      expect(server.requests).toHaveLength(1);
    } finally {
      mux.destroy();
    }
  });

  it('validates maxResponseBytes with the other multiplexer options', () => {
    const config = { models: [{ modelId: 'm', weight: 1, isFallback: false }], defaultTimeoutMs: 30000, maxRetries: 3 };
    expect(MultiplexerConfigValidator.validate({ ...config, maxResponseBytes: 64 * MiB }).isValid).toBe(true);
    expect(MultiplexerConfigValidator.validate({ ...config, maxResponseBytes: 512 }).errors).toEqual([
      { field: 'maxResponseBytes', message: 'maxResponseBytes must be at least 1024 bytes', expected: '>= 1024', actual: '512' },
    ]);
    expect(() => new BedrockMultiplexer({ ...config, maxResponseBytes: 'big' } as any)).toThrow(
      'Validation failed: maxResponseBytes: maxResponseBytes must be an integer (expected: integer) (got: big)',
    );
  });
});

// ---------------------------------------------------------------------------
// Service data with special keys: the native transport against the JS SDK
// ---------------------------------------------------------------------------

/** A body whose members name Object.prototype's: a plain assignment would break the error. */
const SPECIAL_BODY =
  '{"message":"bad input","toString":"x","constructor":{"name":"c"},"__proto__":{"polluted":true},"hasOwnProperty":1,"valueOf":2,"extra":"kept"}';

/** The JS SDK's client over HTTP/1.1 (its Bedrock default is HTTP/2, which this server does not speak). */
function jsSdkClient(endpoint: string) {
  return new sdk.BedrockRuntimeClient({ ...clientConfig(endpoint), maxAttempts: 1, requestHandler: new NodeHttpHandler() });
}

async function jsSdkSend(endpoint: string, command: any) {
  const client = jsSdkClient(endpoint);
  try {
    return await client.send(command);
  } finally {
    client.destroy();
  }
}

async function both(script: (request: any, reply: any) => Promise<void>, native: (endpoint: string) => Promise<any>, js: (endpoint: string) => Promise<any>) {
  const server = await serve(script);
  const n = await settleWithin(native(server.endpoint), 10_000);
  const j = await settleWithin(js(server.endpoint), 10_000);
  return { native: n, js: j };
}

/** A script answering every request with the same bytes. */
function answering(response: Buffer) {
  return async (_request: any, reply: any) => {
    await reply.write(response);
  };
}

/** Converse through the native transport and the JS SDK, each against its own server answering `response`. */
function converseBoth(response: Buffer) {
  return both(
    answering(response),
    (endpoint) => sendNative(clientConfig(endpoint, { maxAttempts: 1 }), MODEL, INPUT(), null, null),
    (endpoint) => jsSdkSend(endpoint, new sdk.ConverseCommand({ ...INPUT(), modelId: MODEL } as any)),
  );
}

function assertUsableError(error: any) {
  expect(() => String(error)).not.toThrow();
  expect(String(error)).toContain('bad input');
  expect(Object.prototype.hasOwnProperty.call(error, 'toString')).toBe(false);
  expect(Object.prototype.hasOwnProperty.call(error, '__proto__')).toBe(false);
  expect(error.polluted).toBeUndefined();
}

describe('service data with special keys behaves as in the JS SDK', () => {
  it('a 400 Converse error body: decoration never overwrites existing or inherited properties', async () => {
    const r = await converseBoth(hostile.jsonResponse(400, SPECIAL_BODY, { 'x-amzn-errortype': 'ValidationException' }));
    expect(r.js.status).toBe('rejected');
    assertUsableError((r.js as any).reason);
    assertUsableError((r.native as any).reason);
    expect((r.native as any).reason.extra).toBe('kept');
    expect(summary({ ok: false, error: (r.native as any).reason })).toStrictEqual(summary({ ok: false, error: (r.js as any).reason }));
  });

  it('an unmodelled error code with the same body', async () => {
    const r = await converseBoth(hostile.jsonResponse(400, SPECIAL_BODY, { 'x-amzn-errortype': 'WeirdException' }));
    assertUsableError((r.native as any).reason);
    expect(summary({ ok: false, error: (r.native as any).reason })).toStrictEqual(summary({ ok: false, error: (r.js as any).reason }));
  });

  it('a 400 ConverseStream error body (the invokeStream path)', async () => {
    const r = await both(
      answering(hostile.jsonResponse(400, SPECIAL_BODY, { 'x-amzn-errortype': 'ValidationException' })),
      (endpoint) => sendNativeStream(clientConfig(endpoint, { maxAttempts: 1 }), MODEL, INPUT(), null),
      (endpoint) => jsSdkSend(endpoint, new sdk.ConverseStreamCommand({ ...INPUT(), modelId: MODEL } as any)),
    );
    assertUsableError((r.native as any).reason);
    expect(thrownSummary((r.native as any).reason)).toStrictEqual(thrownSummary((r.js as any).reason));
  });

  it('an exception event with special keys, thrown by the stream iterator', async () => {
    const script = async (_request: any, reply: any) => {
      await reply.write(hostile.eventStreamHead());
      await reply.write(hostile.chunk(hostile.event('messageStart', { role: 'assistant' })));
      await reply.write(hostile.chunk(hostile.exceptionEvent('modelStreamErrorException', SPECIAL_BODY)));
      await reply.write('0\r\n\r\n');
    };
    const drain = async (output: any) => {
      const events: unknown[] = [];
      try {
        for await (const e of output.stream) events.push(e);
      } catch (error) {
        return { events, error };
      }
      return { events, error: null };
    };
    const r = await both(
      script,
      async (endpoint) => drain(await sendNativeStream(clientConfig(endpoint, { maxAttempts: 1 }), MODEL, INPUT(), null)),
      async (endpoint) => {
        const client = jsSdkClient(endpoint);
        try {
          return await drain(await client.send(new sdk.ConverseStreamCommand({ ...INPUT(), modelId: MODEL } as any)));
        } finally {
          client.destroy();
        }
      },
    );
    const native = (r.native as any).value;
    const js = (r.js as any).value;
    expect(js.error).toBeInstanceOf(sdk.ModelStreamErrorException);
    expect(native.events).toEqual(js.events);
    assertUsableError(native.error);
    expect(thrownSummary(native.error)).toStrictEqual(thrownSummary(js.error));
  });

  it('__proto__ in an answer stays an own key, as the JS SDK leaves it, on the JSON and the tree paths', async () => {
    const answer = (withBytes: boolean) =>
      `{"output":{"message":{"role":"assistant","content":[${withBytes ? '{"reasoningContent":{"redactedContent":"AAEC"}},' : ''}{"text":"hi"}]}},` +
      '"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1},' +
      '"additionalModelResponseFields":{"__proto__":{"polluted":true},"toString":"x","deep":[{"__proto__":1}]}}';
    for (const withBytes of [false, true]) {
      const r = await converseBoth(hostile.jsonResponse(200, answer(withBytes)));
      const native = (r.native as any).value;
      const fields = native.additionalModelResponseFields;
      expect(Object.keys(fields)).toEqual(['__proto__', 'toString', 'deep']);
      expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
      expect(fields.polluted).toBeUndefined();
      expect(Object.prototype.hasOwnProperty.call(fields.deep[0], '__proto__')).toBe(true);
      expect(summary({ ok: true, value: native })).toStrictEqual(summary({ ok: true, value: (r.js as any).value }));
    }
  });
});

describe('an answer escaping lone UTF-16 surrogates reads as in the JS SDK (JSON.parse keeps them)', () => {
  /** Escapes as a server writes them: lone high, lone low, a valid pair, and text that only looks like one. */
  const LONE = String.raw`a\ud800b\uDC00`;
  const answer = (withBytes: boolean) =>
    `{"output":{"message":{"role":"assistant","content":[${withBytes ? '{"reasoningContent":{"redactedContent":"AAEC"}},' : ''}{"text":"${LONE}"}]}},` +
    '"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1},' +
    String.raw`"additionalModelResponseFields":{"lone":"\udbff","pair":"\ud83d\ude00","text":"\\ud800","list":["x\udfff"]}}`;

  it('Converse, on the JSON and the tree paths', async () => {
    for (const withBytes of [false, true]) {
      const r = await converseBoth(hostile.jsonResponse(200, answer(withBytes)));
      expect(r.js.status).toBe('fulfilled');
      expect(r.native.status).toBe('fulfilled');
      const native = (r.native as any).value;
      expect(native.output.message.content[withBytes ? 1 : 0].text).toBe('a\ud800b\udc00');
      expect(native.additionalModelResponseFields).toEqual({ lone: '\udbff', pair: '\u{1f600}', text: '\\ud800', list: ['x\udfff'] });
      expect(summary({ ok: true, value: native })).toStrictEqual(summary({ ok: true, value: (r.js as any).value }));
    }
  });

  it('ConverseStream, in a delta event', async () => {
    const script = async (_request: any, reply: any) => {
      await reply.write(hostile.eventStreamHead());
      await reply.write(hostile.chunk(hostile.event('messageStart', { role: 'assistant' })));
      await reply.write(hostile.chunk(hostile.event('contentBlockDelta', `{"contentBlockIndex":0,"delta":{"text":"${LONE}"}}`)));
      await reply.write(hostile.chunk(hostile.event('messageStop', { stopReason: 'end_turn' })));
      await reply.write('0\r\n\r\n');
    };
    const drain = async (output: any) => {
      const events: unknown[] = [];
      for await (const e of output.stream) events.push(e);
      return events;
    };
    const r = await both(
      script,
      async (endpoint) => drain(await sendNativeStream(clientConfig(endpoint, { maxAttempts: 1 }), MODEL, INPUT(), null)),
      async (endpoint) => {
        const client = jsSdkClient(endpoint);
        try {
          return await drain(await client.send(new sdk.ConverseStreamCommand({ ...INPUT(), modelId: MODEL } as any)));
        } finally {
          client.destroy();
        }
      },
    );
    expect(r.js.status).toBe('fulfilled');
    expect(r.native.status).toBe('fulfilled');
    const native = (r.native as any).value;
    expect(native[1].contentBlockDelta.delta.text).toBe('a\ud800b\udc00');
    expect(native).toEqual((r.js as any).value);
  });

  it("an answer's object keys, on the JSON and the tree paths", async () => {
    const keys = String.raw`{"\ud800":1,"\ud801":{"k\udc00":[{"\udbff":true}]},"\ufffd":3,"\ud83d\ude00":4}`;
    for (const withBytes of [false, true]) {
      const body =
        `{"output":{"message":{"role":"assistant","content":[${withBytes ? '{"reasoningContent":{"redactedContent":"AAEC"}},' : ''}{"text":"hi"}]}},` +
        `"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"additionalModelResponseFields":${keys}}`;
      const r = await converseBoth(hostile.jsonResponse(200, body));
      expect(r.js.status).toBe('fulfilled');
      expect(r.native.status).toBe('fulfilled');
      const native = (r.native as any).value;
      const fields = native.additionalModelResponseFields;
      expect(Object.keys(fields)).toEqual(['\ud800', '\ud801', '\ufffd', '\u{1f600}']);
      expect(fields['\ud801']).toEqual({ 'k\udc00': [{ '\udbff': true }] });
      expect(fields).toEqual((r.js as any).value.additionalModelResponseFields);
      expect(summary({ ok: true, value: native })).toStrictEqual(summary({ ok: true, value: (r.js as any).value }));
    }
  });

  /** An error body whose message and keys escape lone surrogates. */
  const LONE_ERROR_BODY = String.raw`{"message":"bad \ud800 input","\udbff":"lone key","k\udc00":{"\ud800":1}}`;
  const expectLoneErrorOf = (error: any) => {
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe('bad \ud800 input');
    expect(error['\udbff']).toBe('lone key');
    expect(error['k\udc00']).toEqual({ '\ud800': 1 });
  };

  it('a 400 Converse error body: its message and decorated keys', async () => {
    const r = await converseBoth(hostile.jsonResponse(400, LONE_ERROR_BODY, { 'x-amzn-errortype': 'ValidationException' }));
    expect(r.js.status).toBe('rejected');
    expect(r.native.status).toBe('rejected');
    expectLoneErrorOf((r.js as any).reason);
    expectLoneErrorOf((r.native as any).reason);
    expect(summary({ ok: false, error: (r.native as any).reason })).toStrictEqual(summary({ ok: false, error: (r.js as any).reason }));
  });

  it("an unmodelled error code: the error's name", async () => {
    const body = String.raw`{"message":"m","__type":"aws.protocol#Odd\udc00Exception:http://x"}`;
    const r = await converseBoth(hostile.jsonResponse(400, body));
    expect((r.js as any).reason.name).toBe('Odd\udc00Exception');
    expect((r.native as any).reason.name).toBe('Odd\udc00Exception');
    expect(summary({ ok: false, error: (r.native as any).reason })).toStrictEqual(summary({ ok: false, error: (r.js as any).reason }));
  });

  it('a 400 ConverseStream error body: its message and decorated keys', async () => {
    const r = await both(
      answering(hostile.jsonResponse(400, LONE_ERROR_BODY, { 'x-amzn-errortype': 'ValidationException' })),
      (endpoint) => sendNativeStream(clientConfig(endpoint, { maxAttempts: 1 }), MODEL, INPUT(), null),
      (endpoint) => jsSdkSend(endpoint, new sdk.ConverseStreamCommand({ ...INPUT(), modelId: MODEL } as any)),
    );
    expect(r.native.status).toBe('rejected');
    expectLoneErrorOf((r.native as any).reason);
    expect(thrownSummary((r.native as any).reason)).toStrictEqual(thrownSummary((r.js as any).reason));
  });

  it('a stream exception event: its message', async () => {
    const script = async (_request: any, reply: any) => {
      await reply.write(hostile.eventStreamHead());
      await reply.write(hostile.chunk(hostile.event('messageStart', { role: 'assistant' })));
      await reply.write(
        hostile.chunk(hostile.exceptionEvent('modelStreamErrorException', String.raw`{"message":"stream \udc00 broke","originalStatusCode":500,"\ud800":"k"}`)),
      );
      await reply.write('0\r\n\r\n');
    };
    const thrownBy = async (output: any) => {
      try {
        for await (const _event of output.stream);
      } catch (error) {
        return error;
      }
      return null;
    };
    const r = await both(
      script,
      async (endpoint) => thrownBy(await sendNativeStream(clientConfig(endpoint, { maxAttempts: 1 }), MODEL, INPUT(), null)),
      async (endpoint) => {
        const client = jsSdkClient(endpoint);
        try {
          return await thrownBy(await client.send(new sdk.ConverseStreamCommand({ ...INPUT(), modelId: MODEL } as any)));
        } finally {
          client.destroy();
        }
      },
    );
    const native = (r.native as any).value;
    const js = (r.js as any).value;
    expect(js).toBeInstanceOf(sdk.ModelStreamErrorException);
    expect(js.message).toBe('stream \udc00 broke');
    expect(native.message).toBe('stream \udc00 broke');
    // A key that is not a member is dropped by both, as any such key.
    expect(native['\ud800']).toBeUndefined();
    expect(thrownSummary(native)).toStrictEqual(thrownSummary(js));
  });
});
