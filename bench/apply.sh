#!/usr/bin/env bash
# Benchmark: add a NOT NULL uuid column filled with gen_random_uuid() to pgbench_accounts under a
# live pgbench workload, four ways:
#   naive    ALTER TABLE … ADD COLUMN tracking_id uuid NOT NULL DEFAULT gen_random_uuid()
#   update   ADD COLUMN (nullable); SET DEFAULT; one UPDATE of the whole table; SET NOT NULL
#   tack     tack apply <dir> --log-format json
#   reshape  reshape (crates.io) add_column with up = gen_random_uuid(), nullable = false
# Each scenario gets a fresh database (pgbench -i -s $SCALE -q), a CHECKPOINT, then pgbench
# -c 4 -j 2 -P 1 --log starts $LEAD seconds before the change and is stopped $TAIL seconds after.
# Results: bench/out/apply/<scenario>.json, summarised by bench/apply_report.py, which rewrites the
# apply-bench section of docs/BENCHMARKS.md.
#
#   bash bench/apply.sh                 # all scenarios, scale 50 (5M rows)
#   SCALE=10 bash bench/apply.sh        # 1M rows
#   SCENARIOS="tack reshape" bash bench/apply.sh
set -uo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
SCALE=${SCALE:-50}
SCENARIOS=${SCENARIOS:-"naive update tack reshape"}
LEAD=${LEAD:-5}
TAIL=${TAIL:-2}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
OUT=$ROOT/bench/out/apply
mkdir -p "$OUT"
PGBENCH=$(command -v pgbench || echo /usr/lib/postgresql/15/bin/pgbench)
TACK=$ROOT/target/release/tack
RESHAPE=${RESHAPE:-$(command -v reshape || echo /opt/tack/reshape/bin/reshape)}
TABLE=pgbench_accounts

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }

if [[ " $SCENARIOS " == *" tack "* ]]; then
  cargo build --release -q -p tack || { echo "tack build failed" >&2; exit 2; }
fi
if [[ " $SCENARIOS " == *" reshape "* ]] && [ ! -x "$RESHAPE" ]; then
  # reshape from crates.io into a root of its own, so it never shadows anything on PATH.
  RESHAPE=/opt/tack/reshape/bin/reshape
  if [ ! -x "$RESHAPE" ]; then
    echo "== installing reshape from crates.io into /opt/tack/reshape" >&2
    cargo install -q --locked reshape --root /opt/tack/reshape || { echo "reshape install failed" >&2; exit 2; }
  fi
fi

date -u '+%Y-%m-%d %H:%M UTC' > "$OUT/date.txt"
cut -d' ' -f1-3 /proc/loadavg > "$OUT/loadavg_start.txt"
echo "$SCALE" > "$OUT/scale.txt"

run_change() { # scenario db -> runs the change, writes $OUT/$s.change.log
  local s=$1 db=$2 url="postgres://$PGUSER@$PGHOST:$PGPORT/$2"
  case $s in
    naive)
      q "$db" "ALTER TABLE $TABLE ADD COLUMN tracking_id uuid NOT NULL DEFAULT gen_random_uuid();"
      ;;
    update)
      local t0 t1 t2 t3
      q "$db" "ALTER TABLE $TABLE ADD COLUMN tracking_id uuid;" || return 1
      q "$db" "ALTER TABLE $TABLE ALTER COLUMN tracking_id SET DEFAULT gen_random_uuid();" || return 1
      t0=$(now)
      q "$db" "UPDATE $TABLE SET tracking_id = gen_random_uuid();" || return 1
      t1=$(now)
      q "$db" "ALTER TABLE $TABLE ALTER COLUMN tracking_id SET NOT NULL;" || return 1
      t2=$(now)
      echo "{\"update_seconds\": $(sub $t1 $t0), \"set_not_null_seconds\": $(sub $t2 $t1)}" > "$OUT/$s.extra.json"
      ;;
    tack)
      local dir=$OUT/tack_migrations
      rm -rf "$dir"; mkdir -p "$dir"
      echo "ALTER TABLE $TABLE ADD COLUMN tracking_id uuid NOT NULL DEFAULT gen_random_uuid();" \
        > "$dir/V1__add_tracking_id.sql"
      "$TACK" apply "$dir" --database-url "$url" --log-format json > "$OUT/$s.events.jsonl"
      ;;
    reshape)
      local dir=$OUT/reshape_migrations
      rm -rf "$dir"; mkdir -p "$dir"
      cat > "$dir/1_add_tracking_id.toml" <<EOF
