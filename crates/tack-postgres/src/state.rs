//! The state store in the target: a `tack` schema with the migrations applied, their steps, the
//! backfill cursors, and a control row (the pause flag and who runs). Created when missing.
//!
//! Also the reads behind `tack status` and the writes behind `tack pause` / `tack resume`, and
//! the migrations' history (version, duration, who applied them with which tack, the schema
//! fingerprint they left).
//!
//! Upgrades: [`SCHEMA_SQL`] only ever adds (`CREATE … IF NOT EXISTS`, `ADD COLUMN IF NOT
//! EXISTS`), so a store written by an older tack is brought up to date by the next `tack apply`;
//! reads cope with a store that was not upgraded yet (the history reads as empty).

use serde::Serialize;
use tack_exec::{History, LockHolder, MigrationRecord, Status, StepRecord, StepSpec};
use tokio_postgres::Client;

/// The advisory lock key of a run: `pg_try_advisory_lock(RUN_LOCK_KEY)` ("tack" in ASCII). A
/// bigint key shows in `pg_locks` as classid 0, objid the key, objsubid 1.
pub const RUN_LOCK_KEY: i64 = 0x7461_636b;

/// Creates the state store (idempotent).
pub const SCHEMA_SQL: &str = "\
CREATE SCHEMA IF NOT EXISTS tack;
CREATE TABLE IF NOT EXISTS tack.migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    status text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE TABLE IF NOT EXISTS tack.steps (
    migration text NOT NULL REFERENCES tack.migrations (name) ON DELETE CASCADE,
    step_id text NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    sql text NOT NULL,
    spec text NOT NULL,
    status text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    started_at timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (migration, step_id)
);
CREATE TABLE IF NOT EXISTS tack.backfill_cursors (
    migration text NOT NULL,
    step_id text NOT NULL,
    cursor text NOT NULL,
    rows_done bigint NOT NULL DEFAULT 0,
    batches bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (migration, step_id)
);
CREATE TABLE IF NOT EXISTS tack.backfill_xids (
    migration text NOT NULL,
    step_id text NOT NULL,
    xid bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS tack.control (
    id integer PRIMARY KEY CHECK (id = 1),
    paused boolean NOT NULL DEFAULT false,
    paused_at timestamptz,
    runner_pid integer,
    runner_since timestamptz
);
INSERT INTO tack.control (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
-- Upgrades a store from before the history columns. Only when one is missing: ALTER TABLE takes
-- ACCESS EXCLUSIVE and needs the table's owner even when it adds nothing.
DO $tack$ BEGIN
  IF (SELECT count(*) FROM pg_attribute WHERE attrelid = 'tack.migrations'::regclass
        AND attname IN ('version', 'duration_ms', 'applied_by', 'tack_version', 'fingerprint')
        AND NOT attisdropped) < 5 THEN
    ALTER TABLE tack.migrations
        ADD COLUMN IF NOT EXISTS version text,
        ADD COLUMN IF NOT EXISTS duration_ms bigint,
        ADD COLUMN IF NOT EXISTS applied_by text,
        ADD COLUMN IF NOT EXISTS tack_version text,
        ADD COLUMN IF NOT EXISTS fingerprint text;
  END IF;
END $tack$;
";

/// A timestamp column as ISO 8601 text in UTC.
macro_rules! ts {
    ($col:expr) => {
        concat!(
            "to_char(",
            $col,
            " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        )
    };
}

/// Creates the state store when missing. Concurrent creators may collide on the catalog's unique
/// indexes; the loser tries again.
pub async fn ensure(client: &Client) -> Result<(), tokio_postgres::Error> {
    let mut tries = 0;
    loop {
        match client.batch_execute(SCHEMA_SQL).await {
            Ok(()) => return Ok(()),
            Err(e)
                if tries < 3
                    && e.code().is_some_and(|c| {
                        *c == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
                            || *c == tokio_postgres::error::SqlState::DUPLICATE_SCHEMA
                            || *c == tokio_postgres::error::SqlState::DUPLICATE_TABLE
                    }) =>
            {
                tries += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether the state store exists.
pub async fn exists(client: &Client) -> Result<bool, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT to_regclass('tack.migrations') IS NOT NULL AND to_regclass('tack.control') IS NOT NULL",
            &[],
        )
        .await?;
    row.try_get(0)
}

fn status_of(text: &str) -> Status {
    Status::parse(text).unwrap_or(Status::Failed)
}

const MIGRATION_COLUMNS: &str = concat!(
    "name, checksum, status, ",
    ts!("started_at"),
    ", ",
    ts!("finished_at"),
    ", version, duration_ms, applied_by, tack_version, fingerprint"
);

/// The same columns for a store from before the history columns (read-only commands do not
/// upgrade the store; `tack apply` does).
const MIGRATION_COLUMNS_V1: &str = concat!(
    "name, checksum, status, ",
    ts!("started_at"),
    ", ",
    ts!("finished_at"),
    ", NULL::text, NULL::bigint, NULL::text, NULL::text, NULL::text"
);

/// The migration columns this store has.
async fn migration_columns(client: &Client) -> Result<&'static str, tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute \
              WHERE attrelid = 'tack.migrations'::regclass AND attname = 'fingerprint' \
                AND NOT attisdropped)",
            &[],
        )
        .await?;
    Ok(if row.try_get(0)? {
        MIGRATION_COLUMNS
    } else {
        MIGRATION_COLUMNS_V1
    })
}

const STEP_QUERY: &str = concat!(
    "SELECT s.migration, s.step_id, s.kind, s.sql, s.spec, s.status, s.attempts, s.last_error, ",
    ts!("s.started_at"),
    ", ",
    ts!("s.finished_at"),
    ", c.rows_done, c.cursor \
     FROM tack.steps s LEFT JOIN tack.backfill_cursors c \
       ON c.migration = s.migration AND c.step_id = s.step_id"
);

fn step_from_row(row: &tokio_postgres::Row) -> Result<(String, StepRecord), tokio_postgres::Error> {
    let spec: String = row.try_get(4)?;
    let status: String = row.try_get(5)?;
    Ok((
        row.try_get(0)?,
        StepRecord {
            id: row.try_get(1)?,
            spec: serde_json::from_str::<StepSpec>(&spec).ok(),
            kind: row.try_get(2)?,
            sql: row.try_get(3)?,
            status: status_of(&status),
            attempts: row.try_get(6)?,
            last_error: row.try_get(7)?,
            started_at: row.try_get(8)?,
            finished_at: row.try_get(9)?,
            rows_done: row.try_get(10)?,
            cursor: row.try_get(11)?,
        },
    ))
}

fn migration_from_row(row: &tokio_postgres::Row) -> Result<MigrationRecord, tokio_postgres::Error> {
    let status: String = row.try_get(2)?;
    Ok(MigrationRecord {
        name: row.try_get(0)?,
        checksum: row.try_get(1)?,
        status: status_of(&status),
        started_at: row.try_get(3)?,
        finished_at: row.try_get(4)?,
        history: History {
            version: row.try_get(5)?,
            duration_ms: row.try_get(6)?,
            applied_by: row.try_get(7)?,
            tack_version: row.try_get(8)?,
            fingerprint: row.try_get(9)?,
        },
        steps: Vec::new(),
    })
}

/// What one run did to a migration, recorded when the run's work on it ends (done, failed or
/// interrupted).
#[derive(Debug, Clone)]
pub struct RunRecord<'a> {
    pub name: &'a str,
    /// The version part of the file name.
    pub version: &'a str,
    /// Time this run spent on it; added to what earlier runs spent.
    pub run_ms: i64,
    /// The client's host name; the database role is added here (`role@host`).
    pub client_host: &'a str,
    pub tack_version: &'a str,
}

/// Records a run's history on its migration (a no-op when the migration is not recorded).
pub async fn record_run(client: &Client, run: &RunRecord<'_>) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE tack.migrations SET version = $2, \
                    duration_ms = coalesce(duration_ms, 0) + $3, \
                    applied_by = current_user || '@' || $4, tack_version = $5 \
              WHERE name = $1",
            &[
                &run.name,
                &run.version,
                &run.run_ms,
                &run.client_host,
                &run.tack_version,
            ],
        )
        .await?;
    Ok(())
}

/// Records the schema fingerprint a migration left (None clears it).
pub async fn record_fingerprint(
    client: &Client,
    name: &str,
    fingerprint: Option<&str>,
) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE tack.migrations SET fingerprint = $2 WHERE name = $1",
            &[&name, &fingerprint],
        )
        .await?;
    Ok(())
}

