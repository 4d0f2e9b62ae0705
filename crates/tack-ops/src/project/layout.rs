//! Migration layouts: how each migration tool lays out a project, and how tack reads it as that
//! tool does — which files are migrations and in what order, each migration's identity (its
//! version and name as the tool defines them), the part that runs when migrating up, and whether
//! the tool runs it inside a transaction.
//!
//! | tool | files | up part | transaction |
//! |---|---|---|---|
//! | goose | `<version>_<name>.sql` | `-- +goose Up` … `-- +goose Down` | yes, unless `-- +goose NO TRANSACTION`; statements sent one by one |
//! | dbmate | `<digits>_<name>.sql` | `-- migrate:up` … `-- migrate:down` | yes, unless `transaction:false`; then one multi-statement query |
//! | golang-migrate | `<version>_<name>.up.sql` (`.down.sql`) | the `.up.sql` file | none of its own; one multi-statement query |
//! | diesel | `<version>_<name>/up.sql` (`down.sql`, `metadata.toml`) | `up.sql` | yes, unless `run_in_transaction = false`; then one query |
//! | sqlx | `<version>_<name>.sql`, or `.up.sql` / `.down.sql` | the file (the `.up.sql`) | yes, unless it starts with `-- no-transaction`; then one query |
//! | Flyway | `V<version>__<name>.sql`, `R__<name>.sql` (`U…` undo ignored) | the file | yes, unless `<file>.conf` says `executeInTransaction=false` |
//! | tack | `V<n>__`, `<timestamp>_`, `NNNN_` names | the file | tack plans each statement's own transactions |
//!
//! A query holding several statements runs as one implicit transaction block in PostgreSQL, so
//! "one multi-statement query" counts as a transaction when the file has more than one
//! statement.
//!
//! What a directory is: `--layout`/`layout` in tack.toml, else what its files show
//! (subdirectories with `up.sql`; `-- +goose` or `-- migrate:` annotations; `.up.sql` pairs;
//! `V…__` names), narrowed by the project's own files (a `Cargo.toml` naming sqlx, a `go.mod`
//! naming golang-migrate, Flyway configuration, a `tack.sum`) and, when connected, by the history
//! tables present. A directory that still fits several tools is an error naming them.
//!
//! The up part is kept at its place in the file: everything else (the down section, the
//! directives) is blanked with spaces, line breaks kept, so a finding's line:column is the file's.

use std::fmt;
use std::path::{Path, PathBuf};

/// A migration tool whose project layout tack reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tool {
    Goose,
    Dbmate,
    GolangMigrate,
    Diesel,
    Sqlx,
    Flyway,
    /// tack's own: files applied by `tack apply`.
    Tack,
}

impl Tool {
    pub const ALL: [Tool; 7] = [
        Tool::Goose,
        Tool::Dbmate,
        Tool::GolangMigrate,
        Tool::Diesel,
        Tool::Sqlx,
        Tool::Flyway,
        Tool::Tack,
    ];

    /// The name used by `--layout` and tack.toml.
    pub fn id(self) -> &'static str {
        match self {
            Tool::Goose => "goose",
            Tool::Dbmate => "dbmate",
            Tool::GolangMigrate => "golang-migrate",
            Tool::Diesel => "diesel",
            Tool::Sqlx => "sqlx",
            Tool::Flyway => "flyway",
            Tool::Tack => "tack",
        }
    }

    pub fn from_id(text: &str) -> Option<Tool> {
        let t = text.trim().to_ascii_lowercase();
        Tool::ALL
            .into_iter()
            .find(|tool| tool.id() == t || (t == "migrate" && *tool == Tool::GolangMigrate))
    }

    /// The table the tool records applied migrations in.
    pub fn history_table(self) -> Option<&'static str> {
        match self {
            Tool::Goose => Some("goose_db_version"),
            Tool::Dbmate | Tool::GolangMigrate => Some("schema_migrations"),
            Tool::Diesel => Some("__diesel_schema_migrations"),
            Tool::Sqlx => Some("_sqlx_migrations"),
            Tool::Flyway => Some("flyway_schema_history"),
            Tool::Tack => None,
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How the tool runs a migration's up part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionMode {
    /// The tool wraps it in `BEGIN` … `COMMIT`.
    Wrapped,
    /// Sent as one query: one implicit transaction block when it holds several statements.
    OneQuery,
    /// Statement by statement, each on its own (or tack plans it).
    PerStatement,
}

