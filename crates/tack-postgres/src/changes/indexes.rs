//! CREATE INDEX, DROP INDEX and REINDEX, with and without CONCURRENTLY — and their recipes:
//! build and drop `CONCURRENTLY`, outside a transaction, dropping the INVALID leftover of an
//! interrupted build before retrying; `REINDEX … CONCURRENTLY` from 12.

use super::opaque;
use super::recipe::{Draft, Recipe};
use super::{probes, Assessment, Effect, Planned, RuleId, Verdict};
use crate::lock::LockMode;
use crate::sql::{quote_ident, PgName};
use crate::syntax::{deparse, nodes};
use pg_query::protobuf::{self, node::Node as N};
use tack_core::change::ReindexKind;
use tack_core::plan::{Phase, Undo};
use tack_core::{Change, Context, QualifiedName, Statement};
/// Maps `CREATE INDEX`.
pub fn map_create(s: &protobuf::IndexStmt, node: &N) -> Change {
    match &s.relation {
        Some(rel) => Change::CreateIndex {
            name: nodes::non_empty(&s.idxname),
            table: nodes::range_var(rel),
            unique: s.unique,
            concurrently: s.concurrent,
            if_not_exists: s.if_not_exists,
            definition_sql: deparse::index_definition(s).unwrap_or_else(|| "(…)".to_owned()),
        },
        None => opaque::map_other(node),
    }
}

/// Maps `DROP INDEX` (its names read by the drop statement's mapping).
pub fn map_drop(s: &protobuf::DropStmt, indexes: Vec<QualifiedName>) -> Change {
    Change::DropIndex {
        indexes,
        concurrently: s.concurrent,
        if_exists: s.missing_ok,
    }
}

/// Maps `REINDEX`.
pub fn map_reindex(s: &protobuf::ReindexStmt, node: &N) -> Change {
    use protobuf::ReindexObjectType as R;
    let kind = match R::try_from(s.kind) {
        Ok(R::ReindexObjectIndex) => ReindexKind::Index,
        Ok(R::ReindexObjectTable) => ReindexKind::Table,
        Ok(R::ReindexObjectSchema) => ReindexKind::Schema,
        Ok(R::ReindexObjectDatabase) => ReindexKind::Database,
        Ok(R::ReindexObjectSystem) => ReindexKind::System,
        _ => return opaque::map_other(node),
    };
    let name = match &s.relation {
        Some(rel) => nodes::range_var(rel),
        None => QualifiedName::unqualified(&s.name),
    };
    let concurrently = s.params.iter().any(|p| match &p.node {
        Some(N::DefElem(d)) => d.defname == "concurrently" && nodes::def_bool(d),
        _ => false,
    });
    Change::Reindex {
        kind,
        name,
        concurrently,
    }
}

