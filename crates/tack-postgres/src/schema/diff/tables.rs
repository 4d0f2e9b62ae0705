//! Tables and partitions, and what lives on them: columns, constraints, indexes, triggers.

use super::objects::{comment_change, with_comment};
use super::sql::{
    self, change_line, column_definition, definition_change, identity_clause, identity_name,
    in_schema_of, shown,
};
use super::{regenerated, Child, Ctx, DiffKind, ObjectKind, Out, Phase, EXTRA, MISSING};
use crate::schema::model::{
    Column, Constraint, ConstraintKind, Identity, Index, Table, TableKind, Trigger,
};
use crate::sql::quote_ident;
use std::collections::BTreeMap;

pub(super) fn tables(ctx: &Ctx, out: &mut Out) {
    for (table, name, referenced) in &ctx.cyclic_foreign_keys {
        out.push(
            Phase::DropForeignKeys,
            0,
            ObjectKind::Constraint,
            format!("{table}.{name}"),
            if ctx.recreated_tables.contains_key(table) {
                DiffKind::Changed
            } else {
                DiffKind::Extra
            },
            format!(
                "dropped ahead of {table}: it references {referenced}, which goes first (the \
                 tables reference each other)"
            ),
            vec![format!("ALTER TABLE {table} DROP CONSTRAINT {name}")],
        );
    }
    for (key, old) in &ctx.from.tables {
        if !ctx.dropped_tables.contains(key) {
            continue;
        }
        let (diff, detail) = match ctx.recreated_tables.get(key) {
            None => (DiffKind::Extra, format!("{EXTRA}, with its data")),
            Some(why) => (
                DiffKind::Changed,
                format!(
                    "{why}\nno ALTER TABLE makes that change: dropped (with its data) here and \
                     created again below"
                ),
            ),
        };
        out.push(
            Phase::DropTables,
            ctx.drop_rank(key),
            table_kind(old),
            key,
            diff,
            detail,
            vec![format!("DROP TABLE {key}")],
        );
    }
    for (key, new) in &ctx.to.tables {
        match ctx.from.tables.get(key) {
            Some(old) if !ctx.dropped_tables.contains(key) => alter_table(ctx, out, key, old, new),
            previous => create_table(ctx, out, key, new, previous),
        }
    }
}

fn table_kind(table: &Table) -> ObjectKind {
    if table.partition_of.is_some() {
        ObjectKind::Partition
    } else {
        ObjectKind::Table
    }
}

fn create_table_sql(key: &str, table: &Table) -> String {
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let mut sql = match &table.partition_of {
        // A partition's columns are its parent's.
        Some(of) => format!(
            "CREATE {unlogged}TABLE {key} PARTITION OF {} {}",
            of.parent, of.bound
        ),
        None if table.columns.is_empty() => format!("CREATE {unlogged}TABLE {key} ()"),
        None => {
            let columns: Vec<String> = table
                .columns
                .iter()
                .map(|column| format!("    {}", column_definition(column)))
                .collect();
            format!("CREATE {unlogged}TABLE {key} (\n{}\n)", columns.join(",\n"))
        }
    };
    if let Some(partition_key) = &table.partition_key {
        sql.push_str(&format!(" PARTITION BY {partition_key}"));
    }
    sql
}

/// Creates a table `from` lacks, or re-creates one (`previous`: the dropped version), then its
/// constraints, indexes and triggers, each at its own phase.
fn create_table(ctx: &Ctx, out: &mut Out, key: &str, new: &Table, previous: Option<&Table>) {
    let mut deferred = Vec::new();
    let mut statements = if new.partition_of.is_some() {
        vec![create_table_sql(key, new)]
    } else {
        let mut written = new.clone();
        for column in &mut written.columns {
            if let Some(default) = deferrable(ctx, column) {
                deferred.push((column.clone(), default));
                column.default = None;
            }
        }
        vec![create_table_sql(key, &written)]
    };
    with_comment(
        &mut statements,
        &format!("TABLE {key}"),
        new.comment.as_ref(),
    );
    for column in &new.columns {
        with_comment(
            &mut statements,
            &format!("COLUMN {key}.{}", quote_ident(&column.name)),
            column.comment.as_ref(),
        );
    }
    let (diff, detail) = match (previous, ctx.recreated_tables.get(key)) {
        (Some(_), Some(why)) => (
            DiffKind::Changed,
            format!("{why}\ncreated again (dropped above)"),
        ),
        _ => (DiffKind::Missing, MISSING.to_owned()),
    };
    out.push(
        Phase::Tables,
        ctx.create_rank(key),
        table_kind(new),
        key,
        diff,
        detail,
        statements,
    );
    for (column, default) in deferred {
        push_deferred_default(ctx, out, key, &column, &default, DiffKind::Missing);
    }
    if new.partition_of.is_some() {
        partition_columns(ctx, out, key, None, new);
    }
    children(ctx, out, key, None, previous, new);
}

