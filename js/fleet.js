'use strict';
// `sharedState` (issue 13): what must be JavaScript about a multiplexer's fleet membership —
// its events, and the tokens of each response. The rules (what to skip, what to share) are
// in the engine (`crates/engine/src/fleet/gate.rs`), the Redis I/O in `crates/fleet`.

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
 * Sets the model's fleet quota and charges the tokens of each of its responses
 * (`usage.inputTokens + usage.outputTokens`) to it.
 * @param {import('../binding').SharedState} fleet
 * @param {{ modelId: string, requestsPerMinute?: number, tokensPerMinute?: number }} modelConfig
 * @param {{ invoke: (...args: any[]) => Promise<{ response: any }> }} model
 */
function shareModel(fleet, modelConfig, model) {
  const modelId = modelConfig.modelId;
  fleet.setQuota(modelId, modelConfig.requestsPerMinute ?? undefined, modelConfig.tokensPerMinute ?? undefined, Date.now());
  const invoke = model.invoke.bind(model);
  model.invoke = async (...args) => {
    const result = await invoke(...args);
    chargeUsage(fleet, modelId, result?.response?.usage);
    return result;
  };
}

/**
 * Charges a response's or a finished stream's `usage` (input plus output tokens) to the
 * model's token quota.
 * @param {import('../binding').SharedState} fleet
 * @param {string} modelId
 * @param {{ inputTokens?: number, outputTokens?: number } | undefined} usage
 */
function chargeUsage(fleet, modelId, usage) {
  const tokens = (Number(usage?.inputTokens) || 0) + (Number(usage?.outputTokens) || 0);
  if (tokens > 0) fleet.chargeTokens(modelId, tokens, Date.now());
}

module.exports = { joinFleet, shareModel, chargeUsage };