pub fn assess(change: &Change, ctx: &Context, out: &mut Assessment) {
    match change {
        Change::CreateIndex {
            name,
            table,
            unique,
            concurrently,
            if_not_exists,
            definition_sql,
        } => {
            if *concurrently {
                out.push_effect(Effect::new(table, LockMode::ShareUpdateExclusive).index_build());
                let v = ctx.version;
                if v.major == 14 && v.minor < 4 && ctx.catalog.connected {
                    out.verdicts.push(Verdict::new(
                        RuleId::ConcurrentIndexBug,
                        format!("PostgreSQL {v} can build a corrupt index concurrently"),
                        Some("-- upgrade to 14.4 or later first".to_owned()),
                    ));
                }
                return;
            }
            out.push_effect(Effect::new(table, LockMode::Share).index_build());
            if ctx.is_new(table) {
                return;
            }
            out.verdicts.push(Verdict::new(
                RuleId::CreateIndex,
                format!(
                    "building {} on {} blocks every INSERT, UPDATE and DELETE until it finishes",
                    name.as_deref().unwrap_or("the index"),
                    table.sql()
                ),
                Some(
                    create_concurrently(name.as_deref(), table, *unique, *if_not_exists, definition_sql)
                        .fix()
                        .replace(
                            "-- outside a transaction block:",
                            "-- outside a transaction block; if it fails, DROP INDEX CONCURRENTLY the INVALID leftover and retry",
                        ),
                ),
            ));
        }
        Change::DropIndex {
            indexes,
            concurrently,
            if_exists,
        } => {
            for index in indexes {
                let owner = owning_table(ctx, index);
                // CONCURRENTLY: the table is locked ShareUpdateExclusive; the index itself is
                // dropped under AccessExclusiveLock, but only once it is invisible and no
                // transaction uses it.
                let (table_lock, effect) = if *concurrently {
                    (
                        LockMode::ShareUpdateExclusive,
                        Effect::new(index, LockMode::AccessExclusive).quiet(),
                    )
                } else {
                    (
                        LockMode::AccessExclusive,
                        Effect::new(index, LockMode::AccessExclusive),
                    )
                };
                let effect = match &owner {
                    Some(table) => effect.also(table, table_lock),
                    None => effect,
                };
                out.push_effect(effect);
                let new = owner.as_ref().is_some_and(|t| ctx.is_new(t));
                if !*concurrently && !new {
                    out.verdicts.push(Verdict::new(
                        RuleId::DropIndex,
                        match &owner {
                            Some(t) => format!(
                                "dropping {} takes an AccessExclusiveLock on its table {}",
                                index.sql(),
                                t.sql()
                            ),
                            None => format!(
                                "dropping {} takes an AccessExclusiveLock on its table",
                                index.sql()
                            ),
                        },
                        Some(drop_concurrently(index, owner.as_ref(), *if_exists).fix()),
                    ));
                }
            }
        }
        Change::Reindex {
            kind,
            name,
            concurrently,
        } => {
            let (lock, table) = match kind {
                ReindexKind::Index => (LockMode::AccessExclusive, owning_table(ctx, name)),
                ReindexKind::Table => (LockMode::Share, Some(name.clone())),
                _ => (LockMode::Share, None),
            };
            if *concurrently {
                // A new index is built beside the old one under ShareUpdateExclusiveLock; the old
                // one is dropped under AccessExclusiveLock once nothing uses it.
                let effect = match kind {
                    ReindexKind::Index => {
                        let e = Effect::new(name, LockMode::AccessExclusive)
                            .quiet()
                            .index_build();
                        match &table {
                            Some(t) => e.also(t, LockMode::ShareUpdateExclusive),
                            None => e,
                        }
                    }
                    _ => Effect::new(name, LockMode::ShareUpdateExclusive).index_build(),
                };
                out.push_effect(effect);
                return;
            }
            let mut effect = Effect::new(name, lock).index_build();
            if let (ReindexKind::Index, Some(t)) = (kind, &table) {
                effect = effect.also(t, LockMode::Share);
            }
            out.push_effect(effect);
            if table.as_ref().is_some_and(|t| ctx.is_new(t)) {
                return;
            }
            let what = match kind {
                ReindexKind::Index => "INDEX",
                ReindexKind::Table => "TABLE",
                ReindexKind::Schema => "SCHEMA",
                ReindexKind::Database => "DATABASE",
                ReindexKind::System => "SYSTEM",
            };
            let fix = if ctx.version.at_least(12) && *kind != ReindexKind::System {
                format!(
                    "-- outside a transaction block:\nREINDEX {what} CONCURRENTLY {};",
                    name.sql()
                )
            } else {
                format!(
                    "-- before PostgreSQL 12: CREATE INDEX CONCURRENTLY a copy of each index of {}, then DROP INDEX CONCURRENTLY the old one and rename the copy",
                    name.sql()
                )
            };
            out.verdicts.push(Verdict::new(
                RuleId::Reindex,
                format!("REINDEX {what} {} blocks writes, and reads that use the index, until it finishes", name.sql()),
                Some(fix),
            ));
        }
        _ => {}
    }
}

