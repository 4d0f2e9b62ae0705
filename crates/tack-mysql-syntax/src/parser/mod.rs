//! The statement parser: turns one statement's tokens (from [`super::split()`]) into a
//! [`StatementKind`], or a [`ParseError`] pointing at the offending token.
//!
//! Statement types that are modelled are parsed strictly enough to report precise errors;
//! statement types that are not modelled become [`StatementKind::Other`] with their leading
//! keywords. Expressions are never parsed into trees (see [`expr`]).

mod alter;
mod cursor;
mod dml;
pub(crate) mod expr;
mod objects;
mod session;
mod table;

// Paths are relative (`super::…`) so that the front end can be moved as a module tree; the
// children of this module reach the sibling modules through these imports.
use super::{ast, lexer, span};

use ast::{ParseError, Statement, StatementKind, TransactionStatement};
use lexer::{Token, TokenKind};
use span::Span;

pub(crate) use cursor::leading_keywords;
use cursor::{PResult, Parser};

/// Parses one statement given its tokens and span.
pub(crate) fn parse_statement_kind(
    text: &str,
    tokens: &[Token],
    span: Span,
) -> Result<StatementKind, ParseError> {
    // Under a custom delimiter a statement may end with `;` tokens.
    let mut tokens = tokens;
    while let Some((last, rest)) = tokens.split_last() {
        if last.kind == TokenKind::Operator && last.text(text) == ";" {
            tokens = rest;
        } else {
            break;
        }
    }
    let end = tokens.last().map_or(span.end(), |t| t.span.end());
    let mut parser = Parser::new(text, tokens, end);
    let kind = parser.statement()?;
    if !parser.at_end() {
        return Err(parser.expected("end of statement"));
    }
    Ok(kind)
}

/// Parses a statement nested in another (`SET STATEMENT … FOR statement`).
pub(crate) fn parse_tokens(text: &str, tokens: &[Token], span: Span) -> PResult<Statement> {
    let kind = parse_statement_kind(text, tokens, span)?;
    Ok(Statement {
        span,
        kind,
        delimiter: None,
        leading_comments: 0..0,
        trailing_comments: 0..0,
    })
}

impl<'a> Parser<'a> {
    /// Dispatches on the first keyword.
    fn statement(&mut self) -> PResult<StatementKind> {
        let Some(first) = self.peek() else {
            return Ok(StatementKind::Other {
                keywords: Vec::new(),
            });
        };
        if self.is_op(first, "(") {
            return Ok(StatementKind::Select(Box::new(self.query())));
        }
        if first.kind != TokenKind::Word {
            return Err(self.expected("a statement keyword"));
        }
        let keyword = self.text_of(first).to_ascii_uppercase();
        let kind = match keyword.as_str() {
            "CREATE" => self.create()?,
            "ALTER" => self.alter()?,
            "DROP" => self.drop()?,
            "RENAME" if self.nth_is(1, "TABLE") || self.nth_is(1, "TABLES") => {
                StatementKind::RenameTable(self.rename_table()?)
            }
            "TRUNCATE" => StatementKind::TruncateTable(Box::new(self.truncate()?)),
            "OPTIMIZE" | "ANALYZE" | "CHECK" | "REPAIR" | "CHECKSUM" => {
                match self.table_maintenance()? {
                    Some(maintenance) => StatementKind::TableMaintenance(maintenance),
                    None => self.other(),
                }
            }
            "USE" => self.use_database()?,
            "SET" => self.set()?,
            "BEGIN" if self.nth_is(1, "NOT") && self.nth_is(2, "ATOMIC") => self.compound(),
            "START" | "BEGIN" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" => {
                match self.transaction()? {
                    Some(statement) => StatementKind::Transaction(statement),
                    None => self.other(),
                }
            }
            "LOCK" => match self.lock_tables()? {
                Some(lock) => StatementKind::LockTables(lock),
                None => self.other(),
            },
            "UNLOCK" if self.nth_is(1, "TABLE") || self.nth_is(1, "TABLES") => {
                self.pos = 2;
                self.expect_end("UNLOCK TABLES")?;
                StatementKind::UnlockTables
            }
            "INSERT" | "REPLACE" => StatementKind::Insert(Box::new(self.insert()?)),
            "UPDATE" => StatementKind::Update(Box::new(self.update()?)),
            "DELETE" => StatementKind::Delete(Box::new(self.delete()?)),
            "GRANT" => StatementKind::Grant(self.privileges()?),
            "REVOKE" => StatementKind::Revoke(self.privileges()?),
            "FLUSH" => StatementKind::Flush(self.flush()?),
            "CALL" => StatementKind::Call(Box::new(self.call()?)),
            "SELECT" | "WITH" | "VALUES" | "TABLE" => StatementKind::Select(Box::new(self.query())),
            "IF" | "CASE" | "LOOP" | "WHILE" | "REPEAT" | "FOR" => self.compound(),
            _ if self.nth_op(1, ":") => self.compound(),
            _ => self.other(),
        };
        Ok(kind)
    }

    /// `ALTER …` (at `ALTER`).
    fn alter(&mut self) -> PResult<StatementKind> {
        self.pos = 1;
        let online = self.eat("ONLINE");
        let ignore = self.eat("IGNORE");
        if self.eat("TABLE") {
            return Ok(StatementKind::AlterTable(Box::new(
                self.alter_table(online, ignore)?,
            )));
        }
        if online || ignore {
            return Err(self.expected("TABLE after ALTER ONLINE/IGNORE"));
        }
        if self.at_end() {
            return Err(self.expected("object type after ALTER"));
        }
        Ok(self.other())
    }

    /// A statement kept whole as [`StatementKind::Compound`].
    fn compound(&mut self) -> StatementKind {
        self.pos = self.tokens.len();
        StatementKind::Compound
    }

    /// A statement that is not modelled.
    fn other(&mut self) -> StatementKind {
        self.pos = self.tokens.len();
        StatementKind::Other {
            keywords: self.leading_keywords(),
        }
    }
}

impl TransactionStatement {
    /// Whether the statement ends a transaction (`COMMIT` or `ROLLBACK` without `TO`).
    pub fn ends_transaction(&self) -> bool {
        matches!(
            self,
            TransactionStatement::Commit | TransactionStatement::Rollback { to_savepoint: None }
        )
    }
}
