jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import {
  BedrockMultiplexer,
  CircuitBreaker,
  CircuitBreakerManager,
  CircuitBreakerState,
  DEFAULT_CIRCUIT_BREAKER_CONFIG,
  ErrorType,
} from '../index';
import { answer, bedrock, failWith, throttling, userInput } from './helpers/fake-bedrock';
import { modelConfig } from './helpers/util';

const T0 = new Date('2025-06-01T00:00:00.000Z').getTime();

beforeEach(() => {
  bedrock.reset();
  jest.useFakeTimers({ now: T0 });
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const fail = (breaker: CircuitBreaker, times: number) => {
  for (let i = 0; i < times; i++) breaker.recordFailure(new Error(`failure ${i}`));
};

describe('DEFAULT_CIRCUIT_BREAKER_CONFIG', () => {
  it('is 5 failures in 60 s, 30 s recovery and 2 trial successes', () => {
    expect(DEFAULT_CIRCUIT_BREAKER_CONFIG).toStrictEqual({
      failureThreshold: 5,
      recoveryTimeMs: 30000,
      successThreshold: 2,
      failureWindowMs: 60000,
    });
  });
});

describe('DEFAULT_CIRCUIT_BREAKER_CONFIG as the live default', () => {
  const saved = { ...DEFAULT_CIRCUIT_BREAKER_CONFIG };
  afterEach(() => Object.assign(DEFAULT_CIRCUIT_BREAKER_CONFIG, saved));

  it('is read when a breaker or manager is created, so changing it tunes later breakers', () => {
    DEFAULT_CIRCUIT_BREAKER_CONFIG.failureThreshold = 2;
    const breaker = new CircuitBreaker('m');
    fail(breaker, 2);
    expect(breaker.getState()).toBe('OPEN');
    const manager = new CircuitBreakerManager();
    manager.recordFailure('x');
    manager.recordFailure('x');
    expect(manager.canExecute('x')).toBe(false);
  });

  it('tunes the breakers of a multiplexer created afterwards', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    DEFAULT_CIRCUIT_BREAKER_CONFIG.failureThreshold = 1;
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer({ models: [modelConfig('a'), modelConfig('b')], defaultTimeoutMs: 5000, maxRetries: 3 });
    await mux.processRequest(userInput());
    expect(mux.getCircuitBreakerStatus().a).toEqual({ state: 'OPEN', failureCount: 1 });
  });
});

describe('CircuitBreaker', () => {
  it('starts closed with an empty status', () => {
    const breaker = new CircuitBreaker('m');
    expect(breaker.getState()).toBe(CircuitBreakerState.CLOSED);
    expect(breaker.canExecute()).toBe(true);
    expect(breaker.getStatus()).toEqual({ state: 'CLOSED', failureCount: 0, successCount: 0 });
    expect(breaker.getStatus().lastOpenedAt).toBeUndefined();
    expect(breaker.getStatus().nextRetryAt).toBeUndefined();
  });

  it('opens on the fifth failure and then refuses calls', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 4);
    expect(breaker.getState()).toBe('CLOSED');
    expect(breaker.getStatus().failureCount).toBe(4);
    fail(breaker, 1);
    expect(breaker.getState()).toBe('OPEN');
    expect(breaker.canExecute()).toBe(false);
    const status = breaker.getStatus();
    expect(status.failureCount).toBe(5);
    expect(status.lastOpenedAt).toBeInstanceOf(Date);
    expect(status.lastOpenedAt!.getTime()).toBe(T0);
    expect(status.nextRetryAt).toBeInstanceOf(Date);
    expect(status.nextRetryAt!.getTime()).toBe(T0 + 30000);
  });

  it('forgets failures on a success while closed', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 4);
    breaker.recordSuccess();
    expect(breaker.getStatus().failureCount).toBe(0);
    fail(breaker, 4);
    expect(breaker.getState()).toBe('CLOSED');
  });

  it('counts only failures younger than the failure window', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 4);
    jest.advanceTimersByTime(59999);
    expect(breaker.getStatus().failureCount).toBe(4);
    jest.advanceTimersByTime(1);
    expect(breaker.getStatus().failureCount).toBe(0);
    fail(breaker, 1);
    expect(breaker.getState()).toBe('CLOSED');
    expect(breaker.getStatus().failureCount).toBe(1);
  });

  it('turns half-open exactly when the recovery time has passed', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 5);
    jest.advanceTimersByTime(29999);
    expect(breaker.getState()).toBe('OPEN');
    jest.advanceTimersByTime(1);
    expect(breaker.getState()).toBe('HALF_OPEN');
    expect(breaker.canExecute()).toBe(true);
    expect(breaker.getStatus().nextRetryAt).toBeUndefined();
    // The failures that opened it are still inside the window.
    expect(breaker.getStatus().failureCount).toBe(5);
  });

  it('closes after two successes while half-open', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 5);
    jest.advanceTimersByTime(30000);
    breaker.recordSuccess();
    expect(breaker.getStatus()).toEqual(expect.objectContaining({ state: 'HALF_OPEN', successCount: 1 }));
    breaker.recordSuccess();
    expect(breaker.getStatus()).toEqual(expect.objectContaining({ state: 'CLOSED', successCount: 0, failureCount: 0 }));
  });

  it('reopens on any failure while half-open', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 5);
    jest.advanceTimersByTime(30000);
    breaker.recordSuccess();
    fail(breaker, 1);
    const status = breaker.getStatus();
    expect(status.state).toBe('OPEN');
    expect(status.successCount).toBe(0);
    expect(status.failureCount).toBe(6);
    expect(status.lastOpenedAt!.getTime()).toBe(T0 + 30000);
    expect(status.nextRetryAt!.getTime()).toBe(T0 + 60000);
  });

  it('keeps counting failures while open without moving the reopen time', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 5);
    jest.advanceTimersByTime(1000);
    fail(breaker, 2);
    const status = breaker.getStatus();
    expect(status.state).toBe('OPEN');
    expect(status.failureCount).toBe(7);
    expect(status.lastOpenedAt!.getTime()).toBe(T0);
  });

  it('merges a partial configuration over the defaults', () => {
    const breaker = new CircuitBreaker('m', { failureThreshold: 2, recoveryTimeMs: 1000, successThreshold: 1 });
    fail(breaker, 2);
    expect(breaker.getState()).toBe('OPEN');
    jest.advanceTimersByTime(1000);
    expect(breaker.getState()).toBe('HALF_OPEN');
    breaker.recordSuccess();
    expect(breaker.getState()).toBe('CLOSED');
    // failureWindowMs stays at the default 60 s
    fail(breaker, 1);
    jest.advanceTimersByTime(59999);
    fail(breaker, 1);
    expect(breaker.getState()).toBe('OPEN');
  });

  it('lets an explicitly undefined setting replace the default, as an object spread does', () => {
    const breaker = new CircuitBreaker('m', { failureThreshold: undefined as unknown as number });
    fail(breaker, 10);
    expect(breaker.getState()).toBe('CLOSED');
    expect(breaker.getStatus().failureCount).toBe(10);
  });

  it('forceOpen, forceClose and reset', () => {
    const breaker = new CircuitBreaker('m');
    fail(breaker, 3);
    breaker.forceOpen();
    expect(breaker.getState()).toBe('OPEN');
    expect(breaker.getStatus().lastOpenedAt!.getTime()).toBe(T0);
    expect(breaker.getStatus().failureCount).toBe(3);
    breaker.forceClose();
    expect(breaker.getStatus()).toEqual(expect.objectContaining({ state: 'CLOSED', failureCount: 0 }));
    // forceClose keeps lastOpenedAt, reset clears it
    expect(breaker.getStatus().lastOpenedAt).toBeInstanceOf(Date);
    fail(breaker, 2);
    breaker.reset();
    expect(breaker.getStatus()).toEqual({ state: 'CLOSED', failureCount: 0, successCount: 0 });
    expect(breaker.getStatus().lastOpenedAt).toBeUndefined();
  });

  describe('getCircuitOpenError', () => {
    it('describes an open circuit with the time left until it may be retried', () => {
      const breaker = new CircuitBreaker('anthropic.claude');
      fail(breaker, 5);
      jest.advanceTimersByTime(10000);
      expect(breaker.getCircuitOpenError()).toEqual({
        code: 503,
        message: 'Circuit breaker is open for model anthropic.claude',
        errorType: ErrorType.CIRCUIT_OPEN,
        retryable: true,
        retryAfterMs: 20000,
        recoverySuggestions: [
          'Wait for the circuit to transition to half-open state',
          'Check model health status',
          'Use an alternative model if available',
        ],
        modelId: 'anthropic.claude',
        details: {
          circuitState: 'OPEN',
          failureCount: 5,
          lastOpenedAt: new Date(T0).toISOString(),
          nextRetryAt: new Date(T0 + 30000).toISOString(),
        },
      });
    });

    it('falls back to the full recovery time when the circuit is not open', () => {
      const breaker = new CircuitBreaker('m', { recoveryTimeMs: 4500 });
      const error = breaker.getCircuitOpenError();
      expect(error.retryAfterMs).toBe(4500);
      expect(error.details).toEqual({ circuitState: 'CLOSED', failureCount: 0 });
      expect(error.details!.lastOpenedAt).toBeUndefined();
    });

    it('keeps the key layout of the original (absent times present as undefined)', () => {
      const error = new CircuitBreaker('m').getCircuitOpenError();
      expect(Object.keys(error)).toEqual([
        'code',
        'message',
        'errorType',
        'retryable',
        'retryAfterMs',
        'recoverySuggestions',
        'modelId',
        'details',
      ]);
      expect(Object.keys(error.details!)).toEqual(['circuitState', 'failureCount', 'lastOpenedAt', 'nextRetryAt']);
    });
  });
});

