'use strict';
// The original's validators, answered by the Rust validation rules.

const native = require('./native');
const { adopt } = require('./realm');
const { validationFailure } = require('./errors');

class ModelConfigValidator {
  static validate(config) {
    return adopt(native.validateModelConfig(config));
  }
}

class MultiplexerConfigValidator {
  static validate(config) {
    return adopt(native.validateMultiplexerConfig(config));
  }
}

class CircuitBreakerConfigValidator {
  static validate(config) {
    return adopt(native.validateCircuitBreakerConfig(config));
  }
}

function formatValidationErrors(result) {
  return native.formatValidationErrors(result);
}

function assertValid(result) {
  const message = native.validationFailureMessage(result);
  if (message !== null) throw validationFailure(message);
}

module.exports = {
  ModelConfigValidator,
  MultiplexerConfigValidator,
  CircuitBreakerConfigValidator,
  formatValidationErrors,
  assertValid,
};
