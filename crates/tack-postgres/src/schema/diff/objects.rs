//! Objects that are not part of a table or view: schemas, extensions, enums, domains, sequences,
//! functions and procedures.

use super::sql::{self, change_line, comment_sql, definition_change, listed, shown, shown_comment};
use super::{Ctx, DiffKind, ObjectKind, Out, Phase, EXTRA, MISSING};
use crate::schema::model::{Domain, EnumType, FunctionKind, Sequence};
use crate::sql::{quote_ident, quote_literal};

/// A changed comment, in the comments phase.
pub(super) fn comment_change(
    out: &mut Out,
    object: &str,
    target: &str,
    old: Option<&String>,
    new: Option<&String>,
) {
    if old == new {
        return;
    }
    out.push(
        Phase::Comments,
        0,
        ObjectKind::Comment,
        object,
        DiffKind::Changed,
        change_line(
            "comment",
            &shown_comment(old.map(String::as_str)),
            &shown_comment(new.map(String::as_str)),
        ),
        vec![comment_sql(target, new.map(String::as_str))],
    );
}

/// Appends `COMMENT ON` to a creating difference's statements when the object has a comment.
pub(super) fn with_comment(sql: &mut Vec<String>, target: &str, comment: Option<&String>) {
    if let Some(comment) = comment {
        sql.push(comment_sql(target, Some(comment)));
    }
}

pub(super) fn schemas(ctx: &Ctx, out: &mut Out) {
    for (name, old) in &ctx.from.schemas {
        match ctx.to.schemas.get(name) {
            None => out.push(
                Phase::DropSchemas,
                0,
                ObjectKind::Schema,
                name,
                DiffKind::Extra,
                EXTRA,
                vec![format!("DROP SCHEMA {name}")],
            ),
            Some(new) => comment_change(
                out,
                name,
                &format!("SCHEMA {name}"),
                old.comment.as_ref(),
                new.comment.as_ref(),
            ),
        }
    }
    for (name, new) in &ctx.to.schemas {
        if !ctx.from.schemas.contains_key(name) {
            let mut statements = vec![format!("CREATE SCHEMA {name}")];
            with_comment(
                &mut statements,
                &format!("SCHEMA {name}"),
                new.comment.as_ref(),
            );
            out.push(
                Phase::Schemas,
                0,
                ObjectKind::Schema,
                name,
                DiffKind::Missing,
                MISSING,
                statements,
            );
        }
    }
}

pub(super) fn extensions(ctx: &Ctx, out: &mut Out) {
    for (name, old) in &ctx.from.extensions {
        let Some(new) = ctx.to.extensions.get(name) else {
            out.push(
                Phase::DropExtensions,
                0,
                ObjectKind::Extension,
                name,
                DiffKind::Extra,
                EXTRA,
                vec![format!("DROP EXTENSION {name}")],
            );
            continue;
        };
        let mut lines = Vec::new();
        let mut statements = Vec::new();
        if old.schema != new.schema {
            lines.push(change_line("schema", &old.schema, &new.schema));
            statements.push(format!("ALTER EXTENSION {name} SET SCHEMA {}", new.schema));
        }
        if old.version != new.version {
            lines.push(change_line("version", &old.version, &new.version));
            statements.push(format!(
                "ALTER EXTENSION {name} UPDATE TO {}",
                quote_literal(&new.version)
            ));
        }
        if !statements.is_empty() {
            out.push(
                Phase::Extensions,
                0,
                ObjectKind::Extension,
                name,
                DiffKind::Changed,
                lines.join("\n"),
                statements,
            );
        }
    }
    for (name, new) in &ctx.to.extensions {
        if !ctx.from.extensions.contains_key(name) {
            out.push(
                Phase::Extensions,
                0,
                ObjectKind::Extension,
                name,
                DiffKind::Missing,
                MISSING,
                vec![format!(
                    "CREATE EXTENSION {name} WITH SCHEMA {} VERSION {}",
                    new.schema,
                    quote_literal(&new.version)
                )],
            );
        }
    }
}

