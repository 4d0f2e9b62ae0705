//! Safe recipes: the sequence of steps a change is made safe with, written once per change and
//! used twice — the planner turns a [`Recipe`]'s drafts into plan steps, and the linter prints the
//! same recipe as the fix for the statement ([`Recipe::fix`]). Plus the naming helpers recipes
//! share (the names PostgreSQL would give constraints, the key a backfill walks).

use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use tack_core::catalog::TableFacts;
use tack_core::plan::{Action, Backfill, BackfillKey, Phase, Stage, Undo};
use tack_core::{ConstraintKind, ConstraintSpec, QualifiedName};

/// Rows per batch in printed backfill recipes.
pub const BATCH_ROWS: u32 = 10_000;

/// A step under construction: what it runs, how it behaves, how to tell it is done and how to
/// undo it.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub phase: Phase,
    pub stage: Stage,
    pub action: Action,
    pub table: Option<QualifiedName>,
    pub lock: Option<LockMode>,
    pub transactional: bool,
    pub scan: bool,
    pub rewrite: bool,
    pub why: String,
    pub done_probe: Option<String>,
    pub cleanup: Option<String>,
    pub undo: Undo,
    /// A comment printed above the step in the linter's fix.
    pub note: Option<String>,
}

impl Draft {
    /// One SQL statement on `table`.
    pub fn sql(
        phase: Phase,
        table: &QualifiedName,
        lock: LockMode,
        sql: String,
        why: &str,
    ) -> Self {
        Draft {
            phase,
            stage: Stage::Start,
            action: Action::Sql { sql },
            table: Some(table.clone()),
            lock: Some(lock),
            transactional: true,
            scan: false,
            rewrite: false,
            why: why.to_owned(),
            done_probe: None,
            cleanup: None,
            undo: Undo::Nothing,
            note: None,
        }
    }

    /// A batched backfill: row locks only.
    pub fn backfill(backfill: Backfill, why: String, undo: Undo) -> Self {
        let table = backfill.table.clone();
        Draft {
            phase: Phase::Backfill,
            stage: Stage::Start,
            action: Action::Backfill(backfill),
            table: Some(table),
            lock: Some(LockMode::RowExclusive),
            transactional: true,
            scan: false,
            rewrite: false,
            why,
            done_probe: None,
            cleanup: None,
            undo,
            note: None,
        }
    }

    pub fn probe(mut self, sql: String) -> Self {
        self.done_probe = Some(sql);
        self
    }

    pub fn scanning(mut self) -> Self {
        self.scan = true;
        self
    }

    pub fn outside_transaction(mut self) -> Self {
        self.transactional = false;
        self
    }

    pub fn cleanup(mut self, sql: String) -> Self {
        self.cleanup = Some(sql);
        self
    }

    pub fn undo_sql(mut self, sql: String) -> Self {
        self.undo = Undo::Sql {
            sql,
            transactional: self.transactional,
        };
        self
    }

    pub fn irreversible(mut self, reason: &str) -> Self {
        self.undo = Undo::Irreversible {
            reason: reason.to_owned(),
        };
        self
    }

    pub fn note(mut self, note: &str) -> Self {
        self.note = Some(note.to_owned());
        self
    }

    pub fn in_stage(mut self, stage: Stage) -> Self {
        self.stage = stage;
        self
    }
}

/// A change's safe sequence of steps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Recipe {
    pub drafts: Vec<Draft>,
}

impl Recipe {
    pub fn new() -> Self {
        Recipe::default()
    }

    pub fn push(&mut self, draft: Draft) {
        self.drafts.push(draft);
    }

    pub fn extend(&mut self, other: Recipe) {
        self.drafts.extend(other.drafts);
    }

    /// The recipe as SQL the user can run by hand (the linter's fix): each step with its note,
    /// CONCURRENTLY steps marked as needing to run outside a transaction block, and backfills as
    /// the batched UPDATE to repeat.
    pub fn fix(&self) -> String {
        let mut out = Vec::new();
        let mut said_outside = false;
        for d in &self.drafts {
            if let Some(note) = &d.note {
                out.push(format!("-- {note}"));
            }
            match &d.action {
                Action::Sql { sql } => {
                    if !d.transactional && !said_outside {
                        said_outside = true;
                        out.push("-- outside a transaction block:".to_owned());
                    }
                    out.push(format!("{sql};"));
                }
                Action::Backfill(b) => out.push(batched_backfill(b)),
            }
        }
        out.join("\n")
    }
}

/// A backfill as the batched UPDATE a user would repeat by hand.
pub fn batched_backfill(b: &Backfill) -> String {
    let t = b.table.sql();
    let key = key_sql(&b.key);
    let set = b
        .assignments
        .iter()
        .map(|(c, e)| format!("{} = {e}", quote_ident(c)))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = b
        .condition
        .as_ref()
        .map(|w| format!(" WHERE {w}"))
        .unwrap_or_default();
    format!(
        "-- repeat until it updates 0 rows, one transaction per batch (tack apply does this, throttled):\n\
         UPDATE {t} SET {set}\n  WHERE {key} IN (SELECT {key} FROM {t}{filter} LIMIT {BATCH_ROWS});"
    )
}

