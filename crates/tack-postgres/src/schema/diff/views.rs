//! Views and materialized views: which are dropped, re-created or replaced, in dependency order,
//! and the indexes of materialized views.

use super::objects::{comment_change, with_comment};
use super::sql::{self, change_line, definition_change};
use super::tables::Indexes;
use super::{topological, Ctx, DiffKind, ObjectKind, Out, Phase, EXTRA, MISSING};
use crate::schema::model::View;
use std::collections::{BTreeMap, BTreeSet};

/// What the diff does to views, in execution order.
#[derive(Debug, Default)]
pub(super) struct ViewPlan {
    /// Views of `from` that are dropped, dependents first; with why when `to` has them again
    /// (they are re-created), None when `to` does not.
    pub drops: Vec<(String, Option<String>)>,
    /// Views of `to` that are created or replaced, dependencies first.
    pub creates: Vec<(String, Create)>,
}

#[derive(Debug)]
pub(super) enum Create {
    /// Not in `from`.
    New,
    /// Dropped (see `ViewPlan::drops`) and created again, with why.
    Recreate(String),
    /// `CREATE OR REPLACE VIEW`: the definition changes, the existing columns stay.
    Replace(String),
}

/// Decides which views are dropped (gone from `to`, or changed in a way only a re-create makes,
/// or standing on something the diff drops or retypes, or reading a view that is dropped), which
/// are created, and their orders.
pub(super) fn plan(ctx: &Ctx) -> ViewPlan {
    let mut dropped: BTreeMap<&str, Option<String>> = BTreeMap::new();
    for (key, old) in &ctx.from.views {
        match ctx.to.views.get(key) {
            None => {
                dropped.insert(key, None);
            }
            Some(new) => {
                if let Some(why) = recreate_reason(ctx, old, new) {
                    dropped.insert(key, Some(why));
                }
            }
        }
    }
    // A view cannot be dropped while another reads it: those go (and come back) too.
    loop {
        let more: Vec<(&str, String)> = ctx
            .from
            .views
            .iter()
            .filter(|(key, _)| !dropped.contains_key(key.as_str()))
            .filter_map(|(key, view)| {
                let read = view
                    .depends_on
                    .iter()
                    .find(|used| dropped.contains_key(used.as_str()))?;
                let again = if ctx.to.views.contains_key(read) {
                    " and created again"
                } else {
                    ""
                };
                Some((
                    key.as_str(),
                    format!("reads {read}, which is dropped{again}"),
                ))
            })
            .collect();
        if more.is_empty() {
            break;
        }
        for (key, why) in more {
            dropped.insert(key, Some(why));
        }
    }
    let mut drops: Vec<(String, Option<String>)> =
        topological(&dropped.keys().copied().collect(), |key| {
            depends_on(&ctx.from.views, key)
        })
        .into_iter()
        .map(|key| (key.to_owned(), dropped.get(key).cloned().flatten()))
        .collect();
    drops.reverse();

    let mut creates: BTreeMap<&str, Create> = BTreeMap::new();
    for (key, new) in &ctx.to.views {
        match (ctx.from.views.get(key), dropped.get(key.as_str())) {
            (None, _) => {
                creates.insert(key, Create::New);
            }
            (Some(_), Some(why)) => {
                let why = why.clone().unwrap_or_default();
                creates.insert(key, Create::Recreate(why));
            }
            (Some(old), None) if old.definition != new.definition => {
                creates.insert(
                    key,
                    Create::Replace(definition_change(&old.definition, &new.definition)),
                );
            }
            (Some(_), None) => {}
        }
    }
    let order = topological(&creates.keys().copied().collect(), |key| {
        depends_on(&ctx.to.views, key)
    });
    let creates = order
        .into_iter()
        .filter_map(|key| creates.remove(key).map(|create| (key.to_owned(), create)))
        .collect();
    ViewPlan { drops, creates }
}

fn depends_on<'m>(views: &'m BTreeMap<String, View>, key: &str) -> Vec<&'m str> {
    views
        .get(key)
        .map(|view| view.depends_on.iter().map(String::as_str).collect())
        .unwrap_or_default()
}

/// Why a view both models have must be dropped and created again, if it must.
fn recreate_reason(ctx: &Ctx, old: &View, new: &View) -> Option<String> {
    if old.materialized != new.materialized {
        return Some(change_line("kind", view_word(old), view_word(new)));
    }
    if old.definition != new.definition {
        let change = definition_change(&old.definition, &new.definition);
        if new.materialized {
            return Some(format!(
                "{change}\na materialized view cannot be replaced: dropped and created again"
            ));
        }
        if !new.columns.starts_with(&old.columns) {
            return Some(format!(
                "{}\n{change}\nCREATE OR REPLACE VIEW cannot change existing columns: dropped and \
                 created again",
                columns_change(old, new)
            ));
        }
    } else if old.columns != new.columns {
        return Some(format!(
            "{}\nthe columns of what it reads change: dropped and created again",
            columns_change(old, new)
        ));
    }
    uses_changed(ctx, &old.definition)
}

