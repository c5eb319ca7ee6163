'use strict';
// CircuitBreaker and CircuitBreakerManager: handles on the engine's breakers. Each
// call passes `Date.now()`, so breakers follow jest's fake clock as the original's do.
// A manager hands out the same CircuitBreaker object for the same model every time,
// as the original does; that identity is a JavaScript matter, kept here.

const native = require('./native');
const { adopt } = require('./realm');
const { textOf } = require('./text');

const HANDLE = Symbol('breaker handle');
const TABLE = Symbol('breaker table');

const DEFAULT_CIRCUIT_BREAKER_CONFIG = adopt(native.defaultCircuitBreakerConfig());

/** The settings a breaker reads. */
const SETTINGS = Object.keys(DEFAULT_CIRCUIT_BREAKER_CONFIG);

/**
 * `{ ...DEFAULT_CIRCUIT_BREAKER_CONFIG, ...config }` as far as a breaker reads it: only
 * the settings are taken from `config` (when it has them as own enumerable properties,
 * as spreading would), so a string or a huge object passed as config is not copied key
 * by key — spreading an 8 MB string makes 8 million keys.
 */
function overDefaults(config) {
  const merged = { ...DEFAULT_CIRCUIT_BREAKER_CONFIG };
  if (config === null || config === undefined) return merged;
  for (const key of SETTINGS) {
    if (Object.prototype.propertyIsEnumerable.call(config, key)) merged[key] = config[key];
  }
  return merged;
}

class CircuitBreaker {
  constructor(modelId, config = {}) {
    // Spread over the live defaults at creation, as the original: callers tune
    // future breakers by editing DEFAULT_CIRCUIT_BREAKER_CONFIG.
    hide(this, HANDLE, new native.BreakerHandle(textOf(modelId, 'modelId'), overDefaults(config)));
  }

  getState() {
    return this[HANDLE].getState(Date.now());
  }

  getStatus() {
    return adopt(this[HANDLE].getStatus(Date.now()));
  }

  canExecute() {
    return this[HANDLE].canExecute(Date.now());
  }

  recordSuccess() {
    this[HANDLE].recordSuccess(Date.now());
  }

  recordFailure(_error) {
    this[HANDLE].recordFailure(Date.now());
  }

  getCircuitOpenError() {
    return adopt(this[HANDLE].getCircuitOpenError(Date.now()));
  }

  forceOpen() {
    this[HANDLE].forceOpen(Date.now());
  }

  forceClose() {
    this[HANDLE].forceClose();
  }

  reset() {
    this[HANDLE].reset();
  }
}

/** A CircuitBreaker around a breaker the engine already holds. */
function breakerFromHandle(handle) {
  const breaker = Object.create(CircuitBreaker.prototype);
  hide(breaker, HANDLE, handle);
  return breaker;
}

class CircuitBreakerManager {
  #breakers = new Map();

  constructor(config = {}) {
    hide(this, TABLE, new native.BreakerTable(overDefaults(config)));
  }

  getBreaker(modelId, config) {
    let breaker = this.#breakers.get(modelId);
    if (!breaker) {
      const ownConfig = config == null ? undefined : overDefaults(config);
      breaker = breakerFromHandle(this[TABLE].getBreaker(textOf(modelId, 'modelId'), ownConfig));
      this.#breakers.set(modelId, breaker);
    }
    return breaker;
  }

  canExecute(modelId) {
    return this[TABLE].canExecute(textOf(modelId, 'modelId'), Date.now());
  }

  recordSuccess(modelId) {
    this.getBreaker(modelId).recordSuccess();
  }

  recordFailure(modelId, _error) {
    this.getBreaker(modelId).recordFailure();
  }

  getAllStatus() {
    return adopt(this[TABLE].allStatus(Date.now()));
  }

  resetAll() {
    this[TABLE].resetAll();
  }

  removeBreaker(modelId) {
    this.#breakers.delete(modelId);
    this[TABLE].removeBreaker(textOf(modelId, 'modelId'));
  }

  clear() {
    this.#breakers.clear();
    this[TABLE].clear();
  }
}

/** A property that neither enumeration nor jest's equality sees. */
function hide(target, key, value) {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false });
}

module.exports = { CircuitBreaker, CircuitBreakerManager, DEFAULT_CIRCUIT_BREAKER_CONFIG, breakerFromHandle, TABLE };
