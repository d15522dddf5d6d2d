#!/usr/bin/env bash
# run_end_to_end.sh — times `journeykit run` on generated compact NDJSON (issue 7 §1).
#
# For each scale (100k and 1M events; 10M with --large): generates the data, writes a
# pipeline (events-file source, state in a temp dir), times a full run with /usr/bin/time -v,
# then appends 1% new events to the same file and times the incremental rerun. Prints a
# table and rewrites the results section of bench/README.md (between the results markers).
#
# Usage: bench/run_end_to_end.sh [--large] [--scales "100000 1000000"] [--connectors]
#                                [--build-dir DIR] [--work-dir DIR] [--keep] [--no-readme]
#                                [--prepare-only] [--no-build] [--analyses full|stage_funnel]
#   --large        also 10M events (~0.8 GB of NDJSON plus a few GB of SQLite state)
#   --connectors   deliver to the files connector too (default: no connector)
#   --build-dir    build tree (default: $JOURNEYKIT_BENCH_BUILD or <repo>/build-bench);
#                  configured (Release, benchmarks on, tests off) and built when needed
#   --work-dir     where data and state go (default: a new temp dir, removed at the end)
#   --keep         keep the work dir
#   --no-readme    print the table only
#   --prepare-only generate the data and pipeline files (<work>/n<N>/), run nothing
#                  (bench/profile.sh uses it)
#   --no-build     use the binaries already in the build tree (do not run cmake/ninja)
#   --analyses     full (default): bench/analyses.json — stage funnel, a 4-step funnel, paths,
#                  attribution with every model, voice, loyalty: the whole map;
#                  stage_funnel: the stage funnel only (the map's minimum; earlier tables)
# Environment: JOBS (ninja -j, default 1), NICE (niceness of the measured runs, default 0).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${JOURNEYKIT_BENCH_BUILD:-$ROOT/build-bench}"
SCALES="100000 1000000"
CONNECTORS=0
WORK=""
KEEP=0
README=1
PREPARE_ONLY=0
BUILD_STEP=1
ANALYSES=full
while [[ $# -gt 0 ]]; do
  case "$1" in
    --large) SCALES="100000 1000000 10000000" ;;
    --scales) SCALES="$2"; shift ;;
    --connectors) CONNECTORS=1 ;;
    --build-dir) BUILD="$2"; shift ;;
    --work-dir) WORK="$2"; shift ;;
    --keep) KEEP=1 ;;
    --no-readme) README=0 ;;
    --prepare-only) PREPARE_ONLY=1; KEEP=1 ;;
    --no-build) BUILD_STEP=0 ;;
    --analyses) ANALYSES="$2"; shift ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "run_end_to_end.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { echo "[e2e] $*" >&2; }
case "$ANALYSES" in
  full|stage_funnel) ;;
  *) echo "run_end_to_end.sh: --analyses is full or stage_funnel, not '$ANALYSES'" >&2; exit 2 ;;
esac

# --- tools ------------------------------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
  log "installing GNU time (/usr/bin/time)"
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get install -y time >/dev/null
fi

# --- build ------------------------------------------------------------------------------
if [[ $BUILD_STEP -eq 1 ]]; then
  if [[ ! -f "$BUILD/CMakeCache.txt" ]]; then
    log "configuring $BUILD (Release)"
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DJOURNEYKIT_BUILD_BENCH=ON \
      -DJOURNEYKIT_BUILD_TESTS=OFF >/dev/null
  fi
  log "building (ninja -j${JOBS:-1})"
  ninja -C "$BUILD" -j"${JOBS:-1}" journeykit journeykit-bench-generate \
    journeykit-plugin-events-file journeykit-plugin-files >/dev/null
fi
if ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt"; then
  log "warning: $BUILD is not a Release build; the numbers will not be comparable"
fi
JK="$BUILD/cli/journeykit"
GEN="$BUILD/bench/journeykit-bench-generate"
for bin in "$JK" "$GEN"; do
  [[ -x "$bin" ]] || { log "$bin is missing: build it (or drop --no-build)"; exit 1; }
done

if [[ -z "$WORK" ]]; then
  WORK="$(mktemp -d "${TMPDIR:-/tmp}/jk-e2e-XXXXXX")"
  [[ $KEEP -eq 1 ]] || trap 'rm -rf "$WORK"' EXIT
else
  mkdir -p "$WORK"
