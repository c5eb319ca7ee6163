// Public typings for bedrock-model-multiplexer.
//
// This file describes the same public API as the TypeScript package
// `aws-samples/sample-bedrock-model-routing`, so code written against that
// package keeps compiling when this one is installed in its place. The runtime
// behind it is a Rust engine (napi-rs) plus a small JavaScript layer.
//
// Internal state is not declared here. Nothing in this file refers to
// `onnxruntime-node` or `@aws-lambda-powertools/tracer`, so the typings
// compile whether or not those optional packages are installed.

import { EventEmitter } from 'events';
import type {
  BedrockRuntimeClient,
  ConverseCommandInput,
  ConverseCommandOutput,
  ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';

// ---------------------------------------------------------------------------
// Shared data shapes
// ---------------------------------------------------------------------------

/** Plain description of a failed call: a numeric code, a message and optional extra data. */
export interface ErrorResponse {
  /** HTTP status (or 500 when none is known). */
  code: number;
  /** What went wrong, in words. */
  message: string;
  /** Free-form extra information about the failure. */
  details?: Record<string, any>;
}

/** One model the multiplexer may route to. */
export interface ModelConfiguration {
  /** Bedrock model or inference-profile identifier. */
  modelId: string;
  /** Relative share of traffic within its pool; larger means picked more often. */
  weight: number;
  /** `true` puts the model in the fallback pool, used only when no primary model is available. */
  isFallback: boolean;
  /**
   * Beyond the original, with `sharedState` only: the fleet-wide requests per minute this
   * model may receive (a token bucket in Redis, burst a quarter second's worth). A model over it
   * is passed over like an open circuit. Without `sharedState`, ignored.
   */
  requestsPerMinute?: number;
  /** Beyond the original, with `sharedState` only: fleet-wide tokens per minute (`usage` input + output). */
  tokensPerMinute?: number;
}

/** Counters and latency figures for the whole multiplexer. */
export interface MultiplexerStats {
  /** Calls that succeeded. */
  successCount: number;
  /** Calls that were throttled. */
  rateLimitCount: number;
  /** Calls that failed for any non-throttling reason. */
  failFastCount: number;
  /** Responses that the refusal classifier flagged. */
  refusalCount: number;
  /** The same counters broken down by model id. */
  modelStats: Record<string, ModelStats>;
  /** Latency summary over recent calls. */
  latencyMetrics: LatencyMetrics;
  /**
   * Beyond the original, with `sharedState` only: each model's totals across the fleet as of
   * the last refresh (at most the staleness bound old), or null while the fleet view is not
   * in use. The original's fields stay this instance's own.
   */
  fleet?: Record<string, FleetModelTotals> | null;
  /** Beyond the original, with `hedging` only: what hedging did since the last reset. */
  hedging?: HedgingStats;
  /**
   * Beyond the original, with `routing` `'latency'` or `'least-busy'` only: what those rules
   * pick by, per model.
   */
  routing?: Record<string, RoutingModelLoad>;
}

/** Beyond the original: `getStats().hedging`. A cancelled loser counts only in `cancelled`. */
export interface HedgingStats {
  /** Requests that sent at least one hedge. */
  hedged: number;
  /** Hedges sent: the extra requests hedging cost. */
  hedgesSent: number;
  /** Requests answered by a hedge rather than by their first attempt. */
  wonByHedge: number;
  /** Attempts cancelled because another racer answered first. */
  cancelled: number;
}

/** Beyond the original: a model's entry in `getStats().routing`. */
export interface RoutingModelLoad {
  /** The exponentially decayed latency (ms) of its successes; null before the first. */
  latencyEstimateMs: number | null;
  /** Requests whose current attempt holds this model (from their selection until the attempt ends). */
  inFlight: number;
}

/** Beyond the original: a model's fleet-wide counters (`getStats().fleet`). */
export interface FleetModelTotals {
  requests: number;
  successes: number;
  failures: number;
  throttles: number;
  /** Input plus output tokens of the responses' and streams' `usage`. */
  tokens: number;
}

/** Counters for a single model. */
export interface ModelStats {
  /** The model these figures belong to. */
  modelId: string;
  /** Calls to this model that succeeded. */
  successCount: number;
  /** Calls to this model that were throttled. */
  rateLimitCount: number;
  /** Calls to this model that failed otherwise. */
  failFastCount: number;
  /** Responses from this model flagged as refusals. */
  refusalCount: number;
  /** Mean latency of this model's calls, in milliseconds. */
  averageLatency: number;
  /** Whether the model sits in the fallback pool. */
  isFallback: boolean;
}

/** Latency summary in milliseconds. */
export interface LatencyMetrics {
  /** Mean. */
  average: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** Fastest observed. */
  min: number;
  /** Slowest observed. */
  max: number;
}

/** How a single model call ended. */
export declare enum OutcomeType {
  /** The call returned a usable response. */
  SUCCESS = 0,
  /** The call was throttled. */
  RATE_LIMIT = 1,
  /** The call failed for another reason. */
  FAIL_FAST = 2,
  /** The call returned a response judged to be a refusal. */
  REFUSAL = 3
}

/** Record of one model call. */
export interface ModelOutcome {
  /** Model that was called. */
  modelId: string;
  /** How the call ended. */
  type: OutcomeType;
  /** Time taken, in milliseconds. */
  latency: number;
  /** When the outcome was recorded. */
  timestamp: Date;
  /** Failure description, present for unsuccessful calls. */
  error?: ErrorResponse;
}

/** Input to model selection. */
export interface SelectModelRequest {
  /** Model ids not to pick (already tried for this request). */
  skippedModels: Set<string>;
}

/** Result of model selection. */
export interface SelectModelResponse {
  /** Chosen model id, or `null` when nothing is available. */
  modelId: string | null;
  /** Whether the chosen model came from the fallback pool. */
  isFallback: boolean;
}

/** Everything needed to build a {@link BedrockMultiplexer}. */
export interface MultiplexerConfig {
  /** Models to register at start-up. */
  models: ModelConfiguration[];
  /** Per-call timeout in milliseconds. */
  defaultTimeoutMs: number;
  /** How many extra attempts a request may make after the first. */
  maxRetries: number;
  /**
   * Handed unchanged to every `BedrockRuntimeClient` the multiplexer creates
   * (region, credentials, maxAttempts, logger, ...). Setting `maxAttempts: 1`
   * lets failover to another model happen without SDK-level retries first.
   */
  clientConfig?: Record<string, any>;
  /** Optional AWS X-Ray tracing settings. */
  tracing?: {
    /** Turn tracing on. */
    enabled: boolean;
    /** Service name reported in traces. */
    serviceName?: string;
    /** Also record request/response payloads as trace metadata. */
    captureBodies?: boolean;
    /** Also trace each model-selection step. */
    captureModelSelection?: boolean;
  };
  /** Optional refusal detection on responses. */
  refusalDetection?: RefusalDetectionConfig;
  /** Optional retry of throttled calls on a higher-priority service tier. */
  tierEscalation?: TierEscalationConfig;
  /**
   * Beyond the original: which client carries the calls. `'auto'` (default) uses the
   * native Rust client unless a JS client is needed (a mocked SDK, an unsupported
   * clientConfig); `'native'` and `'js-sdk'` force one.
   */
  transport?: TransportChoice;
  /**
   * Beyond the original: the most bytes a response body may hold on the native transport
   * (default 64 MiB; 1024 to 536870912). A larger `Content-Length` is refused before the
   * body is read, a body without one is cut when it crosses the bound; either fails the
   * call with {@link ResponseTooLargeError}. Event streams are bounded per frame instead
   * (16 MiB, the event-stream format's limit). The JS SDK path is not bounded.
   */
  maxResponseBytes?: number;
  /**
   * Beyond the original: share throttle cooldowns, breaker transitions, counters and
   * per-model quotas with every instance on the same Redis/Valkey (see the README,
   * "Fleet state"). Without it no Redis code runs.
   */
  sharedState?: SharedStateConfig;
  /**
   * Beyond the original: how the primary pool picks among its eligible models (see the
   * README, "Routing"). `'weighted'` (default) is the original's weighted draw;
   * `'latency'` prefers models whose decayed latency estimate is within 1.5× of the best,
   * exploring all by weight 10 % of the time; `'least-busy'` draws two models by weight
   * and keeps the one with fewer requests in flight. Draws still come from `Math.random()`;
   * open circuits are skipped and the fallback pool draws by weight as before.
   */
  routing?: RoutingStrategy;
  /**
   * Beyond the original: move on to the next model when the service or the connection
   * fails, not only on throttling (see the README, "Failover"). Without it, every other
   * failure fails fast, as in the original.
   */
  failover?: FailoverConfig;
  /**
   * Beyond the original: when the first attempt has not answered after `afterMs`, send
   * the same request to another eligible model; the first success wins and the others
   * are cancelled (see the README, "Hedging"). Without it, no hedge timer is set.
   */
  hedging?: HedgingConfig;
  /**
   * Beyond the original: OpenTelemetry spans and metrics (see the README, "OpenTelemetry").
   * Without it, a globally registered tracer or meter provider is used; with neither,
   * nothing is created.
   */
  openTelemetry?: OpenTelemetryConfig;
}

/**
 * Beyond the original: the `hedging` option. A hedge goes to the model selection picks
 * (open circuits skipped) among those not already racing or skipped. A cancelled loser
 * reports no outcome: no breaker failure, nothing in the statistics but
 * `getStats().hedging.cancelled`. A racer failing while another runs is reported as usual
 * and the request waits; `processStreamRequest` decides at the first content event.
 */
export interface HedgingConfig {
  /**
   * Milliseconds (1 to 300000), or a percentile of the first model's recent latencies
   * (its last 200 successes and cancelled attempts); a percentile sends no hedge until
   * the model has 20 samples.
   */
  afterMs: number | 'p90' | 'p95' | 'p99';
  /** Hedges per request, 1 to 3 (default 1); each further one after another `afterMs`. */
  maxHedges?: number;
}

/**
 * Beyond the original: the `openTelemetry` option. Needs `@opentelemetry/api` (an
 * optional peer dependency).
 */
export interface OpenTelemetryConfig {
  /** `false` turns telemetry off for this multiplexer even when providers are registered globally (default true). */
  enabled?: boolean;
  /** Spans go to this provider instead of the global one (an `@opentelemetry/api` `TracerProvider`). */
  tracerProvider?: { getTracer(name: string, version?: string): unknown };
  /** Metrics go to this provider instead of the global one (an `@opentelemetry/api` `MeterProvider`). */
  meterProvider?: { getMeter(name: string, version?: string): unknown };
  /** Record the messages, system prompt and answer on the request span (`gen_ai.input.messages`, `gen_ai.system_instructions`, `gen_ai.output.messages`; default false). */
  captureContent?: boolean;
}

/**
 * Beyond the original: the `failover` option. A failover counts against the failed
 * model's breaker and stays within `maxRetries`; with it set, `defaultTimeoutMs` bounds
 * the whole request (every attempt together), and no failover starts after it.
 * Validation errors, access denied and other client faults still fail fast.
 */
export interface FailoverConfig {
  /** 5xx answers, a `$fault` of `server`, and Bedrock's `ServiceUnavailableException`, `ModelNotReadyException`, `InternalServerException`, `ModelErrorException` whatever their status (default true). */
  serverErrors?: boolean;
  /** Reset or refused connections, truncated or unparseable bodies, the SDK's own timeouts (default true). */
  connectionErrors?: boolean;
  /** Ends an attempt that has not answered after this long (100 to 300000 ms) and fails over; the native call is dropped and its connection released, a JS SDK call is aborted. */
  attemptTimeoutMs?: number;
  /**
   * Once every eligible model has failed and `maxRetries` allows more, try them again in
   * another round, each round after a full-jitter exponential wait (a `Math.random()`
   * share of `min(maxMs, baseMs × 2^(round−1))`), a model's `Retry-After` /
   * `x-amz-retry-after` (or `retryAfterSeconds`) honoured; a model that could only be tried
   * again at or after the `defaultTimeoutMs` deadline is passed over (with none left, the
   * request fails `NO_MODELS_AVAILABLE`). Without it, a request ends once every model failed.
   */
  backoff?: FailoverBackoff;
}

/** Beyond the original: `failover.backoff` (both integers; `maxMs` at least `baseMs`). */
export interface FailoverBackoff {
  /** The first round's bound, 1 to 60000 ms; it doubles every round. */
  baseMs: number;
  /** The cap of the bound, 1 to 300000 ms. */
  maxMs: number;
}

/** Beyond the original: the `routing` option's values. */
export type RoutingStrategy = 'weighted' | 'latency' | 'least-busy';

/** Beyond the original: the `sharedState` option. */
export interface SharedStateConfig {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://` (TLS); Redis ≥ 6 or Valkey, cluster mode not supported. */
  url: string;
  /** Every key and the channel start with it, so fleets can share one server (default `bmm:`). */
  keyPrefix?: string;
  /** How long the fleet passes over a model after one instance saw it throttle (default 5000 ms; 100 to 3600000). */
  throttleCooldownMs?: number;
}

/**
 * Beyond the original: what a native call fails with when a response crosses a size bound.
 * It counts as a failure of that model (fail-fast, recorded by its breaker, no failover;
 * not a throttle), and is not retried by the client: the same request would get the same
 * answer. `invoke` and `processRequest` report it like any other failure: a
 * `FailFastError` carrying its message and a fail-fast `outcome`.
 */
export interface ResponseTooLargeError extends Error {
  name: 'ResponseTooLargeError';
  /** `ERR_RESPONSE_TOO_LARGE`: `maxResponseBytes`; `ERR_EVENT_FRAME_TOO_LARGE`: one event-stream frame over 16 MiB. */
  code: 'ERR_RESPONSE_TOO_LARGE' | 'ERR_EVENT_FRAME_TOO_LARGE';
  /** The bound, in bytes. */
  limit: number;
  /** The size declared (`Content-Length`, a frame's prelude) or the bytes read when the bound was crossed. */
  size: number;
  /** As on the JS SDK's errors; absent when thrown by a stream's iterator after the first event. */
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number };
}

