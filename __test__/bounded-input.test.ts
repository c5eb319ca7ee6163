// Caller input is read by what the operation needs, and bounded: a sparse array of
// length 2³² − 1 is refused by its length (with the field and the limit) instead of
// being walked, an array nobody reads is not read, and a huge string passed as a
// breaker config is not spread key by key. Each call is measured by the CPU time it
// takes (not wall time, which a loaded machine stretches) and the memory it adds.

import {
  CircuitBreaker,
  CircuitBreakerManager,
  ModelConfigValidator,
  MultiplexerConfigValidator,
  createMultiplexer,
  extractResponseText,
  formatValidationErrors,
  weightedRandomSelect,
} from '../index';
import { EMULATOR_CREDENTIALS, startEmulator } from '../testing';
import type { RunningEmulator } from '../testing';

jest.setTimeout(30_000);

/** What the issue asks of each call: under 100 ms. */
const CPU_BOUND_MS = 100;
/** Far below the gigabytes an element-by-element walk of 2³² − 1 holes takes. */
const RSS_BOUND_BYTES = 64 << 20;

function sparseArray(): any[] {
  const array: any[] = [];
  array.length = 2 ** 32 - 1;
  return array;
}

type Measured<T> = { value?: T; error?: any; cpuMs: number; rssGrowth: number };

/** Runs `call` (awaiting it), with the CPU time and RSS growth it caused. */
async function measured<T>(call: () => T | Promise<T>): Promise<Measured<T>> {
  const rssBefore = process.memoryUsage().rss;
  const cpuBefore = process.cpuUsage();
  const result: Measured<T> = { cpuMs: 0, rssGrowth: 0 };
  try {
    result.value = await call();
  } catch (error) {
    result.error = error;
  }
  const cpu = process.cpuUsage(cpuBefore);
  result.cpuMs = (cpu.user + cpu.system) / 1000;
  result.rssGrowth = process.memoryUsage().rss - rssBefore;
  return result;
}

function expectBounded(result: Measured<unknown>) {
  expect(result.cpuMs).toBeLessThan(CPU_BOUND_MS);
  expect(result.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
}

const TOO_LONG = 'has 4294967295 elements, more than the 100000 accepted';

describe('processRequest and processStreamRequest', () => {
  let emu: RunningEmulator;
  let mux: any;

  beforeAll(() => {
    emu = startEmulator();
    const clientConfig = { region: 'us-east-1', endpoint: emu.endpoint, credentials: { ...EMULATOR_CREDENTIALS }, maxAttempts: 1 };
    mux = createMultiplexer([{ modelId: 'bounded', weight: 1, isFallback: false }], { clientConfig, transport: 'native' } as any);
  });

  afterAll(async () => {
    mux.destroy();
    await emu.stop();
  });

  test('a sparse messages array is refused by its length, naming the field and the limit', async () => {
    const result = await measured(() => mux.processRequest({ messages: sparseArray() }));
    expect(result.error?.message).toBe(`Converse input: messages ${TOO_LONG}`);
    expectBounded(result);
    expect(emu.requests()).toEqual([]);
  });

  test('a stream request with a sparse messages array is refused the same way', async () => {
    const result = await measured(() => mux.processStreamRequest({ messages: sparseArray() }));
    expect(result.error?.message).toBe(`Converse input: messages ${TOO_LONG}`);
    expectBounded(result);
  });

  test('the refusal names the path of a long array deep in the input', async () => {
    const messages = [{ role: 'user', content: [{ text: 'look' }, { toolResult: { toolUseId: 't', content: sparseArray() } }] }];
    const result = await measured(() => mux.processRequest({ messages }));
    expect(result.error?.message).toBe(`Converse input: messages[0].content[1].toolResult.content ${TOO_LONG}`);
    expectBounded(result);
  });

  test('one long array referenced many times exhausts the value budget instead of being walked each time', async () => {
    const shared = new Array(100_000);
    const result = await measured(() => mux.processRequest({ messages: new Array(100_000).fill(shared) }));
    expect(result.error?.message).toMatch(/^Converse input: messages\[\d+\] has more than the 1000000 values accepted$/);
    expect(result.rssGrowth).toBeLessThan(RSS_BOUND_BYTES);
  });

  test('an input within the bounds is sent as before', async () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: [{ text: `turn ${i}` }] }));
    messages.push({ role: 'user', content: [{ text: 'last' }] });
    const response = await mux.processRequest({ messages });
    expect(response.output.message.content[0].text).toBe('echo: last');
  });
});

