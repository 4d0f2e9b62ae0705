//! The syntax tree produced by [`super::parse`].
//!
//! It models MySQL/MariaDB DDL in detail (tables, columns, indexes, constraints, table options,
//! `ALTER TABLE` operations, partitioning operations) and DML and session statements at the
//! level a migration linter reasons about. Expressions are not parsed into trees: an [`Expr`]
//! keeps its source span and text plus facts gathered from its tokens (functions called,
//! columns referenced, whether it is a constant literal or contains a subquery).
//!
//! Names keep the case they were written in, with backticks removed; keywords and data type
//! names are normalised (upper-case option names, lower-case type and function names).

use std::ops::Range;

pub use super::lexer::{Comment, CommentStyle};
pub use super::span::Span;

/// The result of [`super::parse`]: every statement of a script, in order, plus errors and
/// comments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedScript {
    /// One entry per statement, including statements that failed to parse
    /// ([`StatementKind::Invalid`]).
    pub statements: Vec<Statement>,
    /// Tokenization, splitting and parse errors, in source order.
    pub errors: Vec<ParseError>,
    /// Every comment of the script in source order (leading, trailing and inner ones).
    pub comments: Vec<Comment>,
    /// Spans of the mysql client's `DELIMITER xx` command lines.
    pub delimiter_commands: Vec<Span>,
}

impl ParsedScript {
    /// The comments between the previous statement (or its trailing comments) and `statement`.
    pub fn leading_comments(&self, statement: &Statement) -> &[Comment] {
        self.comments
            .get(statement.leading_comments.clone())
            .unwrap_or(&[])
    }

    /// The comments after `statement`'s delimiter on the same line.
    pub fn trailing_comments(&self, statement: &Statement) -> &[Comment] {
        self.comments
            .get(statement.trailing_comments.clone())
            .unwrap_or(&[])
    }
}

/// An error with the byte range it points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ParseError {
    /// Byte offset of the offending token (the end of the statement if it ended too early).
    pub offset: usize,
    /// Length of the offending token (0 at the end of a statement).
    pub len: usize,
    /// What was expected and what was found, e.g.
    /// `expected data type for column "x", found "FOO"`.
    pub message: String,
    /// The statement the error belongs to, if any (an unterminated comment between statements
    /// belongs to none).
    pub statement_span: Option<Span>,
}

impl ParseError {
    /// The span the error points at.
    pub fn span(&self) -> Span {
        Span::new(self.offset, self.len)
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for ParseError {}

/// One statement of a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// From the first token to the end of the last token, excluding the delimiter and any
    /// comments before the first token.
    pub span: Span,
    /// What the statement is.
    pub kind: StatementKind,
    /// The delimiter that ended it (`;` or the `DELIMITER` in force); `None` at end of input.
    pub delimiter: Option<Span>,
    /// Indices into [`ParsedScript::comments`] of the comments before this statement.
    pub leading_comments: Range<usize>,
    /// Indices into [`ParsedScript::comments`] of the comments after this statement's
    /// delimiter on the same line.
    pub trailing_comments: Range<usize>,
}

impl Statement {
    /// The statement's source text.
    pub fn text<'t>(&self, source: &'t str) -> &'t str {
        self.span.text(source)
    }
}

/// What a statement is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatementKind {
    /// `CREATE [OR REPLACE] [TEMPORARY] TABLE …`
    CreateTable(Box<CreateTable>),
    /// `ALTER [ONLINE] [IGNORE] TABLE …`
    AlterTable(Box<AlterTable>),
    /// `CREATE [UNIQUE|FULLTEXT|SPATIAL] INDEX … ON t (…)`
    CreateIndex(Box<CreateIndex>),
    /// `DROP INDEX i ON t`
    DropIndex(Box<DropIndex>),
    /// `RENAME TABLE a TO b, …`
    RenameTable(RenameTable),
    /// `DROP [TEMPORARY] TABLE …`
    DropTable(DropTable),
    /// `TRUNCATE [TABLE] t`
    TruncateTable(Box<TruncateTable>),
    /// `OPTIMIZE | ANALYZE | CHECK | REPAIR | CHECKSUM TABLE …`
    TableMaintenance(TableMaintenance),
    /// `CREATE [OR REPLACE] … VIEW v AS …`
    CreateView(Box<CreateView>),
    /// `DROP VIEW …`
    DropView(DropView),
    /// `CREATE PROCEDURE | FUNCTION | TRIGGER | EVENT …` (body kept opaque).
    CreateRoutine(Box<CreateRoutine>),
    /// `DROP PROCEDURE | FUNCTION | TRIGGER | EVENT …`
    DropRoutine(Box<DropRoutine>),
    /// `CREATE DATABASE | SCHEMA …`
    CreateDatabase(CreateDatabase),
    /// `DROP DATABASE | SCHEMA …`
    DropDatabase(DropDatabase),
    /// `USE db`
    Use(Ident),
    /// `SET [GLOBAL|SESSION|…] var = value, …`
    Set(Vec<SetAssignment>),
    /// `SET NAMES cs [COLLATE c]` (`charset` is `None` for `SET NAMES DEFAULT`).
    SetNames {
        /// The character set.
        charset: Option<String>,
        /// The collation, if given.
        collation: Option<String>,
    },
    /// `SET CHARACTER SET cs` / `SET CHARSET cs` (`None` for `DEFAULT`).
    SetCharacterSet(Option<String>),
    /// `SET [GLOBAL|SESSION] TRANSACTION …`
    SetTransaction {
        /// The scope keyword, if given.
        scope: Option<VariableScope>,
        /// The characteristics as written, e.g. `ISOLATION LEVEL READ COMMITTED`.
        characteristics: String,
    },
    /// MariaDB's `SET STATEMENT var = value, … FOR statement`.
    SetStatementFor {
        /// The variables set for the duration of the statement.
        assignments: Vec<SetAssignment>,
        /// The statement they apply to.
        statement: Box<Statement>,
    },
    /// `START TRANSACTION`, `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT`, `RELEASE SAVEPOINT`.
    Transaction(TransactionStatement),
    /// `LOCK TABLES …`
    LockTables(LockTables),
    /// `UNLOCK TABLES`
    UnlockTables,
    /// `INSERT …` or `REPLACE …`
    Insert(Box<Insert>),
    /// `UPDATE …`
    Update(Box<Update>),
    /// `DELETE …`
    Delete(Box<Delete>),
    /// `GRANT …`
    Grant(PrivilegeStatement),
    /// `REVOKE …`
    Revoke(PrivilegeStatement),
    /// `CREATE USER …`
    CreateUser(UserStatement),
    /// `DROP USER …`
    DropUser(UserStatement),
    /// `FLUSH …`
    Flush(Flush),
    /// `CALL p(…)`
    Call(Box<Call>),
    /// `SELECT …`, `WITH … SELECT`, `VALUES …`, `TABLE t` (kept opaque).
    Select(Box<Query>),
    /// A compound statement outside a routine (MariaDB `BEGIN NOT ATOMIC … END`, `IF … END IF`).
    Compound,
    /// A statement type that is not modelled, named by its leading keywords
    /// (e.g. `["SHOW", "TABLES"]`, `["CREATE", "SEQUENCE"]`).
    Other {
        /// The leading keywords, upper-case.
        keywords: Vec<String>,
    },
    /// A statement that failed to parse; the error is `ParsedScript::errors[error]`.
    Invalid {
        /// The leading keywords, upper-case.
        keywords: Vec<String>,
        /// Index into [`ParsedScript::errors`].
        error: usize,
    },
}