/** Beyond the original: the `transport` option. */
export type TransportChoice = 'auto' | 'native' | 'js-sdk';

/** Beyond the original: options of `processStreamRequest`. */
export interface StreamRequestOptions {
  /** Time allowed until the first event (default: `defaultTimeoutMs`). */
  firstEventTimeoutMs?: number;
  /** Longest allowed gap between two events after the first (default: none). */
  idleTimeoutMs?: number;
}

/** Beyond the original: one model's streaming statistics. */
export interface ModelStreamStats {
  streams: number;
  timeToFirstEvent: LatencyMetrics;
  outputTokensPerSecond: number;
}

/** Bedrock inference service tiers. */
export type ServiceTierType = 'reserved' | 'priority' | 'default' | 'flex';

/** Settings for retrying a throttled call on a higher service tier before moving to another model. */
export interface TierEscalationConfig {
  /** Turn escalation on. */
  enabled: boolean;
  /** Tier used for the escalated attempt: `reserved` with a capacity reservation, otherwise `priority`. */
  escalationTier: 'reserved' | 'priority';
}

/** Settings for classifying responses as refusals with an ONNX model. */
export interface RefusalDetectionConfig {
  /** Turn refusal detection on. */
  enabled: boolean;
  /** Filesystem path of the `.onnx` classifier. */
  modelPath: string;
  /** Refusal probability at or above which a response counts as a refusal (0.5 when omitted). */
  confidenceThreshold?: number;
  /** Try another model after a refusal (on unless set to `false`). */
  retryOnRefusal?: boolean;
}

