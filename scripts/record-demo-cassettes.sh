#!/usr/bin/env bash
# Re-records examples/online-school/cassettes/: the demo's Matomo, Mailchimp, Google reviews
# and Trustpilot sources run their real plugin code against the loopback mock APIs of the
# plugin tests, fed with the generator's --api-fixtures records, in http mode "record".
# Two runs are recorded — a first (full) run and an incremental rerun — so that the demo
# replays both a fresh state and every rerun. Review the files before committing them.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${BUILD_DIR:-build}"
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJOURNEYKIT_BUILD_TESTS=ON >/dev/null
cmake --build "$build" --target journeykit online-school-generate online-school-record-cassettes \
  journeykit-plugin-matomo journeykit-plugin-mailchimp journeykit-plugin-google-reviews \
  journeykit-plugin-trustpilot journeykit-plugin-ga4-export journeykit-plugin-events-file \
  journeykit-plugin-files
demo=examples/online-school
fixtures="$(mktemp -d)"
trap 'rm -rf "$fixtures"' EXIT
"$build/examples/online-school/online-school-generate" --out "$demo/data" --api-fixtures "$fixtures"
rm -rf "$demo/cassettes"
# shellcheck source=demo-api-credentials.sh
source scripts/demo-api-credentials.sh
for run in first rerun; do
  flags=(--http-mode record --no-connectors)
  [ "$run" = first ] && flags+=(--full-refresh)
  echo "=== recording the $run run"
  "$build/examples/online-school/online-school-record-cassettes" "$fixtures" -- \
    "$build/cli/journeykit" run "$demo/pipeline.json" "${flags[@]}"
done
echo "Recorded: $(find "$demo/cassettes" -name '*.json' | wc -l) exchanges in $demo/cassettes/"
