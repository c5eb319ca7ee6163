//! The Rust SDK pointed at an emulator.

use crate::server::EmulatorHandle;
use aws_sdk_bedrockruntime::config::{BehaviorVersion, Builder, Credentials, Region};

/// An SDK config for `emu` in us-east-1 with the emulator's access key and `secret`; the
/// caller adds its HTTP client (and retries) and builds.
pub fn sdk_config(emu: &EmulatorHandle, secret: &str) -> Builder {
    aws_sdk_bedrockruntime::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(emu.endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIDEMULATOR",
            secret,
            None,
            None,
            "tests",
        ))
}
