#!/usr/bin/env node
'use strict';
// Calls every export of the package with hostile arguments and reports how each call
// ended. Classes are constructed and then their methods and getters called; functions
// are called; a returned promise is awaited. Arguments come from a seeded generator:
// throwing getters, Proxies (throwing, self-returning, revoked), cycles, deep nesting,
// BigInt, Symbol, sparse arrays of length 2³² − 1, 8 MB strings, typed arrays, and
// near-valid configurations and inputs (pointing at a local emulator) with one member
// replaced by such a value.
//
//   node scripts/fuzz-exports.js [--calls 10000] [--seed 1] [--json]
//
// The calls run in a child process (`--child`), which writes a line synchronously
// before and after each call. The parent counts a child that dies as a crash and one
// silent for longer than the watchdog as a hang (it kills it), then starts a new child
// at the next call. A promise unsettled after CALL_BOUND_MS counts as unsettled; a call
// that takes longer or adds more memory than the bounds below is listed. Each call
// draws from its own seeded generator, so `--seed S` reproduces any call alone.

const { spawn } = require('node:child_process');
const fs = require('node:fs');

/** How long a returned promise may take to settle. */
const CALL_BOUND_MS = 10_000;
/** How long the child may stay silent (a call blocking the event loop) before it is killed. */
const WATCHDOG_MS = 30_000;
/** How much RSS one call may add. */
const RSS_BOUND_BYTES = 256 << 20;
/** Marks the errors the hostile values throw, to tell them from the package's own. */
const HOSTILE = 'fuzz-hostile';

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1];
}

// ---------------------------------------------------------------------------
// The child: the calls
// ---------------------------------------------------------------------------

/** mulberry32 over a seed mixed with the call's index. */
function generator(seed, index) {
  let state = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  };
}

function hostileThrow() {
  throw new Error(`${HOSTILE}: thrown by a caller's value`);
}

/** Values built once per child: the big ones are cheap to pass, not to walk. */
function hostileAtoms() {
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  const sparseWithItem = [];
  sparseWithItem.length = 2 ** 32 - 1;
  sparseWithItem[0] = { modelId: 'm', weight: 1, isFallback: false, item: 'x', text: 'x' };
  const cycle = { name: 'cycle' };
  cycle.self = cycle;
  cycle.list = [cycle];
  let deep = {};
  for (let i = 0; i < 5_000; i++) deep = { next: deep, content: [deep] };
  const throwingGetters = new Proxy({}, {
    get: hostileThrow, has: hostileThrow, ownKeys: hostileThrow, getOwnPropertyDescriptor: hostileThrow,
    getPrototypeOf: hostileThrow, apply: hostileThrow, construct: hostileThrow, set: hostileThrow,
  });
  const getterObject = {};
  for (const key of ['modelId', 'weight', 'isFallback', 'models', 'messages', 'name', 'message', 'errors', 'isValid', 'region', 'credentials', 'length']) {
    Object.defineProperty(getterObject, key, { get: hostileThrow, enumerable: true });
  }
  // Every property is the proxy itself (and it can be called), except `then`: a
  // thenable that never settles would wait for the caller's own timeout, legitimately.
  const selfish = new Proxy(function selfish() {}, {
    get: (target, key) => (key === 'then' ? undefined : key === Symbol.toPrimitive ? () => 'selfish' : selfish),
    apply: () => selfish,
    construct: () => selfish,
  });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const badPrimitive = { valueOf: hostileThrow, toString: hostileThrow, [Symbol.toPrimitive]: hostileThrow };
  const huge = 'x'.repeat(8 << 20);
  const dense = Array.from({ length: 100_000 }, (_, i) => i);
  const nullProto = Object.create(null);
  nullProto.modelId = 'np';
  const specialKeys = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "toString": "x"}');
  return [
    undefined, null, true, false, 0, -0, 1, -1, 0.5, NaN, Infinity, -Infinity, 1e308, 2 ** 53, 2 ** 32, 10_000, 1_000,
    '', 'x', '0', 'm', '__proto__', 'constructor', 'toString', 'ThrottlingException', 'native', 'js-sdk', 'reserved', '\u0000\ud800', huge,
    Symbol('fuzz'), Symbol.iterator, 10n, -(2n ** 70n),
    {}, [], nullProto, specialKeys, cycle, deep, sparse, sparseWithItem, dense, [huge], { text: huge },
    throwingGetters, getterObject, selfish, revocable.proxy, badPrimitive,
    hostileThrow, () => undefined, async () => hostileThrow(), function Named() {}, class Klass {},
    Buffer.from('bytes'), new Uint8Array(4), new Float64Array(2), new ArrayBuffer(8), new DataView(new ArrayBuffer(4)),
    new Date(NaN), new Date(0), /re/g, new Map([[1, 2]]), new Set([1]), new WeakMap(), new Error('plain'),
    Object.freeze({ frozen: true }), new String('boxed'), new Number(3), Promise.resolve(1),
  ];
}

