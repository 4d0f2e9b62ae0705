//! The PostgreSQL engine's glue: [`PgEngine`] implements the use cases' [`Engine`] seam with
//! `tack-postgres` — its dialect, its runner and state store, its schema fingerprint and drift
//! check.

use crate::drift::{self, DriftRequest};
use crate::engine::{DriftGuard, DriftVerdict, Engine};
use crate::error::{Error, Result};
use crate::project::applied::ToolHistory;
use crate::project::{Source, Tool};
use std::time::Duration;
use tack_core::plan::{Action, Step};
use tack_core::{Catalog, Version};
use tack_exec::{StateStore, Status};
use tack_postgres::backfill_sql;
use tack_postgres::server::state_store::PgStore;
use tack_postgres::{PgRunner, Postgres};

/// PostgreSQL, as the use cases drive it.
#[derive(Debug, Clone, Copy, Default)]
pub struct PgEngine;

impl Engine for PgEngine {
    type Dialect = Postgres;
    type Runner = PgRunner;
    type Store = PgStore;

    fn dialect(&self) -> &Postgres {
        &Postgres
    }

    fn shown(&self, url: &str) -> String {
        if url.is_empty() {
            "the server named by the PG* variables".to_owned()
        } else {
            tack_postgres::redact(url)
        }
    }

    async fn facts(&self, url: &str) -> Result<(Version, Catalog)> {
        let conn = tack_postgres::connect(url).await?;
        let version = conn.server_version().await?;
        let catalog = conn.catalog().await?;
        Ok((version, catalog))
    }

    async fn runner(&self, url: &str, replicas: &[String]) -> Result<PgRunner> {
        Ok(PgRunner::connect(url, replicas).await?)
    }

    async fn store(&self, url: &str) -> Result<PgStore> {
        Ok(PgStore::connect(url).await?)
    }

    async fn tool_histories(&self, url: &str) -> Result<Vec<ToolHistory>> {
        let conn = tack_postgres::connect(url).await?;
        let read = tack_postgres::server::foreign_history::read(&conn).await?;
        Ok(read
            .into_iter()
            .filter_map(|h| {
                Some(ToolHistory {
                    tool: Tool::from_id(h.tool)?,
                    table: h.table.to_owned(),
                    versions: h.versions,
                    failed: h.failed,
                    scripts: h.scripts,
                    baseline: h.baseline,
                })
            })
            .collect())
    }

    fn runner_version(&self, runner: &PgRunner) -> Version {
        Version::new(runner.major(), 0)
    }

    async fn fingerprint(&self, runner: &PgRunner) -> Result<Option<String>> {
        if runner.major() < 13 {
            return Ok(None);
        }
        let model = drift::read_schema(runner.control()).await?;
        Ok(Some(tack_postgres::schema::fingerprint(&model)))
    }

