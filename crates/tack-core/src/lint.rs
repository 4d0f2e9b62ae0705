//! The linter: walks the statements of a run in order, keeps the state that spans statements and
//! files (transactions, locks held, lock timeouts, objects created so far), asks the engine's
//! rule base about each statement and turns its verdicts into findings. Engine-neutral: what
//! differs between engines comes from their [`Dialect`].

use crate::catalog::Catalog;
use crate::change::{Change, QualifiedName};
use crate::dialect::{Context, Dialect, Statement};
use crate::effect::{Assessment, Effect, LockKind, Verdict};
use crate::engine::Version;
use crate::finding::{Finding, Severity};
use crate::rule::{generic::RuleId, RuleInfo};
use std::collections::HashMap;

/// How the migrations will be run, and how the user tuned the rules.
#[derive(Debug, Clone)]
pub struct LintOptions {
    pub version: Version,
    /// The migration runner wraps each file in a transaction (Flyway, sqlx, Rails, …).
    pub assume_in_transaction: bool,
    /// The runner sets a lock timeout itself, so statements need not.
    pub assume_lock_timeout: bool,
    /// Per-rule severity (by rule id) from `tack.toml`; `None` turns the rule off.
    pub severity: HashMap<&'static str, Option<Severity>>,
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

#[derive(Debug)]
struct HeldLock<L> {
    table: QualifiedName,
    lock: L,
    by: String,
}

#[derive(Debug)]
struct Transaction<L> {
    /// Opened by the runner around the file, not by `BEGIN`.
    implicit: bool,
    /// `SET LOCAL lock_timeout` inside this transaction: Some(true) set, Some(false) disabled.
    local_lock_timeout: Option<bool>,
    held: Vec<HeldLock<L>>,
    /// The held locks have been reported once already.
    reported_held: bool,
}

impl<L> Transaction<L> {
    fn new(implicit: bool) -> Self {
        Transaction {
            implicit,
            local_lock_timeout: None,
            held: Vec::new(),
            reported_held: false,
        }
    }
}

/// Walks a run's statements in order with one engine's rule base.
pub struct Linter<'d, D: Dialect> {
    dialect: &'d D,
    options: LintOptions,
    catalog: Catalog,
    txn: Option<Transaction<D::Lock>>,
    session_lock_timeout: bool,
}

