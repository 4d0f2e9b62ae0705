#!/usr/bin/env bash
# Prove the generated corpus is valid PostgreSQL: create a scratch database,
# apply every file in order with ON_ERROR_STOP, then drop the database.
# Usage: bench/verify_corpus.sh [corpus-dir]   (default bench/out/corpus)
# Connection: PGHOST/PGPORT/PGUSER as usual (default 127.0.0.1:5432, postgres).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

corpus=${1:-bench/out/corpus}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
db="tack_corpus_check_$$"

psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE $db" >/dev/null
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT

n=0
for f in "$corpus"/*.sql; do
    # ON_ERROR_STOP catches errors; a WARNING (e.g. COMMIT without BEGIN) is
    # a corpus bug too.
    if ! out=$(psql -X -q -d "$db" -v ON_ERROR_STOP=1 -f "$f" 2>&1 >/dev/null) ||
        grep -q 'WARNING' <<<"$out"; then
        printf 'verify_corpus: %s failed:\n%s\n' "$f" "$out" >&2
        exit 1
    fi
    n=$((n + 1))
done
echo "verify_corpus: applied $n files to a scratch PostgreSQL database without error"
