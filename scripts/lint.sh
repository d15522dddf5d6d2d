#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy) over the SDK, CLI, plugins and connectors using the build's
# compile_commands.json. Usage: scripts/lint.sh [build-dir]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json: run scripts/test.sh first"; exit 2; }
files=$(git ls-files 'sdk/src/*.cpp' 'cli/*.cpp' 'connectors/*.cpp' 'plugins/*.cpp')
out=$(echo "$files" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet \
        --extra-arg=-Wno-unknown-warning-option 2>/dev/null | grep -E "(warning|error):" | sort -u || true)
if [ -n "$out" ]; then
  echo "$out"
  echo "clang-tidy: $(echo "$out" | wc -l) finding(s)"
  exit 1
fi
echo "clang-tidy: no findings in $(echo "$files" | wc -l) files"
