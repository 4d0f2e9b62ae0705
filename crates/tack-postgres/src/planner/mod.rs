//! The PostgreSQL planner: turns the statements of a migration into a safe, phased plan of steps.
//! Pure: a function of (statements, catalog facts, version, options).
//!
//! This module is the driver — it walks the statements in order with its own copy of the catalog
//! (which learns from each statement, as the linter's does), hands each statement to the module of
//! its kind of change (`crate::changes::*::plan`), and labels every step with its phase, lock,
//! cost, done-probe and undo. A statement is either expanded into its recipe, run as written when
//! the rule base finds nothing wrong with it, or refused with the rule's reason and fix (unless
//! allowed with `--allow <rule>` or `-- tack:ignore <rule> <reason>`).

use crate::changes::{self, recipe::Draft, recipe::Recipe, RuleId};
use crate::server::backfill_sql;
use tack_core::plan::{Action, Phase, Plan, PlanOptions, Refusal, Step};
use tack_core::{
    AlterAction, Catalog, Change, Context, LockKind, QualifiedName, Statement, Version,
};

/// Plans one migration. Statements are read in order, and `catalog` learns from each one, so the
/// next migration is planned against the schema this one leaves.
pub fn plan(
    migration: &str,
    statements: &[Statement],
    catalog: &mut Catalog,
    options: &PlanOptions,
) -> Plan {
    let mut planner = Planner {
        migration,
        catalog: std::mem::take(catalog),
        version: options.version,
        allow: &options.allow,
        plan: Plan::default(),
    };
    if !planner.catalog.connected {
        planner.plan.assumptions.push(
            "not connected: tables not created in this run are assumed to have rows; sizes unknown"
                .to_owned(),
        );
    }
    for stmt in statements {
        planner.statement(stmt);
        planner.catalog.record(stmt.change);
    }
    *catalog = planner.catalog;
    planner.plan
}

/// The planner's state while it walks a migration; the change modules' `plan` functions push
/// steps through it.
pub struct Planner<'a> {
    migration: &'a str,
    pub(crate) catalog: Catalog,
    pub(crate) version: Version,
    allow: &'a [String],
    plan: Plan,
}

