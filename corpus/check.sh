#!/usr/bin/env bash
# corpus/check.sh — apply each corpus to a fresh PostgreSQL database the way its
# own tool would, with psql, then undo it and check that nothing is left.
#
#   corpus/check.sh [-k] [-v] [-p] [-a|-u] [-d PREFIX | -D NAME] [corpus ...]
#
#   corpora  goose dbmate golang-migrate diesel sqlx sqlx-reversible flyway
#            (default: all of them)
#   -k       keep the corpus_check_<name> databases (schema as after Up)
#   -v       print the history table after the Up phase
#   -p       only print each corpus's plan (version, file, transactional) and
#            compare it with manifest.json; no database is touched
#   -u       only the Up phase: apply every migration (recording the history
#            table) and keep the database — the reference schema a test
#            compares `tack apply` with
#   -d PFX   name the databases PFX<name> instead of corpus_check_<name>
#   -D NAME  use the database NAME (dropped and re-created; one corpus only)
#   -a       adoption set-up: apply only the migrations up to the corpus's
#            "applied_up_to" in manifest.json (Flyway: then the repeatable
#            ones), recording them in the history table, and keep the
#            database; the remaining files are the pending ones (needs jq)
#
# Connection: PGHOST / PGPORT / PGUSER (default 127.0.0.1, 5432, postgres).
# Databases used: corpus_check_<name> (dropped and re-created).
#
# For every corpus the script
#   1. finds the migrations and their order from the files, with the tool's own
#      rules (not from manifest.json), and checks manifest.json agrees
#      (versions, order, transactional flag, Flyway/sqlx checksums) when jq
#      is installed;
#   2. creates the tool's history table and runs every Up part in order, in the
#      tool's transaction mode and with the tool's statement splitting (see
#      "How each tool sends SQL" below), recording each migration in the
#      history table the way the tool does;
#   3. dumps the schema (pg_dump --schema-only);
#   4. runs every Down part in reverse order (not for sqlx simple migrations,
#      which have none), then checks the history table holds only what the tool
#      leaves behind and that no table, view, sequence, type or function is
#      left (extension members excepted);
#   5. runs the Up parts a second time and checks the schema dump is identical
#      to the first one (so the Down parts really removed everything).
#
# How each tool sends SQL (see README.md for the sources):
#   goose           splits the section into statements itself (a line whose last
#                   word ends in ';' ends a statement, StatementBegin/End blocks
#                   are one statement) and sends each statement on its own;
#                   BEGIN/COMMIT around the file unless "-- +goose NO TRANSACTION".
#   flyway          splits the script into statements and sends each on its own;
#                   one transaction per script unless executeInTransaction=false
#                   in <script>.conf or the script holds statements that cannot
#                   run in a transaction (CREATE/DROP INDEX CONCURRENTLY, ...).
#   dbmate, diesel, send the whole section/file as ONE simple-protocol query.
#   sqlx,           With a transaction: BEGIN; <query>; <bookkeeping>; COMMIT.
#   golang-migrate  Without one, PostgreSQL still runs a query string holding
#                   several statements as one implicit transaction, so a
#                   CONCURRENTLY statement must be alone in its file.
#                   golang-migrate never opens a transaction itself.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -o /dev/null)
ALL=(goose dbmate golang-migrate diesel sqlx sqlx-reversible flyway)

KEEP=0 VERBOSE=0 PLAN_ONLY=0 ADOPT=0 UP_ONLY=0 DB_PREFIX=corpus_check_ DB_NAME=
while getopts kvpaud:D: opt; do
  case $opt in
    D) DB_NAME=$OPTARG ;;
    a) ADOPT=1 KEEP=1 ;;
    u) UP_ONLY=1 KEEP=1 ;;
    d) DB_PREFIX=$OPTARG ;;
    k) KEEP=1 ;;
    v) VERBOSE=1 ;;
    p) PLAN_ONLY=1 ;;
    *) sed -n '2,25p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