/// `CREATE [UNIQUE] INDEX CONCURRENTLY`, with the cleanup of an interrupted build.
fn create_concurrently(
    name: Option<&str>,
    table: &QualifiedName,
    unique: bool,
    if_not_exists: bool,
    definition_sql: &str,
) -> Recipe {
    let sql = format!(
        "CREATE {}INDEX CONCURRENTLY {}{}ON {} {definition_sql}",
        if unique { "UNIQUE " } else { "" },
        if if_not_exists { "IF NOT EXISTS " } else { "" },
        name.map(|n| format!("{} ", quote_ident(n)))
            .unwrap_or_default(),
        table.sql(),
    );
    let mut draft = Draft::sql(
        Phase::Index,
        table,
        LockMode::ShareUpdateExclusive,
        sql,
        "built while reads and writes continue; an INVALID leftover of an interrupted build is dropped first",
    )
    .scanning()
    .outside_transaction();
    if let Some(name) = name {
        let index = table.sibling(name);
        let drop = format!("DROP INDEX CONCURRENTLY IF EXISTS {}", index.sql());
        draft = draft
            .probe(probes::index_valid(&index))
            .cleanup(drop.clone());
        draft = if if_not_exists {
            draft.irreversible("CREATE INDEX IF NOT EXISTS may have found the index already there")
        } else {
            draft.undo_sql(drop)
        };
    }
    let mut r = Recipe::new();
    r.push(draft);
    r
}

/// `DROP INDEX CONCURRENTLY`.
fn drop_concurrently(
    index: &QualifiedName,
    table: Option<&QualifiedName>,
    if_exists: bool,
) -> Recipe {
    let mut r = Recipe::new();
    r.push(
        Draft::sql(
            Phase::Run,
            table.unwrap_or(index),
            LockMode::ShareUpdateExclusive,
            format!(
                "DROP INDEX CONCURRENTLY {}{}",
                if if_exists { "IF EXISTS " } else { "" },
                index.sql()
            ),
            "waits for running queries instead of blocking them",
        )
        .outside_transaction()
        .probe(probes::relation_absent(index))
        .irreversible("tack does not keep the definition of a dropped index; re-create it by hand"),
    );
    r
}

