'use strict';
// Beyond the original (issue 14, `hedging`): the race of a hedged invocation. The rules —
// when to hedge, who wins, what to cancel, how it counts — are the engine's
// (`crates/engine/src/hedge.rs`, through `native.Hedging` and its `HedgeRace`); this
// driver only starts attempts, runs the hedge timer on the caller's timers (jest's fake
// ones steer it) and carries out each verdict: the winner's result is the request's,
// a loser is aborted through its own AbortController (the native call is dropped and its
// connection released; the JS SDK call gets the abort signal), a failure while another
// racer runs is reported as usual, and the last failure of all goes on as an unhedged
// attempt's would.

/**
 * @typedef {object} HedgedInvocation
 * @property {import('../binding').Hedging} hedging  The multiplexer's hedging.
 * @property {import('./request-handler').RequestDelegate} delegate
 * @property {object} input
 * @property {number | undefined} deadline  The failover budget's end, if any.
 * @property {string[]} skipped  Models the request has already skipped: never hedged to.
 * @property {string} requestId
 */

/**
 * Invokes `model` (`modelId`) and, while it has not answered, hedges as the engine says.
 * Resolves with the winner's result and model id; rejects with the last failure when
 * every racer failed.
 * @param {HedgedInvocation} invocation
 * @param {{ invoke: Function }} model
 * @param {string} modelId
 * @returns {Promise<{ result: { response: object, outcome: import('./errors').Outcome }, modelId: string }>}
 */
function invokeHedged(invocation, model, modelId) {
  const { hedging, delegate, input, deadline, skipped, requestId } = invocation;
  const race = hedging.race();
  const startedAt = Date.now();
  const delay = hedging.delay(modelId);
  /** @type {Array<{ modelId: string, controller: AbortController, startedAt: number }>} */
  const racers = [];

  return new Promise((resolve, reject) => {
    let timer = null;

    const start = (racerModel, racerId) => {
      const racer = racers.length;
      const controller = new AbortController();
      racers.push({ modelId: racerId, controller, startedAt: Date.now() });
      let attempt;
      try {
        attempt = Promise.resolve(racerModel.invoke(input, controller.signal, undefined, deadline));
      } catch (error) {
        attempt = Promise.reject(error);
      }
      attempt.then(
        (result) => settle(race.succeeded(racer), racer, result, null),
        (error) => settle(race.failed(racer), racer, null, error),
      );
    };

    const settle = (verdict, racer, result, error) => {
      switch (verdict.kind) {
        case 'won': {
          clearTimeout(timer);
          const now = Date.now();
          for (const loser of verdict.cancel) {
            // Its time so far, a lower bound: the tail the hedge hid stays in the samples.
            hedging.recordLatency(racers[loser].modelId, now - racers[loser].startedAt);
            racers[loser].controller.abort();
          }
          const winner = racers[racer].modelId;
          hedging.recordLatency(winner, Number(result.outcome?.latency));
          hedging.countRace(verdict.hedges, verdict.byHedge, verdict.cancel.length);
          if (verdict.byHedge) delegate.emitEvent('hedge-won', winner, now - startedAt, requestId);
          resolve({ result, modelId: winner });
          return;
        }
        case 'keepWaiting':
          // Reported as an unhedged failure is; its error is not the request's.
          if (error?.outcome) delegate.reportOutcome(error.outcome).catch(() => {});
          return;
        case 'allFailed':
          clearTimeout(timer);
          hedging.countRace(verdict.hedges, false, 0);
          reject(error);
          return;
        default:
          // Over: a loser answering after the race was decided. A stream it opened is closed.
          if (result) racers[racer].controller.abort();
      }
    };

    const hedge = async () => {
      timer = null;
      if (!race.shouldHedge()) return;
      const racing = new Set([...skipped, ...racers.map((racer) => racer.modelId)]);
      const selection = await delegate.selectModel({ skippedModels: racing });
      const hedgeId = selection.modelId ? String(selection.modelId) : null;
      const hedgeModel = hedgeId === null || racing.has(hedgeId) ? null : await delegate.getModel(hedgeId);
      // No other eligible model, or the race ended meanwhile: the request waits as it is.
      if (!hedgeModel || !race.shouldHedge()) return;
      race.hedgeStarted();
      delegate.emitEvent('request-hedged', hedgeId, Date.now() - startedAt, requestId);
      start(hedgeModel, hedgeId);
      if (race.shouldHedge()) timer = setTimeout(runHedge, delay);
    };
    // A selection that throws sends no hedge; the racers already running decide the request.
    const runHedge = () => void hedge().catch(() => {});

    start(model, modelId);
    if (delay !== null && race.shouldHedge()) timer = setTimeout(runHedge, delay);
  });
}

module.exports = { invokeHedged };