[[actions]]
type = "add_column"
table = "$TABLE"
up = "gen_random_uuid()"

  [actions.column]
  name = "tracking_id"
  type = "UUID"
  nullable = false
EOF
      local t0 t1 t2
      t0=$(now)
      "$RESHAPE" migration start --url "$url?sslmode=disable" --dirs "$dir" || return 1
      t1=$(now)
      "$RESHAPE" migration complete --url "$url?sslmode=disable" || return 1
      t2=$(now)
      echo "{\"start_seconds\": $(sub $t1 $t0), \"complete_seconds\": $(sub $t2 $t1)}" > "$OUT/$s.extra.json"
      ;;
  esac
}

for s in $SCENARIOS; do
  db=apply_bench_$s
  echo "== $s: preparing $db (scale $SCALE)" >&2
  rm -f "$OUT/$s".* "$OUT/pgbench_$s".*
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE);" -c "CREATE DATABASE $db;"
  "$PGBENCH" -i -s "$SCALE" -q "$db" 2> "$OUT/$s.init.log" || { echo "pgbench -i failed" >&2; continue; }
  q "$db" "CREATE EXTENSION IF NOT EXISTS pgcrypto;" 2>/dev/null  # gen_random_uuid is core in 13+
  q "$db" "CHECKPOINT;"
  cut -d' ' -f1-3 /proc/loadavg > "$OUT/$s.loadavg"

  (cd "$OUT" && exec "$PGBENCH" -c 4 -j 2 -T 3600 -P 1 -n --log --log-prefix "pgbench_$s" "$db" \
     > "$OUT/$s.pgbench.out" 2> "$OUT/$s.pgbench.err") &
  pgb=$!
  sleep 1
  lsn_lead=$(q "$db" "SELECT pg_current_wal_lsn();"); tl0=$(now)
  sleep "$LEAD"
  lsn0=$(q "$db" "SELECT pg_current_wal_lsn();")
  t0=$(now)
  echo "== $s: change starts" >&2
  run_change "$s" "$db" > "$OUT/$s.change.log" 2>&1
  rc=$?
  t1=$(now)
  lsn1=$(q "$db" "SELECT pg_current_wal_lsn();")
  echo "== $s: change done rc=$rc in $(sub $t1 $t0) s" >&2
  sleep "$TAIL"
  kill -TERM "$pgb" 2>/dev/null; wait "$pgb" 2>/dev/null
  wal=$(q "$db" "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')::bigint;")
  wal_lead=$(q "$db" "SELECT pg_wal_lsn_diff('$lsn0', '$lsn_lead')::bigint;")
  check=$(q "$db" "SELECT count(*) FILTER (WHERE tracking_id IS NULL) || ' ' || count(DISTINCT tracking_id) || ' ' || count(*) FROM $TABLE;" 2>/dev/null)
  notnull=$(q "$db" "SELECT attnotnull FROM pg_attribute WHERE attrelid = '$TABLE'::regclass AND attname = 'tracking_id';" 2>/dev/null)
  cat > "$OUT/$s.json" <<EOF
{"scenario": "$s", "scale": $SCALE, "rc": $rc, "start": $t0, "end": $t1,
 "wal_bytes": ${wal:-null}, "lead_wal_bytes": ${wal_lead:-null}, "lead_seconds": $(sub $t0 $tl0),
 "check": "$check", "attnotnull": "$notnull", "loadavg": "$(cat "$OUT/$s.loadavg")"}
EOF
  echo "== $s: $(cat "$OUT/$s.json" | tr -d '\n')" >&2
  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE);"
done

cut -d' ' -f1-3 /proc/loadavg > "$OUT/loadavg_end.txt"
python3 bench/apply_report.py "$OUT" docs/BENCHMARKS.md