/** Event names emitted by {@link BedrockMultiplexer} and their listener signatures. */
export interface MultiplexerEvents {
  /** A request arrived. */
  'request': (input: any) => void;
  /** A request finished successfully. */
  'success': (response: any, outcome: ModelOutcome) => void;
  /** A model call failed. */
  'error': (error: ErrorResponse | null, outcome: ModelOutcome) => void;
  /** A model was passed over because its circuit breaker is open. */
  'model-circuit-open-skipped': (modelId: string) => void;
  /** A model was registered. */
  'model-added': (modelId: string) => void;
  /** A model was unregistered. */
  'model-removed': (modelId: string) => void;
  /** Statistics snapshot. */
  'stats': (stats: MultiplexerStats) => void;
  /** Statistics were cleared. */
  'stats-reset': () => void;
  /** A model was picked for an attempt. */
  'model-selected': (modelId: string, isFallback: boolean, retryCount: number) => void;
  /** A model call is starting. */
  'model-invocation-start': (modelId: string, requestId: string) => void;
  /** A model call has finished. */
  'model-invocation-complete': (modelId: string, requestId: string, latency: number) => void;
  /** A response was judged to be a refusal. */
  'refusal-detected': (modelId: string, confidence: number, responseText: string) => void;
  /** The refusal classifier produced a verdict (either way). */
  'refusal-classification': (modelId: string, isRefusal: boolean, confidence: number, latencyMs: number) => void;
  /** A throttled call is being retried on a higher service tier. */
  'tier-escalation': (modelId: string, fromTier: ServiceTierType, toTier: ServiceTierType) => void;
  /** The escalated call succeeded. */
  'tier-escalation-success': (modelId: string, tier: ServiceTierType) => void;
  /** The escalated call failed. */
  'tier-escalation-failure': (modelId: string, tier: ServiceTierType, error: string) => void;
  /** Beyond the original (`sharedState`): Redis became unreachable; the instance decides alone until restored. */
  'shared-state-degraded': (reason: string) => void;
  /** Beyond the original (`sharedState`): Redis is reachable again and the fleet view is current. */
  'shared-state-restored': () => void;
  /** Beyond the original (`hedging`): a hedge was sent to `modelId`, `afterMs` after the request's first attempt started. */
  'request-hedged': (modelId: string, afterMs: number, requestId: string) => void;
  /** Beyond the original (`hedging`): the hedge to `modelId` answered first, `latencyMs` after the first attempt started. */
  'hedge-won': (modelId: string, latencyMs: number, requestId: string) => void;
  /**
   * Beyond the original (`failover`): an attempt was ended by its timeout (`attemptTimeoutMs`,
   * the model's timeout or what was left of the deadline: `timeoutMs`); `attempt` counts the
   * request's attempts from 1. Emitted when the attempt ends, before its
   * `model-invocation-complete` and `error`, so before the next model is selected.
   */
  'attempt-timeout': (modelId: string, timeoutMs: number, attempt: number) => void;
  /**
   * Beyond the original (`failover.backoff`): the request waits `delayMs` before trying
   * `modelId` again, for `reason` `'exponential'` (the round's jittered wait) or
   * `'retry-after'` (the model's Retry-After ends later). Emitted after that model's
   * `model-selected`, before its `model-invocation-start`.
   */
  'backoff': (modelId: string, delayMs: number, reason: 'exponential' | 'retry-after') => void;
}

