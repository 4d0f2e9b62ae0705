//! `CREATE …` and `DROP …` dispatch and the schema object statements other than tables:
//! indexes, views, stored programs (kept opaque apart from their headers), databases; plus
//! `RENAME TABLE`, `TRUNCATE` and the table maintenance statements.

use super::ast::{
    CreateDatabase, CreateIndex, CreateRoutine, CreateView, DropBehavior, DropDatabase, DropIndex,
    DropRoutine, DropTable, DropView, IndexDef, IndexKind, IndexOptions, MaintenanceOperation,
    OnlineMode, RenameTable, RoutineKind, StatementKind, TableMaintenance, TableRename,
    TriggerEvent, TriggerSpec, TriggerTiming, TruncateTable,
};
use super::cursor::{PResult, Parser};
use super::lexer::TokenKind;
use super::span::Span;

/// Modifiers that may come between `CREATE` and the object keyword.
#[derive(Default)]
struct CreatePrefix {
    or_replace: bool,
    temporary: bool,
    online: Option<OnlineMode>,
    index_kind: Option<IndexKind>,
    algorithm: Option<String>,
    definer: Option<String>,
    sql_security: Option<String>,
}

impl<'a> Parser<'a> {
    /// `CREATE …` (at `CREATE`).
    pub(crate) fn create(&mut self) -> PResult<StatementKind> {
        self.pos = 1;
        let mut prefix = CreatePrefix {
            or_replace: self.eat_all(&["OR", "REPLACE"]),
            ..CreatePrefix::default()
        };
        loop {
            match self.peek_word_upper().as_deref() {
                Some("TEMPORARY") => prefix.temporary = true,
                Some("ONLINE") => prefix.online = Some(OnlineMode::Online),
                Some("OFFLINE") => prefix.online = Some(OnlineMode::Offline),
                Some("UNIQUE") => prefix.index_kind = Some(IndexKind::Unique),
                Some("FULLTEXT") => prefix.index_kind = Some(IndexKind::Fulltext),
                Some("SPATIAL") => prefix.index_kind = Some(IndexKind::Spatial),
                Some("AGGREGATE" | "EDITIONABLE" | "NONEDITIONABLE") => {}
                Some("ALGORITHM") => {
                    self.pos += 1;
                    self.expect_op("=", "after ALGORITHM")?;
                    prefix.algorithm = Some(self.peek_word_upper().ok_or_else(|| {
                        self.expected("UNDEFINED, MERGE or TEMPTABLE after ALGORITHM =")
                    })?);
                }
                Some("DEFINER") => {
                    self.pos += 1;
                    prefix.definer = Some(self.definer()?);
                    continue;
                }
                Some("SQL") if self.nth_is(1, "SECURITY") => {
                    self.pos += 2;
                    prefix.sql_security =
                        Some(self.peek_word_upper().ok_or_else(|| {
                            self.expected("DEFINER or INVOKER after SQL SECURITY")
                        })?);
                }
                _ => break,
            }
            self.pos += 1;
        }
        let object = self.peek_word_upper().unwrap_or_default();
        match object.as_str() {
            "TABLE" => {
                self.pos += 1;
                let table = self.create_table(prefix.or_replace, prefix.temporary)?;
                Ok(StatementKind::CreateTable(Box::new(table)))
            }
            "INDEX" => {
                self.pos += 1;
                let index = self.create_index(&prefix)?;
                Ok(StatementKind::CreateIndex(Box::new(index)))
            }
            "VIEW" => {
                self.pos += 1;
                Ok(StatementKind::CreateView(Box::new(
                    self.create_view(prefix)?,
                )))
            }
            "PROCEDURE" | "FUNCTION" | "TRIGGER" | "EVENT" => {
                self.pos += 1;
                let kind = routine_kind(&object);
                let routine = self.create_routine(kind, prefix)?;
                Ok(StatementKind::CreateRoutine(Box::new(routine)))
            }
            "DATABASE" | "SCHEMA" => {
                self.pos += 1;
                let if_not_exists = self.if_not_exists();
                let name = self.ident(&format!("database name after CREATE {object}"))?;
                let options = self.table_options()?;
                self.expect_end("CREATE DATABASE")?;
                Ok(StatementKind::CreateDatabase(CreateDatabase {
                    or_replace: prefix.or_replace,
                    if_not_exists,
                    name,
                    options,
                }))
            }
            "USER" => {
                self.pos += 1;
                let if_not_exists = self.if_not_exists();
                let mut statement = self.user_list()?;
                statement.or_replace = prefix.or_replace;
                statement.if_exists = if_not_exists;
                Ok(StatementKind::CreateUser(statement))
            }
            _ if prefix.index_kind.is_some() || prefix.online.is_some() => {
                Err(self.expected("INDEX after CREATE UNIQUE/FULLTEXT/SPATIAL/ONLINE"))
            }
            _ if prefix.temporary => Err(self.expected("TABLE after CREATE TEMPORARY")),
            _ if object.is_empty() => Err(self.expected("object type after CREATE")),
            _ => Ok(self.other()),
        }
    }