/// The backfill as the one UPDATE it stands for (what a reader of the plan sees).
pub fn backfill_summary(b: &Backfill) -> String {
    let set: Vec<String> = b
        .assignments
        .iter()
        .map(|(c, e)| format!("{} = {e}", quote_ident(c)))
        .collect();
    let mut sql = format!("UPDATE {} SET {}", b.table.sql(), set.join(", "));
    if let Some(cond) = &b.condition {
        sql.push_str(&format!(" WHERE {cond}"));
    }
    format!("{sql} -- in batches")
}

/// A batched UPDATE or DELETE over the table's key, as SQL to repeat by hand.
pub fn batched(table: &QualifiedName, action: &str, condition: Option<&str>, key: &str) -> String {
    let t = table.sql();
    let filter = condition.map(|w| format!(" WHERE {w}")).unwrap_or_default();
    format!(
        "-- repeat until it affects 0 rows, one transaction per batch (tack apply does this, throttled):\n\
         {action} WHERE {key} IN (SELECT {key} FROM {t}{filter} LIMIT {BATCH_ROWS});"
    )
}

/// A constraint name PostgreSQL would accept, from parts (truncated to 63 bytes like the server).
pub fn constraint_name(table: &QualifiedName, parts: &[&str], suffix: &str) -> String {
    let mut name = table.name.clone();
    for p in parts {
        name.push('_');
        name.push_str(p);
    }
    name.push('_');
    name.push_str(suffix);
    truncate_ident(name)
}

/// The name PostgreSQL gives an unnamed constraint (`orders_total_check`, `orders_pkey`, …),
/// close enough to be stable and valid.
pub fn default_constraint_name(table: &QualifiedName, spec: &ConstraintSpec) -> String {
    fn parts(columns: &[String]) -> Vec<&str> {
        columns.iter().map(String::as_str).collect()
    }
    match &spec.kind {
        ConstraintKind::Check {
            not_null_column, ..
        } => constraint_name(
            table,
            &[not_null_column.as_deref().unwrap_or("check")],
            "check",
        ),
        ConstraintKind::ForeignKey { columns, .. } => {
            constraint_name(table, &parts(columns), "fkey")
        }
        ConstraintKind::Unique { columns, .. } => constraint_name(table, &parts(columns), "key"),
        ConstraintKind::PrimaryKey { .. } => constraint_name(table, &[], "pkey"),
        ConstraintKind::Exclude => constraint_name(table, &[], "excl"),
        ConstraintKind::NotNull { column } => constraint_name(table, &[column], "not_null"),
    }
}

/// The constraint's name as written, or the one PostgreSQL would pick.
pub fn name_of(table: &QualifiedName, spec: &ConstraintSpec) -> String {
    spec.name
        .clone()
        .unwrap_or_else(|| default_constraint_name(table, spec))
}

fn truncate_ident(mut name: String) -> String {
    while name.len() > 63 {
        name.pop();
    }
    name
}

/// The key a backfill of the table walks: its primary key when known, else physical pages.
pub fn backfill_key(facts: Option<&TableFacts>) -> BackfillKey {
    match facts.and_then(TableFacts::primary_key) {
        Some(cols) if !cols.is_empty() => BackfillKey::PrimaryKey(cols.to_vec()),
        _ => BackfillKey::PhysicalPages,
    }
}

/// The key used to walk a table in batches, as SQL: its primary key when known, else `ctid`.
pub fn batch_key(facts: Option<&TableFacts>) -> String {
    key_sql(&backfill_key(facts))
}

/// A backfill key as SQL: the key column, a row of them, or `ctid`.
fn key_sql(key: &BackfillKey) -> String {
    match key {
        BackfillKey::PrimaryKey(cols) if cols.len() == 1 => quote_ident(&cols[0]),
        BackfillKey::PrimaryKey(cols) => format!(
            "({})",
            cols.iter()
                .map(|c| quote_ident(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        BackfillKey::PhysicalPages => "ctid".to_owned(),
    }
}

/// Whether an expression's SQL names `column` (as a whole identifier, quoted or not). Text inside
/// string literals may give a false positive, which only costs the trigger.
pub fn mentions_column(expr: &str, column: &str) -> bool {
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

/// A batched backfill of `assignments` on `table`, walking its key: the trigger re-applies the
/// assignments to rows the application writes meanwhile, which is only right when applying them
/// twice changes nothing (`SET v = v + 1` is not: then each existing row is updated exactly once
/// by the batches, and rows written later are left as the application wrote them).
pub fn backfill(
    table: &QualifiedName,
    facts: Option<&TableFacts>,
    assignments: Vec<(String, String)>,
    condition: Option<String>,
) -> Backfill {
    let trigger = !assignments
        .iter()
        .any(|(column, expr)| mentions_column(expr, column));
    Backfill {
        table: table.clone(),
        key: backfill_key(facts),
        assignments,
        condition,
        trigger,
    }
}

/// Why a backfill is safe, for the plan.
pub fn backfill_why(b: &Backfill, what: &str) -> String {
    let walk = match &b.key {
        BackfillKey::PrimaryKey(cols) => {
            format!("keyset batches over the primary key ({})", cols.join(", "))
        }
        BackfillKey::PhysicalPages => {
            "batches of physical pages (ctid ranges): the table has no primary key".to_owned()
        }
    };
    format!(
        "{what}: {walk}, each its own short transaction, throttled; {}",
        if b.trigger {
            "a temporary trigger applies the same assignment to rows written meanwhile"
        } else {
            "no trigger: the assignment reads the column it writes, so applying it twice would differ"
        }
    )
}
