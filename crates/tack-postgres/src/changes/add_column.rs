//! ADD COLUMN: metadata-only, a rewrite, or a failure, depending on the default, the constraints
//! and the version — and the recipe that adds a column with a volatile default (or any default
//! before 11) without a rewrite: add nullable → SET DEFAULT → batched backfill → NOT NULL by the
//! CHECK recipe.

use super::recipe::{self, Draft, Recipe};
use super::{constraints, not_null, probes, Assessment, Effect, Planned, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, quote_literal, PgName};
use crate::syntax::nodes::{self, Render};
use pg_query::protobuf::{self, node::Node as N};
use tack_core::plan::{Phase, Undo};
use tack_core::{
    AlterAction, ColumnSpec, ConstraintKind, ConstraintSpec, Context, QualifiedName, TypeSpec,
    Volatility,
};

/// Maps a column definition (in `CREATE TABLE` or `ADD COLUMN`).
pub fn map_column(def: &protobuf::ColumnDef, render: Render) -> ColumnSpec {
    use protobuf::ConstrType as T;
    let mut spec = ColumnSpec {
        name: def.colname.clone(),
        type_spec: def
            .type_name
            .as_ref()
            .map(nodes::type_spec)
            .unwrap_or_else(|| TypeSpec::new("", Vec::new(), false, "")),
        not_null: def.is_not_null,
        default: def
            .raw_default
            .as_deref()
            .map(|e| nodes::expression_as(e, render)),
        generated_stored: None,
        identity: !def.identity.is_empty(),
        constraints: Vec::new(),
    };
    for node in &def.constraints {
        let Some(N::Constraint(c)) = &node.node else {
            continue;
        };
        match T::try_from(c.contype) {
            Ok(T::ConstrNotnull) => spec.not_null = true,
            Ok(T::ConstrNull) => spec.not_null = false,
            Ok(T::ConstrDefault) => {
                spec.default = c
                    .raw_expr
                    .as_deref()
                    .map(|e| nodes::expression_as(e, render))
            }
            Ok(T::ConstrIdentity) => spec.identity = true,
            Ok(T::ConstrGenerated) => {
                // PostgreSQL 18 adds VIRTUAL generated columns (the default there), which are
                // computed on read: only STORED ones are written into every row.
                if c.generated_kind != "v" {
                    spec.generated_stored = c
                        .raw_expr
                        .as_deref()
                        .map(|e| nodes::expression_as(e, render));
                }
            }
            Ok(T::ConstrPrimary) => {
                spec.not_null = true;
                spec.constraints
                    .extend(constraints::map_constraint(c, Some(&def.colname), render));
            }
            _ => {
                spec.constraints
                    .extend(constraints::map_constraint(c, Some(&def.colname), render))
            }
        }
    }
    spec
}

/// `ALTER TABLE … ADD COLUMN`.
pub fn map_add(def: Option<&N>, if_not_exists: bool) -> Option<AlterAction> {
    match def {
        Some(N::ColumnDef(d)) => Some(AlterAction::AddColumn {
            column: map_column(d, Render::Sql),
            if_not_exists,
        }),
        _ => None,
    }
}