/** A restartable one-shot timer. */
export interface MultiplexerTimer {
  /** (Re)arm the timer to fire after `durationMs` milliseconds. */
  start(durationMs: number): void;
  /** Disarm the timer if it is armed. */
  cancel(): void;
  /** Whether the timer is armed. */
  isRunning(): boolean;
}

/** Circuit breaker states. */
export declare enum CircuitBreakerState {
  /** Calls pass through. */
  CLOSED = "CLOSED",
  /** Calls are refused until the recovery time has passed. */
  OPEN = "OPEN",
  /** Trial calls are let through to decide whether to close again. */
  HALF_OPEN = "HALF_OPEN"
}

/** Circuit breaker tuning. */
export interface CircuitBreakerConfig {
  /** Failures within the window that open the circuit. */
  failureThreshold: number;
  /** Milliseconds an open circuit waits before allowing trial calls. */
  recoveryTimeMs: number;
  /** Successful trial calls needed to close the circuit again. */
  successThreshold: number;
  /** Milliseconds over which failures are counted. */
  failureWindowMs: number;
}

/** Snapshot of a circuit breaker. */
export interface CircuitBreakerStatus {
  /** Current state. */
  state: CircuitBreakerState;
  /** Failures counted within the window. */
  failureCount: number;
  /** Successful trial calls so far while half-open. */
  successCount: number;
  /** When the circuit last opened. */
  lastOpenedAt?: Date;
  /** When an open circuit will start allowing trial calls. */
  nextRetryAt?: Date;
}

/** Health of one model. */
export interface ModelHealthStatus {
  /** Model the report is about. */
  modelId: string;
  /** Overall verdict for the model. */
  isHealthy: boolean;
  /** State of the model's circuit breaker. */
  circuitState: CircuitBreakerState;
  /** Time of the most recent success. */
  lastSuccessAt?: Date;
  /** Time of the most recent failure. */
  lastFailureAt?: Date;
  /** Mean response time in milliseconds. */
  avgResponseTimeMs: number;
  /** Share of failed calls, between 0 and 1. */
  errorRate: number;
  /** Calls seen during the metrics window. */
  requestsPerMinute: number;
}