/// An identifier with backticks removed and its case kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name as written, without backticks (a doubled backtick becomes one).
    pub value: String,
    /// Whether it was backtick-quoted.
    pub quoted: bool,
    /// Where it is, backticks included.
    pub span: Span,
}

impl Ident {
    /// Case-insensitive comparison with `other` (right for columns and indexes).
    pub fn eq_ignore_case(&self, other: &str) -> bool {
        self.value.eq_ignore_ascii_case(other)
    }
}

impl std::fmt::Display for Ident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value)
    }
}

/// A possibly qualified object name: `t` or `db.t`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectName {
    /// The database (schema) qualifier, if given.
    pub schema: Option<Ident>,
    /// The object's own name.
    pub name: Ident,
    /// The whole name as written.
    pub span: Span,
}

impl std::fmt::Display for ObjectName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.schema {
            Some(schema) => write!(f, "{}.{}", schema.value, self.name.value),
            None => f.write_str(&self.name.value),
        }
    }
}

/// An expression, kept as source text plus facts about it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Expr {
    /// Where it is (for a parenthesised expression such as `CHECK (…)`, the inside).
    pub span: Span,
    /// The source text of the span.
    pub text: String,
    /// Lower-case names of the functions called, in order of first appearance
    /// (`uuid`, `now`, `rand`, `current_timestamp`, `nextval`, `db.f` for a qualified call).
    pub functions: Vec<String>,
    /// Whether the expression, outer parentheses removed, is a single literal: a number,
    /// string, `NULL`, `TRUE`/`FALSE`, hex or bit value, or `DATE`/`TIME`/`TIMESTAMP '…'`.
    pub is_constant_literal: bool,
    /// Whether it contains a parenthesised `SELECT`.
    pub has_subquery: bool,
    /// Identifiers referenced as columns (qualified ones joined with `.`), in order of first
    /// appearance.
    pub columns: Vec<String>,
}

/// How an `UPDATE`/`DELETE` picks its rows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WhereShape {
    /// No `WHERE` clause: every row.
    Absent,
    /// A conjunction of `column = constant`, `constant = column`, `column <=> constant` and
    /// `column IN (constants…)` terms (placeholders and variables count as constants).
    ConstantEquality {
        /// The columns compared, in order of first appearance.
        columns: Vec<String>,
    },
    /// Anything else: ranges, `OR`, functions, subqueries, joins on columns…
    Other,
}

/// A column definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef {
    /// The column name.
    pub name: Ident,
    /// Its data type.
    pub data_type: DataType,
    /// `Some(false)` for `NOT NULL`, `Some(true)` for `NULL`, `None` if not said.
    pub nullable: Option<bool>,
    /// The `DEFAULT` clause.
    pub default: Option<ColumnDefault>,
    /// The `ON UPDATE` expression (`CURRENT_TIMESTAMP[(n)]` in practice).
    pub on_update: Option<Expr>,
    /// `AUTO_INCREMENT`.
    pub auto_increment: bool,
    /// An inline `PRIMARY KEY` or `UNIQUE [KEY]`.
    pub key: Option<InlineKey>,
    /// The `COMMENT '…'` text.
    pub comment: Option<String>,
    /// `INVISIBLE` (MySQL 8.0.23+, MariaDB 10.3+).
    pub invisible: bool,
    /// `[GENERATED ALWAYS] AS (expr) [VIRTUAL|STORED|PERSISTENT]`.
    pub generated: Option<Box<GeneratedColumn>>,
    /// Inline `[CONSTRAINT [name]] CHECK (expr)` constraints.
    pub checks: Vec<CheckConstraint>,
    /// An inline `REFERENCES t (c) …`.
    pub references: Option<Box<References>>,
    /// `COLUMN_FORMAT {FIXED|DYNAMIC|COMPRESSED|DEFAULT}`, upper-case.
    pub column_format: Option<String>,
    /// `STORAGE {DISK|MEMORY|DEFAULT}`, upper-case.
    pub storage: Option<String>,
    /// `SRID n`.
    pub srid: Option<u64>,
    /// MariaDB's `COMPRESSED[=method]`.
    pub compressed: bool,
    /// MariaDB's `WITH SYSTEM VERSIONING` (`Some(true)`) / `WITHOUT SYSTEM VERSIONING`.
    pub system_versioning: Option<bool>,
    /// The whole definition, name included.
    pub span: Span,
}

