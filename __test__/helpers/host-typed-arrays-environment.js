'use strict';
// A jest "node" environment whose typed-array constructors are those of Node's own
// realm. onnxruntime-node hands back tensors backed by typed arrays created in that
// realm, and onnxruntime-common checks them with `instanceof Float32Array` against the
// test file's realm, which fails in jest's default sandbox ("A float32 tensor's data
// must be type of function Float32Array()") for any caller, the original library
// included. Only refusal.test.ts, which runs the real ONNX fixture, uses this.

const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer',
  'Float32Array',
  'Float64Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'BigInt64Array',
  'BigUint64Array',
];

class HostTypedArraysEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = HostTypedArraysEnvironment;
