//! Property tests: no input makes the front end panic, and every span it reports lies within
//! the input on `char` boundaries.

use proptest::prelude::*;
use tack_mysql_syntax::{parse, split, tokenize};

/// Valid statements to mutate.
const CORPUS: &[&str] = &[
    "ALTER ONLINE TABLE `orders` WAIT 5 ADD COLUMN IF NOT EXISTS note TEXT NULL AFTER id, ALGORITHM=NOCOPY, LOCK=NONE;",
    "CREATE TABLE t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, s ENUM('a','b') DEFAULT 'a', d DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6), CONSTRAINT fk FOREIGN KEY (s) REFERENCES u (id) ON DELETE CASCADE, CHECK (id > 0)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;",
    "CREATE UNIQUE INDEX i ON t (a(10), b DESC) ALGORITHM=INPLACE LOCK=NONE;",
    "/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;",
    "DELIMITER $$\nCREATE PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; END$$\nDELIMITER ;\n",
    "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END;",
    "UPDATE t SET a = 'x;y', b = NOW() WHERE id IN (1, 2) ORDER BY id LIMIT 10; -- tack:ignore rule reason",
    "DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = `y`;",
    "INSERT INTO t (a) VALUES (_utf8mb4'é'), (X'0F') ON DUPLICATE KEY UPDATE a = VALUES(a);",
    "ALTER TABLE t PARTITION BY RANGE COLUMNS(d) (PARTITION p0 VALUES LESS THAN ('2024-01-01'), PARTITION p1 VALUES LESS THAN (MAXVALUE));",
    "SET STATEMENT max_statement_time=5 FOR ALTER TABLE t DROP COLUMN IF EXISTS c;",
    "RENAME TABLE a TO b, c TO d; # trailing",
    "BEGIN NOT ATOMIC DECLARE x INT; WHILE x < 3 DO SET x = x + 1; END WHILE; END;",
];

/// Fragments that steer random input into interesting lexer and parser states.
const FRAGMENTS: &[&str] = &[
    "CREATE",
    "TABLE",
    "ALTER",
    "ADD",
    "COLUMN",
    "INDEX",
    "KEY",
    "PRIMARY",
    "FOREIGN",
    "DROP",
    "MODIFY",
    "CHANGE",
    "DEFAULT",
    "NOT",
    "NULL",
    "INT",
    "VARCHAR(10)",
    "(",
    ")",
    ",",
    ";",
    ".",
    "'",
    "\"",
    "`",
    "/*",
    "*/",
    "/*!",
    "/*!50700",
    "/*M!",
    "--",
    "-- ",
    "#",
    "\n",
    " ",
    "@",
    "@@",
    "?",
    "=",
    "BEGIN",
    "END",
    "IF",
    "CASE",
    "LOOP",
    "WHILE",
    "REPEAT",
    "DELIMITER",
    "$$",
    "PROCEDURE",
    "TRIGGER",
    "FUNCTION",
    "EVENT",
    "SELECT",
    "FROM",
    "WHERE",
    "SET",
    "ON",
    "REFERENCES",
    "CHECK",
    "PARTITION",
    "BY",
    "AS",
    "é",
    "日本",
    "\\",
    "0x1F",
    "1e3",
    "X'",
    "_utf8mb4'",
    "\u{1F600}",
    "\r\n",
    "\t",
    "ALGORITHM=",
    "LOCK=",
    "WAIT",
    "NOWAIT",
    "IGNORED",
];

/// Checks every `Span { offset: N, len: M }` in `debug` against `text`.
fn check_debug_spans(text: &str, debug: &str) -> Result<(), TestCaseError> {
    let mut rest = debug;
    while let Some(at) = rest.find("Span { offset: ") {
        rest = &rest[at + "Span { offset: ".len()..];
        let offset: usize = rest[..rest.find(',').unwrap()].parse().unwrap();
        let len_at = rest.find("len: ").unwrap() + "len: ".len();
        let len: usize = rest[len_at..len_at + rest[len_at..].find(' ').unwrap()]
            .parse()
            .unwrap();
        check_span(text, offset, len)?;
    }
    Ok(())
}

