'use strict';
// The original's enums, as the objects TypeScript compiles them to: OutcomeType is
// numeric (with its reverse mapping), the other two are string enums.

const OutcomeType = {};
OutcomeType[(OutcomeType.SUCCESS = 0)] = 'SUCCESS';
OutcomeType[(OutcomeType.RATE_LIMIT = 1)] = 'RATE_LIMIT';
OutcomeType[(OutcomeType.FAIL_FAST = 2)] = 'FAIL_FAST';
OutcomeType[(OutcomeType.REFUSAL = 3)] = 'REFUSAL';

const CircuitBreakerState = {
  CLOSED: 'CLOSED',
  OPEN: 'OPEN',
  HALF_OPEN: 'HALF_OPEN',
};

const ErrorType = {
  VALIDATION: 'VALIDATION',
  THROTTLING: 'THROTTLING',
  MODEL_UNAVAILABLE: 'MODEL_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  CANCELLED: 'CANCELLED',
  CIRCUIT_OPEN: 'CIRCUIT_OPEN',
  INTERNAL: 'INTERNAL',
  AUTHENTICATION: 'AUTHENTICATION',
  NETWORK: 'NETWORK',
  UNKNOWN: 'UNKNOWN',
};

module.exports = { OutcomeType, CircuitBreakerState, ErrorType };