pub fn assess(table: &QualifiedName, column: &ColumnSpec, ctx: &Context, out: &mut Assessment) {
    let mut effect = Effect::new(table, LockMode::AccessExclusive);
    let new_table = ctx.is_new(table);
    let t = table.sql();
    let c = quote_ident(&column.name);
    let ty = &column.type_spec.sql;

    let volatile_default = column.default.as_ref().and_then(|d| {
        let (v, unknown) = ctx.volatility(d);
        (v == Volatility::Volatile).then_some((d, unknown))
    });

    let mut verdict = None;
    if let Some(generated) = &column.generated_stored {
        effect = effect.rewrite();
        let mut fix = Recipe::new();
        fix.push(add_bare(table, column, None).note(&format!(
            "keep it filled for new and updated rows with a BEFORE INSERT OR UPDATE trigger setting NEW.{c} := {}",
            generated.sql
        )));
        fix.push(fill(table, &column.name, &generated.sql, ctx));
        verdict = Some(Verdict::new(
            RuleId::AddColumnGenerated,
            format!("adding stored generated column {c} rewrites {t}"),
            Some(fix.fix()),
        ));
    } else if column.identity {
        effect = effect.rewrite();
        verdict = Some(Verdict::new(
            RuleId::AddColumnIdentity,
            format!("adding identity column {c} rewrites {t}"),
            Some(identity_recipe(table, column, ctx).fix()),
        ));
    } else if column.type_spec.is_serial() {
        effect = effect.rewrite();
        verdict = Some(Verdict::new(
            RuleId::AddColumnSerial,
            format!("adding serial column {c} rewrites {t} (serial is a nextval() default)"),
            Some(identity_recipe(table, column, ctx).fix()),
        ));
    } else if let Some((default, unknown)) = volatile_default {
        effect = effect.rewrite();
        let mut v = Verdict::new(
            RuleId::AddColumnVolatileDefault,
            format!(
                "default {} is volatile: adding {c} rewrites {t}",
                default.sql
            ),
            Some(default_recipe(table, column, &default.sql, ctx).fix()),
        );
        if !unknown.is_empty() {
            v = v.assuming(format!(
                "volatility of {} unknown (not connected, not created in this run): assumed volatile",
                unknown.join(", ")
            ));
        }
        verdict = Some(v);
    } else if column.default.is_some() && !ctx.version.at_least(11) {
        effect = effect.rewrite();
        let default = column
            .default
            .as_ref()
            .map(|d| d.sql.clone())
            .unwrap_or_default();
        verdict = Some(Verdict::new(
            RuleId::AddColumnDefaultRewrite,
            format!(
                "on PostgreSQL {} a column default is written into every row: adding {c} rewrites {t}",
                ctx.version
            ),
            Some(default_recipe(table, column, &default, ctx).fix()),
        ));
    } else if column.not_null && column.default.is_none() && !new_table {
        let mut nullable = Recipe::new();
        nullable
            .push(add_bare(table, column, None).note("or nullable, backfilled, then NOT NULL:"));
        nullable.push(fill(table, &column.name, "<value>", ctx));
        nullable.extend(not_null::recipe(table, &column.name, ctx.version));
        verdict = Some(Verdict::new(
            RuleId::AddColumnNotNullNoDefault,
            format!("adding NOT NULL column {c} without a default fails if {t} has any row"),
            Some(format!(
                "-- either a constant default (metadata-only from PostgreSQL 11):\n\
                 ALTER TABLE {t} ADD COLUMN {c} {ty} NOT NULL DEFAULT <value>;\n{}",
                nullable.fix()
            )),
        ));
    }

    // Inline constraints are judged like their ALTER TABLE … ADD CONSTRAINT forms, except that a
    // new column holds only its default, so CHECK/UNIQUE work scales with the table all the same.
    for constraint in &column.constraints {
        if let ConstraintKind::ForeignKey {
            referenced_table, ..
        } = &constraint.kind
        {
            effect = effect.also(referenced_table, LockMode::ShareRowExclusive);
        }
    }
    out.push_effect(effect);
    if new_table {
        return;
    }
    if let Some(v) = verdict {
        out.verdicts.push(v);
    }
    for constraint in &column.constraints {
        constraints::assess_inline(table, &column.name, constraint, ctx, out);
    }
}

/// `ALTER TABLE t ADD COLUMN c type [tail]`: metadata-only; undone by dropping the column.
fn add_bare(table: &QualifiedName, column: &ColumnSpec, tail: Option<&str>) -> Draft {
    let t = table.sql();
    let c = quote_ident(&column.name);
    let mut sql = format!("ALTER TABLE {t} ADD COLUMN {c} {}", column.type_spec.sql);
    if let Some(tail) = tail {
        sql.push_str(tail);
    }
    Draft::sql(
        Phase::Expand,
        table,
        LockMode::AccessExclusive,
        sql,
        "add the column without a rewrite: metadata-only",
    )
    .probe(probes::column_exists(table, &column.name))
    .undo_sql(drop_column_sql(table, &column.name))
}

fn drop_column_sql(table: &QualifiedName, column: &str) -> String {
    format!(
        "ALTER TABLE {} DROP COLUMN IF EXISTS {}",
        table.sql(),
        quote_ident(column)
    )
}

