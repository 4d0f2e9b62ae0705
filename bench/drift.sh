#!/usr/bin/env bash
# Benchmark: introspection plus a drift check of a 5,000-table schema (indexes, constraints,
# foreign keys, comments), tack vs migra (PyPI), on the same server in one run.
#
#   bash bench/drift.sh            # N=5000 tables
#   N=500 RUNS=3 bash bench/drift.sh
#
# Set-up: the schema (bench/gen_schema.py) is applied with `tack apply` to drift_bench_live, so
# tack's history records it; drift_bench_expected gets the same file through psql (migra compares
# two databases). Then drift is made by hand in the live database (an index dropped, a column
# added, a CHECK changed, a function body changed, a view redefined) and each tool compares:
#   tack (cached)  tack drift: introspect live + expected schema from the local cache + diff
#   tack (cold)    tack drift --no-cache: also replays the migrations on a scratch database
#   migra          migra live expected (introspects both databases)
# Wall times are medians of $RUNS runs (cold: one run). Output: bench/out/drift/results.txt.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
N=${N:-5000}
RUNS=${RUNS:-5}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
OUT=$ROOT/bench/out/drift
VENV=$ROOT/bench/out/venv-migra
TACK=$ROOT/target/release/tack
LIVE=drift_bench_live
EXPECTED=drift_bench_expected
url() { echo "postgres://$PGUSER@$PGHOST:$PGPORT/$1"; }
migra_url() { echo "postgresql+psycopg2://$PGUSER@$PGHOST:$PGPORT/$1"; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
now() { date +%s.%N; }

mkdir -p "$OUT/migrations"
cargo build --release -q -p tack
if [ ! -x "$VENV/bin/migra" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check migra psycopg2-binary
fi
export XDG_CACHE_HOME=$OUT/cache
rm -rf "$XDG_CACHE_HOME"

python3 bench/gen_schema.py "$N" > "$OUT/migrations/V1__schema.sql"
cat > "$OUT/migrations/V2__functions.sql" <<'SQL'
CREATE FUNCTION app0.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER t0_touch BEFORE UPDATE ON app0.t0 FOR EACH ROW EXECUTE FUNCTION app0.touch();
CREATE VIEW app0.recent AS SELECT id, code FROM app0.t0 WHERE created_at > now() - interval '1 day';
SQL

for db in $LIVE $EXPECTED; do
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE);" -c "CREATE DATABASE $db;"
done
echo "== apply: $N tables with tack apply" >&2
t0=$(now)
"$TACK" apply "$OUT/migrations" --database-url "$(url $LIVE)" --log-format json > "$OUT/apply.jsonl"
t1=$(now)
echo "== expected database through psql" >&2
for f in "$OUT"/migrations/*.sql; do
  PGOPTIONS="-c synchronous_commit=off" psql -X -q -v ON_ERROR_STOP=1 -d $EXPECTED -f "$f"
done
t2=$(now)

echo "== drift made by hand" >&2
q $LIVE "DROP INDEX app1.t1_created_at_idx;
         ALTER TABLE app2.t2 ADD COLUMN added_by_hand text;
         ALTER TABLE app3.t3 DROP CONSTRAINT t3_amount_check, ADD CONSTRAINT t3_amount_check CHECK (amount > 0);
         CREATE OR REPLACE FUNCTION app0.touch() RETURNS trigger LANGUAGE plpgsql AS \$\$
           BEGIN NEW.created_at := clock_timestamp(); RETURN NEW; END \$\$;
         CREATE OR REPLACE VIEW app0.recent AS SELECT id, code FROM app0.t0 WHERE created_at > now() - interval '2 days';"
tables=$(q $LIVE "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname LIKE 'app%'")
indexes=$(q $LIVE "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'i' AND n.nspname LIKE 'app%'")
constraints=$(q $LIVE "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname LIKE 'app%'")

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
time_it() { # name cmd... ; tack exits 1 when it finds drift, migra 2 when it finds differences
  local t0 t1 rc
  t0=$(now); set +e; "${@:2}" > "$OUT/$1.out" 2> "$OUT/$1.err"; rc=$?; set -e; t1=$(now)
  if [ -s "$OUT/$1.err" ] && grep -q Traceback "$OUT/$1.err" || { [ $rc -ne 0 ] && [ $rc -ne 1 ] && [ $rc -ne 2 ]; }; then
    echo "$1 failed (exit $rc)" >&2; cat "$OUT/$1.err" >&2; exit 1
  fi
  if [ "$1" = migra ] && [ $rc -eq 1 ]; then echo "migra failed" >&2; cat "$OUT/$1.err" >&2; exit 1; fi
  awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.3f\n", a - b }'
}

echo "== tack drift --no-cache (cold: replays the migrations on a scratch database)" >&2
cold=$(time_it tack_cold "$TACK" drift "$OUT/migrations" --database-url "$(url $LIVE)" --no-cache)
tack_diffs=$(grep -c '^[a-z ]*[a-z] [^ ]*: ' "$OUT/tack_cold.out" || true)
echo "== tack drift (cached expected schema), $RUNS runs" >&2
warm=$(for _ in $(seq "$RUNS"); do time_it tack_warm "$TACK" drift "$OUT/migrations" --database-url "$(url $LIVE)"; done | median)
echo "== migra, $RUNS runs" >&2
migra=$(for _ in $(seq "$RUNS"); do time_it migra "$VENV/bin/migra" --unsafe --exclude_schema tack "$(migra_url $LIVE)" "$(migra_url $EXPECTED)"; done | median)
migra_stmts=$(grep -c ';$' "$OUT/migra.out" || true)

{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); PostgreSQL $(q postgres 'SHOW server_version'); $(nproc) cores"
  echo "schema: $tables tables, $indexes indexes, $constraints constraints in 10 schemas"
  printf 'set-up: tack apply of the schema %.1f s; psql of the same files %.1f s\n' \
    "$(awk -v a="$t1" -v b="$t0" 'BEGIN{print a-b}')" "$(awk -v a="$t2" -v b="$t1" 'BEGIN{print a-b}')"
  echo "tack drift (cached expected), median of $RUNS: $warm s"
  echo "tack drift --no-cache (cold), 1 run: $cold s"
  echo "migra, median of $RUNS: $migra s"
  echo "differences: tack reported $(grep -m1 -o '^drift: [0-9]*' "$OUT/tack_warm.out" | grep -o '[0-9]*'), migra wrote $migra_stmts statement(s)"
} | tee "$OUT/results.txt"
if [ -z "${KEEP:-}" ]; then
  for db in $LIVE $EXPECTED; do psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE);"; done
fi