/** Near-valid shapes, built fresh per use, so that calls reach past the first check. */
function templates(endpoint) {
  const credentials = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-secret' };
  const clientConfig = () => ({ region: 'us-east-1', endpoint, credentials: { ...credentials }, maxAttempts: 1 });
  const model = () => ({ modelId: 'fuzz-model', weight: 1, isFallback: false });
  const input = () => ({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });
  const muxOptions = () => ({ defaultTimeoutMs: 1000, maxRetries: 0, clientConfig: clientConfig() });
  return {
    model,
    models: () => [model(), { modelId: 'fuzz-fallback', weight: 1, isFallback: true }],
    muxConfig: () => ({ models: [model()], ...muxOptions() }),
    muxConfigJsSdk: () => ({ models: [model()], ...muxOptions(), transport: 'js-sdk' }),
    muxConfigEscalating: () => ({ models: [model()], ...muxOptions(), tierEscalation: { enabled: true, escalationTier: 'priority' } }),
    muxOptions,
    clientConfig,
    input,
    richInput: () => ({ ...input(), inferenceConfig: { maxTokens: 10 }, system: [{ text: 'be brief' }] }),
    breakerConfig: () => ({ failureThreshold: 1, recoveryTimeMs: 1000, successThreshold: 1, failureWindowMs: 1000 }),
    sdkError: () => ({ name: 'ThrottlingException', message: 'slow down', $fault: 'client', $metadata: { httpStatusCode: 429 } }),
    validationResult: () => ({ isValid: false, errors: [{ field: 'f', message: 'm', expected: 'e', actual: 'a' }] }),
    output: () => ({ output: { message: { role: 'assistant', content: [{ text: 'hi' }] } } }),
    outcome: () => ({ modelId: 'fuzz-model', type: 0, latency: 5, timestamp: new Date() }),
    tracing: () => ({ enabled: true, serviceName: 'fuzz' }),
    weighted: () => [{ item: 'a', weight: 1 }, { item: 'b', weight: 2 }],
    modelId: () => 'fuzz-model',
    number: () => 1000,
  };
}

/**
 * Argument lists that reach past the first check, by call label: with them (each
 * argument then maybe mutated) calls go on to the network, breakers and streams.
 */
const PLAUSIBLE = {
  'new BedrockMultiplexer': [['muxConfig'], ['muxConfigJsSdk'], ['muxConfigEscalating']],
  'BedrockMultiplexer#processRequest': [['input'], ['richInput']],
  'BedrockMultiplexer#processStreamRequest': [['input'], ['richInput']],
  'BedrockMultiplexer#addModel': [['model']],
  'BedrockMultiplexer#reportOutcome': [['outcome']],
  'createMultiplexer': [['models', 'muxOptions']],
  'new BedrockModel': [['model', 'none', 'number', 'none', 'clientConfig']],
  'BedrockModel#invoke': [['input']],
  'BedrockModel#invokeStream': [['input']],
  'new CircuitBreaker': [['modelId', 'breakerConfig']],
  'new CircuitBreakerManager': [['breakerConfig']],
  'MultiplexerConfigValidator.validate': [['muxConfig']],
  'ModelConfigValidator.validate': [['model']],
  'CircuitBreakerConfigValidator.validate': [['breakerConfig']],
  'formatValidationErrors': [['validationResult']],
  'assertValid': [['validationResult']],
  'extractResponseText': [['output']],
  'weightedRandomSelect': [['weighted']],
  'classifyErrorType': [['sdkError']],
  'createEnhancedError': [['sdkError']],
  'getRetryDelay': [['sdkError', 'number', 'number']],
  'new MultiplexerTracer': [['tracing']],
  'createTracer': [['tracing']],
};