/// Fills a new column's existing rows in batches (nothing to undo: the column goes).
fn fill(table: &QualifiedName, column: &str, expr: &str, ctx: &Context) -> Draft {
    let b = recipe::backfill(
        table,
        ctx.table(table),
        vec![(column.to_owned(), expr.to_owned())],
        Some(format!("{} IS NULL", quote_ident(column))),
    );
    let why = recipe::backfill_why(&b, "fill existing rows with the default, in batches");
    Draft::backfill(b, why, Undo::Nothing)
}

/// Add nullable → SET DEFAULT → backfill → NOT NULL recipe (when NOT NULL was asked for).
fn default_recipe(
    table: &QualifiedName,
    column: &ColumnSpec,
    default: &str,
    ctx: &Context,
) -> Recipe {
    let t = table.sql();
    let c = quote_ident(&column.name);
    let mut r = Recipe::new();
    r.push(add_bare(table, column, None));
    r.push(Draft::sql(
        Phase::Expand,
        table,
        LockMode::AccessExclusive,
        format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default}"),
        "new rows get the default from now on; existing rows are backfilled next",
    ));
    r.push(fill(table, &column.name, default, ctx));
    if column.not_null {
        r.extend(not_null::recipe(table, &column.name, ctx.version));
    }
    r
}

fn identity_recipe(table: &QualifiedName, column: &ColumnSpec, ctx: &Context) -> Recipe {
    let t = table.sql();
    let c = quote_ident(&column.name);
    let seq = table.sibling(&recipe::constraint_name(table, &[&column.name], "seq"));
    let seq_lit = quote_literal(&seq.sql());
    let ty = match column.type_spec.name.as_str() {
        "smallserial" | "serial2" | "int2" => "smallint",
        "serial" | "serial4" | "int4" => "integer",
        _ => "bigint",
    };
    let bare = ColumnSpec {
        type_spec: tack_core::TypeSpec::new(ty, Vec::new(), false, ty),
        ..column.clone()
    };
    let mut r = Recipe::new();
    r.push(add_bare(table, &bare, None));
    r.push(Draft::sql(
        Phase::Expand,
        table,
        LockMode::AccessExclusive,
        format!("CREATE SEQUENCE {} OWNED BY {t}.{c}", seq.sql()),
        "the sequence the column draws from",
    ));
    r.push(Draft::sql(
        Phase::Expand,
        table,
        LockMode::AccessExclusive,
        format!("ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT nextval({seq_lit})"),
        "new rows draw from the sequence",
    ));
    r.push(fill(
        table,
        &column.name,
        &format!("nextval({seq_lit})"),
        ctx,
    ));
    r.extend(not_null::recipe(table, &column.name, ctx.version));
    r
}

/// Plans an `ADD COLUMN`: as written when metadata-only, else by [`default_recipe`].
pub fn plan(ctx: &Context, table: &QualifiedName, column: &ColumnSpec) -> Planned {
    let volatile = column
        .default
        .as_ref()
        .is_some_and(|d| ctx.volatility(d).0 == Volatility::Volatile);
    let default_rewrites = column.default.is_some() && (volatile || !ctx.version.at_least(11));
    let special =
        column.generated_stored.is_some() || column.identity || column.type_spec.is_serial();
    if special || (!default_rewrites && column.not_null && column.default.is_none()) {
        // Generated, identity and serial columns, and NOT NULL without a default.
        return Planned::Judge;
    }
    if !default_rewrites && column.constraints.is_empty() {
        return Planned::AsWritten(if column.default.is_some() {
            "a non-volatile default is stored in the catalog (PostgreSQL 11+): no rewrite"
        } else {
            "a nullable column without default is metadata-only"
        });
    }
    let mut r = match (&column.default, default_rewrites) {
        (Some(default), true) => default_recipe(table, column, &default.sql, ctx),
        _ => {
            // A cheap default (and NOT NULL with it) goes on the column; the inline constraints
            // follow by their recipes.
            let mut tail = String::new();
            if let Some(d) = &column.default {
                tail.push_str(&format!(" DEFAULT {}", d.sql));
            }
            if column.not_null {
                tail.push_str(" NOT NULL");
            }
            let mut r = Recipe::new();
            r.push(add_bare(table, column, Some(&tail)));
            r
        }
    };
    for spec in &column.constraints {
        let mut spec: ConstraintSpec = spec.clone();
        constraints::fill_inline_columns(&mut spec, &column.name);
        match constraints::recipe(table, &spec, ctx) {
            Some(more) => r.extend(more),
            // No recipe for it (EXCLUDE): the rule base's verdict decides.
            None => return Planned::Judge,
        }
    }
    Planned::Recipe(r)
}

