//! Session, transaction and account statements: `USE`, `SET` (variables, `NAMES`,
//! `CHARACTER SET`, `TRANSACTION`, MariaDB's `SET STATEMENT … FOR`), `START TRANSACTION`,
//! `BEGIN`, `COMMIT`, `ROLLBACK`, savepoints, `LOCK TABLES`, `GRANT`/`REVOKE`, `CREATE`/`DROP
//! USER` and `FLUSH`, kept shallow where a linter needs no more.

use super::ast::{
    Flush, LockTables, LockedTable, PrivilegeStatement, SetAssignment, StatementKind,
    TableLockType, TransactionStatement, UserStatement, VariableScope,
};
use super::cursor::{PResult, Parser};
use super::lexer::{identifier_value, string_value, TokenKind};
use super::span::Span;

/// Words that end an account name's authentication clause in `CREATE USER`.
const ACCOUNT_OPTION_WORDS: &[&str] = &[
    "ACCOUNT",
    "ATTRIBUTE",
    "COMMENT",
    "DEFAULT",
    "FAILED_LOGIN_ATTEMPTS",
    "PASSWORD",
    "PASSWORD_LOCK_TIME",
    "REQUIRE",
    "RESOURCE",
    "WITH",
];

impl<'a> Parser<'a> {
    /// `USE db` (at `USE`).
    pub(crate) fn use_database(&mut self) -> PResult<StatementKind> {
        self.pos = 1;
        let database = self.loose_ident("database name after USE")?;
        self.expect_end("USE")?;
        Ok(StatementKind::Use(database))
    }

    /// `SET …` (at `SET`).
    pub(crate) fn set(&mut self) -> PResult<StatementKind> {
        self.pos = 1;
        if self.eat("NAMES") {
            let charset = if self.eat("DEFAULT") {
                None
            } else {
                Some(self.name_value("character set name after SET NAMES")?)
            };
            let collation = if self.eat("COLLATE") {
                Some(self.name_value("collation name after COLLATE")?)
            } else {
                None
            };
            self.expect_end("SET NAMES")?;
            return Ok(StatementKind::SetNames { charset, collation });
        }
        if self.eat_all(&["CHARACTER", "SET"]) || self.eat("CHARSET") {
            let charset = if self.eat("DEFAULT") {
                None
            } else {
                Some(self.name_value("character set name")?)
            };
            self.expect_end("SET CHARACTER SET")?;
            return Ok(StatementKind::SetCharacterSet(charset));
        }
        let scope_word = self.peek_word_upper();
        let transaction_at = usize::from(matches!(
            scope_word.as_deref(),
            Some("GLOBAL" | "SESSION" | "LOCAL")
        ));
        if self.nth_is(transaction_at, "TRANSACTION") {
            let scope = (transaction_at == 1).then_some(match scope_word.as_deref() {
                Some("GLOBAL") => VariableScope::Global,
                _ => VariableScope::Session,
            });
            self.pos += transaction_at + 1;
            let start = self.pos;
            self.pos = self.tokens.len();
            let characteristics = self.span_from(start).text(self.text).to_owned();
            return Ok(StatementKind::SetTransaction {
                scope,
                characteristics,
            });
        }
        if self.eat("STATEMENT") {
            let assignments = self.set_assignments(&["FOR"])?;
            self.expect("FOR", "after the SET STATEMENT assignments")?;
            let start = self.pos;
            if self.at_end() {
                return Err(self.expected("statement after SET STATEMENT … FOR"));
            }
            let tokens = &self.tokens[start..];
            let span = Span::between(self.current_span().offset, self.end);
            let statement = super::parse_tokens(self.text, tokens, span)?;
            self.pos = self.tokens.len();
            return Ok(StatementKind::SetStatementFor {
                assignments,
                statement: Box::new(statement),
            });
        }
        if self.peek_is("PASSWORD") || self.peek_is("ROLE") || self.peek_are(&["DEFAULT", "ROLE"]) {
            return Ok(self.other());
        }
        let assignments = self.set_assignments(&[])?;
        self.expect_end("SET")?;
        Ok(StatementKind::Set(assignments))
    }