/// A column data type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataType {
    /// Lower-case name with synonyms folded: `integer`→`int`, `bool`/`boolean`→`tinyint`
    /// (length 1), `dec`/`numeric`/`fixed`→`decimal`, `double precision`/`real`/`float8`→
    /// `double`, `character varying`/`nvarchar`→`varchar`, `nchar`/`character`→`char`,
    /// `serial`→`bigint` (unsigned), `long varchar`/`long`→`mediumtext`,
    /// `long varbinary`→`mediumblob`, `int1`…`int8` and `middleint` to their names.
    pub name: String,
    /// The length or precision: `varchar(255)` → 255, `decimal(10,2)` → 10.
    pub length: Option<u64>,
    /// The scale: `decimal(10,2)` → 2.
    pub scale: Option<u64>,
    /// The values of an `ENUM` or `SET`.
    pub values: Vec<String>,
    /// `UNSIGNED`.
    pub unsigned: bool,
    /// `ZEROFILL` (implies `UNSIGNED`).
    pub zerofill: bool,
    /// `BINARY` after a character type (binary collation), or `CHAR … BYTE`.
    pub binary: bool,
    /// `CHARACTER SET` / `CHARSET` (also `ASCII` → `latin1`, `UNICODE` → `ucs2`).
    pub charset: Option<String>,
    /// `COLLATE`, wherever it appears in the column definition.
    pub collation: Option<String>,
    /// The type as written (name through modifiers, before other column attributes).
    pub span: Span,
}

/// An inline key on a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InlineKey {
    /// `PRIMARY KEY` (or `KEY` alone).
    Primary,
    /// `UNIQUE [KEY]`.
    Unique,
}

/// A `DEFAULT` clause.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ColumnDefault {
    /// Which form of default it is.
    pub kind: DefaultKind,
    /// The value (for `DEFAULT (expr)`, the inside of the parentheses).
    pub expr: Expr,
}

/// The form of a `DEFAULT` clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefaultKind {
    /// `DEFAULT NULL`.
    Null,
    /// A literal: number, string, `TRUE`/`FALSE`, hex or bit value, `DATE '…'`.
    Literal,
    /// `CURRENT_TIMESTAMP[(n)]` or a synonym (`NOW()`, `LOCALTIME`, `LOCALTIMESTAMP`).
    CurrentTimestamp {
        /// The fractional seconds precision, if given.
        precision: Option<u64>,
    },
    /// `DEFAULT (expr)`: an expression default (MySQL 8.0.13+, MariaDB 10.2+).
    Expression,
    /// A function call or other unparenthesised expression (MariaDB: `DEFAULT uuid()`,
    /// `DEFAULT CURRENT_USER`, `DEFAULT 1 + 1`).
    Function,
}

/// A generated column's expression and storage.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GeneratedColumn {
    /// The expression inside `AS (…)`.
    pub expr: Expr,
    /// `VIRTUAL`, `STORED` or `PERSISTENT`; `None` if not said (virtual).
    pub storage: Option<GeneratedStorage>,
}

/// Whether a generated column is computed on read or stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GeneratedStorage {
    /// `VIRTUAL`.
    Virtual,
    /// `STORED`.
    Stored,
    /// MariaDB's `PERSISTENT` (a synonym of `STORED`).
    Persistent,
}

/// An index or key: `PRIMARY KEY`, `UNIQUE`, `INDEX`/`KEY`, `FULLTEXT`, `SPATIAL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexDef {
    /// Which kind of index.
    pub kind: IndexKind,
    /// The index name, if given.
    pub name: Option<Ident>,
    /// The `CONSTRAINT name` given before `PRIMARY KEY` / `UNIQUE`.
    pub constraint_name: Option<Ident>,
    /// `IF NOT EXISTS` (MariaDB).
    pub if_not_exists: bool,
    /// The indexed columns or expressions.
    pub parts: Vec<KeyPart>,
    /// Index options, `USING` included.
    pub options: IndexOptions,
    /// The whole definition.
    pub span: Span,
}

/// The kind of an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexKind {
    /// `PRIMARY KEY`.
    Primary,
    /// `UNIQUE [INDEX|KEY]`.
    Unique,
    /// `INDEX` or `KEY`.
    Index,
    /// `FULLTEXT [INDEX|KEY]`.
    Fulltext,
    /// `SPATIAL [INDEX|KEY]`.
    Spatial,
}

/// One part of an index: a column (with an optional prefix length) or an expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyPart {
    /// The column, for a column part.
    pub column: Option<Ident>,
    /// The expression, for a functional part `((expr))`.
    pub expr: Option<Expr>,
    /// The prefix length: `name(10)`.
    pub prefix_length: Option<u64>,
    /// `ASC` or `DESC`, if given.
    pub order: Option<SortOrder>,
    /// The whole part.
    pub span: Span,
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// `ASC`.
    Asc,
    /// `DESC`.
    Desc,
}

/// Options of an index.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IndexOptions {
    /// `USING BTREE | HASH | RTREE` (or `TYPE …`).
    pub using: Option<IndexType>,
    /// `KEY_BLOCK_SIZE [=] n`.
    pub key_block_size: Option<u64>,
    /// `COMMENT '…'`.
    pub comment: Option<String>,
    /// `VISIBLE`, `INVISIBLE` (MySQL), `IGNORED`, `NOT IGNORED` (MariaDB).
    pub visibility: Option<IndexVisibility>,
    /// `WITH PARSER name`.
    pub parser: Option<String>,
    /// Any other `name [=] value` option (`ENGINE_ATTRIBUTE`, `CLUSTERING`…).
    pub other: Vec<TableOption>,
}

/// An index algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexType {
    /// `BTREE`.
    Btree,
    /// `HASH`.
    Hash,
    /// `RTREE`.
    Rtree,
}

