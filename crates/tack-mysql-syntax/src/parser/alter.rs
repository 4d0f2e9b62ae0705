//! `ALTER [ONLINE] [IGNORE] TABLE` with every MySQL 8 / MariaDB 11 operation: columns,
//! indexes, constraints, renames, character set conversion, `ALGORITHM`/`LOCK`, table options,
//! tablespace and partition maintenance, and repartitioning.

use super::ast::{
    AlterColumnAction, AlterSpec, AlterSpecKind, AlterTable, ColumnPosition, DropBehavior, Ident,
    IndexVisibility, PartitionAction, PartitionOperation,
};
use super::cursor::{PResult, Parser};
use super::table::TableConstraint;

/// Words that start an `ALTER TABLE` operation, used to end an `ORDER BY` list.
const SPEC_KEYWORDS: &[&str] = &[
    "ADD",
    "ALGORITHM",
    "ALTER",
    "ANALYZE",
    "CHANGE",
    "CHECK",
    "COALESCE",
    "CONVERT",
    "DISABLE",
    "DISCARD",
    "DROP",
    "ENABLE",
    "EXCHANGE",
    "FORCE",
    "IMPORT",
    "LOCK",
    "MODIFY",
    "OPTIMIZE",
    "ORDER",
    "PARTITION",
    "REBUILD",
    "REMOVE",
    "RENAME",
    "REORGANIZE",
    "REPAIR",
    "TRUNCATE",
    "UPGRADE",
    "WITH",
    "WITHOUT",
];

impl<'a> Parser<'a> {
    /// `ALTER [ONLINE] [IGNORE] TABLE` after the `TABLE` keyword.
    pub(crate) fn alter_table(&mut self, online: bool, ignore: bool) -> PResult<AlterTable> {
        let if_exists = self.if_exists();
        let name = self.object_name("table name after ALTER TABLE")?;
        let wait = self.lock_wait()?;
        let mut specs = Vec::new();
        while !self.at_end() {
            specs.push(self.alter_spec()?);
            if self.eat_op(",") {
                if self.at_end() {
                    return Err(self.expected("ALTER TABLE operation after ','"));
                }
                continue;
            }
            if self.at_end() || self.starts_table_option() || self.peek_are(&["PARTITION", "BY"]) {
                continue;
            }
            return Err(self.expected("',' or end of statement after ALTER TABLE operation"));
        }
        Ok(AlterTable {
            online,
            ignore,
            if_exists,
            name,
            wait,
            specs,
        })
    }

    fn alter_spec(&mut self) -> PResult<AlterSpec> {
        let start = self.pos;
        let kind = self.alter_spec_kind()?;
        Ok(AlterSpec {
            span: self.span_from(start),
            kind,
        })
    }