fn labels(values: &[String]) -> String {
    values
        .iter()
        .map(|label| quote_literal(label))
        .collect::<Vec<_>>()
        .join(", ")
}

fn create_enum(name: &str, new: &EnumType) -> Vec<String> {
    let mut statements = vec![format!(
        "CREATE TYPE {name} AS ENUM ({})",
        labels(&new.labels)
    )];
    with_comment(
        &mut statements,
        &format!("TYPE {name}"),
        new.comment.as_ref(),
    );
    statements
}

pub(super) fn enums(ctx: &Ctx, out: &mut Out) {
    for (name, old) in &ctx.from.enums {
        let Some(new) = ctx.to.enums.get(name) else {
            let phase = ctx.drop_phase(name, Phase::DropEnums);
            out.push(
                phase,
                0,
                ObjectKind::Enum,
                name,
                DiffKind::Extra,
                EXTRA,
                vec![format!("DROP TYPE {name}")],
            );
            continue;
        };
        if old.labels != new.labels {
            let line = change_line("labels", &labels(&old.labels), &labels(&new.labels));
            match ctx.converted_enums.get(name) {
                None => out.push(
                    Phase::Enums,
                    0,
                    ObjectKind::Enum,
                    name,
                    DiffKind::Changed,
                    line,
                    added_labels(name, &old.labels, &new.labels),
                ),
                Some(users) => {
                    let (detail, statements) = replace_enum(name, new, users, ctx);
                    out.push(
                        Phase::Enums,
                        0,
                        ObjectKind::Enum,
                        name,
                        DiffKind::Changed,
                        format!("{line}\n{detail}"),
                        statements,
                    );
                }
            }
            if ctx.converted_enums.contains_key(name) {
                // The replacement re-created the type with its comment.
                continue;
            }
        }
        comment_change(
            out,
            name,
            &format!("TYPE {name}"),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
    }
    for (name, new) in &ctx.to.enums {
        if !ctx.from.enums.contains_key(name) {
            out.push(
                Phase::Enums,
                0,
                ObjectKind::Enum,
                name,
                DiffKind::Missing,
                MISSING,
                create_enum(name, new),
            );
        }
    }
}

/// `ALTER TYPE … ADD VALUE` for each label of `new` that `old` lacks (`old` being a subsequence
/// of `new`), placed where `new` has it: after the label before it, or, for labels ahead of every
/// old one, before the label after it (added last to first, so that label exists).
fn added_labels(name: &str, old: &[String], new: &[String]) -> Vec<String> {
    let mut statements = Vec::new();
    let first_old = new.iter().position(|label| old.contains(label));
    let Some(first_old) = first_old else {
        // No old label is kept (only possible when the type had none): append in order.
        for label in new {
            statements.push(format!(
                "ALTER TYPE {name} ADD VALUE {}",
                quote_literal(label)
            ));
        }
        return statements;
    };
    for i in (0..first_old).rev() {
        statements.push(format!(
            "ALTER TYPE {name} ADD VALUE {} BEFORE {}",
            quote_literal(&new[i]),
            quote_literal(&new[i + 1])
        ));
    }
    for i in first_old + 1..new.len() {
        if !old.contains(&new[i]) {
            statements.push(format!(
                "ALTER TYPE {name} ADD VALUE {} AFTER {}",
                quote_literal(&new[i]),
                quote_literal(&new[i - 1])
            ));
        }
    }
    statements
}

/// Replaces an enum whose labels are removed or reordered: rename the old type, create the new
/// one, convert each column through text (default dropped and restored around it: the old
/// default cannot be cast), drop the old type.
fn replace_enum(
    name: &str,
    new: &EnumType,
    users: &[(String, String)],
    ctx: &Ctx,
) -> (String, Vec<String>) {
    if users.is_empty() {
        let mut statements = vec![format!("DROP TYPE {name}")];
        statements.extend(create_enum(name, new));
        return (
            "labels are removed or reordered, which ALTER TYPE cannot do: the type is dropped and \
             created again (this fails while a domain, function or expression still uses it)"
                .to_owned(),
            statements,
        );
    }
    let old_name = format!("{}__tack_old", sql::base_name(name));
    let old_key = sql::in_schema_of(name, &quote_ident(&old_name));
    let mut statements = vec![format!(
        "ALTER TYPE {name} RENAME TO {}",
        quote_ident(&old_name)
    )];
    statements.extend(create_enum(name, new));
    let mut converted = Vec::new();
    for (table, column) in users {
        let Some(col) = ctx.from.tables.get(table).and_then(|t| t.column(column)) else {
            continue;
        };
        let quoted = quote_ident(column);
        let text_type = col.data_type.replacen(name, "text", 1);
        if col.default.is_some() {
            statements.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {quoted} DROP DEFAULT"
            ));
        }
        statements.push(format!(
            "ALTER TABLE {table} ALTER COLUMN {quoted} TYPE {} USING {quoted}::{text_type}::{}",
            col.data_type, col.data_type
        ));
        if let Some(default) = &col.default {
            statements.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {quoted} SET DEFAULT {default}"
            ));
        }
        converted.push(format!("{table}.{quoted}"));
    }
    statements.push(format!("DROP TYPE {old_key}"));
    (
        format!(
            "labels are removed or reordered, which ALTER TYPE cannot do: the type is replaced \
             and its columns ({}) converted through text, which fails if a row holds a removed \
             label; other users of the type (domains, function signatures, expressions in \
             indexes or checks) must be migrated by hand",
            listed(&converted)
        ),
        statements,
    )
}

