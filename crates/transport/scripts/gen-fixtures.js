// Records what the installed @aws-sdk/client-bedrock-runtime does, as fixtures for the Rust
// tests: the JS output object for given wire responses, the JS error for given error
// responses, the exact wire body JS sends for given Converse / ConverseStream inputs, and
// how JS spells numbers (`String(n)`) for many doubles. Values are written in Doc's tagged
// JSON ({"$bytes": base64}, {"$date": ms}, {"$undefined": true}).
//
// Usage (from the repository root): node crates/transport/scripts/gen-fixtures.js
"use strict";
const path = require("path");
const fs = require("fs");
const { Readable } = require("stream");
const root = path.resolve(__dirname, "../../..");
const req = (m) => require(require.resolve(m, { paths: [root] }));
const { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } = req("@aws-sdk/client-bedrock-runtime");
const sdkVersion = req("@aws-sdk/client-bedrock-runtime/package.json").version;

function tag(v) {
  if (v === undefined) return { $undefined: true };
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString("base64") };
  if (v instanceof Date) return { $date: v.getTime() };
  if (Array.isArray(v)) return v.map(tag);
  const out = {};
  for (const k of Object.keys(v)) out[k] = tag(v[k]);
  return out;
}
function untag(v) {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(untag);
  if (v.$undefined === true) return undefined;
  if (typeof v.$bytes === "string") return new Uint8Array(Buffer.from(v.$bytes, "base64"));
  if (typeof v.$date === "number") return new Date(v.$date);
  const out = {};
  for (const k of Object.keys(v)) out[k] = untag(v[k]);
  return out;
}

