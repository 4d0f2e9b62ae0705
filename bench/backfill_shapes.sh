#!/usr/bin/env bash
# Benchmark: the shape of one backfill batch, server-side, no workload — what docs/BENCHMARKS.md's
# notes on the apply benchmark quote. A 1M-row pgbench_accounts (scale 10); each variant fills a
# new uuid column with gen_random_uuid() for every row, in committed batches of 10,000 keys (a
# procedure, so no client round trips count), after VACUUM FULL and CHECKPOINT:
#   join          UPDATE … FROM (SELECT aid … ORDER BY aid LIMIT n) batch WHERE aid = batch.aid
#   range         find the batch's last key, then UPDATE … WHERE aid > lo AND aid <= hi   (tack)
#   range+trigger the same with tack's temporary trigger, entered for every row (no WHEN)
#   range+when    the same with the trigger's WHEN (current_setting('tack.backfill') …)   (tack)
#   one-update    a single UPDATE of the whole table, for reference
#
#   bash bench/backfill_shapes.sh            # RUNS=3 (median), SCALE=10
set -euo pipefail
cd "$(dirname "$0")/.."
SCALE=${SCALE:-10}
RUNS=${RUNS:-3}
DB=bench_backfill_shapes
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
q() { psql -X -q -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
pgbench -i -s "$SCALE" -q "$DB" 2>/dev/null
q <<'SQL'
CREATE OR REPLACE FUNCTION fill() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('tack.backfill', true), '') = 'on' THEN RETURN NEW; END IF;
  IF NEW.c IS NULL THEN NEW.c := gen_random_uuid(); END IF;
  RETURN NEW;
END $$;
CREATE PROCEDURE backfill_range() LANGUAGE plpgsql AS $$
DECLARE lo int := 0; hi int;
BEGIN
  PERFORM set_config('tack.backfill', 'on', false);
  LOOP
    SELECT max(aid) INTO hi FROM (SELECT aid FROM pgbench_accounts WHERE aid > lo ORDER BY aid LIMIT 10000) s;
    EXIT WHEN hi IS NULL;
    UPDATE pgbench_accounts SET c = gen_random_uuid() WHERE aid > lo AND aid <= hi AND c IS NULL;
    lo := hi;
    COMMIT;
  END LOOP;
END $$;
CREATE PROCEDURE backfill_join() LANGUAGE plpgsql AS $$
DECLARE lo int := 0; hi int;
BEGIN
  PERFORM set_config('tack.backfill', 'on', false);
  LOOP
    WITH batch AS (SELECT aid FROM pgbench_accounts WHERE aid > lo ORDER BY aid LIMIT 10000),
         updated AS (UPDATE pgbench_accounts a SET c = gen_random_uuid() FROM batch
                     WHERE a.aid = batch.aid AND a.c IS NULL RETURNING 1)
    SELECT max(aid) INTO hi FROM batch;
    EXIT WHEN hi IS NULL;
    lo := hi;
    COMMIT;
  END LOOP;
END $$;
SQL

run() { # variant -> seconds
  local v=$1 t0 t1
  q -c "ALTER TABLE pgbench_accounts DROP COLUMN IF EXISTS c" -c "DROP TRIGGER IF EXISTS t ON pgbench_accounts" \
    -c "VACUUM FULL pgbench_accounts" -c "ALTER TABLE pgbench_accounts ADD COLUMN c uuid" -c "CHECKPOINT" >/dev/null
  case $v in
    range+trigger) q -c "CREATE TRIGGER t BEFORE INSERT OR UPDATE ON pgbench_accounts FOR EACH ROW EXECUTE FUNCTION fill()" ;;
    range+when) q -c "CREATE TRIGGER t BEFORE INSERT OR UPDATE ON pgbench_accounts FOR EACH ROW WHEN (current_setting('tack.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION fill()" ;;
  esac
  t0=$(date +%s.%N)
  case $v in
    join) q -c "SET synchronous_commit = off" -c "CALL backfill_join()" ;;
    one-update) q -c "UPDATE pgbench_accounts SET c = gen_random_uuid()" ;;
    *) q -c "SET synchronous_commit = off" -c "CALL backfill_range()" ;;
  esac
  t1=$(date +%s.%N)
  [ "$(q -At -c "SELECT count(*) FROM pgbench_accounts WHERE c IS NULL")" = 0 ] || { echo "$v left NULLs" >&2; exit 1; }
  awk -v a="$t1" -v b="$t0" 'BEGIN { printf "%.2f\n", a - b }'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); PostgreSQL $(q -At -c 'SHOW server_version'); $(nproc) cores; $((SCALE * 100000)) rows; median of $RUNS"
for v in join range range+trigger range+when one-update; do
  printf '%-14s %s s\n' "$v" "$(for _ in $(seq "$RUNS"); do run "$v"; done | median)"
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"
