//! The PostgreSQL planner: turns the statements of a migration into a safe, phased plan of steps.
//! Pure: a function of (statements, catalog facts, version, options).
//!
//! This module is the driver — it walks the statements in order with its own copy of the catalog
//! (which learns from each statement, as the linter's does), asks the rule base how each one is
//! made safe (`crate::changes::plan`, which asks the module of its kind of change), and labels
//! every step with its id, lock, cost and cleanup. A statement is either expanded into its recipe, run as written when
//! the rule base finds nothing wrong with it, or refused with the rule's reason and fix (unless
//! allowed with `--allow <rule>` or `-- tack:ignore <rule> <reason>`).

use crate::backfill_sql;
use crate::changes::{self, recipe::Draft, recipe::Recipe, Planned};
use tack_core::plan::{Action, Phase, Plan, PlanOptions, Refusal, Step};
use tack_core::{AlterAction, Catalog, Change, Context, LockKind, RuleInfo, Statement, Version};

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

/// The planner's state while it walks a migration.
struct Planner<'a> {
    migration: &'a str,
    catalog: Catalog,
    version: Version,
    allow: &'a [String],
    plan: Plan,
}

impl Planner<'_> {
    fn ctx(&self) -> Context<'_> {
        Context {
            version: self.version,
            catalog: &self.catalog,
            in_transaction: false,
        }
    }

    /// Adds one step, numbered in the migration, with its estimate from the catalog.
    fn push(&mut self, source: &str, draft: Draft) {
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
    fn push_recipe(&mut self, source: &str, recipe: Recipe) {
        for draft in recipe.drafts {
            self.push(source, draft);
        }
    }

    /// Allowed by `--allow`, or accepted on the statement with `-- tack:ignore <rule> <reason>`.
    fn allowed(&self, stmt: &Statement, rule: &str) -> bool {
        stmt.allowed(self.allow, rule)
    }

    /// Runs the statement as written, described by the rule base's assessment, undone by the
    /// rule base's undo.
    fn as_written(&mut self, stmt: &Statement, why: &str) {
        let ctx = self.ctx();
        let assessment = changes::assess(stmt.change, &ctx);
        let undo = changes::undo(stmt.change, &ctx);
        let done_probe = changes::done_probe(stmt.change);
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
            done_probe,
            cleanup: None,
            undo,
            note: None,
        };
        self.push(stmt.text, draft);
    }

    fn refuse(
        &mut self,
        stmt: &Statement,
        rule: &'static RuleInfo,
        reason: String,
        recipe: Option<String>,
    ) {
        if self.allowed(stmt, rule.name) {
            self.as_written(stmt, &format!("allowed ({}): {reason}", rule.name));
            return;
        }
        self.plan.refused.push(Refusal {
            rule: rule.name,
            statement: stmt.text.trim().to_owned(),
            reason,
            recipe,
        });
    }

    fn statement(&mut self, stmt: &Statement) {
        let decision = changes::plan(stmt, &self.ctx());
        match decision {
            Planned::Nothing => {}
            Planned::AsWritten(why) => self.as_written(stmt, why),
            Planned::Recipe(recipe) => self.push_recipe(stmt.text, recipe),
            Planned::Judge => self.generic(stmt),
            Planned::Refuse {
                rule,
                reason,
                recipe,
            } => self.refuse(stmt, rule, reason, recipe),
        }
    }

    /// Statements without a recipe: run as written when the rule base has no error for them,
    /// refused (with its fix as the manual recipe) otherwise.
    fn generic(&mut self, stmt: &Statement) {
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
                self.refuse(stmt, v.rule, reason, v.fix)
            }
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