/// Whether the optimizer may use an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndexVisibility {
    /// `VISIBLE` (MySQL).
    Visible,
    /// `INVISIBLE` (MySQL).
    Invisible,
    /// `IGNORED` (MariaDB).
    Ignored,
    /// `NOT IGNORED` (MariaDB).
    NotIgnored,
}

/// A `FOREIGN KEY` table constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKeyDef {
    /// `CONSTRAINT name`.
    pub constraint_name: Option<Ident>,
    /// The index name after `FOREIGN KEY`.
    pub index_name: Option<Ident>,
    /// `IF NOT EXISTS` (MariaDB).
    pub if_not_exists: bool,
    /// The referencing columns.
    pub columns: Vec<Ident>,
    /// The referenced table and columns and the actions.
    pub references: References,
    /// The whole definition.
    pub span: Span,
}

/// A `REFERENCES` clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct References {
    /// The referenced table.
    pub table: ObjectName,
    /// The referenced columns.
    pub columns: Vec<Ident>,
    /// `MATCH FULL | PARTIAL | SIMPLE`, upper-case.
    pub match_type: Option<String>,
    /// `ON DELETE …`.
    pub on_delete: Option<ReferentialAction>,
    /// `ON UPDATE …`.
    pub on_update: Option<ReferentialAction>,
    /// The whole clause.
    pub span: Span,
}

/// What a foreign key does when the referenced row changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `NO ACTION`.
    NoAction,
    /// `SET DEFAULT`.
    SetDefault,
}

/// A `CHECK` constraint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CheckConstraint {
    /// `CONSTRAINT name`.
    pub name: Option<Ident>,
    /// The expression inside the parentheses.
    pub expr: Expr,
    /// `ENFORCED` (`Some(true)`) / `NOT ENFORCED` (MySQL).
    pub enforced: Option<bool>,
    /// The whole constraint.
    pub span: Span,
}

/// A table option such as `ENGINE=InnoDB`, or a database option.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TableOption {
    /// Upper-case name with synonyms folded: `CHARSET`, `DEFAULT CHARSET`,
    /// `[DEFAULT] CHARACTER SET` → `CHARACTER SET`; `DEFAULT COLLATE` → `COLLATE`.
    /// Multi-word names are joined by one space (`DATA DIRECTORY`).
    pub name: String,
    /// The value: strings unquoted and unescaped, names without backticks, numbers as
    /// written, `UNION=(a,b)` as `a,b`.
    pub value: String,
    /// The whole option.
    pub span: Span,
}

/// `PARTITION BY …` with its definitions kept opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartitionBy {
    /// `HASH`, `LINEAR HASH`, `KEY`, `LINEAR KEY`, `RANGE`, `RANGE COLUMNS`, `LIST`,
    /// `LIST COLUMNS`, `SYSTEM_TIME`.
    pub method: String,
    /// The partitioning expression or column list, inside its parentheses.
    pub expr: Option<Expr>,
    /// `PARTITIONS n`.
    pub partitions: Option<u64>,
    /// `SUBPARTITION BY …` method, if any.
    pub subpartition_method: Option<String>,
    /// The names of the partitions defined.
    pub definitions: Vec<Ident>,
    /// The whole clause.
    pub span: Span,
}

/// `CREATE TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTable {
    /// `OR REPLACE` (MariaDB).
    pub or_replace: bool,
    /// `TEMPORARY`.
    pub temporary: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// The table.
    pub name: ObjectName,
    /// The column definitions.
    pub columns: Vec<ColumnDef>,
    /// Table-level indexes and keys (primary, unique, plain, fulltext, spatial).
    pub indexes: Vec<IndexDef>,
    /// Table-level foreign keys.
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// Table-level check constraints.
    pub checks: Vec<CheckConstraint>,
    /// `CREATE TABLE t LIKE u` / `CREATE TABLE t (LIKE u)`.
    pub like: Option<ObjectName>,
    /// Table options.
    pub options: Vec<TableOption>,
    /// `PARTITION BY …`.
    pub partition_by: Option<PartitionBy>,
    /// `[AS] SELECT …` (also `IGNORE|REPLACE [AS] SELECT …`).
    pub query: Option<Expr>,
}

/// Where `ADD COLUMN`, `CHANGE` and `MODIFY` put the column.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ColumnPosition {
    /// `FIRST`.
    First,
    /// `AFTER column`.
    After(Ident),
}

/// `WAIT n` / `NOWAIT` (MariaDB): how long to wait for the metadata lock.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LockWait {
    /// `WAIT n`, with `n` as written (seconds, possibly fractional).
    Wait(String),
    /// `NOWAIT`.
    NoWait,
}

impl LockWait {
    /// The number of seconds to wait (`Some(0.0)` for `NOWAIT`).
    pub fn seconds(&self) -> Option<f64> {
        match self {
            LockWait::Wait(n) => n.parse().ok(),
            LockWait::NoWait => Some(0.0),
        }
    }
}

/// `ALGORITHM = …` of `ALTER TABLE` and `CREATE/DROP INDEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlterAlgorithm {
    /// `DEFAULT`.
    Default,
    /// `INSTANT`.
    Instant,
    /// `NOCOPY` (MariaDB).
    Nocopy,
    /// `INPLACE`.
    Inplace,
    /// `COPY`.
    Copy,
}

/// `LOCK = …` of `ALTER TABLE` and `CREATE/DROP INDEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlterLock {
    /// `DEFAULT`.
    Default,
    /// `NONE`.
    None,
    /// `SHARED`.
    Shared,
    /// `EXCLUSIVE`.
    Exclusive,
}

/// `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterTable {
    /// `ALTER ONLINE TABLE` (MariaDB).
    pub online: bool,
    /// `ALTER IGNORE TABLE`.
    pub ignore: bool,
    /// `IF EXISTS` (MariaDB).
    pub if_exists: bool,
    /// The table.
    pub name: ObjectName,
    /// `WAIT n` / `NOWAIT`.
    pub wait: Option<LockWait>,
    /// The operations, in order.
    pub specs: Vec<AlterSpec>,
}

