#!/usr/bin/env bash
# The lint demo (`bash scripts/demo.sh --lint`): lint the example migrations (dangerous on purpose)
# against a database that holds
# the example schema with realistic data, so tack's verdicts use real catalog facts (sizes,
# column types, constraints) and give duration estimates.
#
# With DATABASE_URL set, tack reads that database (read-only) and nothing is created.
# Without it, a throwaway database is made on the test kit's server (the local PostgreSQL, or a
# cluster started from the installed server binaries), loaded with examples/schema.sql and
# ~300k rows, linted against, and dropped. Then the same files are linted offline, to show what
# tack assumes without a connection.
# tack exits 0 = no errors, 1 = errors found, 2 = failure; the demo counts 0 and 1 as success.
# Extra arguments are passed to `tack lint`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "demo: set-up (scripts/setup.sh)"
bash scripts/setup.sh
# cargo prints each crate it compiles: the first builds take several minutes.
echo "demo: building tack (release) and the test kit's server helper (cargo's progress follows)"
cargo build --release -p tack
cargo build -p tack-testkit --bins
target="${CARGO_TARGET_DIR:-target}"
tack="$target/release/tack"

run_lint() {
    local status=0
    "$tack" lint "$@" || status=$?
    case "$status" in
        0 | 1) ;;
        *)
            echo "demo: tack failed with exit $status" >&2
            exit "$status"
            ;;
    esac
}

if [ -n "${DATABASE_URL:-}" ]; then
    echo "demo: linting examples/migrations against DATABASE_URL (read-only)"
    run_lint examples/migrations "$@"
    exit 0
fi

admin=$("$target/debug/tack-testkit-server")
db="tack_demo_$$"
url="${admin%/*}/$db"
cleanup() { psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; }
trap cleanup EXIT

echo "demo: creating $db with examples/schema.sql and 300k orders…"
psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null
psql -q -v ON_ERROR_STOP=1 "$url" -f examples/schema.sql >/dev/null
psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null <<'SQL'
INSERT INTO accounts (email) SELECT 'user' || g || '@example.com' FROM generate_series(1, 20000) g;
INSERT INTO orders (account_id, total, status, shipping_address)
SELECT 1 + g % 20000, (g % 500) + 0.99, 'new', g || ' Main Street'
FROM generate_series(1, 300000) g;
ANALYZE;
SQL

echo
echo "== tack lint examples/migrations --database-url <throwaway database> =="
echo
run_lint --database-url "$url" examples/migrations "$@"

echo
echo "== the same, offline (tack --offline --pg-version 15): what it assumes without a connection =="
echo
run_lint --offline --pg-version 15 examples/migrations "$@"