/** The arguments of the call `label`: plausible ones (maybe mutated) or hostile ones. */
function argumentsFor(label, rng, atoms, shapes) {
  const plausible = PLAUSIBLE[label];
  if (plausible && rng.chance(0.6)) {
    return rng.pick(plausible).map((name) => {
      const value = name === 'none' ? undefined : shapes[name]();
      if (!rng.chance(0.3)) return value;
      if (value && typeof value === 'object') {
        replaceOneMember(rng, value, rng.pick(atoms));
        return value;
      }
      return rng.pick(atoms);
    });
  }
  return Array.from({ length: rng.int(4) }, () => argument(rng, atoms, Object.values(shapes)));
}

/** A value: a hostile atom, or a near-valid shape with one member (at any depth) replaced. */
function argument(rng, atoms, shapes) {
  if (rng.chance(0.45)) return rng.pick(atoms);
  const value = rng.pick(shapes)();
  if (value && typeof value === 'object' && rng.chance(0.8)) replaceOneMember(rng, value, rng.pick(atoms));
  return value;
}

function replaceOneMember(rng, value, replacement) {
  let target = value;
  for (let depth = 0; depth < 4; depth++) {
    const keys = Object.keys(target);
    if (keys.length === 0) return;
    const key = rng.pick(keys);
    const inner = target[key];
    if (inner && typeof inner === 'object' && !ArrayBuffer.isView(inner) && !(inner instanceof Date) && rng.chance(0.6)) {
      target = inner;
      continue;
    }
    target[key] = replacement;
    return;
  }
}

function isClass(fn) {
  return typeof fn === 'function' && /^class\b/.test(Function.prototype.toString.call(fn));
}

/**
 * Members of a class's prototype chain, methods and getters: the package's own, not
 * those of Object or of Node's EventEmitter (whose `on([sparse array])` joins the array
 * into a key as it does for any emitter).
 */
function membersOf(cls) {
  const members = [];
  const { EventEmitter } = require('node:events');
  for (let proto = cls.prototype; proto && proto !== Object.prototype && proto !== EventEmitter.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || members.some((m) => m.name === name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (descriptor.get) members.push({ name, getter: true });
      else if (typeof descriptor.value === 'function') members.push({ name, getter: false });
    }
  }
  return members.filter(({ name }) => !['destroy', 'stop', 'dispose'].includes(name));
}