/** Health of the whole multiplexer. */
export interface SystemHealthStatus {
  /** Overall verdict. */
  isHealthy: boolean;
  /** When the report was produced. */
  timestamp: Date;
  /** Number of registered models. */
  totalModels: number;
  /** Models judged healthy. */
  healthyModels: number;
  /** Models judged degraded. */
  degradedModels: number;
  /** Models judged unhealthy. */
  unhealthyModels: number;
  /** Per-model reports keyed by model id. */
  models: Record<string, ModelHealthStatus>;
  /** Aggregate figures across all models. */
  metrics: {
    totalRequests: number;
    successRate: number;
    averageLatencyMs: number;
    p99LatencyMs: number;
  };
  /**
   * Beyond the original, with `sharedState` only: `shared`, whether the fleet view is in use
   * now (Redis reachable and the view fresh; when false the instance decides alone);
   * `viewRefreshedAt`, when the view's last full refresh was applied (ms since the epoch,
   * null before the first); `skippedModels`, the models the fleet passes over now, why and until when (ms since
   * the epoch); `unhealthyModels`, the models unhealthy fleet-wide: unhealthy here or
   * skipped by the fleet. The original's fields stay this instance's own.
   */
  sharedState?: {
    shared: boolean;
    viewRefreshedAt: number | null;
    unhealthyModels: number;
    skippedModels: Record<string, { reason: 'circuit-open' | 'throttled'; until: number }>;
  };
}

/** One problem found while validating a configuration. */
export interface ValidationError {
  /** Path of the offending field. */
  field: string;
  /** Description of the problem. */
  message: string;
  /** The constraint that was not met. */
  expected?: string;
  /** The value that was found. */
  actual?: string;
}

/** Outcome of validating a configuration. */
export interface ValidationResult {
  /** `true` when no problems were found. */
  isValid: boolean;
  /** Problems found (empty when valid). */
  errors: ValidationError[];
}

/** Finer-grained classification of failures. */
export declare enum ErrorType {
  /** The request was malformed. */
  VALIDATION = "VALIDATION",
  /** The service throttled the call. */
  THROTTLING = "THROTTLING",
  /** The model is missing or not serving. */
  MODEL_UNAVAILABLE = "MODEL_UNAVAILABLE",
  /** The call took too long. */
  TIMEOUT = "TIMEOUT",
  /** The call was aborted. */
  CANCELLED = "CANCELLED",
  /** The model's circuit breaker refused the call. */
  CIRCUIT_OPEN = "CIRCUIT_OPEN",
  /** The service reported an internal fault. */
  INTERNAL = "INTERNAL",
  /** Credentials or permissions were rejected. */
  AUTHENTICATION = "AUTHENTICATION",
  /** The network failed. */
  NETWORK = "NETWORK",
  /** None of the above. */
  UNKNOWN = "UNKNOWN"
}

/** {@link ErrorResponse} plus classification and recovery hints. */
export interface EnhancedErrorResponse extends ErrorResponse {
  /** Classified kind of failure. */
  errorType: ErrorType;
  /** Whether trying again may help. */
  retryable: boolean;
  /** Suggested wait before retrying, in milliseconds. */
  retryAfterMs?: number;
  /** Human-readable hints for resolving the failure. */
  recoverySuggestions?: string[];
  /** Service request id, when known. */
  requestId?: string;
  /** Model involved, when known. */
  modelId?: string;
}

// ---------------------------------------------------------------------------
// Helper types that appear in public signatures.
// The original package declares these but does not re-export them from its
// entry point; they are exported here only so this file is self-contained.
// Exporting them is harmless: it adds names, it removes or changes none.
// ---------------------------------------------------------------------------

/**
 * A Converse request without `modelId`; the multiplexer fills that in. The native
 * transport copies at most 100,000 elements per array, 1,000,000 values and 256 MiB
 * of text and bytes from it; an input over a bound fails the call, naming the member.
 */
export type MultiplexerInput = Omit<ConverseCommandInput, 'modelId'>;

/** An item paired with its selection weight. */
export interface WeightedItem<T> {
  /** The candidate. */
  item: T;
  /** Its relative weight. */
  weight: number;
}

/** What a {@link RequestHandler} needs from the multiplexer that owns it. */
export interface RequestHandlerDelegate {
  /** Pick a model, avoiding the given ones. */
  selectModel(request: SelectModelRequest): Promise<SelectModelResponse>;
  /** Look up a registered model by id (`null` when unknown). */
  getModel(modelId: string): Promise<BedrockModel | null>;
  /** Feed the result of one call back into statistics and health tracking. */
  reportOutcome(outcome: ModelOutcome): Promise<void>;
  /** Emit an event on the owner's event emitter. */
  emitEvent(event: string, ...args: any[]): void;
  /** Run refusal classification; resolves to `null` when detection is off or unavailable. */
  classifyRefusal(responseText: string): Promise<{
    isRefusal: boolean;
    confidence: number;
    latencyMs: number;
  } | null>;
  /** Whether a detected refusal should trigger another attempt. */
  refusalRetryEnabled: boolean;
  /** Active tier-escalation settings, or `undefined` when escalation is off. */
  tierEscalationConfig: TierEscalationConfig | undefined;
}

// ---------------------------------------------------------------------------
// Core classes
// ---------------------------------------------------------------------------

/**
 * Routes Converse requests across weighted primary and fallback Bedrock
 * models, with per-model circuit breakers, retries and failover, optional
 * service-tier escalation and optional refusal detection.
 */
