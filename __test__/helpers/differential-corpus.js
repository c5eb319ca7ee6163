'use strict';
// The corpus of native-differential.test.ts: Converse requests and emulator behaviours,
// each sent through both transports. `js` checks what the JS SDK itself gave, so that a
// case means what its name says (it is not the differential comparison).
//
// Plain CommonJS: differential-child.js runs the same corpus in a plain Node process.

const assert = require('node:assert/strict');
const sdk = require('@aws-sdk/client-bedrock-runtime');

const PNG = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0x7f, 0x80]);
const PDF = () => new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x34, 0x0a, 0x25, 0xe2, 0xe3]);
const MP4 = () => new Uint8Array([0x00, 0x00, 0x00, 0x18, 0x66, 0x74, 0x79, 0x70, 0x6d, 0x70, 0x34, 0x32]);

/** A JSON document with the numbers (and keys) JSON handling tends to get wrong. */
const NUMBERS = () => ({
  one: 1,
  oneAndAHalf: 1.5,
  negativeZero: -0,
  negative: -42,
  fraction: 0.1,
  maxSafe: 2 ** 53 - 1,
  beyondSafe: 2 ** 53 + 2,
  u64ish: 2 ** 64,
  i64min: -(2 ** 63),
  big: 1e21,
  huge: 1.5e300,
  tiny: 5e-324,
  nested: { list: [1, 1.5, -0, [2 ** 53, { deep: -1.25 }]], zero: 0 },
  strings: ['', 'ünïcødé ✓ 😀', 'quote " backslash \\ newline \n tab \t'],
  flags: [true, false, null],
  10: 'integer-like key',
  2: 'integer-like key',
  empty: {},
  emptyList: [],
});

/** Numbers JS spells its own way: shortest round trip, exponents from 1e21 and below 1e-6, no -0. */
const JS_SPELLED_NUMBERS = () => ({
  seventenths: 0.7,
  sum: 0.1 + 0.2,
  e21: 1e21,
  belowE21: 1e20,
  e7: 1e-7,
  e6: 0.000001,
  denormal: 5e-324,
  max: Number.MAX_VALUE,
  minNormal: 2.2250738585072014e-308,
  beyondSafe: 2 ** 53 + 2,
  u64: 2 ** 64,
  i64min: -(2 ** 63),
  negativeZero: -0,
  list: [-0, 123456789.125, -1.5e-10, 1e300, 4.35, 100, 1e-7],
});

/** Keys and values a JSON writer can get wrong in a document (inside a JS-order object). */
const ODD_DOCUMENT = () => ({
  z: 'last-defined string key first',
  10: 'integer-like key',
  2: 'integer-like key, enumerated first',
  '': 'empty key',
  'a.b': 'dotted',
  '01': 'not an array index',
  '-1': 'negative, not an index',
  4294967295: 'beyond the largest array index',
  'ünï 😀': 'unicode key',
  'quote"key\\': 'escapes in a key',
  constructor: 'shadowing Object.prototype',
  toString: 'shadowing too',
  control: '\b\f\u0001\u001f\u007f\u2028\u2029 / < > &',
  date: new Date(1700000000123),
  bytes: new Uint8Array([0, 1, 2, 255]),
  sparse: [1, undefined, null, 2],
  gone: undefined,
  kept: null,
  nested: { deeper: [{ 5: 'five', a: [] }, {}] },
});

/**
 * A seeded random document (same every run): random doubles from bit patterns, short
 * decimals and integers, strings and keys drawn from ASCII, control characters and
 * non-ASCII (BMP and astral), integer-like keys, nested arrays and objects with
 * undefined and null, a Date and bytes now and then.
 */
