'use strict';
// `sharedState` (issue 13): what must be JavaScript about a multiplexer's fleet membership —
// its events, its quotas, and its additions to health and statistics. The rules (what to
// skip, what to share, what a response's usage costs) are in the engine
// (`crates/engine/src/fleet/gate.rs`), the Redis I/O in `crates/fleet`.

const native = require('./native');

/** The multiplexer event for each reachability change the fleet reports. */
const EVENTS = { degraded: 'shared-state-degraded', restored: 'shared-state-restored' };

/**
 * Starts the fleet for `options` (the validated `sharedState`) and joins `core` to it.
 * @param {import('node:events').EventEmitter} emitter  the multiplexer, which emits the events
 * @param {import('../binding').MultiplexerCore} core
 * @param {{ url: string, keyPrefix?: string, throttleCooldownMs?: number }} options
 */
function joinFleet(emitter, core, options) {
  const fleet = new native.SharedState(
    { url: options.url, keyPrefix: options.keyPrefix ?? undefined, throttleCooldownMs: options.throttleCooldownMs ?? undefined },
    (event) => {
      if (event.kind === 'degraded') emitter.emit(EVENTS.degraded, event.reason);
      else emitter.emit(EVENTS.restored);
    },
  );
  fleet.attach(core);
  return fleet;
}

/**
 * Sets the model's fleet quota. Its tokens are charged where its outcomes are reported
 * (after `reportOutcome`, in `invokedQuietly`, at a stream's end): no model method is wrapped.
 * @param {import('../binding').SharedState} fleet
 * @param {{ modelId: string, requestsPerMinute?: number, tokensPerMinute?: number }} modelConfig
 */
function shareModel(fleet, modelConfig) {
  fleet.setQuota(modelConfig.modelId, modelConfig.requestsPerMinute ?? undefined, modelConfig.tokensPerMinute ?? undefined, Date.now());
}

/**
 * `getHealthStatus().sharedState`: whether the fleet view is used, when it was last
 * refreshed, the models the fleet passes over now (and why, until when), and the unhealthy
 * count fleet-wide: a model is unhealthy when this instance judges it so or the fleet skips it.
 * @param {import('../binding').SharedState} fleet
 * @param {{ models: Record<string, { isHealthy: boolean }> }} health  the instance's own report
 * @param {number} now
 */
function fleetHealth(fleet, health, now) {
  /** @type {Record<string, { reason: string, until: number }>} */
  const skippedModels = {};
  let unhealthyModels = 0;
  for (const [modelId, model] of Object.entries(health.models)) {
    const skip = fleet.skipping(modelId, now);
    if (skip) skippedModels[modelId] = { reason: skip.reason, until: skip.until };
    if (skip || !model.isHealthy) unhealthyModels++;
  }
  return { shared: fleet.isShared(now), viewRefreshedAt: fleet.refreshedAt() ?? null, unhealthyModels, skippedModels };
}

/**
 * `getStats().fleet`: each model's fleet-wide totals as of the last refresh, or null while
 * the fleet view is not used (the instance's own figures are all there is then).
 * @param {import('../binding').SharedState} fleet
 * @param {string[]} modelIds
 * @param {number} now
 */
function fleetTotals(fleet, modelIds, now) {
  if (!fleet.isShared(now)) return null;
  /** @type {Record<string, import('../binding').FleetTotals>} */
  const totals = {};
  for (const modelId of modelIds) {
    const figures = fleet.totals(modelId, now);
    if (figures) totals[modelId] = { ...figures };
  }
  return totals;
}

module.exports = { joinFleet, shareModel, fleetHealth, fleetTotals };