fn check_span(text: &str, offset: usize, len: usize) -> Result<(), TestCaseError> {
    prop_assert!(
        offset + len <= text.len(),
        "span {offset}+{len} outside {} bytes",
        text.len()
    );
    prop_assert!(
        text.is_char_boundary(offset),
        "span start {offset} inside a char"
    );
    prop_assert!(
        text.is_char_boundary(offset + len),
        "span end {} inside a char",
        offset + len
    );
    Ok(())
}

fn check_everything(text: &str) -> Result<(), TestCaseError> {
    let tokens = tokenize(text);
    for t in &tokens.tokens {
        check_span(text, t.span.offset, t.span.len)?;
        prop_assert!(t.span.len > 0);
    }
    for w in tokens.tokens.windows(2) {
        prop_assert!(w[0].span.end() <= w[1].span.offset);
    }
    let split = split(text);
    for w in split.statements.windows(2) {
        prop_assert!(w[0].span.end() <= w[1].span.offset);
    }
    let script = parse(text);
    prop_assert_eq!(script.statements.len(), split.statements.len());
    for s in &script.statements {
        check_span(text, s.span.offset, s.span.len)?;
        prop_assert!(s.leading_comments.end <= script.comments.len());
        prop_assert!(s.trailing_comments.end <= script.comments.len());
        if let tack_mysql_syntax::StatementKind::Invalid { error, .. } = &s.kind {
            prop_assert!(*error < script.errors.len());
        }
    }
    for e in &script.errors {
        check_span(text, e.offset, e.len)?;
        prop_assert!(!e.message.is_empty());
    }
    for c in &script.comments {
        check_span(text, c.span.offset, c.span.len)?;
    }
    check_debug_spans(text, &format!("{script:?}"))?;
    prop_assert_eq!(parse(text), script, "parsing is deterministic");
    Ok(())
}

/// 512 cases, or `PROPTEST_CASES` for a longer hunt.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512)
}

fn fragments() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
            "[a-z_]{1,6}".prop_map(|s| s),
            "[0-9]{1,3}".prop_map(|s| s),
        ],
        0..40,
    )
    .prop_map(|parts| parts.join(" "))
}

/// A corpus statement with a random edit: cut, insert or truncate at char boundaries.
fn mutated() -> impl Strategy<Value = String> {
    (
        prop::sample::select(CORPUS),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        prop::sample::select(FRAGMENTS),
        0..3u8,
    )
        .prop_map(|(text, a, b, fragment, edit)| {
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(text.len()))
                .collect();
            let (mut x, mut y) = (a.get(&boundaries).to_owned(), b.get(&boundaries).to_owned());
            if x > y {
                std::mem::swap(&mut x, &mut y);
            }
            match edit {
                0 => format!("{}{}", &text[..x], &text[y..]),
                1 => format!("{}{}{}", &text[..x], fragment, &text[x..]),
                _ => text[..y].to_owned(),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check_everything(&text)?;
    }

    #[test]
    fn ascii_noise_never_panics(text in "[ -~\\n\\t]{0,200}") {
        check_everything(&text)?;
    }

    #[test]
    fn sql_like_fragments_never_panic(text in fragments()) {
        check_everything(&text)?;
    }

    #[test]
    fn mutated_statements_never_panic(text in mutated()) {
        check_everything(&text)?;
    }

    #[test]
    fn corpus_concatenations_parse_cleanly(picks in prop::collection::vec(prop::sample::select(CORPUS), 1..8)) {
        let text = picks.join("\n");
        check_everything(&text)?;
        let script = parse(&text);
        prop_assert!(script.errors.is_empty(), "{:#?}", script.errors);
    }
}