export declare class BedrockMultiplexer extends EventEmitter implements RequestHandlerDelegate {
  /** Validates `config` (throwing on problems) and registers its models. */
  constructor(config: MultiplexerConfig);
  /** Register another model. Emits `model-added`. */
  addModel(modelConfig: ModelConfiguration): void;
  /** Unregister a model and drop its breaker and health data. Emits `model-removed`. */
  removeModel(modelId: string): void;
  /** Send one Converse request, retrying and failing over as configured. */
  processRequest(input: MultiplexerInput): Promise<ConverseCommandOutput>;
  /**
   * Beyond the original: a multiplexed ConverseStream that fails over until its first
   * event has arrived, then streams; later errors reach the caller through `stream`.
   */
  processStreamRequest(input: MultiplexerInput, options?: StreamRequestOptions): Promise<ConverseStreamCommandOutput>;
  /** Beyond the original: streaming statistics per model. */
  getStreamStats(): Record<string, ModelStreamStats>;
  /** Beyond the original: the transport the next call takes. */
  get transport(): 'native' | 'js-sdk';
  /** Current counters and latency summary. */
  getStats(): MultiplexerStats;
  /** Zero all counters and latency history. Emits `stats-reset`. */
  resetStats(): void;
  /** Weighted choice among available models, primaries before fallbacks. */
  selectModel(request: SelectModelRequest): Promise<SelectModelResponse>;
  /** Registered model with this id, or `null`. */
  getModel(modelId: string): Promise<BedrockModel | null>;
  /** Record the result of one model call. */
  reportOutcome(outcome: ModelOutcome): Promise<void>;
  /** Full health report for all models. */
  getHealthStatus(): SystemHealthStatus;
  /** Health report for one model, or `null` if it is not registered. */
  getModelHealthStatus(modelId: string): ModelHealthStatus | null;
  /** Compact health answer suitable for a load-balancer probe (200 or 503). */
  getSimpleHealthCheck(): {
    status: 'healthy' | 'unhealthy';
    code: number;
  };
  /** Whether the multiplexer can currently serve requests. */
  isHealthy(): boolean;
  /** State and failure count of each model's circuit breaker. */
  getCircuitBreakerStatus(): Record<string, {
    state: CircuitBreakerState;
    failureCount: number;
    /**
     * Beyond the original, with `sharedState` only: the fleet's breaker for the model
     * (times in ms since the epoch), or null while the fleet knows none or is unreachable.
     */
    fleet?: { state: CircuitBreakerState; openedAt?: number; nextRetryAt?: number } | null;
  }>;
  /** Emit an arbitrary event (used by the request handler). */
  emitEvent(event: string, ...args: any[]): void;
  /** Classify a response text; `null` when refusal detection is off or failed to load. */
  classifyRefusal(responseText: string): Promise<{
    isRefusal: boolean;
    confidence: number;
    latencyMs: number;
  } | null>;
  /** Whether refusal detection is on and refusals lead to another attempt. */
  get refusalRetryEnabled(): boolean;
  /** Tier-escalation settings when enabled, otherwise `undefined`. */
  get tierEscalationConfig(): TierEscalationConfig | undefined;
  /** Release models, classifier and listeners. */
  destroy(): void;
}

/** Event methods of {@link BedrockMultiplexer}, typed by {@link MultiplexerEvents}. */
export interface BedrockMultiplexer {
  on<K extends keyof MultiplexerEvents>(event: K, listener: MultiplexerEvents[K]): this;
  once<K extends keyof MultiplexerEvents>(event: K, listener: MultiplexerEvents[K]): this;
  off<K extends keyof MultiplexerEvents>(event: K, listener: MultiplexerEvents[K]): this;
  removeListener<K extends keyof MultiplexerEvents>(event: K, listener: MultiplexerEvents[K]): this;
  emit<K extends keyof MultiplexerEvents>(event: K, ...args: Parameters<MultiplexerEvents[K]>): boolean;
}

/** A single Bedrock model: sends Converse calls with a timeout, guarded by a circuit breaker. */
export declare class BedrockModel {
  /**
   * @param config Model id, weight and pool.
   * @param client Client to use; when given, `clientConfig` is ignored.
   * @param defaultTimeoutMs Per-call timeout (30000 when omitted).
   * @param circuitBreaker Breaker to share; a fresh one is created when omitted.
   * @param clientConfig Options for the client created when `client` is omitted.
   */
  constructor(config: ModelConfiguration, client?: BedrockRuntimeClient, defaultTimeoutMs?: number, circuitBreaker?: CircuitBreaker, clientConfig?: Record<string, any>);
  /** The model id. */
  get modelId(): string;
  /** Beyond the original: the transport the next call takes. */
  get transport(): 'native' | 'js-sdk';
  /** A copy of the model's configuration. */
  get configuration(): ModelConfiguration;
  /** Whether the model is in the fallback pool. */
  get isFallback(): boolean;
  /** The model's routing weight. */
  get weight(): number;
  /** The breaker guarding this model. */
  getCircuitBreaker(): CircuitBreaker;
  /** Send a Converse call (optionally on a given service tier) and report how it ended. */
  invoke(input: MultiplexerInput, abortSignal?: AbortSignal, serviceTier?: ServiceTierType): Promise<{
    response: ConverseCommandOutput;
    outcome: ModelOutcome;
  }>;
  /** Send a ConverseStream call and return the SDK's streaming output untouched. */
  invokeStream(input: MultiplexerInput, abortSignal?: AbortSignal): Promise<ConverseStreamCommandOutput>;
  /** The SDK client in use. */
  getClient(): BedrockRuntimeClient;
  /** Reset the model's breaker and release resources. */
  destroy(): void;
}

/** Carries one request through model selection, retries, failover and escalation. */
export declare class RequestHandler {
  /**
   * @param input The request, without a model id.
   * @param multiplexer Owner that supplies models and receives outcomes.
   * @param maxRetries Extra attempts allowed (3 when omitted).
   * @param requestId Identifier used in emitted events ('' when omitted).
   */
  constructor(input: MultiplexerInput, multiplexer: RequestHandlerDelegate, maxRetries?: number, requestId?: string);
  /** Run the request. SDK errors are rethrown as-is; multiplexer-level failures throw {@link MultiplexerError}. */
  process(): Promise<ConverseCommandOutput>;
}

