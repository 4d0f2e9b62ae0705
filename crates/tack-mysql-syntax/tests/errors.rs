//! Errors point at the offending token with a message saying what was expected, and a failed
//! statement stays in the statement list.

mod common;

use common::error;
use tack_mysql_syntax::{parse, Span, StatementKind};

#[test]
fn errors_point_at_the_offending_token() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "ALTER TABLE t ADD COLUMN SELECT INT",
            "SELECT",
            r#"expected column definition after ADD COLUMN, found "SELECT""#,
        ),
        (
            "ALTER TABLE t ADD COLUMN x FOO",
            "FOO",
            r#"expected data type for column "x", found "FOO""#,
        ),
        (
            "ALTER TABLE t FROBNICATE",
            "FROBNICATE",
            "expected ALTER TABLE operation",
        ),
        (
            "ALTER TABLE t ADD x INT, ALGORITHM=FAST",
            "FAST",
            "expected DEFAULT, INSTANT, NOCOPY, INPLACE or COPY after ALGORITHM",
        ),
        (
            "ALTER TABLE t ADD x INT NOT FOO",
            "FOO",
            "expected NULL after NOT",
        ),
        (
            "ALTER TABLE t ADD x INT LOCK=NONE",
            "LOCK",
            "expected ',' or end of statement after ALTER TABLE operation",
        ),
        (
            "ALTER TABLE t ADD x VARCHAR(abc)",
            "abc",
            "expected length of varchar",
        ),
        (
            "ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u (id) ON DELETE EXPLODE",
            "EXPLODE",
            "expected RESTRICT, CASCADE, SET NULL, SET DEFAULT or NO ACTION after ON DELETE",
        ),
        (
            "CREATE TABLE t (a INT,)",
            ")",
            "expected column definition or constraint",
        ),
        (
            "CREATE TABLE (a INT)",
            "(",
            "expected table name after CREATE TABLE",
        ),
        (
            "CREATE INDEX ON t (a)",
            "ON",
            "expected index name after CREATE INDEX",
        ),
        (
            "RENAME TABLE a b",
            "b",
            "expected TO after the table name in RENAME TABLE",
        ),
        (
            "ALTER TABLE t ADD x ENUM(1,2)",
            "1",
            "expected string value in ENUM",
        ),
        (
            "CREATE TABLE t (a INT DEFAULT NOT NULL)",
            "NOT",
            "expected default value after DEFAULT",
        ),
        (
            "ALTER TABLE t ALTER COLUMN x SET NOTHING",
            "NOTHING",
            "expected DEFAULT, VISIBLE or INVISIBLE after SET",
        ),
        ("CREATE TRIGGER x ON t", "ON", "expected BEFORE or AFTER"),
        (
            "LOCK TABLES t EXCLUSIVE",
            "EXCLUSIVE",
            "expected READ or WRITE",
        ),
        ("123 abc", "123", "expected a statement keyword"),
        (
            "CREATE TABLE t (a INT) ENGINE InnoDB FOO",
            "FOO",
            "expected table option, PARTITION BY or end of statement",
        ),
        (
            "ALTER TABLE t ADD COLUMN x INT VIRTUAL",
            "VIRTUAL",
            "only allowed after AS",
        ),
        ("ALTER TABLE t ADD x INT DEFAULT (1", "(", "never closed"),
        ("SELECT 'abc", "'", "unterminated string"),
        (
            "ALTER TABLE t COMMENT `abc",
            "`",
            "unterminated quoted identifier",
        ),
        ("SELECT 1 /* abc", "/*", "unterminated comment"),
    ];
    for (sql, at, message) in cases {
        let (error, text) = error(sql);
        assert_eq!(&text, at, "{sql}: {}", error.message);
        assert!(error.message.contains(message), "{sql}: {}", error.message);
    }
}