    fn alter_spec_kind(&mut self) -> PResult<AlterSpecKind> {
        let word = self.peek_word_upper().unwrap_or_default();
        let next_is_partition = self.nth_is(1, "PARTITION");
        match word.as_str() {
            "ADD" => {
                self.pos += 1;
                self.add_spec()
            }
            "DROP" => {
                self.pos += 1;
                self.drop_spec()
            }
            "ALTER" => {
                self.pos += 1;
                self.alter_column_or_index()
            }
            "CHANGE" => {
                self.pos += 1;
                self.eat("COLUMN");
                let if_exists = self.if_exists();
                let old_name = self.ident("column name after CHANGE COLUMN")?;
                let what = format!("new column definition after CHANGE COLUMN {}", old_name.value);
                let column = Box::new(self.column_def(&what)?);
                let position = self.column_position()?;
                Ok(AlterSpecKind::ChangeColumn {
                    if_exists,
                    old_name,
                    column,
                    position,
                })
            }
            "MODIFY" => {
                self.pos += 1;
                self.eat("COLUMN");
                let if_exists = self.if_exists();
                let column = Box::new(self.column_def("column definition after MODIFY COLUMN")?);
                let position = self.column_position()?;
                Ok(AlterSpecKind::ModifyColumn {
                    if_exists,
                    column,
                    position,
                })
            }
            "RENAME" => {
                self.pos += 1;
                self.rename_spec()
            }
            "ORDER" => {
                self.pos += 1;
                self.expect("BY", "after ORDER")?;
                self.order_by_list()
            }
            "CONVERT" => {
                self.pos += 1;
                self.convert_spec()
            }
            "ALGORITHM" => {
                self.pos += 1;
                Ok(AlterSpecKind::Algorithm(self.algorithm_value()?))
            }
            "LOCK" => {
                self.pos += 1;
                Ok(AlterSpecKind::Lock(self.lock_value()?))
            }
            "DISCARD" | "IMPORT" if self.nth_is(1, "TABLESPACE") => {
                self.pos += 2;
                Ok(if word == "DISCARD" {
                    AlterSpecKind::DiscardTablespace
                } else {
                    AlterSpecKind::ImportTablespace
                })
            }
            "FORCE" => {
                self.pos += 1;
                Ok(AlterSpecKind::Force)
            }
            "ENABLE" | "DISABLE" => {
                self.pos += 1;
                self.expect("KEYS", &format!("after {word}"))?;
                Ok(if word == "ENABLE" {
                    AlterSpecKind::EnableKeys
                } else {
                    AlterSpecKind::DisableKeys
                })
            }
            "WITH" | "WITHOUT" if self.nth_is(1, "VALIDATION") => {
                self.pos += 2;
                Ok(AlterSpecKind::Validation(word == "WITH"))
            }
            "DISCARD" | "IMPORT" | "TRUNCATE" | "COALESCE" | "REORGANIZE" | "EXCHANGE"
            | "ANALYZE" | "CHECK" | "OPTIMIZE" | "REBUILD" | "REPAIR"
                if next_is_partition =>
            {
                self.pos += 2;
                let action = match word.as_str() {
                    "DISCARD" => PartitionAction::Discard,
                    "IMPORT" => PartitionAction::Import,
                    "TRUNCATE" => PartitionAction::Truncate,
                    "COALESCE" => PartitionAction::Coalesce,
                    "REORGANIZE" => PartitionAction::Reorganize,
                    "EXCHANGE" => PartitionAction::Exchange,
                    "ANALYZE" => PartitionAction::Analyze,
                    "CHECK" => PartitionAction::Check,
                    "OPTIMIZE" => PartitionAction::Optimize,
                    "REBUILD" => PartitionAction::Rebuild,
                    _ => PartitionAction::Repair,
                };
                Ok(AlterSpecKind::Partition(Box::new(self.partition_operation(action)?)))
            }
            "REMOVE" | "UPGRADE" if self.nth_is(1, "PARTITIONING") => {
                self.pos += 2;
                let action = if word == "REMOVE" {
                    PartitionAction::RemovePartitioning
                } else {
                    PartitionAction::UpgradePartitioning
                };
                Ok(AlterSpecKind::Partition(Box::new(empty_partition_operation(action))))
            }
            "PARTITION" if self.nth_is(1, "BY") => Ok(AlterSpecKind::PartitionBy(Box::new(self.partition_by()?))),
            _ => match self.table_option()? {
                Some(option) => Ok(AlterSpecKind::TableOption(option)),
                None => Err(self.expected(
                    "ALTER TABLE operation (ADD, DROP, MODIFY, CHANGE, ALTER, RENAME, ALGORITHM, LOCK, a table option…)",
                )),
            },
        }
    }

    /// After `ADD`.
    fn add_spec(&mut self) -> PResult<AlterSpecKind> {
        if self.eat("COLUMN") {
            let if_not_exists = self.if_not_exists();
            if self.peek_op("(") {
                return self.add_column_list(if_not_exists);
            }
            return self.add_column(if_not_exists, "column definition after ADD COLUMN");
        }
        if self.peek_op("(") {
            return self.add_column_list(false);
        }
        if self.if_not_exists() {
            if self.peek_op("(") {
                return self.add_column_list(true);
            }
            return self.add_column(true, "column definition after ADD IF NOT EXISTS");
        }
        if self.eat("PARTITION") {
            return Ok(AlterSpecKind::Partition(Box::new(
                self.partition_operation(PartitionAction::Add)?,
            )));
        }
        if self.eat_all(&["SYSTEM", "VERSIONING"]) {
            return Ok(AlterSpecKind::AddSystemVersioning);
        }
        if self.eat_all(&["PERIOD", "FOR"]) {
            self.loose_ident("period name after PERIOD FOR")?;
            self.skip_parens("period columns")?;
            return Ok(AlterSpecKind::Period { add: true });
        }
        match self.table_constraint()? {
            Some(TableConstraint::Index(index)) => Ok(AlterSpecKind::AddIndex(Box::new(index))),
            Some(TableConstraint::ForeignKey(fk)) => Ok(AlterSpecKind::AddForeignKey(Box::new(fk))),
            Some(TableConstraint::Check(check)) => Ok(AlterSpecKind::AddCheck(Box::new(check))),
            None => self.add_column(false, "column definition, index or constraint after ADD"),
        }
    }

