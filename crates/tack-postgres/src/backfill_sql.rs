//! The SQL of a PostgreSQL backfill: the temporary trigger that keeps rows written by the
//! application right while the backfill runs, and the batch statements (keyset over the primary
//! key, or ranges of pages by `ctid` when there is none).
//!
//! Batch transactions run with `SET LOCAL tack.backfill = 'on'`; the trigger does nothing for
//! them, so the backfill's own writes are not changed twice.

use crate::sql::{quote_ident, quote_literal, PgName};
use tack_core::plan::{Backfill as BackfillSpec, BackfillKey as KeySpec};

/// Tuples that fit on one 8 kB heap page at most (MaxHeapTuplesPerPage), for TID lists before
/// PostgreSQL 14 has TID range scans.
pub const MAX_TUPLES_PER_PAGE: u32 = 291;

/// The names of a backfill's helper function and trigger: stable for a (migration, step).
pub fn helper_names(migration: &str, step: &str) -> (String, String) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in migration.bytes().chain([0u8]).chain(step.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let tag = format!("{:012x}", h & 0xffff_ffff_ffff);
    (
        format!("tack.backfill_{tag}"),
        format!("tack_backfill_{tag}"),
    )
}

/// The table's own name, for qualifying its columns (`t.col`) in the statements.
fn alias(b: &BackfillSpec) -> String {
    quote_ident(&b.table.name)
}

/// `CREATE OR REPLACE FUNCTION`: applies the assignments to NEW when the condition holds on NEW,
/// except in the backfill's own transactions.
pub fn trigger_function_sql(b: &BackfillSpec, function: &str) -> String {
    let table = alias(b);
    let targets: Vec<String> = b
        .assignments
        .iter()
        .map(|(c, _)| format!("NEW.{}", quote_ident(c)))
        .collect();
    let exprs: Vec<&str> = b.assignments.iter().map(|(_, e)| e.as_str()).collect();
    let assign = format!(
        "SELECT {} INTO {} FROM (SELECT NEW.*) AS {table};",
        exprs.join(", "),
        targets.join(", ")
    );
    let body = match &b.condition {
        Some(cond) => format!(
            "  SELECT ({cond}) INTO tack_applies FROM (SELECT NEW.*) AS {table};\n  \
             IF tack_applies THEN\n    {assign}\n  END IF;"
        ),
        None => format!("  {assign}"),
    };
    format!(
        "CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $tack$\n\
         #variable_conflict use_column\n\
         DECLARE\n  tack_applies boolean;\n\
         BEGIN\n  \
         IF coalesce(current_setting('tack.backfill', true), '') = 'on' THEN\n    RETURN NEW;\n  END IF;\n\
         {body}\n  \
         RETURN NEW;\n\
         END\n$tack$"
    )
}

/// The trigger. Its `WHEN` keeps the backfill's own writes out of PL/pgSQL altogether (a fifth
/// of a batch's time when the function was entered for every row); the function checks again,
/// for triggers installed by an earlier tack without the `WHEN`.
pub fn create_trigger_sql(b: &BackfillSpec, function: &str, trigger: &str, major: u32) -> String {
    format!(
        "CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW \
         WHEN (current_setting('tack.backfill', true) IS DISTINCT FROM 'on') EXECUTE {} {function}()",
        quote_ident(trigger),
        b.table.sql(),
        if major >= 11 { "FUNCTION" } else { "PROCEDURE" }
    )
}

/// Drops what a backfill installs, if it is there (what a rollback of an interrupted backfill
/// runs).
pub fn drop_helpers_sql(b: &BackfillSpec, migration: &str, step: &str) -> String {
    let (function, trigger) = helper_names(migration, step);
    drop_trigger_sql(b, &function, &trigger).join(";\n")
}

pub fn drop_trigger_sql(b: &BackfillSpec, function: &str, trigger: &str) -> Vec<String> {
    vec![
        format!(
            "DROP TRIGGER IF EXISTS {} ON {}",
            quote_ident(trigger),
            b.table.sql()
        ),
        format!("DROP FUNCTION IF EXISTS {function}()"),
    ]
}

