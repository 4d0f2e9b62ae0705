//! Drift and diff (PostgreSQL): the live schema against the schema it should have.
//!
//! Both sides of every comparison are read by the same introspection. The expected schema of
//! `drift` is built by replaying the migrations the target records as applied (same files, same
//! checksums, in apply order) on a scratch database, or by loading a declarative schema there;
//! `diff` loads the desired schema the same way and writes the SQL that takes the live schema to
//! it as a new migration file, which then goes through `lint` and `plan` like any other.

use crate::error::{Error, Result};
use crate::project::applied::{self, ToolHistory};
use crate::project::{checksum, files, migration_name, sources, sum, Source};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use tack_core::{SourceFile, Version};
use tack_exec::{StateStore, Status};
use tack_postgres::schema::{self, DiffKind, Difference, SchemaModel};
use tack_postgres::server::scratch;
use tack_postgres::server::state_store::{Baseline, PgStore};
use tack_postgres::{redact, Connection};

/// What the live schema was compared with.
#[derive(Debug, Clone, Serialize)]
pub struct Expected {
    /// `migrations` (replayed) or `schema` (declarative).
    pub source: &'static str,
    /// The files that built it, in order.
    pub files: Vec<String>,
    /// Things the reader should know (a migration in progress, no history yet).
    pub notes: Vec<String>,
    /// When the baseline it starts from was taken (a database tack adopted).
    pub baseline: Option<String>,
}

/// The result of a drift check.
#[derive(Debug, Serialize)]
pub struct DriftReport {
    pub drift: bool,
    pub target: String,
    pub expected: Expected,
    pub differences: Vec<Difference>,
    /// The live schema's fingerprint.
    pub fingerprint: String,
}

/// How to compare.
pub struct DriftRequest<'a> {
    pub url: &'a str,
    /// Where scratch databases may be made (else the target's server).
    pub dev_url: Option<&'a str>,
    /// The migrations read; the applied ones among them are replayed.
    pub sources: &'a [Source],
    /// Other tools' history tables in the target: the migrations they record are applied, and
    /// the tables themselves are not part of the schema compared.
    pub histories: &'a [ToolHistory],
    /// A declarative schema to compare with instead (files or directories).
    pub schema_paths: &'a [String],
    pub use_cache: bool,
}

fn short(sum: &str) -> &str {
    sum.get(..12).unwrap_or(sum)
}

/// What the expected schema starts from: the baseline, if tack adopted this database, and the
/// applied migrations to replay on it (all of them without a baseline; those applied since it
/// with one), matched with their files, in apply order. Applied means recorded as done by tack,
/// or by the tool the project used before. Errors when a migration tack applied has its file
/// missing or changed: the expected schema cannot be built then.
async fn expected_start<'a>(
    store: &mut PgStore,
    sources: &'a [Source],
    histories: &[ToolHistory],
    notes: &mut Vec<String>,
) -> Result<(Option<Baseline>, Vec<&'a Source>)> {
    let state = store
        .report()
        .await
        .map_err(|e| Error::from(e).context("reading tack's history"))?;
    let baseline = store.baseline().await?;
    let by_tool = applied::from_database(sources, &[], histories);
    let mut applied: Vec<&Source> = Vec::new();
    for record in &state.migrations {
        if record.status != Status::Done {
            notes.push(format!(
                "migration {} is {}: its partial effects show as drift until it finishes \
                 (`tack apply` resumes it, `tack rollback` undoes it)",
                record.name,
                record.status.as_str()
            ));
            continue;
        }
        let source = sources.iter().find(|s| s.id == record.name).or_else(|| {
            // An earlier tack's name for it (upgraded in place by the next apply).
            sources.iter().find(|s| {
                crate::project::history::legacy_name(s).as_deref() == Some(record.name.as_str())
                    && s.checksum == record.checksum
            })
        });
        let Some(source) = source else {
            if baseline
                .as_ref()
                .is_some_and(|b| b.applied.contains(&record.name))
            {
                continue; // in the baseline already
            }
            return Err(Error::state(format!(
                "migration {} is recorded as applied but no file of that name is among the \
                 migrations read",
                record.name
            ))
            .hint("restore it (e.g. from version control) or point tack at the right directory"));
        };
        if source.checksum != record.checksum {
            return Err(Error::state(format!(
                "changed since it was applied (checksum {} recorded, {} now); the expected \
                 schema cannot be rebuilt from it",
                short(&record.checksum),
                short(&source.checksum)
            ))
            .at(source.file.name.clone())
            .hint("revert the edit and put the change in a new migration"));
        }
        applied.push(source);
    }
    for source in sources {
        let by_tack = applied.iter().any(|a| std::ptr::eq(*a, source))
            || state.migrations.iter().any(|m| m.name == source.id);
        if !by_tack && by_tool.contains(&source.id) {
            applied.push(source);
        }
    }
    let tool_count = applied
        .iter()
        .filter(|s| !state.migrations.iter().any(|m| m.name == s.id))
        .count();
    if tool_count > 0 {
        let tables: Vec<String> = histories
            .iter()
            .map(|h| format!("{} ({})", h.tool, h.table))
            .collect();
        notes.push(format!(
            "{tool_count} migration(s) applied by {} count as applied",
            tables.join(", ")
        ));
    }
    if let Some(b) = &baseline {
        applied.retain(|s| !b.applied.contains(&s.id));
        notes.push(format!(
            "the baseline was taken by {} ({} migration(s) were applied in it)",
            b.taken_by,
            b.applied.len(),
        ));
    } else if !state.initialized && tool_count == 0 {
        notes.push(
            "no migrations recorded yet (no `tack` schema, no other tool's history): the \
             expected schema is empty — `tack baseline` adopts the schema the database has"
                .to_owned(),
        );
    }
    // Replay in apply order (the order the files sort in), not in the order they were recorded.
    applied.sort_by_key(|s| {
        sources
            .iter()
            .position(|x| std::ptr::eq(x, *s))
            .unwrap_or(usize::MAX)
    });
    Ok((baseline, applied))
}

