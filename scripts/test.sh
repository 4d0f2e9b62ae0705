#!/usr/bin/env bash
# The project's test command: set-up, format check, then one build that is both clippy (with
# -D warnings) and the test build, then the tests.
# Extra arguments are appended to `cargo test --workspace`
# (e.g. `scripts/test.sh some_test_name` or `scripts/test.sh -- --nocapture`).
#
# Why one build: `cargo clippy` is `cargo check` with clippy-driver as the workspace's compiler.
# Checking produces metadata only, so every dependency was compiled twice (once checked for
# clippy, once built for the tests; measured on a clean target dir: 144 s of clippy, then 257 s
# of test build). Here clippy-driver is the workspace's compiler for the test build itself: the
# same lints, the same -D warnings, and the artifacts the tests run — dependencies are compiled
# once, by rustc. Without clippy-driver, it falls back to clippy then test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf 'test: %s\n' "$*"; }

step "set-up (scripts/setup.sh)"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

# clippy-driver of the active toolchain, when it can be found.
clippy_driver() {
    local driver
    if command -v rustup >/dev/null 2>&1 && driver=$(rustup which clippy-driver 2>/dev/null); then
        echo "$driver"
    elif driver=$(command -v clippy-driver); then
        echo "$driver"
    else
        return 1
    fi
}

if driver=$(clippy_driver) && "$driver" --version >/dev/null 2>&1; then
    # What `cargo clippy -- -D warnings` sets (cargo-clippy joins its arguments with this
    # separator), exported so that every cargo command below reuses the same artifacts.
    export RUSTC_WORKSPACE_WRAPPER="$driver"
    export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
    step "build the tests with clippy -D warnings (one build; cargo's progress follows)"
    cargo test --workspace --no-run
else
    step "clippy-driver not found: cargo clippy, then a separate test build"
    cargo clippy --workspace --all-targets -- -D warnings
    step "build the tests (cargo's progress follows)"
    cargo test --workspace --no-run
fi

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

step "cargo test"
status=0
cargo test --workspace "$@" || status=$?

# Stop throwaway PostgreSQL servers the tests started; its failure is ignored,
# and it runs whether or not the tests passed.
if has_stop_bin; then
    step "stopping the throwaway PostgreSQL servers the tests started"
    cargo run -q -p tack-testkit --bin tack-testkit-stop || echo "test: tack-testkit-stop failed (ignored)" >&2
fi

exit "$status"
