//! Other migration tools' history tables, read (never written): what goose, dbmate,
//! golang-migrate, diesel, sqlx and Flyway record as applied in this database, so a project
//! adopts tack mid-history with no manual step.
//!
//! | tool | table | applied |
//! |---|---|---|
//! | goose | `goose_db_version` | each `version_id` whose latest row has `is_applied` (version 0 is goose's own) |
//! | golang-migrate | `schema_migrations` (with `dirty`) | every version up to the one row's `version`; `dirty` means it failed half-way |
//! | dbmate | `schema_migrations` (no `dirty`) | each `version` |
//! | diesel | `__diesel_schema_migrations` | each `version` |
//! | sqlx | `_sqlx_migrations` | each `version` with `success`; one without is half-applied |
//! | Flyway | `flyway_schema_history` | each successful versioned row's `version`, repeatable rows' `script`; a `BASELINE` row stands for every version up to it; a failed row is half-applied |
//!
//! Tables are found through the session's `search_path`, as the tools find them.

use super::Connection;
use super::Error;

/// What one tool's history table says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignHistory {
    /// `goose`, `golang-migrate`, `dbmate`, `diesel`, `sqlx`, `flyway`.
    pub tool: &'static str,
    pub table: &'static str,
    /// Versions recorded as applied, as stored (for golang-migrate: the last one; every version
    /// up to it is applied).
    pub versions: Vec<String>,
    /// A version recorded as failed half-way (golang-migrate `dirty`, sqlx `success = false`,
    /// Flyway `success = false`).
    pub failed: Option<String>,
    /// Flyway: repeatable scripts applied (`R__views.sql`).
    pub scripts: Vec<String>,
    /// Flyway: a `BASELINE` row's version (everything up to it counts as applied).
    pub baseline: Option<String>,
}

impl ForeignHistory {
    fn new(tool: &'static str, table: &'static str) -> Self {
        ForeignHistory {
            tool,
            table,
            versions: Vec::new(),
            failed: None,
            scripts: Vec::new(),
            baseline: None,
        }
    }
}

async fn exists(conn: &Connection, table: &str) -> Result<bool, Error> {
    let row = conn
        .client()
        .query_one("SELECT to_regclass($1) IS NOT NULL", &[&table])
        .await
        .map_err(|e| conn.query_error(&format!("whether {table} exists"), &e))?;
    row.try_get(0)
        .map_err(|e| super::error::unexpected(conn.target(), table, super::error::chain(&e)))
}

async fn texts(
    conn: &Connection,
    what: &str,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, Error> {
    let rows = conn
        .client()
        .query(sql, &[])
        .await
        .map_err(|e| conn.query_error(what, &e))?;
    rows.iter()
        .map(|r| {
            (0..r.len())
                .map(|i| {
                    r.try_get::<_, Option<String>>(i).map_err(|e| {
                        super::error::unexpected(conn.target(), what, super::error::chain(&e))
                    })
                })
                .collect()
        })
        .collect()
}

fn first(rows: &[Vec<Option<String>>]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| r.first().cloned().flatten())
        .collect()
}

/// Every known tool's history table present in the database, read.
pub async fn read(conn: &Connection) -> Result<Vec<ForeignHistory>, Error> {
    let mut out = Vec::new();
    if exists(conn, "goose_db_version").await? {
        let mut h = ForeignHistory::new("goose", "goose_db_version");
        h.versions = first(
            &texts(
                conn,
                "goose_db_version",
                "SELECT g.version_id::text FROM goose_db_version g \
                 WHERE g.version_id <> 0 AND g.is_applied \
                   AND g.id = (SELECT max(id) FROM goose_db_version x WHERE x.version_id = g.version_id) \
                 ORDER BY g.version_id",
            )
            .await?,
        );
        out.push(h);
    }
    if exists(conn, "schema_migrations").await? {
        let dirty_column = conn
            .client()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('schema_migrations') \
                 AND attname = 'dirty' AND NOT attisdropped)",
                &[],
            )
            .await
            .map_err(|e| conn.query_error("schema_migrations", &e))?
            .try_get::<_, bool>(0)
            .map_err(|e| super::error::unexpected(conn.target(), "schema_migrations", super::error::chain(&e)))?;
        if dirty_column {
            let mut h = ForeignHistory::new("golang-migrate", "schema_migrations");
            for row in texts(
                conn,
                "schema_migrations",
                "SELECT version::text, dirty::text FROM schema_migrations",
            )
            .await?
            {
                let version = row.first().cloned().flatten();
                let dirty = row.get(1).cloned().flatten().as_deref() == Some("true");
                match (version, dirty) {
                    (Some(v), true) => h.failed = Some(v),
                    (Some(v), false) => h.versions.push(v),
                    _ => {}
                }
            }
            out.push(h);
        } else {
            let mut h = ForeignHistory::new("dbmate", "schema_migrations");
            h.versions = first(
                &texts(
                    conn,
                    "schema_migrations",
                    "SELECT version::text FROM schema_migrations ORDER BY version",
                )
                .await?,
            );
            out.push(h);
        }
    }
    if exists(conn, "__diesel_schema_migrations").await? {
        let mut h = ForeignHistory::new("diesel", "__diesel_schema_migrations");
        h.versions = first(
            &texts(
                conn,
                "__diesel_schema_migrations",
                "SELECT version::text FROM __diesel_schema_migrations ORDER BY version",
            )
            .await?,
        );
        out.push(h);
    }
    if exists(conn, "_sqlx_migrations").await? {
        let mut h = ForeignHistory::new("sqlx", "_sqlx_migrations");
        for row in texts(
            conn,
            "_sqlx_migrations",
            "SELECT version::text, success::text FROM _sqlx_migrations ORDER BY version",
        )
        .await?
        {
            let version = row.first().cloned().flatten();
            let ok = row.get(1).cloned().flatten().as_deref() == Some("true");
            match (version, ok) {
                (Some(v), true) => h.versions.push(v),
                (Some(v), false) => h.failed = Some(v),
                _ => {}
            }
        }
        out.push(h);
    }
    if exists(conn, "flyway_schema_history").await? {
        let mut h = ForeignHistory::new("flyway", "flyway_schema_history");
        for row in texts(
            conn,
            "flyway_schema_history",
            "SELECT version, script, type, success::text FROM flyway_schema_history \
             ORDER BY installed_rank",
        )
        .await?
        {
            let version = row.first().cloned().flatten();
            let script = row.get(1).cloned().flatten().unwrap_or_default();
            let kind = row.get(2).cloned().flatten().unwrap_or_default();
            let ok = row.get(3).cloned().flatten().as_deref() == Some("true");
            if kind == "BASELINE" {
                h.baseline = version;
                continue;
            }
            if kind.starts_with("UNDO") {
                // A successful undo (`U` script) takes its version back out.
                if ok {
                    h.versions.retain(|v| Some(v) != version.as_ref());
                }
                continue;
            }
            if kind == "SCHEMA" || kind == "DELETE" {
                continue;
            }
            match (version, ok) {
                (Some(v), true) => h.versions.push(v),
                (Some(v), false) => h.failed = Some(v),
                (None, true) => h.scripts.push(script),
                (None, false) => h.failed = Some(script),
            }
        }
        out.push(h);
    }
    Ok(out)
}