function client(respond, sent) {
  const handler = {
    handle: async (request) => {
      if (sent) sent.push(Buffer.from(request.body).toString("utf8"));
      const [status, headers, body] = respond();
      return { response: { statusCode: status, headers, body: Readable.from([Buffer.from(body)]) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() { return {}; },
  };
  return new BedrockRuntimeClient({
    region: "us-east-1",
    credentials: { accessKeyId: "a", secretAccessKey: "b" },
    requestHandler: handler,
    maxAttempts: 1,
  });
}

const H = { "x-amzn-requestid": "req-1", "content-type": "application/json" };
const outputs = [
  ["minimal", `{"output":{"message":{"role":"assistant","content":[{"text":"hi"}]}},"stopReason":"end_turn","usage":{"inputTokens":1,"outputTokens":2,"totalTokens":3},"metrics":{"latencyMs":12}}`],
  ["every-member", JSON.stringify({
    metrics: { latencyMs: 5 }, stopReason: "tool_use", serviceTier: { type: "priority" },
    performanceConfig: { latency: "optimized" },
    additionalModelResponseFields: { stop_sequence: null, "2": [1, 2.5, { z: true }], a: "x" },
    usage: { totalTokens: 30, outputTokens: 10, inputTokens: 20, cacheReadInputTokens: 4, cacheWriteInputTokens: 0, cacheDetails: [{ inputTokens: 3, ttl: "5m" }] },
    trace: {
      promptRouter: { invokedModelId: "arn:aws:bedrock:us-east-1::foundation-model/x" },
      guardrail: {
        modelOutput: ["a", "b"], actionReason: "none",
        inputAssessment: { g1: { topicPolicy: { topics: [{ name: "t", type: "DENY", action: "BLOCKED", detected: true }] },
          contextualGroundingPolicy: { filters: [{ type: "GROUNDING", threshold: 0.75, score: 0.1, action: "NONE", detected: false }] },
          automatedReasoningPolicy: { findings: [{ valid: { translation: { premises: [{ logic: "p", naturalLanguage: "P" }], claims: [], confidence: 0.9 }, supportingRules: [{ identifier: "r" }] } }, { tooComplex: {} }, { fancyNew: { x: 1 } }] },
          invocationMetrics: { guardrailProcessingLatency: 3, usage: { topicPolicyUnits: 1 }, guardrailCoverage: { textCharacters: { guarded: 1, total: 2 } } } } },
        outputAssessments: { g1: [{ wordPolicy: { customWords: [{ match: "m", action: "BLOCKED" }] } }] },
      },
    },
    output: { message: { content: [
      { text: "plain" },
      { toolUse: { input: { b: 1, a: { "10": 1, "9": 2 }, c: [null, "s"] }, name: "calc", toolUseId: "t-1", type: "server_tool_use" } },
      { reasoningContent: { reasoningText: { signature: "sig", text: "thinking" } } },
      { reasoningContent: { redactedContent: "AAECAwQ=" } },
      { citationsContent: { content: [{ text: "c" }], citations: [{ title: "T", location: { documentPage: { documentIndex: 0, start: 1, end: 2 } }, sourceContent: [{ text: "s" }] }, { location: { web: { url: "https://x", domain: "x" } } }] } },
      { image: { format: "png", source: { bytes: "iVBORw0=" } } },
      { document: { format: "txt", name: "d", source: { text: "doc" }, citations: { enabled: true } } },
      { toolResult: { toolUseId: "t-0", content: [{ json: { ok: 1 } }, { text: "t" }], status: "success" } },
      { video: { format: "mp4", source: { s3Location: { uri: "s3://b/k", bucketOwner: "1" } } } },
      { futureBlock: { anything: [1] } },
      { text: null },
      { text: "late", image: null },
      { cachePoint: { type: "default" } },
      { searchResult: { source: "s", title: "t", content: [{ text: "x" }] } },
    ], role: "assistant" } },
    unexpectedTopLevel: 1,
  })],
  ["nulls-and-odd-types", `{"output":{"message":null},"stopReason":null,"usage":"n/a","metrics":{"latencyMs":"NaN"},"additionalModelResponseFields":[1,{"a":null}]}`],
  ["empty-body", ""],
  ["empty-object", "{}"],
];

const errorCases = [
  ["throttle", 429, { "x-amzn-errortype": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/" }, `{"message":"Too many requests, please wait before trying again."}`],
  ["validation-extra", 400, { "x-amzn-errortype": "ValidationException" }, `{"message":"bad","extra":1,"Message":"ignored"}`],
  ["model-error", 424, { "x-amzn-errortype": "ModelErrorException" }, `{"message":"m","originalStatusCode":500}`],
  ["unavailable", 503, { "x-amzn-errortype": "ServiceUnavailableException" }, `{"message":"down"}`],
  ["invalid-signature", 403, { "x-amzn-errortype": "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/" }, `{"message":"sig"}`],
  ["type-in-body", 500, {}, `{"__type":"com.amazon#WeirdException","Message":"w"}`],
  ["no-code", 502, {}, `{}`],
];

const inputs = [
  ["text", { messages: [{ role: "user", content: [{ text: "hello" }] }] }],
  ["everything", {
    modelId: "ignored",
    messages: [
      { role: "user", content: [
        { text: "t" },
        { image: { format: "png", source: { bytes: { $bytes: "AAEC" } } } },
        { image: { format: "jpeg", source: { s3Location: { uri: "s3://b/i.jpg", bucketOwner: "123" } } } },
        { document: { format: "pdf", name: "doc", source: { bytes: { $bytes: "JVBERg==" } }, context: "ctx", citations: { enabled: true } } },
        { document: { format: "txt", name: "d2", source: { content: [{ text: "chunk" }] } } },
        { video: { format: "mp4", source: { s3Location: { uri: "s3://b/v.mp4" } } } },
        { audio: { format: "mp3", source: { bytes: { $bytes: "SUQz" } } } },
        { guardContent: { text: { text: "g", qualifiers: ["query"] } } },
        { guardContent: { image: { format: "png", source: { bytes: { $bytes: "AAEC" } } } } },
        { cachePoint: { type: "default", ttl: "5m" } },
        { searchResult: { source: "s", title: "t", content: [{ text: "x" }], citations: { enabled: false } } },
      ] },
      { role: "assistant", content: [
        { reasoningContent: { reasoningText: { text: "think", signature: "sig" } } },
        { reasoningContent: { redactedContent: { $bytes: "AQID" } } },
        { toolUse: { toolUseId: "t1", name: "calc", input: { a: 1, b: 1.5, c: -2, d: [true, null, "x"], e: { f: 12345678901 } } } },
        { citationsContent: { content: [{ text: "c" }], citations: [{ title: "T", source: "S", sourceContent: [{ text: "sc" }], location: { documentChar: { documentIndex: 0, start: 1, end: 5 } } }] } },
      ] },
      { role: "user", content: [
        { toolResult: { toolUseId: "t1", status: "error", content: [{ json: { r: 2 } }, { text: "txt" }, { image: { format: "gif", source: { bytes: { $bytes: "R0lG" } } } }] } },
        { text: "undefined members are skipped", unused: { $undefined: true } },
      ] },
    ],
    system: [{ text: "sys" }, { guardContent: { text: { text: "gs" } } }, { cachePoint: { type: "default" } }],
    inferenceConfig: { maxTokens: 100, temperature: 0.5, topP: 0.25, stopSequences: ["END"] },
    toolConfig: {
      tools: [
        { toolSpec: { name: "calc", description: "d", inputSchema: { json: { type: "object", properties: { x: { type: "number" } }, required: ["x"] } }, strict: true } },
        { systemTool: { name: "web" } },
        { cachePoint: { type: "default" } },
      ],
      toolChoice: { tool: { name: "calc" } },
    },
    guardrailConfig: { guardrailIdentifier: "gid", guardrailVersion: "1", trace: "enabled" },
    additionalModelRequestFields: { top_k: 5, nested: { x: [1, 2.5] } },
    promptVariables: { name: { text: "v" } },
    additionalModelResponseFieldPaths: ["/stop_sequence"],
    requestMetadata: { team: "a" },
    performanceConfig: { latency: "standard" },
    serviceTier: { type: "flex" },
    outputConfig: { textFormat: { type: "json_schema", structure: { jsonSchema: { schema: "{}", name: "n", description: "d" } } } },
  }],
  ["tool-choices", { messages: [{ role: "user", content: [{ text: "x" }] }], toolConfig: { tools: [{ toolSpec: { name: "a", inputSchema: { json: {} } } }], toolChoice: { any: {} } } }],
  ["numbers", {
    inferenceConfig: { maxTokens: 4096, temperature: 0.7, topP: 0.1 + 0.2 },
    additionalModelRequestFields: {
      list: [0.7, 1e21, 1e-7, 5e-324, 2 ** 53 + 2, 2 ** 64, -(2 ** 63), -0, 1.7976931348623157e308, 123456789.125],
      nested: { deeper: [{ n: -1.5e-10 }] },
    },
  }],
  ["odd-document-keys-and-values", {
    messages: [{ role: "user", content: [{ text: "ünïcødé ✓ 😀 \b\f\u0001\u001f\u007f\u2028 / \" \\ \n\r\t" }] }],
    additionalModelRequestFields: {
      z: 1, 10: "ten", 2: "two", "": "empty", "a.b": "dotted", "01": "not an index", "-1": "negative",
      "ünï 😀": "unicode key", "quote\"key": "q", constructor: "c", toString: "t",
      date: { $date: 1700000000123 }, bytes: { $bytes: "AAEC/w==" },
      sparse: [1, { $undefined: true }, null, 2], gone: { $undefined: true }, kept: null,
    },
  }],
  ["blob-given-as-string", { messages: [{ role: "user", content: [{ image: { format: "png", source: { bytes: "ünï" } } }] }] }],
  ["tool-spec-member-order", { toolConfig: { tools: [{ toolSpec: { strict: false, description: "before name", inputSchema: { json: { b: 1, a: 2 } }, name: "t" } }], toolChoice: { auto: {} } } }],
  ["no-body-members", { modelId: "m", messages: undefined, system: null }],
];

// ConverseStream inputs: the same writer, and guardrailConfig may set streamProcessingMode.
const streamInputs = [
  ["stream-guardrail", {
    messages: [{ role: "user", content: [{ text: "s" }] }],
    guardrailConfig: { streamProcessingMode: "async", trace: "enabled", guardrailVersion: "1", guardrailIdentifier: "g" },
    inferenceConfig: { temperature: 0.7 },
  }],
];

/** Doubles whose JS spelling tests a number formatter: edges, powers of ten, random bit patterns and short decimals. */
function numberCases() {
  let seed = 0x9e3779b9;
  const next = () => {
    // xorshift32: deterministic, so the fixture only changes when this list does.
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    return seed;
  };
  const values = [0, -0, 1, -1, 0.1, 0.7, 1e21, 1e-7, 1e-6, 5e-324, 2.2250738585072014e-308, Number.MAX_VALUE,
    Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 2 ** 64, -(2 ** 63), 123456789012345680000, 0.000001234];
  for (let e = -325; e <= 308; e++) values.push(Number(`1e${e}`), Number(`1.5e${e}`), Number(`9.999999999999999e${e}`));
  const view = new DataView(new ArrayBuffer(8));
  while (values.length < 4000) {
    view.setUint32(0, next());
    view.setUint32(4, next());
    const random = view.getFloat64(0);
    if (Number.isFinite(random)) values.push(random);
    values.push((next() % 2000000 - 1000000) / 10 ** (next() % 12));
  }
  return values.map((n) => {
    view.setFloat64(0, n);
    const bits = view.getBigUint64(0).toString(16).padStart(16, "0");
    return [bits, String(n)];
  });
}

(async () => {
  const fixture = { jsSdkVersion: sdkVersion, outputs: [], errors: [], inputs: [], streamInputs: [], numbers: numberCases() };
  for (const [name, body] of outputs) {
    const out = await client(() => [200, H, body]).send(new ConverseCommand({ modelId: "m", messages: [] }));
    fixture.outputs.push({ name, body, js: tag(out) });
  }
  for (const [name, status, headers, body] of errorCases) {
    try {
      await client(() => [status, { "x-amzn-requestid": "req-2", ...headers }, body]).send(new ConverseCommand({ modelId: "m", messages: [] }));
      throw new Error("expected an error for " + name);
    } catch (e) {
      const own = {};
      for (const k of Object.keys(e)) own[k] = e[k];
      fixture.errors.push({ name, status, headers, body, js: tag({ name: e.name, message: e.message, ...own }) });
    }
  }
  for (const [name, input] of inputs) {
    const sent = [];
    await client(() => [200, H, "{}"], sent).send(new ConverseCommand({ modelId: "m", ...untag(input) }));
    fixture.inputs.push({ name, input, wire: sent[0] });
  }
  for (const [name, input] of streamInputs) {
    const sent = [];
    // The canned answer is no event stream, so the call fails after the body was sent.
    await client(() => [200, H, "{}"], sent).send(new ConverseStreamCommand({ modelId: "m", ...untag(input) })).catch(() => {});
    fixture.streamInputs.push({ name, input, wire: sent[0] });
  }
  const file = path.join(__dirname, "../tests/fixtures/js-sdk.json");
  fs.writeFileSync(file, JSON.stringify(fixture, null, 1) + "\n");
  console.log(`wrote ${file}`);
})().catch((e) => { console.error(e); process.exit(1); });
