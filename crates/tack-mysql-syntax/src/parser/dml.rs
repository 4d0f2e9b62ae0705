//! Data manipulation at the level a migration linter needs: `INSERT`/`REPLACE` (table,
//! columns, row source), `UPDATE` and `DELETE` (tables, assignments, `WHERE` shape, `ORDER BY`,
//! `LIMIT`), `CALL`, and `SELECT` kept opaque.

use super::ast::{
    Assignment, Call, Delete, Insert, InsertSource, ObjectName, Query, TableRef, Update,
};
use super::cursor::{PResult, Parser};
use super::expr::where_shape;
use super::lexer::{Token, TokenKind};

/// Words that start a join.
const JOIN_WORDS: &[&str] = &[
    "JOIN",
    "INNER",
    "CROSS",
    "LEFT",
    "RIGHT",
    "NATURAL",
    "STRAIGHT_JOIN",
];

impl<'a> Parser<'a> {
    /// `INSERT …` / `REPLACE …` (at the keyword).
    pub(crate) fn insert(&mut self) -> PResult<Insert> {
        let replace = self.peek_is("REPLACE");
        self.pos = 1;
        let priority = self
            .eat_one_of(&["LOW_PRIORITY", "DELAYED", "HIGH_PRIORITY"])
            .map(str::to_owned);
        let ignore = self.eat("IGNORE");
        self.eat("INTO");
        let table = self.object_name("table name after INTO")?;
        if self.eat("PARTITION") {
            self.skip_parens("partition names")?;
        }
        let mut columns = Vec::new();
        if self.peek_op("(") && !self.nth_is(1, "SELECT") && !self.nth_is(1, "WITH") {
            if self.nth_op(1, ")") {
                self.pos += 2;
            } else {
                columns = self.ident_list("column name", "with the column list")?;
            }
        }
        let source = if self.peek_is("VALUES") || self.peek_is("VALUE") {
            self.pos += 1;
            let start = self.pos;
            let mut rows = 0;
            loop {
                self.eat("ROW");
                self.skip_parens("row values")?;
                rows += 1;
                if !self.eat_op(",") {
                    break;
                }
            }
            InsertSource::Values {
                rows,
                expr: self.expr_of(start, self.pos),
            }
        } else if self.eat("SET") {
            InsertSource::Set(self.assignments(&["ON", "RETURNING"])?)
        } else if self.peek_is("TABLE") {
            self.pos += 1;
            InsertSource::Table(self.object_name("table name after TABLE")?)
        } else if self.peek_is("SELECT") || self.peek_is("WITH") || self.peek_op("(") {
            let start = self.pos;
            let end = self.find_on_duplicate().unwrap_or(self.tokens.len());
            self.pos = end;
            InsertSource::Select(self.expr_of(start, end))
        } else {
            return Err(self.expected("VALUES, SELECT, SET or TABLE after the insert target"));
        };
        if self.eat("AS") {
            self.ident("row alias after AS")?;
            if self.peek_op("(") {
                self.ident_list("column alias", "after the row alias")?;
            }
        }
        let on_duplicate_key_update = if self.eat_all(&["ON", "DUPLICATE", "KEY", "UPDATE"]) {
            Some(self.assignments(&["RETURNING"])?)
        } else {
            None
        };
        if self.eat("RETURNING") {
            self.pos = self.tokens.len();
        }
        self.expect_end(if replace { "REPLACE" } else { "INSERT" })?;
        Ok(Insert {
            replace,
            ignore,
            priority,
            table,
            columns,
            source,
            on_duplicate_key_update,
        })
    }

    /// Index of a depth-0 `ON DUPLICATE KEY UPDATE` from the cursor.
    fn find_on_duplicate(&self) -> Option<usize> {
        let mut depth = 0usize;
        for i in self.pos..self.tokens.len() {
            let t = &self.tokens[i];
            if self.is_op(t, "(") {
                depth += 1;
            } else if self.is_op(t, ")") {
                depth = depth.saturating_sub(1);
            } else if depth == 0
                && self.token_is(t, "ON")
                && self
                    .tokens
                    .get(i + 1)
                    .is_some_and(|n| self.token_is(n, "DUPLICATE"))
            {
                return Some(i);
            }
        }
        None
    }

    /// `[t.]col = expr, …` up to a depth-0 word in `stop_words`.
    fn assignments(&mut self, stop_words: &[&str]) -> PResult<Vec<Assignment>> {
        let mut out = Vec::new();
        loop {
            let start = self.pos;
            let first = self.ident("column name in assignment")?;
            let (qualifier, column) = if self.eat_op(".") {
                let second = self.dotted_part("column name after '.'")?;
                if self.eat_op(".") {
                    (Some(second), self.dotted_part("column name after '.'")?)
                } else {
                    (Some(first), second)
                }
            } else {
                (None, first)
            };
            if !self.eat_op("=") && !self.eat_op(":=") {
                return Err(self.expected(&format!("'=' after column {}", column.value)));
            }
            let Some(value) = self.expr_until(true, stop_words) else {
                return Err(self.expected(&format!("value for column {}", column.value)));
            };
            out.push(Assignment {
                qualifier,
                column,
                value,
                span: self.span_from(start),
            });
            if !self.eat_op(",") {
                return Ok(out);
            }
        }
    }