impl TransactionMode {
    /// Whether the statements of a file with `statements` statements run inside a transaction
    /// block.
    pub fn in_transaction(self, statements: usize) -> bool {
        match self {
            TransactionMode::Wrapped => true,
            TransactionMode::OneQuery => statements > 1,
            TransactionMode::PerStatement => false,
        }
    }
}

/// One migration, as its tool defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutMigration {
    /// What tack records it under: the file name for flat layouts (`V1__init.sql`,
    /// `000001_create_users.up.sql`), the directory name for diesel
    /// (`2023-01-05-120000_create_users`).
    pub id: String,
    /// The version as the tool reads it (`1.1`, `20230105120000`, `000001`); None for
    /// Flyway's repeatable migrations.
    pub version: Option<String>,
    /// The name (description) part.
    pub name: String,
    /// The file holding the up part.
    pub path: PathBuf,
    /// Flyway `R__`: applied after every versioned migration, again whenever it changes.
    pub repeatable: bool,
    pub transaction: TransactionMode,
}

/// A directory read in a layout.
#[derive(Debug, Clone)]
pub struct Layout {
    pub tool: Tool,
    /// Why this layout (for the output: "read as goose: `-- +goose` annotations").
    pub because: String,
    pub migrations: Vec<LayoutMigration>,
}

