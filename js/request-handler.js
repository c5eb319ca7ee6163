'use strict';
// Drives one request through the Rust request machine (`crates/engine/src/request.rs`).
// The machine decides every step — which delegate call, which event, which outcome to
// report, when to fail over, escalate or give up — and this loop carries each step out
// on the JavaScript objects it was given: the delegate, the model, the response and
// the error. Every step is awaited as a promise, never a timer or a tick, so the loop
// runs the same under jest's fake timers; the one timer is a `wait` step's (under
// `failover.backoff`), on the caller's setTimeout, so fake timers steer it too.

const native = require('./native');
const { OutcomeType } = require('./enums');
const { MultiplexerError, multiplexerFailure, outcome, messageOf } = require('./errors');
const { extractResponseText } = require('./response-text');
const { textOf, numberOf } = require('./text');
const { invokeHedged } = require('./hedge');

/**
 * What a RequestHandler drives: the multiplexer, or one standing in for it (see
 * BedrockMultiplexer#streamDelegate), as the original's `MultiplexerDelegate`.
 * @typedef {object} RequestDelegate
 * @property {(request: { skippedModels: Set<string> }) => Promise<{ modelId: string | null, isFallback: boolean }>} selectModel
 * @property {(modelId: string) => Promise<{ invoke: (input: object, abortSignal?: AbortSignal, serviceTier?: string, deadline?: number) => Promise<{ response: object, outcome: import('./errors').Outcome }> } | null>} getModel
 * @property {(outcome: import('./errors').Outcome) => Promise<void>} reportOutcome
 * @property {(event: string, ...args: unknown[]) => void} emitEvent
 * @property {(responseText: string) => Promise<{ isRefusal: boolean, confidence: number, latencyMs: number } | null>} classifyRefusal
 * @property {boolean} refusalRetryEnabled
 * @property {{ enabled?: boolean, escalationTier?: string } | undefined} tierEscalationConfig
 */

/**
 * A delegate's in-flight counts (the multiplexer's; optional): moves one request's hold
 * from the model its ended attempt held (`release`) to the one it goes on with (`hold`).
 * @typedef {{ [IN_FLIGHT]?: (hold: string | null, release: string | null) => void }} InFlightHook
 */

/**
 * @typedef {import('../binding').Step} Step
 * @typedef {import('../binding').RequestMachine} RequestMachine
 * @typedef {object} RequestState  What one request holds on the JavaScript side.
 * @property {Awaited<ReturnType<RequestDelegate['getModel']>>} model
 * @property {{ response: object, outcome: import('./errors').Outcome }} result
 * @property {any} error  Whatever a step threw (a caught value: `any`, as TypeScript types one).
 * @property {any} lastError  The error a RETRIES_EXHAUSTED failure names.
 * @property {Awaited<ReturnType<RequestDelegate['classifyRefusal']>>} classification
 * @property {string} text
 * @property {number} startedAt
 * @property {string[]} skipped  The models the latest selection skipped.
 * @property {string} modelId  The model of the latest lookup.
 * @property {number} attempts  Invocations started so far (the `attempt-timeout` event's `attempt`).
 * @property {boolean} releasedQuietly  The quiet path ended the request and released its model.
 */

class RequestHandler {
  #input;
  #delegate;
  #maxRetries;
  #requestId;
  #budgetMs;
  /** When the request's failover budget runs out (Infinity without one). */
  #deadline = Infinity;
  /** The multiplexer's `hedging` (beyond the original), or null. */
  #hedging;
  /** `failover.backoff` ({ baseMs, maxMs }), or undefined. */
  #backoff;

