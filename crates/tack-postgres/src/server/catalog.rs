//! Catalog introspection: reads tables, columns, constraints, indexes and function volatility
//! from a live server into a [`tack_core::Catalog`].
//!
//! The work is a fixed number of queries whatever the number of tables (one for settings, then
//! six sent together), so it stays fast on databases with thousands of tables. Sizes come from
//! `pg_table_size` / `pg_indexes_size`, which take a share lock on each table; that query runs
//! with a short `lock_timeout`, and when a table is locked exclusively (a migration running)
//! sizes fall back to lock-free `relpages` estimates instead of waiting.

use crate::server::error::{chain, query_error, unexpected, Error};
use std::collections::HashMap;
use tack_core::{
    Catalog, ColumnFacts, ConstraintFacts, ConstraintType, IndexFacts, TableFacts, Version,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::FromSql;
use tokio_postgres::{Client, Row, SimpleQueryMessage};

/// How long the size query waits for a table lock before falling back to estimates.
const SIZE_LOCK_TIMEOUT: &str = "2s";

/// Time zone names whose offset is always zero.
const UTC_ZONES: &[&str] = &[
    "UTC",
    "Etc/UTC",
    "GMT",
    "Etc/GMT",
    "Etc/Universal",
    "Universal",
    "Zulu",
    "Etc/Zulu",
    "UCT",
    "Etc/UCT",
    "Greenwich",
    "Etc/Greenwich",
    "GMT0",
    "Etc/GMT0",
    "GMT+0",
    "GMT-0",
    "Etc/GMT+0",
    "Etc/GMT-0",
];

/// Whether a `TimeZone` setting is UTC.
pub fn is_utc(timezone: &str) -> bool {
    UTC_ZONES
        .iter()
        .any(|z| z.eq_ignore_ascii_case(timezone.trim()))
}

/// Tables tack lints: ordinary and partitioned tables outside the system schemas (and other
/// sessions' temporary schemas). Expects `pg_class c` joined with `pg_namespace n`.
const TABLE_FILTER: &str = "c.relkind IN ('r', 'p') \
    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') \
    AND n.nspname !~ '^pg_(toast_)?temp_'";

/// Decodes `atttypmod` into the modifiers written in the type (`varchar(50)` → `[50]`,
/// `numeric(10,2)` → `[10, 2]`, `timestamptz(3)` → `[3]`); empty when there are none.
pub fn type_modifiers(type_name: &str, typmod: i32) -> Vec<i64> {
    if typmod < 0 {
        return Vec::new();
    }
    let typmod = i64::from(typmod);
    match type_name {
        "varchar" | "bpchar" if typmod >= 4 => vec![typmod - 4],
        "numeric" if typmod >= 4 => {
            let t = typmod - 4;
            // Since PostgreSQL 15 the scale is an 11-bit signed field (it may be negative);
            // earlier versions only store 0..=1000, which decode the same way.
            vec![(t >> 16) & 0xffff, ((t & 0x7ff) ^ 1024) - 1024]
        }
        "timestamp" | "timestamptz" | "time" | "timetz" | "bit" | "varbit" => vec![typmod],
        "interval" => {
            let precision = typmod & 0xffff;
            // 0xffff: a range (`interval day to second`) without a precision.
            if precision == 0xffff {
                Vec::new()
            } else {
                vec![precision]
            }
        }
        _ => Vec::new(),
    }
}

/// Reads a column, turning a type mismatch into an error instead of a panic.
fn get<'a, T: FromSql<'a>>(row: &'a Row, idx: usize, target: &str, what: &str) -> Result<T, Error> {
    row.try_get(idx)
        .map_err(|e| unexpected(target, what, format!("column {idx}: {}", chain(&e))))
}

struct Table {
    schema: String,
    name: String,
    parent: Option<u32>,
    /// Lock-free size estimates from `relpages`, used when the size query cannot run.
    estimated_bytes: u64,
    estimated_index_bytes: u64,
    attnames: HashMap<i16, String>,
    facts: TableFacts,
}

/// Reads the catalog. `version` picks the SQL for older servers.
pub(crate) async fn read(
    client: &Client,
    target: &str,
    version: Version,
    timezone: &str,
    block_size: u64,
) -> Result<Catalog, Error> {
    let major = version.major;
    let (parent_col, parent_join) = if major >= 10 {
        (
            "inh.inhparent",
            "LEFT JOIN pg_catalog.pg_inherits inh ON inh.inhrelid = c.oid AND c.relispartition",
        )
    } else {
        ("NULL::oid", "")
    };
    let tables_sql = format!(
        "SELECT c.oid, n.nspname::text, c.relname::text, c.relkind::text, \
                c.reltuples::float8, c.relpages::int8, COALESCE(t.relpages, 0)::int8, \
                COALESCE((SELECT sum(ic.relpages) FROM pg_catalog.pg_index i \
                          JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
                          WHERE i.indrelid = c.oid), 0)::int8, \
                {parent_col} \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_catalog.pg_class t ON t.oid = c.reltoastrelid \
         {parent_join} \
         WHERE {TABLE_FILTER}"
    );
    let sizes_sql = format!(
        "SELECT pg_catalog.set_config('lock_timeout', '{SIZE_LOCK_TIMEOUT}', true); \
         SELECT c.oid, pg_catalog.pg_table_size(c.oid), pg_catalog.pg_indexes_size(c.oid) \
         FROM pg_catalog.pg_class c \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {TABLE_FILTER}"
    );
    // Domains resolve to their base type (through domains over domains); the outermost
    // typmod that is set wins. Arrays report their element type.
    let columns_sql = format!(
        "WITH RECURSIVE dom(domain, base, typmod) AS ( \
             SELECT oid, typbasetype, typtypmod FROM pg_catalog.pg_type WHERE typtype = 'd' \
             UNION ALL \
             SELECT dom.domain, t.typbasetype, \
                    CASE WHEN dom.typmod >= 0 THEN dom.typmod ELSE t.typtypmod END \
             FROM dom JOIN pg_catalog.pg_type t ON t.oid = dom.base WHERE t.typtype = 'd' \
         ), base AS ( \
             SELECT dom.domain, dom.base, dom.typmod FROM dom \
             JOIN pg_catalog.pg_type t ON t.oid = dom.base WHERE t.typtype <> 'd' \
         ) \
         SELECT a.attrelid, a.attnum, a.attname::text, a.attnotnull, a.atttypmod, \
                b.typmod, bt.typname::text, et.typname::text, eb.typmod \
         FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN base b ON b.domain = a.atttypid \
         JOIN pg_catalog.pg_type bt ON bt.oid = COALESCE(b.base, a.atttypid) \
         LEFT JOIN base eb ON eb.domain = bt.typelem AND bt.typlen = -1 \
         LEFT JOIN pg_catalog.pg_type et \
                ON et.oid = COALESCE(eb.base, bt.typelem) AND bt.typelem <> 0 AND bt.typlen = -1 \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND {TABLE_FILTER}"
    );
    let constraints_sql = format!(
        "SELECT con.conrelid, con.conname::text, con.contype::text, con.convalidated, \
                CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_constraintdef(con.oid) END \
         FROM pg_catalog.pg_constraint con \
         JOIN pg_catalog.pg_class c ON c.oid = con.conrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {TABLE_FILTER} \
         ORDER BY con.conrelid, con.conname"
    );
    let key_columns = if major >= 11 {
        "i.indnkeyatts"
    } else {
        "i.indnatts"
    };
    let indexes_sql = format!(
        "SELECT i.indrelid, ic.relname::text, i.indisunique, i.indisprimary, i.indisvalid, \
                i.indkey::int2[], {key_columns}::int4 \
         FROM pg_catalog.pg_index i \
         JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid \
         JOIN pg_catalog.pg_class c ON c.oid = i.indrelid \
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE {TABLE_FILTER} \
         ORDER BY i.indrelid, ic.relname"
    );
    // "i" < "s" < "v", so max() is the most volatile overload.
    let functions_sql = "SELECT proname::text, max(provolatile::text) \
                         FROM pg_catalog.pg_proc GROUP BY proname";

    let query = |sql: String, what: &'static str| async move {
        client
            .query(sql.as_str(), &[])
            .await
            .map_err(|e| query_error(target, what, &e))
    };
    // Sent together: tokio-postgres pipelines concurrent queries on one connection.
    let (table_rows, sizes, column_rows, constraint_rows, index_rows, function_rows) = tokio::try_join!(
        query(tables_sql, "tables"),
        async {
            match client.simple_query(&sizes_sql).await {
                Ok(messages) => Ok(Some(messages)),
                // A table is locked (say, by a running migration): estimate instead of waiting.
                Err(e) if e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => Ok(None),
                Err(e) => Err(query_error(target, "table sizes", &e)),
            }
        },
        query(columns_sql, "columns"),
        query(constraints_sql, "constraints"),
        query(indexes_sql, "indexes"),
        query(functions_sql.to_owned(), "functions"),
    )?;

    let mut tables: HashMap<u32, Table> = HashMap::with_capacity(table_rows.len());
    for row in &table_rows {
        let what = "tables";
        let oid: u32 = get(row, 0, target, what)?;
        let relkind: String = get(row, 3, target, what)?;
        let reltuples: f64 = get(row, 4, target, what)?;
        let relpages: i64 = get(row, 5, target, what)?;
        let toast_pages: i64 = get(row, 6, target, what)?;
        let index_pages: i64 = get(row, 7, target, what)?;
        let pages_to_bytes = |pages: i64| u64::try_from(pages).unwrap_or(0) * block_size;
        // PostgreSQL 14+ stores -1 for "never vacuumed or analyzed". Before 14 that state was
        // 0 tuples in 0 pages, indistinguishable from an analyzed empty table: report unknown
        // rather than risk calling a big table empty.
        let rows = if reltuples < 0.0 || (major < 14 && reltuples == 0.0 && relpages == 0) {
            None
        } else {
            Some(reltuples)
        };
        tables.insert(
            oid,
            Table {
                schema: get(row, 1, target, what)?,
                name: get(row, 2, target, what)?,
                parent: get(row, 8, target, what)?,
                estimated_bytes: pages_to_bytes(relpages) + pages_to_bytes(toast_pages),
                estimated_index_bytes: pages_to_bytes(index_pages),
                attnames: HashMap::new(),
                facts: TableFacts {
                    rows,
                    partitioned: relkind == "p",
                    ..TableFacts::default()
                },
            },
        );
    }

    match sizes {
        Some(messages) => {
            let mut statements_done = 0;
            for message in &messages {
                match message {
                    SimpleQueryMessage::CommandComplete(_) => statements_done += 1,
                    // The first statement is set_config().
                    SimpleQueryMessage::Row(row) if statements_done >= 1 => {
                        let parse = |idx: usize| -> Result<Option<u64>, Error> {
                            match row.try_get(idx) {
                                Ok(Some(text)) => text.parse::<u64>().map(Some).map_err(|e| {
                                    unexpected(target, "table sizes", format!("{text:?}: {e}"))
                                }),
                                Ok(None) => Ok(None),
                                Err(e) => Err(unexpected(target, "table sizes", chain(&e))),
                            }
                        };
                        let Some(oid) = parse(0)? else { continue };
                        let Ok(oid) = u32::try_from(oid) else {
                            continue;
                        };
                        if let Some(table) = tables.get_mut(&oid) {
                            table.facts.bytes = parse(1)?;
                            table.facts.index_bytes = parse(2)?;
                        }
                    }
                    _ => {}
                }
            }
            // A table created after the table query, or dropped meanwhile: estimates.
            for table in tables.values_mut() {
                if table.facts.bytes.is_none() {
                    table.facts.bytes = Some(table.estimated_bytes);
                    table.facts.index_bytes = Some(table.estimated_index_bytes);
                }
            }
        }
        None => {
            for table in tables.values_mut() {
                table.facts.bytes = Some(table.estimated_bytes);
                table.facts.index_bytes = Some(table.estimated_index_bytes);
            }
        }
    }

    for row in &column_rows {
        let what = "columns";
        let relid: u32 = get(row, 0, target, what)?;
        let Some(table) = tables.get_mut(&relid) else {
            continue;
        };
        let attnum: i16 = get(row, 1, target, what)?;
        let name: String = get(row, 2, target, what)?;
        let not_null: bool = get(row, 3, target, what)?;
        let atttypmod: i32 = get(row, 4, target, what)?;
        let domain_typmod: Option<i32> = get(row, 5, target, what)?;
        let base_name: String = get(row, 6, target, what)?;
        let element_name: Option<String> = get(row, 7, target, what)?;
        let element_domain_typmod: Option<i32> = get(row, 8, target, what)?;
        let type_name = element_name.unwrap_or(base_name);
        let typmod = [Some(atttypmod), domain_typmod, element_domain_typmod]
            .into_iter()
            .flatten()
            .find(|m| *m >= 0)
            .unwrap_or(-1);
        let modifiers = type_modifiers(&type_name, typmod);
        table.attnames.insert(attnum, name.clone());
        table.facts.columns.insert(
            name,
            ColumnFacts {
                type_name,
                modifiers,
                not_null,
            },
        );
    }

    for row in &constraint_rows {
        let what = "constraints";
        let relid: u32 = get(row, 0, target, what)?;
        let Some(table) = tables.get_mut(&relid) else {
            continue;
        };
        let kind: String = get(row, 2, target, what)?;
        let definition: Option<String> = get(row, 4, target, what)?;
        let kind = match kind.as_str() {
            "c" => ConstraintType::Check,
            "f" => ConstraintType::ForeignKey,
            "p" => ConstraintType::PrimaryKey,
            "u" => ConstraintType::Unique,
            "x" => ConstraintType::Exclusion,
            "n" => ConstraintType::NotNull,
            // Constraint triggers ('t') are not constraints the rules reason about.
            _ => continue,
        };
        table.facts.constraints.push(ConstraintFacts {
            name: get(row, 1, target, what)?,
            kind,
            validated: get(row, 3, target, what)?,
            not_null_column: definition.as_deref().and_then(check_not_null_column),
        });
    }

    for row in &index_rows {
        let what = "indexes";
        let relid: u32 = get(row, 0, target, what)?;
        let Some(table) = tables.get_mut(&relid) else {
            continue;
        };
        let indkey: Vec<i16> = get(row, 5, target, what)?;
        let key_count: i32 = get(row, 6, target, what)?;
        let columns = indkey
            .iter()
            .take(usize::try_from(key_count).unwrap_or(0))
            // 0 is an expression; those columns are left out.
            .filter_map(|attnum| table.attnames.get(attnum).cloned())
            .collect();
        table.facts.indexes.push(IndexFacts {
            name: get(row, 1, target, what)?,
            unique: get(row, 2, target, what)?,
            primary: get(row, 3, target, what)?,
            valid: get(row, 4, target, what)?,
            columns,
        });
    }

    roll_up_partitions(&mut tables);

    let mut catalog = Catalog::new(true, "public", crate::builtins::builtin_volatility);
    for table in tables.into_values() {
        catalog.insert_table(&table.schema, &table.name, table.facts);
    }
    for row in &function_rows {
        let what = "functions";
        let name: String = get(row, 0, target, what)?;
        let code: Option<String> = get(row, 1, target, what)?;
        if let Some(volatility) = code.as_deref().and_then(crate::builtins::from_provolatile) {
            catalog.insert_function(&name, volatility);
        }
    }
    catalog.timezone_utc = Some(is_utc(timezone));
    Ok(catalog)
}

