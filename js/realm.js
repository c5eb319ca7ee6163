'use strict';
// Objects the addon builds belong to the realm it was first loaded in. Under jest,
// each test file runs in a realm of its own, so such an object would fail
// `toBeInstanceOf(Date)` or `toStrictEqual({...})` there. Results handed to callers
// pass through `adopt`, which copies them into this file's realm only when the
// realms differ (never in a plain Node process).

const native = require('./native');

const SAME_REALM = Object.getPrototypeOf(native.realmProbe()) === Object.prototype;

function adopt(value) {
  return SAME_REALM ? value : copy(value);
}

function copy(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copy);
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Date]') return new Date(value.getTime());
  if (tag === '[object Uint8Array]') return new Uint8Array(value);
  const out = {};
  for (const key of Object.keys(value)) {
    // An own `__proto__` key stays one (as JSON.parse and the JS SDK keep it): assigning
    // it would replace the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copy(value[key]), writable: true, enumerable: true, configurable: true });
    else out[key] = copy(value[key]);
  }
  return out;
}

module.exports = { adopt };