    /// `UPDATE …` (at `UPDATE`).
    pub(crate) fn update(&mut self) -> PResult<Update> {
        self.pos = 1;
        let mut low_priority = false;
        let mut ignore = false;
        loop {
            if self.eat("LOW_PRIORITY") {
                low_priority = true;
            } else if self.eat("IGNORE") {
                ignore = true;
            } else {
                break;
            }
        }
        let tables = self.table_references()?;
        self.expect("SET", "after the tables of UPDATE")?;
        let assignments = self.assignments(&["WHERE", "ORDER", "LIMIT"])?;
        let (where_clause, where_tokens) = self.where_clause(&["ORDER", "LIMIT"])?;
        let where_shape = where_shape(self.text, where_tokens);
        let order_by = self.order_by()?;
        let limit = self.limit()?;
        self.expect_end("UPDATE")?;
        Ok(Update {
            low_priority,
            ignore,
            tables,
            assignments,
            where_clause,
            where_shape,
            order_by,
            limit,
        })
    }

    /// `WHERE cond` if present: the expression and its tokens.
    fn where_clause(
        &mut self,
        stop_words: &[&str],
    ) -> PResult<(Option<super::ast::Expr>, Option<&'a [Token]>)> {
        if !self.eat("WHERE") {
            return Ok((None, None));
        }
        let start = self.pos;
        let Some(expr) = self.expr_until(false, stop_words) else {
            return Err(self.expected("condition after WHERE"));
        };
        Ok((Some(expr), self.tokens.get(start..self.pos)))
    }

    fn order_by(&mut self) -> PResult<Option<super::ast::Expr>> {
        if !self.eat("ORDER") {
            return Ok(None);
        }
        self.expect("BY", "after ORDER")?;
        match self.expr_until(false, &["LIMIT", "RETURNING"]) {
            Some(expr) => Ok(Some(expr)),
            None => Err(self.expected("expression after ORDER BY")),
        }
    }

    fn limit(&mut self) -> PResult<Option<super::ast::Expr>> {
        if !self.eat("LIMIT") {
            return Ok(None);
        }
        match self.expr_until(false, &["RETURNING"]) {
            Some(expr) => Ok(Some(expr)),
            None => Err(self.expected("row count after LIMIT")),
        }
    }

    /// Table references with joins: `t [AS] a JOIN u ON … , v`.
    fn table_references(&mut self) -> PResult<Vec<TableRef>> {
        let mut tables = Vec::new();
        self.table_factor(&mut tables)?;
        loop {
            if self.eat_op(",") {
                self.table_factor(&mut tables)?;
                continue;
            }
            if !self.peek_join() {
                return Ok(tables);
            }
            while self.peek_join() || self.peek_is("OUTER") {
                self.pos += 1;
            }
            self.table_factor(&mut tables)?;
            if self.eat("ON") {
                let mut stop: Vec<&str> = JOIN_WORDS.to_vec();
                stop.extend(["SET", "WHERE", "ORDER", "LIMIT", "USING"]);
                if self.expr_until(true, &stop).is_none() {
                    return Err(self.expected("join condition after ON"));
                }
            } else if self.eat("USING") {
                self.ident_list("column name", "after USING")?;
            }
        }
    }

    fn peek_join(&self) -> bool {
        JOIN_WORDS.iter().any(|w| self.peek_is(w))
    }

    fn table_factor(&mut self, tables: &mut Vec<TableRef>) -> PResult<()> {
        let start = self.pos;
        if self.peek_op("(") {
            if self.nth_is(1, "SELECT") || self.nth_is(1, "WITH") {
                let derived = self.paren_expr("derived table query")?;
                self.eat("AS");
                let alias = if self.peek_ident() {
                    Some(self.ident("alias")?)
                } else {
                    None
                };
                tables.push(TableRef {
                    name: None,
                    derived: Some(derived),
                    alias,
                    span: self.span_from(start),
                });
                return Ok(());
            }
            self.pos += 1;
            let inner = self.table_references()?;
            tables.extend(inner);
            self.expect_op(")", "after the parenthesised tables")?;
            return Ok(());
        }
        let name = self.object_name("table name")?;
        if self.eat("PARTITION") {
            self.skip_parens("partition names")?;
        }
        let explicit_alias = self.eat("AS");
        let alias = if explicit_alias || self.peek_ident() {
            Some(self.ident("alias after AS")?)
        } else {
            None
        };
        // Index hints: {USE|IGNORE|FORCE} {INDEX|KEY} [FOR …] (…).
        while (self.peek_is("USE") || self.peek_is("IGNORE") || self.peek_is("FORCE"))
            && (self.nth_is(1, "INDEX") || self.nth_is(1, "KEY"))
        {
            self.pos += 2;
            if self.eat("FOR") {
                if self.eat("JOIN") {
                } else {
                    self.eat_one_of(&["ORDER", "GROUP"]);
                    self.expect("BY", "in the index hint")?;
                }
            }
            self.skip_parens("index hint")?;
        }
        tables.push(TableRef {
            name: Some(name),
            derived: None,
            alias,
            span: self.span_from(start),
        });
        Ok(())
    }