impl<'d, D: Dialect> Linter<'d, D> {
    pub fn new(dialect: &'d D, options: LintOptions, catalog: Catalog) -> Self {
        Linter {
            dialect,
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
        self.begin_file_in(self.options.assume_in_transaction);
    }

    /// A new migration file starts; its runner wraps it in a transaction or not (as its tool
    /// runs it).
    pub fn begin_file_in(&mut self, in_transaction: bool) {
        self.txn = in_transaction.then(|| Transaction::new(true));
    }

    /// An applied migration's statement: learned into the catalog (the objects it made exist,
    /// and are live), never judged.
    pub fn learn(&mut self, change: &Change) {
        self.catalog.record(change);
    }

    /// What the run created so far counts as live from here on (see [`Catalog::forget_new`]).
    pub fn forget_new(&mut self) {
        self.catalog.forget_new();
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
                    self.txn = Some(Transaction::new(false));
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
            let a = self.dialect.assess(stmt.change, &ctx);
            for verdict in &a.verdicts {
                let effect = main_effect_for(&a, verdict);
                findings.push(self.finding(stmt, verdict, effect, &ctx));
            }
            a
        };

        if in_transaction {
            if let Some((rule, what)) = self.dialect.outside_transaction_only(stmt.change) {
                findings.push(self.simple_finding(
                    stmt,
                    rule,
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
        if self.dialect.ddl_commits_implicitly() && is_schema_change(stmt.change) {
            // The statement committed the transaction it ran in (MySQL): its locks are gone.
            if let Some(txn) = self.txn.as_mut() {
                txn.held.clear();
                txn.reported_held = false;
            }
        }

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
        a: &'a Assessment<D::Lock>,
    ) -> impl Iterator<Item = (&'a QualifiedName, D::Lock)> + 'a {
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

    fn check_lock_timeout(
        &self,
        stmt: &Statement,
        a: &Assessment<D::Lock>,
        findings: &mut Vec<Finding>,
    ) {
        // A statement already reported for its lock gets a recipe that replaces it; a second
        // finding about the same lock would only be noise.
        if self.lock_timeout_in_effect() || findings.iter().any(|f| f.blocks_writes) {
            return;
        }
        let Some((table, lock)) = self.dangerous_locks(a).max_by_key(|(_, l)| *l) else {
            return;
        };
        let name = self.dialect.quote_name(table);
        let mut f = self.simple_finding(
            stmt,
            RuleId::MissingLockTimeout,
            format!(
                "{} on {name} is requested with no lock timeout: while it waits, every query on {name} queues behind it",
                lock.label(),
            ),
            Some(self.dialect.with_lock_timeout(stmt.text.trim())),
        );
        set_lock(&mut f, lock);
        f.table = Some(name);
        findings.push(f);
    }

    fn check_held_locks(
        &mut self,
        stmt: &Statement,
        a: &Assessment<D::Lock>,
        findings: &mut Vec<Finding>,
    ) {
        let Some(txn) = self.txn.as_ref() else {
            return;
        };
        if txn.held.is_empty() {
            return;
        }
        let does_work =
            a.effects.iter().any(|e| e.work.is_some()) || a.verdicts.iter().any(|v| v.long_running);
        if txn.reported_held && !does_work {
            return;
        }
        let held: Vec<String> = txn
            .held
            .iter()
            .map(|h| {
                format!(
                    "{} on {} (taken by `{}`)",
                    h.lock.label(),
                    self.dialect.quote_name(&h.table),
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
            set_lock(&mut f, h.lock);
            f.table = Some(self.dialect.quote_name(&h.table));
        }
        findings.push(f);
        if let Some(txn) = self.txn.as_mut() {
            txn.reported_held = true;
        }
    }

    fn remember_locks(&mut self, stmt: &Statement, a: &Assessment<D::Lock>) {
        if self.txn.is_none() {
            return;
        }
        let taken: Vec<(QualifiedName, D::Lock)> = self
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
        effect: Option<&Effect<D::Lock>>,
        ctx: &Context,
    ) -> Finding {
        let info = verdict.rule;
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
            lock: effect.and_then(|e| e.lock).map(|l| l.label().to_owned()),
            algorithm: effect
                .and_then(|e| e.lock)
                .and_then(|l| l.algorithm())
                .map(str::to_owned),
            metadata_lock: effect
                .and_then(|e| e.lock)
                .and_then(|l| l.metadata_lock())
                .map(str::to_owned),
            blocks_reads: effect.is_some_and(Effect::blocks_reads),
            blocks_writes: effect.is_some_and(Effect::blocks_writes),
            rewrite: effect.is_some_and(|e| e.rewrite),
            scan: effect.is_some_and(|e| e.scan),
            table: effect.map(|e| self.dialect.quote_name(&e.table)),
            estimate: effect.and_then(|e| ctx.estimate(e)),
            message: verdict.message.clone(),
            why,
            fix: verdict.fix.clone(),
        }
    }

    fn simple_finding(
        &self,
        stmt: &Statement,
        rule: impl Into<&'static RuleInfo>,
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
            .filter_map(|mut f| match self.options.severity.get(f.rule) {
                Some(None) => None,
                Some(Some(s)) => {
                    f.severity = *s;
                    Some(f)
                }
                None => Some(f),
            })
            .collect()
    }
}

/// The effect a verdict is about: the main table's.
fn main_effect_for<'a, L: LockKind>(
    a: &'a Assessment<L>,
    _verdict: &Verdict,
) -> Option<&'a Effect<L>> {
    a.main_effect()
}

/// A finding about a lock: its label, algorithm and what it blocks.
fn set_lock<L: LockKind>(f: &mut Finding, lock: L) {
    f.lock = Some(lock.label().to_owned());
    f.algorithm = lock.algorithm().map(str::to_owned);
    f.metadata_lock = lock.metadata_lock().map(str::to_owned);
    f.blocks_reads = lock.blocks_reads();
    f.blocks_writes = lock.blocks_writes();
}

/// Statements that change the schema (and so, on MySQL, commit the open transaction).
fn is_schema_change(change: &Change) -> bool {
    !matches!(
        change,
        Change::Update { .. }
            | Change::Delete { .. }
            | Change::Begin
            | Change::Commit
            | Change::Rollback
            | Change::SetLockTimeout { .. }
            | Change::Other { .. }
    )
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