describe('configuration validators', () => {
  test('an array the validator does not read is not read: the original accepts any extra field', async () => {
    const result = await measured(() => ModelConfigValidator.validate({ modelId: 'm', weight: 1, isFallback: false, tags: sparseArray() } as any));
    expect(result.value).toEqual({ isValid: true, errors: [] });
    expectBounded(result);
  });

  test('a models array too long to read is a validation error with the limit', async () => {
    const result = await measured(() => MultiplexerConfigValidator.validate({ models: sparseArray(), defaultTimeoutMs: 30000, maxRetries: 3 }));
    expect(result.value).toEqual({
      isValid: false,
      errors: [{ field: 'models', message: 'models array must not have more than 100000 elements', expected: '<= 100000', actual: '4294967295' }],
    });
    expectBounded(result);
  });

  test('a multiplexer built on such an array throws the original-style validation message', async () => {
    const result = await measured(() => createMultiplexer(sparseArray()));
    expect(result.error?.message).toBe(
      'Validation failed: models: models array must not have more than 100000 elements (expected: <= 100000) (got: 4294967295)',
    );
    expectBounded(result);
  });

  test('formatValidationErrors refuses a sparse errors array instead of joining its holes', async () => {
    const result = await measured(() => formatValidationErrors({ isValid: false, errors: sparseArray() }));
    expect(result.error?.message).toBe(`result.errors ${TOO_LONG}`);
    expect(formatValidationErrors({ isValid: true, errors: sparseArray() })).toBe('');
    expectBounded(result);
  });
});

describe('breakers', () => {
  const huge = 'x'.repeat(8 << 20);

  test('a huge string as a breaker config is not spread key by key: the defaults apply, as in the original', async () => {
    const result = await measured(() => new CircuitBreaker('m', huge as any).getStatus());
    expect(result.value).toEqual({ state: 'CLOSED', failureCount: 0, successCount: 0, lastOpenedAt: undefined, nextRetryAt: undefined });
    expectBounded(result);
  });

  test('a manager and its breakers treat such a config the same way', async () => {
    const result = await measured(() => new CircuitBreakerManager(huge as any).getBreaker('m', huge as any).getState());
    expect(result.value).toBe('CLOSED');
    expectBounded(result);
  });

  test('a breaker config still overrides exactly the settings it has', () => {
    const breaker = new CircuitBreaker('m', { failureThreshold: 1 });
    breaker.recordFailure();
    expect(breaker.getState()).toBe('OPEN');
  });

  test('an 8 MB model id is copied, not walked', async () => {
    const result = await measured(() => new CircuitBreaker(huge).getState());
    expect(result.value).toBe('CLOSED');
    expectBounded(result);
  });
});

describe('helpers that walk a caller array', () => {
  test('weightedRandomSelect refuses a sparse array by its length', async () => {
    const result = await measured(() => weightedRandomSelect(sparseArray()));
    expect(result.error?.message).toBe(`weightedRandomSelect: items ${TOO_LONG}`);
    expectBounded(result);
  });

  test('extractResponseText refuses a sparse content array by its length', async () => {
    const result = await measured(() => extractResponseText({ output: { message: { content: sparseArray() } } } as any));
    expect(result.error?.message).toBe(`output.message.content ${TOO_LONG}`);
    expectBounded(result);
  });
});