CORPORA=("$@")
if [[ -n $DB_NAME && ${#CORPORA[@]} -ne 1 ]]; then echo "-D NAME takes exactly one corpus" >&2; exit 2; fi
[[ ${#CORPORA[@]} -gt 0 ]] || CORPORA=("${ALL[@]}")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/corpus-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'echo "FAIL [${CORPUS:-}]: ${STEP:-setup} (line $LINENO)" >&2' ERR

die() { echo "FAIL [$CORPUS]: $*" >&2; exit 1; }
say() { echo "[$CORPUS] $*"; }
lit() { printf "'%s'" "${1//\'/\'\'}"; }            # SQL string literal
sql() { "${PSQL[@]}" -d "$DB" "$@"; }               # run psql against the corpus db
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$DB" -c "$1"; }  # query, print result

# ---------------------------------------------------------------------------
# Ways of sending SQL
# ---------------------------------------------------------------------------

# run_query TX TEXT [BOOKKEEPING...]: TEXT as one simple-protocol query (psql -c
# sends its argument unchanged in one Query message), then each bookkeeping
# statement; TX=1 wraps all of it in BEGIN/COMMIT (psql -1).
run_query() {
  local tx=$1 text=$2; shift 2
  local args=(-c "$text") s
  for s in "$@"; do args+=(-c "$s"); done
  if [[ $tx == 1 ]]; then sql -1 "${args[@]}"; else sql "${args[@]}"; fi
}

# run_script TX FILE [BOOKKEEPING...]: psql splits FILE into statements and sends
# them one by one (what Flyway does).
run_script() {
  local tx=$1 file=$2; shift 2
  local args=(-f "$file") s
  for s in "$@"; do args+=(-c "$s"); done
  if [[ $tx == 1 ]]; then sql -1 "${args[@]}"; else sql "${args[@]}"; fi
}

# run_statements TX DIR [BOOKKEEPING...]: every file in DIR is one statement, sent
# as its own query (what goose does after splitting).
run_statements() {
  local tx=$1 dir=$2; shift 2
  local args=() f s
  for f in "$dir"/*; do [[ -e $f ]] && args+=(-c "$(cat "$f")"); done
  for s in "$@"; do args+=(-c "$s"); done
  [[ ${#args[@]} -gt 0 ]] || return 0
  if [[ $tx == 1 ]]; then sql -1 "${args[@]}"; else sql "${args[@]}"; fi
}

# ---------------------------------------------------------------------------
# goose
# ---------------------------------------------------------------------------

# goose_split FILE up|down OUTDIR: write the statements goose would send, one per
# file, following pressly/goose internal/sqlparser/parser.go.
goose_split() {
  rm -rf "$3"; mkdir -p "$3"
  gawk -v dir="$2" -v out="$3" '
    function ends_semicolon(l,   n, w, i, prev) {
      n = split(l, w, /[ \t]+/); prev = ""
      for (i = 1; i <= n; i++) { if (w[i] == "") continue; if (w[i] ~ /^--/) break; prev = w[i] }
      return prev ~ /;$/
    }
    function emit(s,   i, f) {
      i = 0; if (match(s, /.*;/)) s = substr(s, 1, RLENGTH)   # drop text after the last ;
      f = sprintf("%s/%04d.sql", out, ++count); printf "%s", s > f; close(f)
    }
    BEGIN { state = "start"; buf = "" }
    {
      line = $0; sub(/\r$/, "", line)
      if (state == "start" && line ~ /^[ \t]*$/) next
      if (line ~ /^--/) {
        cmd = tolower(line); sub(/^--[ \t]*/, "", cmd); sub(/[ \t]+$/, "", cmd)
        if (cmd == "+goose up")   { state = "up"; next }
        if (cmd == "+goose down") { state = "down"; next }
        if (cmd == "+goose statementbegin") { state = (state ~ /^up/) ? "upbegin" : "downbegin"; next }
        if (cmd == "+goose statementend")   { state = (state == "upbegin") ? "upend" : "downend" }
        if (cmd == "+goose no transaction") next
      }
      if (buf == "") { t = line; sub(/^[ \t]+/, "", t); if (t ~ /^--/ || line == "") next }
      if (state != "upend" && state != "downend") buf = buf line "\n"
      d = (state ~ /^up/) ? "up" : "down"
      if (d != dir) { buf = ""; if (state ~ /end$/) state = d; next }
      if (state == "up" || state == "down") {
        if (ends_semicolon(line)) { emit(buf); buf = "" }
      } else if (state == "upend" || state == "downend") {
        emit(buf); buf = ""; state = (state == "upend") ? "up" : "down"
      }
    }
    END { if (buf ~ /[^ \t\n]/) { print "goose: unfinished statement: " buf > "/dev/stderr"; exit 1 } }
  ' "$1"
}

goose_tx() { grep -qiE '^--[[:space:]]*\+goose[[:space:]]+NO TRANSACTION[[:space:]]*$' "$1" && echo 0 || echo 1; }

goose_discover() {  # version <TAB> file <TAB> transactional
  local f b
  for f in "$ROOT"/*.sql; do
    b=$(basename "$f")
    [[ $b =~ ^([0-9]+)_.*\.sql$ ]] || continue
    printf '%d\t%s\t%s\n' "$((10#${BASH_REMATCH[1]}))" "$f" "$(goose_tx "$f")"
  done | sort -n -k1,1
}
goose_init() {
  sql -c 'CREATE TABLE goose_db_version (
            id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
            version_id bigint NOT NULL,
            is_applied boolean NOT NULL,
            tstamp timestamp NOT NULL DEFAULT now())' \
      -c 'INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true)'
}
goose_up() {
  goose_split "$2" up "$WORK/stmts"
  run_statements "$3" "$WORK/stmts" "INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)"
}
goose_down() {
  goose_split "$2" down "$WORK/stmts"
  run_statements "$3" "$WORK/stmts" "DELETE FROM goose_db_version WHERE version_id = $1"
}
goose_left() { echo "SELECT count(*) = 1 AND bool_and(version_id = 0) FROM goose_db_version"; }
goose_history() { echo goose_db_version; }

# ---------------------------------------------------------------------------
# dbmate
# ---------------------------------------------------------------------------

# dbmate_section FILE up|down: the block dbmate executes, directive line included
# (pkg/dbmate/migration.go: up block = from "-- migrate:up" to "-- migrate:down").
dbmate_section() {
  gawk -v want="$2" '
    /^--[ \t]*migrate:up([ \t]*$|[ \t]+[^ \t])/ && !u { u = 1; cur = "up" }
    /^--[ \t]*migrate:down([ \t]*$|[ \t]+[^ \t]+[ \t]*$)/ && !d { d = 1; cur = "down" }
    cur == want { print }
  ' "$1"
}
dbmate_tx() {  # transactional unless the directive line says transaction:false
  dbmate_section "$1" "$2" | head -n1 | grep -qE '(^|[[:space:]])transaction:false([[:space:]]|$)' && echo 0 || echo 1
}
dbmate_discover() {
  local f b
  for f in "$ROOT"/*.sql; do
    b=$(basename "$f")
    [[ $b =~ ^([0-9]+).*\.sql$ ]] || continue
    printf '%s\t%s\t%s\n' "${BASH_REMATCH[1]}" "$f" "$(dbmate_tx "$f" up)"
  done | LC_ALL=C sort -t$'\t' -k2,2   # dbmate sorts by file name
}
dbmate_init() { sql -c 'create table if not exists public.schema_migrations (version varchar primary key)'; }
dbmate_up() {
  run_query "$3" "$(dbmate_section "$2" up)" "insert into public.schema_migrations (version) values ('$1')"
}
dbmate_down() {
  run_query "$(dbmate_tx "$2" down)" "$(dbmate_section "$2" down)" "delete from public.schema_migrations where version = '$1'"
}
dbmate_left() { echo "SELECT count(*) = 0 FROM schema_migrations"; }
dbmate_history() { echo schema_migrations; }

# ---------------------------------------------------------------------------
# golang-migrate
# ---------------------------------------------------------------------------

# A file is "transactional" when it runs inside a transaction block: it has
# several statements (implicit block) or its own BEGIN. A lone statement is not.
statement_count() {
  # Good enough for these files: ';' only appears inside $$ bodies, and those
  # bodies are dropped before counting.
  gawk 'BEGIN { RS = "\0" } {
          s = gensub(/--[^\n]*/, "", "g"); s = gensub(/\$\$.*\$\$/, "", "g", s)
          n = gsub(/;/, ";", s); if (s ~ /[^; \t\n][ \t\n]*$/) n++; print n }' "$1"
}
gm_tx() { [[ $(statement_count "$1") -gt 1 ]] && echo 1 || echo 0; }
gm_discover() {
  local f b
  for f in "$ROOT"/*.up.sql; do
    b=$(basename "$f")
    [[ $b =~ ^([0-9]+)_(.*)\.up\.(.*)$ ]] || continue
    printf '%d\t%s\t%s\n' "$((10#${BASH_REMATCH[1]}))" "$f" "$(gm_tx "$f")"
  done | sort -n -k1,1
}
gm_init() { sql -c 'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null)'; }
gm_set_version() {  # database/postgres/postgres.go SetVersion
  local ins=()
  if [[ $1 -ge 0 || ( $1 == -1 && $2 == true ) ]]; then
    ins=(-c "INSERT INTO \"public\".\"schema_migrations\" (version, dirty) VALUES ($1, $2)")
  fi
  sql -1 -c 'TRUNCATE "public"."schema_migrations"' "${ins[@]}"
}
gm_up() {
  gm_set_version "$1" true
  run_query 0 "$(cat "$2")"
  gm_set_version "$1" false
}
gm_down() {  # target version = the one before, -1 (nil) for the first
  local target=${GM_PREV_OF[$1]}
  gm_set_version "$target" true
  run_query 0 "$(cat "${2%.up.sql}.down.sql")"
  gm_set_version "$target" false
}
gm_left() { echo 'SELECT count(*) = 0 FROM "public"."schema_migrations"'; }
gm_history() { echo schema_migrations; }

# ---------------------------------------------------------------------------
# diesel
# ---------------------------------------------------------------------------

# diesel_migrations: TomlMetadata { #[serde(default)] run_in_transaction: bool }
# is read from metadata.toml when present (unwrap_or_default => true when the
# file is missing or does not parse). Note the serde default: a metadata.toml
# that parses but lacks the key means run_in_transaction = false.
diesel_tx() {
  local m=$1/metadata.toml v
  [[ -f $m ]] || { echo 1; return; }
  v=$(sed -nE 's/^[[:space:]]*run_in_transaction[[:space:]]*=[[:space:]]*(true|false)[[:space:]]*(#.*)?$/\1/p' "$m" | tail -n1)
  case $v in true) echo 1 ;; *) echo 0 ;; esac
}
diesel_discover() {
  local d b
  for d in "$ROOT"/*/; do
    d=${d%/}; b=$(basename "$d")
    [[ $b == .* || ! -f $d/up.sql ]] && continue
    v=${b%%_*}; v=${v//-/}
    printf '%s\t%s\t%s\n' "$v" "$d" "$(diesel_tx "$d")"
  done | LC_ALL=C sort -t$'\t' -k1,1   # MigrationVersion compares as a string
}
diesel_init() { sql -c 'CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)'; }
diesel_up() { run_query "$3" "$(cat "$2/up.sql")" "INSERT INTO __diesel_schema_migrations (version) VALUES ('$1')"; }
diesel_down() { run_query "$3" "$(cat "$2/down.sql")" "DELETE FROM __diesel_schema_migrations WHERE version = '$1'"; }
diesel_left() { echo "SELECT count(*) = 0 FROM __diesel_schema_migrations"; }
diesel_history() { echo __diesel_schema_migrations; }

# ---------------------------------------------------------------------------
# sqlx (simple and reversible)
# ---------------------------------------------------------------------------

sqlx_tx() { [[ $(head -c 17 "$1") == "-- no-transaction" ]] && echo 0 || echo 1; }  # sql.starts_with("-- no-transaction")
sqlx_discover() {  # <VERSION>_<DESCRIPTION>.sql; .up.sql / .down.sql reversible
  local f b
  for f in "$ROOT"/*.sql; do
    b=$(basename "$f")
    [[ $b =~ ^([0-9]+)_(.+\.sql)$ ]] || continue
    [[ $b == *.down.sql ]] && continue
    printf '%d\t%s\t%s\n' "$((10#${BASH_REMATCH[1]}))" "$f" "$(sqlx_tx "$f")"
  done | sort -n -k1,1
}
sqlx_desc() {  # remove the type suffix, '_' -> ' '
  local b; b=$(basename "$1"); b=${b#*_}
  case $b in *.up.sql) b=${b%.up.sql} ;; *.down.sql) b=${b%.down.sql} ;; *) b=${b%.sql} ;; esac
  echo "${b//_/ }"
}
sqlx_init() { sql -c 'CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),
    success BOOLEAN NOT NULL,
    checksum BYTEA NOT NULL,
    execution_time BIGINT NOT NULL)'; }
sqlx_up() {
  local sum; sum=$(sha384sum "$2" | cut -d' ' -f1)
  run_query "$3" "$(cat "$2")" \
    "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
     VALUES ($1, $(lit "$(sqlx_desc "$2")"), TRUE, '\\x$sum', -1)"
  sql -c "UPDATE _sqlx_migrations SET execution_time = 1000000 WHERE version = $1"
}
sqlx_down() {
  local down=${2%.up.sql}.down.sql
  [[ $2 == *.up.sql && -f $down ]] || die "no down file for $2"
  run_query "$(sqlx_tx "$down")" "$(cat "$down")" "DELETE FROM _sqlx_migrations WHERE version = $1"
}
sqlx_left() { echo "SELECT count(*) = 0 FROM _sqlx_migrations"; }
sqlx_history() { echo _sqlx_migrations; }

# ---------------------------------------------------------------------------
# Flyway
# ---------------------------------------------------------------------------

# Statements PostgreSQLParser.detectCanExecuteInTransaction marks as
# non-transactional (ALTER TYPE ... ADD VALUE only on PostgreSQL < 12).
FLYWAY_NONTX='^[[:space:]]*((CREATE|DROP)[[:space:]]+(UNIQUE[[:space:]]+)?INDEX[[:space:]]+CONCURRENTLY|(CREATE|DROP)[[:space:]]+(DATABASE|TABLESPACE|SUBSCRIPTION)|ALTER[[:space:]]+SYSTEM|REINDEX([[:space:]]+VERBOSE)?[[:space:]]+(SCHEMA|DATABASE|SYSTEM)|VACUUM|DISCARD[[:space:]]+ALL)'
flyway_tx() {
  local conf=$1.conf v
  if [[ -f $conf ]]; then
    v=$(sed -nE 's/^[[:space:]]*executeInTransaction[[:space:]]*=[[:space:]]*(true|false)[[:space:]]*$/\1/p' "$conf" | tail -n1)
    [[ $v == false ]] && { echo 0; return; }
    [[ $v == true ]] && { echo 1; return; }
  fi
  grep -qiE "$FLYWAY_NONTX" "$1" && echo 0 || echo 1
}
flyway_key() {  # 1.10.2 -> 000000000001.000000000010.000000000002 (numeric part order)
  local IFS=. p out=()
  for p in $1; do out+=("$(printf '%012d' "$((10#$p))")"); done
  echo "${out[*]}"
}
flyway_discover() {  # V<version>__<desc>.sql by version, then R__<desc>.sql by description
  local f b v
  for f in "$ROOT"/V*__*.sql; do
    b=$(basename "$f"); v=${b#V}; v=${v%%__*}; v=${v//_/.}
    printf '%s\t%s\t%s\t%s\n' "$(flyway_key "$v")" "$v" "$f" "$(flyway_tx "$f")"
  done | LC_ALL=C sort -t$'\t' -k1,1 | cut -f2-
  for f in "$ROOT"/R__*.sql; do
    [[ -e $f ]] || continue
    b=$(basename "$f"); b=${b#R__}; b=${b%.sql}
    printf 'R:%s\t%s\t%s\n' "${b//_/ }" "$f" "$(flyway_tx "$f")"
  done | LC_ALL=C sort -t$'\t' -k1,1
}
flyway_checksum() {  # CRC32 over the lines without their line breaks, BOM removed
  perl -MCompress::Zlib -e 'local $/; open my $fh, "<", $ARGV[0] or die; my $s = <$fh>;
    $s =~ s/^\xEF\xBB\xBF//; my $c = crc32(join "", split /\r\n|\r|\n/, $s);
    $c -= 2**32 if $c >= 2**31; print $c' "$1"
}
flyway_init() {
  sql -c 'CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL)' \
    -c 'ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")' \
    -c 'CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success")'
  FLYWAY_RANK=0
}
flyway_up() {
  local b desc ver
  b=$(basename "$2")
  if [[ $1 == R:* ]]; then ver=NULL; desc=${1#R:}
  else ver=$(lit "$1"); desc=${b#*__}; desc=${desc%.sql}; desc=${desc//_/ }; fi
  FLYWAY_RANK=$((FLYWAY_RANK + 1))
  run_script "$3" "$2" "INSERT INTO \"public\".\"flyway_schema_history\"
      (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
      VALUES ($FLYWAY_RANK, $ver, $(lit "$desc"), 'SQL', $(lit "$b"), $(flyway_checksum "$2"), current_user, 0, true)"
}
flyway_down() {  # Teams undo: U<version>__<desc>.sql; repeatable migrations have none
  [[ $1 == R:* ]] && return 0
  local u b; b=$(basename "$2"); u=$(dirname "$2")/U${b#V}
  [[ -f $u ]] || die "no undo script for $b"
  run_script "$(flyway_tx "$u")" "$u"
}
flyway_left() { echo 'SELECT true'; }   # undo bookkeeping (UNDO_SQL rows) is not simulated
flyway_history() { echo flyway_schema_history; }

# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

LEFTOVERS_SQL="
SELECT kind || ' ' || name FROM (
  SELECT 'relation' AS kind, n.nspname || '.' || c.relname AS name, c.oid, 'pg_class'::regclass AS cls
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname !~ '^pg_(toast|temp)'
  UNION ALL
  SELECT 'type', n.nspname || '.' || t.typname, t.oid, 'pg_type'::regclass
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
     AND n.nspname !~ '^pg_(toast|temp)'
     AND t.typrelid = 0 AND t.typcategory <> 'A'
  UNION ALL
  SELECT 'function', n.nspname || '.' || p.proname, p.oid, 'pg_proc'::regclass
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
  UNION ALL
  SELECT 'schema', nspname, oid, 'pg_namespace'::regclass
    FROM pg_namespace
   WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
     AND nspname !~ '^pg_(toast|temp)'
) o
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d
                   WHERE d.classid = o.cls AND d.objid = o.oid AND d.deptype = 'e')
ORDER BY 1"

corpus_setup() {  # sets ROOT and TOOL for $CORPUS
  case $CORPUS in
    goose)           TOOL=goose;  ROOT=$HERE/goose ;;
    dbmate)          TOOL=dbmate; ROOT=$HERE/dbmate/db/migrations ;;
    golang-migrate)  TOOL=gm;     ROOT=$HERE/golang-migrate/migrations ;;
    diesel)          TOOL=diesel; ROOT=$HERE/diesel/migrations ;;
    sqlx)            TOOL=sqlx;   ROOT=$HERE/sqlx/migrations ;;
    sqlx-reversible) TOOL=sqlx;   ROOT=$HERE/sqlx-reversible/migrations ;;
    flyway)          TOOL=flyway; ROOT=$HERE/flyway/sql ;;
    *) echo "unknown corpus: $CORPUS" >&2; exit 2 ;;
  esac
  DB=${DB_NAME:-${DB_PREFIX}${CORPUS//-/_}}
}

check_manifest() {  # compare discovered order, flags and checksums with manifest.json
  local plan=$1 want got
  command -v jq >/dev/null || { say "jq not installed: manifest not cross-checked"; return 0; }
  [[ -f $HERE/manifest.json ]] || { say "no manifest.json: not cross-checked"; return 0; }
  want=$(jq -r --arg c "$CORPUS" '.corpora[] | select(.name == $c) | .migrations[]
                 | "\(.version // ("R:" + .description))\t\(.transactional)\t\(.checksum // .checksum_sha384 // "")"' \
           "$HERE/manifest.json")
  got=$(while IFS=$'\t' read -r v key tx; do
          sum=
          case $TOOL in
            flyway) sum=$(flyway_checksum "$key") ;;
            sqlx)   sum=$(sha384sum "$key" | cut -d' ' -f1) ;;
          esac
          printf '%s\t%s\t%s\n' "$v" "$([[ $tx == 1 ]] && echo true || echo false)" "$sum"
        done < "$plan")
  [[ -n $want ]] || die "corpus missing from manifest.json"
  if [[ $want != "$got" ]]; then
    diff <(echo "$want") <(echo "$got") >&2 || true
    die "manifest.json disagrees with the files (< manifest, > files)"
  fi
}

apply_up() {
  local v key tx
  while IFS=$'\t' read -r v key tx; do
    STEP="Up of ${key#"$HERE"/}"
    "${TOOL}_up" "$v" "$key" "$tx"
  done < "$1"
  STEP=
}

apply_down() {
  local v key tx
  while IFS=$'\t' read -r v key tx; do
    STEP="Down of ${key#"$HERE"/}"
    "${TOOL}_down" "$v" "$key" "$tx"
  done < <(tac "$1")
  STEP=
}

dump() { pg_dump --schema-only --no-owner --no-privileges -d "$DB" | grep -vE '^(--|\\(un)?restrict )' ; }

check_corpus() {
  CORPUS=$1; corpus_setup
  local plan=$WORK/$CORPUS.plan n has_down=1 left
  "${TOOL}_discover" > "$plan"
  n=$(wc -l < "$plan")
  [[ $n -gt 0 ]] || die "no migrations found in $ROOT"
  check_manifest "$plan"
  if [[ $PLAN_ONLY == 1 ]]; then
    awk -F'\t' -v h="$HERE/" '{ sub(h, "", $2); printf "%-16s %-70s %s\n", $1, $2, ($3 == 1 ? "tx" : "no-tx") }' "$plan"
    return 0
  fi
  [[ $CORPUS == sqlx ]] && has_down=0

  if [[ $TOOL == gm ]]; then  # the version each down migrates to
    declare -gA GM_PREV_OF=(); local prev=-1 v _
    while IFS=$'\t' read -r v _ _; do GM_PREV_OF[$v]=$prev; prev=$v; done < "$plan"
  fi

  psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" 2>/dev/null
  "${TOOL}_init"

  if [[ $ADOPT == 1 ]]; then
    local upto
    upto=$(jq -r --arg c "$CORPUS" '.corpora[] | select(.name == $c) | .applied_up_to' "$HERE/manifest.json")
    awk -F'\t' -v u="$upto" '!done || $1 ~ /^R:/ { print } $1 == u { done = 1 }' "$plan" > "$plan.adopt"
    apply_up "$plan.adopt"
    [[ $VERBOSE == 1 ]] && psql -X -d "$DB" -c "TABLE $("${TOOL}_history")"
    say "adoption set-up in database $DB: $(wc -l < "$plan.adopt") of $n applied (up to $upto), $((n - $(wc -l < "$plan.adopt"))) pending"
    return 0
  fi

  apply_up "$plan"
  if [[ $UP_ONLY == 1 ]]; then
    say "applied: $n migrations up, in database $DB"
    return 0
  fi
  dump > "$WORK/$CORPUS.up1.sql"
  if [[ $VERBOSE == 1 ]]; then
    psql -X -d "$DB" -c "TABLE $("${TOOL}_history")"
  fi

  if [[ $has_down == 1 ]]; then
    apply_down "$plan"
    [[ $(q "$("${TOOL}_left")") == t ]] || die "history table not back to its initial state"
    sql -c "DROP TABLE $("${TOOL}_history")"
    left=$(q "$LEFTOVERS_SQL")
    [[ -z $left ]] || die "objects left after Down: $(echo "$left" | tr '\n' ' ')"

    "${TOOL}_init"
    apply_up "$plan"
    dump > "$WORK/$CORPUS.up2.sql"
    diff -u "$WORK/$CORPUS.up1.sql" "$WORK/$CORPUS.up2.sql" >&2 ||
      die "schema after Down+Up differs from the first Up"
  fi

  local tables; tables=$(q "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  if [[ $KEEP == 0 ]]; then psql -X -q -d postgres -c "DROP DATABASE $DB"; fi
  if [[ $has_down == 1 ]]; then
    say "ok: $n migrations up, down (schema empty), up again (same schema); $tables tables incl. history"
  else
    say "ok: $n migrations up (simple migrations have no down); $tables tables incl. history"
  fi
}

for c in "${CORPORA[@]}"; do check_corpus "$c"; done
echo "all ok: ${CORPORA[*]}"
