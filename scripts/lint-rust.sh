#!/usr/bin/env bash
# `npm run test:lint`: the tree is rustfmt-clean and clippy-clean, or `npm test` fails.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all --check

# The library crates with everything they build, the emulator's shared test harness included.
cargo clippy --workspace --exclude bedrock-model-multiplexer --all-targets \
  --features bmm-emulator/test-harness -- -D warnings

# The addon as Node loads it: under `cfg(test)` napi-derive registers no exports, so every
# `#[napi]` function would read as dead code there.
cargo clippy -p bedrock-model-multiplexer --lib -- -D warnings
