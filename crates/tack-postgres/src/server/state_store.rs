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

use crate::server::runner::classify;
use crate::server::{in_transaction, ConnectOptions, Connection, Error};
use tack_core::plan::Step;
use tack_exec::{
    History, LockHolder, Migration, MigrationRecord, RunRecord, StateReport, StateStore, Status,
    StepRecord, TargetError,
};
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
-- Who runs: the tack process (host and OS pid), beside its server session.
DO $tack$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'tack.control'::regclass
        AND attname = 'runner' AND NOT attisdropped) THEN
    ALTER TABLE tack.control ADD COLUMN IF NOT EXISTS runner text;
  END IF;
END $tack$;
-- The schema tack adopted (`tack baseline`, or the first apply on a database that had one): what
-- `tack drift` starts from, with the migrations applied since replayed on top.
CREATE TABLE IF NOT EXISTS tack.baseline (
    id integer PRIMARY KEY CHECK (id = 1),
    taken_at timestamptz NOT NULL DEFAULT now(),
    taken_by text NOT NULL,
    fingerprint text NOT NULL,
    applied text[] NOT NULL,
    schema jsonb NOT NULL
);
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
            spec: serde_json::from_str::<Step>(&spec).ok(),
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

/// Records a run's history on its migration (a no-op when the migration is not recorded).
pub async fn record_run(client: &Client, run: &RunRecord) -> Result<(), tokio_postgres::Error> {
    client
        .execute(
            "UPDATE tack.migrations SET version = $2, \
                    duration_ms = coalesce(duration_ms, 0) + $3, \
                    applied_by = current_user || '@' || $4, tack_version = $5 \
              WHERE name = $1",
            &[
                &run.migration,
                &run.version,
                &run.duration_ms,
                &run.applied_by,
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

/// Reads the whole state store.
pub async fn report(client: &Client) -> Result<StateReport, tokio_postgres::Error> {
    let running = holder(client).await?;
    if !exists(client).await? {
        return Ok(StateReport {
            initialized: false,
            paused: false,
            holder: running,
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
        holder: running,
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
    let mut runner = None;
    if exists(client).await? {
        let has_runner = client
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'tack.control'::regclass \
                   AND attname = 'runner' AND NOT attisdropped)",
                &[],
            )
            .await?
            .try_get::<_, bool>(0)?;
        if let Some(r) = client
            .query_opt(
                &format!(
                    "SELECT {}, {} FROM tack.control WHERE id = 1 AND runner_pid = $1",
                    ts!("runner_since"),
                    if has_runner { "runner" } else { "NULL::text" }
                ),
                &[&pid],
            )
            .await?
        {
            since = r.try_get::<_, Option<String>>(0)?.or(since);
            runner = r.try_get::<_, Option<String>>(1)?;
        }
    }
    Ok(Some(LockHolder {
        pid,
        application_name: row.try_get(1)?,
        client: row.try_get(2)?,
        since,
        runner,
    }))
}

/// `on HOST, pid N` of this tack process, recorded beside its session so another run can say
/// who holds the lock.
pub fn this_runner() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown host".to_owned());
    format!("on {host}, pid {}", std::process::id())
}

fn state_error(e: &tokio_postgres::Error) -> TargetError {
    classify("state store (tack schema)", e)
}

async fn insert_steps(client: &Client, m: &Migration) -> Result<(), tokio_postgres::Error> {
    for (i, step) in m.steps.iter().enumerate() {
        let seq = i as i32 + 1;
        let spec = serde_json::to_string(step).unwrap_or_default();
        client
            .execute(
                "INSERT INTO tack.steps (migration, step_id, seq, kind, sql, spec) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (migration, step_id) DO NOTHING",
                &[
                    &m.name,
                    &step.id,
                    &seq,
                    &step.kind(),
                    &step.display_sql(),
                    &spec,
                ],
            )
            .await?;
    }
    Ok(())
}

/// Records a step's status (and its end time when it is final), in the caller's transaction.
pub const MARK_STATUS: &str = "UPDATE tack.steps SET status = $3, \
     finished_at = CASE WHEN $3 IN ('done', 'rolled_back') THEN now() END, last_error = NULL \
     WHERE migration = $1 AND step_id = $2";

/// The PostgreSQL [`StateStore`]: the `tack` schema, through one session (the runner's control
/// session, or a session of its own for the read-only commands and `tack pause`).
pub struct PgStore {
    conn: Connection,
}

impl PgStore {
    /// A store session of its own.
    pub async fn connect(url: &str) -> Result<PgStore, Error> {
        let mut options = ConnectOptions::new(url)?;
        if options.config().get_application_name() == Some(crate::DEFAULT_APPLICATION_NAME) {
            options.set_application_name("tack");
        }
        Ok(PgStore {
            conn: options.connect().await?,
        })
    }

    pub(crate) fn on(conn: Connection) -> PgStore {
        PgStore { conn }
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn client(&self) -> &Client {
        self.conn.client()
    }

    /// The adopted schema, if one was taken (a store without the table has none).
    pub async fn baseline(&self) -> Result<Option<Baseline>, Error> {
        let c = self.client();
        let what = "reading tack's baseline";
        let present: bool = c
            .query_one("SELECT to_regclass('tack.baseline') IS NOT NULL", &[])
            .await
            .and_then(|r| r.try_get(0))
            .map_err(|e| self.conn.query_error(what, &e))?;
        if !present {
            return Ok(None);
        }
        let row = c
            .query_opt(
                &format!(
                    "SELECT {}, taken_by, fingerprint, applied, schema::text FROM tack.baseline",
                    ts!("taken_at")
                ),
                &[],
            )
            .await
            .map_err(|e| self.conn.query_error(what, &e))?;
        let Some(row) = row else { return Ok(None) };
        let get = |e: tokio_postgres::Error| self.conn.query_error(what, &e);
        let schema: String = row.try_get(4).map_err(get)?;
        Ok(Some(Baseline {
            taken_at: row.try_get(0).map_err(get)?,
            taken_by: row.try_get(1).map_err(get)?,
            fingerprint: row.try_get(2).map_err(get)?,
            applied: row.try_get(3).map_err(get)?,
            schema: serde_json::from_str(&schema).map_err(|e| {
                super::error::unexpected(self.conn.target(), "tack.baseline", e.to_string())
            })?,
        }))
    }

    /// Records `schema` as the adopted one (replacing an earlier baseline), with the migrations
    /// that count as applied in it.
    pub async fn save_baseline(
        &self,
        schema: &crate::schema::SchemaModel,
        applied: &[String],
        taken_by: &str,
    ) -> Result<(), Error> {
        let what = "recording tack's baseline";
        ensure(self.client())
            .await
            .map_err(|e| self.conn.query_error(what, &e))?;
        let json = serde_json::to_string(schema).map_err(|e| {
            super::error::unexpected(self.conn.target(), "tack.baseline", e.to_string())
        })?;
        let fingerprint = crate::schema::fingerprint(schema);
        self.client()
            .execute(
                "INSERT INTO tack.baseline (id, taken_by, fingerprint, applied, schema) \
                 VALUES (1, $1, $2, $3, $4::text::jsonb) \
                 ON CONFLICT (id) DO UPDATE SET taken_at = now(), taken_by = EXCLUDED.taken_by, \
                 fingerprint = EXCLUDED.fingerprint, applied = EXCLUDED.applied, \
                 schema = EXCLUDED.schema",
                &[&taken_by, &fingerprint, &applied, &json],
            )
            .await
            .map_err(|e| self.conn.query_error(what, &e))?;
        Ok(())
    }
}

/// The schema tack adopted, and when.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub taken_at: String,
    /// `tack baseline`, or `first tack apply`, with the host.
    pub taken_by: String,
    pub fingerprint: String,
    /// Migrations that counted as applied when it was taken (their effects are in it).
    pub applied: Vec<String>,
    pub schema: crate::schema::SchemaModel,
}

impl StateStore for PgStore {
    async fn try_lock(&mut self) -> Result<Option<LockHolder>, TargetError> {
        let c = self.client();
        for _ in 0..3 {
            let got: bool = c
                .query_one("SELECT pg_try_advisory_lock($1)", &[&RUN_LOCK_KEY])
                .await
                .map_err(|e| classify("taking the run lock", &e))?
                .get(0);
            if got {
                return Ok(None);
            }
            if let Some(h) = holder(c)
                .await
                .map_err(|e| classify("finding who holds the run lock", &e))?
            {
                return Ok(Some(h));
            }
            // Released in between: try again.
        }
        Ok(Some(LockHolder {
            pid: 0,
            application_name: "unknown".to_owned(),
            client: "unknown".to_owned(),
            since: None,
            runner: None,
        }))
    }

    async fn unlock(&mut self) -> Result<(), TargetError> {
        let c = self.client();
        c.execute(
            "UPDATE tack.control SET runner_pid = NULL, runner_since = NULL, runner = NULL \
             WHERE id = 1 AND runner_pid = pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| state_error(&e))?;
        c.query_one("SELECT pg_advisory_unlock($1)", &[&RUN_LOCK_KEY])
            .await
            .map_err(|e| classify("releasing the run lock", &e))?;
        Ok(())
    }

    async fn prepare_state(&mut self) -> Result<(), TargetError> {
        let c = self.client();
        ensure(c).await.map_err(|e| state_error(&e))?;
        c.execute(
            "UPDATE tack.control SET runner_pid = pg_backend_pid(), runner_since = now(), \
             runner = $1 WHERE id = 1",
            &[&this_runner()],
        )
        .await
        .map_err(|e| state_error(&e))?;
        Ok(())
    }

    async fn migration(&mut self, name: &str) -> Result<Option<MigrationRecord>, TargetError> {
        if !exists(self.client()).await.map_err(|e| state_error(&e))? {
            return Ok(None);
        }
        migration(self.client(), name)
            .await
            .map_err(|e| state_error(&e))
    }

    async fn start_migration(&mut self, m: &Migration) -> Result<(), TargetError> {
        let c = self.client();
        in_transaction(c, "", async {
            c.execute(
                "INSERT INTO tack.migrations (name, checksum, status) VALUES ($1, $2, 'running') \
                 ON CONFLICT (name) DO UPDATE SET status = 'running', finished_at = NULL",
                &[&m.name, &m.checksum],
            )
            .await?;
            insert_steps(c, m).await
        })
        .await
        .map_err(|e| state_error(&e))
    }

    async fn finish_migration(&mut self, name: &str, status: Status) -> Result<(), TargetError> {
        self.client()
            .execute(
                "UPDATE tack.migrations SET status = $2, \
                 finished_at = CASE WHEN $2 IN ('done', 'expanded', 'rolled_back') THEN now() END \
                 WHERE name = $1",
                &[&name, &status.as_str()],
            )
            .await
            .map_err(|e| state_error(&e))?;
        Ok(())
    }

    async fn step_attempt(&mut self, migration: &str, step: &str) -> Result<(), TargetError> {
        self.client()
            .execute(
                "UPDATE tack.steps SET status = 'running', attempts = attempts + 1, \
                 started_at = coalesce(started_at, now()) WHERE migration = $1 AND step_id = $2",
                &[&migration, &step],
            )
            .await
            .map_err(|e| state_error(&e))?;
        Ok(())
    }

    async fn step_status(
        &mut self,
        migration: &str,
        step: &str,
        status: Status,
    ) -> Result<(), TargetError> {
        self.client()
            .execute(MARK_STATUS, &[&migration, &step, &status.as_str()])
            .await
            .map_err(|e| state_error(&e))?;
        Ok(())
    }

    async fn step_failed(
        &mut self,
        migration: &str,
        step: &str,
        error: &str,
    ) -> Result<(), TargetError> {
        self.client()
            .execute(
                "UPDATE tack.steps SET status = 'failed', last_error = $3 \
                 WHERE migration = $1 AND step_id = $2",
                &[&migration, &step, &error],
            )
            .await
            .map_err(|e| state_error(&e))?;
        Ok(())
    }

    async fn replace_plan(&mut self, m: &Migration) -> Result<(), TargetError> {
        let c = self.client();
        in_transaction(c, "", async {
            for table in ["tack.steps", "tack.backfill_cursors", "tack.backfill_xids"] {
                c.execute(
                    &format!("DELETE FROM {table} WHERE migration = $1"),
                    &[&m.name],
                )
                .await?;
            }
            c.execute(
                "UPDATE tack.migrations SET checksum = $2, status = 'running', finished_at = NULL \
                 WHERE name = $1",
                &[&m.name, &m.checksum],
            )
            .await?;
            insert_steps(c, m).await
        })
        .await
        .map_err(|e| state_error(&e))
    }

    async fn forget(&mut self, name: &str) -> Result<(), TargetError> {
        let c = self.client();
        in_transaction(c, "", async {
            for table in ["tack.backfill_cursors", "tack.backfill_xids"] {
                c.execute(
                    &format!("DELETE FROM {table} WHERE migration = $1"),
                    &[&name],
                )
                .await?;
            }
            c.execute("DELETE FROM tack.migrations WHERE name = $1", &[&name])
                .await?;
            Ok(())
        })
        .await
        .map_err(|e| state_error(&e))
    }

    async fn rename(&mut self, from: &str, to: &str) -> Result<(), TargetError> {
        let c = self.client();
        ensure(c).await.map_err(|e| state_error(&e))?;
        in_transaction(c, "", async {
            c.execute(
                "INSERT INTO tack.migrations (name, checksum, status, started_at, finished_at, \
                 version, duration_ms, applied_by, tack_version, fingerprint) \
                 SELECT $2, checksum, status, started_at, finished_at, version, duration_ms, \
                 applied_by, tack_version, fingerprint FROM tack.migrations WHERE name = $1",
                &[&from, &to],
            )
            .await?;
            // Step ids are `<migration>#<n>`, in the row and in the stored step.
            c.execute(
                "UPDATE tack.steps SET migration = $2, \
                 step_id = $2 || substr(step_id, length($1) + 1), \
                 spec = replace(spec, '\"' || $1 || '#', '\"' || $2 || '#') \
                 WHERE migration = $1",
                &[&from, &to],
            )
            .await?;
            for table in ["tack.backfill_cursors", "tack.backfill_xids"] {
                c.execute(
                    &format!(
                        "UPDATE {table} SET migration = $2, \
                         step_id = $2 || substr(step_id, length($1) + 1) WHERE migration = $1"
                    ),
                    &[&from, &to],
                )
                .await?;
            }
            c.execute("DELETE FROM tack.migrations WHERE name = $1", &[&from])
                .await?;
            Ok(())
        })
        .await
        .map_err(|e| state_error(&e))
    }

    async fn report(&mut self) -> Result<StateReport, TargetError> {
        report(self.client()).await.map_err(|e| state_error(&e))
    }

    async fn record_run(&mut self, run: &RunRecord) -> Result<(), TargetError> {
        record_run(self.client(), run)
            .await
            .map_err(|e| state_error(&e))
    }

    async fn record_fingerprint(
        &mut self,
        migration: &str,
        fingerprint: &str,
    ) -> Result<(), TargetError> {
        record_fingerprint(self.client(), migration, Some(fingerprint))
            .await
            .map_err(|e| state_error(&e))
    }

    async fn set_paused(&mut self, paused: bool) -> Result<(), TargetError> {
        set_paused(self.client(), paused)
            .await
            .map_err(|e| state_error(&e))
    }
}
