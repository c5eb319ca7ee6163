#!/usr/bin/env bash
# Installs Debian's redis-server when it is missing: the fleet-state tests (crates/fleet/tests)
# start their own on a free loopback port and fail, never skip, without it.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "redis-server is missing and there is no apt-get: install Redis >= 6 or Valkey (its redis-server) by hand" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo"
fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
# The package starts a system-wide server where systemd runs; the tests do not use it.
command -v redis-server >/dev/null