    fn add_column(&mut self, if_not_exists: bool, what: &str) -> PResult<AlterSpecKind> {
        let column = Box::new(self.column_def(what)?);
        let position = self.column_position()?;
        Ok(AlterSpecKind::AddColumn {
            if_not_exists,
            column,
            position,
        })
    }

    fn add_column_list(&mut self, if_not_exists: bool) -> PResult<AlterSpecKind> {
        self.expect_op("(", "")?;
        let mut columns = Vec::new();
        let mut indexes = Vec::new();
        loop {
            match self.table_constraint()? {
                Some(TableConstraint::Index(index)) => indexes.push(index),
                Some(_) => {
                    return Err(self.error_at(
                        self.tokens[self.pos - 1].span,
                        "only columns and indexes can be listed in ADD (…)".to_owned(),
                    ))
                }
                None => columns.push(self.column_def("column definition in ADD COLUMN (…)")?),
            }
            if self.eat_op(",") {
                continue;
            }
            self.expect_op(")", "or ',' after column definition")?;
            break;
        }
        Ok(AlterSpecKind::AddColumns {
            if_not_exists,
            columns,
            indexes,
        })
    }

    /// `FIRST` / `AFTER column`, if present.
    fn column_position(&mut self) -> PResult<Option<ColumnPosition>> {
        if self.eat("FIRST") {
            return Ok(Some(ColumnPosition::First));
        }
        if self.eat("AFTER") {
            return Ok(Some(ColumnPosition::After(
                self.ident("column name after AFTER")?,
            )));
        }
        Ok(None)
    }

    /// After `DROP`.
    fn drop_spec(&mut self) -> PResult<AlterSpecKind> {
        let word = self.peek_word_upper().unwrap_or_default();
        match word.as_str() {
            "INDEX" | "KEY" => {
                self.pos += 1;
                let if_exists = self.if_exists();
                let name = self.loose_ident(&format!("index name after DROP {word}"))?;
                Ok(AlterSpecKind::DropIndex { if_exists, name })
            }
            "PRIMARY" => {
                self.pos += 1;
                self.expect("KEY", "after DROP PRIMARY")?;
                Ok(AlterSpecKind::DropPrimaryKey)
            }
            "FOREIGN" => {
                self.pos += 1;
                self.expect("KEY", "after DROP FOREIGN")?;
                let if_exists = self.if_exists();
                let name = self.ident("foreign key name after DROP FOREIGN KEY")?;
                Ok(AlterSpecKind::DropForeignKey { if_exists, name })
            }
            "CHECK" | "CONSTRAINT" => {
                self.pos += 1;
                let if_exists = self.if_exists();
                let name = self.ident(&format!("constraint name after DROP {word}"))?;
                Ok(if word == "CHECK" {
                    AlterSpecKind::DropCheck { if_exists, name }
                } else {
                    AlterSpecKind::DropConstraint { if_exists, name }
                })
            }
            "PARTITION" => {
                self.pos += 1;
                Ok(AlterSpecKind::Partition(Box::new(
                    self.partition_operation(PartitionAction::Drop)?,
                )))
            }
            "SYSTEM" if self.nth_is(1, "VERSIONING") => {
                self.pos += 2;
                Ok(AlterSpecKind::DropSystemVersioning)
            }
            "PERIOD" if self.nth_is(1, "FOR") => {
                self.pos += 2;
                self.loose_ident("period name after DROP PERIOD FOR")?;
                Ok(AlterSpecKind::Period { add: false })
            }
            _ => {
                let explicit = self.eat("COLUMN");
                let if_exists = self.if_exists();
                let what = if explicit {
                    "column name after DROP COLUMN"
                } else {
                    "column name, INDEX, KEY, PRIMARY KEY, FOREIGN KEY, CHECK, CONSTRAINT or PARTITION after DROP"
                };
                let name = self.ident(what)?;
                let behavior = match self.eat_one_of(&["RESTRICT", "CASCADE"]) {
                    Some("RESTRICT") => Some(DropBehavior::Restrict),
                    Some(_) => Some(DropBehavior::Cascade),
                    None => None,
                };
                Ok(AlterSpecKind::DropColumn {
                    if_exists,
                    name,
                    behavior,
                })
            }
        }
    }

