#!/usr/bin/env bash
# Installs dependencies, builds everything with warnings as errors, and runs the whole test
# suite with ctest. BUILD_DIR and CMAKE_ARGS may be set to build another configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build="${BUILD_DIR:-build}"
# shellcheck disable=SC2086
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" -DJOURNEYKIT_WERROR=ON ${CMAKE_ARGS:-}
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)"
