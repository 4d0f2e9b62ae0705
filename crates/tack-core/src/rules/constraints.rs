//! ADD CONSTRAINT (CHECK, FOREIGN KEY, UNIQUE, PRIMARY KEY, EXCLUDE), VALIDATE CONSTRAINT, and the
//! locks that constraints in CREATE TABLE take on the tables they reference.

use super::{not_null, recipes, Assessment, Context, Effect, RuleId, Verdict};
use crate::change::{quote_ident, ColumnSpec, ConstraintKind, ConstraintSpec, QualifiedName};
use crate::lock::LockMode;

fn idents(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The constraint's name as written, or the one PostgreSQL would pick.
fn name_of(table: &QualifiedName, spec: &ConstraintSpec) -> String {
    spec.name
        .clone()
        .unwrap_or_else(|| recipes::default_constraint_name(table, spec))
}

pub fn assess_add(
    table: &QualifiedName,
    spec: &ConstraintSpec,
    ctx: &Context,
    out: &mut Assessment,
) {
    let t = table.sql();
    let new_table = ctx.is_new(table);
    let name = quote_ident(&name_of(table, spec));
    let (effect, verdict) = match &spec.kind {
        ConstraintKind::Check { .. } => {
            let effect = Effect::new(table, LockMode::AccessExclusive);
            if spec.not_valid {
                (effect, None)
            } else {
                (
                    effect.scan(),
                    Some(Verdict::new(
                        RuleId::AddCheckConstraint,
                        format!("adding {} validates every row of {t} while reads and writes are blocked", spec.sql),
                        Some(format!(
                            "ALTER TABLE {t} ADD CONSTRAINT {name} {} NOT VALID;\n\
                             -- in its own transaction (ShareUpdateExclusiveLock: reads and writes continue):\n\
                             ALTER TABLE {t} VALIDATE CONSTRAINT {name};",
                            spec.sql
                        )),
                    )),
                )
            }
        }
        ConstraintKind::ForeignKey {
            referenced_table, ..
        } => {
            let effect = Effect::new(table, LockMode::ShareRowExclusive)
                .also(referenced_table, LockMode::ShareRowExclusive);
            if spec.not_valid {
                (effect, None)
            } else {
                (
                    effect.scan(),
                    Some(Verdict::new(
                        RuleId::AddForeignKey,
                        format!(
                            "adding the foreign key validates every row of {t} while writes to {t} and {} are blocked",
                            referenced_table.sql()
                        ),
                        Some(format!(
                            "ALTER TABLE {t} ADD CONSTRAINT {name} {} NOT VALID;\n\
                             -- in its own transaction (reads and writes continue):\n\
                             ALTER TABLE {t} VALIDATE CONSTRAINT {name};",
                            spec.sql
                        )),
                    )),
                )
            }
        }
        ConstraintKind::Unique {
            columns,
            using_index,
        } => {
            let effect = Effect::new(table, LockMode::AccessExclusive);
            if using_index.is_some() {
                (effect, None)
            } else {
                (
                    effect.index_build(),
                    Some(Verdict::new(
                        RuleId::AddUniqueConstraint,
                        format!("adding UNIQUE ({}) builds an index on {t} while reads and writes are blocked", idents(columns)),
                        Some(format!(
                            "CREATE UNIQUE INDEX CONCURRENTLY {name} ON {t} ({});\n\
                             ALTER TABLE {t} ADD CONSTRAINT {name} UNIQUE USING INDEX {name};",
                            idents(columns)
                        )),
                    )),
                )
            }
        }
        ConstraintKind::PrimaryKey {
            columns,
            using_index,
        } => {
            let facts = ctx.table(table);
            // With USING INDEX the key columns are the index's.
            let index_columns = using_index.as_ref().and_then(|i| {
                facts.and_then(|f| f.indexes.iter().find(|x| &x.name == i))
                    .map(|x| x.columns.clone())
            });
            let unknown_index = columns.is_empty() && index_columns.is_none();
            let columns = if columns.is_empty() {
                index_columns.as_ref().unwrap_or(columns)
            } else {
                columns
            };
            let nullable: Vec<&String> = columns
                .iter()
                .filter(|c| {
                    !facts
                        .and_then(|f| f.columns.get(c.as_str()))
                        .is_some_and(|col| col.not_null)
                })
                .collect();
            let mut effect = Effect::new(table, LockMode::AccessExclusive);
            if using_index.is_none() {
                effect = effect.index_build();
            }
            if !nullable.is_empty() || unknown_index {
                effect = effect.scan();
            }
            if using_index.is_some() && nullable.is_empty() && !unknown_index {
                (effect, None)
            } else {
                let mut fix = String::new();
                for c in &nullable {
                    fix.push_str(&recipes::set_not_null(table, c, ctx.version));
                    fix.push('\n');
                }
                let index = using_index.clone().unwrap_or_else(|| name_of(table, spec));
                let index = quote_ident(&index);
                if using_index.is_none() {
                    fix.push_str(&format!(
                        "CREATE UNIQUE INDEX CONCURRENTLY {index} ON {t} ({});\n",
                        idents(columns)
                    ));
                }
                fix.push_str(&format!(
                    "ALTER TABLE {t} ADD CONSTRAINT {name} PRIMARY KEY USING INDEX {index};"
                ));
                let what = match (using_index.is_some(), nullable.is_empty()) {
                    (false, true) => "builds a unique index".to_owned(),
                    (false, false) => "builds a unique index and scans for NULLs".to_owned(),
                    (true, true) => "scans for NULLs in the index's columns (not known to be NOT NULL)".to_owned(),
                    _ => format!(
                        "scans for NULLs in {} (not known to be NOT NULL)",
                        nullable.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
                    ),
                };
                let mut v = Verdict::new(
                    RuleId::AddPrimaryKey,
                    format!("adding PRIMARY KEY ({}) {what} on {t} while reads and writes are blocked", idents(columns)),
                    Some(fix),
                );
                if !ctx.catalog.connected && (!nullable.is_empty() || unknown_index) {
                    v = v.assuming("key columns assumed nullable (not connected)");
                }
                (effect, Some(v))
            }
        }
        ConstraintKind::Exclude => (
            Effect::new(table, LockMode::AccessExclusive).index_build(),
            Some(Verdict::new(
                RuleId::AddExclusionConstraint,
                format!("adding {} builds an index on {t} while reads and writes are blocked", spec.sql),
                Some(format!(
                    "SET lock_timeout = '1s';\n\
                     -- no NOT VALID or USING INDEX form exists; run in a quiet window, or build on a copy and swap:\n\
                     ALTER TABLE {t} ADD CONSTRAINT {name} {};",
                    spec.sql
                )),
            )),
        ),
        ConstraintKind::NotNull { column } => {
            not_null::assess_set(table, column, ctx, out);
            return;
        }
    };
    out.push_effect(effect);
    if !new_table {
        if let Some(v) = verdict {
            out.verdicts.push(v);
        }
    }
}

/// A constraint written inline on a column in `ADD COLUMN`.
pub fn assess_inline(
    table: &QualifiedName,
    column: &str,
    spec: &ConstraintSpec,
    ctx: &Context,
    out: &mut Assessment,
) {
    let mut spec = spec.clone();
    match &mut spec.kind {
        ConstraintKind::Unique { columns, .. } | ConstraintKind::PrimaryKey { columns, .. }
            if columns.is_empty() =>
        {
            columns.push(column.to_owned());
        }
        ConstraintKind::ForeignKey { columns, .. } if columns.is_empty() => {
            columns.push(column.to_owned());
        }
        _ => {}
    }
    assess_add(table, &spec, ctx, out);
}

/// VALIDATE CONSTRAINT scans, but under ShareUpdateExclusiveLock: traffic continues. Holding a
/// stronger lock from earlier in the same transaction is the linter's concern.
pub fn assess_validate(table: &QualifiedName, out: &mut Assessment) {
    out.push_effect(Effect::new(table, LockMode::ShareUpdateExclusive).scan());
}

/// `CREATE TABLE`: the new table is empty and unused (its own lock is irrelevant), but its foreign
/// keys lock the referenced tables.
pub fn assess_create_table(
    table: &QualifiedName,
    columns: &[ColumnSpec],
    constraints: &[ConstraintSpec],
    out: &mut Assessment,
) {
    let inline = columns.iter().flat_map(|c| c.constraints.iter());
    for spec in constraints.iter().chain(inline) {
        if let ConstraintKind::ForeignKey {
            referenced_table, ..
        } = &spec.kind
        {
            if referenced_table != table {
                out.push_effect(Effect::new(referenced_table, LockMode::ShareRowExclusive));
            }
        }
    }
}