/// Takes a baseline: records the target's live schema as adopted, with the migrations that count
/// as applied in it (tack's records and other tools' histories among `sources`). Returns the
/// schema recorded and how many migrations count as applied in it.
pub async fn take_baseline(
    url: &str,
    sources: &[Source],
    histories: &[ToolHistory],
    taken_by: &str,
) -> Result<(SchemaModel, usize)> {
    let mut store = PgStore::connect(url).await?;
    let (version, _) = server_identity(store.connection()).await?;
    require_introspection(version, &redact(url))?;
    let live = without_histories(read_schema(store.connection()).await?, histories);
    let state = store
        .report()
        .await
        .map_err(|e| Error::from(e).context("reading tack's history"))?;
    let done: Vec<String> = state
        .migrations
        .iter()
        .filter(|m| m.status == Status::Done)
        .map(|m| m.name.clone())
        .collect();
    let mut applied_ids: Vec<String> = applied::from_database(sources, &done, histories)
        .by
        .into_keys()
        .collect();
    // A migration tack applied whose file is gone is in the schema too.
    for name in done {
        if !applied_ids.contains(&name) {
            applied_ids.push(name);
        }
    }
    store.save_baseline(&live, &applied_ids, taken_by).await?;
    Ok((live, applied_ids.len()))
}

/// The live schema without other tools' history tables (no migration makes them).
fn without_histories(model: SchemaModel, histories: &[ToolHistory]) -> SchemaModel {
    let names: Vec<&str> = histories.iter().map(|h| h.table.as_str()).collect();
    model.without_tables(&names)
}

/// Reads declarative schema files (a file, or a directory's .sql files in natural order).
pub fn schema_files(paths: &[String]) -> Result<Vec<Source>> {
    let inputs = files::collect(paths)?;
    if inputs.is_empty() {
        return Err(Error::input(format!(
            "no .sql files found in {}",
            paths.join(", ")
        )));
    }
    let mut read = sources::read_all(&inputs)?;
    for s in &mut read {
        if let Some(at) = s.invalid_utf8_at {
            return Err(Error::input("not valid UTF-8").at(s.file.at(at)));
        }
        s.file = SourceFile::new(s.file.name.clone(), without_psql_commands(&s.file.text));
    }
    Ok(read)
}

/// The text with psql's meta-commands (`\restrict`, `\connect`, … — lines starting with a
/// backslash, which `pg_dump` writes and the server does not understand) blanked, positions
/// kept.
fn without_psql_commands(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with('\\') {
            for c in line.chars() {
                match c {
                    '\n' => out.push('\n'),
                    // As many bytes as the character had: offsets stay the file's.
                    other => out.extend(std::iter::repeat_n(' ', other.len_utf8())),
                }
            }
        } else {
            out.push_str(line);
        }
    }
    out
}

/// The server's version and the extension versions it offers.
async fn server_identity(conn: &Connection) -> Result<(Version, String)> {
    let version = conn.server_version().await?;
    let extensions = conn.available_extensions().await?;
    Ok((version, extensions))
}