  /**
   * @param {object} input
   * @param {RequestDelegate} multiplexer
   * @param {unknown} [maxRetries]
   * @param {string} [requestId]
   * @param {{ budgetMs?: unknown, hedging?: import('../binding').Hedging | null, backoff?: { baseMs: number, maxMs: number } }} [beyond]
   *   Beyond the original: under `failover`, `budgetMs` bounds the whole request (no
   *   attempt runs past it, no failover starts after it) and `backoff` is
   *   `failover.backoff`; under `hedging`, a slow attempt is raced by hedges (js/hedge.js).
   */
  constructor(input, multiplexer, maxRetries = 3, requestId = '', { budgetMs = undefined, hedging = null, backoff = undefined } = {}) {
    this.#backoff = backoff ?? undefined;
    this.#input = input;
    this.#delegate = multiplexer;
    this.#maxRetries = maxRetries;
    this.#requestId = requestId;
    this.#budgetMs = budgetMs;
    this.#hedging = hedging;
  }

  async process() {
    const machine = idleMachines.pop() ?? new native.RequestMachine(0);
    /** @type {RequestState} */
    const state = { model: null, result: null, error: null, lastError: null, classification: null, text: '', startedAt: 0, skipped: [], modelId: '', attempts: 0, releasedQuietly: false };
    try {
      let step = this.#start(machine, state);
      for (;;) {
        switch (step.kind) {
          case 'return':
            return state.result.response;
          case 'rethrow':
            throw state.error;
          case 'fail':
            throw multiplexerFailure(step.failure, step.skipped, this.#maxRetries, state.lastError);
          default:
            try {
              step = await this.#perform(step, machine, state);
            } catch (error) {
              state.error = error;
              this.#announceAttemptTimeout(error, state);
              step = machine.failed(error?.name, error instanceof MultiplexerError, outcomeModelId(error), outcomeType(error), this.#failsOver(error), retryAfters.get(error) ?? null);
              if (step.isLastError) state.lastError = error;
            }
        }
      }
    } finally {
      // However the request ended, the model its last attempt held is no longer in flight.
      if (!state.releasedQuietly) this.#moveInFlight(machine, null);
      if (idleMachines.length < MAX_IDLE_MACHINES) idleMachines.push(machine);
    }
  }

  /**
   * Starts the request on `machine` and returns its first step; while nobody watches,
   * the machine has already selected and looked up the model (see #quiet).
   * @param {RequestMachine} machine
   * @param {RequestState} state
   * @returns {Step}
   */
  #start(machine, state) {
    const maxRetries = numberOf(this.#maxRetries, 'maxRetries');
    if (this.#budgetMs !== undefined) this.#deadline = Date.now() + numberOf(this.#budgetMs, 'defaultTimeoutMs');
    const quiet = this.#quiet();
    if (!quiet) return this.#withBackoff(machine, machine.start(maxRetries));
    const step = this.#withBackoff(machine, machine.startQuietly(maxRetries, quiet.core, Date.now(), Math.random));
    if (step.kind === 'invoke') state.model = quiet.models[step.slot];
    return step;
  }

  /**
   * Gives a started machine `failover.backoff` (it matters only once every model failed,
   * after the first step) and returns that step.
   * @param {RequestMachine} machine
   * @param {Step} step
   */
  #withBackoff(machine, step) {
    const backoff = this.#backoff;
    if (backoff) machine.setBackoff(numberOf(backoff.baseMs, 'failover.backoff.baseMs'), numberOf(backoff.maxMs, 'failover.backoff.maxMs'), this.#deadline);
    return step;
  }

  /**
   * Emits `attempt-timeout` (beyond the original) for an attempt `failover` ended by its
   * timeout, before the machine hears of the failure (so before its
   * `model-invocation-complete`, `error` and the next selection).
   * @param {unknown} error
   * @param {RequestState} state
   */
  #announceAttemptTimeout(error, state) {
    const timeoutMs = attemptTimeouts.get(/** @type {object} */ (error));
    if (timeoutMs === undefined) return;
    this.#delegate.emitEvent('attempt-timeout', outcomeModelId(error), timeoutMs, state.attempts);
  }

  /**
   * Carries out one step of the machine and returns the next.
   * @param {Step} step
   * @param {RequestMachine} machine
   * @param {RequestState} state
   * @returns {Promise<Step>}
   */
  async #perform(step, machine, state) {
    const delegate = this.#delegate;
    switch (step.kind) {
      case 'select': {
        state.skipped = step.skipped;
        const selection = await delegate.selectModel({ skippedModels: new Set(step.skipped) });
        const modelId = selection.modelId ? textOf(selection.modelId, 'selection.modelId') : null;
        this.#moveInFlight(machine, modelId);
        return machine.selected(modelId, Date.now());
      }
      case 'startRetryRound':
        return machine.retryRound(Date.now(), Math.random());
      case 'wait':
        delegate.emitEvent('backoff', step.modelId, step.delayMs, step.reason);
        await new Promise((resolve) => setTimeout(resolve, step.delayMs));
        return machine.done();
      case 'getModel':
        state.modelId = step.modelId;
        state.model = await delegate.getModel(step.modelId);
        return machine.modelFound(Boolean(state.model));
      case 'emitInvocationStart':
        delegate.emitEvent('model-invocation-start', step.modelId, this.#requestId);
        return machine.done();
      case 'invoke': {
        state.attempts += 1;
        state.startedAt = Date.now();
        if (this.#hedging) return this.#invokeHedged(machine, state);
        state.result = this.#deadline === Infinity ? await state.model.invoke(this.#input) : await state.model.invoke(this.#input, undefined, undefined, this.#deadline);
        const checkRefusal = Boolean(delegate.refusalRetryEnabled);
        const quiet = this.#quiet();
        if (!quiet) return machine.invoked(checkRefusal);
        const { modelId, latency } = state.result.outcome;
        const next = machine.invokedQuietly(quiet.core, checkRefusal, textOf(modelId, 'modelId'), numberOf(latency, 'latency'), Date.now(), state.result.response?.usage);
        state.releasedQuietly = next.kind === 'return';
        return next;
      }
      case 'invokeEscalated':
        state.attempts += 1;
        state.result = await state.model.invoke(this.#input, undefined, step.tier);
        return machine.invoked(Boolean(delegate.refusalRetryEnabled));
      case 'emitInvocationComplete':
        delegate.emitEvent('model-invocation-complete', step.modelId, this.#requestId, Date.now() - state.startedAt);
        return machine.done();
      case 'classify': {
        state.text = extractResponseText(state.result.response);
        const classification = await delegate.classifyRefusal(state.text);
        state.classification = classification;
        return machine.classified(classification ? Boolean(classification.isRefusal) : null);
      }
      case 'emitRefusalClassification': {
        const { isRefusal, confidence, latencyMs } = state.classification;
        delegate.emitEvent('refusal-classification', step.modelId, isRefusal, confidence, latencyMs);
        return machine.done();
      }
      case 'emitRefusalDetected':
        delegate.emitEvent('refusal-detected', step.modelId, state.classification.confidence, state.text);
        return machine.done();
      case 'report': {
        const reported = this.#outcomeToReport(step, state);
        await delegate.reportOutcome(reported);
        // Beyond the original, for the fleet's token quota: what the served response used.
        if (step.outcome !== 'error') delegate[SERVED_USAGE]?.(reported.modelId, state.result.response?.usage);
        return machine.done();
      }
      case 'consultEscalation': {
        const config = delegate.tierEscalationConfig;
        return machine.escalationTier(config?.enabled ? String(config.escalationTier) : null);
      }
      case 'emitTierEscalation':
        delegate.emitEvent('tier-escalation', step.modelId, step.from, step.to);
        return machine.done();
      case 'emitEscalationSuccess':
        delegate.emitEvent('tier-escalation-success', step.modelId, step.tier);
        return machine.done();
      case 'emitEscalationFailure':
        delegate.emitEvent('tier-escalation-failure', step.modelId, step.tier, messageOf(state.error));
        return machine.done();
      default:
        throw new Error(`bedrock-model-multiplexer: unknown request step ${step.kind}`);
    }
  }

  /**
   * The `invoke` step under `hedging`: the first attempt raced by hedges; the winner's
   * result is the invocation's, and the steps after it name the model that gave it.
   * @param {RequestMachine} machine
   * @param {RequestState} state
   */
  async #invokeHedged(machine, state) {
    const invocation = {
      hedging: this.#hedging,
      delegate: this.#delegate,
      input: this.#input,
      deadline: this.#deadline === Infinity ? undefined : this.#deadline,
      skipped: state.skipped,
      requestId: this.#requestId,
    };
    const won = await invokeHedged(invocation, state.model, state.modelId);
    state.result = won.result;
    const checkRefusal = Boolean(this.#delegate.refusalRetryEnabled);
    return won.modelId === state.modelId ? machine.invoked(checkRefusal) : machine.answeredBy(won.modelId, checkRefusal);
  }

  /**
   * The request goes on with `modelId` (null: with none): the model its previous attempt
   * held is released, and `modelId` held, in the delegate's in-flight counts.
   * @param {RequestMachine} machine
   * @param {string | null} modelId
   */
  #moveInFlight(machine, modelId) {
    const released = machine.holdInFlight(modelId);
    if (modelId !== null || released !== null) this.#delegate[IN_FLIGHT]?.(modelId, released);
  }

  /** Whether `error` moves on to another model: marked so, and within the budget. */
  #failsOver(error) {
    return failsOver.has(error) && Date.now() < this.#deadline;
  }

  /**
   * `{ core, models }` while the delegate is a multiplexer nobody watches (no
   * listeners, no replaced methods): then the machine performs selection, lookup,
   * silent events and the success report on the core itself (`engine::quiet`), and
   * `models` holds the model objects at the core's slots.
   */
  #quiet() {
    return this.#delegate[QUIET]?.() ?? null;
  }

  /**
   * @param {Step} step
   * @param {RequestState} state
   */
  #outcomeToReport(step, state) {
    switch (step.outcome) {
      case 'response':
        return state.result.outcome;
      case 'refusal':
        return outcome(step.modelId, OutcomeType.REFUSAL, state.result.outcome.latency);
      default:
        return state.error.outcome;
    }
  }
}

/** Machines of finished requests, for the next ones (see RequestMachine.start). */
/** @type {RequestMachine[]} */
const idleMachines = [];
const MAX_IDLE_MACHINES = 1024;

/** The multiplexer's answer to "may the machine work on your core unobserved?". */
const QUIET = Symbol('quiet core');

/** A delegate's in-flight counts: `(hold, release)` moves one request's hold between models. */
const IN_FLIGHT = Symbol('in flight');

/** The multiplexer's receiver of a served response's `usage` (after its outcome's report). */
const SERVED_USAGE = Symbol('served usage');

/**
 * Errors a delegate's model marked to move on to another model, as an open circuit
 * does (processStreamRequest marks streams that failed before their first event).
 */
const failsOver = new WeakSet();

function markFailover(error) {
  if (error !== null && typeof error === 'object') failsOver.add(error);
  return error;
}

/** Errors of failed sends that said, under `failover.backoff`, until when (ms) to stay away. */
const retryAfters = new WeakMap();

function markRetryAfter(error, until) {
  if (until !== null && error !== null && typeof error === 'object') retryAfters.set(error, until);
  return error;
}

/** Errors of attempts `failover` ended by their timeout, with that timeout (ms). */
const attemptTimeouts = new WeakMap();

function markAttemptTimeout(error, timeoutMs) {
  if (error !== null && typeof error === 'object') attemptTimeouts.set(error, timeoutMs);
  return error;
}

function outcomeModelId(error) {
  const outcome = error && error.outcome;
  return outcome ? textOf(outcome.modelId, 'outcome.modelId') : null;
}

function outcomeType(error) {
  const outcome = error && error.outcome;
  return outcome && typeof outcome.type === 'number' ? outcome.type : null;
}

module.exports = { RequestHandler, markFailover, markAttemptTimeout, markRetryAfter, QUIET, IN_FLIGHT, SERVED_USAGE };
