//! Text helpers for the diff: splitting the model's quoted names, the identifiers a deparsed
//! definition mentions, the SQL fragments several object kinds share, and the short
//! "what differs" texts of `Difference::detail`.

use crate::schema::model::{Column, Identity};
use crate::sql::{quote_ident, quote_literal};
use std::collections::BTreeSet;

/// The parts of a model key, unquoted: `"Billing"."Invoice"` → `Billing`, `Invoice`. A function
/// key stops at its argument list: `public.add(a integer)` → `public`, `add`.
pub(super) fn name_parts(key: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut chars = key.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    current.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                current.push(c);
            }
        } else {
            match c {
                '"' => quoted = true,
                '.' => parts.push(std::mem::take(&mut current)),
                '(' => break,
                _ => current.push(c),
            }
        }
    }
    parts.push(current);
    parts
}

/// The object's own (last) name, unquoted: what a deparsed definition that mentions it contains.
pub(super) fn base_name(key: &str) -> String {
    name_parts(key).pop().unwrap_or_default()
}

/// Where `key` splits into its qualifier and its last part, as written (quotes kept):
/// `public.orders.id` → (`public.orders`, `id`). None for an unqualified key.
pub(super) fn split_last(key: &str) -> Option<(&str, &str)> {
    let mut quoted = false;
    let mut last_dot = None;
    for (i, c) in key.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => last_dot = Some(i),
            '(' if !quoted => break,
            _ => {}
        }
    }
    last_dot.map(|i| (&key[..i], &key[i + 1..]))
}

/// An object that lives in its table's schema (an index), qualified like the table's key:
/// `public.orders` + `orders_email_idx` → `public.orders_email_idx`.
pub(super) fn in_schema_of(table: &str, name: &str) -> String {
    match split_last(table) {
        Some((schema, _)) => format!("{schema}.{name}"),
        None => name.to_owned(),
    }
}

/// The identifiers a piece of deparsed SQL mentions, unquoted (and, when written unquoted,
/// folded to lower case as PostgreSQL does). String literals are skipped. Used to find the
/// objects a definition depends on where the model does not record the dependency: an
/// over-approximation (a column and a table of the same name are not told apart), which only
/// ever costs an unneeded drop and re-create.
pub(super) fn identifiers(sql: &str) -> BTreeSet<String> {
    let chars: Vec<char> = sql.chars().collect();
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            // A literal or a quoted identifier; a doubled quote inside is one quote character.
            let mut text = String::new();
            i += 1;
            while i < chars.len() {
                if chars[i] == c {
                    if chars.get(i + 1) == Some(&c) {
                        text.push(c);
                        i += 2;
                        continue;
                    }
                    break;
                }
                text.push(chars[i]);
                i += 1;
            }
            i += 1;
            if c == '"' {
                found.insert(text);
            }
        } else if c.is_alphabetic() || c == '_' {
            // `$` may continue an identifier in PostgreSQL, but deparsed text uses it for
            // dollar quotes (`$function$select …`), whose tags must not swallow a name.
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            found.insert(chars[start..i].iter().collect::<String>().to_lowercase());
        } else if c.is_ascii_digit() {
            // A number (or `1e5`, `0x1f`): not an identifier.
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    found
}

/// A CHECK or FOREIGN KEY definition without the ` NOT VALID` that `pg_get_constraintdef` appends
/// to an unvalidated constraint: validity is compared (and written) separately.
pub(super) fn base_definition(definition: &str) -> &str {
    let trimmed = definition.trim_end();
    trimmed.strip_suffix(" NOT VALID").unwrap_or(trimmed)
}

/// A constraint definition as `ADD CONSTRAINT` takes it, `NOT VALID` when it is not validated.
pub(super) fn constraint_clause(definition: &str, valid: bool) -> String {
    let base = base_definition(definition);
    if valid {
        base.to_owned()
    } else {
        format!("{base} NOT VALID")
    }
}

/// `COMMENT ON <target> IS '…'` (or `IS NULL`).
pub(super) fn comment_sql(target: &str, comment: Option<&str>) -> String {
    match comment {
        Some(text) => format!("COMMENT ON {target} IS {}", quote_literal(text)),
        None => format!("COMMENT ON {target} IS NULL"),
    }
}

/// A comment for a `detail`: quoted, or `none`.
pub(super) fn shown_comment(comment: Option<&str>) -> String {
    comment.map_or_else(|| "none".to_owned(), quote_literal)
}

/// A column as `CREATE TABLE` and `ADD COLUMN` write it.
pub(super) fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", quote_ident(&column.name), column.data_type);
    if let Some(collation) = &column.collation {
        sql.push_str(" COLLATE ");
        sql.push_str(collation);
    }
    if let Some(expression) = &column.generated {
        let kind = if column.generated_virtual {
            "VIRTUAL"
        } else {
            "STORED"
        };
        sql.push_str(&format!(" GENERATED ALWAYS AS ({expression}) {kind}"));
    } else if let Some(identity) = column.identity {
        sql.push(' ');
        sql.push_str(identity_clause(identity));
    } else if let Some(default) = &column.default {
        sql.push_str(" DEFAULT ");
        sql.push_str(default);
    }
    if column.not_null {
        sql.push_str(" NOT NULL");
    }
    sql
}

pub(super) fn identity_clause(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "GENERATED ALWAYS AS IDENTITY",
        Identity::ByDefault => "GENERATED BY DEFAULT AS IDENTITY",
    }
}

pub(super) fn identity_name(identity: Option<Identity>) -> &'static str {
    match identity {
        Some(Identity::Always) => "GENERATED ALWAYS",
        Some(Identity::ByDefault) => "GENERATED BY DEFAULT",
        None => "none",
    }
}

