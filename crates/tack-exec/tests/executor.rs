//! The executor's own decisions, against a scripted in-memory target: retry bounds, which steps
//! are skipped on resume, backfill batching, throttling and stopping. (What the SQL does is
//! tested against real servers in `crates/tack/tests/apply_*.rs`.)

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tack_core::plan::{Action, Backfill, BackfillKey, Phase, Stage, Step, Undo};
use tack_core::QualifiedName;
use tack_exec::*;

#[derive(Default)]
struct Scripted {
    /// Errors the next attempts of a step (or backfill batch) fail with, in order.
    failures: HashMap<String, VecDeque<ErrorKind>>,
    /// Recorded status per step.
    status: HashMap<String, Status>,
    /// Probe answers by SQL.
    probes: HashMap<String, bool>,
    /// Every SQL run, in order.
    ran: Vec<String>,
    /// Throttle answers, consumed one per check (then: none).
    throttles: VecDeque<Option<ThrottleReason>>,
    /// Rows in the backfilled table, and batches run.
    rows: u64,
    batches: u32,
    migrations: HashMap<String, MigrationRecord>,
}

impl Scripted {
    fn fail(&mut self, key: &str) -> Result<(), TargetError> {
        match self.failures.get_mut(key).and_then(VecDeque::pop_front) {
            Some(kind) => Err(TargetError::new(kind, format!("{key}: scripted {kind:?}"))),
            None => Ok(()),
        }
    }
}

/// A shared handle, so the test can look inside after the executor has it.
#[derive(Clone, Default)]
struct Fake(Arc<Mutex<Scripted>>);

impl StateStore for Fake {
    async fn try_lock(&mut self) -> Result<Option<LockHolder>, TargetError> {
        Ok(None)
    }
    async fn unlock(&mut self) -> Result<(), TargetError> {
        Ok(())
    }
    async fn prepare_state(&mut self) -> Result<(), TargetError> {
        Ok(())
    }
    async fn migration(&mut self, name: &str) -> Result<Option<MigrationRecord>, TargetError> {
        let s = self.0.lock().unwrap();
        Ok(s.migrations.get(name).map(|m| {
            let mut m = m.clone();
            for step in &mut m.steps {
                step.status = *s.status.get(&step.id).unwrap_or(&Status::Pending);
            }
            m
        }))
    }
    async fn start_migration(&mut self, m: &Migration) -> Result<(), TargetError> {
        let mut s = self.0.lock().unwrap();
        let record = s
            .migrations
            .entry(m.name.clone())
            .or_insert_with(|| MigrationRecord {
                name: m.name.clone(),
                checksum: m.checksum.clone(),
                status: Status::Running,
                started_at: None,
                finished_at: None,
                history: History::default(),
                steps: m
                    .steps
                    .iter()
                    .map(|st| StepRecord {
                        id: st.id.clone(),
                        spec: Some(st.clone()),
                        kind: st.kind().to_owned(),
                        sql: st.display_sql(),
                        status: Status::Pending,
                        attempts: 0,
                        last_error: None,
                        started_at: None,
                        finished_at: None,
                        rows_done: None,
                        cursor: None,
                    })
                    .collect(),
            });
        record.status = Status::Running;
        Ok(())
    }
    async fn finish_migration(&mut self, name: &str, status: Status) -> Result<(), TargetError> {
        let mut s = self.0.lock().unwrap();
        if let Some(m) = s.migrations.get_mut(name) {
            m.status = status;
        }
        Ok(())
    }
    async fn step_attempt(&mut self, _: &str, step: &str) -> Result<(), TargetError> {
        self.0
            .lock()
            .unwrap()
            .status
            .insert(step.to_owned(), Status::Running);
        Ok(())
    }
    async fn step_status(
        &mut self,
        _: &str,
        step: &str,
        status: Status,
    ) -> Result<(), TargetError> {
        self.0
            .lock()
            .unwrap()
            .status
            .insert(step.to_owned(), status);
        Ok(())
    }
    async fn step_failed(&mut self, _: &str, step: &str, _: &str) -> Result<(), TargetError> {
        self.0
            .lock()
            .unwrap()
            .status
            .insert(step.to_owned(), Status::Failed);
        Ok(())
    }
    async fn replace_plan(&mut self, m: &Migration) -> Result<(), TargetError> {
        self.0.lock().unwrap().migrations.remove(&m.name);
        self.start_migration(m).await
    }
    async fn forget(&mut self, name: &str) -> Result<(), TargetError> {
        self.0.lock().unwrap().migrations.remove(name);
        Ok(())
    }
    async fn rename(&mut self, from: &str, to: &str) -> Result<(), TargetError> {
        let mut s = self.0.lock().unwrap();
        if let Some(mut m) = s.migrations.remove(from) {
            m.name = to.to_owned();
            s.migrations.insert(to.to_owned(), m);
        }
        Ok(())
    }
    async fn report(&mut self) -> Result<StateReport, TargetError> {
        let s = self.0.lock().unwrap();
        Ok(StateReport {
            initialized: true,
            paused: false,
            holder: None,
            migrations: s.migrations.values().cloned().collect(),
        })
    }
    async fn record_run(&mut self, _: &RunRecord) -> Result<(), TargetError> {
        Ok(())
    }
    async fn record_fingerprint(&mut self, _: &str, _: &str) -> Result<(), TargetError> {
        Ok(())
    }
    async fn set_paused(&mut self, _: bool) -> Result<(), TargetError> {
        Ok(())
    }
}