    /// After `ALTER` inside `ALTER TABLE`.
    fn alter_column_or_index(&mut self) -> PResult<AlterSpecKind> {
        if self.peek_is("INDEX") || self.peek_is("KEY") {
            self.pos += 1;
            let name = self.loose_ident("index name after ALTER INDEX")?;
            let visibility = if self.eat("VISIBLE") {
                IndexVisibility::Visible
            } else if self.eat("INVISIBLE") {
                IndexVisibility::Invisible
            } else if self.eat("IGNORED") {
                IndexVisibility::Ignored
            } else if self.eat_all(&["NOT", "IGNORED"]) {
                IndexVisibility::NotIgnored
            } else {
                return Err(self.expected(
                    "VISIBLE, INVISIBLE, IGNORED or NOT IGNORED after ALTER INDEX name",
                ));
            };
            return Ok(AlterSpecKind::AlterIndex { name, visibility });
        }
        if self.peek_is("CHECK") || self.peek_is("CONSTRAINT") {
            self.pos += 1;
            let name = self.ident("constraint name")?;
            let enforced = if self.eat("ENFORCED") {
                true
            } else if self.eat_all(&["NOT", "ENFORCED"]) {
                false
            } else {
                return Err(self.expected("ENFORCED or NOT ENFORCED after constraint name"));
            };
            return Ok(AlterSpecKind::AlterCheck { name, enforced });
        }
        self.eat("COLUMN");
        let column = self.ident("column name, INDEX or CHECK after ALTER")?;
        let action = if self.eat_all(&["SET", "DEFAULT"]) {
            AlterColumnAction::SetDefault(Box::new(self.column_default()?))
        } else if self.eat_all(&["DROP", "DEFAULT"]) {
            AlterColumnAction::DropDefault
        } else if self.eat_all(&["SET", "VISIBLE"]) {
            AlterColumnAction::SetVisible
        } else if self.eat_all(&["SET", "INVISIBLE"]) {
            AlterColumnAction::SetInvisible
        } else if self.eat("SET") {
            return Err(self.expected("DEFAULT, VISIBLE or INVISIBLE after SET"));
        } else {
            return Err(self.expected(&format!(
                "SET DEFAULT, DROP DEFAULT, SET VISIBLE or SET INVISIBLE after ALTER COLUMN {}",
                column.value
            )));
        };
        Ok(AlterSpecKind::AlterColumn { column, action })
    }

    /// After `RENAME` inside `ALTER TABLE`.
    fn rename_spec(&mut self) -> PResult<AlterSpecKind> {
        if self.eat("COLUMN") {
            let from = self.ident("column name after RENAME COLUMN")?;
            self.expect("TO", "after the column name in RENAME COLUMN")?;
            let to = self.ident("new column name after TO")?;
            return Ok(AlterSpecKind::RenameColumn { from, to });
        }
        if self.peek_is("INDEX") || self.peek_is("KEY") {
            self.pos += 1;
            let from = self.loose_ident("index name after RENAME INDEX")?;
            self.expect("TO", "after the index name in RENAME INDEX")?;
            let to = self.ident("new index name after TO")?;
            return Ok(AlterSpecKind::RenameIndex { from, to });
        }
        self.eat_one_of(&["TO", "AS"]);
        let to = self.object_name("new table name after RENAME")?;
        Ok(AlterSpecKind::RenameTable { to })
    }

    /// After `ORDER BY`: `col [ASC|DESC], …` up to the next operation.
    fn order_by_list(&mut self) -> PResult<AlterSpecKind> {
        let start = self.pos;
        loop {
            self.object_name("column name after ORDER BY")?;
            if self.eat_op(".") {
                self.dotted_part("column name")?;
            }
            self.eat_one_of(&["ASC", "DESC"]);
            let continues = self.peek_op(",")
                && self.nth(1).is_some_and(|t| self.is_identifier(t))
                && !SPEC_KEYWORDS.iter().any(|kw| self.nth_is(1, kw))
                && !self.next_after_comma_is_option();
            if !continues {
                break;
            }
            self.pos += 1;
        }
        Ok(AlterSpecKind::OrderBy(self.expr_of(start, self.pos)))
    }

    fn next_after_comma_is_option(&self) -> bool {
        let mut probe = Parser::new(self.text, self.tokens, self.end);
        probe.pos = self.pos + 1;
        probe.starts_table_option()
    }