describe('CircuitBreakerManager', () => {
  it('hands out the same breaker for the same model', () => {
    const manager = new CircuitBreakerManager();
    const first = manager.getBreaker('a');
    expect(first).toBeInstanceOf(CircuitBreaker);
    expect(manager.getBreaker('a')).toBe(first);
    expect(manager.getBreaker('b')).not.toBe(first);
  });

  it('lets unknown models execute without creating a breaker for them', () => {
    const manager = new CircuitBreakerManager();
    expect(manager.canExecute('unknown')).toBe(true);
    expect(manager.getAllStatus()).toEqual({});
  });

  it('reflects the state of the breakers it holds', () => {
    const manager = new CircuitBreakerManager();
    manager.getBreaker('a').forceOpen();
    expect(manager.canExecute('a')).toBe(false);
    manager.recordFailure('b', new Error('x'));
    manager.recordSuccess('c');
    const all = manager.getAllStatus();
    expect(Object.keys(all).sort()).toEqual(['a', 'b', 'c']);
    expect(all.a.state).toBe('OPEN');
    expect(all.a.lastOpenedAt).toBeInstanceOf(Date);
    expect(all.b).toEqual({ state: 'CLOSED', failureCount: 1, successCount: 0 });
    expect(all.c).toEqual({ state: 'CLOSED', failureCount: 0, successCount: 0 });
  });

  it('applies its configuration to new breakers unless getBreaker overrides it', () => {
    const manager = new CircuitBreakerManager({ failureThreshold: 1 });
    manager.recordFailure('strict');
    expect(manager.getAllStatus().strict.state).toBe('OPEN');
    manager.getBreaker('lenient', { failureThreshold: 3 });
    manager.recordFailure('lenient');
    manager.recordFailure('lenient');
    expect(manager.canExecute('lenient')).toBe(true);
    manager.recordFailure('lenient');
    expect(manager.canExecute('lenient')).toBe(false);
  });

  it('resetAll closes every breaker but keeps them', () => {
    const manager = new CircuitBreakerManager();
    const a = manager.getBreaker('a');
    a.forceOpen();
    manager.recordFailure('b');
    manager.resetAll();
    expect(manager.getAllStatus()).toEqual({
      a: { state: 'CLOSED', failureCount: 0, successCount: 0 },
      b: { state: 'CLOSED', failureCount: 0, successCount: 0 },
    });
    expect(manager.getBreaker('a')).toBe(a);
  });

  it('removeBreaker forgets one model, so a later getBreaker starts afresh', () => {
    const manager = new CircuitBreakerManager();
    const old = manager.getBreaker('a');
    old.forceOpen();
    manager.getBreaker('b');
    manager.removeBreaker('a');
    expect(Object.keys(manager.getAllStatus())).toEqual(['b']);
    expect(manager.canExecute('a')).toBe(true);
    const fresh = manager.getBreaker('a');
    expect(fresh).not.toBe(old);
    expect(fresh.getState()).toBe('CLOSED');
    manager.removeBreaker('never-there');
  });

  it('clear forgets every breaker', () => {
    const manager = new CircuitBreakerManager();
    manager.getBreaker('a').forceOpen();
    manager.getBreaker('b');
    manager.clear();
    expect(manager.getAllStatus()).toEqual({});
    expect(manager.canExecute('a')).toBe(true);
  });
});

