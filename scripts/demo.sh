#!/usr/bin/env bash
# The main job: `tack demo`. It starts a throwaway PostgreSQL from the installed server binaries
# (as an unprivileged user when run as root), loads a 1M-row table, runs a concurrent read/write
# workload, and shows side by side the naive statements (a volatile-default ADD COLUMN made NOT
# NULL, and an index) and `tack apply` of the same migration: the workload's longest stall and
# p99 latency, and the total time of each. It cleans up after itself.
#
#   bash scripts/demo.sh                 # the apply demo (extra arguments go to `tack demo`)
#   bash scripts/demo.sh --lint          # the lint demo: examples/migrations against a database
#                                        # with the example schema (see scripts/demo-lint.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ "${1:-}" = "--lint" ]; then
    shift
    exec bash scripts/demo-lint.sh "$@"
fi

echo "demo: set-up (scripts/setup.sh)"
bash scripts/setup.sh
# cargo prints each crate it compiles: the first release build takes several minutes.
echo "demo: building tack (release; cargo's progress follows)"
cargo build --release -p tack
echo "demo: running tack demo"
exec "${CARGO_TARGET_DIR:-target}/release/tack" demo "$@"