/// A column's default when it calls a function created late (see `Ctx::place_functions`): the
/// column is created without it and the default set once the function exists.
fn deferrable(ctx: &Ctx, column: &Column) -> Option<String> {
    column
        .default
        .as_ref()
        .filter(|default| ctx.deferred_default(default))
        .cloned()
}

fn push_deferred_default(
    ctx: &Ctx,
    out: &mut Out,
    table: &str,
    column: &Column,
    default: &str,
    diff: DiffKind,
) {
    out.push(
        Phase::DeferredDefaults,
        ctx.create_rank(table),
        ObjectKind::Column,
        column_object(table, column),
        diff,
        format!(
            "default: {default}
set once the function it calls is created"
        ),
        vec![format!(
            "ALTER TABLE {table} ALTER COLUMN {} SET DEFAULT {default}",
            quote_ident(&column.name)
        )],
    );
}

fn alter_table(ctx: &Ctx, out: &mut Out, key: &str, old: &Table, new: &Table) {
    if old.unlogged != new.unlogged {
        let (before, after, clause) = if new.unlogged {
            ("logged", "unlogged", "SET UNLOGGED")
        } else {
            ("unlogged", "logged", "SET LOGGED")
        };
        out.push(
            Phase::Tables,
            ctx.create_rank(key),
            table_kind(new),
            key,
            DiffKind::Changed,
            change_line("persistence", before, after),
            vec![format!("ALTER TABLE {key} {clause}")],
        );
    }
    partition_membership(ctx, out, key, old, new);
    if ctx.inherits(key) {
        partition_columns(ctx, out, key, Some(old), new);
    } else {
        columns(ctx, out, key, old, new);
    }
    children(ctx, out, key, Some(old), None, new);
    comment_change(
        out,
        key,
        &format!("TABLE {key}"),
        old.comment.as_ref(),
        new.comment.as_ref(),
    );
}

fn shown_partition_of(table: &Table) -> String {
    match &table.partition_of {
        Some(of) => format!("{} {}", of.parent, of.bound),
        None => "none".to_owned(),
    }
}

/// Detaches a kept partition that moves or stops being one (before the drops: its old parent
/// may be dropped), and attaches a table that becomes a partition (once columns are changed).
fn partition_membership(ctx: &Ctx, out: &mut Out, key: &str, old: &Table, new: &Table) {
    if old.partition_of == new.partition_of {
        return;
    }
    let line = change_line(
        "partition of",
        &shown_partition_of(old),
        &shown_partition_of(new),
    );
    if let Some(of) = &old.partition_of {
        out.push(
            Phase::DetachPartitions,
            ctx.drop_rank(key),
            ObjectKind::Partition,
            key,
            DiffKind::Changed,
            format!(
                "{line}
once detached, the table keeps its own copies of the parent's indexes and key, \
                 check and foreign key constraints, under names PostgreSQL chose: diff again \
                 after this has run to reconcile those"
            ),
            vec![format!("ALTER TABLE {} DETACH PARTITION {key}", of.parent)],
        );
    }
    if let Some(of) = &new.partition_of {
        out.push(
            Phase::AttachPartitions,
            ctx.create_rank(key),
            ObjectKind::Partition,
            key,
            DiffKind::Changed,
            line,
            vec![format!(
                "ALTER TABLE {} ATTACH PARTITION {key} {}",
                of.parent, of.bound
            )],
        );
    }
}

fn column_object(table: &str, column: &Column) -> String {
    format!("{table}.{}", quote_ident(&column.name))
}