function randomDocument(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state;
  };
  const pick = (list) => list[next() % list.length];
  const CHARS = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', 'é', 'ß', '✓', '日', '\u2028', '😀', '𝄞'];
  const text = () => Array.from({ length: next() % 12 }, () => pick(CHARS)).join('');
  const view = new DataView(new ArrayBuffer(8));
  const number = () => {
    switch (next() % 4) {
      case 0: {
        view.setUint32(0, next());
        view.setUint32(4, next());
        const n = view.getFloat64(0);
        return Number.isFinite(n) ? n : 0.5;
      }
      case 1: return (next() % 2000001 - 1000000) / 10 ** (next() % 9);
      case 2: return next() * 2 ** (next() % 40);
      default: return -(next() % 1000);
    }
  };
  const value = (depth) => {
    const kind = next() % (depth > 3 ? 6 : 9);
    if (kind === 0) return number();
    if (kind === 1) return text();
    if (kind === 2) return next() % 2 === 0;
    if (kind === 3) return null;
    if (kind === 4) return next() % 3 === 0 ? new Date(next() * 1000) : number();
    if (kind === 5) return next() % 3 === 0 ? new Uint8Array(Array.from({ length: next() % 7 }, () => next() % 256)) : text();
    if (kind === 6) return Array.from({ length: next() % 5 }, () => (next() % 7 === 0 ? undefined : value(depth + 1)));
    const out = {};
    for (let i = next() % 6; i > 0; i--) {
      const key = next() % 4 === 0 ? String(next() % 100) : text();
      out[key] = next() % 9 === 0 ? undefined : value(depth + 1);
    }
    return out;
  };
  const root = {};
  for (let i = 0; i < 12; i++) root[`k${i}${text()}`] = value(0);
  return root;
}

/** NUMBERS without the values JS spells differently from most JSON writers (1e21, 2^64, 5e-324). */
const PLAIN_NUMBERS = () => ({ one: 1, oneAndAHalf: 1.5, negativeZero: -0, negative: -42, fraction: 0.1, maxSafe: 2 ** 53 - 1, nested: { list: [1, 1.5, -0, { deep: -1.25 }] } });

/**
 * A document whose keys name Object.prototype's members: JSON.parse (and the JS SDK) keep
 * each as an own data key; a plain assignment of `__proto__` would set the prototype.
 * (No `constructor` key: jest's toStrictEqual compares `constructor` by identity.)
 */
const SPECIAL_KEYS = () => JSON.parse('{"__proto__":{"polluted":true},"toString":"x","valueOf":{"v":1},"hasOwnProperty":1,"nested":{"__proto__":[1]}}');

function assertOwnSpecialKeys(doc) {
  // The emulator sends object keys sorted.
  assert.deepEqual(Object.keys(doc).sort(), ['__proto__', 'hasOwnProperty', 'nested', 'toString', 'valueOf']);
  assert.equal(doc.polluted, undefined);
  assert.equal(Object.prototype.hasOwnProperty.call(doc.nested, '__proto__'), true);
  assert.equal(Array.isArray(Object.getPrototypeOf(doc.nested)), false);
}

const USER_TEXT = (text = 'hello there') => ({ messages: [{ role: 'user', content: [{ text }] }] });

const WEATHER_TOOL = () => ({
  toolSpec: {
    name: 'get_weather',
    description: 'Weather for a city',
    inputSchema: {
      json: {
        type: 'object',
        properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 10 } },
        required: ['city'],
      },
    },
  },
});

const answerText = (output) => output.output.message.content.map((b) => b.text ?? '').join('');

/** The JS SDK succeeded (and `check` holds for its output). */
const ok = (check) => (result) => {
  if (!result.ok) throw new Error(`the JS SDK failed: ${result.error?.name}: ${result.error?.message}`);
  if (check) check(result.value);
};

/** The JS SDK threw `name` (an instance of `Class`, and `check` holds for it). */
const fails = (name, Class, check) => (result) => {
  if (result.ok) throw new Error(`the JS SDK succeeded where ${name} was expected`);
  assert.equal(result.error.name, name);
  if (Class) assert.ok(result.error instanceof Class, `not an instance of ${Class.name}`);
  if (check) check(result.error);
};

/**
 * The emulator's JSON reader refuses a lone surrogate's escape (\ud800) as Bedrock
 * refuses malformed JSON; the request bytes are what such a case compares.
 */
const refusedByTheEmulator = fails('ValidationException', null, (error) => assert.match(error.message, /^Malformed input request/));

/** The JS SDK threw something. */
const rejects = (result) => assert.equal(result.ok, false, 'the JS SDK succeeded');

