#!/usr/bin/env bash
# Configures and builds irsa-webhook. Usage: scripts/build.sh [BUILD_DIR] [cmake args…]
# Default: build/ in Release, giving build/irsa-webhook.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true
jobs=$(nproc 2>/dev/null || echo 2)

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build_dir" -j "$jobs"