    fn set_assignments(&mut self, stop_words: &[&str]) -> PResult<Vec<SetAssignment>> {
        let mut out = Vec::new();
        loop {
            let start = self.pos;
            let mut scope =
                match self.eat_one_of(&["GLOBAL", "SESSION", "LOCAL", "PERSIST", "PERSIST_ONLY"]) {
                    Some("GLOBAL") => VariableScope::Global,
                    Some("PERSIST") => VariableScope::Persist,
                    Some("PERSIST_ONLY") => VariableScope::PersistOnly,
                    _ => VariableScope::Session,
                };
            let Some(token) = self.peek() else {
                return Err(self.expected("variable name after SET"));
            };
            let token_text = self.text_of(token);
            let name = match token.kind {
                TokenKind::UserVariable => {
                    scope = VariableScope::User;
                    self.pos += 1;
                    let raw = &token_text[1..];
                    let name = if raw.starts_with('`') {
                        identifier_value(raw)
                    } else if raw.starts_with(['\'', '"']) {
                        string_value(raw)
                    } else {
                        raw.to_owned()
                    };
                    name.to_lowercase()
                }
                TokenKind::SystemVariable => {
                    self.pos += 1;
                    let raw = &token_text[2..];
                    let (prefix, rest) = raw.split_once('.').unwrap_or(("", raw));
                    let prefixed_scope = match prefix.to_ascii_lowercase().as_str() {
                        "global" => Some(VariableScope::Global),
                        "session" | "local" => Some(VariableScope::Session),
                        "persist" => Some(VariableScope::Persist),
                        "persist_only" => Some(VariableScope::PersistOnly),
                        _ => None,
                    };
                    match prefixed_scope {
                        Some(s) => {
                            scope = s;
                            identifier_value(rest).to_lowercase()
                        }
                        None => identifier_value(raw).to_lowercase(),
                    }
                }
                TokenKind::Word | TokenKind::QuotedIdent => {
                    self.pos += 1;
                    let mut name = identifier_value(token_text);
                    if self.eat_op(".") {
                        let part = self.dotted_part("variable name after '.'")?;
                        name = format!("{name}.{}", part.value);
                    }
                    name.to_lowercase()
                }
                _ => return Err(self.expected("variable name after SET")),
            };
            if !self.eat_op("=") && !self.eat_op(":=") {
                return Err(self.expected(&format!("'=' after variable {name}")));
            }
            let Some(value) = self.expr_until(true, stop_words) else {
                return Err(self.expected(&format!("value for variable {name}")));
            };
            out.push(SetAssignment {
                scope,
                name,
                value,
                span: self.span_from(start),
            });
            if !self.eat_op(",") {
                return Ok(out);
            }
        }
    }

    /// `START TRANSACTION …`, `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`, `RELEASE SAVEPOINT`;
    /// `None` for other statements starting with these words (such as `START SLAVE`).
    pub(crate) fn transaction(&mut self) -> PResult<Option<TransactionStatement>> {
        let word = self.peek_word_upper().unwrap_or_default();
        self.pos = 1;
        let statement = match word.as_str() {
            "START" => {
                if !self.eat("TRANSACTION") {
                    return Ok(None);
                }
                let mut read_only = None;
                let mut consistent_snapshot = false;
                while !self.at_end() {
                    if self.eat_all(&["WITH", "CONSISTENT", "SNAPSHOT"]) {
                        consistent_snapshot = true;
                    } else if self.eat_all(&["READ", "ONLY"]) {
                        read_only = Some(true);
                    } else if self.eat_all(&["READ", "WRITE"]) {
                        read_only = Some(false);
                    } else {
                        return Err(self.expected(
                            "WITH CONSISTENT SNAPSHOT, READ ONLY or READ WRITE after START TRANSACTION",
                        ));
                    }
                    if !self.at_end() {
                        self.expect_op(",", "between transaction characteristics")?;
                    }
                }
                TransactionStatement::Start {
                    read_only,
                    consistent_snapshot,
                }
            }
            "BEGIN" => {
                self.eat("WORK");
                TransactionStatement::Begin
            }
            "COMMIT" => {
                self.eat("WORK");
                self.chain_and_release()?;
                TransactionStatement::Commit
            }
            "ROLLBACK" => {
                self.eat("WORK");
                if self.eat("TO") {
                    self.eat("SAVEPOINT");
                    let name = self.ident("savepoint name after ROLLBACK TO")?;
                    TransactionStatement::Rollback {
                        to_savepoint: Some(name),
                    }
                } else {
                    self.chain_and_release()?;
                    TransactionStatement::Rollback { to_savepoint: None }
                }
            }
            "SAVEPOINT" => TransactionStatement::Savepoint(self.ident("savepoint name")?),
            _ => {
                if !self.eat("SAVEPOINT") {
                    return Ok(None);
                }
                TransactionStatement::ReleaseSavepoint(self.ident("savepoint name")?)
            }
        };
        self.expect_end(&word)?;
        Ok(Some(statement))
    }