const requestCases = [
  {
    name: 'request: text only',
    input: () => USER_TEXT('plain text'),
    js: ok((o) => assert.equal(answerText(o), 'echo: plain text')),
  },
  {
    name: 'request: system prompt + inferenceConfig (float temperature/topP, stopSequences)',
    input: () => ({
      ...USER_TEXT('configured'),
      system: [{ text: 'You are terse.' }, { text: 'Second system block.' }],
      inferenceConfig: { maxTokens: 512, temperature: 0.7, topP: 0.9, stopSequences: ['\n\nHuman:', 'END'] },
    }),
    js: ok(),
  },
  {
    name: 'request: inferenceConfig with floats exact in f32 (0.5, 0.25)',
    input: () => ({ ...USER_TEXT('f32-exact'), inferenceConfig: { maxTokens: 64, temperature: 0.5, topP: 0.25 } }),
    js: ok(),
  },
  {
    name: 'request: image bytes (Uint8Array)',
    input: () => ({
      messages: [{ role: 'user', content: [{ text: 'what is this?' }, { image: { format: 'png', source: { bytes: PNG() } } }] }],
    }),
    js: (r, received) => {
      ok()(r);
      assert.equal(received[0].body.messages[0].content[1].image.source.bytes, Buffer.from(PNG()).toString('base64'));
    },
  },
  {
    name: 'request: document bytes',
    input: () => ({
      messages: [
        { role: 'user', content: [{ document: { format: 'pdf', name: 'Report 2024', source: { bytes: PDF() } } }, { text: 'summarise' }] },
      ],
    }),
    js: ok(),
  },
  {
    name: 'request: video bytes',
    input: () => ({
      messages: [{ role: 'user', content: [{ video: { format: 'mp4', source: { bytes: MP4() } } }, { text: 'describe' }] }],
    }),
    js: ok(),
  },
  {
    name: 'request: toolUse / toolResult with JSON documents (1, 1.5, -0, safe ints, nesting)',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'weather in Oslo?' }] },
        { role: 'assistant', content: [{ text: 'Calling the tool.' }, { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: PLAIN_NUMBERS() } }] },
        {
          role: 'user',
          content: [
            {
              toolResult: {
                toolUseId: 'tooluse_1',
                content: [{ json: PLAIN_NUMBERS() }, { text: 'raw text result' }, { image: { format: 'png', source: { bytes: PNG() } } }],
                status: 'success',
              },
            },
            { toolResult: { toolUseId: 'tooluse_2', content: [{ text: 'boom' }], status: 'error' } },
            { text: 'and now?' },
          ],
        },
      ],
      toolConfig: { tools: [WEATHER_TOOL()] },
    }),
    js: ok((o) => assert.equal(answerText(o), 'echo: and now?')),
  },
  {
    name: 'request: toolUse / toolResult documents with large ints (2^53+2, 2^64, -2^63, 1e21, 1.5e300)',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'big numbers' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tooluse_big', name: 'get_weather', input: NUMBERS() } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_big', content: [{ json: NUMBERS() }] } }, { text: 'next' }] },
      ],
      toolConfig: { tools: [WEATHER_TOOL()] },
    }),
    js: ok(),
  },
  {
    name: 'request: reasoningContent (reasoningText with signature, redactedContent bytes)',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'think first' }] },
        {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'Let me think.', signature: 'sig-123' } } },
            { reasoningContent: { redactedContent: new Uint8Array([1, 2, 3, 4, 5]) } },
            { text: 'Thought.' },
          ],
        },
        { role: 'user', content: [{ text: 'go on' }] },
      ],
    }),
    js: ok(),
  },
  {
    name: 'request: cachePoint in messages, system and tools',
    input: () => ({
      messages: [{ role: 'user', content: [{ text: 'long context' }, { cachePoint: { type: 'default' } }] }],
      system: [{ text: 'system' }, { cachePoint: { type: 'default' } }],
      toolConfig: { tools: [WEATHER_TOOL(), { cachePoint: { type: 'default' } }] },
    }),
    js: ok(),
  },
  {
    name: 'request: guardContent (text with qualifiers, image) in messages and system',
    input: () => ({
      messages: [
        {
          role: 'user',
          content: [
            { guardContent: { text: { text: 'check me', qualifiers: ['guard_content', 'query'] } } },
            { guardContent: { image: { format: 'png', source: { bytes: PNG() } } } },
            { text: 'question' },
          ],
        },
      ],
      system: [{ guardContent: { text: { text: 'system guard', qualifiers: ['grounding_source'] } } }],
    }),
    js: ok(),
  },
  {
    name: 'request: toolConfig with toolChoice auto',
    input: () => ({ ...USER_TEXT('tools auto'), toolConfig: { tools: [WEATHER_TOOL()], toolChoice: { auto: {} } } }),
    js: ok(),
  },
  {
    name: 'request: toolConfig with toolChoice any',
    input: () => ({ ...USER_TEXT('tools any'), toolConfig: { tools: [WEATHER_TOOL()], toolChoice: { any: {} } } }),
    js: ok(),
  },
  {
    name: 'request: toolConfig with toolChoice tool',
    input: () => ({ ...USER_TEXT('tools named'), toolConfig: { tools: [WEATHER_TOOL()], toolChoice: { tool: { name: 'get_weather' } } } }),
    js: ok(),
  },
  {
    name: 'request: guardrailConfig with trace',
    input: () => ({ ...USER_TEXT('guarded'), guardrailConfig: { guardrailIdentifier: 'gr-abc123', guardrailVersion: 'DRAFT', trace: 'enabled' } }),
    js: ok(),
  },
  {
    name: 'request: guardrailConfig without trace',
    input: () => ({ ...USER_TEXT('guarded, no trace'), guardrailConfig: { guardrailIdentifier: 'gr-abc123', guardrailVersion: '2' } }),
    js: ok(),
  },
  {
    name: 'request: additionalModelRequestFields (nested document)',
    input: () => ({
      ...USER_TEXT('extra fields'),
      additionalModelRequestFields: { top_k: 250, thinking: { type: 'enabled', budget_tokens: 1024 }, numbers: PLAIN_NUMBERS(), flags: [true, null, 'x'] },
    }),
    js: ok(),
  },
  {
    name: 'request: additionalModelResponseFieldPaths',
    input: () => ({ ...USER_TEXT('paths'), additionalModelResponseFieldPaths: ['/stop_sequence', '/amazon-bedrock-trace'] }),
    js: ok(),
  },
  {
    // Six variables: a writer that kept maps in a HashMap would match the input's order
    // by chance 1 time in 720 (with two, every other time).
    name: 'request: promptVariables (no messages)',
    input: () => ({
      promptVariables: {
        topic: { text: 'rust' },
        tone: { text: 'dry, ünïcødé' },
        audience: { text: 'engineers' },
        length: { text: 'short' },
        language: { text: 'en' },
        format: { text: 'markdown' },
      },
    }),
    js: () => undefined, // the emulator's answer without messages is compared as it is
  },
  {
    name: 'request: requestMetadata',
    input: () => ({ ...USER_TEXT('metadata'), requestMetadata: { team: 'core', 'cost-center': '42', Zeta: 'last', app: 'mux', env: 'test', 'a.b': 'dotted' } }),
    js: ok(),
  },
  {
    name: 'request: performanceConfig (echoed back in the response)',
    input: () => ({ ...USER_TEXT('fast'), performanceConfig: { latency: 'optimized' } }),
    js: ok((o) => assert.deepEqual(o.performanceConfig, { latency: 'optimized' })),
  },
  {
    name: 'request: serviceTier in the input (priority)',
    input: () => ({ ...USER_TEXT('priority please'), serviceTier: { type: 'priority' } }),
    js: (r, received) => {
      ok((o) => assert.deepEqual(o.serviceTier, { type: 'priority' }))(r);
      assert.equal(received[0].serviceTier, 'priority');
    },
  },
  {
    name: "request: serviceTier as sendNative's tier argument (flex)",
    input: () => USER_TEXT('flex please'),
    tier: 'flex',
    js: (r, received) => {
      ok((o) => assert.deepEqual(o.serviceTier, { type: 'flex' }))(r);
      assert.equal(received[0].serviceTier, 'flex');
    },
  },
  {
    name: 'request: everything at once (explicit undefined members included)',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'first' }, { image: { format: 'jpeg', source: { bytes: PNG() } } }, { cachePoint: { type: 'default' } }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 't-9', name: 'get_weather', input: { city: 'Oslo', days: 3 } } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 't-9', content: [{ json: { temp: -0.5, unit: 'C' } }] } }, { text: 'last' }] },
      ],
      system: [{ text: 'sys' }, { cachePoint: { type: 'default' } }],
      inferenceConfig: { maxTokens: 100, temperature: 0, topP: 1, stopSequences: undefined },
      toolConfig: { tools: [WEATHER_TOOL()], toolChoice: { auto: {} } },
      guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '3', trace: 'enabled_full' },
      additionalModelRequestFields: { anthropic_beta: ['x'], n: 1.5 },
      additionalModelResponseFieldPaths: ['/a'],
      requestMetadata: { k: 'v' },
      performanceConfig: { latency: 'standard' },
      serviceTier: { type: 'default' },
      promptVariables: undefined,
    }),
    js: ok((o) => assert.equal(answerText(o), 'echo: last')),
  },
  {
    // napi reads strings as UTF-8, which turns a lone surrogate into U+FFFD; the JS SDK
    // writes it as the escape \udxxx. A real U+FFFD and a valid pair stay as they are.
    name: 'request: lone UTF-16 surrogates in text, beside a valid pair and U+FFFD itself',
    input: () => ({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'high \ud800 alone' },
            { text: 'low \udc00 alone, high at the end \udbff' },
            { text: 'high before high \ud83d\ud83d\ude00, low before high \ude00\ud83d' },
            { text: 'a pair \ud83d\ude00 and U+FFFD itself \ufffd' },
          ],
        },
      ],
      system: [{ text: 'system \udfff' }],
    }),
    js: refusedByTheEmulator,
  },
  {
    name: 'request: lone UTF-16 surrogates in document values, a tool name, stop sequences, request metadata, a blob given as a string',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'tools' }, { image: { format: 'png', source: { bytes: 'blob \ud800 text' } } }] },
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 'tooluse_\udc01', name: 'get_\ud800weather', input: { city: 'Os\udfff', list: ['\ud800\ud800', '\ufffd', { deep: '\udbff\udfff\udbff' }] } } }],
        },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_\udc01', content: [{ json: { lone: '\ud800' } }, { text: '\ud800' }] } }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'get_\ud800weather', description: 'Weather \udc00', inputSchema: { json: { type: 'object', description: '\ud800' } } } }] },
      inferenceConfig: { stopSequences: ['\udfff', 'END'] },
      additionalModelRequestFields: { note: 'x\ud800y', n: [1, '\udc00'] },
      requestMetadata: { k: 'v\ud800' },
    }),
    js: refusedByTheEmulator,
  },
  {
    // napi reads keys as UTF-8 too; a key with a lone surrogate is looked up as itself and
    // written as the JS SDK writes it. Two such keys stay apart, and apart from U+FFFD.
    name: 'request: lone UTF-16 surrogates in object keys of documents, tool input, request metadata',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'keys' }] },
        {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 'tooluse_k', name: 'keys', input: { '\ud800': 1, '\ud801': 2, '\ufffd': 3, 'k\udc00': { '\udbff': [{ 'in\ud800': null }] } } } }],
        },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_k', content: [{ json: { '\udfff': 'lone key' } }] } }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'keys', inputSchema: { json: { type: 'object', properties: { 'p\ud800': { type: 'string' } } } } } }] },
      additionalModelRequestFields: { '\ud800': 'high', '\udc00': 'low', '\ud83d\ude00': 'pair', x: { '\udbff\udbff': undefined, y: 1 } },
      requestMetadata: { 'k\ud800': 'v', k: 'w' },
    }),
    js: refusedByTheEmulator,
  },
  {
    // The JS SDK puts the model id in the path with encodeURIComponent, which throws.
    name: 'request: a model id with a lone UTF-16 surrogate is refused before sending, as encodeURIComponent refuses it',
    input: () => USER_TEXT('never sent'),
    modelIdSuffix: '\ud800',
    sendsNothing: true,
    js: fails('URIError', null, (error) => assert.equal(error.message, 'URI malformed')),
  },
];

