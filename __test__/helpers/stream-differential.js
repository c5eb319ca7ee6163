'use strict';
// The corpus and helpers of native-stream-differential.test.ts (and of
// stream-differential-child.js, which runs the same corpus in a plain Node process).
//
// Every case is one emulator behaviour answering a ConverseStream call. It is sent
// (a) through a real JS SDK client, `client.send(new ConverseStreamCommand({...input,
// modelId}))`, iterating `response.stream`, and (b) through js/transport.js
// `sendNativeStream`, against the same emulator with the same behaviour, and what each
// side gave is turned into a plain summary here. The only normalisations are those of
// helpers/differential.js (reused, not copied): `$metadata.requestId` compared by type
// (the emulator answers a fresh UUID per request), `stack` not compared, `$response`
// by kind and status code only, `instanceof Error` via Object.prototype.toString.
// Events are kept exactly as yielded (compared with toStrictEqual) and their key order
// is compared separately through `layout` (recursive Object.keys).
//
// Plain CommonJS so that the child process can load it without a TypeScript step.

const assert = require('node:assert/strict');
const sdk = require('@aws-sdk/client-bedrock-runtime');
const { sendNativeStream } = require('../../js/transport');
const { EMULATOR_CREDENTIALS } = require('../../testing');
const { layout, tagOf, summary, withoutRequestId, receivedSummary, assertBodiesRecorded } = require('./differential');

const USER_TEXT = (text = 'hello there') => ({ messages: [{ role: 'user', content: [{ text }] }] });

const ANSWER = 'The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs!';
const UNICODE = 'ünïcødé ✓ 😀 日本語 "quoted" \\ back\nnew line';

/** A JSON document for toolUse inputs: nesting, numbers, strings that need escaping. */
const TOOL_INPUT = () => ({
  city: 'Oslo',
  days: 3,
  units: { temperature: 'celsius', wind: 'm/s' },
  hours: [0, 6, 12, 18],
  ratio: 1.5,
  note: 'ünïcødé "quoted" \\ \n',
  flags: [true, false, null],
});

// ---------------------------------------------------------------------------------------
// Sanity checks of the JS SDK side: a case means what its name says.

const deltaText = (events) => events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');

/** The JS SDK's stream ended normally (and `check(events)` holds). */
const completes = (check) => (side) => {
  if (side.sendError) throw new Error(`the JS SDK's send failed: ${side.sendError.name}: ${side.sendError.message}`);
  if (side.endError) throw new Error(`the JS SDK's stream threw ${side.endError.name}: ${side.endError.message}`);
  assert.ok(side.events.length >= 4, 'at least messageStart, contentBlockStop, messageStop, metadata');
  assert.deepEqual(Object.keys(side.events[0]), ['messageStart']);
  assert.deepEqual(Object.keys(side.events[side.events.length - 1]), ['metadata']);
  if (check) check(side.events);
};

/** The JS SDK's stream yielded `before` events, then threw `name` (an instance of sdk[name]). */
const throwsAfter = (before, name, check) => (side) => {
  if (side.sendError) throw new Error(`the JS SDK's send failed: ${side.sendError.name}: ${side.sendError.message}`);
  assert.ok(side.endError, `the JS SDK's stream ended without an error (${side.events.length} events)`);
  assert.equal(side.events.length, before, 'events before the error');
  assert.equal(side.endError.name, name);
  if (sdk[name]) assert.ok(side.endError instanceof sdk[name], `not an instance of ${name}`);
  if (check) check(side.endError);
};

/** The JS SDK's send rejected with `name`. */
const rejectsWith = (name) => (side) => {
  assert.ok(side.sendError, "the JS SDK's send did not reject");
  assert.equal(side.sendError.name, name);
  if (sdk[name]) assert.ok(side.sendError instanceof sdk[name], `not an instance of ${name}`);
};

// ---------------------------------------------------------------------------------------
// The corpus. `ends`: 'done' (the stream completes), 'throws' (the stream throws after
// some events) or 'rejects' (send() itself rejects). It decides which error assertions
// the test file makes.