impl AlterTable {
    /// The last `ALGORITHM` given, if any.
    pub fn algorithm(&self) -> Option<AlterAlgorithm> {
        self.specs.iter().rev().find_map(|s| match s.kind {
            AlterSpecKind::Algorithm(a) => Some(a),
            _ => None,
        })
    }

    /// The last `LOCK` given, if any.
    pub fn lock(&self) -> Option<AlterLock> {
        self.specs.iter().rev().find_map(|s| match s.kind {
            AlterSpecKind::Lock(l) => Some(l),
            _ => None,
        })
    }
}

/// One operation of an `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlterSpec {
    /// Where it is.
    pub span: Span,
    /// What it does.
    pub kind: AlterSpecKind,
}

/// What an `ALTER TABLE` operation does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlterSpecKind {
    /// `ADD [COLUMN] [IF NOT EXISTS] col_def [FIRST | AFTER c]`.
    AddColumn {
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// The new column.
        column: Box<ColumnDef>,
        /// `FIRST` / `AFTER c`.
        position: Option<ColumnPosition>,
    },
    /// `ADD [COLUMN] [IF NOT EXISTS] (col_def, …)`.
    AddColumns {
        /// `IF NOT EXISTS`.
        if_not_exists: bool,
        /// The new columns.
        columns: Vec<ColumnDef>,
        /// Indexes listed in the same parentheses.
        indexes: Vec<IndexDef>,
    },
    /// `ADD {INDEX|KEY|UNIQUE|PRIMARY KEY|FULLTEXT|SPATIAL} …`.
    AddIndex(Box<IndexDef>),
    /// `ADD [CONSTRAINT [name]] FOREIGN KEY …`.
    AddForeignKey(Box<ForeignKeyDef>),
    /// `ADD [CONSTRAINT [name]] CHECK (expr)`.
    AddCheck(Box<CheckConstraint>),
    /// `ALTER [COLUMN] c {SET DEFAULT … | DROP DEFAULT | SET VISIBLE | SET INVISIBLE}`.
    AlterColumn {
        /// The column.
        column: Ident,
        /// What changes.
        action: AlterColumnAction,
    },
    /// `ALTER {INDEX|KEY} i {VISIBLE|INVISIBLE|IGNORED|NOT IGNORED}`.
    AlterIndex {
        /// The index.
        name: Ident,
        /// The new visibility.
        visibility: IndexVisibility,
    },
    /// `ALTER {CHECK|CONSTRAINT} c [NOT] ENFORCED`.
    AlterCheck {
        /// The constraint.
        name: Ident,
        /// Whether it is now enforced.
        enforced: bool,
    },
    /// `CHANGE [COLUMN] [IF EXISTS] old new_def [FIRST | AFTER c]`.
    ChangeColumn {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The current name.
        old_name: Ident,
        /// The new definition (with the new name).
        column: Box<ColumnDef>,
        /// `FIRST` / `AFTER c`.
        position: Option<ColumnPosition>,
    },
    /// `MODIFY [COLUMN] [IF EXISTS] col_def [FIRST | AFTER c]`.
    ModifyColumn {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The new definition.
        column: Box<ColumnDef>,
        /// `FIRST` / `AFTER c`.
        position: Option<ColumnPosition>,
    },
    /// `DROP [COLUMN] [IF EXISTS] c [RESTRICT|CASCADE]`.
    DropColumn {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The column.
        name: Ident,
        /// `RESTRICT` / `CASCADE`.
        behavior: Option<DropBehavior>,
    },
    /// `DROP {INDEX|KEY} [IF EXISTS] i`.
    DropIndex {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The index.
        name: Ident,
    },
    /// `DROP PRIMARY KEY`.
    DropPrimaryKey,
    /// `DROP FOREIGN KEY [IF EXISTS] fk`.
    DropForeignKey {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The constraint.
        name: Ident,
    },
    /// `DROP CHECK [IF EXISTS] c`.
    DropCheck {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The constraint.
        name: Ident,
    },
    /// `DROP CONSTRAINT [IF EXISTS] c` (any kind of constraint).
    DropConstraint {
        /// `IF EXISTS`.
        if_exists: bool,
        /// The constraint.
        name: Ident,
    },
    /// `RENAME COLUMN a TO b`.
    RenameColumn {
        /// The current name.
        from: Ident,
        /// The new name.
        to: Ident,
    },
    /// `RENAME {INDEX|KEY} a TO b`.
    RenameIndex {
        /// The current name.
        from: Ident,
        /// The new name.
        to: Ident,
    },
    /// `RENAME [TO|AS] t2`.
    RenameTable {
        /// The new name.
        to: ObjectName,
    },
    /// `ORDER BY …`.
    OrderBy(Expr),
    /// `CONVERT TO CHARACTER SET cs [COLLATE c]` (`charset` is `None` for `DEFAULT`).
    ConvertToCharset {
        /// The character set.
        charset: Option<String>,
        /// The collation.
        collation: Option<String>,
    },
    /// A table option: `ENGINE=…`, `ROW_FORMAT=…`, `[DEFAULT] CHARACTER SET …`, `COMMENT=…`…
    TableOption(TableOption),
    /// `ALGORITHM [=] …`.
    Algorithm(AlterAlgorithm),
    /// `LOCK [=] …`.
    Lock(AlterLock),
    /// `DISCARD TABLESPACE`.
    DiscardTablespace,
    /// `IMPORT TABLESPACE`.
    ImportTablespace,
    /// `FORCE`.
    Force,
    /// `ENABLE KEYS`.
    EnableKeys,
    /// `DISABLE KEYS`.
    DisableKeys,
    /// `WITH VALIDATION` (`true`) / `WITHOUT VALIDATION`.
    Validation(bool),
    /// `ADD SYSTEM VERSIONING` (MariaDB).
    AddSystemVersioning,
    /// `DROP SYSTEM VERSIONING` (MariaDB).
    DropSystemVersioning,
    /// `ADD PERIOD FOR …` / `DROP PERIOD FOR …` (MariaDB), kept opaque.
    Period {
        /// `true` for `ADD`, `false` for `DROP`.
        add: bool,
    },
    /// A partition maintenance operation.
    Partition(Box<PartitionOperation>),
    /// `PARTITION BY …` (repartitioning).
    PartitionBy(Box<PartitionBy>),
}

