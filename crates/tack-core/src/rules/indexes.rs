//! CREATE INDEX, DROP INDEX and REINDEX, with and without CONCURRENTLY.

use super::{Assessment, Context, Effect, RuleId, Verdict};
use crate::change::{Change, QualifiedName, ReindexKind};
use crate::lock::LockMode;

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
            let fix = format!(
                "CREATE {}INDEX CONCURRENTLY {}{}ON {} {definition_sql};",
                if *unique { "UNIQUE " } else { "" },
                if *if_not_exists { "IF NOT EXISTS " } else { "" },
                name.as_deref()
                    .map(|n| format!("{} ", crate::change::quote_ident(n)))
                    .unwrap_or_default(),
                table.sql(),
            );
            out.verdicts.push(Verdict::new(
                RuleId::CreateIndex,
                format!(
                    "building {} on {} blocks every INSERT, UPDATE and DELETE until it finishes",
                    name.as_deref().unwrap_or("the index"),
                    table.sql()
                ),
                Some(format!(
                    "-- outside a transaction block; if it fails, DROP INDEX CONCURRENTLY the INVALID leftover and retry\n{fix}"
                )),
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
                        format!(
                            "dropping {} takes an AccessExclusiveLock on its table",
                            index.sql()
                        ),
                        Some(format!(
                            "-- outside a transaction block:\nDROP INDEX CONCURRENTLY {}{};",
                            if *if_exists { "IF EXISTS " } else { "" },
                            index.sql()
                        )),
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

/// The table an index belongs to, when the catalog (or the run) knows it.
fn owning_table(ctx: &Context, index: &QualifiedName) -> Option<QualifiedName> {
    let (schema, _) = index.key();
    ctx.catalog.tables().find_map(|((s, t), facts)| {
        (s == &schema && facts.indexes.iter().any(|i| i.name == index.name))
            .then(|| QualifiedName::new(index.schema.as_deref(), t))
    })
}