/// Plans index statements: builds and drops `CONCURRENTLY`, `REINDEX … CONCURRENTLY` on 12+.
pub fn plan(ctx: &Context, stmt: &Statement) -> Planned {
    match stmt.change {
        Change::CreateIndex {
            name,
            table,
            unique,
            if_not_exists,
            definition_sql,
            ..
        } if !ctx.is_new(table) => {
            if name.is_none() {
                return Planned::Refuse {
                    rule: RuleId::CreateIndex.info(),
                    reason: "an index without a name cannot be checked or cleaned up after an \
                             interrupted concurrent build"
                        .to_owned(),
                    recipe: Some(
                        "-- give the index a name: CREATE INDEX CONCURRENTLY <name> ON …"
                            .to_owned(),
                    ),
                };
            }
            Planned::Recipe(create_concurrently(
                name.as_deref(),
                table,
                *unique,
                *if_not_exists,
                definition_sql,
            ))
        }
        Change::DropIndex {
            indexes,
            concurrently: false,
            if_exists,
        } if indexes.len() == 1 => {
            let owner = owning_table(ctx, &indexes[0]);
            Planned::Recipe(drop_concurrently(&indexes[0], owner.as_ref(), *if_exists))
        }
        Change::Reindex {
            kind,
            name,
            concurrently: false,
        } if ctx.version.at_least(12) && *kind != ReindexKind::System => {
            let what = match kind {
                ReindexKind::Index => "INDEX",
                ReindexKind::Table => "TABLE",
                ReindexKind::Schema => "SCHEMA",
                _ => "DATABASE",
            };
            let mut r = Recipe::new();
            r.push(
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
            Planned::Recipe(r)
        }
        _ => Planned::Judge,
    }
}

/// Undoing index statements run as written.
pub fn undo(change: &Change) -> Undo {
    match change {
        Change::CreateIndex {
            name: Some(name),
            table,
            if_not_exists: false,
            concurrently,
            ..
        } => Undo::Sql {
            sql: format!(
                "DROP INDEX {}IF EXISTS {}",
                if *concurrently { "CONCURRENTLY " } else { "" },
                table.sibling(name).sql()
            ),
            transactional: !*concurrently,
        },
        Change::CreateIndex { .. } => Undo::Irreversible {
            reason: "the index has no name, or may have existed before (IF NOT EXISTS)".to_owned(),
        },
        Change::DropIndex { .. } => Undo::Irreversible {
            reason: "tack does not keep the definition of a dropped index; re-create it by hand"
                .to_owned(),
        },
        _ => Undo::Nothing,
    }
}

/// The table an index belongs to, when the catalog (or the run) knows it.
fn owning_table(ctx: &Context, index: &QualifiedName) -> Option<QualifiedName> {
    let (schema, _) = ctx.catalog.key(index);
    ctx.catalog.tables().find_map(|((s, t), facts)| {
        (s == &schema && facts.indexes.iter().any(|i| i.name == index.name))
            .then(|| QualifiedName::new(index.schema.as_deref(), t))
    })
}

#[cfg(test)]
mod tests {
    use crate::changes::test_support::*;
    use tack_core::plan::Undo;

    #[test]
    fn create_index_blocks_writes_and_the_plan_builds_it_concurrently() {
        let sql = "CREATE INDEX orders_user_idx ON orders (user_id)";
        let a = assess_sql(sql, 15);
        assert_eq!(a.effects[0].lock.map(|l| l.pg_name()), Some("ShareLock"));
        assert_eq!(a.verdicts[0].rule.name, "create-index-non-concurrently");
        let plan = plan_sql(sql, 15);
        assert_eq!(plan.steps.len(), 1);
        let step = &plan.steps[0];
        assert!(!step.transactional);
        assert_eq!(
            step.display_sql(),
            "CREATE INDEX CONCURRENTLY orders_user_idx ON orders USING btree (user_id)"
        );
        assert_eq!(
            step.cleanup.as_deref(),
            Some("DROP INDEX CONCURRENTLY IF EXISTS orders_user_idx")
        );
        assert!(matches!(
            &step.undo,
            Undo::Sql {
                transactional: false,
                ..
            }
        ));
        assert!(a.verdicts[0]
            .fix
            .as_deref()
            .unwrap()
            .contains(&step.display_sql()));
    }

    #[test]
    fn an_unnamed_index_is_refused() {
        let plan = plan_sql("CREATE INDEX ON orders (user_id)", 15);
        assert_eq!(plan.refused.len(), 1);
    }

    #[test]
    fn drop_index_names_the_table_it_locks() {
        let a = assess_with_index("DROP INDEX orders_user_idx", "orders", "orders_user_idx");
        assert!(
            a.verdicts[0].message.contains("its table orders"),
            "{}",
            a.verdicts[0].message
        );
        let plan = plan_sql("DROP INDEX orders_user_idx", 15);
        assert_eq!(
            plan.steps[0].display_sql(),
            "DROP INDEX CONCURRENTLY orders_user_idx"
        );
    }

    #[test]
    fn reindex_goes_concurrently_from_12() {
        let plan = plan_sql("REINDEX INDEX orders_user_idx", 15);
        assert_eq!(
            plan.steps[0].display_sql(),
            "REINDEX INDEX CONCURRENTLY orders_user_idx"
        );
        let plan = plan_sql("REINDEX INDEX orders_user_idx", 11);
        assert_eq!(plan.refused[0].rule, "reindex-non-concurrently");
    }
}