    /// `DELETE …` (at `DELETE`).
    pub(crate) fn delete(&mut self) -> PResult<Delete> {
        self.pos = 1;
        let mut delete = Delete {
            low_priority: false,
            quick: false,
            ignore: false,
            targets: Vec::new(),
            tables: Vec::new(),
            multi_table: false,
            where_clause: None,
            where_shape: super::ast::WhereShape::Absent,
            order_by: None,
            limit: None,
        };
        loop {
            if self.eat("LOW_PRIORITY") {
                delete.low_priority = true;
            } else if self.eat("QUICK") {
                delete.quick = true;
            } else if self.eat("IGNORE") {
                delete.ignore = true;
            } else {
                break;
            }
        }
        if self.eat("FROM") {
            let after_from = self.pos;
            let targets = self.delete_targets();
            if targets.is_ok() && self.eat("USING") {
                delete.targets = targets?;
                delete.tables = self.table_references()?;
                delete.multi_table = true;
            } else {
                self.pos = after_from;
                delete.tables = self.table_references()?;
                delete.multi_table = delete.tables.len() > 1;
                delete.targets = delete
                    .tables
                    .iter()
                    .filter_map(|t| t.name.clone())
                    .collect();
            }
        } else {
            delete.targets = self.delete_targets()?;
            self.expect("FROM", "after the tables to delete from")?;
            delete.tables = self.table_references()?;
            delete.multi_table = true;
        }
        let (where_clause, where_tokens) = self.where_clause(&["ORDER", "LIMIT", "RETURNING"])?;
        delete.where_clause = where_clause;
        delete.where_shape = where_shape(self.text, where_tokens);
        delete.order_by = self.order_by()?;
        delete.limit = self.limit()?;
        if self.eat("RETURNING") {
            self.pos = self.tokens.len();
        }
        self.expect_end("DELETE")?;
        Ok(delete)
    }

    /// `t1[.*], db.t2[.*], …`.
    fn delete_targets(&mut self) -> PResult<Vec<ObjectName>> {
        let mut targets = Vec::new();
        loop {
            let start = self.pos;
            let first = self.ident("table name")?;
            let mut name = ObjectName {
                span: first.span,
                schema: None,
                name: first,
            };
            if self.peek_op(".") && !self.nth_op(1, "*") {
                self.pos += 1;
                let second = self.dotted_part("table name after '.'")?;
                name = ObjectName {
                    schema: Some(name.name),
                    name: second,
                    span: self.span_from(start),
                };
            }
            if self.peek_op(".") && self.nth_op(1, "*") {
                self.pos += 2;
            }
            targets.push(name);
            if !self.eat_op(",") {
                return Ok(targets);
            }
        }
    }

    /// `CALL p[(args)]` (at `CALL`).
    pub(crate) fn call(&mut self) -> PResult<Call> {
        self.pos = 1;
        let procedure = self.object_name("procedure name after CALL")?;
        let mut arguments = Vec::new();
        if self.eat_op("(") && !self.eat_op(")") {
            loop {
                match self.expr_until(true, &[]) {
                    Some(expr) => arguments.push(expr),
                    None => return Err(self.expected("argument")),
                }
                if self.eat_op(",") {
                    continue;
                }
                self.expect_op(")", "after the arguments")?;
                break;
            }
        }
        self.expect_end("CALL")?;
        Ok(Call {
            procedure,
            arguments,
        })
    }

    /// A query statement, kept opaque.
    pub(crate) fn query(&mut self) -> Query {
        let mut depth = 0usize;
        let mut locking_read = false;
        let mut into = false;
        for (i, t) in self.tokens.iter().enumerate() {
            match t.kind {
                TokenKind::Operator if self.is_op(t, "(") => depth += 1,
                TokenKind::Operator if self.is_op(t, ")") => depth = depth.saturating_sub(1),
                TokenKind::Word if depth == 0 => {
                    let next_is =
                        |kw: &str| self.tokens.get(i + 1).is_some_and(|n| self.token_is(n, kw));
                    if self.token_is(t, "INTO") {
                        into = true;
                    } else if self.token_is(t, "FOR") && (next_is("UPDATE") || next_is("SHARE"))
                        || self.token_is(t, "LOCK") && next_is("IN")
                    {
                        locking_read = true;
                    }
                }
                _ => {}
            }
        }
        self.pos = self.tokens.len();
        Query {
            expr: self.expr_of(0, self.tokens.len()),
            locking_read,
            into,
        }
    }
}