/// The column of a `CHECK (col IS NOT NULL)` from `pg_get_constraintdef` text, which may end in
/// ` NOT VALID` or ` NO INHERIT`.
fn check_not_null_column(definition: &str) -> Option<String> {
    let mut definition = definition.trim_end();
    loop {
        let stripped = definition
            .strip_suffix(" NOT VALID")
            .or_else(|| definition.strip_suffix(" NO INHERIT"));
        match stripped {
            Some(rest) => definition = rest.trim_end(),
            None => break,
        }
    }
    crate::front_end::not_null_check_column(definition)
}

/// A partitioned table has no storage of its own (`pg_table_size` is 0): give it the sizes of
/// its partitions, and their row count when its own is unknown (autovacuum never analyzes a
/// partitioned table), so estimates for statements that recurse to every partition are real.
fn roll_up_partitions(tables: &mut HashMap<u32, Table>) {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for (oid, table) in tables.iter() {
        if let Some(parent) = table.parent {
            children.entry(parent).or_default().push(*oid);
        }
    }
    // Totals for partitioned tables, computed bottom-up with an explicit stack.
    struct Total {
        bytes: u64,
        index_bytes: u64,
        rows: Option<f64>,
    }
    let mut totals: HashMap<u32, Total> = HashMap::new();
    let roots: Vec<u32> = tables
        .iter()
        .filter(|(_, t)| t.facts.partitioned)
        .map(|(oid, _)| *oid)
        .collect();
    for root in roots {
        let mut stack = vec![(root, false)];
        while let Some((oid, expanded)) = stack.pop() {
            if totals.contains_key(&oid) {
                continue;
            }
            let kids = children.get(&oid).map(Vec::as_slice).unwrap_or(&[]);
            if !expanded {
                stack.push((oid, true));
                stack.extend(kids.iter().map(|k| (*k, false)));
                continue;
            }
            let Some(table) = tables.get(&oid) else {
                continue;
            };
            let mut total = Total {
                bytes: table.facts.bytes.unwrap_or(0),
                index_bytes: table.facts.index_bytes.unwrap_or(0),
                rows: table.facts.rows,
            };
            let mut kid_rows = Some(0.0);
            for kid in kids {
                let (bytes, index_bytes, rows) = match (totals.get(kid), tables.get(kid)) {
                    (Some(t), _) => (t.bytes, t.index_bytes, t.rows),
                    (None, Some(t)) => (
                        t.facts.bytes.unwrap_or(0),
                        t.facts.index_bytes.unwrap_or(0),
                        t.facts.rows,
                    ),
                    (None, None) => (0, 0, None),
                };
                total.bytes += bytes;
                total.index_bytes += index_bytes;
                kid_rows = match (kid_rows, rows) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            }
            if total.rows.is_none() && !kids.is_empty() {
                total.rows = kid_rows;
            }
            totals.insert(oid, total);
        }
    }
    for (oid, total) in totals {
        if let Some(table) = tables.get_mut(&oid) {
            table.facts.bytes = Some(total.bytes);
            table.facts.index_bytes = Some(total.index_bytes);
            table.facts.rows = total.rows;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_typmods() {
        assert_eq!(type_modifiers("varchar", 54), vec![50]);
        assert_eq!(type_modifiers("bpchar", 5), vec![1]);
        assert_eq!(type_modifiers("varchar", -1), Vec::<i64>::new());
        assert_eq!(type_modifiers("numeric", (10 << 16 | 2) + 4), vec![10, 2]);
        assert_eq!(type_modifiers("numeric", (10 << 16) + 4), vec![10, 0]);
        // numeric(3, -2) on PostgreSQL 15+.
        assert_eq!(
            type_modifiers("numeric", ((3 << 16) | (-2i32 & 0x7ff)) + 4),
            vec![3, -2]
        );
        assert_eq!(type_modifiers("timestamptz", 3), vec![3]);
        assert_eq!(type_modifiers("timestamp", 0), vec![0]);
        assert_eq!(type_modifiers("interval", (0x7fff << 16) | 6), vec![6]);
        assert_eq!(
            type_modifiers("interval", (0x0c << 16) | 0xffff),
            Vec::<i64>::new()
        );
        assert_eq!(type_modifiers("bit", 8), vec![8]);
        assert_eq!(type_modifiers("int4", -1), Vec::<i64>::new());
        assert_eq!(type_modifiers("geometry", 1234), Vec::<i64>::new());
    }

    #[test]
    fn not_null_checks() {
        assert_eq!(
            check_not_null_column("CHECK ((email IS NOT NULL))").as_deref(),
            Some("email")
        );
        assert_eq!(
            check_not_null_column("CHECK ((email IS NOT NULL)) NOT VALID").as_deref(),
            Some("email")
        );
        assert_eq!(
            check_not_null_column("CHECK ((email IS NOT NULL)) NO INHERIT NOT VALID").as_deref(),
            Some("email")
        );
        assert_eq!(check_not_null_column("CHECK ((n > 0))"), None);
    }

    #[test]
    fn knows_utc() {
        for zone in ["UTC", "Etc/UTC", "utc", "GMT", "Zulu", "Etc/Universal"] {
            assert!(is_utc(zone), "{zone}");
        }
        for zone in ["Europe/Berlin", "America/New_York", "EST", "localtime", ""] {
            assert!(!is_utc(zone), "{zone}");
        }
    }

    fn table(parent: Option<u32>, partitioned: bool, bytes: u64, rows: Option<f64>) -> Table {
        Table {
            schema: "public".into(),
            name: "t".into(),
            parent,
            estimated_bytes: 0,
            estimated_index_bytes: 0,
            attnames: HashMap::new(),
            facts: TableFacts {
                bytes: Some(bytes),
                index_bytes: Some(bytes / 10),
                rows,
                partitioned,
                ..TableFacts::default()
            },
        }
    }

    #[test]
    fn rolls_up_partitions() {
        let mut tables = HashMap::new();
        tables.insert(1, table(None, true, 0, None));
        tables.insert(2, table(Some(1), false, 100, Some(10.0)));
        tables.insert(3, table(Some(1), true, 0, None));
        tables.insert(4, table(Some(3), false, 50, Some(5.0)));
        tables.insert(5, table(Some(3), false, 70, Some(7.0)));
        tables.insert(6, table(None, true, 0, None));
        roll_up_partitions(&mut tables);
        assert_eq!(tables[&1].facts.bytes, Some(220));
        assert_eq!(tables[&1].facts.index_bytes, Some(22));
        assert_eq!(tables[&1].facts.rows, Some(22.0));
        assert_eq!(tables[&3].facts.bytes, Some(120));
        assert_eq!(tables[&3].facts.rows, Some(12.0));
        assert_eq!(tables[&2].facts.bytes, Some(100));
        // No partitions: nothing to add, rows stay unknown.
        assert_eq!(tables[&6].facts.bytes, Some(0));
        assert_eq!(tables[&6].facts.rows, None);
    }
}
