jest.mock('@aws-sdk/client-bedrock-runtime', () => require('./helpers/fake-bedrock').fakeSdk);

import {
  BedrockMultiplexer,
  CircuitBreakerManager,
  HealthCheckEndpoint,
  HealthCheckManager,
  OutcomeType,
} from '../index';
import { bedrock, userInput } from './helpers/fake-bedrock';
import { modelConfig } from './helpers/util';

const T0 = new Date('2025-01-15T08:00:00.000Z').getTime();

const statsFor = (modelId: string, averageLatency = 0) => ({
  modelId,
  successCount: 0,
  rateLimitCount: 0,
  failFastCount: 0,
  refusalCount: 0,
  averageLatency,
  isFallback: false,
});

let breakers: CircuitBreakerManager;
let health: HealthCheckManager;

beforeEach(() => {
  jest.useFakeTimers({ now: T0 });
  bedrock.reset();
  breakers = new CircuitBreakerManager();
  health = new HealthCheckManager(breakers);
});

afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('HealthCheckManager.getModelHealth', () => {
  it('describes a registered model without traffic as healthy', () => {
    health.registerModel('a');
    expect(health.getModelHealth('a')).toEqual({
      modelId: 'a',
      isHealthy: true,
      circuitState: 'CLOSED',
      lastSuccessAt: undefined,
      lastFailureAt: undefined,
      avgResponseTimeMs: 0,
      errorRate: 0,
      requestsPerMinute: 0,
    });
  });

  it('averages recent response times and stamps the last success and failure with Dates', () => {
    health.recordSuccess('a', 100);
    jest.advanceTimersByTime(500);
    health.recordFailure('a', 300);
    health.recordSuccess('a', 200);
    const report = health.getModelHealth('a');
    expect(report.avgResponseTimeMs).toBe(200);
    expect(report.requestsPerMinute).toBe(3);
    expect(report.errorRate).toBeCloseTo(1 / 3, 10);
    expect(report.isHealthy).toBe(true);
    expect(report.lastSuccessAt).toBeInstanceOf(Date);
    expect(report.lastSuccessAt!.getTime()).toBe(T0 + 500);
    expect(report.lastFailureAt).toBeInstanceOf(Date);
    expect(report.lastFailureAt!.getTime()).toBe(T0 + 500);
  });

  it('calls a model unhealthy from an error rate of one half', () => {
    health.recordSuccess('a', 10);
    health.recordFailure('a', 10);
    expect(health.getModelHealth('a').errorRate).toBe(0.5);
    expect(health.getModelHealth('a').isHealthy).toBe(false);
  });

  it('calls a model with an open breaker unhealthy', () => {
    health.recordSuccess('a', 10);
    breakers.getBreaker('a').forceOpen();
    expect(health.getModelHealth('a')).toEqual(expect.objectContaining({ isHealthy: false, circuitState: 'OPEN' }));
  });

  it('uses the average latency from the given stats when nothing is recent', () => {
    expect(health.getModelHealth('a', statsFor('a', 42)).avgResponseTimeMs).toBe(42);
  });

  it('drops samples once they are 60 s old, but keeps the cumulative error rate', () => {
    health.recordSuccess('a', 100);
    health.recordFailure('a', 300);
    jest.setSystemTime(T0 + 59999);
    expect(health.getModelHealth('a').requestsPerMinute).toBe(2);
    jest.setSystemTime(T0 + 60000);
    const report = health.getModelHealth('a', statsFor('a', 77));
    expect(report.requestsPerMinute).toBe(0);
    expect(report.avgResponseTimeMs).toBe(77);
    expect(report.errorRate).toBe(0.5);
  });

  it('honours a custom window and history size', () => {
    const short = new HealthCheckManager(breakers, 1000, 3);
    for (const latency of [10, 20, 30, 40, 50]) short.recordSuccess('a', latency);
    short.recordFailure('a', 60);
    const report = short.getModelHealth('a');
    expect(report.requestsPerMinute).toBe(3);
    expect(report.avgResponseTimeMs).toBe(50);
    expect(report.errorRate).toBeCloseTo(1 / 6, 10);
    jest.advanceTimersByTime(1000);
    expect(short.getModelHealth('a').requestsPerMinute).toBe(0);
  });

  it('creates a breaker in the shared manager for a model it is asked about', () => {
    health.getModelHealth('newcomer');
    expect(Object.keys(breakers.getAllStatus())).toEqual(['newcomer']);
  });
});