impl Target for Fake {
    async fn probe(&mut self, sql: &str) -> Result<bool, TargetError> {
        Ok(*self.0.lock().unwrap().probes.get(sql).unwrap_or(&false))
    }
    async fn run_sql(
        &mut self,
        _: &str,
        step: &Step,
        sql: &str,
        transactional: bool,
        done: Status,
        _: Timeouts,
    ) -> Result<(), TargetError> {
        let mut s = self.0.lock().unwrap();
        s.fail(&step.id)?;
        s.ran.push(sql.to_owned());
        if transactional {
            s.status.insert(step.id.clone(), done);
        }
        Ok(())
    }
    async fn run_cleanup(&mut self, sql: &str, _: Timeouts) -> Result<(), TargetError> {
        self.0.lock().unwrap().ran.push(sql.to_owned());
        Ok(())
    }
    async fn backfill_start(
        &mut self,
        _: &str,
        _: &str,
        _: &Backfill,
        _: Timeouts,
    ) -> Result<BackfillProgress, TargetError> {
        let s = self.0.lock().unwrap();
        Ok(BackfillProgress {
            cursor: serde_json::json!(0),
            rows_done: 0,
            unit: "rows".into(),
            position: 0,
            total: Some(s.rows),
            finished: s.rows == 0,
            initial_size: 100,
            max_size: 1000,
            resumed: false,
        })
    }
    async fn backfill_batch(
        &mut self,
        _: &str,
        step: &str,
        _: &Backfill,
        p: &BackfillProgress,
        size: u64,
        _: Timeouts,
    ) -> Result<BatchResult, TargetError> {
        let mut s = self.0.lock().unwrap();
        s.fail(&format!("{step}/batch"))?;
        s.batches += 1;
        let at = p.cursor.as_u64().unwrap();
        let next = (at + size).min(s.rows);
        let mut progress = p.clone();
        progress.cursor = serde_json::json!(next);
        progress.position = next;
        progress.rows_done += next - at;
        progress.finished = next >= s.rows;
        Ok(BatchResult {
            rows: next - at,
            progress,
        })
    }
    async fn backfill_finish(
        &mut self,
        _: &str,
        step: &str,
        _: &Backfill,
        _: Timeouts,
    ) -> Result<(), TargetError> {
        self.0
            .lock()
            .unwrap()
            .status
            .insert(step.to_owned(), Status::Done);
        Ok(())
    }
    async fn throttle(
        &mut self,
        _: &QualifiedName,
        _: &ThrottleLimits,
    ) -> Result<Option<ThrottleReason>, TargetError> {
        Ok(self.0.lock().unwrap().throttles.pop_front().flatten())
    }
}

