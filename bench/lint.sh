#!/usr/bin/env bash
# Lint benchmark: tack vs squawk on a generated corpus of >= 5,000 statements
# in 100 files. Installs what it needs (squawk-cli in bench/out/venv, hyperfine
# via apt), builds tack (release), generates the corpus, runs hyperfine for
# wall time and bench/measure_cpu.py for CPU time, then bench/report.py
# rewrites the "tack lint vs squawk" section of docs/BENCHMARKS.md.
#
# Environment (all optional):
#   RUNS=30 WARMUP=3      timed runs / warm-up runs per tool
#   SQUAWK_VERSION=2.70.0 squawk-cli version to install
#   VERIFY=1              also apply the corpus to PostgreSQL (bench/verify_corpus.sh)
#   TACK_CMD='...'        testing only: measure this command in place of tack,
#                         e.g. "find bench/out/corpus -name *.sql -exec cat {} +"
#                         (commands are split like a shell would, but not globbed)
#                         (skips the build; the report is marked "not a result")
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

RUNS=${RUNS:-30}
WARMUP=${WARMUP:-3}
SQUAWK_VERSION=${SQUAWK_VERSION:-2.70.0}
OUT=bench/out
CORPUS=$OUT/corpus
VENV=$OUT/venv

log() { printf 'lint-bench: %s\n' "$*" >&2; }

SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)

mkdir -p "$OUT"

# squawk (a native binary shipped in the squawk-cli wheel)
if ! "$VENV/bin/squawk" --version 2>/dev/null | grep -qx "squawk $SQUAWK_VERSION"; then
    log "installing squawk-cli==$SQUAWK_VERSION into $VENV"
    [ -x "$VENV/bin/pip" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "squawk-cli==$SQUAWK_VERSION"
fi

if ! command -v hyperfine >/dev/null 2>&1; then
    log "installing hyperfine"
    "${SUDO[@]}" apt-get update -qq >/dev/null
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 ||
        { log "apt-get install hyperfine failed"; exit 1; }
fi

standin=""
if [ -n "${TACK_CMD:-}" ]; then
    tack_cmd=$TACK_CMD
    standin=$TACK_CMD
    tack_version="tack (stand-in: $TACK_CMD)"
    log "TACK_CMD set: measuring '$TACK_CMD' in place of tack"
else
    log "building tack (release)"
    cargo build --release -q -p tack
    tack_bin="${CARGO_TARGET_DIR:-target}/release/tack"
    tack_cmd="$tack_bin lint --pg-version 15 $CORPUS --format json"
    tack_version=$("$tack_bin" --version 2>/dev/null || echo "tack (unknown version)")
fi
# squawk expands the quoted glob itself (hyperfine runs it without a shell).
squawk_cmd="$VENV/bin/squawk --pg-version=15.0 --reporter json '$CORPUS/*.sql'"

python3 bench/gen_corpus.py --out "$CORPUS" --stats "$OUT/corpus-stats.json"
if [ "${VERIFY:-0}" = 1 ]; then
    bash bench/verify_corpus.sh "$CORPUS"
fi

# One checked run of each (exit 1 = findings; anything above is a failure that
# hyperfine's --ignore-failure would otherwise hide).
python3 bench/measure_cpu.py --check-only "tack=$tack_cmd" "squawk=$squawk_cmd"

load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || true)
log "hyperfine: $WARMUP warm-up + $RUNS runs per tool"
hyperfine -N --ignore-failure --style basic --warmup "$WARMUP" --runs "$RUNS" \
    --export-json "$OUT/lint.json" \
    -n tack "$tack_cmd" \
    -n squawk "$squawk_cmd"

log "CPU time: $RUNS interleaved runs per tool"
python3 bench/measure_cpu.py --runs "$RUNS" --warmup 1 --out "$OUT/cpu.json" \
    "tack=$tack_cmd" "squawk=$squawk_cmd"

python3 bench/report.py --hyperfine "$OUT/lint.json" --cpu "$OUT/cpu.json" \
    --stats "$OUT/corpus-stats.json" --doc docs/BENCHMARKS.md \
    --standin "$standin" --load "$load_before" \
    --version "$tack_version" \
    --version "squawk-cli $("$VENV/bin/squawk" --version | awk '{print $2}')" \
    --version "$(hyperfine --version)"