requestCases.push(
  ...[1, 2, 3].map((seed) => ({
    name: `request: seeded random documents (seed ${seed}) in additionalModelRequestFields and toolUse input`,
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'random' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: `r${seed}`, name: 'random', input: randomDocument(seed * 7919) } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: `r${seed}`, content: [{ json: randomDocument(seed * 104729) }] } }, { text: 'ok' }] },
      ],
      additionalModelRequestFields: randomDocument(seed),
    }),
    js: ok(),
  })),
  {
    name: 'request: inferenceConfig numbers JS spells its own way (0.1 + 0.2, 1e-7)',
    input: () => ({ ...USER_TEXT('spelled'), inferenceConfig: { maxTokens: 2 ** 31 - 1, temperature: 0.1 + 0.2, topP: 1e-7 } }),
    js: ok(),
  },
  {
    name: 'request: document numbers (0.7, 1e21, 5e-324, 2^64, -2^63, -0, MAX_VALUE) in every document member',
    input: () => ({
      messages: [
        { role: 'user', content: [{ text: 'numbers' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'n1', name: 'numbers', input: JS_SPELLED_NUMBERS() } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'n1', content: [{ json: JS_SPELLED_NUMBERS() }] } }, { text: 'ok' }] },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'numbers', inputSchema: { json: { type: 'object', default: JS_SPELLED_NUMBERS() } } } }] },
      additionalModelRequestFields: JS_SPELLED_NUMBERS(),
    }),
    js: ok(),
  },
  {
    name: 'request: additionalModelRequestFields with odd keys, Date, Uint8Array, undefined and null',
    input: () => ({ ...USER_TEXT('odd document'), additionalModelRequestFields: ODD_DOCUMENT() }),
    js: (r, received) => {
      ok()(r);
      assert.equal(received[0].body.additionalModelRequestFields.date, 1700000000.123);
      assert.equal(received[0].body.additionalModelRequestFields.bytes, 'AAEC/w==');
    },
  },
  {
    name: 'request: tool specs with members out of schema order, strict, odd inputSchema keys',
    input: () => ({
      ...USER_TEXT('tools'),
      toolConfig: {
        tools: [
          { toolSpec: { strict: true, description: 'given before its name', inputSchema: { json: ODD_DOCUMENT() }, name: 'odd' } },
          { toolSpec: { inputSchema: { json: { properties: {}, type: 'object' } }, name: 'bare', strict: false } },
          WEATHER_TOOL(),
        ],
        toolChoice: { tool: { name: 'odd' } },
      },
    }),
    js: ok(),
  },
  {
    name: 'request: unicode and control characters in text, system, metadata and prompt variables',
    input: () => ({
      messages: [{ role: 'user', content: [{ text: 'ünïcødé ✓ 😀 日本語 "q" \\ / \b\f\n\r\t\u0000\u001f\u007f\u2028\u2029' }] }],
      system: [{ text: 'Système: 🚀 \u0008' }],
      requestMetadata: { 'clé ✓': 'välue 😀', 10: 'index-like', 2: 'index-like' },
      promptVariables: { 'ünï': { text: 'ü' }, 3: { text: 'three' }, a: { text: '\t' } },
    }),
    js: ok(),
  },
  {
    name: 'request: image bytes as a Buffer, an empty Uint8Array and a subarray',
    input: () => ({
      messages: [
        {
          role: 'user',
          content: [
            { image: { format: 'png', source: { bytes: Buffer.from(PNG()) } } },
            { image: { format: 'gif', source: { bytes: new Uint8Array(0) } } },
            { image: { format: 'webp', source: { bytes: PNG().subarray(3, 8) } } },
            { text: 'three images' },
          ],
        },
      ],
    }),
    js: ok(),
  },
  {
    name: 'request: outputConfig with a JSON schema string and every optional member',
    input: () => ({
      ...USER_TEXT('structured'),
      outputConfig: {
        effort: 'high',
        textFormat: { structure: { jsonSchema: { description: 'd', name: 'n', schema: '{"type":"object","b":1,"a":2}' } }, type: 'json_schema' },
      },
    }),
    js: ok(),
  },
);

