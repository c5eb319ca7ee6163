'use strict';
// The original's validators, answered by the Rust validation rules.

const native = require('./native');

class ModelConfigValidator {
  static validate(config) {
    return native.validateModelConfig(config);
  }
}

class MultiplexerConfigValidator {
  static validate(config) {
    return native.validateMultiplexerConfig(config);
  }
}

class CircuitBreakerConfigValidator {
  static validate(config) {
    return native.validateCircuitBreakerConfig(config);
  }
}

function formatValidationErrors(result) {
  return native.formatValidationErrors(result);
}

function assertValid(result) {
  const message = native.validationFailureMessage(result);
  if (message !== null) throw new Error(message);
}

module.exports = {
  ModelConfigValidator,
  MultiplexerConfigValidator,
  CircuitBreakerConfigValidator,
  formatValidationErrors,
  assertValid,
};
