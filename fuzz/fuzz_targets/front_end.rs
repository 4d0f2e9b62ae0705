//! Fuzzes tack's PostgreSQL front end (`tack_postgres::front_end::parse`) and the linter over its
//! result.
//!
//! Checks: no panic anywhere, and every byte position the front end reports (statements,
//! syntax errors and the statement ranges they belong to, `tack:ignore` comments) lies within
//! the text and on a char boundary, so callers can slice the text with it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use tack_core::{Dialect, LintOptions, Linter, Statement, Version};
use tack_postgres::Postgres;

fn check_span(text: &str, what: &str, offset: usize, len: usize) {
    let end = offset
        .checked_add(len)
        .unwrap_or_else(|| panic!("{what}: offset {offset} + len {len} overflows"));
    assert!(
        end <= text.len(),
        "{what}: span {offset}..{end} past the end of the text ({} bytes)",
        text.len()
    );
    assert!(
        text.is_char_boundary(offset),
        "{what}: offset {offset} is not a char boundary"
    );
    assert!(
        text.is_char_boundary(end),
        "{what}: end {end} is not a char boundary"
    );
}

/// `TACK_FUZZ_DEBUG=1` prints each input and what the front end made of it (for triage).
fn debug() -> bool {
    static DEBUG: OnceLock<bool> = OnceLock::new();
    *DEBUG.get_or_init(|| std::env::var_os("TACK_FUZZ_DEBUG").is_some())
}

/// `TACK_FUZZ_ALLOW_KNOWN=1` waives the crashes already reported (see docs/FUZZING.md), narrowly,
/// so a long run can look for new ones instead of stopping at the first known one.
fn allow_known() -> bool {
    static ALLOW: OnceLock<bool> = OnceLock::new();
    *ALLOW.get_or_init(|| std::env::var_os("TACK_FUZZ_ALLOW_KNOWN").is_some())
}

fn run(text: &str) {
    // Known bug 3: an unterminated literal whose text contains "at end of input" makes
    // parse_piecewise / parse_piecewise_prefix recurse forever (a stack overflow, not a panic).
    if allow_known() && text.contains("at end of input") {
        return;
    }
    let parsed = tack_postgres::front_end::parse(text);
    if debug() {
        eprintln!("input ({} bytes): {text:?}\n{parsed:#?}", text.len());
    }

    for (i, s) in parsed.statements.iter().enumerate() {
        check_span(text, &format!("statements[{i}]"), s.offset, s.len);
        for (j, ig) in s.ignores.iter().enumerate() {
            // Known bug 2: `len` is the comment body's length, 2 bytes short of the comment.
            let len = if allow_known() { ig.len + 2 } else { ig.len };
            check_span(
                text,
                &format!("statements[{i}].ignores[{j}]"),
                ig.offset,
                len,
            );
        }
    }
    for (i, e) in parsed.errors.iter().enumerate() {
        // Known bug 1: a scanner error's length is clamped to 40 bytes, maybe mid-char.
        let end = e.offset.saturating_add(40);
        let len =
            if allow_known() && e.len == 40 && end <= text.len() && !text.is_char_boundary(end) {
                0
            } else {
                e.len
            };
        check_span(text, &format!("errors[{i}]"), e.offset, len);
        let (start, end) = e.statement;
        assert!(
            start <= end,
            "errors[{i}].statement {start}..{end} is reversed"
        );
        check_span(text, &format!("errors[{i}].statement"), start, end - start);
    }

    for major in [10, 12, 15] {
        let options = LintOptions {
            version: Version::new(major, 0),
            ..Default::default()
        };
        let mut linter = Linter::new(&Postgres, options, Postgres.empty_catalog(false));
        linter.begin_file();
        for statement in Statement::all(text, &parsed) {
            let _ = linter.check(&statement);
        }
        linter.end_file();
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(text) => run(text),
        Err(_) => run(&String::from_utf8_lossy(data)),
    }
});
