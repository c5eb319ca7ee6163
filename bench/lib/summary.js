'use strict';
// Small statistics helpers for the parent: medians across repetitions and ratios.

function median(values) {
  const xs = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

function ratio(value, base) {
  if (value == null || base == null || base === 0) return null;
  return value / base;
}

module.exports = { median, ratio };
