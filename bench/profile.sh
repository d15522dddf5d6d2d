#!/usr/bin/env bash
# profile.sh — where the time of one `journeykit run` goes (issue 7: "a profile").
#
# Prepares compact NDJSON and the pipeline with run_end_to_end.sh --prepare-only, then runs
# one full `journeykit run` (fresh state) under perf (when `perf stat -e instructions true`
# works) or else valgrind --tool=callgrind, and prints: the split by thread (source worker vs
# main/analysis) and library, the top functions by self time, and the inclusive share of each
# phase (parse, plugin→host hand-over, SQLite insert, reload from SQLite, model rules and
# interning, stitching, funnel, connectors).
#
# Usage: bench/profile.sh [--events N] [--build-dir DIR] [--work-dir DIR] [--callgrind]
#                         [--no-build]
#   --events     default 1000000 with perf, 100000 with callgrind (~50x slower)
#   --callgrind  use valgrind even when perf works
#   --no-build   use the binaries already built (passed on to run_end_to_end.sh)
# Environment: NICE (default 10).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${JOURNEYKIT_BENCH_BUILD:-$ROOT/build-bench}"
EVENTS=""
WORK=""
TOOL=perf
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --events) EVENTS="$2"; shift ;;
    --build-dir) BUILD="$2"; shift ;;
    --work-dir) WORK="$2"; shift ;;
    --callgrind) TOOL=callgrind ;;
    --no-build) EXTRA+=(--no-build) ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "profile.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $TOOL == perf ]] && ! perf stat -e instructions true >/dev/null 2>&1; then
  echo "[profile] perf cannot count instructions here; using callgrind" >&2
  TOOL=callgrind
fi
[[ -n "$EVENTS" ]] || { [[ $TOOL == perf ]] && EVENTS=1000000 || EVENTS=100000; }
[[ -n "$WORK" ]] || WORK="$(mktemp -d "${TMPDIR:-/tmp}/jk-profile-XXXXXX")"

"$ROOT/bench/run_end_to_end.sh" --prepare-only --no-readme --scales "$EVENTS" \
  --build-dir "$BUILD" --work-dir "$WORK" "${EXTRA[@]}"
DIR="$WORK/n$EVENTS"
JK="$BUILD/cli/journeykit"
cd "$DIR"
rm -f state.db state.db-wal state.db-shm

# Inclusive share of each phase: function (as perf/callgrind name it; the first, i.e. largest,
# match counts) and what it covers.
PHASES=(
  "kit::FileSourceReader::read_file|source thread: read + parse + hand-over + SQLite insert"
  "EventsFileMapper::map|  parse one NDJSON line and map it (simdjson DOM)"
  "plugin::Host::emit|  plugin -> host: C ABI event structs"
  "PluginInstance::Emit|  host: jk_event -> Event (strings copied)"
  "StateStore::Commit|  SQLite insert (INSERT OR IGNORE + cursor, per 4096 events)"
  "sqlite3WalCheckpoint|    WAL checkpoints (copying pages into the database file)"
  "Pipeline::Impl::AnalyzeStore|analysis (main thread)"
  "StateStore::ForEachEvent|  reload every event from SQLite (includes Append below)"
  "EventStore::Append|  model rules, interning, columns"
  "StringPool::Intern|    interning"
  "JourneyModel::ResolveTouchpoint|    touchpoint rules"
  "JourneyModel::AssignStage|    stage rules"
  "JourneySet::Build|  stitching, per-person sort, stage entries"
  "Sha256Hex|    person ids (SHA-256 of the smallest identity)"
  "ComputeStageFunnel|  stage funnels"
  "Pipeline::Impl::Deliver|connectors"
)

if [[ $TOOL == perf ]]; then
  echo "[profile] perf record (flat, 499 Hz), $EVENTS events" >&2
  nice -n "${NICE:-10}" perf record -q -F 499 -o perf.data -- "$JK" run pipeline.json >run.log 2>&1
  rm -f state.db state.db-wal state.db-shm
  echo "[profile] perf record (DWARF call graphs, 199 Hz)" >&2
  nice -n "${NICE:-10}" perf record -q -F 199 --call-graph dwarf,16384 -o perf-cg.data -- \
    "$JK" run pipeline.json >run-cg.log 2>&1
  echo "== wall and source time (flat run)"; grep -E '^(Source|events) ' run.log
  echo; echo "== by thread (the largest is the source worker, the other the main thread)"
  perf report -i perf.data --stdio -s pid 2>/dev/null | grep -E '^ +[0-9]' | head -4 || true
  echo; echo "== by thread and library"
  perf report -i perf.data --stdio -s pid,dso 2>/dev/null | grep -E '^ +[0-9]' | head -12 || true
  echo; echo "== top functions by self time"
  perf report -i perf.data --stdio -s dso,sym 2>/dev/null | grep -E '^ +[0-9]' | head -30 |
    cut -c1-150 || true
  perf report -i perf-cg.data --stdio --children -s sym 2>/dev/null |
    grep -E '^ +[0-9.]+% +[0-9.]+%' >children.txt || true
  echo; echo "== phases: inclusive share of all samples (call graphs)"
  for p in "${PHASES[@]}"; do
    fn="${p%%|*}" what="${p#*|}"
    share=$(grep -F -- "$fn" children.txt | head -1 | awk '{print $1}' || true)
    printf '  %-8s %s\n' "${share:-0%}" "$what"
  done
else
  echo "[profile] valgrind --tool=callgrind, $EVENTS events (slow)" >&2
  nice -n "${NICE:-10}" valgrind --tool=callgrind --callgrind-out-file=callgrind.out \
    --separate-threads=no "$JK" run pipeline.json >run.log 2>callgrind.err
  callgrind_annotate --inclusive=yes callgrind.out 2>/dev/null >inclusive.txt
  callgrind_annotate callgrind.out 2>/dev/null >self.txt
  total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' self.txt)
  echo "== top functions by self instructions"; grep -E '^ *[0-9,]+ ' self.txt | head -30 | cut -c1-150 || true
  echo; echo "== phases: inclusive share of all instructions"
  for p in "${PHASES[@]}"; do
    fn="${p%%|*}" what="${p#*|}"
    ir=$(grep -F -- "$fn" inclusive.txt | head -1 | awk '{gsub(",", "", $1); print $1}' || true)
    share=$(awk -v a="${ir:-0}" -v t="$total" 'BEGIN { printf "%.1f%%", 100 * a / t }')
    printf '  %-8s %s\n' "$share" "$what"
  done
fi
echo; echo "[profile] data in $DIR" >&2
