//! Reading migrations: the paths given (files, directories read in their tool's layout, or `-`
//! for standard input), each migration's identity, the part that runs when migrating up, its
//! transaction mode and its text (UTF-8 checked, size bounded), parsed in parallel. Shared by
//! every use case that reads migrations.

use super::files::{self, Input};
use super::layout::{self, Hints, Tool, TransactionMode};
use std::io::Read;
use std::path::Path;
use tack_core::{Dialect, ParsedFile, SourceFile};

/// The largest migration file tack reads (a parse tree takes many times its text: see
/// docs/ARCHITECTURE.md); a larger one is refused with this limit in the message.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// How the error about a path with no migration in it starts (callers that accept none match
/// it).
pub const NO_FILES: &str = "no migration files found in";

/// A migration as read.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file as shown (its path), with its text: the part that runs when migrating up, with
    /// everything else blanked so positions are the file's.
    pub file: SourceFile,
    /// Where the text stopped being UTF-8, if it did.
    pub invalid_utf8_at: Option<usize>,
    /// What the migration is recorded under (see `layout`).
    pub id: String,
    /// The version as its tool reads it (None: Flyway repeatable, or a free-form name).
    pub version: Option<String>,
    /// sha256 of the file as read (what history compares to notice an edit).
    pub checksum: String,
    /// How its tool runs it.
    pub transaction: TransactionMode,
    /// Flyway `R__`: runs after every versioned migration.
    pub repeatable: bool,
    /// The tool whose layout it was read in.
    pub tool: Tool,
}

/// Migrations read from paths, with how each directory was read.
#[derive(Debug, Clone, Default)]
pub struct Project {
    pub sources: Vec<Source>,
    /// Each directory read, the tool whose layout it is in, and why.
    pub layouts: Vec<(String, Tool, String)>,
}

/// The migrations named by `paths`, read.
pub fn load(paths: &[String]) -> Result<Vec<Source>, String> {
    Ok(load_project(paths, &Hints::default())?.sources)
}

/// The migrations named by `paths`: directories in their layout (decided with `hints`), files
/// alone (a goose or dbmate file by its annotations), `-` standard input.
pub fn load_project(paths: &[String], hints: &Hints) -> Result<Project, String> {
    let mut project = Project::default();
    for p in paths {
        if p == "-" {
            project
                .sources
                .push(read_one(&Input::Stdin, Tool::Tack, None)?);
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{p}: no such file or directory (start a project with `tack init`)")
            } else {
                format!("cannot read {p}: {e}")
            }
        })?;
        if meta.is_dir() {
            let l = layout::read(path, hints)?;
            for m in &l.migrations {
                let mut source = read_one(&Input::File(m.path.clone()), l.tool, Some(m))?;
                source.id = m.id.clone();
                project.sources.push(source);
            }
            project.layouts.push((p.clone(), l.tool, l.because.clone()));
        } else {
            let tool = hints.given.unwrap_or_else(|| tool_of_file(path));
            project
                .sources
                .push(read_one(&Input::File(path.to_path_buf()), tool, None)?);
        }
    }
    if project.sources.is_empty() {
        return Err(format!("{NO_FILES} {}", paths.join(", ")));
    }
    Ok(project)
}

/// The tool a single file is written for, by its annotations (tack's own otherwise).
fn tool_of_file(path: &Path) -> Tool {
    let text = std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let has = |prefix: &str| {
        text.lines()
            .any(|l| l.trim_start().to_ascii_lowercase().starts_with(prefix))
    };
    if has("-- +goose") {
        Tool::Goose
    } else if has("-- migrate:up") {
        Tool::Dbmate
    } else {
        Tool::Tack
    }
}

/// Reads one file (refusing what is not a regular file, and files over [`MAX_FILE_BYTES`]).
fn read_bytes(input: &Input) -> Result<(String, Vec<u8>), String> {
    match input {
        Input::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES + 1)
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            if buf.len() as u64 > MAX_FILE_BYTES {
                return Err(too_big("<stdin>"));
            }
            Ok(("<stdin>".to_owned(), buf))
        }
        Input::File(path) => {
            let shown = path.display().to_string();
            let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
            if !meta.is_file() {
                return Err(format!(
                    "{shown} is not a regular file (a FIFO, socket or device): tack reads \
                     migration files only"
                ));
            }
            if meta.len() > MAX_FILE_BYTES {
                return Err(too_big(&shown));
            }
            let bytes = std::fs::read(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
            Ok((shown, bytes))
        }
    }
}

fn too_big(shown: &str) -> String {
    format!(
        "{shown} is larger than {} MiB, the most tack reads in one migration file: split it into \
         several migrations",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// One migration: its text (the up part, positions kept) and identity.
fn read_one(
    input: &Input,
    tool: Tool,
    migration: Option<&layout::LayoutMigration>,
) -> Result<Source, String> {
    let (name, bytes) = read_bytes(input)?;
    let checksum = tack_core::digest::sha256_hex(&bytes);
    let (text, invalid_utf8_at) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    };
    let up = layout::up_part(tool, &text);
    let file_id = super::history::migration_name(&name);
    let (id, version, transaction, repeatable) = match migration {
        Some(m) => (m.id.clone(), m.version.clone(), m.transaction, m.repeatable),
        None => (
            file_id.clone(),
            Some(files::version(&file_id)),
            layout::transaction_of_text(tool, &text),
            file_id.starts_with("R__"),
        ),
    };
    Ok(Source {
        file: SourceFile::new(name, up),
        invalid_utf8_at,
        id,
        version,
        checksum,
        transaction,
        repeatable,
        tool,
    })
}

/// Files named by `inputs`, read as tack's own (declarative schema files, `tack status`'s listing).
pub fn read_all(inputs: &[Input]) -> Result<Vec<Source>, String> {
    inputs
        .iter()
        .map(|input| read_one(input, Tool::Tack, None))
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
