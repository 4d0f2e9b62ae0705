//! Finding migration files and putting them in the order migration tools apply them:
//! Flyway `V<version>__name.sql` (then repeatable `R__name.sql`), `<timestamp>_name.sql` (sqlx,
//! dbmate), `NNNN_name.up.sql` (golang-migrate; `.down.sql` skipped), otherwise natural order.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

/// Where a migration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin,
}

/// Expands the command line's paths: directories become their migration files in apply order;
/// files and `-` stay where they were given.
pub fn collect(paths: &[String]) -> Result<Vec<Input>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
            continue;
        }
        let path = Path::new(p);
        let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {p}: {e}"))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found)?;
            found.sort_by(|a, b| compare(a, b));
            out.extend(found.into_iter().map(Input::File));
        } else {
            out.push(Input::File(path.to_path_buf()));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot list {}: {e}", dir.display()))?;
        let path = entry.path();
        let file_type = entry
            .file_type()
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else if is_migration(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_migration(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".sql")
        && !lower.ends_with(".down.sql")
        // diesel's `<version>_<name>/down.sql`.
        && lower != "down.sql"
        // Flyway undo migrations.
        && !(name.starts_with('U') && name.contains("__"))
}

/// How a file name sorts.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Key {
    /// Versioned: Flyway `V1.2__x`, `20240101120000_x`, `0001_x.up`.
    Versioned(Vec<Number>),
    /// Anything else, in natural order.
    Natural(Vec<Chunk>),
    /// Flyway repeatable migrations run after all versioned ones.
    Repeatable(Vec<Chunk>),
}

/// A run of digits compared by value (leading zeros ignored), however long.
#[derive(Debug, PartialEq, Eq)]
struct Number(String);

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = self.0.trim_start_matches('0');
        let b = other.0.trim_start_matches('0');
        a.len().cmp(&b.len()).then_with(|| a.cmp(b))
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Chunk {
    Digits(Number),
    Text(String),
}

fn natural(s: &str) -> Vec<Chunk> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let digit = c.is_ascii_digit();
        let end = rest
            .find(|ch: char| ch.is_ascii_digit() != digit)
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(end);
        out.push(if digit {
            Chunk::Digits(Number(run.to_owned()))
        } else {
            Chunk::Text(run.to_lowercase())
        });
        rest = tail;
    }
    out
}

fn key(path: &Path) -> Key {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if let Some(rest) = name.strip_prefix('V').or_else(|| name.strip_prefix('v')) {
        if let Some((version, _)) = rest.split_once("__") {
            let parts: Vec<&str> = version.split(['.', '_']).collect();
            if !parts.is_empty()
                && parts
                    .iter()
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            {
                return Key::Versioned(parts.into_iter().map(|p| Number(p.to_owned())).collect());
            }
        }
    }
    if let Some(rest) = name.strip_prefix("R__") {
        return Key::Repeatable(natural(rest));
    }
    let digits: String = name.chars().take_while(char::is_ascii_digit).collect();
    if !digits.is_empty() && name[digits.len()..].starts_with(['_', '-', '.']) {
        return Key::Versioned(vec![Number(digits)]);
    }
    Key::Natural(natural(name))
}

fn compare(a: &Path, b: &Path) -> Ordering {
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// The migration files under `dir`, in apply order, each with its path relative to `dir`
/// (`/`-separated: the name `tack.sum` lists it under).
pub fn in_dir(dir: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let mut found = Vec::new();
    walk(dir, &mut found)?;
    found.sort_by(|a, b| compare(a, b));
    Ok(found
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap_or(&path);
            let name = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            (name, path)
        })
        .collect())
}

/// The version part of a migration's file name, as recorded in the history: Flyway
/// `V1.2__x.sql` → `1.2` (`V1_2__` too, as Flyway reads it), `20240101120000_x.sql` →
/// `20240101120000`, `0003_x.up.sql` → `0003`; otherwise (repeatable and free-form names) the
/// name itself.
pub fn version(name: &str) -> String {
    match key(Path::new(name)) {
        Key::Versioned(_) => {
            if let Some(rest) = name.strip_prefix(['V', 'v']) {
                if let Some((v, _)) = rest.split_once("__") {
                    if !v.is_empty()
                        && v.bytes()
                            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
                    {
                        return v.replace('_', ".");
                    }
                }
            }
            name.chars().take_while(char::is_ascii_digit).collect()
        }
        Key::Natural(_) | Key::Repeatable(_) => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(names: &[&str]) -> Vec<String> {
        let mut paths: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        paths.sort_by(|a, b| compare(a, b));
        paths.iter().map(|p| p.display().to_string()).collect()
    }

    #[test]
    fn flyway_versions_sort_numerically() {
        assert_eq!(
            order(&[
                "V10__c.sql",
                "V2__b.sql",
                "V1.1__a2.sql",
                "V1__a.sql",
                "R__view.sql"
            ]),
            vec![
                "V1__a.sql",
                "V1.1__a2.sql",
                "V2__b.sql",
                "V10__c.sql",
                "R__view.sql"
            ]
        );
    }

    #[test]
    fn timestamps_and_golang_migrate() {
        assert_eq!(
            order(&["20240102000000_b.sql", "20231231235959_a.sql"]),
            vec!["20231231235959_a.sql", "20240102000000_b.sql"]
        );
        assert_eq!(
            order(&["0010_x.up.sql", "0002_y.up.sql"]),
            vec!["0002_y.up.sql", "0010_x.up.sql"]
        );
        assert!(!is_migration(Path::new("0002_y.down.sql")));
        assert!(!is_migration(Path::new("U2__undo.sql")));
    }

    #[test]
    fn versions_from_names() {
        assert_eq!(version("V1.2__add.sql"), "1.2");
        assert_eq!(version("V1_2__add.sql"), "1.2");
        assert_eq!(version("20240101120000_add.sql"), "20240101120000");
        assert_eq!(version("0003_add.up.sql"), "0003");
        assert_eq!(version("R__views.sql"), "R__views.sql");
        assert_eq!(version("add_things.sql"), "add_things.sql");
    }

    #[test]
    fn natural_order_otherwise() {
        assert_eq!(
            order(&["step10.sql", "step9.sql", "alpha.sql"]),
            vec!["alpha.sql", "step9.sql", "step10.sql"]
        );
    }
}