fn create_domain(name: &str, new: &Domain) -> Vec<String> {
    let mut create = format!("CREATE DOMAIN {name} AS {}", new.base_type);
    if let Some(collation) = &new.collation {
        create.push_str(&format!(" COLLATE {collation}"));
    }
    if let Some(default) = &new.default {
        create.push_str(&format!(" DEFAULT {default}"));
    }
    if new.not_null {
        create.push_str(" NOT NULL");
    }
    let mut later = Vec::new();
    for (check, def) in &new.checks {
        if def.valid {
            create.push_str(&format!(
                " CONSTRAINT {check} {}",
                sql::base_definition(&def.definition)
            ));
        } else {
            // NOT VALID is only accepted by ALTER DOMAIN … ADD CONSTRAINT.
            later.push(format!(
                "ALTER DOMAIN {name} ADD CONSTRAINT {check} {}",
                sql::constraint_clause(&def.definition, false)
            ));
        }
    }
    let mut statements = vec![create];
    statements.extend(later);
    with_comment(
        &mut statements,
        &format!("DOMAIN {name}"),
        new.comment.as_ref(),
    );
    statements
}

pub(super) fn domains(ctx: &Ctx, out: &mut Out) {
    for (name, old) in &ctx.from.domains {
        let Some(new) = ctx.to.domains.get(name) else {
            let phase = ctx.drop_phase(name, Phase::DropDomains);
            out.push(
                phase,
                0,
                ObjectKind::Domain,
                name,
                DiffKind::Extra,
                EXTRA,
                vec![format!("DROP DOMAIN {name}")],
            );
            continue;
        };
        if ctx.recreated_domains.contains(name) {
            let mut lines = Vec::new();
            if old.base_type != new.base_type {
                lines.push(change_line("base type", &old.base_type, &new.base_type));
            }
            if old.collation != new.collation {
                lines.push(change_line(
                    "collation",
                    shown(old.collation.as_deref()),
                    shown(new.collation.as_deref()),
                ));
            }
            lines.push(
                "ALTER DOMAIN cannot change that: the domain is dropped and created again, which \
                 fails while columns or other objects use it (migrate them first)"
                    .to_owned(),
            );
            let mut statements = vec![format!("DROP DOMAIN {name}")];
            statements.extend(create_domain(name, new));
            out.push(
                Phase::Domains,
                0,
                ObjectKind::Domain,
                name,
                DiffKind::Changed,
                lines.join("\n"),
                statements,
            );
            continue;
        }
        let (lines, statements) = alter_domain(name, old, new);
        if !statements.is_empty() {
            out.push(
                Phase::Domains,
                0,
                ObjectKind::Domain,
                name,
                DiffKind::Changed,
                lines.join("\n"),
                statements,
            );
        }
        comment_change(
            out,
            name,
            &format!("DOMAIN {name}"),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
    }
    for (name, new) in &ctx.to.domains {
        if !ctx.from.domains.contains_key(name) {
            out.push(
                Phase::Domains,
                0,
                ObjectKind::Domain,
                name,
                DiffKind::Missing,
                MISSING,
                create_domain(name, new),
            );
        }
    }
}

/// The `ALTER DOMAIN`s for a domain whose base type stays: default, NOT NULL, checks.
fn alter_domain(name: &str, old: &Domain, new: &Domain) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    let mut statements = Vec::new();
    if old.default != new.default {
        lines.push(change_line(
            "default",
            shown(old.default.as_deref()),
            shown(new.default.as_deref()),
        ));
        statements.push(match &new.default {
            Some(default) => format!("ALTER DOMAIN {name} SET DEFAULT {default}"),
            None => format!("ALTER DOMAIN {name} DROP DEFAULT"),
        });
    }
    if old.not_null != new.not_null {
        lines.push(change_line(
            "not null",
            yes_no(old.not_null),
            yes_no(new.not_null),
        ));
        statements.push(if new.not_null {
            format!("ALTER DOMAIN {name} SET NOT NULL")
        } else {
            format!("ALTER DOMAIN {name} DROP NOT NULL")
        });
    }
    // Drops first, so a check whose definition changes can be added again under its name.
    let mut adds = Vec::new();
    for (check, def) in &old.checks {
        match new.checks.get(check) {
            None => {
                lines.push(format!("check {check}: to drop"));
                statements.push(format!("ALTER DOMAIN {name} DROP CONSTRAINT {check}"));
            }
            Some(target)
                if sql::base_definition(&target.definition)
                    != sql::base_definition(&def.definition) =>
            {
                lines.push(format!(
                    "check {check}: {}",
                    definition_change(
                        sql::base_definition(&def.definition),
                        sql::base_definition(&target.definition)
                    )
                ));
                statements.push(format!("ALTER DOMAIN {name} DROP CONSTRAINT {check}"));
                adds.push(format!(
                    "ALTER DOMAIN {name} ADD CONSTRAINT {check} {}",
                    sql::constraint_clause(&target.definition, target.valid)
                ));
            }
            Some(target) if !def.valid && target.valid => {
                lines.push(format!("check {check}: not validated → validated"));
                adds.push(format!("ALTER DOMAIN {name} VALIDATE CONSTRAINT {check}"));
            }
            Some(_) => {}
        }
    }
    for (check, def) in &new.checks {
        if !old.checks.contains_key(check) {
            lines.push(format!("check {check}: missing"));
            adds.push(format!(
                "ALTER DOMAIN {name} ADD CONSTRAINT {check} {}",
                sql::constraint_clause(&def.definition, def.valid)
            ));
        }
    }
    statements.extend(adds);
    (lines, statements)
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

fn create_sequence(name: &str, new: &Sequence) -> Vec<String> {
    let mut statements = vec![format!(
        "CREATE SEQUENCE {name} AS {} INCREMENT BY {} MINVALUE {} MAXVALUE {} START WITH {} CACHE {} {}",
        new.data_type,
        new.increment,
        new.min_value,
        new.max_value,
        new.start,
        new.cache,
        if new.cycle { "CYCLE" } else { "NO CYCLE" }
    )];
    with_comment(
        &mut statements,
        &format!("SEQUENCE {name}"),
        new.comment.as_ref(),
    );
    statements
}

pub(super) fn sequences(ctx: &Ctx, out: &mut Out) {
    for (name, old) in &ctx.from.sequences {
        let Some(new) = ctx.to.sequences.get(name) else {
            // A sequence owned by a column that is dropped goes with it: IF EXISTS, since
            // whether the drop already took it depends on that.
            let owner_gone = old
                .owned_by
                .as_deref()
                .is_some_and(|owner| ctx.owner_dropped(owner));
            let (statement, detail) = if owner_gone {
                (
                    format!("DROP SEQUENCE IF EXISTS {name}"),
                    format!(
                        "{EXTRA} (with its owning column {})",
                        shown(old.owned_by.as_deref())
                    ),
                )
            } else {
                (format!("DROP SEQUENCE {name}"), EXTRA.to_owned())
            };
            let phase = ctx.drop_phase(name, Phase::DropSequences);
            out.push(
                phase,
                0,
                ObjectKind::Sequence,
                name,
                DiffKind::Extra,
                detail,
                vec![statement],
            );
            continue;
        };
        let (lines, clauses) = sequence_changes(old, new);
        if !clauses.is_empty() {
            out.push(
                Phase::Sequences,
                0,
                ObjectKind::Sequence,
                name,
                DiffKind::Changed,
                lines.join("\n"),
                vec![format!("ALTER SEQUENCE {name} {}", clauses.join(" "))],
            );
        }
        ownership(
            ctx,
            out,
            name,
            old.owned_by.as_deref(),
            new.owned_by.as_deref(),
        );
        comment_change(
            out,
            name,
            &format!("SEQUENCE {name}"),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
    }
    for (name, new) in &ctx.to.sequences {
        if !ctx.from.sequences.contains_key(name) {
            out.push(
                Phase::Sequences,
                0,
                ObjectKind::Sequence,
                name,
                DiffKind::Missing,
                MISSING,
                create_sequence(name, new),
            );
            if let Some(owner) = &new.owned_by {
                out.push(
                    Phase::SequenceOwnership,
                    0,
                    ObjectKind::Sequence,
                    name,
                    DiffKind::Missing,
                    format!("owned by {owner}"),
                    vec![format!("ALTER SEQUENCE {name} OWNED BY {owner}")],
                );
            }
        }
    }
}

/// The changed parameters of a sequence, as detail lines and `ALTER SEQUENCE` clauses.
fn sequence_changes(old: &Sequence, new: &Sequence) -> (Vec<String>, Vec<String>) {
    let mut lines = Vec::new();
    let mut clauses = Vec::new();
    if old.data_type != new.data_type {
        lines.push(change_line("type", &old.data_type, &new.data_type));
        clauses.push(format!("AS {}", new.data_type));
    }
    let numbers = [
        ("increment", "INCREMENT BY", old.increment, new.increment),
        ("min value", "MINVALUE", old.min_value, new.min_value),
        ("max value", "MAXVALUE", old.max_value, new.max_value),
        ("start", "START WITH", old.start, new.start),
        ("cache", "CACHE", old.cache, new.cache),
    ];
    for (label, clause, before, after) in numbers {
        if before != after {
            lines.push(change_line(label, &before.to_string(), &after.to_string()));
            clauses.push(format!("{clause} {after}"));
        }
    }
    if old.cycle != new.cycle {
        lines.push(change_line("cycle", yes_no(old.cycle), yes_no(new.cycle)));
        clauses.push(if new.cycle { "CYCLE" } else { "NO CYCLE" }.to_owned());
    }
    (lines, clauses)
}

/// `OWNED BY` changes of a sequence both models have. `OWNED BY NONE` goes before the drops
/// when the old owning column is dropped (it would take the sequence with it); the new owner is
/// set once the tables and columns exist.
fn ownership(ctx: &Ctx, out: &mut Out, name: &str, old: Option<&str>, new: Option<&str>) {
    let owner_dropped = old.is_some_and(|owner| ctx.owner_dropped(owner));
    if old == new && !owner_dropped {
        return;
    }
    let line = change_line("owned by", shown(old), shown(new));
    if owner_dropped || (old.is_some() && new.is_none()) {
        out.push(
            Phase::DisownSequences,
            0,
            ObjectKind::Sequence,
            name,
            DiffKind::Changed,
            if owner_dropped && new.is_some() {
                format!("{line} (released while its owning column is dropped)")
            } else {
                line.clone()
            },
            vec![format!("ALTER SEQUENCE {name} OWNED BY NONE")],
        );
    }
    if let Some(owner) = new {
        out.push(
            Phase::SequenceOwnership,
            0,
            ObjectKind::Sequence,
            name,
            DiffKind::Changed,
            line,
            vec![format!("ALTER SEQUENCE {name} OWNED BY {owner}")],
        );
    }
}

fn routine_kind(kind: FunctionKind) -> (ObjectKind, &'static str) {
    match kind {
        FunctionKind::Function => (ObjectKind::Function, "FUNCTION"),
        FunctionKind::Procedure => (ObjectKind::Procedure, "PROCEDURE"),
    }
}

/// `pg_get_functiondef`'s text as a statement (it ends with a newline, no semicolon).
fn routine_definition(definition: &str) -> String {
    definition.trim_end().trim_end_matches(';').to_owned()
}

pub(super) fn functions(ctx: &Ctx, out: &mut Out) {
    let dropped_tables: Vec<String> = ctx
        .dropped_tables
        .iter()
        .map(|table| sql::base_name(table))
        .collect();
    for (key, old) in &ctx.from.functions {
        let (old_kind, old_word) = routine_kind(old.kind);
        let Some(new) = ctx.to.functions.get(key) else {
            // Late, once nothing calls it; but before a table whose row type it uses goes.
            let idents = sql::identifiers(sql::routine_dependency_part(&old.definition));
            let phase = if dropped_tables.iter().any(|name| idents.contains(name)) {
                Phase::DropRoutines
            } else {
                Phase::DropFunctions
            };
            out.push(
                phase,
                0,
                old_kind,
                key,
                DiffKind::Extra,
                EXTRA,
                vec![format!("DROP {old_word} {key}")],
            );
            continue;
        };
        let (new_kind, new_word) = routine_kind(new.kind);
        if ctx.recreated_functions.contains(key) {
            let mut lines = Vec::new();
            if old.kind != new.kind {
                lines.push(change_line(
                    "kind",
                    &old_word.to_lowercase(),
                    &new_word.to_lowercase(),
                ));
            }
            if old.result != new.result {
                lines.push(change_line(
                    "result",
                    shown(old.result.as_deref()),
                    shown(new.result.as_deref()),
                ));
            }
            lines.push(
                "CREATE OR REPLACE cannot change that: dropped and created again (views and \
                 triggers using it are re-created around it; other users must be migrated first)"
                    .to_owned(),
            );
            let mut statements = vec![
                format!("DROP {old_word} {key}"),
                routine_definition(&new.definition),
            ];
            with_comment(
                &mut statements,
                &format!("{new_word} {key}"),
                new.comment.as_ref(),
            );
            out.push(
                ctx.function_phase(key),
                0,
                new_kind,
                key,
                DiffKind::Changed,
                lines.join("\n"),
                statements,
            );
            continue;
        }
        if old.definition != new.definition {
            out.push(
                ctx.function_phase(key),
                0,
                new_kind,
                key,
                DiffKind::Changed,
                definition_change(&old.definition, &new.definition),
                vec![routine_definition(&new.definition)],
            );
        }
        comment_change(
            out,
            key,
            &format!("{new_word} {key}"),
            old.comment.as_ref(),
            new.comment.as_ref(),
        );
    }
    for (key, new) in &ctx.to.functions {
        if !ctx.from.functions.contains_key(key) {
            let (kind, word) = routine_kind(new.kind);
            let mut statements = vec![routine_definition(&new.definition)];
            with_comment(
                &mut statements,
                &format!("{word} {key}"),
                new.comment.as_ref(),
            );
            out.push(
                ctx.function_phase(key),
                0,
                kind,
                key,
                DiffKind::Missing,
                MISSING,
                statements,
            );
        }
    }
}
