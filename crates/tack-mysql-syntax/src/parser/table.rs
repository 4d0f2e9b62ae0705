//! `CREATE TABLE` and the pieces `ALTER TABLE` shares with it: column definitions, data
//! types, index and key definitions, foreign keys, check constraints, table options and
//! `PARTITION BY`.

use super::ast::{
    CheckConstraint, ColumnDef, ColumnDefault, CreateTable, DataType, DefaultKind, ForeignKeyDef,
    GeneratedColumn, GeneratedStorage, Ident, IndexDef, IndexKind, IndexOptions, IndexType,
    IndexVisibility, InlineKey, KeyPart, PartitionBy, References, ReferentialAction, SortOrder,
    TableOption,
};
use super::cursor::{describe, PResult, Parser};
use super::lexer::{identifier_value, TokenKind};
use super::span::Span;

/// Table options recognised without `=` (with `=`, any name is accepted).
const TABLE_OPTION_NAMES: &[&str] = &[
    "AUTOEXTEND_SIZE",
    "AUTO_INCREMENT",
    "AVG_ROW_LENGTH",
    "CHECKSUM",
    "COMMENT",
    "COMPRESSION",
    "CONNECTION",
    "DELAY_KEY_WRITE",
    "ENCRYPTED",
    "ENCRYPTION",
    "ENCRYPTION_KEY_ID",
    "ENGINE",
    "ENGINE_ATTRIBUTE",
    "IETF_QUOTES",
    "INSERT_METHOD",
    "KEY_BLOCK_SIZE",
    "MAX_ROWS",
    "MIN_ROWS",
    "PACK_KEYS",
    "PAGE_CHECKSUM",
    "PAGE_COMPRESSED",
    "PAGE_COMPRESSION_LEVEL",
    "PASSWORD",
    "ROW_FORMAT",
    "SECONDARY_ENGINE",
    "SECONDARY_ENGINE_ATTRIBUTE",
    "SEQUENCE",
    "STATS_AUTO_RECALC",
    "STATS_PERSISTENT",
    "STATS_SAMPLE_PAGES",
    "TABLE_CHECKSUM",
    "TRANSACTIONAL",
    "TYPE",
];

/// Binary operators that continue an unparenthesised `DEFAULT` expression.
const BINARY_OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "||", "&&", "|", "&", "^", "<<", ">>", "=", "<>", "!=", "<", ">",
    "<=", ">=", "<=>", "->", "->>",
];

/// Canonical lower-case name of a one-word data type, with its implied length.
fn data_type_name(upper: &str) -> Option<(&'static str, Option<u64>)> {
    let name = match upper {
        "BIT" => "bit",
        "TINYINT" | "INT1" => "tinyint",
        "BOOL" | "BOOLEAN" => return Some(("tinyint", Some(1))),
        "SMALLINT" | "INT2" => "smallint",
        "MEDIUMINT" | "INT3" | "MIDDLEINT" => "mediumint",
        "INT" | "INTEGER" | "INT4" => "int",
        "BIGINT" | "INT8" | "SERIAL" => "bigint",
        "DECIMAL" | "DEC" | "NUMERIC" | "FIXED" => "decimal",
        "FLOAT" | "FLOAT4" => "float",
        "DOUBLE" | "REAL" | "FLOAT8" => "double",
        "DATE" => "date",
        "TIME" => "time",
        "DATETIME" => "datetime",
        "TIMESTAMP" => "timestamp",
        "YEAR" => "year",
        "CHAR" | "CHARACTER" | "NCHAR" => "char",
        "VARCHAR" | "VARCHARACTER" | "NVARCHAR" => "varchar",
        "BINARY" => "binary",
        "VARBINARY" => "varbinary",
        "TINYBLOB" => "tinyblob",
        "BLOB" => "blob",
        "MEDIUMBLOB" => "mediumblob",
        "LONGBLOB" => "longblob",
        "TINYTEXT" => "tinytext",
        "TEXT" => "text",
        "MEDIUMTEXT" | "LONG" => "mediumtext",
        "LONGTEXT" => "longtext",
        "ENUM" => "enum",
        "SET" => "set",
        "JSON" => "json",
        "GEOMETRY" => "geometry",
        "POINT" => "point",
        "LINESTRING" => "linestring",
        "POLYGON" => "polygon",
        "MULTIPOINT" => "multipoint",
        "MULTILINESTRING" => "multilinestring",
        "MULTIPOLYGON" => "multipolygon",
        "GEOMETRYCOLLECTION" | "GEOMCOLLECTION" => "geometrycollection",
        "UUID" => "uuid",
        "INET4" => "inet4",
        "INET6" => "inet6",
        "VECTOR" => "vector",
        _ => return None,
    };
    Some((name, None))
}

