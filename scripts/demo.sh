#!/usr/bin/env bash
# Demo: build tack and lint the example migrations (they are dangerous on
# purpose). tack exits 0 = clean, 1 = findings with errors, 2 = failure; the
# demo counts 0 and 1 as success. DATABASE_URL, if set, is read by tack itself.
# Extra arguments are passed to `tack lint`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

cargo build --release -p tack

tack="${CARGO_TARGET_DIR:-target}/release/tack"
if [ -n "${DATABASE_URL:-}" ]; then
    echo "demo: DATABASE_URL is set; tack will use it"
fi
echo "demo: $tack lint examples/ $*"

status=0
"$tack" lint examples/ "$@" || status=$?
case "$status" in
    0) echo "demo: ok (exit 0: no errors found; the examples are meant to have some)" ;;
    1) echo "demo: ok (exit 1: tack found the dangerous migrations, as intended)" ;;
    *)
        echo "demo: tack failed with exit $status" >&2
        exit "$status"
        ;;
esac