describe('breakers inside the multiplexer follow the caller clock', () => {
  it('open after five throttles, half-open after 30 s, close after two successes', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    const throttle = failWith(throttling());
    bedrock.script('a', throttle, throttle, throttle, throttle, throttle, answer('a is back'));
    const mux = new BedrockMultiplexer({ models: [modelConfig('a'), modelConfig('b')], defaultTimeoutMs: 5000, maxRetries: 3 });

    for (let i = 0; i < 5; i++) await mux.processRequest(userInput());
    expect(mux.getCircuitBreakerStatus().a).toEqual({ state: 'OPEN', failureCount: 5 });

    const skipped: string[] = [];
    mux.on('model-circuit-open-skipped', (id) => skipped.push(id));
    await mux.processRequest(userInput());
    expect(skipped).toEqual(['a']);
    expect(bedrock.callsFor('a')).toHaveLength(5);

    jest.advanceTimersByTime(29999);
    expect(mux.getCircuitBreakerStatus().a.state).toBe('OPEN');
    jest.advanceTimersByTime(1);
    expect(mux.getCircuitBreakerStatus().a.state).toBe('HALF_OPEN');
    expect(mux.getModelHealthStatus('a')!.circuitState).toBe('HALF_OPEN');

    const first = await mux.processRequest(userInput());
    expect(first.output?.message?.content?.[0].text).toBe('a is back');
    expect(mux.getCircuitBreakerStatus().a.state).toBe('HALF_OPEN');
    await mux.processRequest(userInput());
    expect(mux.getCircuitBreakerStatus().a).toEqual({ state: 'CLOSED', failureCount: 0 });
    expect(bedrock.callsFor('a')).toHaveLength(7);
  });

  it('do not open when the throttles are spread beyond the failure window', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer({ models: [modelConfig('a'), modelConfig('b')], defaultTimeoutMs: 5000, maxRetries: 3 });
    for (let i = 0; i < 4; i++) await mux.processRequest(userInput());
    jest.advanceTimersByTime(60000);
    await mux.processRequest(userInput());
    expect(mux.getCircuitBreakerStatus().a).toEqual({ state: 'CLOSED', failureCount: 1 });
  });

  it('a half-open model that fails again is open for another 30 s', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0);
    bedrock.script('a', failWith(throttling()));
    const mux = new BedrockMultiplexer({ models: [modelConfig('a'), modelConfig('b')], defaultTimeoutMs: 5000, maxRetries: 3 });
    for (let i = 0; i < 5; i++) await mux.processRequest(userInput());
    jest.advanceTimersByTime(30000);
    await mux.processRequest(userInput());
    expect(mux.getCircuitBreakerStatus().a.state).toBe('OPEN');
    jest.advanceTimersByTime(29999);
    expect(mux.getCircuitBreakerStatus().a.state).toBe('OPEN');
    jest.advanceTimersByTime(1);
    expect(mux.getCircuitBreakerStatus().a.state).toBe('HALF_OPEN');
  });
});