fn set_clause(b: &BackfillSpec) -> String {
    b.assignments
        .iter()
        .map(|(c, e)| format!("{} = {e}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$start..$start+n-1` as the key columns' types (`$i::text::type`); without `key_types`, bare
/// placeholders (for display).
fn key_params(key_types: Option<&[String]>, start: usize, n: usize) -> String {
    (0..n)
        .map(|i| match key_types.and_then(|t| t.get(i)) {
            Some(ty) => format!("${}::text::{ty}", start + i),
            None => format!("${}", start + i),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key columns, quoted, for a row comparison.
fn key_list(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The first half of a keyset batch: where it ends. Parameters: `$1..$n` the cursor's key values
/// as text (absent for the first batch), then the batch size. Returns (keys visited, last key as
/// text[]), read from the primary key's index alone.
///
/// `key_types` are the key columns' types (`format_type`); None renders a template without
/// casts (for display).
pub fn pk_bound_sql(b: &BackfillSpec, key_types: Option<&[String]>, first: bool) -> String {
    let KeySpec::PrimaryKey(cols) = &b.key else {
        return String::new();
    };
    let n = cols.len();
    let keys = key_list(cols);
    let aliases: Vec<String> = (1..=n).map(|i| format!("tack_k{i}")).collect();
    let select: Vec<String> = cols
        .iter()
        .zip(&aliases)
        .map(|(k, a)| format!("{} AS {a}", quote_ident(k)))
        .collect();
    let mut sql = format!(
        "WITH batch AS (SELECT {} FROM {}",
        select.join(", "),
        b.table.sql()
    );
    if !first {
        sql.push_str(&format!(
            " WHERE ({keys}) > ({})",
            key_params(key_types, 1, n)
        ));
    }
    let limit = if first { 1 } else { n + 1 };
    let last: Vec<String> = aliases.iter().map(|a| format!("{a}::text")).collect();
    let desc: Vec<String> = aliases.iter().map(|a| format!("{a} DESC")).collect();
    sql.push_str(&format!(
        " ORDER BY {keys} LIMIT ${limit}::bigint) SELECT (SELECT count(*) FROM batch)::bigint, \
         (SELECT ARRAY[{}] FROM batch ORDER BY {} LIMIT 1)",
        last.join(", "),
        desc.join(", ")
    ));
    sql
}

/// The second half of a keyset batch: one `UPDATE` of the key range after the cursor up to the
/// bound. Parameters: `$1..$n` the cursor's key values (absent for the first batch), then the
/// bound's `n` values, all as text.
///
/// A range scan of the primary key, not a join against the batch's keys: probing the index once
/// per key made batches about four times slower (docs/BENCHMARKS.md).
pub fn pk_update_sql(b: &BackfillSpec, key_types: Option<&[String]>, first: bool) -> String {
    let KeySpec::PrimaryKey(cols) = &b.key else {
        return String::new();
    };
    let n = cols.len();
    let keys = key_list(cols);
    let mut sql = format!("UPDATE {} SET {} WHERE ", b.table.sql(), set_clause(b));
    let upper_start = if first {
        1
    } else {
        sql.push_str(&format!(
            "({keys}) > ({}) AND ",
            key_params(key_types, 1, n)
        ));
        n + 1
    };
    sql.push_str(&format!(
        "({keys}) <= ({})",
        key_params(key_types, upper_start, n)
    ));
    if let Some(cond) = &b.condition {
        sql.push_str(&format!(" AND ({cond})"));
    }
    sql
}

/// One batch of pages. Parameters: `$1` first page, `$2` page after the last, `$3` migration,
/// `$4` step. Rows written by earlier batches of this backfill (their xmin is one of its
/// transactions, recorded in `tack.backfill_xids`) are not written again, even when an update
/// moved them to a later page. Returns the rows written.
///
/// PostgreSQL 14+ scans the range with a TID range scan; before, the batch lists the TIDs.
pub fn ctid_batch_sql(b: &BackfillSpec, major: u32) -> String {
    let table = b.table.sql();
    let me = alias(b);
    let range = if major >= 14 {
        "ctid >= format('(%s,0)', $1::bigint)::tid AND ctid < format('(%s,0)', $2::bigint)::tid"
            .to_owned()
    } else {
        format!(
            "ctid = ANY (ARRAY(SELECT format('(%s,%s)', p, i)::tid \
             FROM generate_series($1::bigint, $2::bigint - 1) AS p, \
             generate_series(1, {MAX_TUPLES_PER_PAGE}) AS i))"
        )
    };
    let mut sql = format!(
        "WITH updated AS (UPDATE {table} SET {} WHERE {range} \
         AND NOT EXISTS (SELECT 1 FROM tack.backfill_xids x WHERE x.migration = $3::text \
         AND x.step_id = $4::text AND x.xid = {me}.xmin::text::bigint)",
        set_clause(b)
    );
    if let Some(cond) = &b.condition {
        sql.push_str(&format!(" AND ({cond})"));
    }
    sql.push_str(" RETURNING 1) SELECT count(*)::bigint FROM updated");
    sql
}

/// Records the batch's transaction, so later batches skip the rows it wrote.
pub const RECORD_XID_SQL: &str = "INSERT INTO tack.backfill_xids (migration, step_id, xid) \
     VALUES ($1, $2, txid_current() % 4294967296)";

/// The settings of a batch transaction. A batch does not wait for its commit to be flushed:
/// its cursor commits with it, so a batch lost to a server crash is lost with its cursor and
/// simply runs again.
pub fn batch_settings(lock_timeout_ms: u128, statement_timeout_ms: u128) -> String {
    format!(
        "SET LOCAL lock_timeout = '{lock_timeout_ms}ms'; \
         SET LOCAL statement_timeout = '{statement_timeout_ms}ms'; \
         SET LOCAL synchronous_commit = off; \
         SET LOCAL tack.backfill = 'on'"
    )
}

/// What a backfill runs, in order, for `--dry-run`.
pub fn describe(
    migration: &str,
    step: &str,
    b: &BackfillSpec,
    major: u32,
    lock_timeout_ms: u128,
    statement_timeout_ms: u128,
) -> Vec<String> {
    let (function, trigger) = helper_names(migration, step);
    let settings = format!(
        "SET LOCAL lock_timeout = '{lock_timeout_ms}ms'; SET LOCAL statement_timeout = '{statement_timeout_ms}ms'"
    );
    let mut out = Vec::new();
    if b.trigger {
        out.push(format!(
            "BEGIN; {settings};\n{};\n{};\nCOMMIT;",
            trigger_function_sql(b, function.as_str()),
            create_trigger_sql(b, &function, &trigger, major)
        ));
    }
    let batch = match &b.key {
        KeySpec::PrimaryKey(_) => format!(
            "-- first batch: its last key, then the rows up to it:\n{};\n{};\n\
             -- next batches, after the last key of the previous one:\n{};\n{};",
            pk_bound_sql(b, None, true),
            pk_update_sql(b, None, true),
            pk_bound_sql(b, None, false),
            pk_update_sql(b, None, false)
        ),
        KeySpec::PhysicalPages => format!(
            "-- pages [$1, $2) up to the table's size when the backfill starts:\n{};\n{RECORD_XID_SQL};",
            ctid_batch_sql(b, major)
        ),
    };
    out.push(format!(
        "-- repeated, each batch its own transaction, sized to --batch-time, throttled:\n\
         BEGIN; {};\n{batch}\n\
         UPDATE tack.backfill_cursors SET cursor = <next cursor>, rows_done = rows_done + <rows> WHERE …;\n\
         COMMIT;",
        batch_settings(lock_timeout_ms, statement_timeout_ms)
    ));
    let mut finish = format!("BEGIN; {settings};\n");
    if b.trigger {
        for s in drop_trigger_sql(b, &function, &trigger) {
            finish.push_str(&format!("{s};\n"));
        }
    }
    finish.push_str("UPDATE tack.steps SET status = 'done' WHERE …;\nCOMMIT;");
    out.push(finish);
    out
}

/// A quoted text literal (for statements built with values, e.g. trigger names in probes).
pub fn literal(text: &str) -> String {
    quote_literal(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tack_core::QualifiedName;

    fn spec(key: KeySpec, condition: Option<&str>) -> BackfillSpec {
        BackfillSpec {
            table: QualifiedName::unqualified("orders"),
            key,
            assignments: vec![("token".to_owned(), "gen_random_uuid()".to_owned())],
            condition: condition.map(str::to_owned),
            trigger: true,
        }
    }

    #[test]
    fn keyset_batches() {
        let b = spec(
            KeySpec::PrimaryKey(vec!["a".into(), "b".into()]),
            Some("token IS NULL"),
        );
        assert_eq!(
            pk_bound_sql(&b, None, true),
            "WITH batch AS (SELECT a AS tack_k1, b AS tack_k2 FROM orders ORDER BY a, b LIMIT $1::bigint) \
             SELECT (SELECT count(*) FROM batch)::bigint, \
             (SELECT ARRAY[tack_k1::text, tack_k2::text] FROM batch ORDER BY tack_k1 DESC, tack_k2 DESC LIMIT 1)"
        );
        let types = ["integer".to_owned(), "text".to_owned()];
        assert!(pk_bound_sql(&b, Some(&types), false).contains(
            "WHERE (a, b) > ($1::text::integer, $2::text::text) ORDER BY a, b LIMIT $3::bigint"
        ));
        assert_eq!(
            pk_update_sql(&b, Some(&types), true),
            "UPDATE orders SET token = gen_random_uuid() \
             WHERE (a, b) <= ($1::text::integer, $2::text::text) AND (token IS NULL)"
        );
        assert_eq!(
            pk_update_sql(&b, Some(&types), false),
            "UPDATE orders SET token = gen_random_uuid() \
             WHERE (a, b) > ($1::text::integer, $2::text::text) \
             AND (a, b) <= ($3::text::integer, $4::text::text) AND (token IS NULL)"
        );
    }

    #[test]
    fn page_batches() {
        let b = spec(KeySpec::PhysicalPages, None);
        let sql = ctid_batch_sql(&b, 15);
        assert!(sql.contains("ctid >= format('(%s,0)', $1::bigint)::tid"));
        assert!(sql.contains("x.xid = orders.xmin::text::bigint"));
        assert!(ctid_batch_sql(&b, 13).contains("ctid = ANY (ARRAY("));
    }

    #[test]
    fn trigger_applies_assignments_to_new_rows_only_outside_the_backfill() {
        let b = spec(KeySpec::PhysicalPages, Some("token IS NULL"));
        let (f, t) = helper_names("V1__a.sql", "V1__a.sql#3");
        assert!(f.starts_with("tack.backfill_"));
        assert!(t.starts_with("tack_backfill_"));
        assert_eq!(
            helper_names("V1__a.sql", "V1__a.sql#3"),
            (f.clone(), t.clone())
        );
        assert_ne!(helper_names("V1__a.sql", "V1__a.sql#4").0, f);
        let sql = trigger_function_sql(&b, &f);
        assert!(sql.contains("current_setting('tack.backfill', true)"));
        assert!(
            sql.contains("SELECT (token IS NULL) INTO tack_applies FROM (SELECT NEW.*) AS orders;")
        );
        assert!(
            sql.contains("SELECT gen_random_uuid() INTO NEW.token FROM (SELECT NEW.*) AS orders;")
        );
        assert!(create_trigger_sql(&b, &f, &t, 15).contains(
            "BEFORE INSERT OR UPDATE ON orders FOR EACH ROW \
             WHEN (current_setting('tack.backfill', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION"
        ));
    }
}