/// Introspection reads catalog columns of PostgreSQL 13 and later.
pub fn require_introspection(version: Version, server: &str) -> Result<()> {
    if version.major < 13 {
        return Err(Error::usage(format!(
            "{server} runs PostgreSQL {version}; schema comparison needs 13 or later"
        )));
    }
    Ok(())
}

/// Bump when the model or the introspection changes what a cached schema would contain.
const CACHE_FORMAT: u32 = 2;

/// The cache key of an expected schema: what determines it — the files replayed (names and
/// contents, in order), the server version that deparsed it, the extension versions it would
/// install, and the model's format.
fn cache_key(
    server_version: &str,
    extensions: &str,
    baseline: Option<&str>,
    files: &[&SourceFile],
) -> String {
    let mut text = format!(
        "tack {} format {CACHE_FORMAT}\nserver {server_version}\nextensions {extensions}\n\
         baseline {}\n",
        env!("CARGO_PKG_VERSION"),
        baseline.unwrap_or("none")
    );
    for f in files {
        let _ = writeln!(text, "{} {}", migration_name(&f.name), checksum(&f.text));
    }
    checksum(&text)
}

/// `$XDG_CACHE_HOME/tack/expected` (else `~/.cache/tack/expected`).
fn cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("tack").join("expected"))
}

/// A cached expected schema. Building one replays every migration on a scratch database (a
/// minute for thousands of tables); the result depends only on the key, so it is kept.
fn cache_read(key: &str) -> Option<SchemaModel> {
    let text = std::fs::read_to_string(cache_dir()?.join(format!("{key}.json"))).ok()?;
    serde_json::from_str(&text).ok()
}

/// Best effort: a cache that cannot be written only costs time.
fn cache_write(key: &str, model: &SchemaModel) {
    let Some(dir) = cache_dir() else { return };
    let Ok(json) = serde_json::to_vec(model) else {
        return;
    };
    let tmp = dir.join(format!("{key}.json.{}", std::process::id()));
    if std::fs::create_dir_all(&dir).is_ok() && std::fs::write(&tmp, json).is_ok() {
        let _ = std::fs::rename(&tmp, dir.join(format!("{key}.json")));
    }
}

/// A database's schema.
pub async fn read_schema(conn: &Connection) -> Result<SchemaModel> {
    conn.schema().await.map_err(Error::from)
}

/// Compares the target's live schema with the expected one. `schema_paths` empty: the applied
/// migrations among `sources` replayed; else the declarative schema in those paths. `live` is
/// the target's schema when the caller has just read it (apply's drift guard), else it is read.
pub async fn check(request: DriftRequest<'_>, live: Option<SchemaModel>) -> Result<DriftReport> {
    let url = request.url;
    let shown = redact(url);
    let mut store = PgStore::connect(url).await?;
    let conn = store.connection();
    let (target_version, target_extensions) = server_identity(conn).await?;
    require_introspection(target_version, &shown)?;
    let live = match live {
        Some(model) => model,
        None => read_schema(conn).await?,
    };
    let live = without_histories(live, request.histories);
    let mut notes = Vec::new();
    let declarative;
    let mut baseline = None;
    let (kind, files): (&'static str, Vec<&SourceFile>) = if request.schema_paths.is_empty() {
        let (base, applied) =
            expected_start(&mut store, request.sources, request.histories, &mut notes).await?;
        baseline = base;
        ("migrations", applied.into_iter().map(|s| &s.file).collect())
    } else {
        declarative = schema_files(request.schema_paths)?;
        ("schema", declarative.iter().map(|s| &s.file).collect())
    };
    let scratch_url = request.dev_url.unwrap_or(url);
    let (scratch_version, scratch_extensions) = match request.dev_url {
        Some(dev) => {
            let dev_conn = tack_postgres::connect(dev).await?;
            let identity = server_identity(&dev_conn).await?;
            require_introspection(identity.0, &redact(dev))?;
            if identity.0.major != target_version.major {
                return Err(Error::usage(format!(
                    "--dev-url runs PostgreSQL {}, the target {}: PostgreSQL writes view, \
                     function and constraint definitions differently across major versions, so \
                     the comparison would report differences that are not there",
                    identity.0, target_version
                ))
                .hint("give a dev server of the target's major version"));
            }
            identity
        }
        None => (target_version, target_extensions),
    };
    let key = (kind == "migrations" && request.use_cache).then(|| {
        cache_key(
            &scratch_version.to_string(),
            &scratch_extensions,
            baseline.as_ref().map(|b| b.fingerprint.as_str()),
            &files,
        )
    });
    drop(store);
    let cached = key.as_deref().and_then(cache_read);
    let expected = match cached {
        Some(model) => {
            notes.push(
                "expected schema read from the local cache (`--no-cache` rebuilds it)".to_owned(),
            );
            model
        }
        None => {
            let base = baseline.as_ref().map(|b| &b.schema);
            let (model, skipped) = scratch::schema_from(scratch_url, base, &files)
                .await
                .map_err(|e| {
                    let err = Error::database(e);
                    if baseline.is_none() && kind == "migrations" {
                        err.hint(
                            "if the database had tables before its first migration here, \
                             `tack baseline` records them as its starting point",
                        )
                    } else {
                        err
                    }
                })?;
            if let Some(key) = &key {
                cache_write(key, &model);
            }
            notes.extend(skipped);
            model
        }
    };
    let expected = without_histories(expected, request.histories);
    let differences = schema::diff(&live, &expected);
    Ok(DriftReport {
        drift: !differences.is_empty(),
        target: shown,
        expected: Expected {
            source: kind,
            files: files.iter().map(|f| f.name.clone()).collect(),
            notes,
            baseline: baseline.as_ref().map(|b| b.taken_at.clone()),
        },
        differences,
        fingerprint: schema::fingerprint(&live),
    })
}

