//! ALTER COLUMN TYPE: a rewrite of the table and its indexes unless the change is
//! binary-coercible, which depends on the column's current type.

use super::{Assessment, Effect, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use crate::syntax::nodes;
use pg_query::protobuf::node::Node as N;
use tack_core::plan::Undo;
use tack_core::AlterAction;
use tack_core::{Context, Expr, QualifiedName, TypeSpec, Version};
/// Maps `ALTER COLUMN … TYPE … [USING …]`.
pub fn map(column: String, def: Option<&N>) -> Option<AlterAction> {
    match def {
        Some(N::ColumnDef(d)) => Some(AlterAction::AlterColumnType {
            column,
            new_type: d
                .type_name
                .as_ref()
                .map(nodes::type_spec)
                .unwrap_or_else(|| TypeSpec::new("", Vec::new(), false, "")),
            using: d.raw_default.as_deref().map(nodes::expression),
        }),
        _ => None,
    }
}

/// Whether changing a column from `old` (base name and modifiers) to `new` rewrites the table.
/// Mirrors PostgreSQL's `ATColumnChangeRequiresRewrite`: a relabel (binary-coercible cast) or a
/// length coercion the type's support function can drop (a larger or removed limit) is free.
pub fn type_change_rewrites(
    old_name: &str,
    old_mods: &[i64],
    new: &TypeSpec,
    version: Version,
    timezone_utc: bool,
) -> bool {
    let new_name = new.name.as_str();
    let new_mods = new.modifiers.as_slice();
    // A larger (or removed) limit on the same type.
    let widened = |same_scale: bool| -> bool {
        new_mods.is_empty()
            || (!old_mods.is_empty()
                && new_mods[0] >= old_mods[0]
                && (!same_scale || old_mods.get(1).unwrap_or(&0) == new_mods.get(1).unwrap_or(&0)))
    };
    if old_name == new_name {
        return match old_name {
            "varchar" | "varbit" | "timestamp" | "timestamptz" | "time" | "timetz" | "interval" => {
                !widened(false)
            }
            "numeric" => !widened(true),
            _ => old_mods != new_mods,
        };
    }
    match (old_name, new_name) {
        // Binary-coercible relabels: text and unlimited varchar are the same bytes.
        ("varchar", "text") => false,
        ("text", "varchar") => !new_mods.is_empty(),
        ("bpchar", "text") | ("bpchar", "varchar") => true,
        ("cidr", "inet") => false,
        ("timestamp", "timestamptz") | ("timestamptz", "timestamp") => {
            !(version.at_least(12) && timezone_utc && new_mods.is_empty())
        }
        _ => true,
    }
}

pub fn assess(
    table: &QualifiedName,
    column: &str,
    new_type: &TypeSpec,
    using: Option<&Expr>,
    ctx: &Context,
    out: &mut Assessment,
) {
    let effect = Effect::new(table, LockMode::AccessExclusive);
    let current = ctx.table(table).and_then(|f| f.columns.get(column));
    let mut assumed = None;
    let rewrites = match (current, using) {
        (_, Some(u)) if u.sql != quote_ident(column) => true,
        (Some(col), _) => {
            let utc = ctx.catalog.timezone_utc.unwrap_or(false);
            if ctx.catalog.timezone_utc.is_none()
                && col.type_name.starts_with("timestamp")
                && new_type.name.starts_with("timestamp")
            {
                assumed = Some("session TimeZone not known to be UTC (not connected)".to_owned());
            }
            type_change_rewrites(&col.type_name, &col.modifiers, new_type, ctx.version, utc)
        }
        (None, _) => {
            assumed = Some(format!(
                "current type of {} unknown (not connected, not created in this run): assumed not binary-coercible",
                quote_ident(column)
            ));
            true
        }
    };
    if !rewrites {
        out.push_effect(effect);
        return;
    }
    out.push_effect(effect.rewrite());
    if ctx.is_new(table) {
        return;
    }
    let t = table.sql();
    let c = quote_ident(column);
    let tmp = quote_ident(&format!("{column}_new"));
    let cast = using
        .map(|u| u.sql.clone())
        .unwrap_or_else(|| format!("{c}::{}", new_type.sql));
    let fix = format!(
        "-- expand/contract instead of a rewrite under AccessExclusiveLock:\n\
         ALTER TABLE {t} ADD COLUMN {tmp} {ty};\n\
         -- a trigger keeps {tmp} = {cast} for inserted and updated rows, then backfill in batches:\n\
         UPDATE {t} SET {tmp} = {cast} WHERE ctid IN (SELECT ctid FROM {t} WHERE {tmp} IS NULL AND {c} IS NOT NULL LIMIT 10000);\n\
         -- once the application reads {tmp}: drop {c} and rename {tmp} to {c} in one short transaction",
        ty = new_type.sql
    );
    let mut v = Verdict::new(
        RuleId::AlterColumnType,
        format!(
            "changing {c} to {} rewrites {t} and rebuilds its indexes while reads and writes are blocked",
            new_type.sql
        ),
        Some(fix),
    );
    if let Some(a) = assumed {
        v = v.assuming(a);
    }
    out.verdicts.push(v);
}

/// Undoing a type change run as written.
pub fn undo() -> Undo {
    Undo::Irreversible {
        reason: "changing the type back may not restore every value (and rewrites again)"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(name: &str, mods: &[i64]) -> TypeSpec {
        TypeSpec::new(name, mods.to_vec(), false, name)
    }

    #[test]
    fn binary_coercible_changes() {
        let v = Version::new(15, 0);
        assert!(!type_change_rewrites(
            "varchar",
            &[50],
            &ty("varchar", &[100]),
            v,
            false
        ));
        assert!(type_change_rewrites(
            "varchar",
            &[100],
            &ty("varchar", &[50]),
            v,
            false
        ));
        assert!(!type_change_rewrites(
            "varchar",
            &[50],
            &ty("varchar", &[]),
            v,
            false
        ));
        assert!(!type_change_rewrites(
            "varchar",
            &[50],
            &ty("text", &[]),
            v,
            false
        ));
        assert!(type_change_rewrites(
            "text",
            &[],
            &ty("varchar", &[20]),
            v,
            false
        ));
        assert!(!type_change_rewrites(
            "numeric",
            &[10, 2],
            &ty("numeric", &[12, 2]),
            v,
            false
        ));
        assert!(type_change_rewrites(
            "numeric",
            &[10, 2],
            &ty("numeric", &[12, 3]),
            v,
            false
        ));
        assert!(type_change_rewrites(
            "int4",
            &[],
            &ty("int8", &[]),
            v,
            false
        ));
        assert!(!type_change_rewrites(
            "timestamp",
            &[],
            &ty("timestamptz", &[]),
            v,
            true
        ));
        assert!(type_change_rewrites(
            "timestamp",
            &[],
            &ty("timestamptz", &[]),
            v,
            false
        ));
        assert!(type_change_rewrites(
            "timestamp",
            &[],
            &ty("timestamptz", &[]),
            Version::new(11, 0),
            true
        ));
    }
}
