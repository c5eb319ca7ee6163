#!/usr/bin/env bash
# Cross-builds the release addon for aarch64-unknown-linux-gnu on an x86_64 Debian 12
# (bookworm) host and packs it into npm/linux-arm64-gnu/. rustup cannot download
# other targets' standard libraries here (only package registries are reachable), so
# this uses Debian's own Rust (rustc-web/cargo-web, 1.96) with its arm64 standard
# library, and Debian's cross gcc for the C parts (ring, mimalloc) and the final link.
# Usage: npm run build:arm64
set -euo pipefail
cd "$(dirname "$0")/.."

readonly TARGET=aarch64-unknown-linux-gnu
readonly PACKAGE_DIR=npm/linux-arm64-gnu
readonly BINARY=bedrock-model-multiplexer.linux-arm64-gnu.node
readonly PACKAGES=(rustc-web cargo-web libstd-rust-web-dev:arm64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu file)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_toolchain() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep -qx installed || missing+=("$package")
  done
  [ "${#missing[@]}" -eq 0 ] && return
  echo "build-arm64: installing ${missing[*]} with apt"
  dpkg --print-foreign-architectures | grep -qx arm64 || as_root dpkg --add-architecture arm64
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

cross_build() {
  # Debian's cargo and rustc by full path: a rustup toolchain earlier in PATH has no
  # aarch64 standard library. A target dir of its own keeps the host build warm.
  RUSTC=/usr/bin/rustc \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
  AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar \
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    /usr/bin/cargo build --release --locked --lib \
      --package bedrock-model-multiplexer \
      --target "$TARGET" --target-dir "target/$TARGET"
}

pack_and_check() {
  cp "target/$TARGET/$TARGET/release/libbedrock_model_multiplexer.so" "$PACKAGE_DIR/$BINARY"
  file "$PACKAGE_DIR/$BINARY"
  file -b "$PACKAGE_DIR/$BINARY" | grep -q 'ELF 64-bit LSB shared object, ARM aarch64' ||
    { echo "build-arm64: $PACKAGE_DIR/$BINARY is not an aarch64 shared object" >&2; exit 1; }
  # Node finds the addon through this symbol when it loads the file.
  aarch64-linux-gnu-readelf --dyn-syms --wide "$PACKAGE_DIR/$BINARY" | grep -w napi_register_module_v1 ||
    { echo "build-arm64: $PACKAGE_DIR/$BINARY does not export napi_register_module_v1" >&2; exit 1; }
}

started=$SECONDS
install_toolchain
cross_build
pack_and_check
echo "build-arm64: $PACKAGE_DIR/$BINARY built in $((SECONDS - started)) s"
