#!/usr/bin/env bash
# The demo: installs dependencies, builds, generates the online-school data and runs its
# pipeline. Prints the stage table; outputs land in examples/online-school/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
demo=examples/online-school
./build/examples/online-school/online-school-generate --out "$demo/data"
./build/cli/journeykit run "$demo/pipeline.json"
echo
echo "Outputs: $demo/out/ (stage_table.csv, journeys.ndjson, events.ndjson, state.db)"