    /// After `CONVERT`.
    fn convert_spec(&mut self) -> PResult<AlterSpecKind> {
        if self.eat("TO") {
            if !(self.eat_all(&["CHARACTER", "SET"]) || self.eat("CHARSET")) {
                return Err(self.expected("CHARACTER SET or CHARSET after CONVERT TO"));
            }
            self.eat_op("=");
            let charset = if self.eat("DEFAULT") {
                None
            } else {
                Some(self.name_value("character set name after CONVERT TO CHARACTER SET")?)
            };
            let collation = if self.eat("COLLATE") {
                self.eat_op("=");
                Some(self.name_value("collation name after COLLATE")?)
            } else {
                None
            };
            return Ok(AlterSpecKind::ConvertToCharset { charset, collation });
        }
        if self.eat("PARTITION") {
            let mut operation = empty_partition_operation(PartitionAction::ConvertToTable);
            operation
                .partitions
                .push(self.ident("partition name after CONVERT PARTITION")?);
            self.expect("TO", "after the partition name")?;
            self.expect("TABLE", "after CONVERT PARTITION … TO")?;
            operation.table = Some(self.object_name("table name after TO TABLE")?);
            return Ok(AlterSpecKind::Partition(Box::new(operation)));
        }
        if self.eat("TABLE") {
            let mut operation = empty_partition_operation(PartitionAction::ConvertTableToPartition);
            operation.table = Some(self.object_name("table name after CONVERT TABLE")?);
            self.expect("TO", "after the table name")?;
            self.expect("PARTITION", "after CONVERT TABLE … TO")?;
            operation
                .new_partitions
                .push(self.ident("partition name after TO PARTITION")?);
            // The partition's VALUES clause is kept opaque.
            while !self.at_end() && !self.peek_op(",") {
                if self.peek_op("(") {
                    self.skip_parens("partition values")?;
                } else {
                    self.pos += 1;
                }
            }
            return Ok(AlterSpecKind::Partition(Box::new(operation)));
        }
        Err(self.expected("TO CHARACTER SET, PARTITION or TABLE after CONVERT"))
    }

    /// After `<ACTION> PARTITION`.
    fn partition_operation(&mut self, action: PartitionAction) -> PResult<PartitionOperation> {
        let mut operation = empty_partition_operation(action);
        match action {
            PartitionAction::Add => {
                operation.if_exists = self.if_not_exists();
                if self.eat("PARTITIONS") {
                    operation.count = Some(self.number("number of partitions after PARTITIONS")?);
                } else {
                    operation.new_partitions = self.partition_definitions()?;
                }
            }
            PartitionAction::Drop => {
                operation.if_exists = self.if_exists();
                operation.partitions = self.partition_names("DROP PARTITION")?;
            }
            PartitionAction::Coalesce => {
                operation.count =
                    Some(self.number("number of partitions after COALESCE PARTITION")?);
            }
            PartitionAction::Reorganize => {
                if self.peek_ident() {
                    operation.partitions = self.partition_names("REORGANIZE PARTITION")?;
                    self.expect("INTO", "after the partition names")?;
                    operation.new_partitions = self.partition_definitions()?;
                }
            }
            PartitionAction::Exchange => {
                operation.partitions = vec![self.ident("partition name after EXCHANGE PARTITION")?];
                self.expect("WITH", "after the partition name")?;
                self.expect("TABLE", "after EXCHANGE PARTITION … WITH")?;
                operation.table = Some(self.object_name("table name after WITH TABLE")?);
                if self.peek_is("WITH") || self.peek_is("WITHOUT") {
                    self.pos += 1;
                    self.expect("VALIDATION", "after WITH/WITHOUT")?;
                }
            }
            PartitionAction::Discard | PartitionAction::Import => {
                self.partition_names_or_all(&mut operation)?;
                self.expect("TABLESPACE", "after the partition names")?;
            }
            _ => self.partition_names_or_all(&mut operation)?,
        }
        Ok(operation)
    }

    fn partition_names_or_all(&mut self, operation: &mut PartitionOperation) -> PResult<()> {
        if self.eat("ALL") {
            operation.all = true;
        } else {
            operation.partitions = self.partition_names("PARTITION")?;
        }
        Ok(())
    }

    fn partition_names(&mut self, after: &str) -> PResult<Vec<Ident>> {
        let what = format!("partition name after {after}");
        let mut names = vec![self.ident(&what)?];
        while self.peek_op(",") && self.nth(1).is_some_and(|t| self.is_identifier(t)) {
            let next_is_spec = SPEC_KEYWORDS.iter().any(|kw| self.nth_is(1, kw));
            if next_is_spec {
                break;
            }
            self.pos += 1;
            names.push(self.ident(&what)?);
        }
        Ok(names)
    }
}

fn empty_partition_operation(action: PartitionAction) -> PartitionOperation {
    PartitionOperation {
        action,
        partitions: Vec::new(),
        all: false,
        new_partitions: Vec::new(),
        count: None,
        table: None,
        if_exists: false,
    }
}