describe('HealthCheckManager.getSystemHealth', () => {
  it('sums up models, requests, success rate and latencies', () => {
    health.recordSuccess('a', 100);
    health.recordSuccess('a', 300);
    health.recordFailure('b', 50);
    health.recordSuccess('b', 400);
    const report = health.getSystemHealth();
    expect(report.timestamp).toBeInstanceOf(Date);
    expect(report.timestamp.getTime()).toBe(T0);
    expect(report.totalModels).toBe(2);
    expect(report.healthyModels).toBe(1);
    expect(report.unhealthyModels).toBe(1);
    expect(report.degradedModels).toBe(0);
    expect(report.isHealthy).toBe(false);
    expect(report.metrics).toStrictEqual({ totalRequests: 4, successRate: 0.75, averageLatencyMs: 212.5, p99LatencyMs: 400 });
    expect(Object.keys(report.models).sort()).toEqual(['a', 'b']);
  });

  it('takes the 99th percentile from the sorted recent latencies', () => {
    for (let i = 1; i <= 200; i++) health.recordSuccess('a', i * 10);
    expect(health.getSystemHealth().metrics.p99LatencyMs).toBe(1990);
  });

  it('reports a success rate of 1 and zero latency without traffic', () => {
    health.registerModel('a');
    expect(health.getSystemHealth().metrics).toStrictEqual({
      totalRequests: 0,
      successRate: 1,
      averageLatencyMs: 0,
      p99LatencyMs: 0,
    });
  });

  it('includes models known only from the given stats', () => {
    health.registerModel('a');
    const report = health.getSystemHealth({ b: statsFor('b', 9) });
    expect(Object.keys(report.models).sort()).toEqual(['a', 'b']);
    expect(report.models.b.avgResponseTimeMs).toBe(9);
  });

  it('counts half-open models as degraded', () => {
    health.registerModel('a');
    health.registerModel('b');
    breakers.getBreaker('b').forceOpen();
    jest.advanceTimersByTime(30000);
    const report = health.getSystemHealth();
    expect(report.degradedModels).toBe(1);
    expect(report.healthyModels).toBe(1);
    expect(report.models.b.circuitState).toBe('HALF_OPEN');
    expect(report.isHealthy).toBe(true);
  });

  it('needs a healthy model: only degraded models is not healthy', () => {
    health.registerModel('a');
    breakers.getBreaker('a').forceOpen();
    jest.advanceTimersByTime(30000);
    const report = health.getSystemHealth();
    expect(report.degradedModels).toBe(1);
    expect(report.isHealthy).toBe(false);
  });

  it('tolerates unhealthy models while they are fewer than half (but at least one is too many for one or two models)', () => {
    const verdict = (total: number, unhealthy: number) => {
      const manager = new CircuitBreakerManager();
      const checker = new HealthCheckManager(manager);
      for (let i = 0; i < total; i++) {
        checker.registerModel(`m${i}`);
        if (i < unhealthy) manager.getBreaker(`m${i}`).forceOpen();
      }
      return checker.getSystemHealth().isHealthy;
    };
    expect(verdict(1, 0)).toBe(true);
    expect(verdict(1, 1)).toBe(false);
    expect(verdict(2, 1)).toBe(false);
    expect(verdict(3, 1)).toBe(false);
    expect(verdict(4, 1)).toBe(true);
    expect(verdict(4, 2)).toBe(false);
    expect(verdict(6, 2)).toBe(true);
  });

  it('reports nothing healthy with no models at all', () => {
    expect(health.getSystemHealth()).toEqual(
      expect.objectContaining({ isHealthy: false, totalModels: 0, healthyModels: 0, models: {} }),
    );
  });
});

