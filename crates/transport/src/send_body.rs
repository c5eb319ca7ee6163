//! Sends the body `request_writer` wrote (the JS SDK's bytes) in place of the one the Rust
//! SDK serialised. The body rides in a task-local scoped around the call (as `observe`
//! does for its records) and a client-level interceptor swaps it in before the retry loop:
//! once per call, before SigV4 signing (so the signed payload hash is of these bytes), and
//! every attempt resends it from the orchestrator's checkpoint.

use aws_sdk_bedrockruntime::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_types::body::SdkBody;
use bytes::Bytes;
use std::future::Future;

tokio::task_local! {
    static BODY: Bytes;
}

/// Runs `call` (one SDK call) sending `body` as its request body.
pub(crate) async fn sending<F: Future>(body: Bytes, call: F) -> F::Output {
    BODY.scope(body, call).await
}

/// Puts the scoped body (if any) and its `Content-Length` on the request.
#[derive(Debug)]
pub(crate) struct SendWrittenBody;

impl Intercept for SendWrittenBody {
    fn name(&self) -> &'static str {
        "bmm-transport::SendWrittenBody"
    }

    fn modify_before_retry_loop(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // Outside a Transport call (someone else's use of the client) the SDK's body stays.
        let Ok(body) = BODY.try_with(Bytes::clone) else {
            return Ok(());
        };
        let request = context.request_mut();
        request
            .headers_mut()
            .try_insert("content-length", body.len().to_string())?;
        *request.body_mut() = SdkBody::from(body);
        Ok(())
    }
}
