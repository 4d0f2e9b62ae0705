//! [`PgRunner`]: the executor's PostgreSQL adapter — its [`Target`] and [`StateStore`].
//!
//! Two sessions: the control session (a [`PgStore`]) holds the run lock (a session-level
//! advisory lock taken with `pg_try_advisory_lock`, never waited for), keeps the state store and
//! measures throttles; `work` runs the steps and batches, each with its own `lock_timeout` /
//! `statement_timeout`. The control session never stays inside a transaction, so it never holds
//! up a concurrent index build.

use crate::backfill_sql as backfill;
use crate::server::state_store::{PgStore, MARK_STATUS};
use crate::server::throttle;
use crate::server::{in_transaction, ConnectOptions, Connection, Error, DEFAULT_APPLICATION_NAME};
use crate::sql::PgName;
use std::collections::HashMap;
use tack_core::plan::{Backfill as BackfillSpec, BackfillKey as KeySpec, Step};
use tack_core::QualifiedName;
use tack_exec::{
    BackfillProgress, BatchResult, ErrorKind, LockHolder, Migration, MigrationRecord, RunRecord,
    StateReport, StateStore, Status, Target, TargetError, ThrottleLimits, ThrottleReason, Timeouts,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

/// Batch sizes: keyset batches count rows, ctid batches count pages.
const PK_INITIAL: u64 = 500;
const PK_MAX: u64 = 50_000;
const PAGES_INITIAL: u64 = 8;
const PAGES_MAX: u64 = 5_000;
/// Before PostgreSQL 14 a page batch lists its TIDs (291 per page).
const PAGES_MAX_LEGACY: u64 = 200;

/// What the adapter learned about a backfilled table.
#[derive(Debug, Clone)]
struct TableInfo {
    oid: i64,
    key_types: Vec<String>,
    reltuples: Option<u64>,
}

/// A replica to measure lag on.
struct Replica {
    /// Redacted, for messages.
    shown: String,
    options: ConnectOptions,
    conn: Option<Connection>,
}

/// The PostgreSQL [`Target`] and [`StateStore`].
pub struct PgRunner {
    store: PgStore,
    work: Connection,
    major: u32,
    replicas: Vec<Replica>,
    tables: HashMap<QualifiedName, TableInfo>,
}

/// Classifies a driver error for the executor's retry decisions; `what` says what was being done.
pub fn classify(what: &str, e: &tokio_postgres::Error) -> TargetError {
    if let Some(db) = e.as_db_error() {
        let code = db.code();
        let kind = if *code == SqlState::LOCK_NOT_AVAILABLE {
            ErrorKind::LockTimeout
        } else if *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
        {
            ErrorKind::Conflict
        } else if *code == SqlState::QUERY_CANCELED {
            ErrorKind::StatementTimeout
        } else if *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
            || *code == SqlState::CANNOT_CONNECT_NOW
        {
            ErrorKind::Connection
        } else {
            ErrorKind::Failed
        };
        let mut message = format!("{what}: {}", db.message());
        if let Some(detail) = db.detail() {
            message.push_str(&format!(" ({detail})"));
        }
        message.push_str(&format!(" [SQLSTATE {}]", code.code()));
        if let Some(hint) = db.hint() {
            message.push_str(&format!(" — {hint}"));
        }
        return TargetError::new(kind, message);
    }
    let kind = if e.is_closed() || std::error::Error::source(e).is_some() {
        ErrorKind::Connection
    } else {
        ErrorKind::Failed
    };
    let mut message = format!("{what}: {e}");
    if let Some(src) = std::error::Error::source(e) {
        message.push_str(&format!(": {src}"));
    }
    TargetError::new(kind, message)
}

fn ms(d: std::time::Duration) -> u128 {
    d.as_millis()
}

fn local_settings(t: Timeouts) -> String {
    format!(
        "SET LOCAL lock_timeout = '{}ms'; SET LOCAL statement_timeout = '{}ms'",
        ms(t.lock_timeout),
        ms(t.statement_timeout)
    )
}

fn state_error(e: &tokio_postgres::Error) -> TargetError {
    classify("state store (tack schema)", e)
}

impl PgRunner {
    /// Connects the two sessions (and remembers the replicas, connected when first measured).
    pub async fn connect(url: &str, replica_urls: &[String]) -> Result<PgRunner, Error> {
        let mut options = ConnectOptions::new(url)?;
        if options.config().get_application_name() == Some(DEFAULT_APPLICATION_NAME) {
            options.set_application_name("tack apply");
        }
        let ctl = options.connect().await?;
        let work = options.connect().await?;
        let major = ctl.server_version().await?.major;
        let mut replicas = Vec::new();
        for r in replica_urls {
            let mut o = ConnectOptions::new(r)?;
            o.set_application_name("tack apply (lag)");
            replicas.push(Replica {
                shown: o.target().to_owned(),
                options: o,
                conn: None,
            });
        }
        Ok(PgRunner {
            store: PgStore::on(ctl),
            work,
            major,
            replicas,
            tables: HashMap::new(),
        })
    }

    /// The control session (state store, probes).
    pub fn control(&self) -> &Connection {
        self.store.connection()
    }

    fn ctl(&self) -> &Client {
        self.store.connection().client()
    }

    /// The PostgreSQL major version.
    pub fn major(&self) -> u32 {
        self.major
    }

    async fn table_info(&mut self, b: &BackfillSpec) -> Result<TableInfo, TargetError> {
        if let Some(info) = self.tables.get(&b.table) {
            return Ok(info.clone());
        }
        let name = b.table.sql();
        let what = format!("looking up table {name}");
        let row = self.ctl()
            .query_opt(
                "SELECT c.oid::bigint, c.reltuples::float8 FROM pg_class c WHERE c.oid = to_regclass($1)",
                &[&name],
            )
            .await
            .map_err(|e| classify(&what, &e))?
            .ok_or_else(|| {
                TargetError::new(ErrorKind::Failed, format!("table {name} does not exist"))
            })?;
        let oid: i64 = row.get(0);
        let reltuples: f64 = row.get(1);
        let mut key_types = Vec::new();
        if let KeySpec::PrimaryKey(cols) = &b.key {
            let rows = self
                .ctl()
                .query(
                    "SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute \
                     WHERE attrelid = $1::bigint::oid AND attnum > 0 AND NOT attisdropped",
                    &[&oid],
                )
                .await
                .map_err(|e| classify(&what, &e))?;
            let types: HashMap<String, String> =
                rows.iter().map(|r| (r.get(0), r.get(1))).collect();
            for c in cols {
                let ty = types.get(c).ok_or_else(|| {
                    TargetError::new(
                        ErrorKind::Failed,
                        format!("table {name} has no column {c} (its key for the backfill)"),
                    )
                })?;
                key_types.push(ty.clone());
            }
        }
        let info = TableInfo {
            oid,
            key_types,
            reltuples: (reltuples > 0.0).then_some(reltuples as u64),
        };
        self.tables.insert(b.table.clone(), info.clone());
        Ok(info)
    }

    fn progress_of(
        &self,
        b: &BackfillSpec,
        info: &TableInfo,
        cursor: serde_json::Value,
        rows_done: u64,
        resumed: bool,
    ) -> BackfillProgress {
        match b.key {
            KeySpec::PrimaryKey(_) => {
                let visited = cursor["visited"].as_u64().unwrap_or(0);
                BackfillProgress {
                    finished: cursor["finished"].as_bool().unwrap_or(false),
                    cursor,
                    rows_done,
                    unit: "rows".to_owned(),
                    position: visited,
                    total: info.reltuples.map(|t| t.max(visited)),
                    initial_size: PK_INITIAL,
                    max_size: PK_MAX,
                    resumed,
                }
            }
            KeySpec::PhysicalPages => {
                let page = cursor["page"].as_u64().unwrap_or(0);
                let end = cursor["end"].as_u64().unwrap_or(0);
                BackfillProgress {
                    finished: page >= end,
                    cursor,
                    rows_done,
                    unit: "pages".to_owned(),
                    position: page.min(end),
                    total: Some(end),
                    initial_size: PAGES_INITIAL,
                    max_size: if self.major >= 14 {
                        PAGES_MAX
                    } else {
                        PAGES_MAX_LEGACY
                    },
                    resumed,
                }
            }
        }
    }
}

impl StateStore for PgRunner {
    async fn try_lock(&mut self) -> Result<Option<LockHolder>, TargetError> {
        self.store.try_lock().await
    }
    async fn unlock(&mut self) -> Result<(), TargetError> {
        self.store.unlock().await
    }
    async fn prepare_state(&mut self) -> Result<(), TargetError> {
        self.store.prepare_state().await
    }
    async fn migration(&mut self, name: &str) -> Result<Option<MigrationRecord>, TargetError> {
        self.store.migration(name).await
    }
    async fn start_migration(&mut self, migration: &Migration) -> Result<(), TargetError> {
        self.store.start_migration(migration).await
    }
    async fn finish_migration(&mut self, name: &str, status: Status) -> Result<(), TargetError> {
        self.store.finish_migration(name, status).await
    }
    async fn step_attempt(&mut self, migration: &str, step: &str) -> Result<(), TargetError> {
        self.store.step_attempt(migration, step).await
    }
    async fn step_status(
        &mut self,
        migration: &str,
        step: &str,
        status: Status,
    ) -> Result<(), TargetError> {
        self.store.step_status(migration, step, status).await
    }
    async fn step_failed(
        &mut self,
        migration: &str,
        step: &str,
        error: &str,
    ) -> Result<(), TargetError> {
        self.store.step_failed(migration, step, error).await
    }
    async fn replace_plan(&mut self, migration: &Migration) -> Result<(), TargetError> {
        self.store.replace_plan(migration).await
    }
    async fn forget(&mut self, name: &str) -> Result<(), TargetError> {
        self.store.forget(name).await
    }
    async fn rename(&mut self, from: &str, to: &str) -> Result<(), TargetError> {
        self.store.rename(from, to).await
    }
    async fn report(&mut self) -> Result<StateReport, TargetError> {
        self.store.report().await
    }
    async fn record_run(&mut self, run: &RunRecord) -> Result<(), TargetError> {
        self.store.record_run(run).await
    }
    async fn record_fingerprint(
        &mut self,
        migration: &str,
        fingerprint: &str,
    ) -> Result<(), TargetError> {
        self.store.record_fingerprint(migration, fingerprint).await
    }
    async fn set_paused(&mut self, paused: bool) -> Result<(), TargetError> {
        self.store.set_paused(paused).await
    }
}

impl Target for PgRunner {
    async fn probe(&mut self, sql: &str) -> Result<bool, TargetError> {
        let row = self
            .ctl()
            .query_one(sql, &[])
            .await
            .map_err(|e| classify(&format!("done probe `{sql}`"), &e))?;
        row.try_get::<_, Option<bool>>(0)
            .map(|b| b.unwrap_or(false))
            .map_err(|e| classify(&format!("done probe `{sql}`"), &e))
    }

    async fn run_sql(
        &mut self,
        migration: &str,
        step: &Step,
        sql: &str,
        transactional: bool,
        done_status: Status,
        timeouts: Timeouts,
    ) -> Result<(), TargetError> {
        let c = self.work.client();
        let what = format!("step {}", step.id);
        if transactional {
            in_transaction(c, &local_settings(timeouts), async {
                c.batch_execute(sql).await?;
                c.execute(MARK_STATUS, &[&migration, &step.id, &done_status.as_str()])
                    .await?;
                Ok(())
            })
            .await
            .map_err(|e| classify(&what, &e))
        } else {
            c.batch_execute(&format!(
                "SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'",
                ms(timeouts.lock_timeout),
                ms(timeouts.statement_timeout)
            ))
            .await
            .map_err(|e| classify(&what, &e))?;
            let result = c.batch_execute(sql).await;
            if !c.is_closed() {
                let _ = c
                    .batch_execute("RESET lock_timeout; RESET statement_timeout")
                    .await;
            }
            result.map_err(|e| classify(&what, &e))
        }
    }

    async fn run_cleanup(&mut self, sql: &str, timeouts: Timeouts) -> Result<(), TargetError> {
        let c = self.work.client();
        c.batch_execute(&format!(
            "SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'",
            ms(timeouts.lock_timeout),
            ms(timeouts.statement_timeout)
        ))
        .await
        .map_err(|e| classify("cleanup", &e))?;
        let result = c.batch_execute(sql).await;
        if !c.is_closed() {
            let _ = c
                .batch_execute("RESET lock_timeout; RESET statement_timeout")
                .await;
        }
        result.map_err(|e| classify(&format!("cleanup `{sql}`"), &e))
    }

    async fn backfill_start(
        &mut self,
        migration: &str,
        step: &str,
        b: &BackfillSpec,
        timeouts: Timeouts,
    ) -> Result<BackfillProgress, TargetError> {
        let info = self.table_info(b).await?;
        let (function, trigger) = backfill::helper_names(migration, step);
        if b.trigger {
            let c = self.work.client();
            let exists: bool = c
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = $1::bigint::oid AND tgname = $2)",
                    &[&info.oid, &trigger],
                )
                .await
                .map_err(|e| classify("checking the backfill trigger", &e))?
                .get(0);
            let function_sql = backfill::trigger_function_sql(b, &function);
            let trigger_sql = backfill::create_trigger_sql(b, &function, &trigger, self.major);
            in_transaction(c, &local_settings(timeouts), async {
                c.batch_execute(&function_sql).await?;
                if !exists {
                    c.batch_execute(&trigger_sql).await?;
                }
                Ok(())
            })
            .await
            .map_err(|e| {
                classify(
                    &format!("installing the backfill trigger on {}", b.table.sql()),
                    &e,
                )
            })?;
        }
        let c = self.ctl();
        let existing = c
            .query_opt(
                "SELECT cursor, rows_done FROM tack.backfill_cursors WHERE migration = $1 AND step_id = $2",
                &[&migration, &step],
            )
            .await
            .map_err(|e| state_error(&e))?;
        if let Some(row) = existing {
            let text: String = row.get(0);
            let rows: i64 = row.get(1);
            let cursor = serde_json::from_str(&text).map_err(|e| {
                TargetError::new(
                    ErrorKind::Failed,
                    format!("the backfill cursor of {step} cannot be read ({e}): {text}"),
                )
            })?;
            return Ok(self.progress_of(b, &info, cursor, rows.max(0) as u64, true));
        }
        // A fresh start: measured after the trigger is in place, so every row written from now
        // on is the trigger's, and every row before is on a page below `end`.
        let cursor = match b.key {
            KeySpec::PrimaryKey(_) => {
                serde_json::json!({ "after": null, "visited": 0, "finished": false })
            }
            KeySpec::PhysicalPages => {
                let pages: i64 = c
                    .query_one(
                        "SELECT (pg_relation_size($1::bigint::oid) / current_setting('block_size')::bigint)::bigint",
                        &[&info.oid],
                    )
                    .await
                    .map_err(|e| classify("measuring the table", &e))?
                    .get(0);
                serde_json::json!({ "page": 0, "end": pages })
            }
        };
        c.execute(
            "INSERT INTO tack.backfill_cursors (migration, step_id, cursor) VALUES ($1, $2, $3) \
             ON CONFLICT (migration, step_id) DO NOTHING",
            &[&migration, &step, &cursor.to_string()],
        )
        .await
        .map_err(|e| state_error(&e))?;
        Ok(self.progress_of(b, &info, cursor, 0, false))
    }

    async fn backfill_batch(
        &mut self,
        migration: &str,
        step: &str,
        b: &BackfillSpec,
        progress: &BackfillProgress,
        size: u64,
        timeouts: Timeouts,
    ) -> Result<BatchResult, TargetError> {
        let info = self.table_info(b).await?;
        let c = self.work.client();
        let settings =
            backfill::batch_settings(ms(timeouts.lock_timeout), ms(timeouts.statement_timeout));
        let size_i = i64::try_from(size).unwrap_or(i64::MAX);
        let mut rows = 0i64;
        let mut next = progress.cursor.clone();
        let what = format!("backfill batch of {}", b.table.sql());
        match &b.key {
            KeySpec::PrimaryKey(_) => {
                let after: Option<Vec<String>> = progress.cursor["after"].as_array().map(|a| {
                    a.iter()
                        .map(|v| v.as_str().unwrap_or("").to_owned())
                        .collect()
                });
                let first = after.is_none();
                let bound_sql = backfill::pk_bound_sql(b, Some(&info.key_types), first);
                let update_sql = backfill::pk_update_sql(b, Some(&info.key_types), first);
                let mut visited_now = 0i64;
                in_transaction(c, &settings, async {
                    let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
                    if let Some(a) = &after {
                        for v in a {
                            params.push(v);
                        }
                    }
                    params.push(&size_i);
                    let row = c.query_one(&bound_sql, &params).await?;
                    visited_now = row.get(0);
                    let last: Option<Vec<String>> = row.get(1);
                    if let Some(upper) = &last {
                        params.pop();
                        for v in upper {
                            params.push(v);
                        }
                        let written = c.execute(&update_sql, &params).await?;
                        rows = i64::try_from(written).unwrap_or(i64::MAX);
                    }
                    let visited = progress.cursor["visited"].as_u64().unwrap_or(0)
                        + visited_now.max(0) as u64;
                    next = serde_json::json!({
                        "after": last.or_else(|| after.clone()),
                        "visited": visited,
                        "finished": visited_now < size_i,
                    });
                    c.execute(
                        "UPDATE tack.backfill_cursors SET cursor = $3, rows_done = rows_done + $4, \
                         batches = batches + 1, updated_at = now() WHERE migration = $1 AND step_id = $2",
                        &[&migration, &step, &next.to_string(), &rows],
                    )
                    .await?;
                    Ok(())
                })
                .await
                .map_err(|e| classify(&what, &e))?;
            }
            KeySpec::PhysicalPages => {
                let page = progress.cursor["page"].as_i64().unwrap_or(0);
                let end = progress.cursor["end"].as_i64().unwrap_or(0);
                let upto = page.saturating_add(size_i).min(end);
                let sql = backfill::ctid_batch_sql(b, self.major);
                in_transaction(c, &settings, async {
                    let row = c
                        .query_one(&sql, &[&page, &upto, &migration, &step])
                        .await?;
                    rows = row.get(0);
                    if rows > 0 {
                        c.execute(backfill::RECORD_XID_SQL, &[&migration, &step])
                            .await?;
                    }
                    next = serde_json::json!({ "page": upto, "end": end });
                    c.execute(
                        "UPDATE tack.backfill_cursors SET cursor = $3, rows_done = rows_done + $4, \
                         batches = batches + 1, updated_at = now() WHERE migration = $1 AND step_id = $2",
                        &[&migration, &step, &next.to_string(), &rows],
                    )
                    .await?;
                    Ok(())
                })
                .await
                .map_err(|e| classify(&what, &e))?;
            }
        }
        let rows = rows.max(0) as u64;
        Ok(BatchResult {
            rows,
            progress: self.progress_of(b, &info, next, progress.rows_done + rows, progress.resumed),
        })
    }

    async fn backfill_finish(
        &mut self,
        migration: &str,
        step: &str,
        b: &BackfillSpec,
        timeouts: Timeouts,
    ) -> Result<(), TargetError> {
        let (function, trigger) = backfill::helper_names(migration, step);
        let c = self.work.client();
        let drops = if b.trigger {
            backfill::drop_trigger_sql(b, &function, &trigger)
        } else {
            Vec::new()
        };
        in_transaction(c, &local_settings(timeouts), async {
            for d in &drops {
                c.batch_execute(d).await?;
            }
            c.execute(
                "DELETE FROM tack.backfill_xids WHERE migration = $1 AND step_id = $2",
                &[&migration, &step],
            )
            .await?;
            c.execute(MARK_STATUS, &[&migration, &step, &Status::Done.as_str()])
                .await?;
            Ok(())
        })
        .await
        .map_err(|e| {
            classify(
                &format!("removing the backfill trigger from {}", b.table.sql()),
                &e,
            )
        })
    }

    async fn throttle(
        &mut self,
        table: &QualifiedName,
        limits: &ThrottleLimits,
    ) -> Result<Option<ThrottleReason>, TargetError> {
        let oid = match self.tables.get(table) {
            Some(i) => i.oid,
            None => return Ok(None),
        };
        let (paused, waiting) = throttle::local_signals(self.ctl(), oid)
            .await
            .map_err(|e| classify("checking throttles", &e))?;
        if paused {
            return Ok(Some(ThrottleReason::Paused));
        }
        if waiting > i64::from(limits.max_lock_waiters) {
            return Ok(Some(ThrottleReason::LockWaiters {
                waiting,
                limit: limits.max_lock_waiters,
            }));
        }
        if limits.max_lag_bytes.is_none() && limits.max_lag_time.is_none() {
            return Ok(None);
        }
        if self.replicas.is_empty() {
            let lags = throttle::primary_lag(self.ctl())
                .await
                .map_err(|e| classify("reading pg_stat_replication", &e))?;
            for (name, bytes, secs) in lags {
                let source = format!("standby {name} (pg_stat_replication)");
                if let Some(r) = throttle::lag_reason(&source, bytes, secs, limits) {
                    return Ok(Some(r));
                }
            }
            return Ok(None);
        }
        let lsn = throttle::current_lsn(self.ctl())
            .await
            .map_err(|e| classify("reading the WAL position", &e))?;
        for replica in &mut self.replicas {
            if replica.conn.as_ref().is_none_or(|c| c.is_closed()) {
                match replica.options.connect().await {
                    Ok(c) => replica.conn = Some(c),
                    Err(e) => {
                        return Ok(Some(ThrottleReason::Unavailable {
                            source: replica.shown.clone(),
                            error: e.to_string(),
                        }))
                    }
                }
            }
            let Some(conn) = &replica.conn else { continue };
            match throttle::replica_lag(conn.client(), &lsn).await {
                Ok((bytes, secs)) => {
                    if let Some(r) = throttle::lag_reason(&replica.shown, bytes, secs, limits) {
                        return Ok(Some(r));
                    }
                }
                Err(e) => {
                    replica.conn = None;
                    return Ok(Some(ThrottleReason::Unavailable {
                        source: replica.shown.clone(),
                        error: classify("measuring lag", &e).message,
                    }));
                }
            }
        }
        Ok(None)
    }
}
