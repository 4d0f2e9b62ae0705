//! The PostgreSQL rule base: for each kind of change, what the server does (lock, rewrite, scan,
//! per version) and, when that hurts a live table, the safe recipe for that very statement.
//!
//! One kind of change lives in one module: `add_column`, `not_null`, `constraints`, `indexes`,
//! `column_type`, `renames_drops`, `partitions`, `rebuilds`, `enums`, `dml`. Each module turns one
//! change into an [`Assessment`]: the [`Effect`] the server is claimed to have (proven against real
//! servers by the integration tests) and the verdicts the linter turns into findings.
//! Transaction-level rules (locks held across statements, missing `lock_timeout`,
//! `CONCURRENTLY` inside a transaction) live in the linter, which owns that state.

mod add_column;
mod column_type;
mod constraints;
mod dml;
mod enums;
mod indexes;
mod not_null;
mod partitions;
mod rebuilds;
pub mod recipes;
mod registry;
mod renames_drops;

pub use column_type::type_change_rewrites;
pub use registry::{RuleId, RuleInfo, RULES};

use crate::catalog::{Catalog, TableFacts, Volatility};
use crate::change::{AlterAction, Change, Expr, QualifiedName};
use crate::estimate::{self, Work};
use crate::lock::LockMode;
use crate::version::Version;

/// What a statement does to one table, as the rule base claims it.
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub table: QualifiedName,
    /// The strongest lock taken on `table` (None: no table lock beyond what DML takes).
    pub lock: Option<LockMode>,
    /// The table's file is rewritten (`relfilenode` changes).
    pub rewrite: bool,
    /// Every row is read while the lock is held.
    pub scan: bool,
    /// Other relations locked, e.g. the referenced table of a foreign key.
    pub also_locks: Vec<(QualifiedName, LockMode)>,
    /// Work that keeps the lock held for time proportional to the table's size.
    pub work: Option<Work>,
    /// The strongest lock is only taken once no transaction uses the relation any more (the end
    /// of `DROP INDEX CONCURRENTLY`, `REINDEX CONCURRENTLY`): it blocks no traffic.
    pub quiet: bool,
}

impl Effect {
    fn new(table: &QualifiedName, lock: LockMode) -> Self {
        Effect {
            table: table.clone(),
            lock: Some(lock),
            rewrite: false,
            scan: false,
            also_locks: Vec::new(),
            work: None,
            quiet: false,
        }
    }

    fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }

    fn rewrite(mut self) -> Self {
        self.rewrite = true;
        self.work = Some(Work::Rewrite);
        self
    }

    fn scan(mut self) -> Self {
        self.scan = true;
        if self.work.is_none() {
            self.work = Some(Work::Scan);
        }
        self
    }

    fn index_build(mut self) -> Self {
        self.scan = true;
        self.work = Some(Work::IndexBuild);
        self
    }

    fn also(mut self, table: &QualifiedName, lock: LockMode) -> Self {
        self.also_locks.push((table.clone(), lock));
        self
    }

    /// Merges the effect of another action of the same `ALTER TABLE`.
    fn merge(&mut self, other: Effect) {
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
    fn locks(&self) -> impl Iterator<Item = LockMode> + '_ {
        self.lock
            .filter(|_| !self.quiet)
            .into_iter()
            .chain(self.also_locks.iter().map(|(_, m)| *m))
    }
}

/// The rule base's judgement of one action, before the linter places it in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub rule: RuleId,
    pub message: String,
    pub fix: Option<String>,
    /// The facts this verdict had to assume (shown so the user can check them).
    pub assumed: Option<String>,
}

impl Verdict {
    fn new(rule: RuleId, message: impl Into<String>, fix: Option<String>) -> Self {
        Verdict {
            rule,
            message: message.into(),
            fix,
            assumed: None,
        }
    }

    fn assuming(mut self, what: impl Into<String>) -> Self {
        self.assumed = Some(what.into());
        self
    }
}

/// Effect plus verdicts for one statement.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Assessment {
    pub effects: Vec<Effect>,
    pub verdicts: Vec<Verdict>,
}

impl Assessment {
    fn push_effect(&mut self, effect: Effect) {
        match self.effects.iter_mut().find(|e| e.table == effect.table) {
            Some(existing) => existing.merge(effect),
            None => self.effects.push(effect),
        }
    }

    /// The effect on the statement's main table.
    pub fn main_effect(&self) -> Option<&Effect> {
        self.effects.first()
    }
}

/// What the rules may consult: the target's version and the catalog as it stands at this
/// statement (including what earlier statements of the run created).
pub struct Context<'a> {
    pub version: Version,
    pub catalog: &'a Catalog,
    /// The statement runs inside a transaction block.
    pub in_transaction: bool,
}