/// Undoing an `ADD COLUMN` run as written: drop the column.
pub fn undo(table: &QualifiedName, action: &AlterAction) -> Undo {
    match action {
        AlterAction::AddColumn { column, .. } => Undo::Sql {
            sql: drop_column_sql(table, &column.name),
            transactional: true,
        },
        _ => Undo::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::{Action, Phase, Undo};

    #[test]
    fn a_constant_default_is_metadata_only_from_11() {
        let a = assess_sql(
            "ALTER TABLE orders ADD COLUMN status text NOT NULL DEFAULT 'new'",
            15,
        );
        assert!(a.verdicts.is_empty());
        assert!(!a.effects[0].rewrite);
        let a = assess_sql(
            "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new'",
            10,
        );
        assert_eq!(a.verdicts[0].rule.name, "add-column-default-pre-11");
        assert!(a.effects[0].rewrite);
    }

    #[test]
    fn a_volatile_default_rewrites_and_the_fix_is_the_plan() {
        let sql = "ALTER TABLE orders ADD COLUMN tracking uuid NOT NULL DEFAULT gen_random_uuid()";
        let a = assess_sql(sql, 15);
        assert_eq!(a.verdicts[0].rule.name, "add-column-volatile-default");
        assert!(a.effects[0].rewrite);
        let fix = a.verdicts[0].fix.clone().unwrap();
        let plan = plan_sql(sql, 15);
        assert!(plan.refused.is_empty());
        let phases: Vec<Phase> = plan.steps.iter().map(|s| s.phase).collect();
        assert_eq!(
            phases,
            [
                Phase::Expand,
                Phase::Expand,
                Phase::Backfill,
                Phase::Validate,
                Phase::Validate,
                Phase::Validate,
                Phase::Cleanup
            ]
        );
        // One recipe: every SQL step of the plan is in the linter's fix.
        for step in &plan.steps {
            if let Action::Sql { sql } = &step.action {
                assert!(fix.contains(sql.as_str()), "{sql} not in the fix:\n{fix}");
            }
        }
        assert!(
            matches!(&plan.steps[0].undo, Undo::Sql { sql, .. } if sql.contains("DROP COLUMN IF EXISTS tracking"))
        );
        assert_eq!(plan.steps[2].undo, Undo::Nothing);
        assert!(plan.steps[2]
            .cleanup
            .as_deref()
            .is_some_and(|c| c.contains("DROP TRIGGER IF EXISTS")));
    }

    #[test]
    fn new_tables_are_never_judged() {
        let a = assess_run(
            &[
                "CREATE TABLE t (id int)",
                "ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid()",
            ],
            15,
        );
        assert!(a.verdicts.is_empty());
    }

    #[test]
    fn identity_and_serial_are_refused_with_the_sequence_recipe() {
        for sql in [
            "ALTER TABLE orders ADD COLUMN n bigserial",
            "ALTER TABLE orders ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY",
        ] {
            let plan = plan_sql(sql, 15);
            assert_eq!(plan.refused.len(), 1, "{sql}");
            let recipe = plan.refused[0].recipe.clone().unwrap();
            assert!(recipe.contains("CREATE SEQUENCE"), "{recipe}");
            assert!(recipe.contains("nextval"), "{recipe}");
        }
    }

    #[test]
    fn not_null_without_default_is_refused() {
        let plan = plan_sql("ALTER TABLE orders ADD COLUMN n int NOT NULL", 15);
        assert_eq!(plan.refused[0].rule, "add-column-not-null-without-default");
    }

    #[test]
    fn a_nullable_column_runs_as_written_and_is_undone_by_dropping_it() {
        let plan = plan_sql("ALTER TABLE orders ADD COLUMN note text", 15);
        assert_eq!(plan.steps.len(), 1);
        assert_eq!(plan.steps[0].phase, Phase::Run);
        assert!(
            matches!(&plan.steps[0].undo, Undo::Sql { sql, .. } if sql == "ALTER TABLE orders DROP COLUMN IF EXISTS note")
        );
    }
}
