//! A hand-written front end for the MySQL/MariaDB dialect: lexer, statement splitter and a
//! parser for DDL and simple DML, as needed by a linter and planner of schema migrations.
//!
//! ```
//! use tack_mysql_syntax::{parse, AlterSpecKind, StatementKind};
//!
//! let script = parse("ALTER ONLINE TABLE orders WAIT 5 ADD COLUMN IF NOT EXISTS note TEXT, ALGORITHM=NOCOPY;");
//! assert!(script.errors.is_empty());
//! let StatementKind::AlterTable(alter) = &script.statements[0].kind else { unreachable!() };
//! assert!(matches!(alter.specs[0].kind, AlterSpecKind::AddColumn { if_not_exists: true, .. }));
//! ```
//!
//! * [`lexer`] tokenizes with byte offsets; executable comments `/*! … */` are code.
//! * [`split()`] cuts a script into statements like the mysql client (`;`, `DELIMITER`), keeping
//!   stored program bodies whole, and keeps every comment with its placement.
//! * [`parse`] parses each statement into an [`ast::Statement`]; failures become
//!   [`ast::ParseError`]s with the offset of the offending token, and the statement stays in
//!   the list as [`ast::StatementKind::Invalid`].
//!
//! Nothing here panics on any input, and every span lies within the input on `char`
//! boundaries.

pub mod ast;
pub mod lexer;
mod parser;
pub mod span;
pub mod split;

pub use ast::*;
pub use lexer::{tokenize, Token, TokenKind};
pub use split::{split, SplitScript, SplitStatement};

/// Parses a whole script.
pub fn parse(text: &str) -> ParsedScript {
    let split = split::split(text);
    let mut errors = split.errors;
    let mut statements = Vec::with_capacity(split.statements.len());
    for statement in &split.statements {
        let tokens = split.tokens.get(statement.tokens.clone()).unwrap_or(&[]);
        let keywords = || parser::leading_keywords(text, tokens);
        let kind = match statement.errors.first() {
            Some(&error) => StatementKind::Invalid {
                keywords: keywords(),
                error,
            },
            None => match parser::parse_statement_kind(text, tokens, statement.span) {
                Ok(kind) => kind,
                Err(mut error) => {
                    error.statement_span = Some(statement.span);
                    errors.push(error);
                    StatementKind::Invalid {
                        keywords: keywords(),
                        error: errors.len() - 1,
                    }
                }
            },
        };
        statements.push(Statement {
            span: statement.span,
            kind,
            delimiter: statement.delimiter,
            leading_comments: statement.leading_comments.clone(),
            trailing_comments: statement.trailing_comments.clone(),
        });
    }
    let errors = sort_errors(errors, &mut statements);
    ParsedScript {
        statements,
        errors,
        comments: split.comments,
        delimiter_commands: split.delimiter_commands,
    }
}

/// Puts `errors` in source order and updates the indices held by invalid statements.
fn sort_errors(errors: Vec<ParseError>, statements: &mut [Statement]) -> Vec<ParseError> {
    let mut order: Vec<usize> = (0..errors.len()).collect();
    order.sort_by_key(|&i| (errors[i].offset, i));
    let mut new_index = vec![0; errors.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    for statement in statements {
        if let StatementKind::Invalid { error, .. } = &mut statement.kind {
            *error = new_index.get(*error).copied().unwrap_or(*error);
        }
    }
    let mut slots: Vec<Option<ParseError>> = errors.into_iter().map(Some).collect();
    order
        .iter()
        .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
        .collect()
}