/// What `ALTER [COLUMN] c …` does.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AlterColumnAction {
    /// `SET DEFAULT …`.
    SetDefault(Box<ColumnDefault>),
    /// `DROP DEFAULT`.
    DropDefault,
    /// `SET VISIBLE`.
    SetVisible,
    /// `SET INVISIBLE`.
    SetInvisible,
}

/// `RESTRICT` / `CASCADE` after a `DROP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropBehavior {
    /// `RESTRICT`.
    Restrict,
    /// `CASCADE`.
    Cascade,
}

/// A partition maintenance operation of `ALTER TABLE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartitionOperation {
    /// Which operation.
    pub action: PartitionAction,
    /// The partitions it names (`DROP PARTITION p1, p2`, `REORGANIZE PARTITION p INTO …`).
    pub partitions: Vec<Ident>,
    /// `ALL` instead of names.
    pub all: bool,
    /// Names of the partitions defined by `ADD PARTITION (…)` or `REORGANIZE … INTO (…)`.
    pub new_partitions: Vec<Ident>,
    /// `COALESCE PARTITION n` / `ADD PARTITION PARTITIONS n`.
    pub count: Option<u64>,
    /// The table of `EXCHANGE PARTITION p WITH TABLE t` / `CONVERT PARTITION p TO TABLE t` /
    /// `CONVERT TABLE t TO PARTITION p`.
    pub table: Option<ObjectName>,
    /// `IF EXISTS` / `IF NOT EXISTS` (MariaDB).
    pub if_exists: bool,
}

/// Partition maintenance operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartitionAction {
    /// `ADD PARTITION`.
    Add,
    /// `DROP PARTITION`.
    Drop,
    /// `DISCARD PARTITION … TABLESPACE`.
    Discard,
    /// `IMPORT PARTITION … TABLESPACE`.
    Import,
    /// `TRUNCATE PARTITION`.
    Truncate,
    /// `COALESCE PARTITION n`.
    Coalesce,
    /// `REORGANIZE PARTITION`.
    Reorganize,
    /// `EXCHANGE PARTITION p WITH TABLE t`.
    Exchange,
    /// `ANALYZE PARTITION`.
    Analyze,
    /// `CHECK PARTITION`.
    Check,
    /// `OPTIMIZE PARTITION`.
    Optimize,
    /// `REBUILD PARTITION`.
    Rebuild,
    /// `REPAIR PARTITION`.
    Repair,
    /// MariaDB's `CONVERT PARTITION p TO TABLE t`.
    ConvertToTable,
    /// MariaDB's `CONVERT TABLE t TO PARTITION p …`.
    ConvertTableToPartition,
    /// `REMOVE PARTITIONING`.
    RemovePartitioning,
    /// `UPGRADE PARTITIONING`.
    UpgradePartitioning,
}

/// `ONLINE` / `OFFLINE` of MariaDB's `CREATE INDEX` / `DROP INDEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnlineMode {
    /// `ONLINE`.
    Online,
    /// `OFFLINE`.
    Offline,
}

/// `CREATE INDEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIndex {
    /// `OR REPLACE` (MariaDB).
    pub or_replace: bool,
    /// `ONLINE` / `OFFLINE`.
    pub online: Option<OnlineMode>,
    /// The index (its kind is never `Primary`; its name is always set).
    pub index: IndexDef,
    /// The table.
    pub table: ObjectName,
    /// `WAIT n` / `NOWAIT`.
    pub wait: Option<LockWait>,
    /// `ALGORITHM [=] …`.
    pub algorithm: Option<AlterAlgorithm>,
    /// `LOCK [=] …`.
    pub lock: Option<AlterLock>,
}

/// `DROP INDEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropIndex {
    /// `ONLINE` / `OFFLINE`.
    pub online: Option<OnlineMode>,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// The index.
    pub name: Ident,
    /// The table.
    pub table: ObjectName,
    /// `WAIT n` / `NOWAIT`.
    pub wait: Option<LockWait>,
    /// `ALGORITHM [=] …`.
    pub algorithm: Option<AlterAlgorithm>,
    /// `LOCK [=] …`.
    pub lock: Option<AlterLock>,
}

/// `RENAME TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameTable {
    /// `IF EXISTS` (MariaDB).
    pub if_exists: bool,
    /// `WAIT n` / `NOWAIT`.
    pub wait: Option<LockWait>,
    /// The renames, in order.
    pub renames: Vec<TableRename>,
}

/// One `a TO b` of `RENAME TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRename {
    /// The current name.
    pub from: ObjectName,
    /// The new name.
    pub to: ObjectName,
}

/// `DROP TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropTable {
    /// `TEMPORARY`.
    pub temporary: bool,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// The tables.
    pub tables: Vec<ObjectName>,
    /// `WAIT n` / `NOWAIT`.
    pub wait: Option<LockWait>,
    /// `RESTRICT` / `CASCADE`.
    pub behavior: Option<DropBehavior>,
}

/// `TRUNCATE [TABLE] t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruncateTable {
    /// The table.
    pub table: ObjectName,
    /// `WAIT n` / `NOWAIT`.
    pub wait: Option<LockWait>,
}

