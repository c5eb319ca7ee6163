'use strict';
// What our telemetry is called: the GenAI semantic conventions' attribute and metric
// names as of semconv 1.41 (the version this package emits), the multiplexer's own
// `bmm.*` names, and the functions that read a Converse input, answer or failure into
// attributes. Spans and metrics both name things only through this module.

/** The attribute keys used, GenAI semconv 1.41 and ours. */
const ATTR = {
  OPERATION: 'gen_ai.operation.name',
  PROVIDER: 'gen_ai.provider.name',
  REQUEST_MODEL: 'gen_ai.request.model',
  REQUEST_MAX_TOKENS: 'gen_ai.request.max_tokens',
  REQUEST_TEMPERATURE: 'gen_ai.request.temperature',
  REQUEST_TOP_P: 'gen_ai.request.top_p',
  REQUEST_STOP_SEQUENCES: 'gen_ai.request.stop_sequences',
  REQUEST_STREAM: 'gen_ai.request.stream',
  FINISH_REASONS: 'gen_ai.response.finish_reasons',
  TIME_TO_FIRST_CHUNK: 'gen_ai.response.time_to_first_chunk',
  INPUT_TOKENS: 'gen_ai.usage.input_tokens',
  OUTPUT_TOKENS: 'gen_ai.usage.output_tokens',
  CACHE_READ_TOKENS: 'gen_ai.usage.cache_read.input_tokens',
  CACHE_WRITE_TOKENS: 'gen_ai.usage.cache_creation.input_tokens',
  TOKEN_TYPE: 'gen_ai.token.type',
  INPUT_MESSAGES: 'gen_ai.input.messages',
  OUTPUT_MESSAGES: 'gen_ai.output.messages',
  SYSTEM_INSTRUCTIONS: 'gen_ai.system_instructions',
  SERVER_ADDRESS: 'server.address',
  SERVER_PORT: 'server.port',
  ERROR_TYPE: 'error.type',
  ATTEMPT: 'bmm.attempt',
  OUTCOME: 'bmm.outcome',
  SERVICE_TIER: 'bmm.service_tier',
  FAILOVER_REASON: 'bmm.failover_reason',
  BREAKER_STATE: 'bmm.breaker_state',
  REFUSAL_SCORE: 'bmm.refusal_score',
  FALLBACK: 'bmm.fallback',
  HEDGED: 'bmm.hedged',
  ATTEMPTS: 'bmm.attempts',
  TIER_FROM: 'bmm.tier.from',
  TIER_TO: 'bmm.tier.to',
};

/** The spec's boundaries for operation durations, in seconds. */
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

/** The metric instruments: name, unit, description; bucket boundaries where the spec gives them. */
const METRIC = {
  OPERATION_DURATION: {
    name: 'gen_ai.client.operation.duration',
    unit: 's',
    description: 'Duration of one model call (an attempt), until its answer or, for a stream, its last event',
    buckets: DURATION_BUCKETS,
  },
  TOKEN_USAGE: {
    name: 'gen_ai.client.token.usage',
    unit: '{token}',
    description: 'Input and output tokens of each answered call',
    buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
  },
  TIME_TO_FIRST_CHUNK: {
    name: 'gen_ai.client.operation.time_to_first_chunk',
    unit: 's',
    description: 'Time from sending a stream request to its first event',
    buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
  },
  TIME_PER_OUTPUT_CHUNK: {
    name: 'gen_ai.client.operation.time_per_output_chunk',
    unit: 's',
    description: 'Time between two content chunks of a stream',
    buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5],
  },
  REQUEST_DURATION: {
    name: 'bmm.request.duration',
    unit: 's',
    description: 'Duration of one multiplexed request, every attempt together',
    buckets: DURATION_BUCKETS,
  },
  FAILOVERS: { name: 'bmm.failovers', unit: '{failover}', description: 'Attempts that moved on to another model, by the model left and why' },
  CIRCUIT_OPEN_SKIPS: { name: 'bmm.circuit_open.skips', unit: '{selection}', description: 'Selections that passed over a model because its circuit was open' },
  TIER_ESCALATIONS: { name: 'bmm.tier_escalations', unit: '{escalation}', description: 'Throttled requests retried on a higher service tier' },
  REFUSALS: { name: 'bmm.refusals', unit: '{refusal}', description: 'Answers the refusal classifier judged refusals' },
  HEDGES: { name: 'bmm.hedges', unit: '{hedge}', description: 'Hedged attempts started (the hedging option)' },
  BREAKER_STATE: {
    name: 'bmm.breaker.state',
    unit: '{state}',
    description: "Each model's circuit breaker: 0 closed, 1 half-open, 2 open",
  },
};

