//! What a statement does to the tables it touches, in engine-neutral terms: the lock it takes
//! (the engine's own label, and what that lock blocks — reads, writes, other DDL), whether the
//! table is rewritten or copied, whether every row is read, and the work that keeps the lock held
//! in proportion to the table's size. Each engine's rule base produces these; the linter, the
//! planners and the renderers read them.

use crate::estimate::Work;
use crate::name::QualifiedName;
use crate::rule::RuleInfo;
use std::fmt::Debug;

/// An engine's lock (PostgreSQL's table lock modes; MySQL's `LOCK=` level with its algorithm),
/// ordered from weakest to strongest.
pub trait LockKind: Copy + Ord + Debug {
    /// The engine's own name for it (`AccessExclusiveLock`, `LOCK=NONE`).
    fn label(&self) -> &'static str;
    /// Plain reads wait while it is held or queued.
    fn blocks_reads(&self) -> bool;
    /// Inserts, updates and deletes wait while it is held or queued.
    fn blocks_writes(&self) -> bool;
    /// Other schema changes on the table wait.
    fn blocks_ddl(&self) -> bool {
        true
    }
    /// Stops the application's normal traffic while held or queued.
    fn is_dangerous(&self) -> bool {
        self.blocks_writes()
    }
    /// The engine's algorithm for the change (MySQL: INSTANT, NOCOPY, INPLACE, COPY).
    fn algorithm(&self) -> Option<&'static str> {
        None
    }
    /// The metadata lock the statement needs besides (MySQL: exclusive at start and end).
    fn metadata_lock(&self) -> Option<&'static str> {
        None
    }
}

/// What a statement does to one table, as a rule base claims it (and its proof tests check).
#[derive(Debug, Clone, PartialEq)]
pub struct Effect<L> {
    pub table: QualifiedName,
    /// The strongest lock taken on `table` (None: no table lock beyond what DML takes).
    pub lock: Option<L>,
    /// The table is rebuilt: rewritten in place or copied (its storage changes).
    pub rewrite: bool,
    /// Every row is read while the lock is held.
    pub scan: bool,
    /// Other relations locked, e.g. the referenced table of a foreign key.
    pub also_locks: Vec<(QualifiedName, L)>,
    /// Work that keeps the lock held for time proportional to the table's size.
    pub work: Option<Work>,
    /// The strongest lock is only taken once no transaction uses the relation any more (the end
    /// of PostgreSQL's `DROP INDEX CONCURRENTLY`): it blocks no traffic.
    pub quiet: bool,
}

impl<L: LockKind> Effect<L> {
    pub fn new(table: &QualifiedName, lock: L) -> Self {
        Effect {
            lock: Some(lock),
            ..Effect::unlocked(table)
        }
    }

    /// No table lock (row locks only).
    pub fn unlocked(table: &QualifiedName) -> Self {
        Effect {
            table: table.clone(),
            lock: None,
            rewrite: false,
            scan: false,
            also_locks: Vec::new(),
            work: None,
            quiet: false,
        }
    }

    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    pub fn rewrite(mut self) -> Self {
        self.rewrite = true;
        self.work = Some(Work::Rewrite);
        self
    }

    pub fn scan(mut self) -> Self {
        self.scan = true;
        if self.work.is_none() {
            self.work = Some(Work::Scan);
        }
        self
    }

    pub fn index_build(mut self) -> Self {
        self.scan = true;
        self.work = Some(Work::IndexBuild);
        self
    }

    pub fn also(mut self, table: &QualifiedName, lock: L) -> Self {
        self.also_locks.push((table.clone(), lock));
        self
    }

    /// Merges the effect of another action of the same statement on the same table.
    pub fn merge(&mut self, other: Effect<L>) {
        self.lock = self.lock.max(other.lock);
        self.quiet &= other.quiet;
        self.rewrite |= other.rewrite;
        self.scan |= other.scan;
        self.also_locks.extend(other.also_locks);
        self.work = match (self.work, other.work) {
            (Some(Work::Rewrite), _) | (_, Some(Work::Rewrite)) => Some(Work::Rewrite),
            (Some(a), _) => Some(a),
            (None, b) => b,
        };
    }

    pub fn blocks_reads(&self) -> bool {
        self.locks().any(|m| m.blocks_reads())
    }

    pub fn blocks_writes(&self) -> bool {
        self.locks().any(|m| m.blocks_writes())
    }

    /// Locks that can make traffic wait.
    fn locks(&self) -> impl Iterator<Item = L> + '_ {
        self.lock
            .filter(|_| !self.quiet)
            .into_iter()
            .chain(self.also_locks.iter().map(|(_, m)| *m))
    }
}

/// A rule base's judgement of one statement, before the linter places it in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub rule: &'static RuleInfo,
    pub message: String,
    /// The safe alternative as SQL for this statement (or a short instruction).
    pub fix: Option<String>,
    /// The facts this verdict had to assume (shown so the user can check them).
    pub assumed: Option<String>,
    /// The statement keeps its locks for long on its own (a whole-table UPDATE).
    pub long_running: bool,
}

impl Verdict {
    pub fn new(
        rule: impl Into<&'static RuleInfo>,
        message: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Verdict {
            rule: rule.into(),
            message: message.into(),
            fix,
            assumed: None,
            long_running: false,
        }
    }

    pub fn assuming(mut self, what: impl Into<String>) -> Self {
        self.assumed = Some(what.into());
        self
    }

    pub fn long_running(mut self) -> Self {
        self.long_running = true;
        self
    }
}

/// Effects plus verdicts for one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment<L> {
    pub effects: Vec<Effect<L>>,
    pub verdicts: Vec<Verdict>,
}

impl<L> Default for Assessment<L> {
    fn default() -> Self {
        Assessment {
            effects: Vec::new(),
            verdicts: Vec::new(),
        }
    }
}

impl<L: LockKind> Assessment<L> {
    /// Adds an effect, merged into the one already recorded for the same table.
    pub fn push_effect(&mut self, effect: Effect<L>) {
        match self.effects.iter_mut().find(|e| e.table == effect.table) {
            Some(existing) => existing.merge(effect),
            None => self.effects.push(effect),
        }
    }

    /// The effect on the statement's main table.
    pub fn main_effect(&self) -> Option<&Effect<L>> {
        self.effects.first()
    }
}
