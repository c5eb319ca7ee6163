'use strict';
// `String(value)` and `Number(value)` for a value a caller passed (a model id, an error
// name, a retry count), bounded: an array is joined (as both do) only once the native
// side has judged its length and its nested arrays, because joining a sparse array of
// length 2³² − 1 takes minutes.

const native = require('./native');

/** `String(value)`; `field` names the value in the error an absurd array gets. */
function textOf(value, field) {
  return Array.isArray(value) ? native.arrayText(field, value) : String(value);
}

/** `Number(value)`: an array reads as the number its joined text spells. */
function numberOf(value, field) {
  return Array.isArray(value) ? Number(native.arrayText(field, value)) : Number(value);
}

/**
 * What `{ ...value }` should copy: the value itself, but nothing of a string (primitive
 * or String object), whose own keys are only its characters' indices and name no
 * setting: spreading an 8 MB string would make 8 million keys.
 */
function spreadable(value) {
  return typeof value === 'string' || value instanceof String ? {} : value;
}

module.exports = { textOf, numberOf, spreadable };
