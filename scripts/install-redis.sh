#!/usr/bin/env bash
# Installs redis-server when it is missing: Debian's package with apt (the README's machine and
# .ci/run), Alpine's with apk (the CI's musl jobs), Homebrew's on macOS (the CI's macOS runners). The fleet-state tests
# (crates/fleet/tests) start their own on a free loopback port and fail, never skip, without it.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo"
fi
if command -v apt-get >/dev/null 2>&1; then
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
elif command -v apk >/dev/null 2>&1; then
  $sudo apk add --no-cache redis >/dev/null
elif command -v brew >/dev/null 2>&1; then
  brew install redis >/dev/null
else
  echo "redis-server is missing and none of apt-get, apk or brew is here: install Redis >= 6 or Valkey's redis-server by hand" >&2
  exit 1
fi
# Debian's package starts a system-wide server where systemd runs; the tests do not use it.
command -v redis-server >/dev/null