/** Failure raised by the multiplexer itself (as opposed to an SDK error passed through). */
export declare class MultiplexerError extends Error {
  /** Machine-readable code such as `NO_MODELS_AVAILABLE`. */
  readonly code: string;
  /** Extra structured information. */
  readonly details?: Record<string, any>;
  constructor(message: string, code: string, details?: Record<string, any>);
}

// ---------------------------------------------------------------------------
// Utilities
// ---------------------------------------------------------------------------

/** {@link MultiplexerTimer} that calls a callback when it fires. */
export declare class Timer implements MultiplexerTimer {
  constructor(callback: () => void);
  start(durationMs: number): void;
  cancel(): void;
  isRunning(): boolean;
}

/** Pick one item at random in proportion to its weight; `null` for an empty list or zero total weight. */
export declare function weightedRandomSelect<T>(items: WeightedItem<T>[]): T | null;

/** Pair an item with a weight. */
export declare function createWeightedItem<T>(item: T, weight: number): WeightedItem<T>;

/** Map an error to an outcome: throttling becomes `RATE_LIMIT`, anything else `FAIL_FAST`. */
export declare function classifyError(error: any): OutcomeType;

/** Map an error to an {@link ErrorType} using its name, message and fault. */
export declare function classifyErrorType(error: any): ErrorType;

/** Whether an SDK error name denotes throttling. */
export declare function isThrottlingError(errorName: string): boolean;

/** Whether an error is worth retrying (throttling, timeout, network, internal, unavailable). */
export declare function isRetryableError(error: any): boolean;

/** Suggested wait before the next attempt, with exponential backoff and jitter (defaults: 1000 ms, attempt 1). */
export declare function getRetryDelay(error: any, baseDelayMs?: number, attempt?: number): number;

/** Turn any thrown value into an {@link ErrorResponse}. */
export declare function toErrorResponse(error: any): ErrorResponse;

/** Build an {@link EnhancedErrorResponse}; the type is detected when not given. */
export declare function createEnhancedError(error: any, errorType?: ErrorType, modelId?: string, customMessage?: string): EnhancedErrorResponse;

/** Hints for recovering from a given kind of failure. */
export declare function getRecoverySuggestions(errorType: ErrorType): string[];

/** A readable message for an error. */
export declare function getErrorMessage(error: any): string;

/** Minimal tracer surface the multiplexer relies on. */
export interface TracerInterface {
  putAnnotation(key: string, value: any): void;
  putMetadata(key: string, value: any): void;
  getSegment(): any;
  setSegment(segment: any): void;
}

/** Settings for {@link MultiplexerTracer}. */
export interface TracingConfig {
  /** Turn tracing on. */
  enabled: boolean;
  /** Service name for traces. */
  serviceName?: string | undefined;
  /** Record payloads as metadata. */
  captureBodies?: boolean | undefined;
  /** Trace model selection. */
  captureModelSelection?: boolean | undefined;
}

/** Optional AWS X-Ray tracing; every method is a no-op when tracing is off or unavailable. */
export declare class MultiplexerTracer {
  constructor(config: TracingConfig);
  /** Whether tracing is on and a tracer has been loaded. */
  isEnabled(): boolean;
  /** Add an indexed annotation to the current segment. */
  putAnnotation(key: string, value: any): void;
  /** Add metadata to the current segment (only when payload capture is on). */
  putMetadata(key: string, value: any): void;
  /** Open a subsegment under the current segment, or return `null`. */
  createSubsegment(name: string): any;
  /** Make `segment` the active one. */
  setSegment(segment: any): void;
  /** Close `segment`. */
  closeSegment(segment: any): void;
  /** Run `operation` inside a subsegment, annotating its outcome and latency. */
  traceOperation<T>(operationName: string, operation: () => Promise<T>, metadata?: Record<string, any>): Promise<T>;
  /** A fresh request id. */
  generateRequestId(): string;
}

/** Build a {@link MultiplexerTracer}. */
export declare function createTracer(config: TracingConfig): MultiplexerTracer;

// ---------------------------------------------------------------------------
// Circuit breaker
// ---------------------------------------------------------------------------

/** Breaker settings used when none are given: 5 failures / 60 s window, 30 s recovery, 2 trial successes. */
export declare const DEFAULT_CIRCUIT_BREAKER_CONFIG: CircuitBreakerConfig;

/** Per-model circuit breaker. */
export declare class CircuitBreaker {
  /** `config` is merged over {@link DEFAULT_CIRCUIT_BREAKER_CONFIG}. */
  constructor(modelId: string, config?: Partial<CircuitBreakerConfig>);
  /** Current state (an open circuit turns half-open once the recovery time has passed). */
  getState(): CircuitBreakerState;
  /** Full snapshot. */
  getStatus(): CircuitBreakerStatus;
  /** Whether a call may go ahead now. */
  canExecute(): boolean;
  /** Count a successful call. */
  recordSuccess(): void;
  /** Count a failed call. */
  recordFailure(error?: Error): void;
  /** Error describing the open circuit, with a suggested retry delay. */
  getCircuitOpenError(): EnhancedErrorResponse;
  /** Open the circuit now. */
  forceOpen(): void;
  /** Close the circuit now. */
  forceClose(): void;
  /** Return to the initial closed state with no history. */
  reset(): void;
}