    /// The value of `DEFINER = …` (after `DEFINER`), as written.
    pub(crate) fn definer(&mut self) -> PResult<String> {
        self.expect_op("=", "after DEFINER")?;
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
            _ => return Err(self.expected("user name after DEFINER =")),
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

    /// `CREATE … INDEX` after the `INDEX` keyword.
    fn create_index(&mut self, prefix: &CreatePrefix) -> PResult<CreateIndex> {
        let start = self.pos.saturating_sub(1);
        let if_not_exists = self.if_not_exists();
        let name = self.ident("index name after CREATE INDEX")?;
        let mut options = IndexOptions::default();
        if self.peek_is("USING") || self.peek_is("TYPE") {
            self.index_option(&mut options)?;
        }
        self.expect("ON", "after the index name")?;
        let table = self.object_name("table name after ON")?;
        let parts = self.key_parts()?;
        let mut wait = None;
        let mut algorithm = None;
        let mut lock = None;
        loop {
            if let Some(w) = self.lock_wait()? {
                wait = Some(w);
            } else if self.eat("ALGORITHM") {
                algorithm = Some(self.algorithm_value()?);
            } else if self.eat("LOCK") {
                lock = Some(self.lock_value()?);
            } else if !self.index_option(&mut options)? {
                break;
            }
        }
        self.expect_end("CREATE INDEX")?;
        Ok(CreateIndex {
            or_replace: prefix.or_replace,
            online: prefix.online,
            index: IndexDef {
                kind: prefix.index_kind.unwrap_or(IndexKind::Index),
                name: Some(name),
                constraint_name: None,
                if_not_exists,
                parts,
                options,
                span: self.span_from(start),
            },
            table,
            wait,
            algorithm,
            lock,
        })
    }

    /// `CREATE … VIEW` after the `VIEW` keyword.
    fn create_view(&mut self, prefix: CreatePrefix) -> PResult<CreateView> {
        let if_not_exists = self.if_not_exists();
        let name = self.object_name("view name after CREATE VIEW")?;
        let columns = if self.peek_op("(") {
            self.ident_list("column name", "with the view columns")?
        } else {
            Vec::new()
        };
        self.expect("AS", "before the view's query")?;
        let start = self.pos;
        let mut end = self.tokens.len();
        let mut check_option = None;
        let n = end - start;
        let word_back = |k: usize| {
            self.tokens
                .get(end.wrapping_sub(k))
                .map(|t| self.text_of(t))
        };
        if n >= 3
            && word_back(1).is_some_and(|w| w.eq_ignore_ascii_case("OPTION"))
            && word_back(2).is_some_and(|w| w.eq_ignore_ascii_case("CHECK"))
        {
            let level = word_back(3).map(str::to_ascii_uppercase);
            match level.as_deref() {
                Some("CASCADED" | "LOCAL")
                    if word_back(4).is_some_and(|w| w.eq_ignore_ascii_case("WITH")) =>
                {
                    check_option = level;
                    end -= 4;
                }
                Some("WITH") => {
                    check_option = Some(String::new());
                    end -= 3;
                }
                _ => {}
            }
        }
        if end <= start {
            return Err(self.expected("query after AS"));
        }
        self.pos = self.tokens.len();
        Ok(CreateView {
            or_replace: prefix.or_replace,
            algorithm: prefix.algorithm,
            definer: prefix.definer,
            sql_security: prefix.sql_security,
            if_not_exists,
            name,
            columns,
            query: self.expr_of(start, end),
            check_option,
        })
    }

    /// `CREATE PROCEDURE | FUNCTION | TRIGGER | EVENT` after the kind keyword.
    fn create_routine(
        &mut self,
        kind: RoutineKind,
        prefix: CreatePrefix,
    ) -> PResult<CreateRoutine> {
        let keyword = routine_keyword(kind);
        let if_not_exists = self.if_not_exists();
        let name = self.object_name(&format!(
            "{} name after CREATE {keyword}",
            keyword.to_lowercase()
        ))?;
        let mut trigger = None;
        match kind {
            RoutineKind::Trigger => trigger = Some(self.trigger_spec()?),
            RoutineKind::Procedure | RoutineKind::Function => {
                if self.peek_op("(") {
                    self.skip_parens("parameter list")?;
                } else if kind == RoutineKind::Procedure {
                    return Err(
                        self.expected("'(' with the parameter list after the procedure name")
                    );
                }
                if kind == RoutineKind::Function && self.eat("RETURNS") {
                    self.skip_return_type();
                }
                self.skip_routine_characteristics();
            }
            RoutineKind::Event => {
                self.expect("ON", "after the event name")?;
                self.expect("SCHEDULE", "after ON")?;
                while !self.at_end() && !self.peek_is("DO") {
                    self.pos += 1;
                }
                self.expect("DO", "before the event body")?;
            }
        }
        let body = (!self.at_end()).then(|| Span::between(self.current_span().offset, self.end));
        self.pos = self.tokens.len();
        Ok(CreateRoutine {
            kind,
            or_replace: prefix.or_replace,
            definer: prefix.definer,
            if_not_exists,
            name,
            trigger,
            body,
        })
    }

    fn trigger_spec(&mut self) -> PResult<TriggerSpec> {
        let timing = if self.eat("BEFORE") {
            TriggerTiming::Before
        } else if self.eat("AFTER") {
            TriggerTiming::After
        } else {
            return Err(self.expected("BEFORE or AFTER after the trigger name"));
        };
        let mut events = Vec::new();
        loop {
            let event = match self.eat_one_of(&["INSERT", "UPDATE", "DELETE"]) {
                Some("INSERT") => TriggerEvent::Insert,
                Some("UPDATE") => TriggerEvent::Update,
                Some(_) => TriggerEvent::Delete,
                None => return Err(self.expected("INSERT, UPDATE or DELETE in the trigger event")),
            };
            events.push(event);
            if !self.eat("OR") {
                break;
            }
        }
        self.expect("ON", "after the trigger event")?;
        let table = self.object_name("table name after ON")?;
        self.expect("FOR", "after the trigger's table")?;
        self.expect("EACH", "after FOR")?;
        self.expect("ROW", "after FOR EACH")?;
        if self.eat_one_of(&["FOLLOWS", "PRECEDES"]).is_some() {
            self.ident("trigger name after FOLLOWS/PRECEDES")?;
        }
        Ok(TriggerSpec {
            timing,
            events,
            table,
        })
    }

    /// Skips a function's return type (`RETURNS` already consumed).
    fn skip_return_type(&mut self) {
        self.pos += 1;
        if self.peek_op("(") && self.skip_parens("type arguments").is_err() {
            self.pos = self.tokens.len();
        }
        while let Some(word) = self.peek_word_upper() {
            match word.as_str() {
                "UNSIGNED" | "SIGNED" | "ZEROFILL" | "BINARY" | "PRECISION" | "VARYING" => {
                    self.pos += 1
                }
                "CHARACTER" | "CHARSET" | "COLLATE" => {
                    self.pos += if word == "CHARACTER" { 3 } else { 2 };
                }
                _ => break,
            }
        }
    }

    fn skip_routine_characteristics(&mut self) {
        loop {
            let before = self.pos;
            if self.eat("COMMENT") || self.eat("LANGUAGE") || self.eat("SONAME") {
                // The value that follows.
                self.pos += 1;
            } else if self.eat_all(&["NOT", "DETERMINISTIC"])
                || self.eat("DETERMINISTIC")
                || self.eat_all(&["CONTAINS", "SQL"])
                || self.eat_all(&["NO", "SQL"])
                || self.eat_all(&["READS", "SQL", "DATA"])
                || self.eat_all(&["MODIFIES", "SQL", "DATA"])
            {
            } else if self.eat_all(&["SQL", "SECURITY"]) {
                self.pos += 1;
            }
            if self.pos == before {
                return;
            }
        }
    }

    /// `DROP …` (at `DROP`).
    pub(crate) fn drop(&mut self) -> PResult<StatementKind> {
        self.pos = 1;
        let temporary = self.eat("TEMPORARY");
        let object = self.peek_word_upper().unwrap_or_default();
        match object.as_str() {
            "TABLE" | "TABLES" => {
                self.pos += 1;
                let if_exists = self.if_exists();
                let tables = self.object_name_list("table name after DROP TABLE")?;
                let wait = self.lock_wait()?;
                let behavior = self.drop_behavior();
                self.expect_end("DROP TABLE")?;
                Ok(StatementKind::DropTable(DropTable {
                    temporary,
                    if_exists,
                    tables,
                    wait,
                    behavior,
                }))
            }
            _ if temporary => Err(self.expected("TABLE after DROP TEMPORARY")),
            "INDEX" => {
                self.pos += 1;
                let online = match self.eat_one_of(&["ONLINE", "OFFLINE"]) {
                    Some("ONLINE") => Some(OnlineMode::Online),
                    Some(_) => Some(OnlineMode::Offline),
                    None => None,
                };
                let if_exists = self.if_exists();
                let name = self.loose_ident("index name after DROP INDEX")?;
                self.expect("ON", "after the index name")?;
                let table = self.object_name("table name after ON")?;
                let mut drop = DropIndex {
                    online,
                    if_exists,
                    name,
                    table,
                    wait: None,
                    algorithm: None,
                    lock: None,
                };
                loop {
                    if let Some(w) = self.lock_wait()? {
                        drop.wait = Some(w);
                    } else if self.eat("ALGORITHM") {
                        drop.algorithm = Some(self.algorithm_value()?);
                    } else if self.eat("LOCK") {
                        drop.lock = Some(self.lock_value()?);
                    } else {
                        break;
                    }
                }
                self.expect_end("DROP INDEX")?;
                Ok(StatementKind::DropIndex(Box::new(drop)))
            }
            "VIEW" => {
                self.pos += 1;
                let if_exists = self.if_exists();
                let views = self.object_name_list("view name after DROP VIEW")?;
                let behavior = self.drop_behavior();
                self.expect_end("DROP VIEW")?;
                Ok(StatementKind::DropView(DropView {
                    if_exists,
                    views,
                    behavior,
                }))
            }
            "PROCEDURE" | "FUNCTION" | "TRIGGER" | "EVENT" => {
                self.pos += 1;
                let kind = routine_kind(&object);
                let if_exists = self.if_exists();
                let name = self.object_name(&format!("name after DROP {object}"))?;
                self.expect_end(&format!("DROP {object}"))?;
                Ok(StatementKind::DropRoutine(Box::new(DropRoutine {
                    kind,
                    if_exists,
                    name,
                })))
            }
            "DATABASE" | "SCHEMA" => {
                self.pos += 1;
                let if_exists = self.if_exists();
                let name = self.ident(&format!("database name after DROP {object}"))?;
                self.expect_end(&format!("DROP {object}"))?;
                Ok(StatementKind::DropDatabase(DropDatabase {
                    if_exists,
                    name,
                }))
            }
            "USER" => {
                self.pos += 1;
                let if_exists = self.if_exists();
                let mut statement = self.user_list()?;
                statement.if_exists = if_exists;
                Ok(StatementKind::DropUser(statement))
            }
            "" => Err(self.expected("object type after DROP")),
            _ => Ok(self.other()),
        }
    }

    fn drop_behavior(&mut self) -> Option<DropBehavior> {
        match self.eat_one_of(&["RESTRICT", "CASCADE"]) {
            Some("RESTRICT") => Some(DropBehavior::Restrict),
            Some(_) => Some(DropBehavior::Cascade),
            None => None,
        }
    }

    /// `RENAME TABLE …` (at `RENAME`).
    pub(crate) fn rename_table(&mut self) -> PResult<RenameTable> {
        self.pos = 1;
        if self.eat_one_of(&["TABLE", "TABLES"]).is_none() {
            return Err(self.expected("TABLE after RENAME"));
        }
        let if_exists = self.if_exists();
        let mut wait = None;
        let mut renames = Vec::new();
        loop {
            let from = self.object_name("table name after RENAME TABLE")?;
            if let Some(w) = self.lock_wait()? {
                wait = Some(w);
            }
            self.expect("TO", "after the table name in RENAME TABLE")?;
            let to = self.object_name("new table name after TO")?;
            renames.push(TableRename { from, to });
            if !self.eat_op(",") {
                break;
            }
        }
        self.expect_end("RENAME TABLE")?;
        Ok(RenameTable {
            if_exists,
            wait,
            renames,
        })
    }

    /// `TRUNCATE [TABLE] t` (at `TRUNCATE`).
    pub(crate) fn truncate(&mut self) -> PResult<TruncateTable> {
        self.pos = 1;
        self.eat("TABLE");
        let table = self.object_name("table name after TRUNCATE")?;
        let wait = self.lock_wait()?;
        self.expect_end("TRUNCATE TABLE")?;
        Ok(TruncateTable { table, wait })
    }

    /// `OPTIMIZE | ANALYZE | CHECK | REPAIR | CHECKSUM TABLE …`; `None` if `TABLE` does not
    /// follow (such as MariaDB's `ANALYZE SELECT …`).
    pub(crate) fn table_maintenance(&mut self) -> PResult<Option<TableMaintenance>> {
        let operation = match self.peek_word_upper().as_deref() {
            Some("OPTIMIZE") => MaintenanceOperation::Optimize,
            Some("ANALYZE") => MaintenanceOperation::Analyze,
            Some("CHECK") => MaintenanceOperation::Check,
            Some("REPAIR") => MaintenanceOperation::Repair,
            _ => MaintenanceOperation::Checksum,
        };
        self.pos = 1;
        let no_write_to_binlog = self.eat_one_of(&["NO_WRITE_TO_BINLOG", "LOCAL"]).is_some();
        if self.eat_one_of(&["TABLE", "TABLES"]).is_none() {
            return Ok(None);
        }
        let tables = self.object_name_list("table name")?;
        // Trailing options (QUICK, EXTENDED, PERSISTENT FOR …, UPDATE HISTOGRAM …) are opaque.
        self.pos = self.tokens.len();
        Ok(Some(TableMaintenance {
            operation,
            no_write_to_binlog,
            tables,
        }))
    }
}

fn routine_kind(keyword: &str) -> RoutineKind {
    match keyword {
        "PROCEDURE" => RoutineKind::Procedure,
        "FUNCTION" => RoutineKind::Function,
        "TRIGGER" => RoutineKind::Trigger,
        _ => RoutineKind::Event,
    }
}

fn routine_keyword(kind: RoutineKind) -> &'static str {
    match kind {
        RoutineKind::Procedure => "PROCEDURE",
        RoutineKind::Function => "FUNCTION",
        RoutineKind::Trigger => "TRIGGER",
        RoutineKind::Event => "EVENT",
    }
}
