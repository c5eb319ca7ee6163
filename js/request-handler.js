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

class RequestHandler {
  #input;
  #delegate;
  #maxRetries;
  #requestId;

  constructor(input, multiplexer, maxRetries = 3, requestId = '') {
    this.#input = input;
    this.#delegate = multiplexer;
    this.#maxRetries = maxRetries;
    this.#requestId = requestId;
  }

  async process() {
    const machine = idleMachines.pop() ?? new native.RequestMachine(0);
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
              const isCircuitOpen = error?.name === 'CircuitOpenError';
              if (machine.failed(error instanceof MultiplexerError, outcomeModelId(error), outcomeType(error), isCircuitOpen, failsOver.has(error))) {
                state.lastError = error;
              }
              step = machine.action();
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
   */
  #start(machine, state) {
    const maxRetries = numberOf(this.#maxRetries, 'maxRetries');
    const quiet = this.#quiet();
    if (!quiet) return machine.start(maxRetries);
    const step = machine.startQuietly(maxRetries, quiet.core, Date.now(), Math.random);
    if (step.kind === 'invoke') state.model = quiet.models.get(step.modelId);
    return step;
  }

  /** Carries out one step of the machine and returns the next. */
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
        state.result = await state.model.invoke(this.#input);
        const checkRefusal = Boolean(delegate.refusalRetryEnabled);
        const quiet = this.#quiet();
        if (!quiet) return machine.invoked(checkRefusal);
        const { modelId, latency } = state.result.outcome;
        return machine.invokedQuietly(quiet.core, checkRefusal, textOf(modelId, 'modelId'), numberOf(latency, 'latency'), Date.now());
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
      case 'report':
        await delegate.reportOutcome(this.#outcomeToReport(step, state));
        return machine.done();
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
   * `{ core, models }` while the delegate is a multiplexer nobody watches (no
   * listeners, no replaced methods): then the machine performs selection, lookup,
   * silent events and the success report on the core itself (`engine::quiet`).
   */
  #quiet() {
    return this.#delegate[QUIET]?.() ?? null;
  }

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

/** Machines of finished requests, for the next ones (see RequestMachine.restart). */
const idleMachines = [];
const MAX_IDLE_MACHINES = 1024;

/** The multiplexer's answer to "may the machine work on your core unobserved?". */
const QUIET = Symbol('quiet core');

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

module.exports = { RequestHandler, markFailover, QUIET };
