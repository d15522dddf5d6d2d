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
# The Matomo, Mailchimp, Google reviews and Trustpilot sources replay committed cassettes
# ($demo/cassettes/, recorded by scripts/record-demo-cassettes.sh): their real plugin code
# runs offline, and these dummy credentials are enough.
source scripts/demo-api-credentials.sh
./build/cli/journeykit run "$demo/pipeline.json"
echo
echo "=== The journey map of the webinar registrants (the segment with the known pain point):"
./build/cli/journeykit map "$demo/pipeline.json" --segment webinar_registrants
./build/cli/journeykit map "$demo/pipeline.json" --format html -o "$demo/out/journey-map.html"
echo
echo "Open $demo/out/journey-map.html in a browser: the journey map of every segment (self-contained, no network)."
echo "Outputs: $demo/out/ (journey-map.html, journey_maps.ndjson, stage_table.csv, journeys.ndjson, events.ndjson, state.db)"
echo "Any segment's map: build/cli/journeykit map $demo/pipeline.json --segment ID [--format json]"