/// How a difference reads when `from` is the database and `to` what it should be.
pub fn wording(d: &Difference, from: &str, to: &str) -> String {
    match d.diff {
        DiffKind::Missing => format!("in {to}, missing from {from}"),
        DiffKind::Extra => format!("in {from}, not in {to}"),
        DiffKind::Changed => format!("differs from {to}"),
    }
}

pub fn kind_name(d: &Difference) -> String {
    serde_json::to_value(d.kind)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
        .unwrap_or_default()
}

/// What `tack diff` did.
#[derive(Debug)]
pub enum DiffOutcome {
    /// The live schema matches the desired one: nothing written.
    Nothing,
    /// The migration's text (asked for on standard output).
    Text(String),
    /// The migration was written.
    Written {
        file: PathBuf,
        changes: usize,
        /// tack.sum was updated with it (it matched the directory before).
        sum_updated: bool,
        /// tack.sum exists but did not match before: left as it was.
        sum_stale: bool,
    },
}

/// What `tack diff` should do.
pub struct DiffRequest<'a> {
    pub url: &'a str,
    pub dev_url: Option<&'a str>,
    /// The desired schema (files or directories).
    pub to: &'a [String],
    /// The migrations directory the new file goes to.
    pub out: &'a Path,
    /// The name part of the new file's name.
    pub name: &'a str,
    /// Return the text instead of writing a file.
    pub stdout: bool,
}

/// `tack diff --to PATH`: the migration that takes the live schema to the desired one. Notes
/// (statements not replayed) go to `note`.
pub async fn diff(request: DiffRequest<'_>, note: &mut dyn FnMut(String)) -> Result<DiffOutcome> {
    let name = request.name;
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(Error::usage(format!(
            "--name {name:?}: use letters, digits, `_` and `-` (it becomes part of a file name)"
        )));
    }
    let desired_files = schema_files(request.to)?;
    let url = request.url;
    let conn = tack_postgres::connect(url).await?;
    let current = read_schema(&conn).await?;
    drop(conn);
    let files: Vec<&SourceFile> = desired_files.iter().map(|s| &s.file).collect();
    let (desired, skipped) = scratch::schema_of(request.dev_url.unwrap_or(url), &files)
        .await
        .map_err(Error::database)?;
    for n in skipped {
        note(n);
    }
    let differences = schema::diff(&current, &desired);
    if differences.is_empty() {
        return Ok(DiffOutcome::Nothing);
    }
    let text = migration_text(&differences, &redact(url), request.to);
    if request.stdout {
        return Ok(DiffOutcome::Text(text));
    }
    let dir = request.out;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    // The sums follow the new file only when they matched the directory before: rewriting them
    // otherwise would also accept whatever else changed there (an edited applied migration).
    let sums_matched = matches!(sum::verify(dir)?, sum::Verdict::Matches(_));
    let file = dir.join(next_file_name(&sql_files_in(dir)?, name, now));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::input(format!("cannot create {}: {e}", dir.display())))?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&file)
        .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()))
        .map_err(|e| {
            let err = Error::input(format!("cannot write {}: {e}", file.display()));
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                err.hint("give another --name, or move the existing file")
            } else {
                err
            }
        })?;
    if sums_matched {
        sum::write(dir)?;
    }
    Ok(DiffOutcome::Written {
        file,
        changes: differences.len(),
        sum_updated: sums_matched,
        sum_stale: !sums_matched && dir.join(sum::FILE_NAME).exists(),
    })
}