const STOP_REASONS = ['max_tokens', 'stop_sequence', 'guardrail_intervened', 'content_filtered', 'model_context_window_exceeded', 'some_future_reason'];

const answerCases = [
  {
    name: 'answer: echo (default behaviour)',
    input: () => USER_TEXT('echo me'),
    behavior: {},
    js: ok((o) => assert.equal(answerText(o), 'echo: echo me')),
  },
  {
    name: 'answer: echo with a custom prefix and non-ASCII text',
    input: () => USER_TEXT('ünïcødé ✓ 😀 "quoted"'),
    behavior: { mode: 'echo', echoPrefix: '>> ' },
    js: ok((o) => assert.equal(answerText(o), '>> ünïcødé ✓ 😀 "quoted"')),
  },
  {
    name: 'answer: fixed text',
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: 'A fixed answer.\nSecond line.' },
    js: ok((o) => assert.equal(answerText(o), 'A fixed answer.\nSecond line.')),
  },
  {
    name: 'answer: fixed empty text',
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: '' },
    js: ok((o) => assert.equal(answerText(o), '')),
  },
  {
    name: 'answer: toolUse with a JSON document input (numbers, nesting, integer-like keys)',
    input: () => USER_TEXT('use the tool'),
    behavior: { content: [{ toolUse: { toolUseId: 'tooluse_abc', name: 'get_weather', input: NUMBERS() } }] },
    js: ok((o) => assert.equal(o.stopReason, 'tool_use')),
  },
  {
    name: 'answer: reasoningContent (reasoningText + signature) then text',
    input: () => USER_TEXT(),
    behavior: { content: [{ reasoningContent: { reasoningText: { text: 'Let me think.', signature: 'sig-abc' } } }, { text: 'Answer.' }] },
    js: ok(),
  },
  {
    name: 'answer: reasoningContent redactedContent (base64 → Uint8Array)',
    input: () => USER_TEXT(),
    behavior: { content: [{ reasoningContent: { redactedContent: 'AAECAwQF/w==' } }, { text: 'Done.' }] },
    js: ok((o) => assert.equal(Object.prototype.toString.call(o.output.message.content[0].reasoningContent.redactedContent), '[object Uint8Array]')),
  },
  {
    name: 'answer: multiple blocks (text, text, toolUse, toolUse)',
    input: () => USER_TEXT(),
    behavior: {
      content: [
        { text: 'One. ' },
        { text: 'Two.' },
        { toolUse: { toolUseId: 't1', name: 'a', input: { x: 1 } } },
        { toolUse: { toolUseId: 't2', name: 'b', input: [] } },
      ],
    },
    js: ok((o) => assert.equal(o.output.message.content.length, 4)),
  },
  ...STOP_REASONS.map((stopReason) => ({
    name: `answer: stopReason ${stopReason}`,
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: 'cut', stopReason },
    js: ok((o) => assert.equal(o.stopReason, stopReason)),
  })),
  {
    name: 'answer: usage override',
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: 'x', usage: { inputTokens: 1234, outputTokens: 56 } },
    js: ok((o) => assert.deepEqual(o.usage, { inputTokens: 1234, outputTokens: 56, totalTokens: 1290 })),
  },
  {
    name: 'answer: additionalModelResponseFields document',
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: 'x', additionalModelResponseFields: { stop_sequence: null, trace: { a: [1, 1.5, -0, 2 ** 53 + 2] }, 7: 'k' } },
    js: ok((o) => assert.ok(o.additionalModelResponseFields)),
  },
  {
    name: 'answer: special keys (__proto__, toString, valueOf) in a document stay own data keys',
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: 'x', additionalModelResponseFields: SPECIAL_KEYS() },
    js: ok((o) => assertOwnSpecialKeys(o.additionalModelResponseFields)),
  },
  {
    name: 'answer: special keys in a document beside bytes (the output is built as a tree, not parsed)',
    input: () => USER_TEXT(),
    behavior: {
      content: [{ reasoningContent: { redactedContent: 'AAECAwQF/w==' } }, { text: 'Done.' }],
      additionalModelResponseFields: SPECIAL_KEYS(),
    },
    js: ok((o) => assertOwnSpecialKeys(o.additionalModelResponseFields)),
  },
  {
    name: 'answer: latencyMs (metrics.latencyMs is the configured value, deterministic)',
    input: () => USER_TEXT(),
    behavior: { mode: 'fixed', text: 'slow', latencyMs: 40 },
    js: ok((o) => assert.deepEqual(o.metrics, { latencyMs: 40 })),
  },
];