/// Columns of a table that is not an attached partition: add, drop, alter.
fn columns(ctx: &Ctx, out: &mut Out, key: &str, old: &Table, new: &Table) {
    for column in &old.columns {
        if new.column(&column.name).is_none() {
            out.push(
                Phase::DropColumns,
                ctx.drop_rank(key),
                ObjectKind::Column,
                column_object(key, column),
                DiffKind::Extra,
                format!("{EXTRA}: {}", column_definition(column)),
                vec![format!(
                    "ALTER TABLE {key} DROP COLUMN {}",
                    quote_ident(&column.name)
                )],
            );
        }
    }
    for column in &new.columns {
        let object = column_object(key, column);
        let comment_target = format!("COLUMN {object}");
        let deferred = deferrable(ctx, column);
        let add = || {
            let mut written = column.clone();
            if deferred.is_some() {
                written.default = None;
            }
            let mut statements = vec![format!(
                "ALTER TABLE {key} ADD COLUMN {}",
                column_definition(&written)
            )];
            with_comment(&mut statements, &comment_target, column.comment.as_ref());
            statements
        };
        match old.column(&column.name) {
            None => {
                out.push(
                    Phase::Columns,
                    ctx.create_rank(key),
                    ObjectKind::Column,
                    object,
                    DiffKind::Missing,
                    format!("to add: {}", column_definition(column)),
                    add(),
                );
                if let Some(default) = &deferred {
                    push_deferred_default(ctx, out, key, column, default, DiffKind::Missing);
                }
            }
            Some(current) if regenerated(current, column) => {
                let line = change_line(
                    "generated",
                    shown(current.generated.as_deref()),
                    shown(column.generated.as_deref()),
                );
                out.push(
                    Phase::DropColumns,
                    ctx.drop_rank(key),
                    ObjectKind::Column,
                    object.clone(),
                    DiffKind::Changed,
                    format!(
                        "{line}\na generation expression cannot be altered: the column is \
                         dropped here and added again below"
                    ),
                    vec![format!(
                        "ALTER TABLE {key} DROP COLUMN {}",
                        quote_ident(&column.name)
                    )],
                );
                out.push(
                    Phase::Columns,
                    ctx.create_rank(key),
                    ObjectKind::Column,
                    object,
                    DiffKind::Changed,
                    format!("{line}\nadded again (dropped above)"),
                    add(),
                );
                if let Some(default) = &deferred {
                    push_deferred_default(ctx, out, key, column, default, DiffKind::Changed);
                }
            }
            Some(current) => {
                if current.identity.is_some() && column.identity.is_none() {
                    // With the drops: the identity's sequence (not in the model) holds a name,
                    // typically `<table>_<column>_seq`, that a sequence `to` has may take.
                    out.push(
                        Phase::DropColumns,
                        ctx.drop_rank(key),
                        ObjectKind::Column,
                        object.clone(),
                        DiffKind::Changed,
                        change_line("identity", identity_name(current.identity), "none"),
                        vec![format!(
                            "ALTER TABLE {key} ALTER COLUMN {} DROP IDENTITY",
                            quote_ident(&column.name)
                        )],
                    );
                }
                let released = ctx
                    .released_defaults
                    .get(&(key.to_owned(), column.name.clone()));
                let mut current = current;
                let without_default;
                if let (Some(why), Some(default)) = (released, &current.default) {
                    out.push(
                        Phase::DropColumns,
                        ctx.drop_rank(key),
                        ObjectKind::Column,
                        object.clone(),
                        DiffKind::Changed,
                        format!("default {default} {why}: dropped here and set again below"),
                        vec![format!(
                            "ALTER TABLE {key} ALTER COLUMN {} DROP DEFAULT",
                            quote_ident(&column.name)
                        )],
                    );
                    without_default = Column {
                        default: None,
                        ..current.clone()
                    };
                    current = &without_default;
                }
                let defer = deferred.is_some() && current.default != column.default;
                let (lines, statements) = alter_column(key, current, column, defer);
                if !statements.is_empty() {
                    out.push(
                        Phase::Columns,
                        ctx.create_rank(key),
                        ObjectKind::Column,
                        object.clone(),
                        DiffKind::Changed,
                        lines.join("\n"),
                        statements,
                    );
                }
                if let (true, Some(default)) = (defer, &deferred) {
                    push_deferred_default(ctx, out, key, column, default, DiffKind::Changed);
                }
                comment_change(
                    out,
                    &object,
                    &comment_target,
                    current.comment.as_ref(),
                    column.comment.as_ref(),
                );
            }
        }
    }
}