const textCases = [
  ...[1, 8, 64, 4096].map((chunkSize) => ({
    name: `text: fixed answer, chunkSize ${chunkSize}`,
    behavior: { text: ANSWER, stream: { chunkSize } },
    ends: 'done',
    js: completes((events) => {
      assert.equal(deltaText(events), ANSWER);
      const deltas = events.filter((e) => e.contentBlockDelta).length;
      assert.equal(deltas, Math.ceil(ANSWER.length / chunkSize));
    }),
  })),
  {
    name: 'text: fixed answer cut into 3 near-equal deltas (stream.chunks)',
    behavior: { text: ANSWER, stream: { chunks: 3 } },
    ends: 'done',
    js: completes((events) => assert.equal(events.filter((e) => e.contentBlockDelta).length, 3)),
  },
  {
    name: 'text: non-ASCII characters, emoji and escapes split across deltas (chunkSize 3)',
    behavior: { text: UNICODE, stream: { chunkSize: 3 } },
    ends: 'done',
    js: completes((events) => assert.equal(deltaText(events), UNICODE)),
  },
  {
    name: 'text: echo (default behaviour)',
    input: () => USER_TEXT('echo me, please'),
    behavior: { stream: { chunkSize: 5 } },
    ends: 'done',
    js: completes((events) => assert.equal(deltaText(events), 'echo: echo me, please')),
  },
  {
    name: 'text: paced events (eventDelayMs 5)',
    behavior: { text: 'slow and steady', stream: { chunkSize: 4, eventDelayMs: 5 } },
    ends: 'done',
    js: completes((events) => assert.equal(deltaText(events), 'slow and steady')),
  },
];

