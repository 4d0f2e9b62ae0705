//! Helpers shared by the integration tests.
#![allow(dead_code)]

use tack_mysql_syntax::{
    parse, AlterSpecKind, AlterTable, CreateTable, ParseError, ParsedScript, StatementKind,
};

/// Parses `sql`, which must hold exactly one statement and no errors.
pub fn one(sql: &str) -> StatementKind {
    let script = parse(sql);
    assert!(script.errors.is_empty(), "{sql}\n{:#?}", script.errors);
    assert_eq!(
        script.statements.len(),
        1,
        "{sql}\n{:#?}",
        script.statements
    );
    script.statements.into_iter().next().unwrap().kind
}

/// Parses a script that must have no errors.
pub fn clean(sql: &str) -> ParsedScript {
    let script = parse(sql);
    assert!(script.errors.is_empty(), "{sql}\n{:#?}", script.errors);
    script
}

pub fn create_table(sql: &str) -> CreateTable {
    match one(sql) {
        StatementKind::CreateTable(table) => *table,
        other => panic!("not CREATE TABLE: {other:#?}"),
    }
}

pub fn alter_table(sql: &str) -> AlterTable {
    match one(sql) {
        StatementKind::AlterTable(alter) => *alter,
        other => panic!("not ALTER TABLE: {other:#?}"),
    }
}

/// The kinds of the operations of an `ALTER TABLE`.
pub fn specs(sql: &str) -> Vec<AlterSpecKind> {
    alter_table(sql).specs.into_iter().map(|s| s.kind).collect()
}

/// Parses `sql`, which must produce exactly one error, and returns it with the text it points
/// at.
pub fn error(sql: &str) -> (ParseError, String) {
    let script = parse(sql);
    assert_eq!(script.errors.len(), 1, "{sql}\n{:#?}", script.errors);
    let error = script.errors[0].clone();
    let text = sql[error.offset..error.offset + error.len].to_owned();
    (error, text)
}
