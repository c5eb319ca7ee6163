//! Beyond the original: the request machine's part of `failover.backoff` (retry rounds,
//! waits; the rules are [`crate::backoff`]) and the driver's in-flight hold.

use super::{Action, RequestMachine};
use crate::backoff::{BackoffPolicy, Retry, RetryRounds};
use crate::Millis;

impl RequestMachine {
    /// `failover.backoff`, with the request's deadline (Infinity for none): retry rounds
    /// over the models that failed.
    pub fn set_backoff(&mut self, policy: BackoffPolicy, deadline: Millis) {
        self.rounds = Some(RetryRounds::new(policy, deadline));
    }

    /// [`Action::StartRetryRound`]: the time and a draw for the round's delay.
    pub fn retry_round(&mut self, now: Millis, draw: f64) {
        let (Action::StartRetryRound, Some(rounds)) = (&self.next, self.rounds.as_mut()) else {
            return;
        };
        rounds.start_round(&mut self.skipped, now, draw);
        self.next_attempt();
    }

    /// The driver now holds `model_id` in flight (`None`: nothing); returns the model
    /// held before, which the driver releases. Each hold is so released exactly once.
    pub fn hold_in_flight(&mut self, model_id: Option<String>) -> Option<String> {
        std::mem::replace(&mut self.held, model_id)
    }

    /// After `model_id` was selected at `now`: look it up, or first wait for it, or (it
    /// could only be tried past the deadline) pass it over without spending a retry.
    pub(super) fn before_attempt(&mut self, model_id: String, now: Millis) -> Action {
        let retry = self
            .rounds
            .as_ref()
            .map(|rounds| rounds.retry(&model_id, now));
        match retry {
            None | Some(Retry::Now) => Action::GetModel { model_id },
            Some(Retry::After { delay_ms, reason }) => Action::Wait {
                model_id,
                delay_ms,
                reason,
            },
            Some(Retry::PastDeadline) => {
                self.skipped.push(model_id);
                Action::Select {
                    skipped: self.skipped.clone(),
                }
            }
        }
    }

    /// The selection found no model left: another round, or the original's failure.
    pub(super) fn no_model_left(&mut self) -> Action {
        if self
            .rounds
            .as_ref()
            .is_some_and(RetryRounds::may_start_round)
        {
            return Action::StartRetryRound;
        }
        let skipped = self.all_skipped();
        self.phase = super::Phase::Finished;
        Action::FailNoModels { skipped }
    }

    /// The models skipped, earlier retry rounds' included.
    pub(super) fn all_skipped(&self) -> Vec<String> {
        match &self.rounds {
            Some(rounds) => rounds.all_skipped(&self.skipped),
            None => self.skipped.clone(),
        }
    }
}