    fn chain_and_release(&mut self) -> PResult<()> {
        if self.eat("AND") {
            self.eat("NO");
            self.expect("CHAIN", "after AND")?;
        }
        if self.eat("NO") {
            self.expect("RELEASE", "after NO")?;
        } else {
            self.eat("RELEASE");
        }
        Ok(())
    }

    /// `LOCK TABLES …` (at `LOCK`); `None` for other `LOCK` statements.
    pub(crate) fn lock_tables(&mut self) -> PResult<Option<LockTables>> {
        self.pos = 1;
        if self.eat_one_of(&["TABLE", "TABLES"]).is_none() {
            return Ok(None);
        }
        let mut tables = Vec::new();
        loop {
            let table = self.object_name("table name after LOCK TABLES")?;
            let alias_then_lock = self.peek_ident() && !self.peek_lock_type() && {
                let mut probe = Parser::new(self.text, self.tokens, self.end);
                probe.pos = self.pos + 1;
                probe.peek_lock_type()
            };
            let alias = if self.eat("AS") || alias_then_lock {
                Some(self.ident("alias")?)
            } else {
                None
            };
            let lock = if self.eat("READ") {
                if self.eat("LOCAL") {
                    TableLockType::ReadLocal
                } else {
                    TableLockType::Read
                }
            } else if self.eat_all(&["LOW_PRIORITY", "WRITE"]) {
                TableLockType::LowPriorityWrite
            } else if self.eat("WRITE") {
                if self.eat("CONCURRENT") {
                    TableLockType::WriteConcurrent
                } else {
                    TableLockType::Write
                }
            } else {
                return Err(self.expected("READ or WRITE after the table name"));
            };
            tables.push(LockedTable { table, alias, lock });
            if !self.eat_op(",") {
                break;
            }
        }
        let wait = self.lock_wait()?;
        self.expect_end("LOCK TABLES")?;
        Ok(Some(LockTables { tables, wait }))
    }

    fn peek_lock_type(&self) -> bool {
        self.peek_is("READ") || self.peek_is("WRITE") || self.peek_is("LOW_PRIORITY")
    }