const toolUseCases = [
  {
    name: 'toolUse: contentBlockStart, then the input JSON streamed as deltas (chunkSize 7)',
    behavior: { content: [{ toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: TOOL_INPUT() } }], stream: { chunkSize: 7 } },
    ends: 'done',
    js: completes((events) => {
      assert.deepEqual(Object.keys(events[1]), ['contentBlockStart']);
      const json = events.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
      assert.deepEqual(JSON.parse(json), TOOL_INPUT());
      assert.equal(events.find((e) => e.messageStop).messageStop.stopReason, 'tool_use');
    }),
  },
  {
    name: 'toolUse: empty input document, one delta',
    behavior: { content: [{ toolUse: { toolUseId: 't0', name: 'no_args', input: {} } }] },
    ends: 'done',
    js: completes(),
  },
  {
    name: 'toolUse: text, then a toolUse block',
    behavior: { content: [{ text: 'Let me check the weather.' }, { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Bergen' } } }], stream: { chunkSize: 10 } },
    ends: 'done',
    js: completes(),
  },
];

const reasoningCases = [
  {
    name: 'reasoning: reasoningText deltas, then a signature delta',
    behavior: {
      content: [{ reasoningContent: { reasoningText: { text: 'First I consider the question, then I answer.', signature: 'sig-abc-123' } } }, { text: 'Answer.' }],
      stream: { chunkSize: 9 },
    },
    ends: 'done',
    js: completes((events) => assert.ok(events.some((e) => e.contentBlockDelta?.delta?.reasoningContent?.signature === 'sig-abc-123'))),
  },
  {
    name: 'reasoning: reasoningText without a signature',
    behavior: { content: [{ reasoningContent: { reasoningText: { text: 'Hmm.' } } }, { text: 'Ok.' }] },
    ends: 'done',
    js: completes(),
  },
  {
    name: 'reasoning: redactedContent (base64 on the wire → Uint8Array)',
    behavior: { content: [{ reasoningContent: { redactedContent: 'AAECAwQF/w==' } }, { text: 'Done.' }] },
    ends: 'done',
    js: completes((events) => {
      const bytes = events.find((e) => e.contentBlockDelta?.delta?.reasoningContent).contentBlockDelta.delta.reasoningContent.redactedContent;
      assert.equal(Object.prototype.toString.call(bytes), '[object Uint8Array]');
      assert.deepEqual([...bytes], [0, 1, 2, 3, 4, 5, 255]);
    }),
  },
];

const multipleBlockCases = [
  {
    name: 'multiple blocks: reasoning, redacted reasoning, text, text, toolUse, toolUse',
    behavior: {
      content: [
        { reasoningContent: { reasoningText: { text: 'Plan: answer, then call two tools.', signature: 'sig-1' } } },
        { reasoningContent: { redactedContent: 'c2VjcmV0' } },
        { text: 'One. ' },
        { text: 'Two.' },
        { toolUse: { toolUseId: 't1', name: 'a', input: { x: 1, y: [1, 2] } } },
        { toolUse: { toolUseId: 't2', name: 'b', input: [] } },
      ],
      stream: { chunkSize: 6 },
    },
    ends: 'done',
    js: completes((events) => assert.equal(events.filter((e) => e.contentBlockStop).length, 6)),
  },
];

const metadataCases = [
  {
    name: 'messageStop: special keys (__proto__, toString) in additionalModelResponseFields stay own data keys',
    behavior: { text: 'x', additionalModelResponseFields: JSON.parse('{"__proto__":{"polluted":true},"toString":"x","nested":[{"__proto__":1}]}') },
    ends: 'done',
    js: completes((events) => {
      const stop = events.find((e) => e.messageStop).messageStop;
      const fields = stop.additionalModelResponseFields;
      assert.deepEqual(Object.keys(fields).sort(), ['__proto__', 'nested', 'toString']);
      assert.equal(fields.polluted, undefined);
      assert.equal(Object.prototype.hasOwnProperty.call(fields.nested[0], '__proto__'), true);
    }),
  },
  {
    name: 'metadata: usage computed from the texts, metrics.latencyMs',
    behavior: { text: 'count me' },
    ends: 'done',
    js: completes((events) => {
      const { metadata } = events[events.length - 1];
      assert.deepEqual(Object.keys(metadata), ['usage', 'metrics']);
    }),
  },
  {
    name: 'metadata: usage override and latencyMs (deterministic metrics)',
    behavior: { text: 'x', usage: { inputTokens: 1234, outputTokens: 56 }, latencyMs: 30 },
    ends: 'done',
    js: completes((events) => {
      const { metadata } = events[events.length - 1];
      assert.deepEqual(metadata.usage, { inputTokens: 1234, outputTokens: 56, totalTokens: 1290 });
      assert.deepEqual(metadata.metrics, { latencyMs: 30 });
    }),
  },
  {
    name: 'metadata: serviceTier and performanceConfig of the input come back in the metadata event',
    input: () => ({ ...USER_TEXT(), serviceTier: { type: 'priority' }, performanceConfig: { latency: 'optimized' } }),
    behavior: { text: 'tiered' },
    ends: 'done',
    js: completes((events) => {
      const { metadata } = events[events.length - 1];
      assert.deepEqual(metadata.serviceTier, { type: 'priority' });
      assert.deepEqual(metadata.performanceConfig, { latency: 'optimized' });
    }),
  },
  {
    name: 'messageStop: stopReason max_tokens with additionalModelResponseFields',
    behavior: { text: 'cut', stopReason: 'max_tokens', additionalModelResponseFields: { stop_sequence: null, trace: { a: [1, 1.5, 2 ** 53 + 2] }, 7: 'k' } },
    ends: 'done',
    js: completes((events) => {
      const stop = events.find((e) => e.messageStop).messageStop;
      assert.equal(stop.stopReason, 'max_tokens');
      assert.ok(stop.additionalModelResponseFields);
    }),
  },
];

/** The exceptions ConverseStream's event stream declares, as the emulator names them. */
const STREAM_EXCEPTIONS = [
  ['throttlingException', 'ThrottlingException'],
  ['modelStreamErrorException', 'ModelStreamErrorException'],
  ['internalServerException', 'InternalServerException'],
  ['validationException', 'ValidationException'],
  ['serviceUnavailableException', 'ServiceUnavailableException'],
];

const exceptionCases = [
  ...STREAM_EXCEPTIONS.map(([exception, name]) => ({
    name: `mid-stream exception: ${exception} after 3 events`,
    behavior: { text: ANSWER, stream: { chunkSize: 10 }, streamErrorAfter: { events: 3, exception } },
    ends: 'throws',
    js: throwsAfter(3, name),
  })),
  {
    name: 'mid-stream exception: validationException with a custom message after 2 events',
    behavior: { text: ANSWER, stream: { chunkSize: 10 }, streamErrorAfter: { events: 2, exception: 'validationException', message: 'Custom: ünïcødé "quoted"' } },
    ends: 'throws',
    js: throwsAfter(2, 'ValidationException', (e) => assert.equal(e.message, 'Custom: ünïcødé "quoted"')),
  },
  {
    name: 'mid-stream exception: modelStreamErrorException right after messageStart (1 event)',
    behavior: { text: ANSWER, streamErrorAfter: { events: 1, exception: 'modelStreamErrorException' } },
    ends: 'throws',
    js: throwsAfter(1, 'ModelStreamErrorException'),
  },
  {
    name: 'exception as the first event: throttlingException (send() rejects)',
    behavior: { text: ANSWER, streamErrorAfter: { events: 0, exception: 'throttlingException' } },
    ends: 'rejects',
    js: rejectsWith('ThrottlingException'),
  },
];

const faultCases = [
  {
    name: 'HTTP fault before the stream: throttle (429)',
    behavior: { fault: 'throttle' },
    ends: 'rejects',
    js: rejectsWith('ThrottlingException'),
  },
  {
    name: 'HTTP fault before the stream: unavailable (503)',
    behavior: { fault: 'unavailable' },
    ends: 'rejects',
    js: rejectsWith('ServiceUnavailableException'),
  },
  {
    name: 'broken stream: malformedBody (an event whose payload is not JSON)',
    behavior: { fault: 'malformedBody', text: ANSWER, stream: { chunkSize: 10 } },
    ends: 'throws',
    js: throwsAfter(1, 'SyntaxError'),
  },
  {
    name: 'broken stream: truncatedBody (cut inside a frame, connection closed)',
    behavior: { fault: 'truncatedBody', text: ANSWER, stream: { chunkSize: 10 } },
    ends: 'throws',
    js: (side) => {
      assert.ok(side.endError, "the JS SDK's stream ended without an error");
      assert.ok(side.events.length >= 1);
    },
  },
];

// Requests whose bodies the writers can get wrong; the answer is the default echo.
const requestCases = [
  {
    name: 'request: guardrailConfig with streamProcessingMode (members out of schema order), float inferenceConfig',
    input: () => ({
      ...USER_TEXT('guarded stream'),
      guardrailConfig: { streamProcessingMode: 'async', trace: 'enabled', guardrailVersion: '1', guardrailIdentifier: 'gr-stream' },
      inferenceConfig: { temperature: 0.7, topP: 0.1 + 0.2, maxTokens: 300 },
    }),
    ends: 'done',
    js: completes((events) => assert.equal(deltaText(events), 'echo: guarded stream')),
  },
  {
    name: 'request: guardrailConfig without trace, document numbers and odd keys, unicode text',
    input: () => ({
      messages: [{ role: 'user', content: [{ text: 'ünïcødé 😀 \b\u2028' }] }],
      guardrailConfig: { guardrailIdentifier: 'gr-stream', guardrailVersion: 'DRAFT' },
      additionalModelRequestFields: { 10: 'ten', 2: 'two', z: [0.7, 1e21, 5e-324, 2 ** 64, -0], when: new Date(0), raw: new Uint8Array([255]) },
    }),
    ends: 'done',
    js: completes(),
  },
  {
    // The JS SDK writes a lone surrogate as the escape \udxxx; napi's UTF-8 read alone
    // would have made it U+FFFD. A valid pair and a real U+FFFD stay as they are.
    name: 'request: lone UTF-16 surrogates in text, document values and keys, beside a valid pair and U+FFFD itself',
    input: () => ({
      messages: [{ role: 'user', content: [{ text: 'lone \ud800, \udc00; pair \ud83d\ude00; U+FFFD \ufffd; high at the end \udbff' }] }],
      additionalModelRequestFields: { note: '\udfff', list: ['\ud83d\ud83d\ude00', '\ufffd'], '\ud800': { 'k\udc00': 1, '\ufffd': 2 } },
    }),
    // The emulator's JSON reader refuses the escape \ud800; the request bytes are what
    // this case compares.
    ends: 'rejects',
    js: rejectsWith('ValidationException'),
  },
];

const CASES = [...requestCases, ...textCases, ...toolUseCases, ...reasoningCases, ...multipleBlockCases, ...metadataCases, ...exceptionCases, ...faultCases];

// ---------------------------------------------------------------------------------------
// Running a case.

/** Sends, then reads the whole stream: what one side gave, raw. */
async function runSide(send) {
  const side = { output: null, sendError: null, events: [], endError: null, received: [] };
  try {
    side.output = await send();
  } catch (error) {
    side.sendError = error;
    return side;
  }
  try {
    for await (const event of side.output.stream) side.events.push(event);
  } catch (error) {
    side.endError = error;
  }
  return side;
}

/**
 * Runs case `c` through a JS SDK client and through `sendNativeStream`, against
 * `emulator`, installing the behaviour afresh before each side (which also restarts its
 * fault schedule).
 */
async function runBoth(emulator, c, modelId) {
  const behavior = c.behavior ?? {};
  const input = c.input ?? (() => USER_TEXT());
  const config = () => ({ region: 'us-east-1', endpoint: emulator.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 });

  emulator.setBehavior(modelId, behavior);
  emulator.clearRequests();
  const client = new sdk.BedrockRuntimeClient(config());
  let js;
  try {
    js = await runSide(() => client.send(new sdk.ConverseStreamCommand({ ...input(), modelId })));
  } finally {
    client.destroy();
  }
  js.received = emulator.requests();

  emulator.setBehavior(modelId, behavior);
  emulator.clearRequests();
  const native = await runSide(() => sendNativeStream(config(), modelId, input(), null));
  native.received = emulator.requests();
  return { js, native };
}

/** Everything compared of a thrown error (differential.js's errorSummary, plus `$metadata` presence). */
function thrownSummary(error) {
  const s = summary({ ok: false, error });
  const isObject = error !== null && typeof error === 'object';
  return {
    ...s,
    $metadataOwn: isObject && Object.prototype.hasOwnProperty.call(error, '$metadata'),
    $metadataIn: isObject && '$metadata' in error,
  };
}

/** The observable kind of the `stream` member (not its events). */
function streamKind(stream) {
  if (stream === null || typeof stream !== 'object') return { tag: tagOf(stream) };
  return {
    tag: tagOf(stream),
    ownKeys: Reflect.ownKeys(stream).map(String),
    asyncIterable: typeof stream[Symbol.asyncIterator] === 'function',
    next: typeof stream.next,
    return: typeof stream.return,
  };
}

/** One side, summarised for comparison (plain data: v8-serialisable for the child). */
function sideSummary(side) {
  const output = side.output;
  const isObject = output !== null && typeof output === 'object';
  return {
    send: side.sendError ? 'rejected' : 'fulfilled',
    sendError: side.sendError ? thrownSummary(side.sendError) : null,
    outputKeys: isObject ? Object.keys(output) : null,
    $metadata: isObject ? withoutRequestId(output.$metadata) : null,
    $metadataLayout: isObject ? layout(withoutRequestId(output.$metadata)) : null,
    stream: isObject ? streamKind(output.stream) : null,
    events: side.events,
    eventsLayout: layout(side.events),
    end: side.sendError ? 'no stream' : side.endError ? 'threw' : 'done',
    endError: side.endError ? thrownSummary(side.endError) : null,
    received: receivedSummary(side.received),
  };
}

/** Everything compared for one case, from one run. */
function caseResult(c, outcome) {
  let sanity = null;
  try {
    c.js(outcome.js);
    assertBodiesRecorded(outcome.js.received);
  } catch (error) {
    sanity = String(error?.message ?? error);
  }
  return { sanity, js: sideSummary(outcome.js), native: sideSummary(outcome.native) };
}

module.exports = { CASES, STREAM_EXCEPTIONS, runBoth, runSide, caseResult, sideSummary, thrownSummary, USER_TEXT };