fn step(n: u32, phase: Phase, action: Action) -> Step {
    Step {
        id: format!("m#{n}"),
        phase,
        stage: Stage::Start,
        action,
        summary: String::new(),
        source: String::new(),
        table: None,
        lock: None,
        algorithm: None,
        transactional: true,
        rewrite: false,
        scan: false,
        blocks_reads: false,
        blocks_writes: false,
        estimate: None,
        why: String::new(),
        done_probe: None,
        cleanup: None,
        undo: Undo::Nothing,
    }
}

fn sql_step(n: u32, probe: Option<&str>) -> Step {
    Step {
        done_probe: probe.map(str::to_owned),
        undo: Undo::Sql {
            sql: format!("UNDO {n}"),
            transactional: true,
        },
        ..step(
            n,
            Phase::Expand,
            Action::Sql {
                sql: format!("SQL {n}"),
            },
        )
    }
}

fn backfill_step(n: u32) -> Step {
    step(
        n,
        Phase::Backfill,
        Action::Backfill(Backfill {
            table: QualifiedName::unqualified("t"),
            key: BackfillKey::PrimaryKey(vec!["id".into()]),
            assignments: vec![("c".into(), "1".into())],
            condition: None,
            trigger: true,
        }),
    )
}

fn migration(steps: Vec<Step>) -> Migration {
    Migration {
        name: "m".into(),
        checksum: "c".into(),
        steps,
    }
}

fn options() -> Options {
    Options {
        base_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_attempts: 4,
        throttle_poll: Duration::from_millis(1),
        ..Options::default()
    }
}

fn executor(fake: &Fake, options: Options) -> (Executor<Fake>, Arc<Mutex<Vec<Event>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut events = Events::new();
    let s = Arc::clone(&seen);
    events.subscribe(move |e| s.lock().unwrap().push(e.clone()));
    (Executor::new(fake.clone(), options, events), seen)
}

fn count(events: &Arc<Mutex<Vec<Event>>>, name: &str) -> usize {
    events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.name() == name)
        .count()
}

#[tokio::test]
async fn lock_timeouts_are_retried_then_succeed() {
    let fake = Fake::default();
    fake.0.lock().unwrap().failures.insert(
        "m#1".into(),
        VecDeque::from([ErrorKind::LockTimeout, ErrorKind::Conflict]),
    );
    let (mut exec, events) = executor(&fake, options());
    exec.lock().await.unwrap();
    let out = exec
        .run(&[migration(vec![sql_step(1, None)])])
        .await
        .unwrap();
    assert_eq!(out, Outcome::Done);
    assert_eq!(count(&events, "lock_retry"), 2);
    let finished = events.lock().unwrap().iter().find_map(|e| match e {
        Event::StepFinished { attempts, .. } => Some(*attempts),
        _ => None,
    });
    assert_eq!(finished, Some(3));
}

#[tokio::test]
async fn retries_are_bounded_by_attempts_then_the_step_fails_and_the_run_stops() {
    let fake = Fake::default();
    fake.0.lock().unwrap().failures.insert(
        "m#1".into(),
        VecDeque::from(vec![ErrorKind::LockTimeout; 10]),
    );
    let (mut exec, events) = executor(&fake, options());
    exec.lock().await.unwrap();
    let out = exec
        .run(&[migration(vec![sql_step(1, None), sql_step(2, None)])])
        .await
        .unwrap();
    assert!(
        matches!(out, Outcome::Failed { ref step, .. } if step == "m#1"),
        "{out:?}"
    );
    assert_eq!(count(&events, "lock_retry"), 3);
    let s = fake.0.lock().unwrap();
    assert_eq!(s.status["m#1"], Status::Failed);
    assert!(
        !s.ran.contains(&"SQL 2".to_owned()),
        "the run went on past a failed step"
    );
    assert_eq!(s.migrations["m"].status, Status::Failed);
}