#[test]
fn errors_at_the_end_of_a_statement_are_empty_spans_there() {
    for sql in [
        "ALTER TABLE t ADD COLUMN x",
        "ALTER TABLE t DROP",
        "ALTER TABLE t ADD INDEX idx",
        "CREATE TABLE t",
        "UPDATE t SET a = 1 WHERE",
        "INSERT INTO t",
        "SET x",
    ] {
        let (error, text) = error(sql);
        assert_eq!(text, "", "{sql}");
        assert_eq!(error.offset, sql.len(), "{sql}");
        assert!(
            error.message.ends_with("found end of statement"),
            "{}",
            error.message
        );
    }
    let (error, _) = error("ALTER TABLE t ADD COLUMN x;\nSELECT 1;");
    assert_eq!(error.offset, "ALTER TABLE t ADD COLUMN x".len());
}

#[test]
fn failed_statements_stay_in_order_with_their_error() {
    let sql = "SELECT 1;\nALTER TABLE t ADD COLUMN x FOO;\nALTER TABLE t ADD y INT;\nSELECT 'open";
    let script = parse(sql);
    assert_eq!(script.statements.len(), 4);
    assert_eq!(script.errors.len(), 2);
    let StatementKind::Invalid { keywords, error } = &script.statements[1].kind else {
        panic!("{:?}", script.statements[1]);
    };
    assert_eq!(keywords, &vec!["ALTER".to_string(), "TABLE".to_string()]);
    assert_eq!(*error, 0);
    let first = &script.errors[0];
    assert_eq!(first.statement_span, Some(script.statements[1].span));
    assert_eq!(&sql[first.offset..first.offset + first.len], "FOO");
    assert!(matches!(
        script.statements[2].kind,
        StatementKind::AlterTable(_)
    ));
    let StatementKind::Invalid { error, .. } = &script.statements[3].kind else {
        panic!()
    };
    assert_eq!(*error, 1);
    assert_eq!(script.errors[1].offset, sql.len() - 5);
    assert_eq!(
        script.errors[1].to_string(),
        format!(
            "unterminated string: no closing ' (at byte {})",
            sql.len() - 5
        )
    );
}

#[test]
fn unterminated_comment_between_statements_belongs_to_none() {
    let sql = "SELECT 1; /* never closed";
    let script = parse(sql);
    assert_eq!(script.statements.len(), 1);
    assert_eq!(script.errors.len(), 1);
    assert_eq!(script.errors[0].statement_span, None);
    assert_eq!(script.errors[0].span(), Span::new(10, 2));
}

#[test]
fn unclosed_blocks_fall_back_to_the_first_semicolon() {
    let sql = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2;\nCREATE TABLE t (a INT);";
    let script = parse(sql);
    assert_eq!(script.statements.len(), 3);
    assert!(matches!(
        script.statements[0].kind,
        StatementKind::Invalid { .. }
    ));
    assert!(matches!(
        script.statements[2].kind,
        StatementKind::CreateTable(_)
    ));
    assert_eq!(
        &sql[script.errors[0].offset..script.errors[0].offset + 5],
        "BEGIN"
    );

    // Without any ';' inside, the statement runs to the end with an error at BEGIN.
    let script = parse("CREATE PROCEDURE p() BEGIN SELECT 1");
    assert_eq!(script.statements.len(), 1);
    assert_eq!(script.errors.len(), 1);

    let (error, text) = error("DELIMITER\nSELECT 1");
    assert_eq!(text, "DELIMITER");
    assert!(error.message.contains("DELIMITER needs"));
}

#[test]
fn errors_inside_nested_statements_point_into_the_script() {
    let (error, text) =
        error("SELECT 1;\nSET STATEMENT lock_wait_timeout=5 FOR ALTER TABLE t ADD y FOO");
    assert_eq!(text, "FOO");
    assert!(error.message.contains(r#"data type for column "y""#));
}

#[test]
fn many_unclosed_blocks_do_not_swallow_the_script() {
    let sql = format!(
        "{}CREATE TABLE t (a INT);\nALTER TABLE t ADD b INT;",
        "BEGIN NOT ATOMIC SELECT 1;\n".repeat(40)
    );
    let script = parse(&sql);
    let last = script.statements.last().unwrap();
    assert!(
        matches!(last.kind, StatementKind::AlterTable(_)),
        "{last:?}"
    );
    assert!(matches!(
        script.statements[script.statements.len() - 2].kind,
        StatementKind::CreateTable(_)
    ));
}