/// What can be known about a directory before reading it as a layout.
#[derive(Debug, Default, Clone)]
pub struct Hints {
    /// `--layout` or tack.toml's `layout`.
    pub given: Option<Tool>,
    /// History tables present in the target (connected), by tool.
    pub history: Vec<Tool>,
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// The leading digits of `name` and the rest after one separator (`_`).
fn digits_then_underscore(name: &str) -> Option<(&str, &str)> {
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let rest = name[digits..].strip_prefix('_')?;
    Some((&name[..digits], rest))
}

/// Flyway's `V<version>__<name>` (version parts by `.` or `_`).
fn flyway_versioned(name: &str) -> Option<(String, String)> {
    let rest = name.strip_prefix(['V', 'v'])?;
    let (version, description) = rest.split_once("__")?;
    let parts: Vec<&str> = version.split(['.', '_']).collect();
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let description = description.strip_suffix(".sql")?;
    Some((parts.join("."), description.to_owned()))
}

/// A diesel migration directory name: `YYYY-MM-DD-hhmmss_name` or `<digits>_name`; its version
/// is the part before the first `_` without dashes.
fn diesel_dir(name: &str) -> Option<(String, String)> {
    let (version, rest) = name.split_once('_')?;
    let digits = version.replace('-', "");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || rest.is_empty() {
        return None;
    }
    Some((digits, rest.to_owned()))
}

/// What the directory's files look like.
#[derive(Debug, Default)]
struct Survey {
    /// Subdirectories holding an `up.sql`.
    diesel_dirs: Vec<PathBuf>,
    /// `.sql` files directly in the directory (or below, for flat layouts).
    sql_files: Vec<PathBuf>,
    goose_annotated: usize,
    dbmate_annotated: usize,
    up_down_pairs: usize,
    flyway_named: usize,
    flyway_undo_or_repeatable: usize,
    flyway_conf: usize,
    digits_named: usize,
}

fn survey(dir: &Path) -> Result<Survey, String> {
    let mut s = Survey::default();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        let meta =
            std::fs::metadata(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let name = file_name(&path).to_owned();
        if meta.is_dir() {
            if path.join("up.sql").is_file() {
                s.diesel_dirs.push(path);
            }
            continue;
        }
        if name.ends_with(".sql.conf") {
            s.flyway_conf += 1;
            continue;
        }
        if !name.to_ascii_lowercase().ends_with(".sql") {
            continue;
        }
        // A `.down.sql` alone makes no migration (tack's and Flyway's readers skip it).
        if name.ends_with(".up.sql") {
            s.up_down_pairs += 1;
        }
        if flyway_versioned(&name).is_some() {
            s.flyway_named += 1;
        }
        if name.starts_with("R__") || (name.starts_with('U') && name.contains("__")) {
            s.flyway_undo_or_repeatable += 1;
        }
        if digits_then_underscore(&name).is_some() {
            s.digits_named += 1;
        }
        // Only regular files are read (a FIFO would block forever).
        if meta.is_file() {
            let text = read_text(&path)?;
            if text
                .lines()
                .any(|l| l.trim_start().to_ascii_lowercase().starts_with("-- +goose"))
            {
                s.goose_annotated += 1;
            }
            if text.lines().any(|l| {
                let l = l.trim_start().to_ascii_lowercase();
                l.starts_with("-- migrate:up") || l.starts_with("-- migrate:down")
            }) {
                s.dbmate_annotated += 1;
            }
        }
        s.sql_files.push(path);
    }
    Ok(s)
}

/// The project's own files around the directory (up to 3 levels up) that name a tool, each with
/// the file that does (`../go.mod`).
fn project_signs(dir: &Path) -> Vec<(Tool, String)> {
    let mut signs: Vec<(Tool, String)> = Vec::new();
    let mut here = Some(dir);
    for _ in 0..4 {
        let Some(d) = here else { break };
        let mut sign = |tool: Tool, file: &str| {
            if !signs.iter().any(|(t, _)| *t == tool) {
                signs.push((tool, d.join(file).display().to_string()));
            }
        };
        let read = |name: &str| std::fs::read_to_string(d.join(name)).unwrap_or_default();
        let cargo = read("Cargo.toml");
        if cargo.contains("sqlx") {
            sign(Tool::Sqlx, "Cargo.toml");
        }
        if cargo.contains("diesel") {
            sign(Tool::Diesel, "Cargo.toml");
        }
        let go = read("go.mod");
        if go.contains("golang-migrate/migrate") {
            sign(Tool::GolangMigrate, "go.mod");
        }
        if go.contains("pressly/goose") {
            sign(Tool::Goose, "go.mod");
        }
        for conf in ["flyway.conf", "flyway.toml"] {
            if d.join(conf).is_file() {
                sign(Tool::Flyway, conf);
            }
        }
        for own in ["tack.sum", "tack.toml"] {
            if d.join(own).is_file() {
                sign(Tool::Tack, own);
            }
        }
        here = d.parent();
    }
    signs
}

/// Decides the layout of `dir`.
pub fn detect(dir: &Path, hints: &Hints) -> Result<(Tool, String), String> {
    if let Some(tool) = hints.given {
        return Ok((tool, "as configured (--layout or tack.toml)".to_owned()));
    }
    let s = survey(dir)?;
    let signs = project_signs(dir);
    let mut candidates: Vec<(Tool, &str)> = Vec::new();
    if !s.diesel_dirs.is_empty() {
        candidates.push((Tool::Diesel, "migration directories holding up.sql"));
    }
    if s.goose_annotated > 0 {
        candidates.push((Tool::Goose, "`-- +goose` annotations"));
    }
    if s.dbmate_annotated > 0 {
        candidates.push((Tool::Dbmate, "`-- migrate:up` annotations"));
    }
    if candidates.len() == 1 {
        let (tool, why) = candidates[0];
        return Ok((tool, why.to_owned()));
    }
    if candidates.len() > 1 {
        return Err(ambiguous(
            dir,
            &candidates.iter().map(|c| c.0).collect::<Vec<_>>(),
        ));
    }
    // Files alone do not tell these apart: the project and the database may.
    let mut fits: Vec<Tool> = if s.up_down_pairs > 0 {
        vec![Tool::GolangMigrate, Tool::Sqlx]
    } else if s.flyway_named > 0 {
        vec![Tool::Flyway, Tool::Tack]
    } else if s.digits_named > 0 {
        vec![Tool::Sqlx, Tool::Tack]
    } else {
        vec![Tool::Tack]
    };
    if fits.contains(&Tool::Flyway) && (s.flyway_undo_or_repeatable > 0 || s.flyway_conf > 0) {
        return Ok((
            Tool::Flyway,
            "Flyway file names (V…__, R__/U… files or .sql.conf)".to_owned(),
        ));
    }
    if fits.len() == 1 {
        return Ok((fits[0], "plain migration files".to_owned()));
    }
    let signed: Vec<Tool> = signs.iter().map(|(t, _)| *t).collect();
    for (source, narrowing) in [
        ("history tables in the database", &hints.history),
        ("the project's files", &signed),
    ] {
        let both: Vec<Tool> = fits
            .iter()
            .copied()
            .filter(|t| narrowing.contains(t))
            .collect();
        if both.len() == 1 {
            let tool = both[0];
            let why = match signs.iter().find(|(t, _)| *t == tool) {
                Some((_, file)) if source == "the project's files" => {
                    format!("the file names, and {file} names {tool}")
                }
                _ => match tool.history_table() {
                    Some(table) if source != "the project's files" => {
                        format!("the file names, and the database's {table} table")
                    }
                    _ => format!("the file names, and {source}"),
                },
            };
            return Ok((tool, why));
        }
        if !both.is_empty() {
            fits = both;
        }
    }
    // Flat files with no other tool's signs are read as tack's own layout (the names `tack init`
    // suggests): the same files, order and text as Flyway or sqlx would read; only their
    // transactions differ, which `--layout` sets when these are Flyway's or sqlx's.
    if fits.contains(&Tool::Tack) {
        return Ok((
            Tool::Tack,
            format!(
                "plain migration files with no sign of {} (give --layout {} if they are its)",
                fits[0], fits[0]
            ),
        ));
    }
    Err(ambiguous(dir, &fits))
}

fn ambiguous(dir: &Path, candidates: &[Tool]) -> String {
    let names: Vec<&str> = candidates.iter().map(|t| t.id()).collect();
    format!(
        "{} could be laid out for {}: tack reads each tool's files as that tool does, so it must \
         know which; give --layout {} (or `layout = \"…\"` in tack.toml)",
        dir.display(),
        names.join(" or "),
        names.join("|")
    )
}

/// Reads `dir` in its layout: the migrations in the tool's order.
pub fn read(dir: &Path, hints: &Hints) -> Result<Layout, String> {
    let (tool, because) = detect(dir, hints)?;
    let s = survey(dir)?;
    let mut migrations = match tool {
        Tool::Diesel => read_diesel(&s)?,
        Tool::Goose => read_flat(&s, tool, |name| {
            let (version, rest) = digits_then_underscore(name)?;
            Some((version.to_owned(), rest.strip_suffix(".sql")?.to_owned()))
        })?,
        Tool::Dbmate => read_flat(&s, tool, |name| {
            let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                return None;
            }
            let rest = name[digits.len()..].trim_start_matches('_');
            Some((digits, rest.strip_suffix(".sql")?.to_owned()))
        })?,
        Tool::GolangMigrate => read_flat(&s, tool, |name| {
            let (version, rest) = digits_then_underscore(name)?;
            Some((version.to_owned(), rest.strip_suffix(".up.sql")?.to_owned()))
        })?,
        Tool::Sqlx => read_flat(&s, tool, |name| {
            let (version, rest) = digits_then_underscore(name)?;
            if rest.ends_with(".down.sql") {
                return None;
            }
            let description = rest
                .strip_suffix(".up.sql")
                .or_else(|| rest.strip_suffix(".sql"))?;
            Some((version.to_owned(), description.to_owned()))
        })?,
        Tool::Flyway => read_flyway(&s)?,
        Tool::Tack => read_tack(dir)?,
    };
    sort(tool, &mut migrations);
    Ok(Layout {
        tool,
        because,
        migrations,
    })
}