impl Planner<'_> {
    pub(crate) fn ctx(&self) -> Context<'_> {
        Context {
            version: self.version,
            catalog: &self.catalog,
            in_transaction: false,
        }
    }

    /// Adds one step, numbered in the migration, with its estimate from the catalog.
    pub(crate) fn push(&mut self, source: &str, draft: Draft) {
        let n = self.plan.steps.len() + 1;
        let id = format!("{}#{n}", self.migration);
        let backfill = matches!(draft.action, Action::Backfill(_));
        let (blocks_reads, blocks_writes) = match draft.lock {
            Some(lock) if !backfill => (lock.blocks_reads(), lock.blocks_writes()),
            _ => (false, false),
        };
        let estimate = draft.table.as_ref().and_then(|t| {
            let facts = self.catalog.table(t)?;
            let bytes = facts.bytes?;
            // A backfill writes every row again: as costly as a rewrite, spread over batches.
            let work = if draft.rewrite || backfill {
                tack_core::estimate::Work::Rewrite
            } else if draft.scan {
                tack_core::estimate::Work::Scan
            } else {
                return None;
            };
            Some(tack_core::estimate::describe(
                work,
                bytes,
                facts.index_bytes.unwrap_or(0),
                facts.rows,
            ))
        });
        let (summary, cleanup) = match &draft.action {
            Action::Sql { sql } => (sql.clone(), draft.cleanup),
            Action::Backfill(b) => (
                changes::recipe::backfill_summary(b),
                // An interrupted backfill leaves its trigger: rollback removes it.
                Some(backfill_sql::drop_helpers_sql(b, self.migration, &id)),
            ),
        };
        self.plan.steps.push(Step {
            id,
            phase: draft.phase,
            stage: draft.stage,
            action: draft.action,
            summary,
            source: source.trim().to_owned(),
            table: draft.table,
            lock: draft.lock.map(|l| l.label().to_owned()),
            algorithm: None,
            transactional: draft.transactional,
            rewrite: draft.rewrite,
            scan: draft.scan,
            blocks_reads,
            blocks_writes,
            estimate,
            why: draft.why,
            done_probe: draft.done_probe,
            cleanup,
            undo: draft.undo,
        });
    }

    /// Adds every step of a recipe.
    pub(crate) fn push_recipe(&mut self, source: &str, recipe: Recipe) {
        for draft in recipe.drafts {
            self.push(source, draft);
        }
    }

    /// Allowed by `--allow`, or accepted on the statement with `-- tack:ignore <rule> <reason>`.
    fn allowed(&self, stmt: &Statement, rule: RuleId) -> bool {
        stmt.allowed(self.allow, rule.name())
    }

    /// Runs the statement as written, described by the rule base's assessment, undone by the
    /// rule base's undo.
    pub(crate) fn as_written(&mut self, stmt: &Statement, why: &str) {
        let ctx = self.ctx();
        let assessment = changes::assess(stmt.change, &ctx);
        let undo = changes::undo(stmt.change, &ctx);
        let effect = assessment.main_effect();
        let draft = Draft {
            phase: Phase::Run,
            stage: tack_core::plan::Stage::Start,
            action: Action::Sql {
                sql: stmt.text.trim().to_owned(),
            },
            table: effect.map(|e| e.table.clone()),
            lock: effect.and_then(|e| if e.quiet { None } else { e.lock }),
            transactional: !is_concurrently(stmt.change),
            scan: effect.is_some_and(|e| e.scan),
            rewrite: effect.is_some_and(|e| e.rewrite),
            why: why.to_owned(),
            done_probe: None,
            cleanup: None,
            undo,
            note: None,
        };
        self.push(stmt.text, draft);
    }

    pub(crate) fn refuse(
        &mut self,
        stmt: &Statement,
        rule: RuleId,
        reason: String,
        recipe: Option<String>,
    ) {
        if self.allowed(stmt, rule) {
            self.as_written(stmt, &format!("allowed ({}): {reason}", rule.name()));
            return;
        }
        self.plan.refused.push(Refusal {
            rule: rule.name(),
            statement: stmt.text.trim().to_owned(),
            reason,
            recipe,
        });
    }

    fn statement(&mut self, stmt: &Statement) {
        match stmt.change {
            // The executor owns transactions and timeouts: each step gets its own.
            Change::Begin | Change::Commit | Change::Rollback | Change::SetLockTimeout { .. } => {}
            Change::AlterTable { table, actions } if !self.ctx().is_new(table) => {
                if actions.len() == 1 {
                    self.alter(stmt, table, &actions[0]);
                } else if actions.iter().all(|a| self.is_cheap(table, a)) {
                    self.as_written(
                        stmt,
                        "metadata-only changes, run together with the lock timeout",
                    );
                } else {
                    self.plan.refused.push(Refusal {
                        rule: tack_core::rule::generic::RuleId::LockHeldAcrossStatements.name(),
                        statement: stmt.text.trim().to_owned(),
                        reason: "several actions in one ALTER TABLE hold one AccessExclusiveLock for all of them, and at least one scans or rewrites".to_owned(),
                        recipe: Some("-- write one ALTER TABLE statement per action; tack then plans each safely".to_owned()),
                    });
                }
            }
            Change::CreateIndex { .. } | Change::DropIndex { .. } | Change::Reindex { .. } => {
                changes::indexes::plan(self, stmt)
            }
            Change::Update { .. } => changes::dml::plan(self, stmt),
            _ => self.generic(stmt),
        }
    }

    /// Statements without a recipe: run as written when the rule base has no error for them,
    /// refused (with its fix as the manual recipe) otherwise.
    pub(crate) fn generic(&mut self, stmt: &Statement) {
        let assessment = changes::assess(stmt.change, &self.ctx());
        match assessment.verdicts.into_iter().next() {
            None => {
                let why = match assessment.effects.into_iter().next() {
                    Some(e) if (e.scan || e.rewrite) && !e.blocks_writes() => format!(
                        "safe as written: it scans, but under {} reads and writes continue",
                        e.lock.map(|l| l.pg_name()).unwrap_or("no table lock")
                    ),
                    _ => "safe as written: brief lock, no scan or rewrite".to_owned(),
                };
                self.as_written(stmt, &why)
            }
            Some(v) => {
                let reason = v.message.clone();
                match RuleId::from_info(v.rule) {
                    Some(rule) => self.refuse(stmt, rule, reason, v.fix),
                    None => self.plan.refused.push(Refusal {
                        rule: v.rule.name,
                        statement: stmt.text.trim().to_owned(),
                        reason,
                        recipe: v.fix,
                    }),
                }
            }
        }
    }

    /// True when the action is metadata-only on this version and catalog.
    pub(crate) fn is_cheap(&self, table: &QualifiedName, action: &AlterAction) -> bool {
        let change = Change::AlterTable {
            table: table.clone(),
            actions: vec![action.clone()],
        };
        changes::assess(&change, &self.ctx())
            .effects
            .iter()
            .all(|e| !e.scan && !e.rewrite)
    }

    fn alter(&mut self, stmt: &Statement, table: &QualifiedName, action: &AlterAction) {
        match action {
            AlterAction::AddColumn { column, .. } => {
                changes::add_column::plan(self, stmt, table, column)
            }
            AlterAction::SetNotNull { column } => {
                changes::not_null::plan(self, stmt, table, action, column)
            }
            AlterAction::AddConstraint(spec) => changes::constraints::plan(self, stmt, table, spec),
            _ => self.generic(stmt),
        }
    }
}

fn is_concurrently(change: &Change) -> bool {
    match change {
        Change::CreateIndex { concurrently, .. }
        | Change::DropIndex { concurrently, .. }
        | Change::Reindex { concurrently, .. } => *concurrently,
        Change::AlterTable { actions, .. } => actions.iter().any(|a| {
            matches!(
                a,
                AlterAction::DetachPartition {
                    concurrently: true,
                    ..
                }
            )
        }),
        Change::AlterEnumAddValue { .. } => true,
        _ => false,
    }
}