fi
log "work dir $WORK ($(df -h --output=avail "$WORK" | tail -1 | tr -d ' ') free)"

START_MS=1767225600000            # 2026-01-01T00:00:00Z, the generator's default
APPEND_START_MS=$((START_MS + 90 * 86400000))  # the day after the 90-day window

# The benchmark model (bench/model.json, also used by the micro-benchmarks): 10 touchpoints,
# 7 stages, 3 segments.
MODEL=$(cat "$ROOT/bench/model.json")
if [[ $ANALYSES == full ]]; then
  ANALYSES_JSON=$(cat "$ROOT/bench/analyses.json")
else
  ANALYSES_JSON='[{"type": "stage_funnel"}]'
fi

write_pipeline() {  # dir
  local dir="$1" connectors="[]"
  if [[ $CONNECTORS -eq 1 ]]; then
    connectors='[{"name": "out", "plugin": "files", "config": {"directory": "out"}}]'
  fi
  cat >"$dir/pipeline.json" <<EOF
{
  "version": 1,
  "description": "run_end_to_end.sh: compact NDJSON from journeykit-bench-generate",
  "state": {"path": "state.db"},
  "on_bad_record": "fail",
  "sources": [
    {"name": "events", "plugin": "events-file",
     "config": {"path": "events.ndjson", "format": "ndjson",
                "time_field": "ts", "time_format": "epoch_ms", "action_field": "action",
                "identity_fields": {"user_id": "user_id"},
                "hint_fields": {"channel": "channel"},
                "value_field": "revenue"}}
  ],
  "model": $MODEL,
  "analyses": $ANALYSES_JSON,
  "connectors": $connectors
}
EOF
}

# Runs `journeykit run` under /usr/bin/time -v; sets WALL, MAXRSS_KB, USER_S, SYS_S, SRC_S.
timed_run() {  # dir label
  local dir="$1" label="$2"
  local tv="$dir/time-$label.txt" out="$dir/run-$label.log"
  if ! (cd "$dir" && nice -n "${NICE:-0}" /usr/bin/time -v -o "$tv" "$JK" run pipeline.json \
          >"$out" 2>&1); then
    log "journeykit run failed ($label):"; tail -20 "$out" >&2; exit 1
  fi
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
           n = split($2, p, ":"); s = 0; for (i = 1; i <= n; ++i) s = s * 60 + p[i]; print s }' "$tv")
  MAXRSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
  USER_S=$(awk -F': ' '/User time/ {print $2}' "$tv")
  SYS_S=$(awk -F': ' '/System time/ {print $2}' "$tv")
  SRC_S=$(awk '$1 == "events" && $2 == "events-file" {print $NF}' "$out")
  NEW=$(awk '$1 == "events" && $2 == "events-file" {print $4}' "$out")
}

fmt() { awk -v x="$1" -v f="$2" 'BEGIN { printf f, x }'; }