/// The `ALTER TABLE … ALTER COLUMN`s that take `old` to `new` (same name, generation expression
/// not re-added; a dropped identity is handled by the caller), in an order PostgreSQL accepts:
/// the generation expression is dropped first, a default that may not survive the type change (or that an identity would
/// clash with) is dropped before the type changes, NOT NULL is set before an identity is added.
///
/// With `defer_default`, a changed default is left to the caller (it calls a function created
/// later), after dropping the old one.
fn alter_column(
    table: &str,
    old: &Column,
    new: &Column,
    defer_default: bool,
) -> (Vec<String>, Vec<String>) {
    let name = quote_ident(&new.name);
    let alter = |clause: String| format!("ALTER TABLE {table} ALTER COLUMN {name} {clause}");
    let mut lines = Vec::new();
    let mut statements = Vec::new();
    let mut current_default = old.default.as_deref();
    if old.generated.is_some() && new.generated.is_none() {
        lines.push(change_line(
            "generated",
            shown(old.generated.as_deref()),
            "none",
        ));
        statements.push(alter("DROP EXPRESSION".to_owned()));
    }
    let retyped = old.data_type != new.data_type || old.collation != new.collation;
    let adds_identity = old.identity.is_none() && new.identity.is_some();
    if current_default.is_some() && old.default != new.default && (retyped || adds_identity) {
        // The old default may not cast to the new type; an identity column has no default.
        statements.push(alter("DROP DEFAULT".to_owned()));
        current_default = None;
    }
    if old.data_type != new.data_type {
        lines.push(change_line("type", &old.data_type, &new.data_type));
    }
    if old.collation != new.collation {
        lines.push(change_line(
            "collation",
            old.collation.as_deref().unwrap_or("default"),
            new.collation.as_deref().unwrap_or("default"),
        ));
    }
    if retyped {
        // Without COLLATE the column takes the new type's default collation.
        let mut clause = format!("TYPE {}", new.data_type);
        if let Some(collation) = &new.collation {
            clause.push_str(&format!(" COLLATE {collation}"));
        }
        // PostgreSQL refuses USING on a generated column (it recomputes it).
        if new.generated.is_none() {
            clause.push_str(&format!(" USING {name}::{}", new.data_type));
        }
        statements.push(alter(clause));
    }
    if old.default != new.default {
        lines.push(change_line(
            "default",
            shown(old.default.as_deref()),
            shown(new.default.as_deref()),
        ));
        if defer_default {
            if current_default.is_some() {
                statements.push(alter("DROP DEFAULT".to_owned()));
            }
        } else if current_default != new.default.as_deref() {
            statements.push(match &new.default {
                Some(default) => alter(format!("SET DEFAULT {default}")),
                None => alter("DROP DEFAULT".to_owned()),
            });
        }
    }
    if old.not_null != new.not_null {
        lines.push(change_line(
            "not null",
            if old.not_null { "yes" } else { "no" },
            if new.not_null { "yes" } else { "no" },
        ));
        statements.push(alter(
            if new.not_null {
                "SET NOT NULL"
            } else {
                "DROP NOT NULL"
            }
            .to_owned(),
        ));
    }
    match (old.identity, new.identity) {
        (None, Some(identity)) => {
            lines.push(change_line(
                "identity",
                identity_name(None),
                identity_name(Some(identity)),
            ));
            statements.push(alter(format!("ADD {}", identity_clause(identity))));
        }
        (Some(before), Some(after)) if before != after => {
            lines.push(change_line(
                "identity",
                identity_name(Some(before)),
                identity_name(Some(after)),
            ));
            statements.push(alter(
                match after {
                    Identity::Always => "SET GENERATED ALWAYS",
                    Identity::ByDefault => "SET GENERATED BY DEFAULT",
                }
                .to_owned(),
            ));
        }
        _ => {}
    }
    (lines, statements)
}