impl<'a> Parser<'a> {
    /// `CREATE … TABLE` after the `TABLE` keyword.
    pub(crate) fn create_table(
        &mut self,
        or_replace: bool,
        temporary: bool,
    ) -> PResult<CreateTable> {
        let if_not_exists = self.if_not_exists();
        let name = self.object_name("table name after CREATE TABLE")?;
        let mut table = CreateTable {
            or_replace,
            temporary,
            if_not_exists,
            name,
            columns: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            checks: Vec::new(),
            like: None,
            options: Vec::new(),
            partition_by: None,
            query: None,
        };
        if self.eat("LIKE") {
            table.like = Some(self.object_name("table name after LIKE")?);
            self.expect_end("CREATE TABLE … LIKE")?;
            return Ok(table);
        }
        if self.peek_op("(") && self.nth_is(1, "LIKE") {
            self.pos += 2;
            table.like = Some(self.object_name("table name after LIKE")?);
            self.expect_op(")", "after CREATE TABLE (LIKE …")?;
            self.expect_end("CREATE TABLE (LIKE …)")?;
            return Ok(table);
        }
        if self.peek_op("(") && !self.nth_is(1, "SELECT") && !self.nth_is(1, "WITH") {
            self.table_elements(&mut table)?;
        }
        table.options = self.table_options()?;
        if self.peek_are(&["PARTITION", "BY"]) {
            table.partition_by = Some(self.partition_by()?);
        }
        let query_start = self.pos;
        self.eat_one_of(&["IGNORE", "REPLACE"]);
        self.eat("AS");
        if self.peek_is("SELECT")
            || self.peek_is("WITH")
            || self.peek_is("VALUES")
            || self.peek_is("TABLE")
            || self.peek_op("(")
        {
            let start = self.pos;
            self.pos = self.tokens.len();
            table.query = Some(self.expr_of(start, self.pos));
            return Ok(table);
        }
        if self.pos != query_start {
            return Err(self.expected("SELECT after AS in CREATE TABLE"));
        }
        let what = if table.columns.is_empty() && table.like.is_none() {
            "'(' with column definitions, table option, PARTITION BY or AS SELECT after table name"
        } else {
            "table option, PARTITION BY or end of statement after table definition"
        };
        if !self.at_end() {
            return Err(self.expected(what));
        }
        if table.columns.is_empty() && table.query.is_none() {
            return Err(self.expected("'(' with column definitions after table name"));
        }
        Ok(table)
    }

    /// `( element, … )` of `CREATE TABLE`.
    fn table_elements(&mut self, table: &mut CreateTable) -> PResult<()> {
        self.expect_op("(", "after table name")?;
        loop {
            self.table_element(table)?;
            if self.eat_op(",") {
                continue;
            }
            if self.eat_op(")") {
                return Ok(());
            }
            return Err(self.expected("',' or ')' after table element"));
        }
    }

    fn table_element(&mut self, table: &mut CreateTable) -> PResult<()> {
        if self.peek_are(&["PERIOD", "FOR"]) {
            self.pos += 2;
            self.loose_ident("period name after PERIOD FOR")?;
            self.skip_parens("period columns")?;
            return Ok(());
        }
        match self.table_constraint()? {
            Some(TableConstraint::Index(index)) => table.indexes.push(index),
            Some(TableConstraint::ForeignKey(fk)) => table.foreign_keys.push(fk),
            Some(TableConstraint::Check(check)) => table.checks.push(check),
            None => {
                let column = self.column_def("column definition or constraint in CREATE TABLE")?;
                table.columns.push(column);
            }
        }
        Ok(())
    }

    /// An index, key or constraint definition if one comes next (`None` for a column).
    pub(crate) fn table_constraint(&mut self) -> PResult<Option<TableConstraint>> {
        let start = self.pos;
        let mut constraint_name = None;
        if self.eat("CONSTRAINT") {
            let named = self.peek_ident()
                && !self.peek_is("PRIMARY")
                && !self.peek_is("UNIQUE")
                && !self.peek_is("FOREIGN")
                && !self.peek_is("CHECK");
            if named {
                constraint_name = Some(self.ident("constraint name")?);
            }
            if !(self.peek_is("PRIMARY")
                || self.peek_is("UNIQUE")
                || self.peek_is("FOREIGN")
                || self.peek_is("CHECK"))
            {
                return Err(
                    self.expected("PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK after CONSTRAINT")
                );
            }
        }
        let Some(word) = self.peek_word_upper() else {
            return Ok(None);
        };
        let constraint = match word.as_str() {
            "PRIMARY" => {
                self.pos += 1;
                self.expect("KEY", "after PRIMARY")?;
                TableConstraint::Index(self.index_body(
                    IndexKind::Primary,
                    constraint_name,
                    start,
                )?)
            }
            "UNIQUE" => {
                self.pos += 1;
                self.eat_one_of(&["INDEX", "KEY"]);
                TableConstraint::Index(self.index_body(
                    IndexKind::Unique,
                    constraint_name,
                    start,
                )?)
            }
            "INDEX" | "KEY" => {
                self.pos += 1;
                TableConstraint::Index(self.index_body(IndexKind::Index, None, start)?)
            }
            "FULLTEXT" | "SPATIAL" => {
                self.pos += 1;
                self.eat_one_of(&["INDEX", "KEY"]);
                let kind = if word == "FULLTEXT" {
                    IndexKind::Fulltext
                } else {
                    IndexKind::Spatial
                };
                TableConstraint::Index(self.index_body(kind, None, start)?)
            }
            "FOREIGN" => {
                self.pos += 1;
                self.expect("KEY", "after FOREIGN")?;
                TableConstraint::ForeignKey(self.foreign_key_body(constraint_name, start)?)
            }
            "CHECK" if self.nth_op(1, "(") => {
                self.pos += 1;
                TableConstraint::Check(self.check_body(constraint_name, start)?)
            }
            _ => return Ok(None),
        };
        Ok(Some(constraint))
    }