/** Settles `value` (awaiting a thenable up to CALL_BOUND_MS): how it ended. */
async function settle(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || typeof value.then !== 'function') {
    return { ended: 'returned' };
  }
  let timer;
  const bound = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ ended: 'unsettled' }), CALL_BOUND_MS);
  });
  const outcome = Promise.resolve(value).then(
    (result) => drain(result).then(() => ({ ended: 'resolved' })),
    () => ({ ended: 'rejected' }),
  );
  try {
    return await Promise.race([outcome, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a stream a call resolved with (processStreamRequest, invokeStream), briefly. */
async function drain(result) {
  const stream = result && typeof result === 'object' ? result.stream : undefined;
  if (!stream || typeof stream[Symbol.asyncIterator] !== 'function') return;
  let events = 0;
  try {
    for await (const _event of stream) if (++events > 100) break;
  } catch {
    // An error from the stream is an answer like any other.
  }
}

/** A short description of an argument, for the report (hostile values may throw here too). */
function describe(value) {
  try {
    if (typeof value === 'string') return value.length > 20 ? `string(${value.length})` : JSON.stringify(value);
    if (typeof value === 'bigint') return `${value}n`;
    if (typeof value === 'symbol') return value.toString();
    if (typeof value === 'function') return 'function';
    if (value === null || typeof value !== 'object') return String(value);
    if (Array.isArray(value)) return `array(${value.length})`;
    return `object{${Object.keys(value).slice(0, 4).join(',')}}`;
  } catch {
    return `${typeof value}(throws)`;
  }
}

/** Cleans up what a call built: multiplexers keep timers, classifiers a worker. */
function release(instance) {
  for (const name of ['destroy', 'stop', 'cancel']) {
    try {
      if (instance && typeof instance[name] === 'function') instance[name]();
    } catch {
      // A hostile construction may leave an instance that cannot be released; fine.
    }
  }
}

async function runChild() {
  const seed = Number(option('seed', 1));
  const start = Number(option('start', 0));
  const end = Number(option('end', 100));
  // Synchronous, so that a call that then blocks has been announced; stdout is a
  // non-blocking pipe, so a full one is retried until the parent has read it.
  const write = (record) => {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    for (let offset = 0; offset < line.length; ) {
      try {
        offset += fs.writeSync(1, line, offset);
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
      }
    }
  };

  const stray = { uncaught: [], unhandled: [] };
  const isHostile = (error) => String(error && error.message).startsWith(HOSTILE);
  process.on('uncaughtException', (error) => {
    if (!isHostile(error)) stray.uncaught.push(String(error && error.stack));
  });
  process.on('unhandledRejection', (reason) => {
    if (!isHostile(reason)) stray.unhandled.push(String(reason && reason.stack ? reason.stack : reason));
  });

  const pkg = require('..');
  const { startEmulator } = require('../testing');
  const emulator = startEmulator();
  const atoms = hostileAtoms();
  const shapes = templates(emulator.endpoint);
  // Some models answer with faults, so that breakers, failover and escalation run too.
  emulator.setBehavior('fuzz-fallback', { fault: 'throttle', faultProbability: 0.5, seed });
  const exported = Object.entries(pkg).filter(([, value]) => typeof value === 'function');
  // The multiplexer and the model own most of the code: they are drawn four times as often.
  for (const name of ['BedrockMultiplexer', 'BedrockModel', 'createMultiplexer']) {
    for (let copy = 0; copy < 3; copy++) exported.push([name, pkg[name]]);
  }

  // One "call" is one invocation: a function call, a construction, or a member call.
  let index = start;
  while (index < end) {
    const rng = generator(seed, index);
    const [name, fn] = rng.pick(exported);
    const args = (label) => argumentsFor(label, rng, atoms, shapes);
    if (!isClass(fn)) {
      await call(index++, name, args(name), (a) => fn(...a));
      continue;
    }
    const statics = Object.getOwnPropertyNames(fn).filter((key) => typeof fn[key] === 'function');
    if (statics.length && rng.chance(0.5)) {
      const member = rng.pick(statics);
      const label = `${name}.${member}`;
      await call(index++, label, args(label), (a) => fn[member](...a));
      continue;
    }
    let instance;
    await call(index++, `new ${name}`, args(`new ${name}`), (a) => {
      instance = new fn(...a);
    });
    const members = membersOf(fn);
    for (let n = rng.int(5); instance && n > 0 && index < end && members.length; n--) {
      const member = rng.pick(members);
      const label = `${name}#${member.name}`;
      await call(index++, label, args(label), (a) => (member.getter ? instance[member.name] : instance[member.name](...a)));
    }
    release(instance);
  }

  async function call(i, label, args, invoke) {
    write({ at: 'start', i, label, args: args.map(describe) });
    const rssBefore = process.memoryUsage().rss;
    const startedAt = process.hrtime.bigint();
    let result;
    try {
      result = await settle(invoke(args));
      if (result.ended === 'returned') result = { ended: 'returned' };
    } catch (error) {
      result = { ended: 'threw', error: String(error && error.message).slice(0, 120) };
    }
    const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
    write({ at: 'end', i, label, ...result, ms, rssGrowth: process.memoryUsage().rss - rssBefore, rss: process.memoryUsage().rss });
  }

  await new Promise((resolve) => setTimeout(resolve, 50)); // let late rejections surface
  write({ at: 'done', uncaught: stray.uncaught, unhandled: stray.unhandled });
  await emulator.stop();
  process.exit(0);
}

/** The child's loop failing is the harness's own bug: said as such, not as a crash. */
function runChildOrReport() {
  runChild().catch((error) => {
    fs.writeSync(1, `${JSON.stringify({ at: 'harness', error: String(error && error.stack) })}\n`);
    process.exit(2);
  });
}

// ---------------------------------------------------------------------------
// The parent: children, watchdog, counts
// ---------------------------------------------------------------------------

function runRange(seed, start, end) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=2048', __filename, '--child', '--seed', String(seed), '--start', String(start), '--end', String(end)],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true' } },
    );
    const records = [];
    let buffered = '';
    let stderr = '';
    let watchdog;
    let hung = false;
    const arm = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        hung = true;
        child.kill('SIGKILL');
      }, WATCHDOG_MS);
    };
    arm();
    child.stdout.on('data', (chunk) => {
      arm();
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          records.push(JSON.parse(line));
        } catch {
          // Not ours (a library's stray print).
        }
      }
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      resolve({ records, code, signal, hung, stderr });
    });
  });
}