/// How `tool` runs a migration with this text, as far as the text says (the annotations of
/// goose, dbmate and sqlx; diesel's and Flyway's settings are in files beside it).
pub fn transaction_of_text(tool: Tool, text: &str) -> TransactionMode {
    match tool {
        Tool::Goose => {
            let no_tx = text.lines().any(|l| {
                l.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("-- +goose no transaction")
            });
            if no_tx {
                TransactionMode::PerStatement
            } else {
                TransactionMode::Wrapped
            }
        }
        Tool::Dbmate => {
            let up = text
                .lines()
                .find(|l| {
                    l.trim_start()
                        .to_ascii_lowercase()
                        .starts_with("-- migrate:up")
                })
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            if up.contains("transaction:false") {
                TransactionMode::OneQuery
            } else {
                TransactionMode::Wrapped
            }
        }
        Tool::GolangMigrate => TransactionMode::OneQuery,
        Tool::Sqlx => {
            if text.starts_with("-- no-transaction") {
                TransactionMode::OneQuery
            } else {
                TransactionMode::Wrapped
            }
        }
        Tool::Diesel | Tool::Flyway => TransactionMode::Wrapped,
        Tool::Tack => TransactionMode::PerStatement,
    }
}

fn transaction_of(tool: Tool, path: &Path) -> Result<TransactionMode, String> {
    Ok(match tool {
        Tool::Goose | Tool::Dbmate | Tool::Sqlx => transaction_of_text(tool, &read_text(path)?),
        Tool::GolangMigrate => TransactionMode::OneQuery,
        Tool::Diesel => {
            let metadata = path
                .parent()
                .map(|d| d.join("metadata.toml"))
                .filter(|m| m.is_file());
            match metadata {
                // The setting defaults to false when the file exists without it.
                Some(m) => {
                    let t = read_text(&m)?;
                    let value: Option<toml_like::Value> =
                        toml_like::bool_key(&t, "run_in_transaction");
                    match value {
                        Some(toml_like::Value::Bool(true)) => TransactionMode::Wrapped,
                        _ => TransactionMode::OneQuery,
                    }
                }
                None => TransactionMode::Wrapped,
            }
        }
        Tool::Flyway => {
            let conf = PathBuf::from(format!("{}.conf", path.display()));
            let off = conf.is_file()
                && read_text(&conf)?.lines().any(|l| {
                    let l: String = l.chars().filter(|c| !c.is_whitespace()).collect();
                    l.eq_ignore_ascii_case("executeInTransaction=false")
                });
            if off {
                TransactionMode::PerStatement
            } else {
                TransactionMode::Wrapped
            }
        }
        Tool::Tack => TransactionMode::PerStatement,
    })
}

