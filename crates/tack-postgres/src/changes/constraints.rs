//! ADD CONSTRAINT (CHECK, FOREIGN KEY, UNIQUE, PRIMARY KEY, EXCLUDE), VALIDATE CONSTRAINT, DROP
//! CONSTRAINT, and the locks that constraints in CREATE TABLE take on the tables they reference.
//! Recipes: CHECK / FOREIGN KEY → NOT VALID, then VALIDATE in its own transaction; UNIQUE /
//! PRIMARY KEY → CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … USING INDEX (key columns
//! made NOT NULL by the CHECK recipe first).

use super::recipe::{self, name_of, Draft, Recipe};
use super::{not_null, probes, Assessment, Effect, Planned, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use crate::syntax::deparse;
use crate::syntax::nodes::{self, Render};
use pg_query::protobuf::{self, node::Node as N, Node};
use tack_core::plan::{Phase, Undo};
use tack_core::{
    AlterAction, ConstraintKind, ConstraintSpec, Context, Expr, QualifiedName, Statement,
};

/// Maps a constraint from the parse tree; `column` is set for one written inline on a column
/// definition.
pub fn map_constraint(
    c: &protobuf::Constraint,
    column: Option<&str>,
    render: Render,
) -> Option<ConstraintSpec> {
    use protobuf::ConstrType as T;
    let mut c = c.clone();
    let col_node = |name: &str| Node {
        node: Some(N::String(protobuf::String {
            sval: name.to_owned(),
        })),
    };
    let kind = match T::try_from(c.contype).ok()? {
        T::ConstrCheck => ConstraintKind::Check {
            expr: c
                .raw_expr
                .as_deref()
                .map(|e| nodes::expression_as(e, render))
                .unwrap_or_else(|| Expr::constant("")),
            not_null_column: c.raw_expr.as_deref().and_then(nodes::null_test_column),
        },
        T::ConstrForeign => {
            if let (Some(col), true) = (column, c.fk_attrs.is_empty()) {
                c.fk_attrs.push(col_node(col));
            }
            ConstraintKind::ForeignKey {
                columns: nodes::strings(&c.fk_attrs),
                referenced_table: c.pktable.as_ref().map(nodes::range_var)?,
                referenced_columns: nodes::strings(&c.pk_attrs),
            }
        }
        T::ConstrUnique | T::ConstrPrimary => {
            if let (Some(col), true) = (column, c.keys.is_empty()) {
                c.keys.push(col_node(col));
            }
            let columns = nodes::strings(&c.keys);
            let using_index = nodes::non_empty(&c.indexname);
            if c.contype == T::ConstrUnique as i32 {
                ConstraintKind::Unique {
                    columns,
                    using_index,
                }
            } else {
                ConstraintKind::PrimaryKey {
                    columns,
                    using_index,
                }
            }
        }
        T::ConstrExclusion => ConstraintKind::Exclude,
        T::ConstrNotnull => ConstraintKind::NotNull {
            column: nodes::strings(&c.keys)
                .into_iter()
                .next()
                .or_else(|| column.map(str::to_owned))?,
        },
        _ => return None,
    };
    Some(ConstraintSpec {
        name: nodes::non_empty(&c.conname),
        sql: match render {
            Render::Sql => deparse::constraint(&c).unwrap_or_else(|| "<constraint>".to_owned()),
            Render::Skip => String::new(),
        },
        kind,
        not_valid: c.skip_validation,
    })
}

/// `ALTER TABLE … ADD CONSTRAINT`.
pub fn map_add(def: Option<&N>) -> Option<AlterAction> {
    match def {
        Some(N::Constraint(c)) => {
            map_constraint(c, None, Render::Sql).map(AlterAction::AddConstraint)
        }
        _ => None,
    }
}

fn idents(cols: &[String]) -> String {
    cols.iter()
        .map(|c| quote_ident(c))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn assess_add(
    table: &QualifiedName,
    spec: &ConstraintSpec,
    ctx: &Context,
    out: &mut Assessment,
) {
    let t = table.sql();
    let new_table = ctx.is_new(table);
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
                        format!(
                            "adding {} validates every row of {t} while reads and writes are blocked",
                            spec.sql
                        ),
                        recipe(table, spec, ctx).map(|r| r.fix()),
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
                        recipe(table, spec, ctx).map(|r| r.fix()),
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
                        format!(
                            "adding UNIQUE ({}) builds an index on {t} while reads and writes are blocked",
                            idents(columns)
                        ),
                        recipe(table, spec, ctx).map(|r| r.fix()),
                    )),
                )
            }
        }
        ConstraintKind::PrimaryKey {
            columns,
            using_index,
        } => {
            let (columns, unknown_index) = key_columns(ctx, table, columns, using_index.as_deref());
            let nullable = nullable_columns(ctx, table, &columns);
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
                let what = match (using_index.is_some(), nullable.is_empty()) {
                    (false, true) => "builds a unique index".to_owned(),
                    (false, false) => "builds a unique index and scans for NULLs".to_owned(),
                    (true, true) => {
                        "scans for NULLs in the index's columns (not known to be NOT NULL)"
                            .to_owned()
                    }
                    _ => format!(
                        "scans for NULLs in {} (not known to be NOT NULL)",
                        idents(&nullable)
                    ),
                };
                let mut v = Verdict::new(
                    RuleId::AddPrimaryKey,
                    format!(
                        "adding PRIMARY KEY ({}) {what} on {t} while reads and writes are blocked",
                        idents(&columns)
                    ),
                    recipe(table, spec, ctx).map(|r| r.fix()),
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
                format!(
                    "adding {} builds an index on {t} while reads and writes are blocked",
                    spec.sql
                ),
                Some(format!(
                    "SET lock_timeout = '1s';\n\
                     -- no NOT VALID or USING INDEX form exists; run in a quiet window, or build on a copy and swap:\n\
                     ALTER TABLE {t} ADD CONSTRAINT {} {};",
                    quote_ident(&name_of(table, spec)),
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

/// The key columns of a PRIMARY KEY (with USING INDEX: the index's, when known), and whether
/// they are unknown.
fn key_columns(
    ctx: &Context,
    table: &QualifiedName,
    columns: &[String],
    using_index: Option<&str>,
) -> (Vec<String>, bool) {
    let index_columns = using_index.and_then(|i| {
        ctx.table(table)
            .and_then(|f| f.indexes.iter().find(|x| x.name == i))
            .map(|x| x.columns.clone())
    });
    if columns.is_empty() {
        let unknown = index_columns.is_none();
        (index_columns.unwrap_or_default(), unknown)
    } else {
        (columns.to_vec(), false)
    }
}

fn nullable_columns(ctx: &Context, table: &QualifiedName, columns: &[String]) -> Vec<String> {
    columns
        .iter()
        .filter(|c| {
            !ctx.table(table)
                .and_then(|f| f.columns.get(c.as_str()))
                .is_some_and(|col| col.not_null)
        })
        .cloned()
        .collect()
}

/// The safe recipe for adding a constraint; None when there is none (EXCLUDE, NOT NULL which is
/// `not_null`'s).
pub fn recipe(table: &QualifiedName, spec: &ConstraintSpec, ctx: &Context) -> Option<Recipe> {
    let t = table.sql();
    let name = name_of(table, spec);
    let n = quote_ident(&name);
    let drop = format!("ALTER TABLE {t} DROP CONSTRAINT IF EXISTS {n}");
    let mut r = Recipe::new();
    match &spec.kind {
        ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. } => {
            let lock = if matches!(spec.kind, ConstraintKind::ForeignKey { .. }) {
                LockMode::ShareRowExclusive
            } else {
                LockMode::AccessExclusive
            };
            r.push(
                Draft::sql(
                    Phase::Expand,
                    table,
                    lock,
                    format!("ALTER TABLE {t} ADD CONSTRAINT {n} {} NOT VALID", spec.sql),
                    "NOT VALID: enforced for new writes at once, existing rows checked next without blocking",
                )
                .probe(probes::constraint_exists(table, &name))
                .undo_sql(drop.clone()),
            );
            r.push(
                Draft::sql(
                    Phase::Validate,
                    table,
                    LockMode::ShareUpdateExclusive,
                    format!("ALTER TABLE {t} VALIDATE CONSTRAINT {n}"),
                    "scans under ShareUpdateExclusiveLock in its own transaction: reads and writes continue",
                )
                .scanning()
                .probe(probes::constraint_validated(table, &name))
                .note("in its own transaction (ShareUpdateExclusiveLock: reads and writes continue):"),
            );
        }
        ConstraintKind::Unique {
            columns,
            using_index,
        }
        | ConstraintKind::PrimaryKey {
            columns,
            using_index,
        } => {
            let primary = matches!(spec.kind, ConstraintKind::PrimaryKey { .. });
            let (columns, _) = key_columns(ctx, table, columns, using_index.as_deref());
            if primary {
                for col in nullable_columns(ctx, table, &columns) {
                    r.extend(not_null::recipe(table, &col, ctx.version));
                }
            }
            let index_name = using_index.clone().unwrap_or_else(|| name.clone());
            let index = table.sibling(&index_name);
            if using_index.is_none() {
                r.push(
                    Draft::sql(
                        Phase::Index,
                        table,
                        LockMode::ShareUpdateExclusive,
                        format!(
                            "CREATE UNIQUE INDEX CONCURRENTLY {} ON {t} ({})",
                            quote_ident(&index_name),
                            idents(&columns)
                        ),
                        "built while reads and writes continue; an INVALID leftover of an interrupted build is dropped first",
                    )
                    .scanning()
                    .outside_transaction()
                    .probe(probes::index_valid(&index))
                    .cleanup(format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql()))
                    .undo_sql(format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql())),
                );
            }
            let what = if primary { "PRIMARY KEY" } else { "UNIQUE" };
            r.push(
                Draft::sql(
                    Phase::Validate,
                    table,
                    LockMode::AccessExclusive,
                    format!(
                        "ALTER TABLE {t} ADD CONSTRAINT {n} {what} USING INDEX {}",
                        quote_ident(&index_name)
                    ),
                    "attaches the ready index: brief lock, no build, no scan",
                )
                .probe(probes::constraint_exists(table, &name))
                .undo_sql(drop),
            );
        }
        ConstraintKind::Exclude | ConstraintKind::NotNull { .. } => return None,
    }
    Some(r)
}

/// Plans an `ADD CONSTRAINT`: as written when it neither scans nor builds, else by [`recipe`].
pub fn plan(
    ctx: &Context,
    stmt: &Statement,
    table: &QualifiedName,
    spec: &ConstraintSpec,
) -> Planned {
    let effects = super::assess(stmt.change, ctx).effects;
    if effects.iter().all(|e| !e.scan && !e.rewrite) {
        return Planned::AsWritten("no validation scan: brief lock only");
    }
    match recipe(table, spec, ctx) {
        Some(r) => Planned::Recipe(r),
        None => Planned::Judge,
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
    fill_inline_columns(&mut spec, column);
    assess_add(table, &spec, ctx, out);
}

/// Inline column constraints name their column implicitly.
pub fn fill_inline_columns(spec: &mut ConstraintSpec, column: &str) {
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

/// VALIDATE CONSTRAINT scans, but under ShareUpdateExclusiveLock: traffic continues. Holding a
/// stronger lock from earlier in the same transaction is the linter's concern.
pub fn assess_validate(table: &QualifiedName, out: &mut Assessment) {
    out.push_effect(Effect::new(table, LockMode::ShareUpdateExclusive).scan());
}

/// Undoing constraint changes run as written.
pub fn undo(table: &QualifiedName, action: &AlterAction) -> Undo {
    match action {
        AlterAction::AddConstraint(spec) => Undo::Sql {
            sql: format!(
                "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                table.sql(),
                quote_ident(&recipe::name_of(table, spec))
            ),
            transactional: true,
        },
        AlterAction::ValidateConstraint { .. } => Undo::Nothing,
        AlterAction::DropConstraint { name } => Undo::Irreversible {
            reason: format!(
                "tack does not keep the definition of the dropped constraint {}",
                quote_ident(name)
            ),
        },
        _ => Undo::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::{Action, Phase};

    #[test]
    fn check_and_foreign_key_go_not_valid_then_validate() {
        for (sql, lock) in [
            (
                "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0)",
                "AccessExclusiveLock",
            ),
            (
                "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)",
                "ShareRowExclusiveLock",
            ),
        ] {
            let a = assess_sql(sql, 15);
            assert!(a.effects[0].scan, "{sql}");
            let plan = plan_sql(sql, 15);
            assert_eq!(plan.steps.len(), 2, "{sql}");
            assert_eq!(plan.steps[0].lock.as_deref(), Some(lock));
            assert!(plan.steps[0].display_sql().ends_with("NOT VALID"));
            assert_eq!(plan.steps[1].phase, Phase::Validate);
            assert_eq!(
                plan.steps[1].lock.as_deref(),
                Some("ShareUpdateExclusiveLock")
            );
            let fix = a.verdicts[0].fix.clone().unwrap();
            for step in &plan.steps {
                if let Action::Sql { sql } = &step.action {
                    assert!(fix.contains(sql.as_str()), "{fix}");
                }
            }
        }
        assert!(assess_sql(
            "ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID",
            15
        )
        .verdicts
        .is_empty());
    }

    #[test]
    fn unique_and_primary_key_build_the_index_concurrently() {
        let plan = plan_sql("ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a)", 15);
        assert_eq!(plan.steps.len(), 2);
        assert!(!plan.steps[0].transactional);
        assert!(plan.steps[0]
            .display_sql()
            .starts_with("CREATE UNIQUE INDEX CONCURRENTLY t_a_key"));
        assert!(plan.steps[0].cleanup.is_some());
        assert!(plan.steps[1]
            .display_sql()
            .contains("UNIQUE USING INDEX t_a_key"));
        // A primary key on columns not known NOT NULL makes them NOT NULL first.
        let plan = plan_sql("ALTER TABLE t ADD PRIMARY KEY (id)", 15);
        assert_eq!(plan.steps.len(), 6);
        assert!(plan.steps[2].display_sql().contains("SET NOT NULL"));
        assert!(plan.steps[5]
            .display_sql()
            .contains("PRIMARY KEY USING INDEX"));
    }

    #[test]
    fn exclusion_constraints_are_refused() {
        let plan = plan_sql(
            "ALTER TABLE t ADD CONSTRAINT no_overlap EXCLUDE USING gist (r WITH &&)",
            15,
        );
        assert_eq!(plan.refused[0].rule, "add-exclusion-constraint");
    }
}
