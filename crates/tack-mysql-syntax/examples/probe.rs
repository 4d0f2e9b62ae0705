//! Prints what the parser makes of each line of standard input (a development aid).
use std::io::Read;

fn main() {
    let mut text = String::new();
    if std::io::stdin().read_to_string(&mut text).is_err() {
        return;
    }
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let script = tack_mysql_syntax::parse(line);
        println!("{line}");
        for error in &script.errors {
            println!(
                "  ERROR @{}+{} {:?}: {}",
                error.offset,
                error.len,
                &line[error.offset..error.offset + error.len],
                error.message
            );
        }
        for statement in &script.statements {
            let kind = format!("{:?}", statement.kind);
            println!("  {}", &kind[..kind.len().min(160)]);
        }
    }
}