describe('HealthCheckManager registration and resets', () => {
  it('registerModel is idempotent and keeps existing data', () => {
    health.recordSuccess('a', 10);
    health.registerModel('a');
    expect(health.getModelHealth('a').requestsPerMinute).toBe(1);
  });

  it('resetModelMetrics and unregisterModel forget one model', () => {
    health.recordFailure('a', 10);
    health.recordFailure('b', 10);
    health.resetModelMetrics('a');
    expect(health.getModelHealth('a').errorRate).toBe(0);
    health.unregisterModel('b');
    expect(health.getModelHealth('b').errorRate).toBe(0);
  });

  it('resetAllMetrics forgets all models', () => {
    health.recordFailure('a', 10);
    health.recordSuccess('b', 10);
    health.resetAllMetrics();
    expect(health.getSystemHealth().totalModels).toBe(0);
  });

  it('isSystemAcceptingRequests follows the system verdict', () => {
    health.registerModel('a');
    expect(health.isSystemAcceptingRequests()).toBe(true);
    breakers.getBreaker('a').forceOpen();
    expect(health.isSystemAcceptingRequests()).toBe(false);
  });
});

describe('HealthCheckEndpoint', () => {
  it('answers load balancers with 200 or 503', () => {
    const endpoint = new HealthCheckEndpoint(health);
    health.registerModel('a');
    expect(endpoint.getSimpleHealth()).toStrictEqual({ status: 'healthy', code: 200 });
    health.recordFailure('a', 10);
    expect(endpoint.getSimpleHealth()).toStrictEqual({ status: 'unhealthy', code: 503 });
  });

  it('passes detailed and per-model reports through from the manager', () => {
    const endpoint = new HealthCheckEndpoint(health);
    health.recordSuccess('a', 80);
    expect(endpoint.getDetailedHealth()).toEqual(health.getSystemHealth());
    expect(endpoint.getDetailedHealth().timestamp).toBeInstanceOf(Date);
    expect(endpoint.getModelHealth('a')).toEqual(health.getModelHealth('a'));
    expect(endpoint.getModelHealth('z', statsFor('z', 5)).avgResponseTimeMs).toBe(5);
  });
});

describe('multiplexer health over the caller clock', () => {
  it('drops old samples from the 60 s window as the system time moves', async () => {
    const mux = new BedrockMultiplexer({ models: [modelConfig('a')], defaultTimeoutMs: 5000, maxRetries: 0 });
    await mux.reportOutcome({ modelId: 'a', type: OutcomeType.SUCCESS, latency: 100, timestamp: new Date() });
    jest.setSystemTime(T0 + 50000);
    await mux.reportOutcome({ modelId: 'a', type: OutcomeType.SUCCESS, latency: 300, timestamp: new Date() });

    expect(mux.getModelHealthStatus('a')).toEqual(
      expect.objectContaining({ requestsPerMinute: 2, avgResponseTimeMs: 200 }),
    );

    jest.setSystemTime(T0 + 70000);
    expect(mux.getModelHealthStatus('a')).toEqual(
      expect.objectContaining({ requestsPerMinute: 1, avgResponseTimeMs: 300 }),
    );
    expect(mux.getHealthStatus().metrics.averageLatencyMs).toBe(300);

    jest.setSystemTime(T0 + 120000);
    const report = mux.getModelHealthStatus('a')!;
    expect(report.requestsPerMinute).toBe(0);
    expect(report.avgResponseTimeMs).toBe(200);
    expect(report.lastSuccessAt).toBeInstanceOf(Date);
    expect(report.lastSuccessAt!.getTime()).toBe(T0 + 50000);
    expect(mux.getHealthStatus().metrics).toStrictEqual({
      totalRequests: 2,
      successRate: 1,
      averageLatencyMs: 0,
      p99LatencyMs: 0,
    });
  });

  it('timestamps a real request with the faked clock', async () => {
    const mux = new BedrockMultiplexer({ models: [modelConfig('a')], defaultTimeoutMs: 5000, maxRetries: 0 });
    jest.setSystemTime(T0 + 1234);
    await mux.processRequest(userInput());
    const report = mux.getHealthStatus();
    expect(report.timestamp.getTime()).toBe(T0 + 1234);
    expect(report.models.a.lastSuccessAt).toEqual(new Date(T0 + 1234));
    expect(report.models.a.lastSuccessAt).toBeInstanceOf(Date);
  });
});
