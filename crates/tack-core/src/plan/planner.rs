//! The planner proper: each statement of a migration becomes the steps of its safe recipe, in
//! statement order; each step is labelled with its phase, lock, cost and a catalog probe that
//! says whether it is already done (so a resumed run re-checks instead of trusting its records).
//!
//! Recipes, version-aware:
//! 1. ADD COLUMN with a non-volatile default (11+): one metadata-only step. Volatile default (or
//!    any default before 11): add nullable → SET DEFAULT → batched backfill → NOT NULL by recipe 3.
//! 2. A whole-table UPDATE: a batched keyset backfill plus a temporary trigger for concurrent writes.
//! 3. SET NOT NULL: CHECK … NOT VALID → VALIDATE → SET NOT NULL → drop the check (12+).
//! 4. ADD CHECK / FOREIGN KEY: NOT VALID, then VALIDATE in its own transaction.
//! 5. ADD UNIQUE / PRIMARY KEY: CREATE UNIQUE INDEX CONCURRENTLY → ADD CONSTRAINT … USING INDEX.
//! 6. CREATE / DROP INDEX: CONCURRENTLY, outside a transaction; an INVALID leftover is dropped.
//! 7. What cannot be made safe yet is refused with the reason and the manual recipe, unless
//!    allowed by rule id.
//! 8. Everything else runs as written, with the lock timeout.

use super::model::{Backfill, BackfillKey, Phase, Plan, Refusal, Step, StepKind};
use crate::catalog::{Catalog, Volatility};
use crate::change::{
    quote_ident, quote_literal, AlterAction, Change, ColumnSpec, ConstraintKind, ConstraintSpec,
    QualifiedName,
};
use crate::lint::Statement;
use crate::lock::LockMode;
use crate::rules::{self, recipes, Context, RuleId};
use crate::version::Version;

/// What the planner may do.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    pub version: Version,
    /// Rule ids whose refusals are overridden: the statement runs as written.
    pub allow: Vec<String>,
}

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

struct Planner<'a> {
    migration: &'a str,
    catalog: Catalog,
    version: Version,
    allow: &'a [String],
    plan: Plan,
}

/// A step under construction: what it runs and how it behaves.
struct Draft {
    phase: Phase,
    kind: StepKind,
    table: Option<QualifiedName>,
    lock: Option<LockMode>,
    transactional: bool,
    scan: bool,
    rewrite: bool,
    why: String,
    done_probe: Option<String>,
    cleanup: Option<String>,
}

impl Draft {
    fn sql(phase: Phase, table: &QualifiedName, lock: LockMode, sql: String, why: &str) -> Self {
        Draft {
            phase,
            kind: StepKind::Sql { sql },
            table: Some(table.clone()),
            lock: Some(lock),
            transactional: true,
            scan: false,
            rewrite: false,
            why: why.to_owned(),
            done_probe: None,
            cleanup: None,
        }
    }

    fn probe(mut self, sql: String) -> Self {
        self.done_probe = Some(sql);
        self
    }

    fn scanning(mut self) -> Self {
        self.scan = true;
        self
    }

    fn outside_transaction(mut self) -> Self {
        self.transactional = false;
        self
    }
}

/// `to_regclass('…')` for a relation name as written.
fn regclass(name: &QualifiedName) -> String {
    format!("to_regclass({})", quote_literal(&name.sql()))
}

fn column_exists(table: &QualifiedName, column: &str) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = {} AND attname = {} AND NOT attisdropped)",
        regclass(table),
        quote_literal(column)
    )
}

fn column_not_null(table: &QualifiedName, column: &str) -> String {
    format!(
        "SELECT coalesce((SELECT attnotnull FROM pg_attribute WHERE attrelid = {} AND attname = {} AND NOT attisdropped), false)",
        regclass(table),
        quote_literal(column)
    )
}

fn constraint_exists(table: &QualifiedName, name: &str) -> String {
    format!(
        "SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {} AND conname = {})",
        regclass(table),
        quote_literal(name)
    )
}