/// Whether a view's query mentions something the diff drops, re-creates or retypes underneath
/// it (a table, a column, a function, a type), which PostgreSQL would refuse while the view
/// exists. Judged by the identifiers the query mentions: see the module docs of `diff`.
fn uses_changed(ctx: &Ctx, definition: &str) -> Option<String> {
    let idents = sql::identifiers(definition);
    for table in &ctx.dropped_tables {
        if idents.contains(&sql::base_name(table)) {
            let what = if ctx.recreated_tables.contains_key(table) {
                "re-created"
            } else {
                "dropped"
            };
            return Some(format!("reads {table}, which is {what}"));
        }
    }
    for columns in [&ctx.dropped_columns, &ctx.retyped_columns] {
        for (table, changed) in columns {
            if !idents.contains(&sql::base_name(table)) {
                continue;
            }
            for (column, why) in changed {
                if idents.contains(column) {
                    return Some(format!(
                        "reads column {column} of {table}, which {why}: dropped and created \
                         again around that"
                    ));
                }
            }
        }
    }
    for function in &ctx.recreated_functions {
        if idents.contains(&sql::base_name(function)) {
            return Some(format!("calls {function}, which is re-created"));
        }
    }
    for type_key in ctx
        .converted_enums
        .keys()
        .chain(ctx.recreated_domains.iter())
    {
        if idents.contains(&sql::base_name(type_key)) {
            return Some(format!("uses type {type_key}, which is replaced"));
        }
    }
    None
}

fn columns_change(old: &View, new: &View) -> String {
    let shown = |view: &View| {
        let columns: Vec<String> = view
            .columns
            .iter()
            .map(|(name, data_type)| format!("{name} {data_type}"))
            .collect();
        format!("({})", columns.join(", "))
    };
    change_line("columns", &shown(old), &shown(new))
}

fn view_word(view: &View) -> &'static str {
    if view.materialized {
        "materialized view"
    } else {
        "view"
    }
}

fn view_kind(view: &View) -> ObjectKind {
    if view.materialized {
        ObjectKind::MaterializedView
    } else {
        ObjectKind::View
    }
}

fn sql_word(view: &View) -> &'static str {
    if view.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

/// `pg_get_viewdef`'s query as the body of a statement (it ends with a semicolon).
fn query(view: &View) -> &str {
    view.definition.trim().trim_end_matches(';').trim_end()
}

fn create_view(key: &str, view: &View) -> Vec<String> {
    let mut statements = vec![format!(
        "CREATE {} {key} AS {}",
        sql_word(view),
        query(view)
    )];
    with_comment(
        &mut statements,
        &format!("{} {key}", sql_word(view)),
        view.comment.as_ref(),
    );
    statements
}

pub(super) fn views(ctx: &Ctx, out: &mut Out) {
    for (rank, (key, why)) in ctx.views.drops.iter().enumerate() {
        let Some(old) = ctx.from.views.get(key) else {
            continue;
        };
        let (diff, detail) = match why {
            None => (DiffKind::Extra, EXTRA.to_owned()),
            Some(why) => (
                DiffKind::Changed,
                format!("{why}\ndropped here and created again below"),
            ),
        };
        out.push(
            Phase::DropViews,
            rank,
            view_kind(old),
            key,
            diff,
            detail,
            vec![format!("DROP {} {key}", sql_word(old))],
        );
    }
    for (rank, (key, create)) in ctx.views.creates.iter().enumerate() {
        let Some(new) = ctx.to.views.get(key) else {
            continue;
        };
        let (diff, detail, statements) = match create {
            Create::New => (DiffKind::Missing, MISSING.to_owned(), create_view(key, new)),
            Create::Recreate(why) => (
                DiffKind::Changed,
                format!("{why}\ncreated again (dropped above)"),
                create_view(key, new),
            ),
            Create::Replace(change) => (
                DiffKind::Changed,
                change.clone(),
                vec![format!("CREATE OR REPLACE VIEW {key} AS {}", query(new))],
            ),
        };
        out.push(
            Phase::Views,
            rank,
            view_kind(new),
            key,
            diff,
            detail,
            statements,
        );
        if matches!(create, Create::Replace(_)) {
            continue;
        }
        // A new or re-created materialized view gets all its indexes.
        let previous = match create {
            Create::Recreate(_) => ctx.from.views.get(key).map(|v| &v.indexes),
            _ => None,
        };
        view_indexes(key).diff(out, None, previous, &new.indexes, &|_| None);
    }
    let dropped: BTreeSet<&str> = ctx.views.drops.iter().map(|(k, _)| k.as_str()).collect();
    for (key, old) in &ctx.from.views {
        let Some(new) = ctx.to.views.get(key) else {
            continue;
        };
        if dropped.contains(key.as_str()) {
            continue;
        }
        // CREATE OR REPLACE VIEW keeps the comment, so it is compared as for any kept view.
        comment_change(
            out,
            key,
            &format!("{} {key}", sql_word(new)),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
        view_indexes(key).diff(out, Some(&old.indexes), None, &new.indexes, &|_| None);
    }
}

fn view_indexes(key: &str) -> Indexes<'_> {
    Indexes {
        owner: key,
        partitioned: false,
        create_phase: Phase::ViewIndexes,
        create_rank: 0,
        drop_rank: 0,
    }
}
