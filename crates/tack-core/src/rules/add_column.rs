//! ADD COLUMN: metadata-only, rewrite, or failure, depending on the default, the constraints and
//! the version.

use super::{recipes, Assessment, Context, Effect, RuleId, Verdict};
use crate::catalog::Volatility;
use crate::change::{quote_ident, ColumnSpec, ConstraintKind, QualifiedName};
use crate::lock::LockMode;

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
        verdict = Some(Verdict::new(
            RuleId::AddColumnGenerated,
            format!("adding stored generated column {c} rewrites {t}"),
            Some(format!(
                "ALTER TABLE {t} ADD COLUMN {c} {ty};\n\
                 -- keep it filled for new and updated rows with a BEFORE INSERT OR UPDATE trigger setting NEW.{c} := {};\n{}",
                generated.sql,
                recipes::backfill(table, &column.name, &generated.sql, &recipes::batch_key(ctx.table(table)))
            )),
        ));
    } else if column.identity {
        effect = effect.rewrite();
        verdict = Some(Verdict::new(
            RuleId::AddColumnIdentity,
            format!("adding identity column {c} rewrites {t}"),
            Some(identity_recipe(table, column, ctx)),
        ));
    } else if column.type_spec.is_serial() {
        effect = effect.rewrite();
        verdict = Some(Verdict::new(
            RuleId::AddColumnSerial,
            format!("adding serial column {c} rewrites {t} (serial is a nextval() default)"),
            Some(identity_recipe(table, column, ctx)),
        ));
    } else if let Some((default, unknown)) = volatile_default {
        effect = effect.rewrite();
        let mut v = Verdict::new(
            RuleId::AddColumnVolatileDefault,
            format!(
                "default {} is volatile: adding {c} rewrites {t}",
                default.sql
            ),
            Some(volatile_default_recipe(table, column, &default.sql, ctx)),
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
            Some(volatile_default_recipe(table, column, &default, ctx)),
        ));
    } else if column.not_null && column.default.is_none() && !new_table {
        verdict = Some(Verdict::new(
            RuleId::AddColumnNotNullNoDefault,
            format!("adding NOT NULL column {c} without a default fails if {t} has any row"),
            Some(format!(
                "-- either a constant default (metadata-only from PostgreSQL 11):\n\
                 ALTER TABLE {t} ADD COLUMN {c} {ty} NOT NULL DEFAULT <value>;\n\
                 -- or nullable, backfilled, then NOT NULL:\n\
                 ALTER TABLE {t} ADD COLUMN {c} {ty};\n{}\n{}",
                recipes::backfill(
                    table,
                    &column.name,
                    "<value>",
                    &recipes::batch_key(ctx.table(table))
                ),
                recipes::set_not_null(table, &column.name, ctx.version)
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
    if new_table {
        out.push_effect(effect);
        return;
    }
    out.push_effect(effect);
    if let Some(v) = verdict {
        out.verdicts.push(v);
    }
    for constraint in &column.constraints {
        super::constraints::assess_inline(table, &column.name, constraint, ctx, out);
    }
}

fn volatile_default_recipe(
    table: &QualifiedName,
    column: &ColumnSpec,
    default: &str,
    ctx: &Context,
) -> String {
    let t = table.sql();
    let c = quote_ident(&column.name);
    let mut sql = format!(
        "ALTER TABLE {t} ADD COLUMN {c} {};\n\
         ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT {default};\n{}",
        column.type_spec.sql,
        recipes::backfill(
            table,
            &column.name,
            default,
            &recipes::batch_key(ctx.table(table))
        )
    );
    if column.not_null {
        sql.push('\n');
        sql.push_str(&recipes::set_not_null(table, &column.name, ctx.version));
    }
    sql
}

fn identity_recipe(table: &QualifiedName, column: &ColumnSpec, ctx: &Context) -> String {
    let t = table.sql();
    let c = quote_ident(&column.name);
    let seq = table.sibling(&recipes::constraint_name(table, &[&column.name], "seq"));
    let ty = match column.type_spec.name.as_str() {
        "smallserial" | "serial2" | "int2" => "smallint",
        "serial" | "serial4" | "int4" => "integer",
        _ => "bigint",
    };
    format!(
        "ALTER TABLE {t} ADD COLUMN {c} {ty};\n\
         CREATE SEQUENCE {seq} OWNED BY {t}.{c};\n\
         ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT nextval('{seq_lit}');\n{}\n{}",
        recipes::backfill(
            table,
            &column.name,
            &format!(
                "nextval('{seq_lit}')",
                seq_lit = seq.sql().replace('\'', "''")
            ),
            &recipes::batch_key(ctx.table(table))
        ),
        recipes::set_not_null(table, &column.name, ctx.version),
        seq = seq.sql(),
        seq_lit = seq.sql().replace('\'', "''"),
    )
}