/** Each modelled fault the emulator injects, with the class the JS SDK throws for it. */
const FAULTS = [
  ['throttle', 'ThrottlingException'],
  ['unavailable', 'ServiceUnavailableException'],
  ['modelNotReady', 'ModelNotReadyException'],
  ['validationError', 'ValidationException'],
  ['accessDenied', 'AccessDeniedException'],
  ['resourceNotFound', 'ResourceNotFoundException'],
  ['internalError', 'InternalServerException'],
  ['modelTimeout', 'ModelTimeoutException'],
  ['modelError', 'ModelErrorException'],
  ['serviceQuotaExceeded', 'ServiceQuotaExceededException'],
];

const errorCases = [
  ...FAULTS.map(([fault, name]) => ({
    name: `error: ${fault} → ${name}`,
    input: () => USER_TEXT(),
    behavior: { fault },
    js: fails(name, sdk[name], (e) => assert.equal(e.$metadata.attempts, 1)),
  })),
  {
    name: 'error: throttle with a custom faultMessage',
    input: () => USER_TEXT(),
    behavior: { fault: 'throttle', faultMessage: 'Rate exceeded: ünïcødé "quoted"' },
    js: fails('ThrottlingException', sdk.ThrottlingException, (e) => assert.equal(e.message, 'Rate exceeded: ünïcødé "quoted"')),
  },
  { name: 'error: malformedBody (200 with broken JSON)', input: () => USER_TEXT(), behavior: { fault: 'malformedBody' }, js: rejects },
  {
    name: 'error: truncatedBody (Content-Length promises more, connection closed)',
    input: () => USER_TEXT(),
    behavior: { fault: 'truncatedBody' },
    js: rejects,
  },
  { name: 'error: connectionReset (TCP RST, no response)', input: () => USER_TEXT(), behavior: { fault: 'connectionReset' }, js: rejects },
  {
    name: 'error: faultTiers — the priority tier is faulted',
    input: () => USER_TEXT(),
    tier: 'priority',
    behavior: { fault: 'unavailable', faultTiers: ['priority'] },
    js: fails('ServiceUnavailableException', sdk.ServiceUnavailableException),
  },
  {
    name: 'error: faultTiers — the default tier is not faulted',
    input: () => USER_TEXT('not faulted'),
    behavior: { fault: 'unavailable', faultTiers: ['priority'] },
    js: ok((o) => assert.equal(answerText(o), 'echo: not faulted')),
  },
  {
    name: 'error: bad signature (wrong secret) → InvalidSignatureException',
    input: () => USER_TEXT(),
    credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'not-the-secret' },
    js: fails('InvalidSignatureException', sdk.BedrockRuntimeServiceException),
  },
  {
    name: 'error: unknown access key id → UnrecognizedClientException',
    input: () => USER_TEXT(),
    credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'whatever' },
    js: fails('UnrecognizedClientException', sdk.BedrockRuntimeServiceException),
  },
];