    /// After `PRIMARY KEY`, `UNIQUE [KEY]`, `INDEX`…: `[IF NOT EXISTS] [name] [USING t] (parts)
    /// [options]`.
    pub(crate) fn index_body(
        &mut self,
        kind: IndexKind,
        constraint_name: Option<Ident>,
        start: usize,
    ) -> PResult<IndexDef> {
        let if_not_exists = self.if_not_exists();
        let mut options = IndexOptions::default();
        let index_type_next = |p: &Self| {
            (p.peek_is("USING") || p.peek_is("TYPE"))
                && ["BTREE", "HASH", "RTREE"].iter().any(|t| p.nth_is(1, t))
        };
        let name = if !self.peek_op("(") && !index_type_next(self) {
            Some(self.ident("index name or '(' with key parts")?)
        } else {
            None
        };
        if index_type_next(self) {
            self.index_option(&mut options)?;
        }
        let parts = self.key_parts()?;
        while self.index_option(&mut options)? {}
        Ok(IndexDef {
            kind,
            name,
            constraint_name,
            if_not_exists,
            parts,
            options,
            span: self.span_from(start),
        })
    }

    /// `( key_part, … )`.
    pub(crate) fn key_parts(&mut self) -> PResult<Vec<KeyPart>> {
        self.expect_op("(", "with the indexed columns")?;
        let mut parts = Vec::new();
        loop {
            let start = self.pos;
            let (column, expr) = if self.peek_op("(") {
                (None, Some(self.paren_expr("key part expression")?))
            } else {
                (Some(self.ident("column name in key part")?), None)
            };
            let prefix_length = if column.is_some() && self.eat_op("(") {
                let n = self.number("prefix length")?;
                self.expect_op(")", "after prefix length")?;
                Some(n)
            } else {
                None
            };
            let order = match self.eat_one_of(&["ASC", "DESC"]) {
                Some("ASC") => Some(SortOrder::Asc),
                Some(_) => Some(SortOrder::Desc),
                None => None,
            };
            parts.push(KeyPart {
                column,
                expr,
                prefix_length,
                order,
                span: self.span_from(start),
            });
            if self.eat_op(",") {
                continue;
            }
            self.expect_op(")", "or ',' after key part")?;
            return Ok(parts);
        }
    }

