//! `migrations/tack.sum`: integrity sums of a migrations directory, so that a migration edited,
//! inserted, removed or reordered after review is noticed before anything runs, and so that two
//! branches that each add a migration cannot be merged silently.
//!
//! # Format
//!
//! ```text
//! h1:<base64 sha256 of all the lines below, each with its "\n">
//! V1__create.sql h1:<base64 sha256>
//! V2__index.sql h1:<base64 sha256>
//! ```
//!
//! One line per migration file in apply order (the order `tack apply` runs them), named by its
//! path relative to the directory (`/`-separated), then a space and its hash. A file's hash is
//! cumulative: sha256 over the previous line's hash text (`h1:…`; nothing for the first file), a
//! NUL byte, the name, a NUL byte, and the file's bytes. Editing, renaming, inserting, removing
//! or reordering any file changes its line and every line after it. Hashes are standard base64
//! (with padding) behind `h1:`, which names the scheme so it can change later.
//!
//! The first line exists for merges: two branches that each add a migration both rewrite it, so
//! git reports a conflict on it instead of merging two lists each computed without the other's
//! migration. A conflict resolved carelessly (one side's tack.sum kept, or both sides' lines
//! kept) no longer matches the directory, and verification names the first file that differs.
//!
//! [`verify`] is what `tack apply`, `tack plan`, `tack status` and `tack sum --check` use; a
//! directory without a tack.sum is allowed (the callers warn), `tack init` writes one.

use super::files;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "tack.sum";

/// The hash-scheme prefix.
const H1: &str = "h1:";

/// One migration's line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    /// `h1:<base64>`.
    pub hash: String,
}

/// A tack.sum: the header and the lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sums {
    pub header: String,
    pub entries: Vec<Entry>,
}

impl Sums {
    /// Builds the sums of `(name, content)` pairs given in apply order.
    pub fn of<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Sums {
        let mut entries: Vec<Entry> = Vec::new();
        for (name, content) in files {
            let mut h = Sha256::new();
            if let Some(prev) = entries.last() {
                h.update(prev.hash.as_bytes());
            }
            h.update([0]);
            h.update(name.as_bytes());
            h.update([0]);
            h.update(content);
            entries.push(Entry {
                name: name.to_owned(),
                hash: format!("{H1}{}", base64(&h.finalize())),
            });
        }
        let header = header_of(&entries);
        Sums { header, entries }
    }

    /// The file's text.
    pub fn render(&self) -> String {
        let mut out = format!("{}\n", self.header);
        out.push_str(&body(&self.entries));
        out
    }
}

fn body(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| format!("{} {}\n", e.name, e.hash))
        .collect()
}

fn header_of(entries: &[Entry]) -> String {
    format!("{H1}{}", base64(&Sha256::digest(body(entries).as_bytes())))
}

/// Standard base64 with padding (RFC 4648 §4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The sums of a directory's migrations as they are now.
pub fn compute(dir: &Path) -> Result<Sums, String> {
    let found = files::in_dir(dir)?;
    let mut contents = Vec::with_capacity(found.len());
    for (name, path) in &found {
        if name.contains(['\n', '\r']) {
            return Err(format!(
                "{}: a migration file name with a line break cannot be listed in {FILE_NAME}; rename it",
                path.display()
            ));
        }
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        contents.push((name.as_str(), bytes));
    }
    Ok(Sums::of(contents.iter().map(|(n, b)| (*n, b.as_slice()))))
}

/// What resolves a merge of two branches that each added a migration.
const MERGE_HINT: &str = "If two branches each added a migration: keep theirs as they are, \
     rebase yours onto theirs, rename yours so it sorts last, then run `tack sum`.";

/// Parses a tack.sum. Errors are placed (`path:line`) and say how to resolve them.
pub fn parse(text: &str, path: &Path) -> Result<Sums, String> {
    let shown = path.display();
    for (i, line) in text.lines().enumerate() {
        if ["<<<<<<<", "=======", ">>>>>>>", "|||||||"]
            .iter()
            .any(|m| line.starts_with(m))
        {
            return Err(format!(
                "{shown}:{}: git conflict marker: two branches changed the migrations and the \
                 merge of {FILE_NAME} was left unresolved. Do not merge {FILE_NAME} by hand: \
                 resolve the migrations themselves, then run `tack sum` (it rewrites the whole \
                 file). {MERGE_HINT}",
                i + 1
            ));
        }
    }
    let malformed = |line: usize, what: &str| {
        format!(
            "{shown}:{line}: {what}; {FILE_NAME} is written by `tack sum` (review the migrations, \
             then run it to rewrite the file)"
        )
    };
    let mut lines = text.lines();
    let header = match lines.next() {
        Some(h) if h.starts_with(H1) && !h.contains(' ') => h.to_owned(),
        Some(_) => return Err(malformed(1, "the first line should be `h1:<hash>`")),
        None => return Err(malformed(1, "the file is empty")),
    };
    let mut entries = Vec::new();
    for (i, line) in lines.enumerate() {
        match line.rsplit_once(' ') {
            Some((name, hash)) if !name.is_empty() && hash.starts_with(H1) => entries.push(Entry {
                name: name.to_owned(),
                hash: hash.to_owned(),
            }),
            _ => return Err(malformed(i + 2, "expected `<file name> h1:<hash>`")),
        }
    }
    Ok(Sums { header, entries })
}

