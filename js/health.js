'use strict';
// HealthCheckManager and HealthCheckEndpoint: the engine's health rules over the
// breaker table of a CircuitBreakerManager, with the caller's clock at each call.

const native = require('./native');
const { adopt } = require('./realm');
const { TABLE } = require('./breakers');
const { textOf, numberOf } = require('./text');

const HEALTH = Symbol('health table');

class HealthCheckManager {
  constructor(circuitBreakerManager, metricsWindowMs = 60000, maxMetricsHistory = 1000) {
    const table = circuitBreakerManager?.[TABLE];
    if (!table) throw new TypeError('HealthCheckManager needs a CircuitBreakerManager from bedrock-model-multiplexer');
    Object.defineProperty(this, HEALTH, { value: new native.HealthTable(table, metricsWindowMs, maxMetricsHistory) });
  }

  recordSuccess(modelId, responseTimeMs) {
    this[HEALTH].recordSuccess(textOf(modelId, 'modelId'), numberOf(responseTimeMs, 'responseTimeMs'), Date.now());
  }

  recordFailure(modelId, responseTimeMs) {
    this[HEALTH].recordFailure(textOf(modelId, 'modelId'), numberOf(responseTimeMs, 'responseTimeMs'), Date.now());
  }

  getModelHealth(modelId, modelStats) {
    return adopt(this[HEALTH].modelHealth(textOf(modelId, 'modelId'), modelStats, Date.now()));
  }

  getSystemHealth(modelStatsMap = {}) {
    return adopt(this[HEALTH].systemHealth(modelStatsMap, Date.now()));
  }

  resetModelMetrics(modelId) {
    this[HEALTH].resetModelMetrics(textOf(modelId, 'modelId'));
  }

  resetAllMetrics() {
    this[HEALTH].resetAllMetrics();
  }

  registerModel(modelId) {
    this[HEALTH].registerModel(textOf(modelId, 'modelId'));
  }

  unregisterModel(modelId) {
    this[HEALTH].unregisterModel(textOf(modelId, 'modelId'));
  }

  isSystemAcceptingRequests(modelStatsMap = {}) {
    return this[HEALTH].isAcceptingRequests(modelStatsMap, Date.now());
  }
}

class HealthCheckEndpoint {
  #manager;

  constructor(healthManager) {
    this.#manager = healthManager;
  }

  getSimpleHealth(modelStatsMap = {}) {
    return adopt(this.#manager[HEALTH].simpleHealth(modelStatsMap, Date.now()));
  }

  getDetailedHealth(modelStatsMap = {}) {
    return this.#manager.getSystemHealth(modelStatsMap);
  }

  getModelHealth(modelId, modelStats) {
    return this.#manager.getModelHealth(modelId, modelStats);
  }
}

module.exports = { HealthCheckManager, HealthCheckEndpoint };
