//! Times `parse` on a file given as the first argument, or on generated scripts of growing
//! size to show that the time per byte stays flat:
//! `cargo run --release --example bench [file.sql]`.

use std::time::Instant;

/// A generator of a script from a repetition count.
type Generator = fn(usize) -> String;

fn measure(name: &str, text: &str) {
    let start = Instant::now();
    let script = tack_mysql_syntax::parse(text);
    let elapsed = start.elapsed();
    println!(
        "{name}: {:>9} bytes, {:>7} statements, {:>6} errors, {:>10.2?} ({:.1} MB/s)",
        text.len(),
        script.statements.len(),
        script.errors.len(),
        elapsed,
        text.len() as f64 / 1e6 / elapsed.as_secs_f64()
    );
}

fn main() {
    if let Some(path) = std::env::args().nth(1) {
        match std::fs::read_to_string(&path) {
            Ok(text) => measure(&path, &text),
            Err(error) => eprintln!("{path}: {error}"),
        }
        return;
    }
    let generators: [(&str, Generator); 4] = [
        ("alter statements", |n| {
            "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0, ALGORITHM=INSTANT;\n".repeat(n)
        }),
        ("dump inserts", |n| {
            format!(
                "INSERT INTO `t` VALUES {}(0,'');\n",
                "(1,'a;b\\'c'),".repeat(n)
            )
        }),
        ("unclosed procedures", |n| {
            "CREATE PROCEDURE p() BEGIN SELECT 1;\n".repeat(n)
        }),
        ("unclosed compound", |n| {
            "BEGIN NOT ATOMIC SELECT 1;\n".repeat(n)
        }),
    ];
    for (name, make) in generators {
        for n in [10_000, 40_000, 160_000] {
            measure(name, &make(n));
        }
    }
}