/// How a directory differs from its tack.sum: the first difference, in apply order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// Same name at the same place, other content.
    Edited(String),
    /// A file tack.sum does not list; `before`: the listed file it sorts before, if any.
    Added {
        file: String,
        before: Option<String>,
    },
    /// A file tack.sum lists that is gone.
    Removed(String),
    /// Both lists have the file, at other places (a rename changed the order).
    Reordered { file: String, expected: String },
    /// Every line matches but the first: the header was edited or merged by hand.
    Header,
}

impl Difference {
    /// A few words, for `tack sum`'s "updated" line.
    pub fn short(&self) -> String {
        match self {
            Difference::Edited(f) => format!("{f} edited"),
            Difference::Added { file, .. } => format!("{file} added"),
            Difference::Removed(f) => format!("{f} removed"),
            Difference::Reordered { file, .. } => format!("{file} moved in the apply order"),
            Difference::Header => "first line rewritten".to_owned(),
        }
    }

    /// The full message: what differs and how to resolve it.
    pub fn explain(&self, sum_path: &Path) -> String {
        let sum = sum_path.display();
        match self {
            Difference::Edited(f) => format!(
                "{f} does not match {sum}: it was edited after {FILE_NAME} was written (or its \
                 line was computed on another branch and {FILE_NAME} was merged by hand).\n  \
                 If {f} is already applied anywhere: revert the edit, and put the change in a new \
                 migration.\n  If it was never applied (still in review): run `tack sum` to \
                 accept it.\n  {MERGE_HINT}"
            ),
            Difference::Added { file, before } => {
                let place = match before {
                    Some(b) => format!(
                        ", and it sorts before {b}, which {FILE_NAME} already lists (a \
                         migration inserted before existing ones would run out of order where \
                         those are applied)"
                    ),
                    None => String::new(),
                };
                format!(
                    "{file} is not in {sum}: it was added without updating the sum{place}.\n  \
                     Review it, then run `tack sum`.\n  {MERGE_HINT}"
                )
            }
            Difference::Removed(f) => format!(
                "{f} is listed in {sum} but missing: it was deleted or renamed.\n  Applied \
                 migrations must stay: restore it (e.g. `git checkout -- {f}`). If it was never \
                 applied anywhere, run `tack sum` to drop it from the sum."
            ),
            Difference::Reordered { file, expected } => format!(
                "{file} is not where {sum} lists it ({expected} was expected at its place): a \
                 rename changed the apply order.\n  Restore the old names; if none of these \
                 migrations was applied anywhere yet, run `tack sum` to accept the new order."
            ),
            Difference::Header => format!(
                "{sum}:1: the first line does not match the lines below it: {FILE_NAME} was \
                 edited or merged by hand.\n  Review the migrations, then run `tack sum`.\n  \
                 {MERGE_HINT}"
            ),
        }
    }
}

/// The first difference between what tack.sum says and what the directory has.
pub fn difference(recorded: &Sums, actual: &Sums) -> Option<Difference> {
    let (r, a) = (&recorded.entries, &actual.entries);
    for i in 0..r.len().max(a.len()) {
        match (r.get(i), a.get(i)) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) if x.name == y.name => {
                return Some(Difference::Edited(y.name.clone()))
            }
            (x, Some(y)) if !r.iter().any(|e| e.name == y.name) => {
                return Some(Difference::Added {
                    file: y.name.clone(),
                    before: x.map(|e| e.name.clone()),
                })
            }
            (Some(x), _) if !a.iter().any(|e| e.name == x.name) => {
                return Some(Difference::Removed(x.name.clone()))
            }
            (Some(x), Some(y)) => {
                return Some(Difference::Reordered {
                    file: y.name.clone(),
                    expected: x.name.clone(),
                })
            }
            // Unreachable: one side has an entry at every index below the longer length, and
            // a lone entry is either added or removed above.
            _ => continue,
        }
    }
    (recorded.header != actual.header).then_some(Difference::Header)
}

/// The result of checking a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// tack.sum matches; the number of migrations it covers.
    Matches(usize),
    /// No tack.sum in the directory.
    Missing,
    /// tack.sum does not match (or cannot be read as one): what and how to resolve it.
    Mismatch(String),
}

/// Checks `dir/tack.sum` against the directory. `Err` is for I/O problems.
pub fn verify(dir: &Path) -> Result<Verdict, String> {
    let path = dir.join(FILE_NAME);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verdict::Missing),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let recorded = match parse(&text, &path) {
        Ok(s) => s,
        Err(e) => return Ok(Verdict::Mismatch(e)),
    };
    let actual = compute(dir)?;
    Ok(match difference(&recorded, &actual) {
        None => Verdict::Matches(actual.entries.len()),
        Some(d) => Verdict::Mismatch(d.explain(&path)),
    })
}