#[tokio::test]
async fn retries_are_bounded_by_the_retry_budget() {
    let fake = Fake::default();
    fake.0.lock().unwrap().failures.insert(
        "m#1".into(),
        VecDeque::from(vec![ErrorKind::LockTimeout; 10]),
    );
    let mut o = options();
    o.max_attempts = 100;
    o.base_backoff = Duration::from_millis(40);
    o.max_backoff = Duration::from_millis(40);
    o.retry_budget = Duration::from_millis(100);
    let (mut exec, events) = executor(&fake, o);
    exec.lock().await.unwrap();
    let out = exec
        .run(&[migration(vec![sql_step(1, None)])])
        .await
        .unwrap();
    assert!(matches!(out, Outcome::Failed { .. }));
    let retries = count(&events, "lock_retry");
    assert!((1..=4).contains(&retries), "{retries}");
}

#[tokio::test]
async fn other_errors_are_not_retried() {
    let fake = Fake::default();
    fake.0
        .lock()
        .unwrap()
        .failures
        .insert("m#1".into(), VecDeque::from([ErrorKind::Failed]));
    let (mut exec, events) = executor(&fake, options());
    exec.lock().await.unwrap();
    let out = exec
        .run(&[migration(vec![sql_step(1, None)])])
        .await
        .unwrap();
    assert!(matches!(out, Outcome::Failed { .. }));
    assert_eq!(count(&events, "lock_retry"), 0);
}

#[tokio::test]
async fn resumed_runs_skip_what_is_done_after_checking_the_catalog() {
    let fake = Fake::default();
    {
        let mut s = fake.0.lock().unwrap();
        // Step 1 recorded done, and a later step too: skipped without a probe.
        // Step 2 recorded done; its probe says the catalog disagrees, but step 3 is done
        // after it (it may have undone 2 on purpose): skipped.
        // Step 3 recorded done and the last done: probed, confirmed.
        // Step 4 pending but its effect is there: skipped, recorded done.
        // Step 5 pending, its effect not there: run.
        for (id, st) in [
            ("m#1", Status::Done),
            ("m#2", Status::Done),
            ("m#3", Status::Done),
        ] {
            s.status.insert(id.into(), st);
        }
        s.probes.insert("P2".into(), false);
        s.probes.insert("P3".into(), true);
        s.probes.insert("P4".into(), true);
        s.probes.insert("P5".into(), false);
    }
    let m = migration(vec![
        sql_step(1, None),
        sql_step(2, Some("P2")),
        sql_step(3, Some("P3")),
        sql_step(4, Some("P4")),
        sql_step(5, Some("P5")),
    ]);
    let (mut exec, events) = executor(&fake, options());
    exec.lock().await.unwrap();
    assert_eq!(
        exec.run(std::slice::from_ref(&m)).await.unwrap(),
        Outcome::Done
    );
    assert_eq!(fake.0.lock().unwrap().ran, ["SQL 5"]);
    assert_eq!(count(&events, "step_skipped"), 4);
    assert_eq!(fake.0.lock().unwrap().status["m#4"], Status::Done);

    // Done with the same checksum: the whole migration is skipped.
    let (mut exec, events) = executor(&fake, options());
    assert_eq!(
        exec.run(std::slice::from_ref(&m)).await.unwrap(),
        Outcome::Done
    );
    assert_eq!(count(&events, "migration_skipped"), 1);
    // A changed migration is refused.
    let mut changed = m;
    changed.checksum = "other".into();
    assert!(matches!(
        exec.run(&[changed]).await,
        Err(ExecError::Changed { .. })
    ));
}

#[tokio::test]
async fn the_last_step_recorded_done_runs_again_when_the_catalog_disagrees() {
    let fake = Fake::default();
    {
        let mut s = fake.0.lock().unwrap();
        s.status.insert("m#1".into(), Status::Done);
        s.status.insert("m#2".into(), Status::Done);
        s.probes.insert("P1".into(), false);
        s.probes.insert("P2".into(), false);
    }
    let m = migration(vec![
        sql_step(1, Some("P1")),
        sql_step(2, Some("P2")),
        sql_step(3, None),
    ]);
    let (mut exec, _) = executor(&fake, options());
    assert_eq!(exec.run(&[m]).await.unwrap(), Outcome::Done);
    assert_eq!(fake.0.lock().unwrap().ran, ["SQL 2", "SQL 3"]);
}