/// The columns of a partition: they are its parent's, so only what a partition may set on its
/// own is compared — a default, NOT NULL, comments — against what it will have once
/// `PARTITION OF` (which copies the parent's defaults and NOT NULLs) or the parent's recursing
/// `ALTER TABLE` has run. `old` is the partition in `from` when it stays attached; None for a
/// partition being created.
fn partition_columns(ctx: &Ctx, out: &mut Out, key: &str, old: Option<&Table>, new: &Table) {
    let Some(of) = &new.partition_of else {
        return;
    };
    let parent_new = ctx.to.tables.get(&of.parent);
    // The parent as it is before the diff, when the diff keeps it.
    let parent_old = ctx
        .from
        .tables
        .get(&of.parent)
        .filter(|_| !ctx.dropped_tables.contains(&of.parent));
    for column in &new.columns {
        let Some(inherited) = parent_new.and_then(|parent| parent.column(&column.name)) else {
            continue;
        };
        let before = parent_old.and_then(|parent| parent.column(&column.name));
        let current = old.and_then(|table| table.column(&column.name));
        // The parent's column is re-added when its generation expression changes: fresh then.
        let readded = before.is_some_and(|b| regenerated(b, inherited));
        let (default, not_null, comment) = match current {
            Some(current) if !readded => (
                if before.map(|b| &b.default) == Some(&inherited.default) {
                    current.default.as_ref()
                } else {
                    inherited.default.as_ref()
                },
                if before.map(|b| b.not_null) == Some(inherited.not_null) {
                    current.not_null
                } else {
                    inherited.not_null
                },
                current.comment.as_ref(),
            ),
            _ => (inherited.default.as_ref(), inherited.not_null, None),
        };
        let object = column_object(key, column);
        let name = quote_ident(&column.name);
        let mut lines = Vec::new();
        let mut statements = Vec::new();
        if default != column.default.as_ref() && column.generated.is_none() {
            lines.push(change_line(
                "default",
                shown(default.map(String::as_str)),
                shown(column.default.as_deref()),
            ));
            statements.push(match &column.default {
                Some(value) => format!("ALTER TABLE {key} ALTER COLUMN {name} SET DEFAULT {value}"),
                None => format!("ALTER TABLE {key} ALTER COLUMN {name} DROP DEFAULT"),
            });
        }
        if not_null != column.not_null {
            lines.push(change_line(
                "not null",
                if not_null { "yes" } else { "no" },
                if column.not_null { "yes" } else { "no" },
            ));
            statements.push(format!(
                "ALTER TABLE {key} ALTER COLUMN {name} {} NOT NULL",
                if column.not_null { "SET" } else { "DROP" }
            ));
        }
        if !statements.is_empty() {
            out.push(
                Phase::Columns,
                ctx.create_rank(key),
                ObjectKind::Column,
                object.clone(),
                DiffKind::Changed,
                lines.join("\n"),
                statements,
            );
        }
        if old.is_some() {
            comment_change(
                out,
                &object,
                &format!("COLUMN {object}"),
                comment,
                column.comment.as_ref(),
            );
        }
    }
}

/// The detail of a child created with its re-created (`previous`) or new table.
fn created_with(
    previous: Option<&Table>,
    has: impl Fn(&Table) -> bool,
    table: &str,
) -> (DiffKind, String) {
    if previous.is_some_and(has) {
        (
            DiffKind::Changed,
            format!("created again with {table} (dropped with it)"),
        )
    } else {
        (DiffKind::Missing, MISSING.to_owned())
    }
}

/// Constraints, indexes and triggers of a table. `old`: the table in `from` when the diff keeps
/// it (compare); None when it is created, `previous` then being the dropped version of a
/// re-created table (for details).
fn children(
    ctx: &Ctx,
    out: &mut Out,
    key: &str,
    old: Option<&Table>,
    previous: Option<&Table>,
    new: &Table,
) {
    constraints(ctx, out, key, old, previous, new);
    let forced = |name: &str| ctx.forced(Child::Index, key, name).cloned();
    let indexes = Indexes {
        owner: key,
        partitioned: new.kind == TableKind::Partitioned,
        create_phase: Phase::Indexes,
        create_rank: ctx.create_rank(key),
        drop_rank: ctx.drop_rank(key),
    };
    indexes.diff(
        out,
        old.map(|t| &t.indexes),
        previous.map(|t| &t.indexes),
        &new.indexes,
        &forced,
    );
    triggers(ctx, out, key, old, previous, new);
}