impl Context<'_> {
    pub fn table(&self, name: &QualifiedName) -> Option<&TableFacts> {
        self.catalog.table(name)
    }

    /// A table created earlier in this run is new and empty: nothing done to it can hurt traffic.
    pub fn is_new(&self, name: &QualifiedName) -> bool {
        self.table(name).is_some_and(TableFacts::is_empty_for_sure)
    }

    /// The volatility of an expression: the most volatile function it calls. Unknown functions
    /// count as volatile; the second value names them so the finding can say so.
    pub fn volatility(&self, expr: &Expr) -> (Volatility, Vec<String>) {
        let mut worst = Volatility::Immutable;
        let mut unknown = Vec::new();
        if expr.has_subquery {
            worst = Volatility::Volatile;
        }
        for f in &expr.functions {
            match self.catalog.function_volatility(f) {
                Some(v) => worst = worst.max(v),
                None => {
                    worst = Volatility::Volatile;
                    unknown.push(f.clone());
                }
            }
        }
        (worst, unknown)
    }

    /// "≈ 4 min (3.2 GiB, 20M rows)" when the size is known.
    pub fn estimate(&self, effect: &Effect) -> Option<String> {
        let work = effect.work?;
        let facts = self.table(&effect.table)?;
        let bytes = facts.bytes?;
        Some(estimate::describe(
            work,
            bytes,
            facts.index_bytes.unwrap_or(0),
            facts.rows,
        ))
    }
}

/// Judges one statement. Transaction-scoped rules are the linter's.
pub fn assess(change: &Change, ctx: &Context) -> Assessment {
    let mut out = Assessment::default();
    match change {
        Change::AlterTable { table, actions } => {
            for action in actions {
                assess_action(table, action, ctx, &mut out);
            }
        }
        Change::CreateTable {
            table,
            constraints,
            columns,
            ..
        } => constraints::assess_create_table(table, columns, constraints, &mut out),
        Change::CreateIndex { .. } | Change::DropIndex { .. } | Change::Reindex { .. } => {
            indexes::assess(change, ctx, &mut out)
        }
        Change::RenameTable { .. }
        | Change::RenameColumn { .. }
        | Change::DropTable { .. }
        | Change::RenameConstraint { .. } => renames_drops::assess(change, ctx, &mut out),
        Change::Truncate { .. } | Change::VacuumFull { .. } | Change::Cluster { .. } => {
            rebuilds::assess(change, ctx, &mut out)
        }
        Change::AlterEnumAddValue { .. } => enums::assess(change, ctx, &mut out),
        Change::Update { .. } | Change::Delete { .. } => dml::assess(change, ctx, &mut out),
        Change::CreateTableAs { .. }
        | Change::CreateFunction { .. }
        | Change::Begin
        | Change::Commit
        | Change::Rollback
        | Change::SetLockTimeout { .. }
        | Change::Other { .. } => {}
    }
    out
}

fn assess_action(table: &QualifiedName, action: &AlterAction, ctx: &Context, out: &mut Assessment) {
    match action {
        AlterAction::AddColumn { column, .. } => add_column::assess(table, column, ctx, out),
        AlterAction::SetNotNull { column } => not_null::assess_set(table, column, ctx, out),
        AlterAction::DropNotNull { .. }
        | AlterAction::SetDefault { .. }
        | AlterAction::DropDefault { .. }
        | AlterAction::DropConstraint { .. }
        | AlterAction::Other { .. } => {
            out.push_effect(Effect::new(table, LockMode::AccessExclusive))
        }
        AlterAction::AddConstraint(spec) => constraints::assess_add(table, spec, ctx, out),
        AlterAction::ValidateConstraint { .. } => constraints::assess_validate(table, out),
        AlterAction::AlterColumnType {
            column,
            new_type,
            using,
        } => column_type::assess(table, column, new_type, using.as_ref(), ctx, out),
        AlterAction::DropColumn { column } => {
            renames_drops::assess_drop_column(table, column, ctx, out)
        }
        AlterAction::AttachPartition { partition } => {
            partitions::assess_attach(table, partition, ctx, out)
        }
        AlterAction::DetachPartition {
            partition,
            concurrently,
        } => partitions::assess_detach(table, partition, *concurrently, ctx, out),
        AlterAction::SetLogged | AlterAction::SetUnlogged => {
            rebuilds::assess_set_logged(table, action, ctx, out)
        }
    }
}

/// The claimed effects of a statement: what the proof tests compare with the server.
pub fn effects(change: &Change, ctx: &Context) -> Vec<Effect> {
    assess(change, ctx).effects
}