    /// One index option, if one comes next.
    pub(crate) fn index_option(&mut self, options: &mut IndexOptions) -> PResult<bool> {
        let Some(word) = self.peek_word_upper() else {
            return Ok(false);
        };
        match word.as_str() {
            "USING" | "TYPE" => {
                self.pos += 1;
                options.using = Some(match self.peek_word_upper().as_deref() {
                    Some("BTREE") => IndexType::Btree,
                    Some("HASH") => IndexType::Hash,
                    Some("RTREE") => IndexType::Rtree,
                    _ => return Err(self.expected(&format!("BTREE, HASH or RTREE after {word}"))),
                });
                self.pos += 1;
            }
            "KEY_BLOCK_SIZE" => {
                self.pos += 1;
                self.eat_op("=");
                options.key_block_size = Some(self.number("size after KEY_BLOCK_SIZE")?);
            }
            "COMMENT" => {
                self.pos += 1;
                self.eat_op("=");
                options.comment = Some(self.string("string after COMMENT")?);
            }
            "VISIBLE" => {
                self.pos += 1;
                options.visibility = Some(IndexVisibility::Visible);
            }
            "INVISIBLE" => {
                self.pos += 1;
                options.visibility = Some(IndexVisibility::Invisible);
            }
            "IGNORED" => {
                self.pos += 1;
                options.visibility = Some(IndexVisibility::Ignored);
            }
            "NOT" if self.nth_is(1, "IGNORED") => {
                self.pos += 2;
                options.visibility = Some(IndexVisibility::NotIgnored);
            }
            "WITH" if self.nth_is(1, "PARSER") => {
                self.pos += 2;
                options.parser = Some(self.name_value("parser name after WITH PARSER")?);
            }
            "ENGINE_ATTRIBUTE" | "SECONDARY_ENGINE_ATTRIBUTE" | "CLUSTERING" => {
                let start = self.pos;
                self.pos += 1;
                self.eat_op("=");
                let value = self.option_value(&format!("value of {word}"))?;
                options.other.push(TableOption {
                    name: word,
                    value,
                    span: self.span_from(start),
                });
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// After `FOREIGN KEY`: `[IF NOT EXISTS] [name] (cols) REFERENCES …`.
    pub(crate) fn foreign_key_body(
        &mut self,
        constraint_name: Option<Ident>,
        start: usize,
    ) -> PResult<ForeignKeyDef> {
        let if_not_exists = self.if_not_exists();
        let index_name = if self.peek_op("(") {
            None
        } else {
            Some(self.ident("foreign key name or '(' with columns after FOREIGN KEY")?)
        };
        let columns = self.ident_list("column name", "with the foreign key columns")?;
        if !self.peek_is("REFERENCES") {
            return Err(self.expected("REFERENCES after FOREIGN KEY columns"));
        }
        let references = self.references()?;
        Ok(ForeignKeyDef {
            constraint_name,
            index_name,
            if_not_exists,
            columns,
            references,
            span: self.span_from(start),
        })
    }

    /// `REFERENCES t (cols) [MATCH …] [ON DELETE …] [ON UPDATE …]`.
    pub(crate) fn references(&mut self) -> PResult<References> {
        let start = self.pos;
        self.expect("REFERENCES", "")?;
        let table = self.object_name("table name after REFERENCES")?;
        let columns = if self.peek_op("(") {
            self.key_parts()?
                .into_iter()
                .filter_map(|part| part.column)
                .collect()
        } else {
            Vec::new()
        };
        let mut references = References {
            table,
            columns,
            match_type: None,
            on_delete: None,
            on_update: None,
            span: Span::default(),
        };
        loop {
            if self.eat("MATCH") {
                references.match_type = Some(
                    self.eat_one_of(&["FULL", "PARTIAL", "SIMPLE"])
                        .ok_or_else(|| self.expected("FULL, PARTIAL or SIMPLE after MATCH"))?
                        .to_owned(),
                );
            } else if self.peek_are(&["ON", "DELETE"]) {
                self.pos += 2;
                references.on_delete = Some(self.referential_action("ON DELETE")?);
            } else if self.peek_are(&["ON", "UPDATE"]) {
                self.pos += 2;
                references.on_update = Some(self.referential_action("ON UPDATE")?);
            } else {
                break;
            }
        }
        references.span = self.span_from(start);
        Ok(references)
    }

    fn referential_action(&mut self, after: &str) -> PResult<ReferentialAction> {
        let action = if self.eat("RESTRICT") {
            ReferentialAction::Restrict
        } else if self.eat("CASCADE") {
            ReferentialAction::Cascade
        } else if self.eat_all(&["SET", "NULL"]) {
            ReferentialAction::SetNull
        } else if self.eat_all(&["SET", "DEFAULT"]) {
            ReferentialAction::SetDefault
        } else if self.eat_all(&["NO", "ACTION"]) {
            ReferentialAction::NoAction
        } else {
            return Err(self.expected(&format!(
                "RESTRICT, CASCADE, SET NULL, SET DEFAULT or NO ACTION after {after}"
            )));
        };
        Ok(action)
    }

    /// After `CHECK`: `(expr) [[NOT] ENFORCED]`.
    pub(crate) fn check_body(
        &mut self,
        name: Option<Ident>,
        start: usize,
    ) -> PResult<CheckConstraint> {
        let expr = self.paren_expr("check expression")?;
        let enforced = if self.eat("ENFORCED") {
            Some(true)
        } else if self.eat_all(&["NOT", "ENFORCED"]) {
            Some(false)
        } else {
            None
        };
        Ok(CheckConstraint {
            name,
            expr,
            enforced,
            span: self.span_from(start),
        })
    }

    // ----- columns -----

    /// `name data_type [attributes]`; `what` describes the expected definition for errors.
    pub(crate) fn column_def(&mut self, what: &str) -> PResult<ColumnDef> {
        let start = self.pos;
        let name = self.ident(what)?;
        self.column_def_after_name(name, start)
    }

    /// The data type and attributes of a column whose name was read.
    pub(crate) fn column_def_after_name(
        &mut self,
        name: Ident,
        start: usize,
    ) -> PResult<ColumnDef> {
        let data_type = self.data_type(&name)?;
        let mut column = ColumnDef {
            name,
            data_type,
            nullable: None,
            default: None,
            on_update: None,
            auto_increment: false,
            key: None,
            comment: None,
            invisible: false,
            generated: None,
            checks: Vec::new(),
            references: None,
            column_format: None,
            storage: None,
            srid: None,
            compressed: false,
            system_versioning: None,
            span: Span::default(),
        };
        while self.column_attribute(&mut column)? {}
        column.span = self.span_from(start);
        Ok(column)
    }

    fn column_attribute(&mut self, column: &mut ColumnDef) -> PResult<bool> {
        let Some(word) = self.peek_word_upper() else {
            return Ok(false);
        };
        let attribute_start = self.pos;
        match word.as_str() {
            "NOT" if self.nth_is(1, "NULL") => {
                self.pos += 2;
                column.nullable = Some(false);
            }
            "NOT" if self.nth_is(1, "SECONDARY") => {
                self.pos += 2;
            }
            "NOT" => {
                self.pos += 1;
                return Err(self.expected("NULL after NOT"));
            }
            "NULL" => {
                self.pos += 1;
                column.nullable = Some(true);
            }
            "DEFAULT" => {
                self.pos += 1;
                column.default = Some(self.column_default()?);
            }
            "ON" if self.nth_is(1, "UPDATE") => {
                self.pos += 2;
                let (start, end) = self.default_value_tokens("value after ON UPDATE")?;
                column.on_update = Some(self.expr_of(start, end));
            }
            "AUTO_INCREMENT" => {
                self.pos += 1;
                column.auto_increment = true;
            }
            "UNIQUE" => {
                self.pos += 1;
                self.eat("KEY");
                column.key = Some(InlineKey::Unique);
            }
            "PRIMARY" => {
                self.pos += 1;
                self.expect("KEY", "after PRIMARY")?;
                column.key = Some(InlineKey::Primary);
            }
            "KEY" => {
                self.pos += 1;
                column.key = Some(InlineKey::Primary);
            }
            "COMMENT" => {
                self.pos += 1;
                column.comment = Some(self.string("string after COMMENT")?);
            }
            "COLLATE" => {
                self.pos += 1;
                self.eat_op("=");
                column.data_type.collation = Some(self.name_value("collation name after COLLATE")?);
            }
            "CHARACTER" | "CHARSET" => {
                if word == "CHARACTER" {
                    self.pos += 1;
                    if !self.peek_is("SET") {
                        return Err(self.expected("SET after CHARACTER"));
                    }
                }
                self.pos += 1;
                self.eat_op("=");
                column.data_type.charset = Some(self.name_value("character set name")?);
            }
            "INVISIBLE" => {
                self.pos += 1;
                column.invisible = true;
            }
            "VISIBLE" => {
                self.pos += 1;
                column.invisible = false;
            }
            "GENERATED" | "AS" => {
                if word == "GENERATED" {
                    self.pos += 1;
                    self.expect("ALWAYS", "after GENERATED")?;
                    self.expect("AS", "after GENERATED ALWAYS")?;
                } else {
                    self.pos += 1;
                }
                let expr = self.paren_expr("generated column expression")?;
                column.generated = Some(Box::new(GeneratedColumn {
                    expr,
                    storage: None,
                }));
            }
            "VIRTUAL" | "STORED" | "PERSISTENT" => {
                self.pos += 1;
                let storage = match word.as_str() {
                    "VIRTUAL" => GeneratedStorage::Virtual,
                    "STORED" => GeneratedStorage::Stored,
                    _ => GeneratedStorage::Persistent,
                };
                match column.generated.as_mut() {
                    Some(generated) => generated.storage = Some(storage),
                    None => {
                        return Err(self.error_at(
                            self.tokens[attribute_start].span,
                            format!("{word} is only allowed after AS (expression)"),
                        ))
                    }
                }
            }
            "CHECK" => {
                self.pos += 1;
                let check = self.check_body(None, attribute_start)?;
                column.checks.push(check);
            }
            "CONSTRAINT" => {
                self.pos += 1;
                let name = if self.peek_is("CHECK") {
                    None
                } else {
                    Some(self.ident("constraint name after CONSTRAINT")?)
                };
                self.expect("CHECK", "after CONSTRAINT name in a column definition")?;
                let check = self.check_body(name, attribute_start)?;
                column.checks.push(check);
            }
            "REFERENCES" => {
                column.references = Some(Box::new(self.references()?));
            }
            "COLUMN_FORMAT" | "STORAGE" => {
                self.pos += 1;
                let value = self
                    .peek_word_upper()
                    .ok_or_else(|| self.expected(&format!("value after {word}")))?;
                self.pos += 1;
                if word == "COLUMN_FORMAT" {
                    column.column_format = Some(value);
                } else {
                    column.storage = Some(value);
                }
            }
            "SRID" | "REF_SYSTEM_ID" => {
                self.pos += 1;
                self.eat_op("=");
                column.srid = Some(self.number(&format!("number after {word}"))?);
            }
            "COMPRESSED" => {
                self.pos += 1;
                if self.eat_op("=") {
                    self.name_value("compression method after COMPRESSED=")?;
                }
                column.compressed = true;
            }
            "WITH" | "WITHOUT" if self.nth_is(1, "SYSTEM") => {
                self.pos += 2;
                self.expect("VERSIONING", &format!("after {word} SYSTEM"))?;
                column.system_versioning = Some(word == "WITH");
            }
            "ENGINE_ATTRIBUTE" | "SECONDARY_ENGINE_ATTRIBUTE" => {
                self.pos += 1;
                self.eat_op("=");
                self.string(&format!("string after {word}"))?;
            }
            "SERIAL" if self.nth_is(1, "DEFAULT") && self.nth_is(2, "VALUE") => {
                self.pos += 3;
                column.nullable = Some(false);
                column.auto_increment = true;
                column.key = Some(InlineKey::Unique);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// A `DEFAULT` value (the keyword already consumed).
    pub(crate) fn column_default(&mut self) -> PResult<ColumnDefault> {
        if self.peek_op("(") {
            let expr = self.paren_expr("default expression")?;
            return Ok(ColumnDefault {
                kind: DefaultKind::Expression,
                expr,
            });
        }
        let (start, end) = self.default_value_tokens("default value after DEFAULT")?;
        let expr = self.expr_of(start, end);
        let tokens = &self.tokens[start..end];
        let first_upper = self.text_of(&tokens[0]).to_ascii_uppercase();
        let is_now = tokens[0].kind == TokenKind::Word
            && matches!(
                first_upper.as_str(),
                "CURRENT_TIMESTAMP" | "NOW" | "LOCALTIME" | "LOCALTIMESTAMP"
            );
        let kind = if tokens.len() == 1 && first_upper == "NULL" {
            DefaultKind::Null
        } else if expr.is_constant_literal {
            DefaultKind::Literal
        } else if is_now && self.only_call(start, end) {
            DefaultKind::CurrentTimestamp {
                precision: self.call_precision(start, end),
            }
        } else {
            DefaultKind::Function
        };
        Ok(ColumnDefault { kind, expr })
    }

    /// Whether tokens `start..end` are a word optionally followed by one `( … )` group.
    fn only_call(&self, start: usize, end: usize) -> bool {
        end == start + 1
            || (self
                .tokens
                .get(start + 1)
                .is_some_and(|t| self.is_op(t, "("))
                && self.matching_paren(start + 1) == Some(end - 1))
    }

    /// The `n` of `CURRENT_TIMESTAMP(n)` in tokens `start..end`.
    fn call_precision(&self, start: usize, end: usize) -> Option<u64> {
        (end == start + 4)
            .then(|| self.tokens.get(start + 2))
            .flatten()
            .filter(|t| t.kind == TokenKind::Number)
            .and_then(|t| self.text_of(t).parse().ok())
    }

    /// The tokens of an unparenthesised default value: primaries joined by binary operators
    /// (`'x'`, `-1`, `CURRENT_TIMESTAMP(6)`, `uuid()`, `1 + 1`). Returns the token range.
    pub(crate) fn default_value_tokens(&mut self, what: &str) -> PResult<(usize, usize)> {
        let start = self.pos;
        loop {
            while self.peek_op("-") || self.peek_op("+") || self.peek_op("~") || self.peek_op("!") {
                self.pos += 1;
            }
            self.default_primary(what)?;
            let continues = self.peek().is_some_and(|t| {
                (t.kind == TokenKind::Operator && BINARY_OPERATORS.contains(&self.text_of(t)))
                    || self.token_is(t, "DIV")
                    || self.token_is(t, "MOD")
            });
            if !continues {
                return Ok((start, self.pos));
            }
            self.pos += 1;
        }
    }

    fn default_primary(&mut self, what: &str) -> PResult<()> {
        let Some(token) = self.peek() else {
            return Err(self.expected(what));
        };
        match token.kind {
            TokenKind::Number
            | TokenKind::HexNumber
            | TokenKind::BitNumber
            | TokenKind::Placeholder
            | TokenKind::UserVariable
            | TokenKind::SystemVariable => {
                self.pos += 1;
            }
            TokenKind::String => {
                while self.peek().is_some_and(|t| t.kind == TokenKind::String) {
                    self.pos += 1;
                }
            }
            TokenKind::Operator if self.is_op(token, "(") => {
                self.skip_parens(what)?;
            }
            TokenKind::Word => {
                let word = self.text_of(token).to_ascii_uppercase();
                let next_is_string = self.nth(1).is_some_and(|t| t.kind == TokenKind::String);
                if next_is_string
                    && (matches!(word.as_str(), "DATE" | "TIME" | "TIMESTAMP")
                        || word.starts_with('_'))
                {
                    self.pos += 1;
                    while self.peek().is_some_and(|t| t.kind == TokenKind::String) {
                        self.pos += 1;
                    }
                } else if (word == "NEXT" || word == "PREVIOUS")
                    && self.nth_is(1, "VALUE")
                    && self.nth_is(2, "FOR")
                {
                    // MariaDB sequences: NEXT VALUE FOR s.
                    self.pos += 3;
                    self.object_name("sequence name after VALUE FOR")?;
                } else if self.nth_op(1, "(") {
                    self.pos += 1;
                    self.skip_parens("function arguments")?;
                } else if matches!(
                    word.as_str(),
                    "NULL"
                        | "TRUE"
                        | "FALSE"
                        | "CURRENT_TIMESTAMP"
                        | "CURRENT_DATE"
                        | "CURRENT_TIME"
                        | "CURRENT_USER"
                        | "LOCALTIME"
                        | "LOCALTIMESTAMP"
                ) || self.is_identifier(token)
                {
                    // A name is only a plausible value if it is not a column attribute.
                    if is_column_attribute(&word) {
                        return Err(self.expected(what));
                    }
                    self.pos += 1;
                } else {
                    return Err(self.expected(what));
                }
            }
            _ => return Err(self.expected(what)),
        }
        Ok(())
    }

    /// A data type with its modifiers.
    pub(crate) fn data_type(&mut self, column: &Ident) -> PResult<DataType> {
        let start = self.pos;
        let what = format!("data type for column {}", describe(&column.value));
        let Some(first) = self.peek_word_upper() else {
            return Err(self.expected(&what));
        };
        let mut binary = false;
        let (name, mut length): (&str, Option<u64>) = match first.as_str() {
            "DOUBLE" if self.nth_is(1, "PRECISION") => {
                self.pos += 2;
                ("double", None)
            }
            "CHARACTER" | "CHAR" if self.nth_is(1, "VARYING") => {
                self.pos += 2;
                ("varchar", None)
            }
            "NATIONAL" => {
                self.pos += 1;
                let varying = match self.peek_word_upper().as_deref() {
                    Some("VARCHAR") | Some("VARCHARACTER") => true,
                    Some("CHAR") | Some("CHARACTER") => self.nth_is(1, "VARYING"),
                    _ => return Err(self.expected("CHAR or VARCHAR after NATIONAL")),
                };
                self.pos += 1;
                if self.peek_is("VARYING") {
                    self.pos += 1;
                }
                (if varying { "varchar" } else { "char" }, None)
            }
            "NCHAR" if self.nth_is(1, "VARYING") || self.nth_is(1, "VARCHAR") => {
                self.pos += 2;
                ("varchar", None)
            }
            "LONG" => {
                self.pos += 1;
                if self.eat("VARBINARY") {
                    ("mediumblob", None)
                } else {
                    self.eat_one_of(&["VARCHAR", "VARCHARACTER"]);
                    ("mediumtext", None)
                }
            }
            other => match data_type_name(other) {
                Some(found) => {
                    self.pos += 1;
                    found
                }
                None => return Err(self.expected(&what)),
            },
        };
        let mut data_type = DataType {
            name: name.to_owned(),
            length: None,
            scale: None,
            values: Vec::new(),
            unsigned: first == "SERIAL",
            zerofill: false,
            binary: false,
            charset: None,
            collation: None,
            span: Span::default(),
        };
        if self.peek_op("(") {
            if name == "enum" || name == "set" {
                self.pos += 1;
                loop {
                    data_type
                        .values
                        .push(self.string(&format!("string value in {}", name.to_uppercase()))?);
                    if !self.eat_op(",") {
                        break;
                    }
                }
                self.expect_op(")", "after the value list")?;
            } else {
                self.pos += 1;
                length = Some(self.number(&format!("length of {name}"))?);
                if self.eat_op(",") {
                    data_type.scale = Some(self.number(&format!("scale of {name}"))?);
                }
                self.expect_op(")", &format!("after the length of {name}"))?;
            }
        }
        data_type.length = length;
        while let Some(word) = self.peek_word_upper() {
            match word.as_str() {
                "UNSIGNED" => data_type.unsigned = true,
                "SIGNED" => data_type.unsigned = false,
                "ZEROFILL" => {
                    data_type.zerofill = true;
                    data_type.unsigned = true;
                }
                "BINARY" | "BYTE" => binary = true,
                "ASCII" => data_type.charset = Some("latin1".to_owned()),
                "UNICODE" => data_type.charset = Some("ucs2".to_owned()),
                "CHARACTER" if self.nth_is(1, "SET") => {
                    self.pos += 2;
                    self.eat_op("=");
                    data_type.charset = Some(self.name_value("character set name")?);
                    continue;
                }
                "CHARSET" => {
                    self.pos += 1;
                    self.eat_op("=");
                    data_type.charset = Some(self.name_value("character set name")?);
                    continue;
                }
                _ => break,
            }
            self.pos += 1;
        }
        data_type.binary = binary;
        data_type.span = self.span_from(start);
        Ok(data_type)
    }

    // ----- table options -----

    /// Table options, separated by spaces or commas.
    pub(crate) fn table_options(&mut self) -> PResult<Vec<TableOption>> {
        let mut options = Vec::new();
        loop {
            let before = self.pos;
            if let Some(option) = self.table_option()? {
                options.push(option);
                if self.peek_op(",") && self.next_is_table_option_after_comma() {
                    self.pos += 1;
                }
                continue;
            }
            self.pos = before;
            return Ok(options);
        }
    }

    fn next_is_table_option_after_comma(&self) -> bool {
        let mut probe = Parser::new(self.text, self.tokens, self.end);
        probe.pos = self.pos + 1;
        probe.starts_table_option()
    }

    /// Whether a table option starts at the cursor.
    pub(crate) fn starts_table_option(&self) -> bool {
        let Some(word) = self.peek_word_upper() else {
            return false;
        };
        match word.as_str() {
            "DEFAULT" => {
                self.nth_is(1, "CHARSET")
                    || self.nth_is(1, "CHARACTER")
                    || self.nth_is(1, "COLLATE")
                    || self.nth_is(1, "ENCRYPTION")
            }
            "CHARSET" | "COLLATE" | "UNION" | "TABLESPACE" => true,
            "CHARACTER" => self.nth_is(1, "SET"),
            "DATA" | "INDEX" => self.nth_is(1, "DIRECTORY"),
            "WITH" => self.nth_is(1, "SYSTEM"),
            "START" => self.nth_is(1, "TRANSACTION"),
            _ => {
                TABLE_OPTION_NAMES.binary_search(&word.as_str()).is_ok()
                    || (self.nth_op(1, "=")
                        && self.peek().is_some_and(|t| self.is_identifier(t))
                        && !matches!(word.as_str(), "ALGORITHM" | "LOCK"))
            }
        }
    }

    /// One table option, if one starts at the cursor.
    pub(crate) fn table_option(&mut self) -> PResult<Option<TableOption>> {
        if !self.starts_table_option() {
            return Ok(None);
        }
        let start = self.pos;
        let Some(mut word) = self.peek_word_upper() else {
            return Ok(None);
        };
        if word == "DEFAULT" {
            self.pos += 1;
            word = self.peek_word_upper().unwrap_or_default();
        }
        let name = match word.as_str() {
            "CHARACTER" => {
                self.pos += 2;
                "CHARACTER SET".to_owned()
            }
            "CHARSET" => {
                self.pos += 1;
                "CHARACTER SET".to_owned()
            }
            "DATA" | "INDEX" => {
                self.pos += 2;
                format!("{word} DIRECTORY")
            }
            "WITH" => {
                self.pos += 2;
                self.expect("VERSIONING", "after WITH SYSTEM")?;
                return Ok(Some(TableOption {
                    name: "WITH SYSTEM VERSIONING".to_owned(),
                    value: String::new(),
                    span: self.span_from(start),
                }));
            }
            "START" => {
                self.pos += 2;
                return Ok(Some(TableOption {
                    name: "START TRANSACTION".to_owned(),
                    value: String::new(),
                    span: self.span_from(start),
                }));
            }
            _ => {
                self.pos += 1;
                word.clone()
            }
        };
        self.eat_op("=");
        let value = if name == "UNION" {
            let names = self.ident_list("table name", "after UNION")?;
            names
                .iter()
                .map(|n| n.value.as_str())
                .collect::<Vec<_>>()
                .join(",")
        } else {
            self.option_value(&format!("value of {name}"))?
        };
        if name == "TABLESPACE" && self.eat("STORAGE") {
            self.eat_one_of(&["DISK", "MEMORY", "DEFAULT"]);
        }
        Ok(Some(TableOption {
            name,
            value,
            span: self.span_from(start),
        }))
    }

    // ----- partitioning -----

    /// `PARTITION BY …` (at the `PARTITION` keyword).
    pub(crate) fn partition_by(&mut self) -> PResult<PartitionBy> {
        let start = self.pos;
        self.expect("PARTITION", "")?;
        self.expect("BY", "after PARTITION")?;
        let (method, expr) = self.partition_method("PARTITION BY")?;
        let mut partitions = None;
        let mut subpartition_method = None;
        if self.eat("PARTITIONS") {
            partitions = Some(self.number("number of partitions after PARTITIONS")?);
        }
        if self.eat("SUBPARTITION") {
            self.expect("BY", "after SUBPARTITION")?;
            subpartition_method = Some(self.partition_method("SUBPARTITION BY")?.0);
            if self.eat("SUBPARTITIONS") {
                self.number("number of subpartitions after SUBPARTITIONS")?;
            }
        }
        let definitions = if self.peek_op("(") {
            self.partition_definitions()?
        } else {
            Vec::new()
        };
        Ok(PartitionBy {
            method,
            expr,
            partitions,
            subpartition_method,
            definitions,
            span: self.span_from(start),
        })
    }

    fn partition_method(&mut self, after: &str) -> PResult<(String, Option<super::ast::Expr>)> {
        let linear = self.eat("LINEAR");
        let Some(word) = self.peek_word_upper() else {
            return Err(self.expected(&format!(
                "HASH, KEY, RANGE, LIST or SYSTEM_TIME after {after}"
            )));
        };
        let mut method = if linear {
            format!("LINEAR {word}")
        } else {
            word.clone()
        };
        match word.as_str() {
            "HASH" => {
                self.pos += 1;
                Ok((method, Some(self.paren_expr("partitioning expression")?)))
            }
            "KEY" => {
                self.pos += 1;
                if self.eat("ALGORITHM") {
                    self.expect_op("=", "after ALGORITHM")?;
                    self.number("key algorithm number")?;
                }
                let (open, close) = self.skip_parens("partitioning columns")?;
                let expr = (close > open + 1).then(|| self.expr_of(open + 1, close));
                Ok((method, expr))
            }
            "RANGE" | "LIST" if !linear => {
                self.pos += 1;
                if self.eat("COLUMNS") {
                    method.push_str(" COLUMNS");
                }
                Ok((method, Some(self.paren_expr("partitioning expression")?)))
            }
            "SYSTEM_TIME" if !linear => {
                self.pos += 1;
                let start = self.pos;
                while !self.at_end()
                    && !self.peek_is("PARTITIONS")
                    && !self.peek_is("SUBPARTITION")
                    && !self.peek_op("(")
                {
                    self.pos += 1;
                }
                let expr = (self.pos > start).then(|| self.expr_of(start, self.pos));
                Ok((method, expr))
            }
            _ => Err(self.expected(&format!(
                "HASH, KEY, RANGE, LIST or SYSTEM_TIME after {after}"
            ))),
        }
    }

    /// `(PARTITION p0 …, PARTITION p1 …)`: returns the partition names.
    pub(crate) fn partition_definitions(&mut self) -> PResult<Vec<Ident>> {
        let (open, close) = self.skip_parens("partition definitions")?;
        let mut names = Vec::new();
        let mut depth = 0usize;
        let mut expect_partition = true;
        for i in open + 1..close {
            let token = &self.tokens[i];
            if token.kind == TokenKind::Operator {
                match self.text_of(token) {
                    "(" => depth += 1,
                    ")" => depth = depth.saturating_sub(1),
                    "," if depth == 0 => expect_partition = true,
                    _ => {}
                }
                continue;
            }
            if depth == 0 && expect_partition {
                if !self.token_is(token, "PARTITION") {
                    return Err(self.error_at(
                        token.span,
                        format!(
                            "expected PARTITION in partition definition, found {}",
                            describe(self.text_of(token))
                        ),
                    ));
                }
                expect_partition = false;
                match self.tokens.get(i + 1) {
                    Some(name) if matches!(name.kind, TokenKind::Word | TokenKind::QuotedIdent) => {
                        names.push(Ident {
                            value: identifier_value(self.text_of(name)),
                            quoted: name.kind == TokenKind::QuotedIdent,
                            span: name.span,
                        });
                    }
                    other => {
                        let span = other.map_or(self.tokens[close].span, |t| t.span);
                        return Err(self.error_at(
                            span,
                            format!(
                                "expected partition name after PARTITION, found {}",
                                describe(span.text(self.text))
                            ),
                        ));
                    }
                }
            }
        }
        Ok(names)
    }
}

/// An index, key or constraint of a table definition.
pub(crate) enum TableConstraint {
    Index(IndexDef),
    ForeignKey(ForeignKeyDef),
    Check(CheckConstraint),
}

/// Words that start column attributes, which cannot be bare default values.
fn is_column_attribute(word: &str) -> bool {
    matches!(
        word,
        "AUTO_INCREMENT"
            | "COMMENT"
            | "INVISIBLE"
            | "VISIBLE"
            | "GENERATED"
            | "VIRTUAL"
            | "STORED"
            | "PERSISTENT"
            | "COLUMN_FORMAT"
            | "STORAGE"
            | "SRID"
            | "COMPRESSED"
            | "FIRST"
            | "AFTER"
            | "SERIAL"
            | "ENGINE_ATTRIBUTE"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_names_are_sorted() {
        assert!(TABLE_OPTION_NAMES.windows(2).all(|w| w[0] < w[1]));
    }
}