async function runParent() {
  const calls = Number(option('calls', 10_000));
  const seed = Number(option('seed', 1));
  const asJson = process.argv.includes('--json');
  const summary = {
    seed, calls, completed: 0, returned: 0, resolved: 0, rejected: 0, threw: 0,
    crashes: 0, hangs: 0, unsettled: 0, uncaught: 0, unhandledRejections: 0,
    overMemoryBound: 0, maxCallMs: 0, maxRssGrowthMb: 0, maxRssMb: 0, byExport: {}, problems: [],
  };
  let next = 0;
  while (next < calls) {
    const { records, code, signal, hung, stderr } = await runRange(seed, next, calls);
    let lastStarted = null;
    let done = false;
    for (const record of records) {
      if (record.at === 'start') lastStarted = record;
      if (record.at === 'end') {
        lastStarted = null;
        summary.completed++;
        summary[record.ended]++;
        if (record.ended === 'unsettled') summary.problems.push({ kind: 'unsettled', ...record });
        summary.maxCallMs = Math.max(summary.maxCallMs, record.ms);
        summary.maxRssGrowthMb = Math.max(summary.maxRssGrowthMb, record.rssGrowth / 2 ** 20);
        summary.maxRssMb = Math.max(summary.maxRssMb, record.rss / 2 ** 20);
        if (record.rssGrowth > RSS_BOUND_BYTES) {
          summary.overMemoryBound++;
          summary.problems.push({ kind: 'memory', ...record });
        }
        const name = record.label.replace(/^new /, '').split(/[#.]/)[0];
        summary.byExport[name] = (summary.byExport[name] ?? 0) + 1;
        next = record.i + 1;
      }
      if (record.at === 'harness') {
        summary.problems.push({ kind: 'harness', error: record.error });
        throw new Error(`the fuzzer itself failed: ${record.error}`);
      }
      if (record.at === 'done') {
        done = true;
        summary.uncaught += record.uncaught.length;
        summary.unhandledRejections += record.unhandled.length;
        for (const stack of [...record.uncaught, ...record.unhandled]) summary.problems.push({ kind: 'stray', stack });
      }
    }
    if (done && code === 0) break;
    // The child died or was killed in the middle of a call: count it, go on after it.
    if (hung) summary.hangs++;
    else summary.crashes++;
    summary.problems.push({ kind: hung ? 'hang' : 'crash', code, signal, call: lastStarted, stderr: stderr.slice(-1000) });
    next = lastStarted ? lastStarted.i + 1 : next + 1;
  }
  summary.maxCallMs = Math.round(summary.maxCallMs);
  summary.maxRssGrowthMb = Math.round(summary.maxRssGrowthMb);
  summary.maxRssMb = Math.round(summary.maxRssMb);
  if (asJson) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    const { byExport, problems, ...counts } = summary;
    console.log(counts);
    console.log('calls per export:', byExport);
    for (const problem of problems.slice(0, 20)) console.log(problem);
  }
  const clean = summary.crashes + summary.hangs + summary.unsettled + summary.uncaught + summary.unhandledRejections + summary.overMemoryBound === 0;
  process.exitCode = clean ? 0 : 1;
}

if (process.argv.includes('--child')) runChildOrReport();
else runParent();