/// A small reader for the one kind of `metadata.toml` line diesel has (`key = true|false`),
/// without a TOML parser in this crate.
mod toml_like {
    pub enum Value {
        Bool(bool),
    }

    pub fn bool_key(text: &str, key: &str) -> Option<Value> {
        text.lines().find_map(|line| {
            let line = line.split('#').next()?.trim();
            let (k, v) = line.split_once('=')?;
            if k.trim() != key {
                return None;
            }
            match v.trim() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            }
        })
    }
}

fn read_flat(
    s: &Survey,
    tool: Tool,
    parse: impl Fn(&str) -> Option<(String, String)>,
) -> Result<Vec<LayoutMigration>, String> {
    let mut out = Vec::new();
    for path in &s.sql_files {
        let name = file_name(path);
        let Some((version, description)) = parse(name) else {
            continue;
        };
        out.push(LayoutMigration {
            id: name.to_owned(),
            version: Some(version),
            name: description,
            transaction: transaction_of(tool, path)?,
            path: path.clone(),
            repeatable: false,
        });
    }
    Ok(out)
}

fn read_diesel(s: &Survey) -> Result<Vec<LayoutMigration>, String> {
    let mut out = Vec::new();
    for dir in &s.diesel_dirs {
        let dir_name = file_name(dir);
        let Some((version, name)) = diesel_dir(dir_name) else {
            return Err(format!(
                "{}: not a diesel migration directory name (expected \
                 YYYY-MM-DD-hhmmss_name or <digits>_name)",
                dir.display()
            ));
        };
        let up = dir.join("up.sql");
        out.push(LayoutMigration {
            id: dir_name.to_owned(),
            version: Some(version),
            name,
            transaction: transaction_of(Tool::Diesel, &up)?,
            path: up,
            repeatable: false,
        });
    }
    Ok(out)
}

fn read_flyway(s: &Survey) -> Result<Vec<LayoutMigration>, String> {
    let mut out = Vec::new();
    for path in &s.sql_files {
        let name = file_name(path);
        if let Some((version, description)) = flyway_versioned(name) {
            out.push(LayoutMigration {
                id: name.to_owned(),
                version: Some(version),
                name: description.replace('_', " "),
                transaction: transaction_of(Tool::Flyway, path)?,
                path: path.clone(),
                repeatable: false,
            });
        } else if let Some(description) = name
            .strip_prefix("R__")
            .and_then(|r| r.strip_suffix(".sql"))
        {
            out.push(LayoutMigration {
                id: name.to_owned(),
                version: None,
                name: description.replace('_', " "),
                transaction: transaction_of(Tool::Flyway, path)?,
                path: path.clone(),
                repeatable: true,
            });
        }
        // U… undo files run only on `flyway undo`; anything else is not a migration.
    }
    Ok(out)
}

