'use strict';
// weightedRandomSelect over the engine's weighted pick, drawing from the caller's
// Math.random (spies included) only when there is something to pick.

const native = require('./native');
const { numberOf } = require('./text');

function weightedRandomSelect(items) {
  if (Array.isArray(items)) native.checkArrayLength('weightedRandomSelect: items', items.length);
  const index = native.weightedPick(items.map((entry) => numberOf(entry.weight, 'weight')), Math.random);
  return index === null ? null : (items[index]?.item ?? null);
}

function createWeightedItem(item, weight) {
  return { item, weight };
}

module.exports = { weightedRandomSelect, createWeightedItem };
