// Compile-only check of the package typings (`index.d.ts`): run with
// `tsc -p __test__/types`. Nothing here is executed; the function bodies only
// have to type-check. Every export is used at least once, and the
// `@ts-expect-error` lines prove that wrong usages are rejected.

/// <reference types="node" />

import type {
  BedrockRuntimeClient,
  ConverseCommandOutput,
  ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';

import {
  // types and interfaces
  type ErrorResponse,
  type ModelConfiguration,
  type ModelOutcome,
  type ModelStats,
  type MultiplexerConfig,
  type MultiplexerEvents,
  type MultiplexerStats,
  type SelectModelRequest,
  type SelectModelResponse,
  type LatencyMetrics,
  type MultiplexerTimer,
  type CircuitBreakerConfig,
  type CircuitBreakerStatus,
  type ModelHealthStatus,
  type SystemHealthStatus,
  type ValidationError,
  type ValidationResult,
  type EnhancedErrorResponse,
  type RefusalDetectionConfig,
  type TierEscalationConfig,
  type ServiceTierType,
  type TracerInterface,
  type TracingConfig,
  type RefusalClassifierConfig,
  type ClassificationResult,
  type ResponseTooLargeError,
  type HedgingConfig,
  // helper types that appear in signatures
  type MultiplexerInput,
  type WeightedItem,
  type RequestHandlerDelegate,
  // enums
  OutcomeType,
  CircuitBreakerState,
  ErrorType,
  // classes
  BedrockMultiplexer,
  BedrockModel,
  RequestHandler,
  MultiplexerError,
  Timer,
  MultiplexerTracer,
  CircuitBreaker,
  CircuitBreakerManager,
  ModelConfigValidator,
  MultiplexerConfigValidator,
  CircuitBreakerConfigValidator,
  HealthCheckManager,
  HealthCheckEndpoint,
  RefusalClassifier,
  // functions and constants
  weightedRandomSelect,
  createWeightedItem,
  classifyError,
  classifyErrorType,
  isThrottlingError,
  isRetryableError,
  getRetryDelay,
  toErrorResponse,
  createEnhancedError,
  getRecoverySuggestions,
  getErrorMessage,
  createTracer,
  DEFAULT_CIRCUIT_BREAKER_CONFIG,
  formatValidationErrors,
  assertValid,
  extractResponseText,
  createMultiplexer,
  VERSION,
} from '../../index';

// --- exact-type assertions ---------------------------------------------------

type Equal<A, B> =
  (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
function assertType<T extends true>(): void {}

// Enum values are part of the contract.
assertType<Equal<`${OutcomeType.SUCCESS}`, '0'>>();
assertType<Equal<`${OutcomeType.RATE_LIMIT}`, '1'>>();
assertType<Equal<`${OutcomeType.FAIL_FAST}`, '2'>>();
assertType<Equal<`${OutcomeType.REFUSAL}`, '3'>>();
assertType<Equal<`${CircuitBreakerState}`, 'CLOSED' | 'OPEN' | 'HALF_OPEN'>>();
assertType<Equal<
  `${ErrorType}`,
  | 'VALIDATION' | 'THROTTLING' | 'MODEL_UNAVAILABLE' | 'TIMEOUT' | 'CANCELLED'
  | 'CIRCUIT_OPEN' | 'INTERNAL' | 'AUTHENTICATION' | 'NETWORK' | 'UNKNOWN'
>>();

assertType<Equal<typeof VERSION, '1.0.0'>>();
assertType<Equal<ServiceTierType, 'reserved' | 'priority' | 'default' | 'flex'>>();
assertType<Equal<TierEscalationConfig['escalationTier'], 'reserved' | 'priority'>>();
assertType<Equal<MultiplexerInput, Omit<import('@aws-sdk/client-bedrock-runtime').ConverseCommandInput, 'modelId'>>>();
assertType<Equal<keyof MultiplexerEvents,
  | 'request' | 'success' | 'error' | 'model-circuit-open-skipped' | 'model-added'
  | 'model-removed' | 'stats' | 'stats-reset' | 'model-selected' | 'model-invocation-start'
  | 'model-invocation-complete' | 'refusal-detected' | 'refusal-classification'
  | 'tier-escalation' | 'tier-escalation-success' | 'tier-escalation-failure'
  | 'shared-state-degraded' | 'shared-state-restored'
  | 'request-hedged' | 'hedge-won' | 'attempt-timeout' | 'backoff'
>>();
assertType<Equal<Parameters<MultiplexerEvents['request-hedged']>, [modelId: string, afterMs: number, requestId: string]>>();
assertType<Equal<HedgingConfig['afterMs'], number | 'p90' | 'p95' | 'p99'>>();
assertType<Equal<NonNullable<MultiplexerStats['routing']>[string], { latencyEstimateMs: number | null; inFlight: number }>>();
assertType<Equal<Parameters<MultiplexerEvents['attempt-timeout']>, [modelId: string, timeoutMs: number, attempt: number]>>();
assertType<Equal<Parameters<MultiplexerEvents['backoff']>, [modelId: string, delayMs: number, reason: 'exponential' | 'retry-after']>>();
assertType<Equal<Parameters<MultiplexerEvents['refusal-classification']>, [modelId: string, isRefusal: boolean, confidence: number, latencyMs: number]>>();
assertType<Equal<ReturnType<typeof createMultiplexer>, BedrockMultiplexer>>();
assertType<Equal<ReturnType<typeof weightedRandomSelect<number>>, number | null>>();
assertType<Equal<ReturnType<BedrockMultiplexer['getSimpleHealthCheck']>['status'], 'healthy' | 'unhealthy'>>();
assertType<Equal<ReturnType<typeof createEnhancedError>, EnhancedErrorResponse>>();
assertType<Equal<Parameters<typeof getRetryDelay>, [error: any, baseDelayMs?: number, attempt?: number]>>();
assertType<Equal<ConstructorParameters<typeof HealthCheckManager>, [circuitBreakerManager: CircuitBreakerManager, metricsWindowMs?: number, maxMetricsHistory?: number]>>();
assertType<Equal<ConstructorParameters<typeof RequestHandler>, [input: MultiplexerInput, multiplexer: RequestHandlerDelegate, maxRetries?: number, requestId?: string]>>();
assertType<Equal<ConstructorParameters<typeof BedrockModel>, [config: ModelConfiguration, client?: BedrockRuntimeClient, defaultTimeoutMs?: number, circuitBreaker?: CircuitBreaker, clientConfig?: Record<string, any>]>>();

// --- plain data shapes -------------------------------------------------------

const models: ModelConfiguration[] = [
  { modelId: 'amazon.nova-lite-v1:0', weight: 3, isFallback: false },
  { modelId: 'amazon.nova-micro-v1:0', weight: 1, isFallback: false },
  { modelId: 'amazon.nova-pro-v1:0', weight: 1, isFallback: true },
];

const refusal: RefusalDetectionConfig = { enabled: true, modelPath: '/models/refusal.onnx', confidenceThreshold: 0.7, retryOnRefusal: true };
const tiers: TierEscalationConfig = { enabled: true, escalationTier: 'priority' };

const config: MultiplexerConfig = {
  models,
  defaultTimeoutMs: 15000,
  maxRetries: 2,
  clientConfig: { region: 'us-east-1', maxAttempts: 1 },
  tracing: { enabled: false, serviceName: 'svc', captureBodies: false, captureModelSelection: true },
  refusalDetection: refusal,
  tierEscalation: tiers,
};

const breakerConfig: CircuitBreakerConfig = { failureThreshold: 3, recoveryTimeMs: 10000, successThreshold: 1, failureWindowMs: 30000 };
const errorResponse: ErrorResponse = { code: 429, message: 'slow down', details: { retry: true } };
const outcome: ModelOutcome = { modelId: 'm', type: OutcomeType.RATE_LIMIT, latency: 12, timestamp: new Date(), error: errorResponse };
const selectRequest: SelectModelRequest = { skippedModels: new Set(['m']) };
const latency: LatencyMetrics = { average: 1, p50: 1, p95: 2, p99: 3, min: 0, max: 4 };
const modelStats: ModelStats = {
  modelId: 'm', successCount: 1, rateLimitCount: 0, failFastCount: 0, refusalCount: 0, averageLatency: 10, isFallback: false,
};
const statsMap: Record<string, ModelStats> = { m: modelStats };
const validationError: ValidationError = { field: 'weight', message: 'must be >= 0', expected: '>= 0', actual: '-1' };
const tracingConfig: TracingConfig = { enabled: true, serviceName: undefined, captureBodies: undefined };
const classifierConfig: RefusalClassifierConfig = { modelPath: '/models/refusal.onnx' };

function describeStats(stats: MultiplexerStats): string {
  const perModel: ModelStats | undefined = stats.modelStats['m'];
  const l: LatencyMetrics = stats.latencyMetrics;
  return `${stats.successCount}/${stats.rateLimitCount}/${stats.failFastCount}/${stats.refusalCount} ${perModel?.averageLatency ?? 0} ${l.p99}`;
}

function describeHealth(health: SystemHealthStatus): number {
  const one: ModelHealthStatus | undefined = health.models['m'];
  const state: CircuitBreakerState | undefined = one?.circuitState;
  const last: Date | undefined = one?.lastSuccessAt;
  return health.healthyModels + health.degradedModels + health.unhealthyModels + health.metrics.p99LatencyMs
    + (state === CircuitBreakerState.OPEN ? 1 : 0) + (last ? last.getTime() : 0);
}

function describeBreaker(status: CircuitBreakerStatus): string {
  return `${status.state} ${status.failureCount} ${status.successCount} ${status.nextRetryAt?.toISOString() ?? ''}`;
}

function describeClassification(result: ClassificationResult): boolean {
  return result.isRefusal && result.confidence > 0.5 && result.latencyMs >= 0;
}

// --- multiplexer and its events ----------------------------------------------

export async function useMultiplexer(input: MultiplexerInput, signal: AbortSignal): Promise<void> {
  const mux = new BedrockMultiplexer(config);
  const mux2: BedrockMultiplexer = createMultiplexer(models);
  const mux3 = createMultiplexer(models, { maxRetries: 5 });
  createMultiplexer(models, { failover: { attemptTimeoutMs: 2000, backoff: { baseMs: 100, maxMs: 2000 } } });

  const response: ConverseCommandOutput = await mux.processRequest(input);
  const text: string = extractResponseText(response);

  mux.addModel({ modelId: 'extra', weight: 1, isFallback: false });
  mux.removeModel('extra');
  describeStats(mux.getStats());
  mux.resetStats();
  const selected: SelectModelResponse = await mux.selectModel(selectRequest);
  const chosen: string | null = selected.modelId;
  const model: BedrockModel | null = await mux.getModel(chosen ?? 'm');
  await mux.reportOutcome(outcome);
  describeHealth(mux.getHealthStatus());
  const one: ModelHealthStatus | null = mux.getModelHealthStatus('m');
  const simple = mux.getSimpleHealthCheck();
  const code: number = simple.code;
  const healthy: boolean = mux.isHealthy();
  const breakers = mux.getCircuitBreakerStatus();
  const firstState: CircuitBreakerState | undefined = breakers['m']?.state;
  mux.emitEvent('anything', 1, 'two', { three: 3 });
  const verdict = await mux.classifyRefusal(text);
  const confident: boolean = verdict !== null && verdict.confidence > 0.9;
  const retryOnRefusal: boolean = mux.refusalRetryEnabled;
  const escalation: TierEscalationConfig | undefined = mux.tierEscalationConfig;

  // Every event, with listener parameters checked against MultiplexerEvents.
  mux
    .on('request', (req) => { assertType<Equal<typeof req, any>>(); })
    .on('success', (res, out) => { assertType<Equal<typeof out, ModelOutcome>>(); void res; })
    .on('error', (err, out) => { assertType<Equal<typeof err, ErrorResponse | null>>(); void out.latency; })
    .on('model-circuit-open-skipped', (id) => { assertType<Equal<typeof id, string>>(); })
    .on('model-added', (id) => { assertType<Equal<typeof id, string>>(); })
    .on('model-removed', (id) => { assertType<Equal<typeof id, string>>(); })
    .on('stats', (stats) => { describeStats(stats); })
    .on('stats-reset', () => undefined)
    .on('model-selected', (id, isFallback, retryCount) => {
      assertType<Equal<[typeof id, typeof isFallback, typeof retryCount], [string, boolean, number]>>();
    })
    .on('model-invocation-start', (id, requestId) => { assertType<Equal<[typeof id, typeof requestId], [string, string]>>(); })
    .on('model-invocation-complete', (id, requestId, ms) => { assertType<Equal<typeof ms, number>>(); void id; void requestId; })
    .on('refusal-detected', (id, confidence, responseText) => {
      assertType<Equal<[typeof id, typeof confidence, typeof responseText], [string, number, string]>>();
    })
    .on('refusal-classification', (id, isRefusal, confidence, latencyMs) => {
      assertType<Equal<[typeof id, typeof isRefusal, typeof confidence, typeof latencyMs], [string, boolean, number, number]>>();
    })
    .on('tier-escalation', (id, fromTier, toTier) => {
      assertType<Equal<[typeof fromTier, typeof toTier], [ServiceTierType, ServiceTierType]>>(); void id;
    })
    .on('tier-escalation-success', (id, tier) => { assertType<Equal<typeof tier, ServiceTierType>>(); void id; })
    .on('tier-escalation-failure', (id, tier, error) => { assertType<Equal<[typeof tier, typeof error], [ServiceTierType, string]>>(); void id; });

  const onAdded: MultiplexerEvents['model-added'] = (id) => void id;
  const chained: BedrockMultiplexer = mux.once('model-added', onAdded).off('model-added', onAdded).removeListener('model-added', onAdded);
  const delivered: boolean = mux.emit('model-selected', 'm', false, 0);
  mux.emit('stats-reset');
  mux.emit('error', null, outcome);

  // It is still a Node.js EventEmitter.
  const asEmitter: import('events').EventEmitter = mux;
  mux.setMaxListeners(20);

  // And it satisfies the delegate contract RequestHandler relies on.
  const delegate: RequestHandlerDelegate = mux;
  const handler = new RequestHandler(input, delegate, 2, 'req-1');
  const handled: ConverseCommandOutput = await new RequestHandler(input, mux).process();

  // @ts-expect-error unknown event name
  mux.on('model-exploded', () => undefined);
  // @ts-expect-error listener parameter has the wrong type (modelId is a string)
  mux.on('model-added', (id: number) => void id);
  // @ts-expect-error listener expects more parameters than the event provides, with wrong types
  mux.on('stats-reset', (a: string, b: number) => void [a, b]);
  // @ts-expect-error emit arguments must match the event
  mux.emit('model-added', 42);
  // @ts-expect-error modelId is supplied by the multiplexer, not the caller
  await mux.processRequest({ modelId: 'x', messages: [] });
  // @ts-expect-error read-only accessor
  mux.refusalRetryEnabled = false;
  // @ts-expect-error createMultiplexer requires complete model configurations
  createMultiplexer([{ modelId: 'a', weight: 1 }]);

  mux.destroy();
  mux2.destroy();
  mux3.destroy();
  void [text, model, one, code, healthy, firstState, confident, retryOnRefusal, escalation, chained, delivered, asEmitter, handler, handled, signal];
}

// --- a hand-written delegate drives RequestHandler -----------------------------

export async function useRequestHandler(input: MultiplexerInput, model: BedrockModel): Promise<ConverseCommandOutput> {
  const delegate: RequestHandlerDelegate = {
    async selectModel(request: SelectModelRequest): Promise<SelectModelResponse> {
      return { modelId: request.skippedModels.has(model.modelId) ? null : model.modelId, isFallback: model.isFallback };
    },
    async getModel(id: string) { return id === model.modelId ? model : null; },
    async reportOutcome(o: ModelOutcome) { void o; },
    emitEvent(event: string, ...args: any[]) { void [event, args]; },
    async classifyRefusal(_text: string) { return null; },
    refusalRetryEnabled: false,
    tierEscalationConfig: undefined,
  };
  return new RequestHandler(input, delegate).process();
}

// --- single model ----------------------------------------------------------------

export async function useModel(input: MultiplexerInput, client: BedrockRuntimeClient, signal: AbortSignal): Promise<void> {
  const breaker = new CircuitBreaker('m', { failureThreshold: 2 });
  const model = new BedrockModel(models[0]!, client, 5000, breaker, { region: 'us-west-2' });
  const bare = new BedrockModel(models[1]!);

  const id: string = model.modelId;
  const cfg: ModelConfiguration = model.configuration;
  const fallback: boolean = model.isFallback;
  const weight: number = model.weight;
  const same: CircuitBreaker = model.getCircuitBreaker();
  const sdk: BedrockRuntimeClient = bare.getClient();

  const { response, outcome: result } = await model.invoke(input, signal, 'priority');
  const kind: OutcomeType = result.type;
  const stream: ConverseStreamCommandOutput = await model.invokeStream(input, signal);
  await model.invoke(input);

  // @ts-expect-error getters are read-only
  model.modelId = 'other';
  // @ts-expect-error not a service tier
  await model.invoke(input, signal, 'gold');

  model.destroy();
  void [id, cfg, fallback, weight, same, sdk, response, kind, stream];
}

// --- circuit breakers ----------------------------------------------------------------

export function useCircuitBreakers(): void {
  const defaults: CircuitBreakerConfig = DEFAULT_CIRCUIT_BREAKER_CONFIG;
  const breaker = new CircuitBreaker('m');
  const tuned = new CircuitBreaker('m', breakerConfig);
  const state: CircuitBreakerState = breaker.getState();
  describeBreaker(breaker.getStatus());
  const ok: boolean = breaker.canExecute();
  breaker.recordSuccess();
  breaker.recordFailure();
  breaker.recordFailure(new Error('boom'));
  const openError: EnhancedErrorResponse = breaker.getCircuitOpenError();
  const isOpenType: boolean = openError.errorType === ErrorType.CIRCUIT_OPEN;
  breaker.forceOpen();
  breaker.forceClose();
  breaker.reset();

  const manager = new CircuitBreakerManager({ recoveryTimeMs: 1000 });
  const fromManager: CircuitBreaker = manager.getBreaker('m', { successThreshold: 3 });
  const allowed: boolean = manager.canExecute('m');
  manager.recordSuccess('m');
  manager.recordFailure('m', new Error('x'));
  manager.recordFailure('m');
  const all: Record<string, CircuitBreakerStatus> = manager.getAllStatus();
  manager.resetAll();
  manager.removeBreaker('m');
  manager.clear();
  new CircuitBreakerManager();

  // @ts-expect-error thresholds are numbers
  new CircuitBreaker('m', { failureThreshold: '5' });
  // @ts-expect-error a plain string is not a CircuitBreakerState
  const badState: CircuitBreakerState = 'OPEN';
  // @ts-expect-error 7 is not an OutcomeType
  const badOutcome: OutcomeType = 7;

  void [defaults, tuned, state, ok, isOpenType, fromManager, allowed, all, badState, badOutcome];
}

// --- health checks ---------------------------------------------------------------

export function useHealth(): void {
  const manager = new HealthCheckManager(new CircuitBreakerManager(), 60000, 500);
  const defaults = new HealthCheckManager(new CircuitBreakerManager());
  manager.recordSuccess('m', 120);
  manager.recordFailure('m', 900);
  const modelHealth: ModelHealthStatus = manager.getModelHealth('m', modelStats);
  const system: SystemHealthStatus = manager.getSystemHealth(statsMap);
  manager.getSystemHealth();
  manager.resetModelMetrics('m');
  manager.resetAllMetrics();
  manager.registerModel('n');
  manager.unregisterModel('n');
  const accepting: boolean = manager.isSystemAcceptingRequests(statsMap);

  const endpoint = new HealthCheckEndpoint(defaults);
  const simple: { status: 'healthy' | 'unhealthy'; code: number } = endpoint.getSimpleHealth();
  const detailed: SystemHealthStatus = endpoint.getDetailedHealth(statsMap);
  const perModel: ModelHealthStatus = endpoint.getModelHealth('m');

  // @ts-expect-error the first argument is a CircuitBreakerManager
  new HealthCheckManager(60000);

  void [modelHealth, system, accepting, simple, detailed, perModel];
}

// --- validation, errors, utilities ---------------------------------------------------

export function useUtilities(thrown: unknown): void {
  const results: ValidationResult[] = [
    ModelConfigValidator.validate(models[0]),
    MultiplexerConfigValidator.validate(config),
    CircuitBreakerConfigValidator.validate({ failureThreshold: 3 }),
  ];
  const firstError: ValidationError | undefined = results[0]?.errors[0] ?? validationError;
  const message: string = formatValidationErrors(results[1]!);
  assertValid(results[2]!);

  const outcomeType: OutcomeType = classifyError(thrown);
  const errorType: ErrorType = classifyErrorType(thrown);
  const throttled: boolean = isThrottlingError('ThrottlingException');
  const retryable: boolean = isRetryableError(thrown);
  const delays: number[] = [getRetryDelay(thrown), getRetryDelay(thrown, 500), getRetryDelay(thrown, 500, 3)];
  const plain: ErrorResponse = toErrorResponse(thrown);
  const enhanced: EnhancedErrorResponse = createEnhancedError(thrown, ErrorType.TIMEOUT, 'm', 'custom');
  createEnhancedError(thrown);
  const hints: string[] = getRecoverySuggestions(ErrorType.THROTTLING);
  const readable: string = getErrorMessage(thrown);

  const err = new MultiplexerError('no models', 'NO_MODELS_AVAILABLE', { tried: 3 });
  const asError: Error = err;
  const errCode: string = err.code;
  const details: Record<string, any> | undefined = err.details;
  new MultiplexerError('no models', 'NO_MODELS_AVAILABLE');

  const timer = new Timer(() => undefined);
  const asTimer: MultiplexerTimer = timer;
  timer.start(1000);
  const running: boolean = timer.isRunning();
  timer.cancel();

  const items: WeightedItem<string>[] = [createWeightedItem('a', 2), createWeightedItem('b', 1)];
  const picked: string | null = weightedRandomSelect(items);
  const pickedNumber: number | null = weightedRandomSelect([createWeightedItem(1, 1)]);

  // @ts-expect-error validators are used through their static method
  new ModelConfigValidator().validate(config);
  // @ts-expect-error MultiplexerError needs a code
  new MultiplexerError('no models');
  // @ts-expect-error the code is read-only
  err.code = 'OTHER';
  // @ts-expect-error item types must agree with the requested type
  weightedRandomSelect<string>([createWeightedItem(1, 1)]);
  // @ts-expect-error isThrottlingError takes an error name
  isThrottlingError(new Error('x'));
  // @ts-expect-error not an ErrorType
  getRecoverySuggestions('THROTTLING');

  void [firstError, message, outcomeType, errorType, throttled, retryable, delays, plain, enhanced, hints, readable,
    asError, errCode, details, asTimer, running, picked, pickedNumber];
}

// --- tracing ------------------------------------------------------------------------

export async function useTracing(): Promise<string> {
  const tracer: MultiplexerTracer = createTracer(tracingConfig);
  const direct = new MultiplexerTracer({ enabled: false });
  const enabled: boolean = tracer.isEnabled();
  tracer.putAnnotation('k', 1);
  tracer.putMetadata('k', { v: 1 });
  const segment = tracer.createSubsegment('op');
  tracer.setSegment(segment);
  tracer.closeSegment(segment);
  const value: number = await tracer.traceOperation('op', async () => 42, { request_id: 'r' });
  const id: string = direct.generateRequestId();

  const fake: TracerInterface = {
    putAnnotation: () => undefined,
    putMetadata: () => undefined,
    getSegment: () => null,
    setSegment: () => undefined,
  };

  // @ts-expect-error the operation must return a promise
  await tracer.traceOperation('op', () => 42);

  void [enabled, value, fake];
  return id;
}

// --- refusal classifier ----------------------------------------------------------------

export async function useClassifier(output: ConverseCommandOutput): Promise<boolean> {
  const classifier = new RefusalClassifier(classifierConfig);
  await classifier.initialize();
  const ready: boolean = classifier.isReady;
  const threshold: number = classifier.confidenceThreshold;
  const result: ClassificationResult = await classifier.classify(extractResponseText(output));
  await classifier.destroy();

  // @ts-expect-error isReady is a read-only accessor
  classifier.isReady = true;
  // @ts-expect-error extractResponseText takes a Converse output, not a string
  extractResponseText('plain text');
  // @ts-expect-error modelPath is required
  new RefusalClassifier({ confidenceThreshold: 0.5 });

  void [ready, threshold];
  return describeClassification(result);
}

// --- response size bound (beyond the original) -------------------------------------------

export const boundedConfig: MultiplexerConfig = {
  models: [{ modelId: 'm', weight: 1, isFallback: false }],
  defaultTimeoutMs: 30000,
  maxRetries: 3,
  maxResponseBytes: 8 * 1024 * 1024,
};

export function describeTooLarge(error: unknown): string | null {
  const e = error as ResponseTooLargeError;
  if (e.name !== 'ResponseTooLargeError') return null;
  const which: 'ERR_RESPONSE_TOO_LARGE' | 'ERR_EVENT_FRAME_TOO_LARGE' = e.code;
  // @ts-expect-error code is one of the two documented codes
  const wrong: 'ERR_OTHER' = e.code;
  void wrong;
  return `${which}: ${e.size} > ${e.limit} (HTTP ${e.$metadata?.httpStatusCode})`;
}

// @ts-expect-error maxResponseBytes is a number
export const badBound: MultiplexerConfig = { ...boundedConfig, maxResponseBytes: '64MB' };

// --- version ---------------------------------------------------------------------------

export const packageApiVersion: string = VERSION;
// @ts-expect-error VERSION is the literal '1.0.0'
export const wrongVersion: '2.0.0' = VERSION;