/// tack's own layout: every `.sql` file below the directory (subdirectories too), in the order
/// `files` puts them.
fn read_tack(dir: &Path) -> Result<Vec<LayoutMigration>, String> {
    let mut out = Vec::new();
    for (_, path) in super::files::in_dir(dir)? {
        let name = file_name(&path).to_owned();
        out.push(LayoutMigration {
            version: Some(super::files::version(&name)),
            name: name.trim_end_matches(".sql").to_owned(),
            id: name,
            repeatable: name_is_repeatable(&path),
            transaction: TransactionMode::PerStatement,
            path,
        });
    }
    Ok(out)
}

fn name_is_repeatable(path: &Path) -> bool {
    file_name(path).starts_with("R__")
}

/// Numeric versions compared by value, part by part (`1 < 1.1 < 2 < 10`; leading zeros
/// ignored).
fn version_key(version: &str) -> Vec<(usize, String)> {
    version
        .split('.')
        .map(|p| {
            let t = p.trim_start_matches('0');
            (t.len(), t.to_owned())
        })
        .collect()
}

fn sort(tool: Tool, migrations: &mut [LayoutMigration]) {
    match tool {
        // Sorted by file name (dbmate) or by version as a string (diesel).
        Tool::Dbmate => migrations.sort_by(|a, b| a.id.cmp(&b.id)),
        Tool::Diesel => migrations.sort_by(|a, b| a.version.cmp(&b.version).then(a.id.cmp(&b.id))),
        // tack's own order is already the files' order.
        Tool::Tack => {}
        _ => migrations.sort_by(|a, b| {
            a.repeatable
                .cmp(&b.repeatable)
                .then_with(|| {
                    let ka = a.version.as_deref().map(version_key);
                    let kb = b.version.as_deref().map(version_key);
                    ka.cmp(&kb)
                })
                .then_with(|| a.name.cmp(&b.name))
        }),
    }
}

/// A file's text with everything but what runs when migrating up blanked (spaces; line breaks
/// kept, so byte offsets and line:column stay the file's).
pub fn up_part(tool: Tool, text: &str) -> String {
    match tool {
        Tool::Goose => keep_between(
            text,
            |l| directive(l, "-- +goose up"),
            |l| directive(l, "-- +goose down"),
        ),
        Tool::Dbmate => keep_between(
            text,
            |l| directive(l, "-- migrate:up"),
            |l| directive(l, "-- migrate:down"),
        ),
        _ => text.to_owned(),
    }
}

fn directive(line: &str, prefix: &str) -> bool {
    line.trim_start().to_ascii_lowercase().starts_with(prefix)
}

