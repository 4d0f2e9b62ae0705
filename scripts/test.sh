#!/usr/bin/env bash
# The project's test command: set-up, format check, clippy, then the tests.
# Extra arguments are appended to `cargo test --workspace`
# (e.g. `scripts/test.sh some_test_name` or `scripts/test.sh -- --nocapture`).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/setup.sh

echo "test: cargo fmt --check"
cargo fmt --all -- --check

echo "test: cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

# Does the workspace have a binary target named tack-testkit-stop?
has_stop_bin() {
    cargo metadata --no-deps --format-version 1 2>/dev/null | python3 -c '
import json, sys
meta = json.load(sys.stdin)
sys.exit(0 if any("bin" in t["kind"] and t["name"] == "tack-testkit-stop"
                  for p in meta["packages"] for t in p["targets"]) else 1)
'
}

# Tests fail rather than skip when a server binary or version they need is missing.
export TACK_TEST_STRICT=1
export TACK_TEST_REQUIRE_PG_MAJORS="${TACK_TEST_REQUIRE_PG_MAJORS:-15,18}"

echo "test: cargo test"
status=0
cargo test --workspace "$@" || status=$?

# Stop throwaway PostgreSQL servers the tests started; its failure is ignored,
# and it runs whether or not the tests passed.
if has_stop_bin; then
    cargo run -q -p tack-testkit --bin tack-testkit-stop || echo "test: tack-testkit-stop failed (ignored)" >&2
fi

exit "$status"
