//! The linter: walks the statements of a run in order, keeps the state that spans statements and
//! files (transactions, locks held, `lock_timeout`, objects created so far), asks the rule base
//! about each statement and turns its verdicts into findings.

use crate::catalog::Catalog;
use crate::change::{AlterAction, Change, QualifiedName};
use crate::finding::{Finding, Severity};
use crate::lock::LockMode;
use crate::rules::{self, Assessment, Context, Effect, RuleId, Verdict};
use crate::version::Version;
use std::collections::HashMap;

/// How the migrations will be run, and how the user tuned the rules.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub version: Version,
    /// The migration runner wraps each file in a transaction (Flyway, sqlx, Rails, …).
    pub assume_in_transaction: bool,
    /// The runner sets a `lock_timeout` itself, so statements need not.
    pub assume_lock_timeout: bool,
    /// Per-rule severity from `tack.toml`; `None` turns the rule off.
    pub severity: HashMap<RuleId, Option<Severity>>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            version: Version::DEFAULT,
            assume_in_transaction: false,
            assume_lock_timeout: false,
            severity: HashMap::new(),
        }
    }
}

/// A `-- tack:ignore <rule> <reason>` comment attached to a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    pub rule: String,
    pub reason: Option<String>,
    /// Byte offset of the comment in the file.
    pub offset: usize,
    pub len: usize,
}

/// One parsed statement, placed in its file.
#[derive(Debug, Clone)]
pub struct Statement<'a> {
    pub offset: usize,
    pub len: usize,
    pub text: &'a str,
    pub change: &'a Change,
    pub ignores: &'a [Ignore],
}

#[derive(Debug)]
struct HeldLock {
    table: QualifiedName,
    lock: LockMode,
    by: String,
}

#[derive(Debug, Default)]
struct Transaction {
    /// Opened by the runner around the file, not by `BEGIN`.
    implicit: bool,
    /// `SET LOCAL lock_timeout` inside this transaction: Some(true) set, Some(false) disabled.
    local_lock_timeout: Option<bool>,
    held: Vec<HeldLock>,
    /// The held locks have been reported once already.
    reported_held: bool,
}

pub struct Linter {
    options: LintOptions,
    catalog: Catalog,
    txn: Option<Transaction>,
    session_lock_timeout: bool,
}

impl Linter {
    pub fn new(options: LintOptions, catalog: Catalog) -> Self {
        Linter {
            options,
            catalog,
            txn: None,
            session_lock_timeout: false,
        }
    }