    /// The fast path: the live schema's fingerprint equals the one recorded after the migration
    /// applied last, so nothing changed since tack left it. Otherwise the full comparison of
    /// `tack drift` decides (replaying the applied migrations on a scratch database, or reading
    /// its cached result). A migration left unfinished is resumed, not judged: its partial
    /// effects are expected.
    async fn drift_guard(&self, check: DriftGuard<'_>, runner: &PgRunner) -> Result<DriftVerdict> {
        let major = runner.major();
        if major < 13 {
            return Ok(DriftVerdict::NotChecked(format!(
                "the schema is not checked for drift on PostgreSQL {major} (schema comparison \
                 needs 13 or later)"
            )));
        }
        let mut store = PgStore::connect(check.url).await?;
        let state = store
            .report()
            .await
            .map_err(|e| Error::from(e).context("reading tack's history"))?;
        if state.migrations.is_empty() || state.migrations.iter().any(|m| m.status != Status::Done)
        {
            return Ok(DriftVerdict::Clean);
        }
        let last = state
            .migrations
            .iter()
            .max_by(|a, b| a.finished_at.cmp(&b.finished_at));
        let recorded = last.and_then(|m| m.history.fingerprint.clone());
        let live = drift::read_schema(runner.control()).await?;
        if recorded.as_deref() == Some(tack_postgres::schema::fingerprint(&live).as_str()) {
            return Ok(DriftVerdict::Clean);
        }
        // The full comparison reuses the schema just read (an introspection is ~1 s at 5,000
        // tables). Without a recorded fingerprint (a run killed right after its migration) a
        // check that cannot be made is said, not fatal: nothing is known to have changed, and
        // the guard must never be what stops every later run. With one that differs, the
        // schema is known to have changed since tack left it: not checking it stops the run.
        let report = drift::check(
            DriftRequest {
                url: check.url,
                dev_url: check.dev_url,
                sources: check.sources,
                histories: check.histories,
                schema_paths: &[],
                use_cache: true,
            },
            Some(live),
        )
        .await;
        Ok(match report {
            Ok(report) if report.drift => DriftVerdict::Drifted(Box::new(report)),
            Ok(_) => DriftVerdict::Clean,
            Err(e) if recorded.is_some() => {
                return Err(e
                    .context("while checking for drift before applying")
                    .hint("--allow-drift skips the check"))
            }
            Err(e) => DriftVerdict::NotChecked(format!(
                "the schema could not be checked for drift ({e}); applying anyway — `tack drift` \
                 shows the comparison, `tack baseline` adopts the schema as it is"
            )),
        })
    }

    async fn adopt(
        &self,
        url: &str,
        runner: &PgRunner,
        sources: &[Source],
        histories: &[ToolHistory],
    ) -> Result<Option<String>> {
        if runner.major() < 13 {
            return Ok(None);
        }
        let store = PgStore::connect(url).await?;
        if store.baseline().await?.is_some() {
            return Ok(None);
        }
        let mut store = store;
        let state = store
            .report()
            .await
            .map_err(|e| Error::from(e).context("reading tack's history"))?;
        if !state.migrations.is_empty() {
            return Ok(None);
        }
        let names: Vec<&str> = histories.iter().map(|h| h.table.as_str()).collect();
        let live = drift::read_schema(runner.control())
            .await?
            .without_tables(&names);
        if live.tables.is_empty()
            && live.views.is_empty()
            && live.functions.is_empty()
            && live.enums.is_empty()
            && live.domains.is_empty()
            && live.sequences.is_empty()
        {
            return Ok(None);
        }
        let taken_by = format!(
            "the first tack apply on {}",
            crate::project::history::client_host()
        );
        let (model, _) = drift::take_baseline(url, sources, histories, &taken_by).await?;
        Ok(Some(format!(
            "adopted the schema this database had before tack ({} table(s), {} view(s), {} \
             function(s)) as the baseline `tack drift` starts from",
            model.tables.len(),
            model.views.len(),
            model.functions.len()
        )))
    }

    fn dry_run_step(
        &self,
        migration: &str,
        step: &Step,
        version: Version,
        lock_timeout: Duration,
        statement_timeout: Duration,
    ) -> String {
        let lock_ms = lock_timeout.as_millis();
        let stmt_ms = statement_timeout.as_millis();
        let mut out = String::new();
        match &step.action {
            Action::Sql { sql } if step.transactional => out.push_str(&format!(
                "BEGIN;\nSET LOCAL lock_timeout = '{lock_ms}ms'; SET LOCAL statement_timeout = '{stmt_ms}ms';\n{sql};\nCOMMIT;\n"
            )),
            Action::Sql { sql } => {
                out.push_str(&format!(
                    "SET lock_timeout = '{lock_ms}ms'; SET statement_timeout = '{stmt_ms}ms';\n"
                ));
                if let Some(c) = &step.cleanup {
                    out.push_str(&format!("-- before a retry or resume: {c};\n"));
                }
                out.push_str(&format!(
                    "{sql};\nRESET lock_timeout; RESET statement_timeout;\n"
                ));
            }
            Action::Backfill(b) => {
                for s in backfill_sql::describe(
                    migration,
                    &step.id,
                    b,
                    version.major,
                    lock_ms,
                    stmt_ms,
                ) {
                    out.push_str(&s);
                    out.push('\n');
                }
            }
        }
        out
    }
}