fn add_phase(kind: ConstraintKind) -> Phase {
    match kind {
        ConstraintKind::PrimaryKey | ConstraintKind::Unique | ConstraintKind::Exclude => {
            Phase::KeyConstraints
        }
        ConstraintKind::Check => Phase::CheckConstraints,
        ConstraintKind::ForeignKey => Phase::ForeignKeys,
    }
}

fn drop_phase(kind: ConstraintKind) -> Phase {
    match kind {
        ConstraintKind::ForeignKey => Phase::DropForeignKeys,
        _ => Phase::DropConstraints,
    }
}

/// `ADD CONSTRAINT`, and the comments of the constraint and of the index that backs it.
fn add_constraint(key: &str, name: &str, constraint: &Constraint, table: &Table) -> Vec<String> {
    let mut statements = vec![format!(
        "ALTER TABLE {key} ADD CONSTRAINT {name} {}",
        sql::constraint_clause(&constraint.definition, constraint.valid)
    )];
    with_comment(
        &mut statements,
        &format!("CONSTRAINT {name} ON {key}"),
        constraint.comment.as_ref(),
    );
    if let Some((index, backing)) = backing_index(table, name) {
        with_comment(
            &mut statements,
            &format!("INDEX {}", in_schema_of(key, index)),
            backing.comment.as_ref(),
        );
    }
    statements
}

/// The index that backs constraint `name`, if any.
fn backing_index<'t>(table: &'t Table, name: &str) -> Option<(&'t String, &'t Index)> {
    table
        .indexes
        .iter()
        .find(|(_, index)| index.constraint.as_deref() == Some(name))
}

fn constraints(
    ctx: &Ctx,
    out: &mut Out,
    key: &str,
    old: Option<&Table>,
    previous: Option<&Table>,
    new: &Table,
) {
    let create_rank = ctx.create_rank(key);
    let drop_rank = ctx.drop_rank(key);
    if let Some(old) = old {
        for (name, current) in &old.constraints {
            let object = format!("{key}.{name}");
            let drop = vec![format!("ALTER TABLE {key} DROP CONSTRAINT {name}")];
            let Some(target) = new.constraints.get(name) else {
                out.push(
                    drop_phase(current.kind),
                    drop_rank,
                    ObjectKind::Constraint,
                    object,
                    DiffKind::Extra,
                    format!("{EXTRA}: {}", current.definition),
                    drop,
                );
                continue;
            };
            let old_definition = sql::base_definition(&current.definition);
            let new_definition = sql::base_definition(&target.definition);
            let why = if current.kind != target.kind || old_definition != new_definition {
                Some(definition_change(old_definition, new_definition))
            } else {
                ctx.forced(Child::Constraint, key, name).cloned()
            };
            if let Some(why) = why {
                out.push(
                    drop_phase(current.kind),
                    drop_rank,
                    ObjectKind::Constraint,
                    object.clone(),
                    DiffKind::Changed,
                    format!("{why}\ndropped here and added again below"),
                    drop,
                );
                out.push(
                    add_phase(target.kind),
                    create_rank,
                    ObjectKind::Constraint,
                    object,
                    DiffKind::Changed,
                    format!("{why}\nadded again (dropped above)"),
                    add_constraint(key, name, target, new),
                );
                continue;
            }
            if !current.valid && target.valid {
                out.push(
                    add_phase(target.kind),
                    create_rank,
                    ObjectKind::Constraint,
                    object.clone(),
                    DiffKind::Changed,
                    "not validated → validated",
                    vec![format!("ALTER TABLE {key} VALIDATE CONSTRAINT {name}")],
                );
            }
            comment_change(
                out,
                &object,
                &format!("CONSTRAINT {name} ON {key}"),
                current.comment.as_ref(),
                target.comment.as_ref(),
            );
            if let (Some((index, before)), Some((_, after))) =
                (backing_index(old, name), backing_index(new, name))
            {
                let qualified = in_schema_of(key, index);
                comment_change(
                    out,
                    &format!("{key}.{index}"),
                    &format!("INDEX {qualified}"),
                    before.comment.as_ref(),
                    after.comment.as_ref(),
                );
            }
        }
    }
    for (name, target) in &new.constraints {
        if old.is_some_and(|t| t.constraints.contains_key(name)) {
            continue;
        }
        let (diff, detail) = created_with(previous, |t| t.constraints.contains_key(name), key);
        let detail = if diff == DiffKind::Missing {
            format!(
                "to add: {}",
                sql::constraint_clause(&target.definition, target.valid)
            )
        } else {
            detail
        };
        out.push(
            add_phase(target.kind),
            create_rank,
            ObjectKind::Constraint,
            format!("{key}.{name}"),
            diff,
            detail,
            add_constraint(key, name, target, new),
        );
    }
}