/// An optional value for a `detail`.
pub(super) fn shown(value: Option<&str>) -> &str {
    value.unwrap_or("none")
}

/// `label: old → new`.
pub(super) fn change_line(label: &str, old: &str, new: &str) -> String {
    format!("{label}: {old} → {new}")
}

/// How many lines of each side a definition diff shows.
const SHOWN_LINES: usize = 4;
/// How long a shown line may be.
const SHOWN_WIDTH: usize = 160;

/// `definition differs:` followed by the lines that differ (`  - old`, `  + new`), the common
/// leading and trailing lines left out and each side cut to a few lines: enough to see what
/// changed in a long view or function without printing both in full.
pub(super) fn definition_change(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.trim().lines().collect();
    let new: Vec<&str> = new.trim().lines().collect();
    let prefix = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut text = String::from("definition differs:");
    for (sign, lines) in [
        ('-', &old[prefix..old.len() - suffix]),
        ('+', &new[prefix..new.len() - suffix]),
    ] {
        for line in lines.iter().take(SHOWN_LINES) {
            text.push_str(&format!("\n  {sign} {}", clip(line.trim())));
        }
        if lines.len() > SHOWN_LINES {
            text.push_str(&format!(
                "\n  {sign} … ({} more line(s))",
                lines.len() - SHOWN_LINES
            ));
        }
    }
    text
}

fn clip(line: &str) -> String {
    if line.chars().count() <= SHOWN_WIDTH {
        line.to_owned()
    } else {
        let cut: String = line.chars().take(SHOWN_WIDTH).collect();
        format!("{cut}…")
    }
}

/// A list of names for a `detail`: `a, b, c`.
pub(super) fn listed<'a>(items: impl IntoIterator<Item = &'a String>) -> String {
    items
        .into_iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The header of a `pg_get_functiondef` text: signature, `RETURNS`, options — up to the body
/// (`AS $function$…` or `BEGIN ATOMIC`).
fn routine_header(definition: &str) -> &str {
    let end = [definition.find("\nAS "), definition.find("\nBEGIN ATOMIC")]
        .into_iter()
        .flatten()
        .min();
    end.map_or(definition, |end| &definition[..end])
}

fn sql_standard_body(definition: &str) -> bool {
    definition.contains("\nBEGIN ATOMIC")
}

/// The part of a function definition PostgreSQL resolves names in at creation: all of it for a
/// SQL-language function (its body is parsed, with the default `check_function_bodies`), only
/// the header for other languages, whose bodies are not.
pub(super) fn routine_checked_part(definition: &str) -> &str {
    let sql_language = definition
        .lines()
        .any(|line| line.trim().eq_ignore_ascii_case("LANGUAGE sql"));
    if sql_language || sql_standard_body(definition) {
        definition
    } else {
        routine_header(definition)
    }
}

/// The part of a function definition PostgreSQL records dependencies for: the header (argument
/// and result types), and a SQL-standard (`BEGIN ATOMIC`) body; a body in a string is not.
pub(super) fn routine_dependency_part(definition: &str) -> &str {
    if sql_standard_body(definition) {
        definition
    } else {
        routine_header(definition)
    }
}

/// The columns of a key a foreign key can reference, from its definition: `PRIMARY KEY (a, b)`,
/// `UNIQUE NULLS NOT DISTINCT (a)`, or a unique index's `… USING btree (a, b DESC) INCLUDE (c)`.
/// Each element is reduced to its column name (ordering and operator class dropped); None when
/// there is no list to read.
pub(super) fn key_columns(definition: &str) -> Option<BTreeSet<String>> {
    let from = match definition.find(" USING ") {
        Some(using) => using + definition[using..].find('(')?,
        None => definition.find('(')?,
    };
    column_list(&definition[from..])
}

/// The referenced columns of a foreign key: `FOREIGN KEY (a) REFERENCES public.t(b, c) …` →
/// `b`, `c`.
pub(super) fn referenced_columns(definition: &str) -> Option<BTreeSet<String>> {
    let rest = &definition[definition.find(" REFERENCES ")? + " REFERENCES ".len()..];
    // The list follows the table name, which may be quoted (and so hold a parenthesis).
    let mut quoted = false;
    let start = rest.char_indices().find_map(|(i, c)| match c {
        '"' => {
            quoted = !quoted;
            None
        }
        '(' if !quoted => Some(i),
        _ => None,
    })?;
    column_list(&rest[start..])
}

/// The comma-separated elements of the parenthesized list `text` starts with, each cut to its
/// first word (a column name, quoted or not).
fn column_list(text: &str) -> Option<BTreeSet<String>> {
    let mut depth = 0usize;
    let mut quoted = false;
    let mut current = String::new();
    let mut elements = Vec::new();
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            '(' if !quoted => {
                depth += 1;
                if depth > 1 {
                    current.push(c);
                }
            }
            ')' if !quoted => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    elements.push(std::mem::take(&mut current));
                    break;
                }
                current.push(c);
            }
            ',' if !quoted && depth == 1 => elements.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if elements.is_empty() {
        return None;
    }
    Some(
        elements
            .iter()
            .map(|element| first_word(element.trim()))
            .collect(),
    )
}

/// An element's leading identifier: a quoted one whole, else up to the first space.
fn first_word(element: &str) -> String {
    if element.starts_with('"') {
        let mut end = element.len();
        let mut chars = element.char_indices().skip(1).peekable();
        while let Some((i, c)) = chars.next() {
            if c == '"' {
                if chars.peek().map(|(_, next)| *next) == Some('"') {
                    chars.next();
                    continue;
                }
                end = i + 1;
                break;
            }
        }
        element[..end].to_owned()
    } else {
        element
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}
