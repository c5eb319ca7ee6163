'use strict';
// `String(value)` for a value a caller passed (a model id, an error name), bounded: an
// array is joined only once the native side has judged its length and its nested
// arrays, because joining a sparse array of length 2³² − 1 takes minutes.

const native = require('./native');

/** `String(value)`; `field` names the value in the error an absurd array gets. */
function textOf(value, field) {
  return Array.isArray(value) ? native.arrayText(field, value) : String(value);
}

module.exports = { textOf };