/// Where the indexes of one table or materialized view go.
pub(super) struct Indexes<'k> {
    /// The table's or view's key.
    pub owner: &'k str,
    /// A partitioned table: its indexes are written `ON ONLY`, which must not be kept.
    pub partitioned: bool,
    pub create_phase: Phase,
    pub create_rank: usize,
    pub drop_rank: usize,
}

impl Indexes<'_> {
    /// `pg_get_indexdef`'s text as a statement. On a partitioned table it says `ON ONLY`, which
    /// would create the parent index alone (invalid until every partition's is attached): the
    /// diff wants it built on every partition.
    fn create_sql(&self, index: &Index) -> String {
        let definition = index.definition.trim_end().trim_end_matches(';');
        if self.partitioned {
            definition.replacen(" ON ONLY ", " ON ", 1)
        } else {
            definition.to_owned()
        }
    }

    fn create(&self, name: &str, index: &Index) -> Vec<String> {
        let mut statements = vec![self.create_sql(index)];
        with_comment(
            &mut statements,
            &format!("INDEX {}", in_schema_of(self.owner, name)),
            index.comment.as_ref(),
        );
        statements
    }

    /// Compares the indexes that do not back a constraint (a constraint's index is created and
    /// dropped with it). `old`: the owner's indexes in `from` when it is kept; `previous`: the
    /// dropped version's, for details, when it is re-created.
    pub fn diff(
        &self,
        out: &mut Out,
        old: Option<&BTreeMap<String, Index>>,
        previous: Option<&BTreeMap<String, Index>>,
        new: &BTreeMap<String, Index>,
        forced: &dyn Fn(&str) -> Option<String>,
    ) {
        let plain = |indexes: &BTreeMap<String, Index>, name: &str| {
            indexes
                .get(name)
                .filter(|index| index.constraint.is_none())
                .is_some()
        };
        let owner = self.owner;
        if let Some(old) = old {
            for (name, current) in old.iter().filter(|(_, i)| i.constraint.is_none()) {
                let object = format!("{owner}.{name}");
                let drop = vec![format!("DROP INDEX {}", in_schema_of(owner, name))];
                let Some(target) = new.get(name).filter(|i| i.constraint.is_none()) else {
                    out.push(
                        Phase::DropIndexes,
                        self.drop_rank,
                        ObjectKind::Index,
                        object,
                        DiffKind::Extra,
                        EXTRA,
                        drop,
                    );
                    continue;
                };
                let why = if current.definition != target.definition {
                    Some(definition_change(&current.definition, &target.definition))
                } else if !current.valid && target.valid {
                    Some(
                        "invalid (left by a failed concurrent build): dropped and built again"
                            .to_owned(),
                    )
                } else {
                    forced(name)
                };
                if let Some(why) = why {
                    out.push(
                        Phase::DropIndexes,
                        self.drop_rank,
                        ObjectKind::Index,
                        object.clone(),
                        DiffKind::Changed,
                        format!("{why}\ndropped here and created again below"),
                        drop,
                    );
                    out.push(
                        self.create_phase,
                        self.create_rank,
                        ObjectKind::Index,
                        object,
                        DiffKind::Changed,
                        format!("{why}\ncreated again (dropped above)"),
                        self.create(name, target),
                    );
                    continue;
                }
                comment_change(
                    out,
                    &object,
                    &format!("INDEX {}", in_schema_of(owner, name)),
                    current.comment.as_ref(),
                    target.comment.as_ref(),
                );
            }
        }
        for (name, target) in new.iter().filter(|(_, i)| i.constraint.is_none()) {
            if old.is_some_and(|old| plain(old, name)) {
                continue;
            }
            let (diff, detail) = if previous.is_some_and(|p| plain(p, name)) {
                (
                    DiffKind::Changed,
                    format!("created again with {owner} (dropped with it)"),
                )
            } else {
                (DiffKind::Missing, MISSING.to_owned())
            };
            out.push(
                self.create_phase,
                self.create_rank,
                ObjectKind::Index,
                format!("{owner}.{name}"),
                diff,
                detail,
                self.create(name, target),
            );
        }
    }
}