const OPERATION_CHAT = 'chat';
const PROVIDER_BEDROCK = 'aws.bedrock';
const BREAKER_STATE_VALUES = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };
const OUTCOME_NAMES = ['success', 'rate_limit', 'fail_fast', 'refusal'];

/**
 * What every span and measurement carries.
 * @returns {Record<string, string | number | boolean | string[]>}
 */
function commonAttributes() {
  return { [ATTR.OPERATION]: OPERATION_CHAT, [ATTR.PROVIDER]: PROVIDER_BEDROCK };
}

/** A span's name: `chat {model}`, or `chat` while no model is known. */
function spanName(modelId) {
  return modelId ? `${OPERATION_CHAT} ${modelId}` : OPERATION_CHAT;
}

/** `gen_ai.request.*` from a Converse input's `inferenceConfig`. */
function requestAttributes(input, stream) {
  const attributes = commonAttributes();
  const config = input?.inferenceConfig;
  if (config && typeof config === 'object') {
    setNumber(attributes, ATTR.REQUEST_MAX_TOKENS, config.maxTokens);
    setNumber(attributes, ATTR.REQUEST_TEMPERATURE, config.temperature);
    setNumber(attributes, ATTR.REQUEST_TOP_P, config.topP);
    if (Array.isArray(config.stopSequences)) attributes[ATTR.REQUEST_STOP_SEQUENCES] = config.stopSequences.map(String);
  }
  if (stream) attributes[ATTR.REQUEST_STREAM] = true;
  return attributes;
}

/** The input's messages and system prompt, as the opt-in content attributes (JSON text). */
function inputContentAttributes(input) {
  const attributes = {};
  if (input?.messages !== undefined) attributes[ATTR.INPUT_MESSAGES] = jsonOf(input.messages);
  if (input?.system !== undefined) attributes[ATTR.SYSTEM_INSTRUCTIONS] = jsonOf(input.system);
  return attributes;
}

/** The answer's message, as the opt-in content attribute. */
function outputContentAttributes(message) {
  return message === undefined ? {} : { [ATTR.OUTPUT_MESSAGES]: jsonOf([message]) };
}

/** Finish reason and token counts from a Converse answer's `stopReason` and `usage`. */
function answerAttributes(stopReason, usage) {
  const attributes = {};
  if (typeof stopReason === 'string') attributes[ATTR.FINISH_REASONS] = [stopReason];
  if (usage && typeof usage === 'object') {
    setNumber(attributes, ATTR.INPUT_TOKENS, usage.inputTokens);
    setNumber(attributes, ATTR.OUTPUT_TOKENS, usage.outputTokens);
    setNumber(attributes, ATTR.CACHE_READ_TOKENS, usage.cacheReadInputTokens);
    setNumber(attributes, ATTR.CACHE_WRITE_TOKENS, usage.cacheWriteInputTokens);
  }
  return attributes;
}

/**
 * `error.type`: the service's exception behind an attempt's failure
 * (`ThrottlingException`, …), else the error's textual code (a MultiplexerError's), else
 * its name (`CircuitOpenError`, `TimeoutError`, …).
 */
function errorType(error) {
  const service = error?.errorResponse?.details?.name ?? error?.outcome?.error?.details?.name;
  if (typeof service === 'string' && service) return service;
  if (typeof error?.code === 'string' && error.code) return error.code;
  return typeof error?.name === 'string' && error.name ? error.name : '_OTHER';
}

/** `bmm.outcome`'s value for one of the original's OutcomeType numbers. */
function outcomeName(type) {
  return OUTCOME_NAMES[type] ?? 'unknown';
}

/**
 * `server.address`/`server.port` for a client configuration: its endpoint, else
 * Bedrock Runtime's regional host (the region from the config or the environment).
 */
function serverAttributes(clientConfig) {
  const endpoint = clientConfig?.endpoint;
  if (typeof endpoint === 'string') {
    try {
      const url = new URL(endpoint);
      return { [ATTR.SERVER_ADDRESS]: url.hostname, [ATTR.SERVER_PORT]: Number(url.port || (url.protocol === 'http:' ? 80 : 443)) };
    } catch {
      return {};
    }
  }
  const region = typeof clientConfig?.region === 'string' ? clientConfig.region : process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION;
  return region ? { [ATTR.SERVER_ADDRESS]: `bedrock-runtime.${region}.amazonaws.com`, [ATTR.SERVER_PORT]: 443 } : {};
}

function setNumber(attributes, key, value) {
  if (typeof value === 'number' && Number.isFinite(value)) attributes[key] = value;
}

function jsonOf(value) {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

module.exports = {
  ATTR,
  METRIC,
  BREAKER_STATE_VALUES,
  commonAttributes,
  spanName,
  requestAttributes,
  inputContentAttributes,
  outputContentAttributes,
  answerAttributes,
  errorType,
  outcomeName,
  serverAttributes,
};
