'use strict';
// bedrock-model-multiplexer: the public entry point. The same names the original
// library exports, backed by the Rust engine in the native addon.

const { OutcomeType, CircuitBreakerState, ErrorType } = require('./js/enums');
const { BedrockMultiplexer } = require('./js/multiplexer');
const { BedrockModel } = require('./js/bedrock-model');
const { RequestHandler } = require('./js/request-handler');
const errors = require('./js/errors');
const validation = require('./js/validation');
const { MultiplexerTracer, createTracer } = require('./js/tracing');
const { extractResponseText } = require('./js/response-text');
const { CircuitBreaker, CircuitBreakerManager, DEFAULT_CIRCUIT_BREAKER_CONFIG } = require('./js/breakers');
const { HealthCheckManager, HealthCheckEndpoint } = require('./js/health');
const { Timer } = require('./js/timer');
const { weightedRandomSelect, createWeightedItem } = require('./js/selection');
const { RefusalClassifier } = require('./js/refusal');
const { spreadable } = require('./js/text');

function createMultiplexer(models, options = {}) {
  return new BedrockMultiplexer({ models, defaultTimeoutMs: 30000, maxRetries: 3, ...spreadable(options) });
}

module.exports = {
  OutcomeType,
  CircuitBreakerState,
  ErrorType,
  BedrockMultiplexer,
  BedrockModel,
  RequestHandler,
  MultiplexerError: errors.MultiplexerError,
  classifyError: errors.classifyError,
  classifyErrorType: errors.classifyErrorType,
  isThrottlingError: errors.isThrottlingError,
  isRetryableError: errors.isRetryableError,
  getRetryDelay: errors.getRetryDelay,
  toErrorResponse: errors.toErrorResponse,
  createEnhancedError: errors.createEnhancedError,
  getRecoverySuggestions: errors.getRecoverySuggestions,
  getErrorMessage: errors.getErrorMessage,
  MultiplexerTracer,
  createTracer,
  CircuitBreaker,
  CircuitBreakerManager,
  DEFAULT_CIRCUIT_BREAKER_CONFIG,
  HealthCheckManager,
  HealthCheckEndpoint,
  Timer,
  weightedRandomSelect,
  createWeightedItem,
  RefusalClassifier,
  ModelConfigValidator: validation.ModelConfigValidator,
  MultiplexerConfigValidator: validation.MultiplexerConfigValidator,
  CircuitBreakerConfigValidator: validation.CircuitBreakerConfigValidator,
  formatValidationErrors: validation.formatValidationErrors,
  assertValid: validation.assertValid,
  extractResponseText,
  createMultiplexer,
  VERSION: '1.0.0',
};