// Every retry case retries at least twice: the JS SDK sleeps floor(random * base * 2^i)
// ms, so one retry after a transient error (base 100) adds 0 ms one time in 100, which
// would fail "totalRetryDelay > 0" by chance; two retries make that 1 in 20,000.
const retryCases = [
  {
    name: 'retry: throttle failFirst 2, maxAttempts 3 → success after 3 attempts',
    input: () => USER_TEXT('retried'),
    behavior: { fault: 'throttle', failFirst: 2 },
    maxAttempts: 3,
    retried: true,
    js: (r, received) => {
      ok((o) => {
        assert.equal(o.$metadata.attempts, 3);
        assert.ok(o.$metadata.totalRetryDelay > 0);
      })(r);
      assert.equal(received.length, 3);
    },
  },
  {
    name: 'retry: sequence unavailable, internalError, ok with maxAttempts 3',
    input: () => USER_TEXT('sequence'),
    behavior: { sequence: ['unavailable', 'internalError', 'ok'] },
    maxAttempts: 3,
    retried: true,
    js: ok((o) => assert.equal(o.$metadata.attempts, 3)),
  },
  {
    name: 'retry: throttle every time, maxAttempts 3 → ThrottlingException after 3 attempts',
    input: () => USER_TEXT(),
    behavior: { fault: 'throttle' },
    maxAttempts: 3,
    retried: true,
    js: fails('ThrottlingException', sdk.ThrottlingException, (e) => {
      assert.equal(e.$metadata.attempts, 3);
      assert.ok(e.$metadata.totalRetryDelay > 0);
    }),
  },
  {
    name: 'retry: connectionReset failFirst 2, maxAttempts 3 → success after 3 attempts',
    input: () => USER_TEXT('after reset'),
    behavior: { fault: 'connectionReset', failFirst: 2 },
    maxAttempts: 3,
    retried: true,
    js: ok((o) => assert.equal(o.$metadata.attempts, 3)),
  },
  {
    name: 'retry: validationError is not retried (maxAttempts 3 → 1 attempt)',
    input: () => USER_TEXT(),
    behavior: { fault: 'validationError' },
    maxAttempts: 3,
    js: fails('ValidationException', sdk.ValidationException, (e) => assert.equal(e.$metadata.attempts, 1)),
  },
];

const CASES = [...requestCases, ...answerCases, ...errorCases, ...retryCases];

module.exports = { CASES };
