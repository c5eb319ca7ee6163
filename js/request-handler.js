'use strict';
// Drives one request through the Rust request machine (`crates/engine/src/request.rs`).
// The machine decides every step — which delegate call, which event, which outcome to
// report, when to fail over, escalate or give up — and this loop carries each step out
// on the JavaScript objects it was given: the delegate, the model, the response and
// the error. Every step is awaited as a promise, never a timer or a tick, so the loop
// runs the same under jest's fake timers.

const native = require('./native');
const { OutcomeType } = require('./enums');
const { MultiplexerError, multiplexerFailure, outcome, messageOf } = require('./errors');
const { extractResponseText } = require('./response-text');
const { textOf, numberOf } = require('./text');

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
 */

class RequestHandler {
  #input;
  #delegate;
  #maxRetries;
  #requestId;
  #budgetMs;
  /** When the request's failover budget runs out (Infinity without one). */
  #deadline = Infinity;

  /**
   * `budgetMs` (beyond the original, under `failover`) bounds the whole request: no
   * attempt runs past it, and no failover starts after it.
   * @param {object} input
   * @param {RequestDelegate} multiplexer
   * @param {unknown} [maxRetries]
   * @param {string} [requestId]
   * @param {unknown} [budgetMs]
   */
  constructor(input, multiplexer, maxRetries = 3, requestId = '', budgetMs = undefined) {
    this.#input = input;
    this.#delegate = multiplexer;
    this.#maxRetries = maxRetries;
    this.#requestId = requestId;
    this.#budgetMs = budgetMs;
  }

  async process() {
    const machine = idleMachines.pop() ?? new native.RequestMachine(0);
    /** @type {RequestState} */
    const state = { model: null, result: null, error: null, lastError: null, classification: null, text: '', startedAt: 0 };
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
              step = machine.failed(error?.name, error instanceof MultiplexerError, outcomeModelId(error), outcomeType(error), this.#failsOver(error));
              if (step.isLastError) state.lastError = error;
            }
        }
      }
    } finally {
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
    if (!quiet) return machine.start(maxRetries);
    const step = machine.startQuietly(maxRetries, quiet.core, Date.now(), Math.random);
    if (step.kind === 'invoke') state.model = quiet.models[step.slot];
    return step;
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
        const selection = await delegate.selectModel({ skippedModels: new Set(step.skipped) });
        return machine.selected(selection.modelId ? textOf(selection.modelId, 'selection.modelId') : null);
      }
      case 'getModel':
        state.model = await delegate.getModel(step.modelId);
        return machine.modelFound(Boolean(state.model));
      case 'emitInvocationStart':
        delegate.emitEvent('model-invocation-start', step.modelId, this.#requestId);
        return machine.done();
      case 'invoke': {
        state.startedAt = Date.now();
        state.result = this.#deadline === Infinity ? await state.model.invoke(this.#input) : await state.model.invoke(this.#input, undefined, undefined, this.#deadline);
        const checkRefusal = Boolean(delegate.refusalRetryEnabled);
        const quiet = this.#quiet();
        if (!quiet) return machine.invoked(checkRefusal);
        const { modelId, latency } = state.result.outcome;
        return machine.invokedQuietly(quiet.core, checkRefusal, textOf(modelId, 'modelId'), numberOf(latency, 'latency'), Date.now(), state.result.response?.usage);
      }
      case 'invokeEscalated':
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

function outcomeModelId(error) {
  const outcome = error && error.outcome;
  return outcome ? textOf(outcome.modelId, 'outcome.modelId') : null;
}

function outcomeType(error) {
  const outcome = error && error.outcome;
  return outcome && typeof outcome.type === 'number' ? outcome.type : null;
}

module.exports = { RequestHandler, markFailover, QUIET, SERVED_USAGE };
