#!/usr/bin/env bash
# The demo: installs dependencies, builds, generates the online-school data and runs its
# pipeline, which delivers to loopback receivers standing in for HubSpot, Mailchimp, a webhook
# endpoint and ClickHouse. Prints the run, what the receivers got and a journey map; outputs
# land in examples/online-school/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
demo=examples/online-school
./build/examples/online-school/online-school-generate --out "$demo/data"
# The Matomo, Mailchimp, Google reviews and Trustpilot sources replay committed cassettes
# ($demo/cassettes/, recorded by scripts/record-demo-cassettes.sh): their real plugin code
# runs offline, and these dummy credentials are enough. The connectors deliver to
# online-school-receivers, which accepts the same credentials on the JK_DEMO_*_URL addresses.
source scripts/demo-api-credentials.sh
# A fresh start: the receivers begin empty, so the state (delivery positions) does too.
rm -rf "$demo/out"
mkdir -p "$demo/out"
ready="$demo/out/receivers.ready"
rm -f "$ready"
./build/examples/online-school/online-school-receivers --ready-file "$ready" --dump "$demo/out/received" &
receivers=$!
trap 'kill "$receivers" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -e "$ready" ] && break
  kill -0 "$receivers" 2>/dev/null || { wait "$receivers" || true; echo "the demo receivers did not start" >&2; exit 1; }
  sleep 0.1
done
[ -e "$ready" ] || { echo "the demo receivers did not start within 60 s" >&2; exit 1; }
status=0
./build/cli/journeykit run "$demo/pipeline.json" || status=$?
echo
kill -TERM "$receivers"
receivers_status=0
wait "$receivers" || receivers_status=$?
[ "$status" -ne 0 ] || status=$receivers_status  # 3: a receiver saw a request the service would refuse
trap - EXIT
rm -f "$ready"
[ "$status" -eq 0 ] || { echo "journeykit run exited $status" >&2; exit "$status"; }
echo
echo "=== The journey map of the webinar registrants (the segment with the known pain point):"
./build/cli/journeykit map "$demo/pipeline.json" --segment webinar_registrants
./build/cli/journeykit map "$demo/pipeline.json" --format html -o "$demo/out/journey-map.html"
echo
echo "Open $demo/out/journey-map.html in a browser: the journey map of every segment (self-contained, no network)."
echo "Outputs: $demo/out/ (journey-map.html, journey_maps.ndjson, stage_table.csv, journeys.ndjson, events.ndjson, state.db and its event snapshot state.db.events, received/)"
echo "Any segment's map: source scripts/demo-api-credentials.sh; build/cli/journeykit map $demo/pipeline.json --segment ID [--format json]"
