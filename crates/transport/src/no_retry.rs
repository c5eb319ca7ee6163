//! Errors no retry can help: the one retry classifier that forbids the SDK's retries
//! where the JS SDK would not retry, or where trying again would only repeat the failure.

use crate::bounds::TooLarge;
use crate::exhaustion;
use crate::source_chain::find_source;
use aws_smithy_runtime_api::client::interceptors::context::{Error, InterceptorContext};
use aws_smithy_runtime_api::client::orchestrator::OrchestratorError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

/// Runs after the SDK's transient-error classifier, which would otherwise retry both
/// kinds of error as failed I/O.
#[derive(Debug)]
pub(crate) struct NoRetryCanHelp;

/// A response that crossed a size bound (a retry fetches the same answer again), or a
/// connection attempt that failed for want of a local resource (the Rust SDK retries
/// every I/O error as transient; the JS SDK's transient codes are ECONNRESET,
/// ECONNREFUSED, EPIPE, ETIMEDOUT and unreachable hosts, not these).
fn no_retry_can_help(error: &OrchestratorError<Error>) -> bool {
    find_source::<TooLarge>(error).is_some()
        || error
            .as_connector_error()
            .and_then(|e| exhaustion::find(e))
            .is_some()
}

impl ClassifyRetry for NoRetryCanHelp {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(error)) if no_retry_can_help(error) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "bmm-transport::NoRetryCanHelp"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::{Bound, TooLarge};
    use aws_smithy_runtime_api::client::interceptors::context::Input;
    use aws_smithy_runtime_api::client::result::ConnectorError;

    fn classify(error: OrchestratorError<Error>) -> RetryAction {
        let mut ctx = InterceptorContext::new(Input::erase(()));
        ctx.set_output_or_error(Err(error));
        NoRetryCanHelp.classify_retry(&ctx)
    }

    fn connect_failure(errno: i32) -> OrchestratorError<Error> {
        OrchestratorError::connector(ConnectorError::io(Box::new(
            std::io::Error::from_raw_os_error(errno),
        )))
    }

    #[test]
    fn forbids_retrying_a_response_over_a_bound() {
        let too_large = TooLarge {
            bound: Bound::ReadBody,
            limit: 1024,
            size: 2048,
        };
        assert_eq!(
            classify(OrchestratorError::response(Box::new(too_large))),
            RetryAction::RetryForbidden
        );
    }

    #[cfg(unix)]
    #[test]
    fn forbids_retrying_a_connect_that_ran_out_of_descriptors() {
        assert_eq!(
            classify(connect_failure(libc::EMFILE)),
            RetryAction::RetryForbidden
        );
    }

    #[cfg(unix)]
    #[test]
    fn leaves_other_failures_to_the_sdk() {
        assert_eq!(
            classify(connect_failure(libc::ECONNRESET)),
            RetryAction::NoActionIndicated
        );
        assert_eq!(
            classify(OrchestratorError::response("socket hang up".into())),
            RetryAction::NoActionIndicated
        );
    }
}