fn constraint_absent(table: &QualifiedName, name: &str) -> String {
    format!(
        "SELECT NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = {} AND conname = {})",
        regclass(table),
        quote_literal(name)
    )
}

fn constraint_validated(table: &QualifiedName, name: &str) -> String {
    format!(
        "SELECT coalesce((SELECT convalidated FROM pg_constraint WHERE conrelid = {} AND conname = {}), false)",
        regclass(table),
        quote_literal(name)
    )
}

fn index_valid(index: &QualifiedName) -> String {
    format!(
        "SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = {}), false)",
        regclass(index)
    )
}

fn relation_absent(name: &QualifiedName) -> String {
    format!("SELECT {} IS NULL", regclass(name))
}

impl Planner<'_> {
    fn ctx(&self) -> Context<'_> {
        Context {
            version: self.version,
            catalog: &self.catalog,
            in_transaction: false,
        }
    }

    fn push(&mut self, source: &str, draft: Draft) {
        let n = self.plan.steps.len() + 1;
        let (blocks_reads, blocks_writes) = match draft.lock {
            Some(lock) if !matches!(draft.kind, StepKind::Backfill(_)) => {
                (lock.blocks_reads(), lock.blocks_writes())
            }
            _ => (false, false),
        };
        let estimate = draft.table.as_ref().and_then(|t| {
            let facts = self.catalog.table(t)?;
            let bytes = facts.bytes?;
            // A backfill writes every row again: as costly as a rewrite, spread over batches.
            let work = if draft.rewrite || matches!(draft.kind, StepKind::Backfill(_)) {
                crate::estimate::Work::Rewrite
            } else if draft.scan {
                crate::estimate::Work::Scan
            } else {
                return None;
            };
            Some(crate::estimate::describe(
                work,
                bytes,
                facts.index_bytes.unwrap_or(0),
                facts.rows,
            ))
        });
        self.plan.steps.push(Step {
            id: format!("{}#{n}", self.migration),
            phase: draft.phase,
            kind: draft.kind,
            source: source.trim().to_owned(),
            table: draft.table,
            lock: draft.lock,
            transactional: draft.transactional,
            rewrite: draft.rewrite,
            scan: draft.scan,
            blocks_reads,
            blocks_writes,
            estimate,
            why: draft.why,
            done_probe: draft.done_probe,
            cleanup: draft.cleanup,
        });
    }

    /// Allowed by `--allow`, or accepted on the statement with `-- tack:ignore <rule> <reason>`.
    fn allowed(&self, stmt: &Statement, rule: RuleId) -> bool {
        self.allow.iter().any(|a| a == rule.name() || a == "all")
            || stmt
                .ignores
                .iter()
                .any(|i| i.reason.is_some() && (i.rule == rule.name() || i.rule == "all"))
    }

    /// Runs the statement as written (recipe 8), described by the rule base's assessment.
    fn as_written(&mut self, stmt: &Statement, why: &str) {
        let assessment = rules::assess(stmt.change, &self.ctx());
        let effect = assessment.main_effect();
        let transactional = !is_concurrently(stmt.change);
        let draft = Draft {
            phase: Phase::Run,
            kind: StepKind::Sql {
                sql: stmt.text.trim().to_owned(),
            },
            table: effect.map(|e| e.table.clone()),
            lock: effect.and_then(|e| if e.quiet { None } else { e.lock }),
            transactional,
            scan: effect.is_some_and(|e| e.scan),
            rewrite: effect.is_some_and(|e| e.rewrite),
            why: why.to_owned(),
            done_probe: None,
            cleanup: None,
        };
        self.push(stmt.text, draft);
    }

    fn refuse(&mut self, stmt: &Statement, rule: RuleId, reason: String, recipe: Option<String>) {
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
                    self.refuse(
                        stmt,
                        RuleId::LockHeldAcrossStatements,
                        "several actions in one ALTER TABLE hold one AccessExclusiveLock for all of them, and at least one scans or rewrites".to_owned(),
                        Some("-- write one ALTER TABLE statement per action; tack then plans each safely".to_owned()),
                    );
                }
            }
            Change::CreateIndex { .. } | Change::DropIndex { .. } | Change::Reindex { .. } => {
                self.index(stmt)
            }
            Change::Update {
                table,
                assignments,
                where_sql,
                ..
            } => {
                let verdicts = rules::assess(stmt.change, &self.ctx()).verdicts;
                if verdicts.is_empty() || assignments.is_empty() {
                    self.as_written(stmt, "touches few rows: one short transaction");
                } else {
                    self.backfill(
                        stmt,
                        table,
                        assignments.clone(),
                        where_sql.clone(),
                        "the UPDATE, in batches",
                    );
                }
            }
            _ => self.generic(stmt),
        }
    }

    /// Statements without a recipe: run as written when the rule base has no error for them,
    /// refused (with its fix as the manual recipe) otherwise.
    fn generic(&mut self, stmt: &Statement) {
        let verdicts = rules::assess(stmt.change, &self.ctx()).verdicts;
        match verdicts.into_iter().next() {
            None => {
                let effect = rules::assess(stmt.change, &self.ctx())
                    .effects
                    .into_iter()
                    .next();
                let why = match effect {
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
                self.refuse(stmt, v.rule, reason, v.fix);
            }
        }
    }

    /// True when the action is metadata-only on this version and catalog.
    fn is_cheap(&self, table: &QualifiedName, action: &AlterAction) -> bool {
        let change = Change::AlterTable {
            table: table.clone(),
            actions: vec![action.clone()],
        };
        rules::assess(&change, &self.ctx())
            .effects
            .iter()
            .all(|e| !e.scan && !e.rewrite)
    }

    fn alter(&mut self, stmt: &Statement, table: &QualifiedName, action: &AlterAction) {
        match action {
            AlterAction::AddColumn { column, .. } => self.add_column(stmt, table, column),
            AlterAction::SetNotNull { column } => {
                if self.is_cheap(table, action) {
                    self.as_written(stmt, "the column is already proven NOT NULL: no scan");
                } else if self.version.at_least(12) {
                    self.not_null_recipe(stmt.text, table, column);
                } else {
                    self.generic(stmt);
                }
            }
            AlterAction::AddConstraint(spec) => self.add_constraint(stmt, table, spec),
            _ => self.generic(stmt),
        }
    }

    fn add_column(&mut self, stmt: &Statement, table: &QualifiedName, column: &ColumnSpec) {
        let ctx = self.ctx();
        let volatile = column
            .default
            .as_ref()
            .is_some_and(|d| ctx.volatility(d).0 == Volatility::Volatile);
        let default_rewrites = column.default.is_some() && (volatile || !self.version.at_least(11));
        let special =
            column.generated_stored.is_some() || column.identity || column.type_spec.is_serial();
        if special || (!default_rewrites && column.not_null && column.default.is_none()) {
            // Generated, identity and serial columns, and NOT NULL without a default.
            return self.generic(stmt);
        }
        let t = table.sql();
        let c = quote_ident(&column.name);
        let ty = &column.type_spec.sql;
        if !default_rewrites && column.constraints.is_empty() {
            return self.as_written(
                stmt,
                if column.default.is_some() {
                    "a non-volatile default is stored in the catalog (PostgreSQL 11+): no rewrite"
                } else {
                    "a nullable column without default is metadata-only"
                },
            );
        }
        // Add the bare column first; the rest follows by recipe.
        let mut add = format!("ALTER TABLE {t} ADD COLUMN {c} {ty}");
        if !default_rewrites {
            if let Some(d) = &column.default {
                add.push_str(&format!(" DEFAULT {}", d.sql));
            }
            if column.not_null {
                add.push_str(" NOT NULL");
            }
        }
        self.push(
            stmt.text,
            Draft::sql(
                Phase::Expand,
                table,
                LockMode::AccessExclusive,
                add,
                "add the column without a rewrite: metadata-only",
            )
            .probe(column_exists(table, &column.name)),
        );
        if default_rewrites {
            if let Some(default) = &column.default {
                self.push(
                    stmt.text,
                    Draft::sql(
                        Phase::Expand,
                        table,
                        LockMode::AccessExclusive,
                        format!(
                            "ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {}",
                            default.sql
                        ),
                        "new rows get the default from now on; existing rows are backfilled next",
                    ),
                );
                self.backfill(
                    stmt,
                    table,
                    vec![(column.name.clone(), default.sql.clone())],
                    Some(format!("{c} IS NULL")),
                    "fill existing rows with the default, in batches",
                );
                if column.not_null {
                    self.not_null_recipe(stmt.text, table, &column.name);
                }
            }
        }
        for spec in &column.constraints {
            let mut spec = spec.clone();
            fill_inline_columns(&mut spec, &column.name);
            self.add_constraint_recipe(stmt, table, &spec);
        }
    }

    fn backfill(
        &mut self,
        stmt: &Statement,
        table: &QualifiedName,
        assignments: Vec<(String, String)>,
        condition: Option<String>,
        why: &str,
    ) {
        let key = match self.catalog.table(table).and_then(|f| f.primary_key()) {
            Some(cols) if !cols.is_empty() => BackfillKey::PrimaryKey(cols.to_vec()),
            _ => BackfillKey::Ctid,
        };
        // The trigger re-applies the assignments to rows the application writes meanwhile; that
        // is only right when applying them twice changes nothing. `SET v = v + 1` is not: then
        // each existing row is updated exactly once by the batches, and rows written later are
        // left as the application wrote them (as the single UPDATE would have).
        let trigger = !assignments
            .iter()
            .any(|(column, expr)| mentions_column(expr, column));
        let walk = match &key {
            BackfillKey::PrimaryKey(cols) => {
                format!("keyset batches over the primary key ({})", cols.join(", "))
            }
            BackfillKey::Ctid => {
                "batches of physical pages (ctid ranges): the table has no primary key".to_owned()
            }
        };
        self.push(
            stmt.text,
            Draft {
                phase: Phase::Backfill,
                kind: StepKind::Backfill(Backfill {
                    table: table.clone(),
                    key,
                    assignments,
                    condition,
                    trigger,
                }),
                table: Some(table.clone()),
                lock: Some(LockMode::RowExclusive),
                transactional: true,
                scan: false,
                rewrite: false,
                why: format!(
                    "{why}: {walk}, each its own short transaction, throttled; {}",
                    if trigger {
                        "a temporary trigger applies the same assignment to rows written meanwhile"
                    } else {
                        "no trigger: the assignment reads the column it writes, so applying it twice would differ"
                    }
                ),
                done_probe: None,
                cleanup: None,
            },
        );
    }

    /// Recipe 3: CHECK NOT VALID → VALIDATE → SET NOT NULL → drop the check.
    fn not_null_recipe(&mut self, source: &str, table: &QualifiedName, column: &str) {
        let t = table.sql();
        let c = quote_ident(column);
        let name = recipes::constraint_name(table, &[column], "not_null");
        let check = quote_ident(&name);
        self.push(
            source,
            Draft::sql(
                Phase::Validate,
                table,
                LockMode::AccessExclusive,
                format!("ALTER TABLE {t} ADD CONSTRAINT {check} CHECK ({c} IS NOT NULL) NOT VALID"),
                "NOT VALID: only new writes are checked, no scan",
            )
            .probe(constraint_exists(table, &name)),
        );
        self.push(
            source,
            Draft::sql(
                Phase::Validate,
                table,
                LockMode::ShareUpdateExclusive,
                format!("ALTER TABLE {t} VALIDATE CONSTRAINT {check}"),
                "scans under ShareUpdateExclusiveLock: reads and writes continue",
            )
            .scanning()
            .probe(constraint_validated(table, &name)),
        );
        self.push(
            source,
            Draft::sql(
                Phase::Validate,
                table,
                LockMode::AccessExclusive,
                format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL"),
                "the validated check proves no NULLs (PostgreSQL 12+): no scan",
            )
            .probe(column_not_null(table, column)),
        );
        self.push(
            source,
            Draft::sql(
                Phase::Cleanup,
                table,
                LockMode::AccessExclusive,
                format!("ALTER TABLE {t} DROP CONSTRAINT {check}"),
                "the helper check is redundant now",
            )
            .probe(constraint_absent(table, &name)),
        );
    }

    fn add_constraint(&mut self, stmt: &Statement, table: &QualifiedName, spec: &ConstraintSpec) {
        let effects = rules::assess(stmt.change, &self.ctx()).effects;
        if effects.iter().all(|e| !e.scan && !e.rewrite) {
            return self.as_written(stmt, "no validation scan: brief lock only");
        }
        self.add_constraint_recipe(stmt, table, spec);
    }

    /// Recipes 4 and 5.
    fn add_constraint_recipe(
        &mut self,
        stmt: &Statement,
        table: &QualifiedName,
        spec: &ConstraintSpec,
    ) {
        let t = table.sql();
        let name = spec
            .name
            .clone()
            .unwrap_or_else(|| recipes::default_constraint_name(table, spec));
        let n = quote_ident(&name);
        match &spec.kind {
            ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => {
                let lock = if matches!(spec.kind, ConstraintKind::ForeignKey { .. }) {
                    LockMode::ShareRowExclusive
                } else {
                    LockMode::AccessExclusive
                };
                self.push(
                    stmt.text,
                    Draft::sql(
                        Phase::Expand,
                        table,
                        lock,
                        format!("ALTER TABLE {t} ADD CONSTRAINT {n} {} NOT VALID", spec.sql),
                        "NOT VALID: enforced for new writes at once, existing rows checked next without blocking",
                    )
                    .probe(constraint_exists(table, &name)),
                );
                self.push(
                    stmt.text,
                    Draft::sql(
                        Phase::Validate,
                        table,
                        LockMode::ShareUpdateExclusive,
                        format!("ALTER TABLE {t} VALIDATE CONSTRAINT {n}"),
                        "scans under ShareUpdateExclusiveLock in its own transaction: reads and writes continue",
                    )
                    .scanning()
                    .probe(constraint_validated(table, &name)),
                );
            }
            ConstraintKind::Unique { columns, .. } | ConstraintKind::PrimaryKey { columns, .. } => {
                let primary = matches!(spec.kind, ConstraintKind::PrimaryKey { .. });
                if primary {
                    for col in columns {
                        let known_not_null = self
                            .catalog
                            .table(table)
                            .and_then(|f| f.columns.get(col))
                            .is_some_and(|c| c.not_null);
                        if !known_not_null {
                            self.not_null_recipe(stmt.text, table, col);
                        }
                    }
                }
                let index = table.sibling(&name);
                let cols = columns
                    .iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.push(
                    stmt.text,
                    Draft {
                        cleanup: Some(format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql())),
                        ..Draft::sql(
                            Phase::Index,
                            table,
                            LockMode::ShareUpdateExclusive,
                            format!("CREATE UNIQUE INDEX CONCURRENTLY {n} ON {t} ({cols})"),
                            "built while reads and writes continue; an INVALID leftover of an interrupted build is dropped first",
                        )
                        .scanning()
                        .outside_transaction()
                        .probe(index_valid(&index))
                    },
                );
                let what = if primary { "PRIMARY KEY" } else { "UNIQUE" };
                self.push(
                    stmt.text,
                    Draft::sql(
                        Phase::Validate,
                        table,
                        LockMode::AccessExclusive,
                        format!("ALTER TABLE {t} ADD CONSTRAINT {n} {what} USING INDEX {n}"),
                        "attaches the ready index: brief lock, no build, no scan",
                    )
                    .probe(constraint_exists(table, &name)),
                );
            }
            _ => self.generic(stmt),
        }
    }

    /// Recipe 6.
    fn index(&mut self, stmt: &Statement) {
        match stmt.change {
            Change::CreateIndex {
                name,
                table,
                unique,
                if_not_exists,
                definition_sql,
                ..
            } if !self.ctx().is_new(table) => {
                let Some(name) = name else {
                    return self.refuse(
                        stmt,
                        RuleId::CreateIndex,
                        "an index without a name cannot be checked or cleaned up after an interrupted concurrent build".to_owned(),
                        Some("-- give the index a name: CREATE INDEX CONCURRENTLY <name> ON …".to_owned()),
                    );
                };
                let index = table.sibling(name);
                self.push(
                    stmt.text,
                    Draft {
                        cleanup: Some(format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql())),
                        ..Draft::sql(
                            Phase::Index,
                            table,
                            LockMode::ShareUpdateExclusive,
                            format!(
                                "CREATE {}INDEX CONCURRENTLY {}{} ON {} {definition_sql}",
                                if *unique { "UNIQUE " } else { "" },
                                if *if_not_exists { "IF NOT EXISTS " } else { "" },
                                quote_ident(name),
                                table.sql()
                            ),
                            "built while reads and writes continue; an INVALID leftover of an interrupted build is dropped first",
                        )
                        .scanning()
                        .outside_transaction()
                        .probe(index_valid(&index))
                    },
                );
            }
            Change::DropIndex {
                indexes,
                concurrently: false,
                if_exists,
            } if indexes.len() == 1 => {
                let index = &indexes[0];
                self.push(
                    stmt.text,
                    Draft::sql(
                        Phase::Run,
                        index,
                        LockMode::ShareUpdateExclusive,
                        format!(
                            "DROP INDEX CONCURRENTLY {}{}",
                            if *if_exists { "IF EXISTS " } else { "" },
                            index.sql()
                        ),
                        "waits for running queries instead of blocking them",
                    )
                    .outside_transaction()
                    .probe(relation_absent(index)),
                );
            }
            Change::Reindex {
                kind,
                name,
                concurrently: false,
            } if self.version.at_least(12) && *kind != crate::change::ReindexKind::System => {
                let what = match kind {
                    crate::change::ReindexKind::Index => "INDEX",
                    crate::change::ReindexKind::Table => "TABLE",
                    crate::change::ReindexKind::Schema => "SCHEMA",
                    _ => "DATABASE",
                };
                self.push(
                    stmt.text,
                    Draft::sql(
                        Phase::Index,
                        name,
                        LockMode::ShareUpdateExclusive,
                        format!("REINDEX {what} CONCURRENTLY {}", name.sql()),
                        "rebuilt beside the old index while reads and writes continue",
                    )
                    .scanning()
                    .outside_transaction(),
                );
            }
            _ => self.generic(stmt),
        }
    }
}

/// Whether an expression's SQL names `column` (as a whole identifier, quoted or not). Text inside
/// string literals may give a false positive, which only costs the trigger.
fn mentions_column(expr: &str, column: &str) -> bool {
    let quoted = format!("\"{}\"", column.replace('"', "\"\""));
    if expr.contains(&quoted) {
        return true;
    }
    let bytes = expr.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80;
    expr.match_indices(column).any(|(i, _)| {
        let before = i == 0 || !ident(bytes[i - 1]);
        let end = i + column.len();
        let after = end >= bytes.len() || !ident(bytes[end]);
        before && after
    })
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

/// Inline column constraints name their column implicitly.
fn fill_inline_columns(spec: &mut ConstraintSpec, column: &str) {
    match &mut spec.kind {
        ConstraintKind::Unique { columns, .. }
        | ConstraintKind::PrimaryKey { columns, .. }
        | ConstraintKind::ForeignKey { columns, .. }
            if columns.is_empty() =>
        {
            columns.push(column.to_owned());
        }
        _ => {}
    }
}