ROWS=()
for N in $SCALES; do
  dir="$WORK/n$N"
  rm -rf "$dir"; mkdir -p "$dir"
  log "generating $N events"
  "$GEN" --events "$N" --format compact --out "$dir/events.ndjson" >&2
  BYTES=$(stat -c %s "$dir/events.ndjson")
  write_pipeline "$dir"
  if [[ $PREPARE_ONLY -eq 1 ]]; then log "prepared $dir"; continue; fi

  log "full run, $N events"
  timed_run "$dir" full
  F_WALL=$WALL F_RSS=$MAXRSS_KB F_USER=$USER_S F_SYS=$SYS_S F_SRC=$SRC_S F_NEW=$NEW
  [[ "$F_NEW" == "$N" ]] || { log "expected $N new events, the run stored $F_NEW"; exit 1; }
  DB_BYTES=$(( $(stat -c %s "$dir/state.db") + $(stat -c %s "$dir/state.db-wal" 2>/dev/null || echo 0) ))

  INC=$((N / 100))
  log "appending $INC events (1%) and rerunning"
  "$GEN" --events "$INC" --format compact --seed 2 --start-ms "$APPEND_START_MS" --days 1 \
    --out "$dir/append.ndjson" >&2
  cat "$dir/append.ndjson" >>"$dir/events.ndjson"
  timed_run "$dir" incremental
  [[ "$NEW" == "$INC" ]] || { log "expected $INC new events on the rerun, got $NEW"; exit 1; }
  I_WALL=$WALL I_SRC=$SRC_S I_RSS=$MAXRSS_KB

  ROWS+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' \
    "$N" \
    "$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')" \
    "$(fmt "$F_WALL" '%.2f')" \
    "$(fmt "$F_SRC" '%.2f')" \
    "$(awk -v w="$F_WALL" -v s="$F_SRC" 'BEGIN { printf "%.2f", w - s }')" \
    "$(awk -v n="$N" -v w="$F_WALL" 'BEGIN { printf "%.0f", n / w }')" \
    "$(awk -v b="$BYTES" -v w="$F_WALL" 'BEGIN { printf "%.1f", b / w / 1e6 }')" \
    "$(awk -v u="$F_USER" -v s="$F_SYS" -v w="$F_WALL" 'BEGIN { printf "%.2f", (u + s) / w }')" \
    "$(awk -v k="$F_RSS" 'BEGIN { printf "%.0f", k / 1024 }')" \
    "$(awk -v k="$F_RSS" -v n="$N" 'BEGIN { printf "%.0f", k * 1024 / n }')" \
    "$(awk -v b="$DB_BYTES" -v n="$N" 'BEGIN { printf "%.0f", b / n }')" \
    "$(fmt "$I_WALL" '%.2f') ($(fmt "$I_SRC" '%.2f') src, $(awk -v k="$I_RSS" 'BEGIN { printf "%.0f", k / 1024 }') MB)" \
    "$(awk -v i="$I_WALL" -v f="$F_WALL" 'BEGIN { printf "%.0f%%", 100 * i / f }')")")
  log "done: $N events, full ${F_WALL}s (sources ${F_SRC}s), peak RSS ${F_RSS} kB, +1% ${I_WALL}s"
done

[[ $PREPARE_ONLY -eq 1 ]] && exit 0

# --- the report -------------------------------------------------------------------------
CPU=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]]; then COMMIT="$COMMIT (+ uncommitted changes)"; fi
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
REPORT="$WORK/results.md"
{
  echo "- Machine: $(nproc) cores, $CPU, $MEM RAM, $(uname -sr); shared with other builds"
  echo "  (load average at the end: $LOAD) — compare ratios within one run, not absolute times."
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT; Release build (-O3), g++ $(g++ -dumpfullversion 2>/dev/null || echo '?')."
  echo "- Input: compact NDJSON from journeykit-bench-generate (seed 7); the rerun appends 1% new events"
  echo "  (seed 2, the day after the window). Connectors: $([[ $CONNECTORS -eq 1 ]] && echo 'files' || echo 'none'); runs at nice ${NICE:-0}."
  if [[ $ANALYSES == full ]]; then
    echo "- Analyses: bench/analyses.json (stage funnel, 4-step funnel, paths, attribution with six models,"
    echo "  voice, loyalty) for everyone and each of the 3 segments: the whole map."
  else
    echo "- Analyses: the stage funnel only (--analyses stage_funnel)."
  fi
  echo "- Columns: *sources s* = the source's own time (read, parse, SQLite commit; on a first run also"
  echo "  appending each committed event to the in-memory store) from the run's"
  echo "  summary; *analysis + rest* = wall minus that (loading the event snapshot or SQLite, model rules,"
  echo "  stitching, the maps, printing); RSS from /usr/bin/time -v (max resident set size)."
  echo
  echo "| events | input MB | full run s | sources s | analysis + rest s | events/s | MB/s | CPU/wall | peak RSS MB | RSS B/event | state.db B/event | +1% rerun s | +1% / full |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"
  printf '%s\n' "${ROWS[@]}"
} >"$REPORT"
cat "$REPORT"

if [[ $README -eq 1 ]]; then
  python3 - "$ROOT/bench/README.md" "$REPORT" <<'PY'
import sys, pathlib
readme, report = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).read_text()
start, end = "<!-- results:start -->", "<!-- results:end -->"
text = readme.read_text() if readme.exists() else "# JourneyKit benchmarks\n"
block = f"{start}\n{report.rstrip()}\n{end}"
if start in text and end in text:
    head, rest = text.split(start, 1)
    text = head + block + rest.split(end, 1)[1]
else:
    text = text.rstrip() + "\n\n## End-to-end results\n\n" + block + "\n"
readme.write_text(text)
PY
  log "results written to bench/README.md"
fi
