//! Reading migrations: the files `paths` name in apply order, their text (UTF-8 checked), parsed
//! in parallel. Shared by every use case that reads migrations.

use super::files::{self, Input};
use std::io::Read;
use tack_core::{Dialect, ParsedFile, SourceFile};

/// The migration files named by `paths`, read.
pub fn load(paths: &[String]) -> Result<Vec<Source>, String> {
    let inputs = files::collect(paths)?;
    if inputs.is_empty() {
        return Err(format!(
            "no migration files (*.sql) found in {}",
            paths.join(", ")
        ));
    }
    read_all(&inputs)
}

/// A migration file as read.
pub struct Source {
    pub file: SourceFile,
    /// Where the text stopped being UTF-8, if it did.
    pub invalid_utf8_at: Option<usize>,
}

pub fn read_all(inputs: &[Input]) -> Result<Vec<Source>, String> {
    inputs
        .iter()
        .map(|input| {
            let (name, bytes) = match input {
                Input::Stdin => {
                    let mut buf = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut buf)
                        .map_err(|e| format!("cannot read stdin: {e}"))?;
                    ("<stdin>".to_owned(), buf)
                }
                Input::File(path) => (
                    path.display().to_string(),
                    std::fs::read(path)
                        .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                ),
            };
            let (text, invalid_utf8_at) = match String::from_utf8(bytes) {
                Ok(text) => (text, None),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
                }
            };
            Ok(Source {
                file: SourceFile::new(name, text),
                invalid_utf8_at,
            })
        })
        .collect()
}

/// Parses every file, spreading the files over the machine's cores: parsing is independent per
/// file, while linting must walk the files in order. Threads take the next unparsed file from a
/// shared counter, so one large file does not leave the other cores idle.
pub fn parse_all<D: Dialect>(dialect: &D, sources: &[Source]) -> Vec<ParsedFile> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(sources.len().max(1));
    if workers <= 1 {
        return sources.iter().map(|s| parse_one(dialect, s)).collect();
    }
    let next = AtomicUsize::new(0);
    let mut parsed: Vec<(usize, ParsedFile)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(source) = sources.get(i) else {
                            break;
                        };
                        done.push((i, parse_one(dialect, source)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            // A panic in a parser thread is a bug: re-raise it rather than lose a file.
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    parsed.sort_by_key(|(i, _)| *i);
    parsed.into_iter().map(|(_, p)| p).collect()
}

fn parse_one<D: Dialect>(dialect: &D, source: &Source) -> ParsedFile {
    if source.invalid_utf8_at.is_some() {
        return ParsedFile::default();
    }
    dialect.parse(&source.file.text)
}
