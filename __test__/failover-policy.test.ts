// Beyond the original (issue 14, item 1): the `failover` option against the emulator, on
// both transports. A model answering 5xx or a Bedrock server exception, a reset
// connection, a truncated or unparseable body, or hanging past `attemptTimeoutMs` is
// answered by the fallback, its breaker counting the failure; a validation error still
// fails fast; the same faults without the option fail fast as in the original; and with
// the option, `defaultTimeoutMs` bounds the whole request.

import { MultiplexerError } from '../index';
import { emulatorFixture } from './helpers/emulator-fixture';

jest.setTimeout(30_000);

const PRIMARY = 'test.failing-v1:0';
const FALLBACK = 'test.fallback-v1:0';

const { emulator, multiplexer } = emulatorFixture(FALLBACK, { modelIds: [PRIMARY, FALLBACK], defaultTimeoutMs: 10_000 });

const input = { messages: [{ role: 'user' as const, content: [{ text: 'hello' }] }] };
const text = (response: any): string => response?.output?.message?.content?.[0]?.text;

/** The `error` and `success` outcomes the multiplexer reports, in order, as `kind modelId`. */
function outcomes(mux: ReturnType<typeof multiplexer>): string[] {
  const events: string[] = [];
  mux.on('error', (_error: unknown, outcome: any) => events.push(`error ${outcome.modelId}`));
  mux.on('success', (_none: unknown, outcome: any) => events.push(`success ${outcome.modelId}`));
  return events;
}

const FAILOVER_FAULTS = [
  ['a 503 ServiceUnavailableException', { fault: 'unavailable' }],
  ['a 500 InternalServerException', { fault: 'internalError' }],
  ['a ModelNotReadyException (a 429)', { fault: 'modelNotReady' }],
  ['a ModelErrorException (a 424)', { fault: 'modelError' }],
  ['a reset connection', { fault: 'connectionReset' }],
  ['a truncated body', { fault: 'truncatedBody' }],
  ['an unparseable body', { fault: 'malformedBody' }],
] as const;

describe.each(['native', 'js-sdk'] as const)('transport %s', (transport) => {
  it.each(FAILOVER_FAULTS)('%s is answered by the fallback, the breaker counting it', async (_, behavior) => {
    emulator().setBehavior(PRIMARY, behavior);
    const mux = multiplexer(transport, { failover: {} });
    const events = outcomes(mux);

    const response = await mux.processRequest(input);

    expect(text(response)).toBe('from the fallback');
    expect(events).toEqual([`error ${PRIMARY}`, `success ${FALLBACK}`]);
    expect(mux.getCircuitBreakerStatus()[PRIMARY]).toMatchObject({ failureCount: 1 });
    expect(emulator().requests().map((r) => r.modelId)).toEqual([PRIMARY, FALLBACK]);
  });

  it.each(FAILOVER_FAULTS)('%s without `failover` fails fast, as in the original', async (_, behavior) => {
    emulator().setBehavior(PRIMARY, behavior);
    const mux = multiplexer(transport, {});
    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: expect.stringMatching(/FailFastError|TimeoutError/) });
    expect(emulator().requests().map((r) => r.modelId)).toEqual([PRIMARY]);
  });

  it.each([
    ['a 400 validation error', 'validationError'],
    ['access denied', 'accessDenied'],
  ] as const)('%s still fails fast', async (_, fault) => {
    emulator().setBehavior(PRIMARY, { fault });
    const mux = multiplexer(transport, { failover: {} });
    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: 'FailFastError' });
    expect(emulator().requests().map((r) => r.modelId)).toEqual([PRIMARY]);
  });

  it('serverErrors: false leaves a 503 failing fast', async () => {
    emulator().setBehavior(PRIMARY, { fault: 'unavailable' });
    const mux = multiplexer(transport, { failover: { serverErrors: false } });
    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: 'FailFastError' });
  });

  it('connectionErrors: false leaves a truncated body failing fast', async () => {
    emulator().setBehavior(PRIMARY, { fault: 'truncatedBody' });
    const mux = multiplexer(transport, { failover: { connectionErrors: false } });
    await expect(mux.processRequest(input)).rejects.toMatchObject({ name: 'FailFastError' });
  });

  it('a model hanging past attemptTimeoutMs is answered by the fallback, the breaker counting it', async () => {
    emulator().setBehavior(PRIMARY, { mode: 'fixed', text: 'too late', latencyMs: 20_000 });
    const mux = multiplexer(transport, { failover: { attemptTimeoutMs: 300 } });
    const events = outcomes(mux);

    const response = await mux.processRequest(input);

    expect(text(response)).toBe('from the fallback');
    expect(events).toEqual([`error ${PRIMARY}`, `success ${FALLBACK}`]);
    expect(mux.getCircuitBreakerStatus()[PRIMARY]).toMatchObject({ failureCount: 1 });
  });
});

describe('the overall deadline', () => {
  it('no attempt runs past defaultTimeoutMs, and no failover starts after it', async () => {
    const hanging = ['test.hang-a-v1:0', 'test.hang-b-v1:0', 'test.hang-c-v1:0', 'test.hang-d-v1:0'];
    for (const id of hanging) emulator().setBehavior(id, { mode: 'fixed', text: 'too late', latencyMs: 60_000 });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const mux = multiplexer('native', { defaultTimeoutMs: 1000, failover: { attemptTimeoutMs: 400 } }, hanging);
    const attempts: string[] = [];
    mux.on('model-invocation-start', (modelId: string) => attempts.push(modelId));
    let settled: any = null;
    mux.processRequest(input).then(
      () => (settled = { ok: true }),
      (error) => (settled = { ok: false, error }),
    );

    // Attempts at 0 and 400 ms run 400 ms each; the third has 200 ms left, and at 1000 ms
    // the request ends with its timeout instead of trying a fourth model (4 × 400 > 1000).
    await jest.advanceTimersByTimeAsync(999);
    expect(settled).toBeNull();
    await jest.advanceTimersByTimeAsync(1);
    expect(settled?.ok).toBe(false);
    expect(settled.error).not.toBeInstanceOf(MultiplexerError);
    expect(settled.error).toMatchObject({ name: 'TimeoutError', message: 'Request timed out after 200ms' });
    expect(attempts).toHaveLength(3);
  });
});