#[tokio::test]
async fn a_resumed_migration_runs_the_steps_it_recorded() {
    let fake = Fake::default();
    let (mut exec, _) = executor(&fake, options());
    fake.0
        .lock()
        .unwrap()
        .failures
        .insert("m#2".into(), VecDeque::from([ErrorKind::Failed]));
    let first = migration(vec![sql_step(1, None), sql_step(2, None)]);
    assert!(matches!(
        exec.run(&[first]).await.unwrap(),
        Outcome::Failed { .. }
    ));
    // Planned again, differently (the catalog changed): the recorded plan is what continues.
    let replanned = migration(vec![sql_step(7, None)]);
    let (mut exec, _) = executor(&fake, options());
    assert_eq!(exec.run(&[replanned]).await.unwrap(), Outcome::Done);
    assert_eq!(fake.0.lock().unwrap().ran, ["SQL 1", "SQL 2"]);
}

#[tokio::test]
async fn non_transactional_steps_clean_up_before_a_retry() {
    let fake = Fake::default();
    fake.0
        .lock()
        .unwrap()
        .failures
        .insert("m#1".into(), VecDeque::from([ErrorKind::LockTimeout]));
    let mut step = sql_step(1, Some("P1"));
    step.transactional = false;
    step.cleanup = Some("CLEANUP".into());
    let (mut exec, events) = executor(&fake, options());
    assert_eq!(
        exec.run(&[migration(vec![step])]).await.unwrap(),
        Outcome::Done
    );
    assert_eq!(fake.0.lock().unwrap().ran, ["CLEANUP", "SQL 1"]);
    assert_eq!(count(&events, "cleanup_ran"), 1);
    assert_eq!(fake.0.lock().unwrap().status["m#1"], Status::Done);
}

#[tokio::test]
async fn backfills_batch_wait_on_throttles_and_retry_batches() {
    let fake = Fake::default();
    {
        let mut s = fake.0.lock().unwrap();
        s.rows = 1000;
        s.throttles = VecDeque::from([
            Some(ThrottleReason::Paused),
            Some(ThrottleReason::Paused),
            None,
            Some(ThrottleReason::LockWaiters {
                waiting: 9,
                limit: 5,
            }),
            None,
        ]);
        s.failures
            .insert("m#1/batch".into(), VecDeque::from([ErrorKind::LockTimeout]));
    }
    let (mut exec, events) = executor(&fake, options());
    assert_eq!(
        exec.run(&[migration(vec![backfill_step(1)])])
            .await
            .unwrap(),
        Outcome::Done
    );
    assert_eq!(count(&events, "paused"), 1);
    assert_eq!(count(&events, "throttled"), 1);
    assert_eq!(count(&events, "throttle_cleared"), 2);
    assert_eq!(count(&events, "lock_retry"), 1);
    let seen = events.lock().unwrap();
    let rows: u64 = seen
        .iter()
        .filter_map(|e| match e {
            Event::BatchDone { rows, .. } => Some(*rows),
            _ => None,
        })
        .sum();
    assert_eq!(rows, 1000);
    assert!(matches!(
        seen.iter().rev().nth(2),
        Some(Event::StepFinished { .. })
    ));
}

#[tokio::test]
async fn a_stop_ends_a_throttled_backfill_cleanly() {
    let fake = Fake::default();
    {
        let mut s = fake.0.lock().unwrap();
        s.rows = 1000;
        s.throttles = VecDeque::from(vec![Some(ThrottleReason::Paused); 1000]);
    }
    let (mut exec, events) = executor(&fake, options());
    let (tx, rx) = tokio::sync::watch::channel(false);
    exec.stop_on(rx);
    let stopper = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        tx.send(true).unwrap();
        tx
    });
    let out = exec
        .run(&[migration(vec![backfill_step(1), sql_step(2, None)])])
        .await
        .unwrap();
    drop(stopper.await);
    assert_eq!(out, Outcome::Interrupted);
    assert_eq!(count(&events, "interrupted"), 1);
    let s = fake.0.lock().unwrap();
    assert_eq!(s.batches, 0);
    assert!(s.ran.is_empty());
    assert_eq!(s.status["m#1"], Status::Running);
}