    pub fn version(&self) -> Version {
        self.options.version
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// A new migration file starts (inside the runner's transaction when one is assumed).
    pub fn begin_file(&mut self) {
        self.txn = self.options.assume_in_transaction.then(|| Transaction {
            implicit: true,
            ..Transaction::default()
        });
    }

    /// The file ended: the runner commits its transaction.
    pub fn end_file(&mut self) {
        self.txn = None;
    }

    /// Findings for one statement, in the state left by the statements before it.
    pub fn check(&mut self, stmt: &Statement) -> Vec<Finding> {
        let mut findings = Vec::new();
        match stmt.change {
            Change::Begin => {
                if self.txn.as_ref().is_none_or(|t| t.implicit) {
                    self.txn = Some(Transaction::default());
                }
                return findings;
            }
            Change::Commit | Change::Rollback => {
                self.txn = None;
                return findings;
            }
            Change::SetLockTimeout { millis, local } => {
                match (local, self.txn.as_mut()) {
                    (true, Some(txn)) => txn.local_lock_timeout = Some(millis.is_some()),
                    (true, None) => {}
                    (false, _) => self.session_lock_timeout = millis.is_some(),
                }
                return findings;
            }
            _ => {}
        }

        let in_transaction = self.txn.is_some();
        let assessment = {
            let ctx = Context {
                version: self.options.version,
                catalog: &self.catalog,
                in_transaction,
            };
            let a = rules::assess(stmt.change, &ctx);
            for verdict in &a.verdicts {
                let effect = main_effect_for(&a, verdict);
                findings.push(self.finding(stmt, verdict, effect, &ctx));
            }
            a
        };

        if in_transaction {
            if let Some(what) = concurrently(stmt.change) {
                findings.push(self.simple_finding(
                    stmt,
                    RuleId::ConcurrentlyInTransaction,
                    format!("{what} cannot run inside a transaction block"),
                    Some(format!(
                        "-- put this statement in a migration of its own that runs outside a transaction{}:\n{}",
                        if self.options.assume_in_transaction {
                            " (the runner wraps each file in one)"
                        } else {
                            ""
                        },
                        stmt.text.trim()
                    )),
                ));
            }
            self.check_held_locks(stmt, &assessment, &mut findings);
        }
        self.check_lock_timeout(stmt, &assessment, &mut findings);
        self.remember_locks(stmt, &assessment);
        self.catalog.record(stmt.change);

        self.suppress_and_tune(stmt, findings)
    }

    fn lock_timeout_in_effect(&self) -> bool {
        if self.options.assume_lock_timeout {
            return true;
        }
        match self.txn.as_ref().and_then(|t| t.local_lock_timeout) {
            Some(local) => local,
            None => self.session_lock_timeout,
        }
    }

    /// Dangerous locks this statement takes on tables that live traffic uses.
    fn dangerous_locks<'a>(
        &'a self,
        a: &'a Assessment,
    ) -> impl Iterator<Item = (&'a QualifiedName, LockMode)> + 'a {
        a.effects
            .iter()
            .flat_map(|e| {
                e.lock
                    .map(|l| (&e.table, l))
                    .into_iter()
                    .chain(e.also_locks.iter().map(|(t, l)| (t, *l)))
            })
            .filter(|(t, l)| {
                l.is_dangerous() && !self.catalog.table(t).is_some_and(|f| f.created_in_run)
            })
    }

    fn check_lock_timeout(&self, stmt: &Statement, a: &Assessment, findings: &mut Vec<Finding>) {
        // A statement already reported for its lock gets a recipe that replaces it; a second
        // finding about the same lock would only be noise.
        if self.lock_timeout_in_effect() || findings.iter().any(|f| f.blocks_writes) {
            return;
        }
        let Some((table, lock)) = self.dangerous_locks(a).max_by_key(|(_, l)| *l) else {
            return;
        };
        let mut f = self.simple_finding(
            stmt,
            RuleId::MissingLockTimeout,
            format!(
                "{} on {} is requested with no lock_timeout: while it waits, every query on {} queues behind it",
                lock.pg_name(),
                table.sql(),
                table.sql()
            ),
            Some(format!("SET lock_timeout = '1s';\n{}", stmt.text.trim())),
        );
        f.lock = Some(lock);
        f.blocks_reads = lock.blocks_reads();
        f.blocks_writes = lock.blocks_writes();
        f.table = Some(table.sql());
        findings.push(f);
    }

    fn check_held_locks(&mut self, stmt: &Statement, a: &Assessment, findings: &mut Vec<Finding>) {
        let Some(txn) = self.txn.as_ref() else {
            return;
        };
        if txn.held.is_empty() {
            return;
        }
        let does_work = a.effects.iter().any(|e| e.work.is_some())
            || a.verdicts
                .iter()
                .any(|v| matches!(v.rule, RuleId::UnbatchedUpdate | RuleId::UnbatchedDelete));
        if txn.reported_held && !does_work {
            return;
        }
        let held: Vec<String> = txn
            .held
            .iter()
            .map(|h| {
                format!(
                    "{} on {} (taken by `{}`)",
                    h.lock.pg_name(),
                    h.table.sql(),
                    h.by
                )
            })
            .collect();
        let severity = if does_work {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut f = self.simple_finding(
            stmt,
            RuleId::LockHeldAcrossStatements,
            format!(
                "{} still held while this statement runs{}",
                held.join(", "),
                if does_work { ", and this statement scans or rewrites" } else { "" }
            ),
            Some("COMMIT;  -- right after the statement that takes the lock; run this one in its own transaction".to_owned()),
        );
        f.severity = severity;
        if let Some(h) = txn.held.iter().max_by_key(|h| h.lock) {
            f.lock = Some(h.lock);
            f.blocks_reads = h.lock.blocks_reads();
            f.blocks_writes = h.lock.blocks_writes();
            f.table = Some(h.table.sql());
        }
        findings.push(f);
        if let Some(txn) = self.txn.as_mut() {
            txn.reported_held = true;
        }
    }

    fn remember_locks(&mut self, stmt: &Statement, a: &Assessment) {
        if self.txn.is_none() {
            return;
        }
        let taken: Vec<(QualifiedName, LockMode)> = self
            .dangerous_locks(a)
            .map(|(t, l)| (t.clone(), l))
            .collect();
        let by = short(stmt.text);
        if let Some(txn) = self.txn.as_mut() {
            for (table, lock) in taken {
                match txn.held.iter_mut().find(|h| h.table == table) {
                    Some(h) if h.lock < lock => {
                        h.lock = lock;
                        h.by = by.clone();
                    }
                    Some(_) => {}
                    None => txn.held.push(HeldLock {
                        table,
                        lock,
                        by: by.clone(),
                    }),
                }
            }
        }
    }

    fn finding(
        &self,
        stmt: &Statement,
        verdict: &Verdict,
        effect: Option<&Effect>,
        ctx: &Context,
    ) -> Finding {
        let info = verdict.rule.info();
        let mut why = info.why.to_owned();
        if let Some(assumed) = &verdict.assumed {
            why.push_str(&format!(" Assumed: {assumed}."));
        }
        Finding {
            rule: info.name,
            severity: info.severity,
            offset: stmt.offset,
            len: stmt.len,
            statement: stmt.text.trim().to_owned(),
            lock: effect.and_then(|e| e.lock),
            blocks_reads: effect.is_some_and(Effect::blocks_reads),
            blocks_writes: effect.is_some_and(Effect::blocks_writes),
            rewrite: effect.is_some_and(|e| e.rewrite),
            scan: effect.is_some_and(|e| e.scan),
            table: effect.map(|e| e.table.sql()),
            estimate: effect.and_then(|e| ctx.estimate(e)),
            message: verdict.message.clone(),
            why,
            fix: verdict.fix.clone(),
        }
    }

    fn simple_finding(
        &self,
        stmt: &Statement,
        rule: RuleId,
        message: String,
        fix: Option<String>,
    ) -> Finding {
        let mut f = Finding::diagnostic(rule, stmt.offset, stmt.len, message, stmt.text);
        f.fix = fix;
        f
    }

    fn suppress_and_tune(&self, stmt: &Statement, findings: Vec<Finding>) -> Vec<Finding> {
        let mut out = Vec::with_capacity(findings.len());
        for ignore in stmt.ignores {
            if ignore.reason.is_none() {
                let info = RuleId::IgnoreWithoutReason.info();
                let mut f = self.simple_finding(
                    stmt,
                    RuleId::IgnoreWithoutReason,
                    format!("`tack:ignore {}` gives no reason", ignore.rule),
                    Some(format!(
                        "-- tack:ignore {} <why this is safe here>",
                        ignore.rule
                    )),
                );
                f.offset = ignore.offset;
                f.len = ignore.len;
                f.severity = info.severity;
                out.push(f);
            }
        }
        out.extend(findings.into_iter().filter(|f| {
            !stmt
                .ignores
                .iter()
                .any(|i| i.rule == f.rule || i.rule == "all")
        }));
        out.into_iter()
            .filter_map(|mut f| {
                let id = RuleId::from_name(f.rule)?;
                match self.options.severity.get(&id) {
                    Some(None) => None,
                    Some(Some(s)) => {
                        f.severity = *s;
                        Some(f)
                    }
                    None => Some(f),
                }
            })
            .collect()
    }
}

/// The effect a verdict is about: the main table's.
fn main_effect_for<'a>(a: &'a Assessment, _verdict: &Verdict) -> Option<&'a Effect> {
    a.main_effect()
}

/// Names the CONCURRENTLY operation, if the statement is one.
fn concurrently(change: &Change) -> Option<&'static str> {
    match change {
        Change::CreateIndex {
            concurrently: true, ..
        } => Some("CREATE INDEX CONCURRENTLY"),
        Change::DropIndex {
            concurrently: true, ..
        } => Some("DROP INDEX CONCURRENTLY"),
        Change::Reindex {
            concurrently: true, ..
        } => Some("REINDEX CONCURRENTLY"),
        Change::AlterTable { actions, .. }
            if actions.iter().any(|a| {
                matches!(
                    a,
                    AlterAction::DetachPartition {
                        concurrently: true,
                        ..
                    }
                )
            }) =>
        {
            Some("DETACH PARTITION CONCURRENTLY")
        }
        _ => None,
    }
}

/// The first 60 characters of a statement, on one line.
fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}