/// `OPTIMIZE`, `ANALYZE`, `CHECK`, `REPAIR` or `CHECKSUM TABLE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableMaintenance {
    /// Which statement.
    pub operation: MaintenanceOperation,
    /// `NO_WRITE_TO_BINLOG` / `LOCAL`.
    pub no_write_to_binlog: bool,
    /// The tables.
    pub tables: Vec<ObjectName>,
}

/// The table maintenance statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MaintenanceOperation {
    /// `OPTIMIZE TABLE`.
    Optimize,
    /// `ANALYZE TABLE`.
    Analyze,
    /// `CHECK TABLE`.
    Check,
    /// `REPAIR TABLE`.
    Repair,
    /// `CHECKSUM TABLE`.
    Checksum,
}

/// `CREATE VIEW`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateView {
    /// `OR REPLACE`.
    pub or_replace: bool,
    /// `ALGORITHM = …`, upper-case.
    pub algorithm: Option<String>,
    /// `DEFINER = …`, as written.
    pub definer: Option<String>,
    /// `SQL SECURITY …`, upper-case.
    pub sql_security: Option<String>,
    /// `IF NOT EXISTS` (MariaDB).
    pub if_not_exists: bool,
    /// The view.
    pub name: ObjectName,
    /// The column list, if given.
    pub columns: Vec<Ident>,
    /// The query after `AS`.
    pub query: Expr,
    /// `WITH [CASCADED|LOCAL] CHECK OPTION`, as `CASCADED`, `LOCAL` or `` (plain).
    pub check_option: Option<String>,
}

/// `DROP VIEW`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropView {
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// The views.
    pub views: Vec<ObjectName>,
    /// `RESTRICT` / `CASCADE`.
    pub behavior: Option<DropBehavior>,
}

/// Stored program kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoutineKind {
    /// `PROCEDURE`.
    Procedure,
    /// `FUNCTION`.
    Function,
    /// `TRIGGER`.
    Trigger,
    /// `EVENT`.
    Event,
}

/// `CREATE PROCEDURE | FUNCTION | TRIGGER | EVENT` with the body kept opaque.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRoutine {
    /// Which kind of program.
    pub kind: RoutineKind,
    /// `OR REPLACE` (MariaDB).
    pub or_replace: bool,
    /// `DEFINER = …`, as written.
    pub definer: Option<String>,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// The program's name.
    pub name: ObjectName,
    /// For a trigger: when, on what, on which table.
    pub trigger: Option<TriggerSpec>,
    /// The body (from its first token to the end of the statement), when found.
    pub body: Option<Span>,
}

/// A trigger's timing, events and table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerSpec {
    /// `BEFORE` / `AFTER`.
    pub timing: TriggerTiming,
    /// `INSERT`, `UPDATE`, `DELETE` (several with MariaDB's `INSERT OR UPDATE`).
    pub events: Vec<TriggerEvent>,
    /// The table.
    pub table: ObjectName,
}

/// When a trigger fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerTiming {
    /// `BEFORE`.
    Before,
    /// `AFTER`.
    After,
}

/// What fires a trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TriggerEvent {
    /// `INSERT`.
    Insert,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
}

/// `DROP PROCEDURE | FUNCTION | TRIGGER | EVENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropRoutine {
    /// Which kind of program.
    pub kind: RoutineKind,
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// The program's name.
    pub name: ObjectName,
}

/// `CREATE DATABASE | SCHEMA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateDatabase {
    /// `OR REPLACE` (MariaDB).
    pub or_replace: bool,
    /// `IF NOT EXISTS`.
    pub if_not_exists: bool,
    /// The database.
    pub name: Ident,
    /// Options (`CHARACTER SET`, `COLLATE`, `COMMENT`, `ENCRYPTION`).
    pub options: Vec<TableOption>,
}

/// `DROP DATABASE | SCHEMA`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropDatabase {
    /// `IF EXISTS`.
    pub if_exists: bool,
    /// The database.
    pub name: Ident,
}

/// The scope of a variable assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VariableScope {
    /// A session system variable: no scope, `SESSION`, `LOCAL`, `@@`, `@@session.`, `@@local.`.
    Session,
    /// `GLOBAL` / `@@global.`.
    Global,
    /// `PERSIST` / `@@persist.` (MySQL).
    Persist,
    /// `PERSIST_ONLY` / `@@persist_only.` (MySQL).
    PersistOnly,
    /// A user variable `@v`.
    User,
}

/// One `var = value` of `SET`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SetAssignment {
    /// The scope.
    pub scope: VariableScope,
    /// The variable name, lower-case, without `@`/`@@`/scope prefixes
    /// (`SET @@SESSION.SQL_MODE = …` → `sql_mode`).
    pub name: String,
    /// The value.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// Transaction control statements.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TransactionStatement {
    /// `START TRANSACTION [READ ONLY | READ WRITE] [, WITH CONSISTENT SNAPSHOT]`.
    Start {
        /// `Some(true)` for `READ ONLY`, `Some(false)` for `READ WRITE`.
        read_only: Option<bool>,
        /// `WITH CONSISTENT SNAPSHOT`.
        consistent_snapshot: bool,
    },
    /// `BEGIN [WORK]`.
    Begin,
    /// `COMMIT [WORK] …`.
    Commit,
    /// `ROLLBACK [WORK] [TO [SAVEPOINT] s]`.
    Rollback {
        /// The savepoint rolled back to.
        to_savepoint: Option<Ident>,
    },
    /// `SAVEPOINT s`.
    Savepoint(Ident),
    /// `RELEASE SAVEPOINT s`.
    ReleaseSavepoint(Ident),
}

/// `LOCK TABLES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockTables {
    /// The tables and how each is locked.
    pub tables: Vec<LockedTable>,
    /// `WAIT n` / `NOWAIT` (MariaDB).
    pub wait: Option<LockWait>,
}

/// One table of `LOCK TABLES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedTable {
    /// The table.
    pub table: ObjectName,
    /// `[AS] alias`.
    pub alias: Option<Ident>,
    /// The lock type.
    pub lock: TableLockType,
}