fn enabled_name(enabled: &str) -> &'static str {
    match enabled {
        "D" => "disabled",
        "R" => "enabled on replicas only",
        "A" => "always enabled",
        _ => "enabled",
    }
}

fn enable_sql(table: &str, name: &str, enabled: &str) -> String {
    let clause = match enabled {
        "D" => "DISABLE TRIGGER",
        "R" => "ENABLE REPLICA TRIGGER",
        "A" => "ENABLE ALWAYS TRIGGER",
        _ => "ENABLE TRIGGER",
    };
    format!("ALTER TABLE {table} {clause} {name}")
}

/// `CREATE TRIGGER`, then its firing state when it is not the default, then its comment.
fn create_trigger(table: &str, name: &str, trigger: &Trigger) -> Vec<String> {
    let mut statements = vec![trigger
        .definition
        .trim_end()
        .trim_end_matches(';')
        .to_owned()];
    if trigger.enabled != "O" {
        statements.push(enable_sql(table, name, &trigger.enabled));
    }
    with_comment(
        &mut statements,
        &format!("TRIGGER {name} ON {table}"),
        trigger.comment.as_ref(),
    );
    statements
}

fn triggers(
    ctx: &Ctx,
    out: &mut Out,
    key: &str,
    old: Option<&Table>,
    previous: Option<&Table>,
    new: &Table,
) {
    let create_rank = ctx.create_rank(key);
    let drop_rank = ctx.drop_rank(key);
    if let Some(old) = old {
        for (name, current) in &old.triggers {
            let object = format!("{key}.{name}");
            let drop = vec![format!("DROP TRIGGER {name} ON {key}")];
            let Some(target) = new.triggers.get(name) else {
                out.push(
                    Phase::DropTriggers,
                    drop_rank,
                    ObjectKind::Trigger,
                    object,
                    DiffKind::Extra,
                    EXTRA,
                    drop,
                );
                continue;
            };
            let why = if current.definition != target.definition {
                Some(definition_change(&current.definition, &target.definition))
            } else {
                ctx.forced(Child::Trigger, key, name).cloned()
            };
            if let Some(why) = why {
                out.push(
                    Phase::DropTriggers,
                    drop_rank,
                    ObjectKind::Trigger,
                    object.clone(),
                    DiffKind::Changed,
                    format!("{why}\ndropped here and created again below"),
                    drop,
                );
                out.push(
                    Phase::Triggers,
                    create_rank,
                    ObjectKind::Trigger,
                    object,
                    DiffKind::Changed,
                    format!("{why}\ncreated again (dropped above)"),
                    create_trigger(key, name, target),
                );
                continue;
            }
            if current.enabled != target.enabled {
                out.push(
                    Phase::Triggers,
                    create_rank,
                    ObjectKind::Trigger,
                    object.clone(),
                    DiffKind::Changed,
                    change_line(
                        "firing",
                        enabled_name(&current.enabled),
                        enabled_name(&target.enabled),
                    ),
                    vec![enable_sql(key, name, &target.enabled)],
                );
            }
            comment_change(
                out,
                &object,
                &format!("TRIGGER {name} ON {key}"),
                current.comment.as_ref(),
                target.comment.as_ref(),
            );
        }
    }
    for (name, target) in &new.triggers {
        if old.is_some_and(|t| t.triggers.contains_key(name)) {
            continue;
        }
        let (diff, detail) = created_with(previous, |t| t.triggers.contains_key(name), key);
        out.push(
            Phase::Triggers,
            create_rank,
            ObjectKind::Trigger,
            format!("{key}.{name}"),
            diff,
            detail,
            create_trigger(key, name, target),
        );
    }
}