/// The migrations directories among a command's paths (files and `-` have no tack.sum).
pub fn dirs_of(paths: &[String]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|p| *p != "-")
        .map(PathBuf::from)
        .filter(|p| p.is_dir())
        .collect()
}

/// Writes `dir/tack.sum` (through a temporary file, so a crash leaves the old one or the new
/// one). Returns the sums written.
pub fn write(dir: &Path) -> Result<Sums, String> {
    let sums = compute(dir)?;
    let path = dir.join(FILE_NAME);
    let tmp = dir.join(format!(".{FILE_NAME}.tmp"));
    std::fs::write(&tmp, sums.render())
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(files: &[(&str, &str)]) -> Sums {
        Sums::of(files.iter().map(|(n, c)| (*n, c.as_bytes())))
    }

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn empty_directory_sum() {
        // sha256 of nothing.
        assert_eq!(
            sums(&[]).render(),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
    }

    #[test]
    fn round_trip_and_cumulative_hashes() {
        let a = sums(&[("V1__a.sql", "x"), ("V2__b.sql", "y"), ("V3__c.sql", "z")]);
        let text = a.render();
        assert_eq!(parse(&text, Path::new("tack.sum")).unwrap(), a);
        assert_eq!(text.lines().count(), 4);
        // An edit changes its line and every later one, and the header.
        let b = sums(&[("V1__a.sql", "x"), ("V2__b.sql", "y!"), ("V3__c.sql", "z")]);
        assert_eq!(a.entries[0], b.entries[0]);
        assert_ne!(a.entries[1], b.entries[1]);
        assert_ne!(a.entries[2], b.entries[2]);
        assert_ne!(a.header, b.header);
        assert_eq!(
            difference(&a, &b),
            Some(Difference::Edited("V2__b.sql".into()))
        );
    }

    #[test]
    fn differences_are_named() {
        let base = sums(&[("V1__a.sql", "x"), ("V2__b.sql", "y")]);
        let added = sums(&[("V1__a.sql", "x"), ("V2__b.sql", "y"), ("V3__c.sql", "z")]);
        assert_eq!(
            difference(&base, &added),
            Some(Difference::Added {
                file: "V3__c.sql".into(),
                before: None
            })
        );
        let inserted = sums(&[("V1__a.sql", "x"), ("V1_5__n.sql", "n"), ("V2__b.sql", "y")]);
        assert_eq!(
            difference(&base, &inserted),
            Some(Difference::Added {
                file: "V1_5__n.sql".into(),
                before: Some("V2__b.sql".into())
            })
        );
        assert_eq!(
            difference(&added, &base),
            Some(Difference::Removed("V3__c.sql".into()))
        );
        let swapped = sums(&[("V2__b.sql", "y"), ("V1__a.sql", "x")]);
        assert_eq!(
            difference(&base, &swapped),
            Some(Difference::Reordered {
                file: "V2__b.sql".into(),
                expected: "V1__a.sql".into()
            })
        );
        let mut header = base.clone();
        header.header = "h1:AAAA".into();
        assert_eq!(difference(&header, &base), Some(Difference::Header));
    }

    #[test]
    fn union_merge_of_two_branches_is_caught() {
        // Each branch added a third migration; a merge that keeps both lines keeps b's line as
        // computed after V2, not after V3__a.
        let a = sums(&[("V1__x.sql", "1"), ("V2__y.sql", "2"), ("V3__a.sql", "a")]);
        let b = sums(&[("V1__x.sql", "1"), ("V2__y.sql", "2"), ("V4__b.sql", "b")]);
        let mut merged = a.clone();
        merged.entries.push(b.entries[2].clone());
        let actual = sums(&[
            ("V1__x.sql", "1"),
            ("V2__y.sql", "2"),
            ("V3__a.sql", "a"),
            ("V4__b.sql", "b"),
        ]);
        assert_eq!(
            difference(&merged, &actual),
            Some(Difference::Edited("V4__b.sql".into()))
        );
    }

    #[test]
    fn conflict_markers_and_garbage_are_placed() {
        let e = parse(
            "<<<<<<< HEAD\nh1:abc\n=======\nh1:def\n>>>>>>> theirs\n",
            Path::new("m/tack.sum"),
        )
        .unwrap_err();
        assert!(e.starts_with("m/tack.sum:1: git conflict marker"), "{e}");
        assert!(e.contains("rename yours so it sorts last"), "{e}");
        let e = parse("h1:abc\nV1__a.sql\n", Path::new("tack.sum")).unwrap_err();
        assert!(e.starts_with("tack.sum:2: expected"), "{e}");
        let e = parse("hello\n", Path::new("tack.sum")).unwrap_err();
        assert!(e.starts_with("tack.sum:1: the first line"), "{e}");
    }

    #[test]
    fn names_with_spaces_round_trip() {
        let a = sums(&[("V1__a b.sql", "x")]);
        assert_eq!(parse(&a.render(), Path::new("tack.sum")).unwrap(), a);
    }
}