/// One recorded migration with its steps.
pub async fn migration(
    client: &Client,
    name: &str,
) -> Result<Option<MigrationRecord>, tokio_postgres::Error> {
    let columns = migration_columns(client).await?;
    let Some(row) = client
        .query_opt(
            &format!("SELECT {columns} FROM tack.migrations WHERE name = $1"),
            &[&name],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut m = migration_from_row(&row)?;
    let rows = client
        .query(
            &format!("{STEP_QUERY} WHERE s.migration = $1 ORDER BY s.seq"),
            &[&name],
        )
        .await?;
    for row in &rows {
        m.steps.push(step_from_row(row)?.1);
    }
    Ok(Some(m))
}

/// Everything `tack status` shows.
#[derive(Debug, Clone, Serialize)]
pub struct StateReport {
    /// False when the database has no `tack` schema yet (nothing was ever applied).
    pub initialized: bool,
    pub paused: bool,
    /// The run holding the run lock now, if any.
    pub running: Option<LockHolder>,
    pub migrations: Vec<MigrationRecord>,
}

/// Reads the whole state store.
pub async fn report(client: &Client) -> Result<StateReport, tokio_postgres::Error> {
    let running = holder(client).await?;
    if !exists(client).await? {
        return Ok(StateReport {
            initialized: false,
            paused: false,
            running,
            migrations: Vec::new(),
        });
    }
    let paused = client
        .query_opt("SELECT paused FROM tack.control WHERE id = 1", &[])
        .await?
        .map(|r| r.try_get::<_, bool>(0))
        .transpose()?
        .unwrap_or(false);
    let columns = migration_columns(client).await?;
    let mut migrations = Vec::new();
    for row in client
        .query(
            &format!("SELECT {columns} FROM tack.migrations ORDER BY started_at, name"),
            &[],
        )
        .await?
    {
        migrations.push(migration_from_row(&row)?);
    }
    for row in client
        .query(&format!("{STEP_QUERY} ORDER BY s.migration, s.seq"), &[])
        .await?
    {
        let (name, step) = step_from_row(&row)?;
        if let Some(m) = migrations.iter_mut().find(|m| m.name == name) {
            m.steps.push(step);
        }
    }
    Ok(StateReport {
        initialized: true,
        paused,
        running,
        migrations,
    })
}

/// Sets or clears the pause flag (creating the state store if needed).
pub async fn set_paused(client: &Client, paused: bool) -> Result<(), tokio_postgres::Error> {
    ensure(client).await?;
    client
        .execute(
            "UPDATE tack.control SET paused = $1, paused_at = CASE WHEN $1 THEN now() END WHERE id = 1",
            &[&paused],
        )
        .await?;
    Ok(())
}

/// Who holds the run lock in this database, if anyone.
pub async fn holder(client: &Client) -> Result<Option<LockHolder>, tokio_postgres::Error> {
    let sql = format!(
        "SELECT l.pid, coalesce(a.application_name, ''), \
                coalesce(host(a.client_addr), 'local socket'), {} \
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid \
         WHERE l.locktype = 'advisory' AND l.granted \
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) \
           AND l.classid = 0 AND l.objid = {} AND l.objsubid = 1",
        ts!("a.backend_start"),
        RUN_LOCK_KEY
    );
    let Some(row) = client.query_opt(&sql, &[]).await? else {
        return Ok(None);
    };
    let pid: i32 = row.try_get(0)?;
    let mut since: Option<String> = row.try_get(3)?;
    if exists(client).await? {
        if let Some(r) = client
            .query_opt(
                &format!(
                    "SELECT {} FROM tack.control WHERE id = 1 AND runner_pid = $1",
                    ts!("runner_since")
                ),
                &[&pid],
            )
            .await?
        {
            since = r.try_get::<_, Option<String>>(0)?.or(since);
        }
    }
    Ok(Some(LockHolder {
        pid,
        application_name: row.try_get(1)?,
        client: row.try_get(2)?,
        since,
    }))
}