#[tokio::test]
async fn a_rollback_undoes_the_steps_that_ran_newest_first() {
    let fake = Fake::default();
    fake.0
        .lock()
        .unwrap()
        .failures
        .insert("m#3".into(), [ErrorKind::Failed].into());
    let (mut exec, _) = executor(&fake, options());
    exec.lock().await.unwrap();
    let m = migration(vec![
        sql_step(1, None),
        sql_step(2, None),
        sql_step(3, None),
    ]);
    assert!(matches!(
        exec.run(std::slice::from_ref(&m)).await.unwrap(),
        Outcome::Failed { .. }
    ));
    fake.0.lock().unwrap().ran.clear();
    assert_eq!(
        exec.rollback_migration("m", false).await.unwrap(),
        Outcome::Done
    );
    let s = fake.0.lock().unwrap();
    // The failed step left nothing (its transaction rolled back): only 2 and 1 are undone.
    assert_eq!(s.ran, ["UNDO 2", "UNDO 1"]);
    assert_eq!(s.migrations["m"].status, Status::RolledBack);
    assert_eq!(s.status["m#1"], Status::RolledBack);
}

#[tokio::test]
async fn a_rollback_stops_at_a_step_it_cannot_undo_unless_told_to_leave_it() {
    let fake = Fake::default();
    fake.0
        .lock()
        .unwrap()
        .failures
        .insert("m#3".into(), [ErrorKind::Failed].into());
    let (mut exec, _) = executor(&fake, options());
    exec.lock().await.unwrap();
    let mut irreversible = sql_step(2, None);
    irreversible.undo = Undo::Irreversible {
        reason: "rows changed".into(),
    };
    let m = migration(vec![sql_step(1, None), irreversible, sql_step(3, None)]);
    exec.run(std::slice::from_ref(&m)).await.unwrap();
    fake.0.lock().unwrap().ran.clear();
    let outcome = exec.rollback_migration("m", false).await.unwrap();
    assert!(
        matches!(&outcome, Outcome::Failed { step, error, .. } if step == "m#2" && error.contains("rows changed")),
        "{outcome:?}"
    );
    assert!(
        fake.0.lock().unwrap().ran.is_empty(),
        "nothing undone past it"
    );
    assert_eq!(
        exec.rollback_migration("m", true).await.unwrap(),
        Outcome::Done
    );
    assert_eq!(fake.0.lock().unwrap().ran, ["UNDO 1"]);
}

#[tokio::test]
async fn complete_stage_steps_wait_for_complete() {
    let fake = Fake::default();
    let (mut exec, events) = executor(&fake, options());
    exec.lock().await.unwrap();
    let mut contract = sql_step(2, None);
    contract.stage = Stage::Complete;
    let m = migration(vec![sql_step(1, None), contract]);
    assert_eq!(
        exec.run_migration(&m).await.unwrap(),
        Outcome::Expanded {
            migration: "m".into()
        }
    );
    assert_eq!(fake.0.lock().unwrap().ran, ["SQL 1"]);
    assert_eq!(count(&events, "migration_expanded"), 1);
    // Applying again does not run it again; completing runs the rest.
    exec.run_migration(&m).await.unwrap();
    assert_eq!(fake.0.lock().unwrap().ran, ["SQL 1"]);
    assert_eq!(exec.complete_migration("m").await.unwrap(), Outcome::Done);
    assert_eq!(fake.0.lock().unwrap().ran, ["SQL 1", "SQL 2"]);
    assert_eq!(fake.0.lock().unwrap().migrations["m"].status, Status::Done);
    // A complete migration cannot be rolled back or completed again.
    assert!(exec.rollback_migration("m", false).await.is_err());
    assert!(exec.complete_migration("m").await.is_err());
}