/// The SQL text of a generated migration.
fn migration_text(differences: &[Difference], from: &str, to: &[String]) -> String {
    let mut out = format!(
        "-- Generated by `tack diff`: takes {from} to the schema in {}.\n\
         -- Review it, then `tack lint` and `tack plan` it like any other migration.\n",
        to.join(", ")
    );
    for d in differences {
        // An identifier may hold a line break; in a `--` comment it would end the comment and
        // turn the rest of the name into SQL.
        let object: String = d
            .object
            .chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect();
        let _ = write!(
            out,
            "\n-- {} {object}: {}\n",
            kind_name(d),
            wording(d, "the database", "the desired schema")
        );
        for sql in &d.sql {
            out.push_str(sql.trim_end().trim_end_matches(';'));
            out.push_str(";\n");
        }
    }
    out
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The next migration's file name in `existing`'s naming convention: Flyway `V<n>__`,
/// `<UTC timestamp>_`, or zero-padded `NNNN_` (golang-migrate's `.up.sql` kept); Flyway for an
/// empty directory.
fn next_file_name(existing: &[String], name: &str, now_secs: i64) -> String {
    let leading_digits =
        |s: &str| -> String { s.chars().take_while(char::is_ascii_digit).collect() };
    let flyway: Vec<u64> = existing
        .iter()
        .filter_map(|f| f.strip_prefix('V').or_else(|| f.strip_prefix('v')))
        .filter(|rest| rest.contains("__"))
        .filter_map(|rest| leading_digits(rest).parse().ok())
        .collect();
    if !flyway.is_empty() || existing.is_empty() {
        let next = flyway.iter().max().copied().unwrap_or(0) + 1;
        return format!("V{next}__{name}.sql");
    }
    let numbered: Vec<(String, bool)> = existing
        .iter()
        .filter_map(|f| {
            let d = leading_digits(f);
            (!d.is_empty() && f[d.len()..].starts_with('_')).then(|| (d, f.ends_with(".up.sql")))
        })
        .collect();
    let ext = if numbered.iter().any(|(_, up)| *up) {
        ".up.sql"
    } else {
        ".sql"
    };
    if numbered.iter().any(|(d, _)| d.len() == 14) {
        let (y, mo, d) = civil_from_days(now_secs.div_euclid(86_400));
        let s = now_secs.rem_euclid(86_400);
        return format!(
            "{y:04}{mo:02}{d:02}{:02}{:02}{:02}_{name}{ext}",
            s / 3600,
            s % 3600 / 60,
            s % 60
        );
    }
    match numbered
        .iter()
        .max_by_key(|(d, _)| d.parse::<u64>().unwrap_or(0))
    {
        Some((d, _)) => {
            let next = d.parse::<u64>().unwrap_or(0) + 1;
            format!("{next:0width$}_{name}{ext}", width = d.len())
        }
        None => format!("V1__{name}.sql"),
    }
}

/// The names of the migrations in `dir`, found as every command finds them (subdirectories
/// included), so the new file sorts after all of them.
fn sql_files_in(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    Ok(files::collect(&[dir.display().to_string()])?
        .iter()
        .filter_map(|input| match input {
            files::Input::File(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
            files::Input::Stdin => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_file_names_follow_the_directory_convention() {
        let t = 1_764_000_000; // 2025-11-24 16:00:00 UTC
        assert_eq!(next_file_name(&[], "x", t), "V1__x.sql");
        assert_eq!(
            next_file_name(&["V1__a.sql".into(), "V12__b.sql".into()], "x", t),
            "V13__x.sql"
        );
        assert_eq!(
            next_file_name(&["0007_a.sql".into(), "0009_b.sql".into()], "x", t),
            "0010_x.sql"
        );
        assert_eq!(
            next_file_name(&["000001_a.up.sql".into()], "x", t),
            "000002_x.up.sql"
        );
        assert_eq!(
            next_file_name(&["20240101120000_a.sql".into()], "x", t),
            "20251124160000_x.sql"
        );
        assert_eq!(next_file_name(&["init.sql".into()], "x", t), "V1__x.sql");
    }

    #[test]
    fn psql_meta_commands_are_blanked_in_place() {
        let dump = "\\restrict abc\nCREATE TABLE t (id int);\n\\unrestrict abc\n";
        let out = without_psql_commands(dump);
        assert_eq!(out.len(), dump.len());
        assert_eq!(out.lines().nth(1), Some("CREATE TABLE t (id int);"));
        assert!(!out.contains('\\'));
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(20_416), (2025, 11, 24));
    }
}