/// The lock types of `LOCK TABLES`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TableLockType {
    /// `READ`.
    Read,
    /// `READ LOCAL`.
    ReadLocal,
    /// `WRITE`.
    Write,
    /// `LOW_PRIORITY WRITE`.
    LowPriorityWrite,
    /// `WRITE CONCURRENT` (MariaDB).
    WriteConcurrent,
}

/// `INSERT` / `REPLACE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    /// `REPLACE` rather than `INSERT`.
    pub replace: bool,
    /// `IGNORE`.
    pub ignore: bool,
    /// `LOW_PRIORITY`, `DELAYED` or `HIGH_PRIORITY`, upper-case.
    pub priority: Option<String>,
    /// The table.
    pub table: ObjectName,
    /// The column list, if given.
    pub columns: Vec<Ident>,
    /// Where the rows come from.
    pub source: InsertSource,
    /// `ON DUPLICATE KEY UPDATE …` assignments.
    pub on_duplicate_key_update: Option<Vec<Assignment>>,
}

impl Insert {
    /// Whether this is `INSERT … SELECT` (or `… TABLE t`).
    pub fn is_select(&self) -> bool {
        matches!(
            self.source,
            InsertSource::Select(_) | InsertSource::Table(_)
        )
    }
}

/// The row source of an `INSERT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InsertSource {
    /// `VALUES (…), (…)`.
    Values {
        /// The number of row tuples.
        rows: usize,
        /// The tuples (after `VALUES`).
        expr: Expr,
    },
    /// `SELECT …` / `WITH … SELECT` / `(SELECT …)`.
    Select(Expr),
    /// `SET c = v, …`.
    Set(Vec<Assignment>),
    /// `TABLE t`.
    Table(ObjectName),
}

/// `column = value` in `UPDATE`, `INSERT … SET` and `ON DUPLICATE KEY UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Assignment {
    /// The table or alias qualifier (`t.c` → `t`).
    pub qualifier: Option<Ident>,
    /// The column.
    pub column: Ident,
    /// The value.
    pub value: Expr,
    /// The whole assignment.
    pub span: Span,
}

/// A table in `UPDATE`/`DELETE` table references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRef {
    /// The table, unless it is a derived table.
    pub name: Option<ObjectName>,
    /// The derived table's query `(SELECT …)`.
    pub derived: Option<Expr>,
    /// `[AS] alias`.
    pub alias: Option<Ident>,
    /// The whole reference.
    pub span: Span,
}

/// `UPDATE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// `LOW_PRIORITY`.
    pub low_priority: bool,
    /// `IGNORE`.
    pub ignore: bool,
    /// The tables (several for a multi-table update).
    pub tables: Vec<TableRef>,
    /// The `SET` assignments.
    pub assignments: Vec<Assignment>,
    /// The `WHERE` condition.
    pub where_clause: Option<Expr>,
    /// How the rows are chosen.
    pub where_shape: WhereShape,
    /// The `ORDER BY` list.
    pub order_by: Option<Expr>,
    /// The `LIMIT` value.
    pub limit: Option<Expr>,
}

impl Update {
    /// Whether more than one table is referenced (joins or a comma list).
    pub fn is_multi_table(&self) -> bool {
        self.tables.len() > 1
    }
}

/// `DELETE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delete {
    /// `LOW_PRIORITY`.
    pub low_priority: bool,
    /// `QUICK`.
    pub quick: bool,
    /// `IGNORE`.
    pub ignore: bool,
    /// The tables rows are deleted from (for a single-table delete, that table).
    pub targets: Vec<ObjectName>,
    /// The table references (`FROM` of a multi-table delete; the table itself otherwise).
    pub tables: Vec<TableRef>,
    /// Whether it is a multi-table delete (`DELETE t1 FROM …` / `DELETE FROM t1 USING …`).
    pub multi_table: bool,
    /// The `WHERE` condition.
    pub where_clause: Option<Expr>,
    /// How the rows are chosen.
    pub where_shape: WhereShape,
    /// The `ORDER BY` list.
    pub order_by: Option<Expr>,
    /// The `LIMIT` value.
    pub limit: Option<Expr>,
}

/// `GRANT` / `REVOKE`, kept shallow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PrivilegeStatement {
    /// The privileges (or roles) as written, whitespace collapsed: `SELECT`, `ALL PRIVILEGES`,
    /// `INSERT (a, b)`.
    pub privileges: Vec<String>,
    /// The object after `ON`, as written (`db.*`, `TABLE db.t`), if any.
    pub object: Option<String>,
    /// The accounts after `TO` / `FROM`, as written.
    pub grantees: Vec<String>,
}

/// `CREATE USER` / `DROP USER`, kept shallow.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserStatement {
    /// `OR REPLACE` (MariaDB).
    pub or_replace: bool,
    /// `IF NOT EXISTS` / `IF EXISTS`.
    pub if_exists: bool,
    /// The accounts, as written (`'app'@'%'`).
    pub users: Vec<String>,
}

/// `FLUSH`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Flush {
    /// `NO_WRITE_TO_BINLOG` / `LOCAL`.
    pub no_write_to_binlog: bool,
    /// The comma-separated options as written, whitespace collapsed (`PRIVILEGES`,
    /// `TABLES t WITH READ LOCK`).
    pub options: Vec<String>,
}

/// `CALL p(…)`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Call {
    /// The procedure.
    pub procedure: ObjectName,
    /// The arguments.
    pub arguments: Vec<Expr>,
}

/// A query statement, kept opaque.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    /// The whole statement as an expression (functions, columns, subqueries).
    pub expr: Expr,
    /// `FOR UPDATE`, `FOR SHARE`, `LOCK IN SHARE MODE`.
    pub locking_read: bool,
    /// `INTO @var`, `INTO OUTFILE` …
    pub into: bool,
}