/// Keeps the lines after the line where `start` holds, up to the line where `end` holds; blanks
/// the rest (and both directive lines).
fn keep_between(text: &str, start: impl Fn(&str) -> bool, end: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut state = 0; // 0 before start, 1 inside, 2 after end
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let keep = match state {
            0 if start(body) => {
                state = 1;
                false
            }
            1 if end(body) => {
                state = 2;
                false
            }
            1 => true,
            _ => false,
        };
        if keep {
            out.push_str(line);
        } else {
            out.extend(
                line.chars()
                    .map(|c| if c == '\n' || c == '\r' { c } else { ' ' }),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).unwrap();
        }
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn goose_up_part_keeps_positions() {
        let text = "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n";
        let up = up_part(Tool::Goose, text);
        assert_eq!(up.len(), text.len());
        assert!(up.contains("CREATE TABLE a"));
        assert!(!up.contains("DROP TABLE"));
        assert_eq!(up.lines().count(), text.lines().count());
        assert_eq!(up.find("CREATE"), text.find("CREATE"));
    }

    #[test]
    fn dbmate_up_part_and_transaction() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "20230101000000_a.sql",
            "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n",
        );
        write(
            dir.path(),
            "20230102000000_b.sql",
            "-- migrate:up\nSELECT 1;\n-- migrate:down\n",
        );
        let l = read(dir.path(), &Hints::default()).unwrap();
        assert_eq!(l.tool, Tool::Dbmate);
        assert_eq!(l.migrations[0].transaction, TransactionMode::OneQuery);
        assert_eq!(l.migrations[1].transaction, TransactionMode::Wrapped);
        assert_eq!(l.migrations[0].version.as_deref(), Some("20230101000000"));
        let up = up_part(
            Tool::Dbmate,
            &std::fs::read_to_string(&l.migrations[0].path).unwrap(),
        );
        assert!(!up.contains("DROP INDEX"));
    }

    #[test]
    fn diesel_dirs_are_identified_by_their_name() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "2023-01-05-120000_create_users/up.sql",
            "CREATE TABLE users (id int);",
        );
        write(
            dir.path(),
            "2023-01-05-120000_create_users/down.sql",
            "DROP TABLE users;",
        );
        write(
            dir.path(),
            "00000000000000_diesel_initial_setup/up.sql",
            "SELECT 1;",
        );
        write(
            dir.path(),
            "2023-02-01-000000_idx/up.sql",
            "CREATE INDEX CONCURRENTLY i ON users (id);",
        );
        write(
            dir.path(),
            "2023-02-01-000000_idx/metadata.toml",
            "run_in_transaction = false\n",
        );
        let l = read(dir.path(), &Hints::default()).unwrap();
        assert_eq!(l.tool, Tool::Diesel);
        let ids: Vec<&str> = l.migrations.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "00000000000000_diesel_initial_setup",
                "2023-01-05-120000_create_users",
                "2023-02-01-000000_idx"
            ]
        );
        assert_eq!(l.migrations[1].version.as_deref(), Some("20230105120000"));
        assert!(l.migrations[1].path.ends_with("up.sql"));
        assert_eq!(l.migrations[2].transaction, TransactionMode::OneQuery);
        assert_eq!(l.migrations[1].transaction, TransactionMode::Wrapped);
    }

    #[test]
    fn up_down_pairs_need_a_decision() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "000001_a.up.sql", "CREATE TABLE a (id int);");
        write(dir.path(), "000001_a.down.sql", "DROP TABLE a;");
        let e = read(dir.path(), &Hints::default()).unwrap_err();
        assert!(e.contains("golang-migrate or sqlx"), "{e}");
        let l = read(
            dir.path(),
            &Hints {
                history: vec![Tool::GolangMigrate],
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(l.tool, Tool::GolangMigrate);
        assert_eq!(l.migrations.len(), 1);
        assert_eq!(l.migrations[0].transaction, TransactionMode::OneQuery);
        assert!(!TransactionMode::OneQuery.in_transaction(1));
        assert!(TransactionMode::OneQuery.in_transaction(2));
        // A project whose Cargo.toml names sqlx.
        let project = tempfile::tempdir().unwrap();
        write(
            project.path(),
            "Cargo.toml",
            "[dependencies]\nsqlx = \"0.8\"\n",
        );
        write(
            project.path(),
            "migrations/000001_a.up.sql",
            "CREATE TABLE a (id int);",
        );
        let l = read(&project.path().join("migrations"), &Hints::default()).unwrap();
        assert_eq!(l.tool, Tool::Sqlx);
        assert_eq!(l.migrations[0].transaction, TransactionMode::Wrapped);
    }

    #[test]
    fn flyway_orders_versions_numerically_and_ignores_undo() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "V10__j.sql",
            "V2__b.sql",
            "V1.1__a_b.sql",
            "V1__a.sql",
            "R__views.sql",
            "U2__b.sql",
        ] {
            write(dir.path(), name, "SELECT 1;");
        }
        write(dir.path(), "V2__b.sql.conf", "executeInTransaction=false\n");
        let l = read(dir.path(), &Hints::default()).unwrap();
        assert_eq!(l.tool, Tool::Flyway);
        let ids: Vec<&str> = l.migrations.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "V1__a.sql",
                "V1.1__a_b.sql",
                "V2__b.sql",
                "V10__j.sql",
                "R__views.sql"
            ]
        );
        assert_eq!(l.migrations[1].name, "a b");
        assert_eq!(l.migrations[2].transaction, TransactionMode::PerStatement);
        assert_eq!(l.migrations[0].transaction, TransactionMode::Wrapped);
        assert!(l.migrations[4].repeatable);
    }

    #[test]
    fn plain_files_are_tacks_own_unless_the_project_or_database_says_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "V1__a.sql", "SELECT 1;");
        let l = read(dir.path(), &Hints::default()).unwrap();
        assert_eq!(l.tool, Tool::Tack);
        assert!(l.because.contains("--layout flyway"), "{}", l.because);
        let l = read(
            dir.path(),
            &Hints {
                history: vec![Tool::Flyway],
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(l.tool, Tool::Flyway);
        let l = read(
            dir.path(),
            &Hints {
                given: Some(Tool::Flyway),
                ..Hints::default()
            },
        )
        .unwrap();
        assert_eq!(l.tool, Tool::Flyway);
    }
}