    /// `GRANT …` / `REVOKE …` (at the keyword), kept shallow.
    pub(crate) fn privileges(&mut self) -> PResult<PrivilegeStatement> {
        let grant = self.peek_is("GRANT");
        self.pos = 1;
        let target_word = if grant { "TO" } else { "FROM" };
        let mut privileges = Vec::new();
        let mut item_start = self.pos;
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if self.is_op(t, "(") {
                depth += 1;
            } else if self.is_op(t, ")") {
                depth = depth.saturating_sub(1);
            } else if depth == 0
                && (self.is_op(t, ",") || self.token_is(t, "ON") || self.token_is(t, target_word))
            {
                if self.pos > item_start {
                    privileges.push(self.normalized_text(item_start, self.pos));
                }
                if !self.is_op(t, ",") {
                    break;
                }
                item_start = self.pos + 1;
            }
            self.pos += 1;
        }
        if privileges.is_empty() {
            return Err(self.expected(&format!(
                "privilege or role after {}",
                if grant { "GRANT" } else { "REVOKE" }
            )));
        }
        let object = if self.eat("ON") {
            let start = self.pos;
            while !self.at_end() && !self.peek_is(target_word) {
                self.pos += 1;
            }
            if self.pos == start {
                return Err(self.expected("privilege level after ON"));
            }
            Some(self.span_from(start).text(self.text).to_owned())
        } else {
            None
        };
        self.expect(target_word, "before the accounts")?;
        let mut grantees = Vec::new();
        loop {
            grantees.push(self.account_name()?);
            self.skip_until_comma_or(ACCOUNT_OPTION_WORDS);
            if !self.eat_op(",") {
                break;
            }
        }
        // IDENTIFIED BY, WITH GRANT OPTION, REQUIRE … stay opaque.
        self.pos = self.tokens.len();
        Ok(PrivilegeStatement {
            privileges,
            object,
            grantees,
        })
    }

    /// An account name `'user'@'host'`, `user@host`, `CURRENT_USER[()]`, as written.
    fn account_name(&mut self) -> PResult<String> {
        let start = self.pos;
        match self.peek() {
            Some(t)
                if matches!(
                    t.kind,
                    TokenKind::Word | TokenKind::QuotedIdent | TokenKind::String
                ) =>
            {
                self.pos += 1;
            }
            _ => return Err(self.expected("account name")),
        }
        if self
            .peek()
            .is_some_and(|t| t.kind == TokenKind::UserVariable)
        {
            self.pos += 1;
        } else if self.peek_op("(") && self.nth_op(1, ")") {
            self.pos += 2;
        }
        Ok(self.span_from(start).text(self.text).to_owned())
    }

    /// Skips an account's authentication clause up to a depth-0 `,` or one of `stop_words`.
    fn skip_until_comma_or(&mut self, stop_words: &[&str]) {
        let mut depth = 0usize;
        while let Some(t) = self.peek() {
            if self.is_op(t, "(") {
                depth += 1;
            } else if self.is_op(t, ")") {
                depth = depth.saturating_sub(1);
            } else if depth == 0
                && (self.is_op(t, ",") || stop_words.iter().any(|w| self.token_is(t, w)))
            {
                return;
            }
            self.pos += 1;
        }
    }

    /// The accounts of `CREATE USER` / `DROP USER` (after `[IF [NOT] EXISTS]`).
    pub(crate) fn user_list(&mut self) -> PResult<UserStatement> {
        let mut users = Vec::new();
        loop {
            users.push(self.account_name()?);
            self.skip_until_comma_or(ACCOUNT_OPTION_WORDS);
            if !self.eat_op(",") {
                break;
            }
        }
        self.pos = self.tokens.len();
        Ok(UserStatement {
            or_replace: false,
            if_exists: false,
            users,
        })
    }

    /// `FLUSH …` (at `FLUSH`).
    pub(crate) fn flush(&mut self) -> PResult<Flush> {
        self.pos = 1;
        let no_write_to_binlog = self.eat_one_of(&["NO_WRITE_TO_BINLOG", "LOCAL"]).is_some();
        let mut options = Vec::new();
        let mut start = self.pos;
        while let Some(t) = self.peek() {
            if self.is_op(t, ",") {
                options.push(self.normalized_text(start, self.pos));
                start = self.pos + 1;
            }
            self.pos += 1;
        }
        if self.pos > start {
            options.push(self.normalized_text(start, self.pos));
        }
        if options.is_empty() {
            return Err(self.expected("what to flush after FLUSH"));
        }
        Ok(Flush {
            no_write_to_binlog,
            options,
        })
    }

    /// The text of tokens `start..end` as written, with each run of whitespace (or comments)
    /// between tokens replaced by one space.
    fn normalized_text(&self, start: usize, end: usize) -> String {
        let mut out = String::new();
        let mut previous_end = None;
        for t in &self.tokens[start..end] {
            if previous_end.is_some_and(|e| e < t.span.offset) {
                out.push(' ');
            }
            out.push_str(self.text_of(t));
            previous_end = Some(t.span.end());
        }
        out
    }
}