/** Keeps one {@link CircuitBreaker} per model id. */
export declare class CircuitBreakerManager {
  /** `config` is merged over {@link DEFAULT_CIRCUIT_BREAKER_CONFIG} for breakers created later. */
  constructor(config?: Partial<CircuitBreakerConfig>);
  /** The model's breaker, created on first use. */
  getBreaker(modelId: string, config?: Partial<CircuitBreakerConfig>): CircuitBreaker;
  /** Whether the model may be called (`true` for models without a breaker). */
  canExecute(modelId: string): boolean;
  recordSuccess(modelId: string): void;
  recordFailure(modelId: string, error?: Error): void;
  /** Snapshot of every breaker, keyed by model id. */
  getAllStatus(): Record<string, CircuitBreakerStatus>;
  /** Reset every breaker. */
  resetAll(): void;
  /** Forget one model's breaker. */
  removeBreaker(modelId: string): void;
  /** Forget all breakers. */
  clear(): void;
}

// ---------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------

/** Checks a {@link ModelConfiguration}. */
export declare class ModelConfigValidator {
  static validate(config: unknown): ValidationResult;
}

/**
 * Checks a {@link MultiplexerConfig}, including its models. A `models` array longer
 * than 100,000 elements is an error without its elements being read.
 */
export declare class MultiplexerConfigValidator {
  static validate(config: unknown): ValidationResult;
}

/** Checks a (partial) {@link CircuitBreakerConfig}. */
export declare class CircuitBreakerConfigValidator {
  static validate(config: unknown): ValidationResult;
}

/** One-line summary of the problems in `result` ('' when valid). */
export declare function formatValidationErrors(result: ValidationResult): string;

/** Throw an `Error` listing the problems when `result` is not valid. */
export declare function assertValid(result: ValidationResult): void;

// ---------------------------------------------------------------------------
// Health checks
// ---------------------------------------------------------------------------

/** Tracks recent per-model call results and derives health reports from them and the breakers. */
export declare class HealthCheckManager {
  /**
   * @param metricsWindowMs Window for rate and latency figures (60000 when omitted).
   * @param maxMetricsHistory Samples kept per model (1000 when omitted).
   */
  constructor(circuitBreakerManager: CircuitBreakerManager, metricsWindowMs?: number, maxMetricsHistory?: number);
  recordSuccess(modelId: string, responseTimeMs: number): void;
  recordFailure(modelId: string, responseTimeMs: number): void;
  getModelHealth(modelId: string, modelStats?: ModelStats): ModelHealthStatus;
  getSystemHealth(modelStatsMap?: Record<string, ModelStats>): SystemHealthStatus;
  resetModelMetrics(modelId: string): void;
  resetAllMetrics(): void;
  registerModel(modelId: string): void;
  unregisterModel(modelId: string): void;
  /** Whether enough models are usable to accept traffic. */
  isSystemAcceptingRequests(modelStatsMap?: Record<string, ModelStats>): boolean;
}

/** Formats {@link HealthCheckManager} reports for health endpoints. */
export declare class HealthCheckEndpoint {
  constructor(healthManager: HealthCheckManager);
  /** `{ status: 'healthy', code: 200 }` or `{ status: 'unhealthy', code: 503 }`. */
  getSimpleHealth(modelStatsMap?: Record<string, ModelStats>): {
    status: 'healthy' | 'unhealthy';
    code: number;
  };
  getDetailedHealth(modelStatsMap?: Record<string, ModelStats>): SystemHealthStatus;
  getModelHealth(modelId: string, modelStats?: ModelStats): ModelHealthStatus;
}

// ---------------------------------------------------------------------------
// Refusal classification
// ---------------------------------------------------------------------------

/** Settings for {@link RefusalClassifier}. */
export interface RefusalClassifierConfig {
  /** Filesystem path of the `.onnx` classifier. */
  modelPath: string;
  /** Refusal probability at or above which a text counts as a refusal (0.5 when omitted). */
  confidenceThreshold?: number;
}

/** Verdict for one text. */
export interface ClassificationResult {
  /** Whether the text is judged a refusal. */
  isRefusal: boolean;
  /** Probability of the refusal class, between 0 and 1. */
  confidence: number;
  /** Time spent classifying, in milliseconds. */
  latencyMs: number;
}

/** Binary refusal classifier backed by an ONNX model (needs the optional `onnxruntime-node`). */
export declare class RefusalClassifier {
  constructor(config: RefusalClassifierConfig);
  /** Load the model; call once before {@link RefusalClassifier.classify}. */
  initialize(): Promise<void>;
  /** Classify one text; rejects if {@link RefusalClassifier.initialize} has not completed. */
  classify(responseText: string): Promise<ClassificationResult>;
  /** Release the loaded model. */
  destroy(): Promise<void>;
  /** Whether a model is loaded. */
  get isReady(): boolean;
  /** The threshold in effect. */
  get confidenceThreshold(): number;
}

/** Join the text blocks of a Converse output message with spaces ('' when there are none). */
export declare function extractResponseText(output: ConverseCommandOutput): string;

// ---------------------------------------------------------------------------
// Entry points
// ---------------------------------------------------------------------------

/** Build a {@link BedrockMultiplexer} for `models` with a 30000 ms timeout and 3 retries unless `options` says otherwise. */
export declare function createMultiplexer(models: ModelConfiguration[], options?: Partial<MultiplexerConfig>): BedrockMultiplexer;

/** Version string of the API this package reproduces. */
export declare const VERSION = "1.0.0";
