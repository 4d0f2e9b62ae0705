//! Helpers for the tests on the migration corpora in `corpus/`: the corpus and its manifest,
//! running `tack` on them, the reference application by the tools' rules (`corpus/check.sh`),
//! and schema dumps.

#![allow(dead_code)]

use crate::apply_common::{show, text};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn corpus_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus")
}

pub fn manifest() -> Value {
    let text = std::fs::read_to_string(corpus_root().join("manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

pub fn corpus(name: &str) -> Value {
    manifest()["corpora"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no corpus {name} in manifest.json"))
        .clone()
}

/// `tack <args>` against `url`, in `dir`, with a cache of its own.
pub fn tack(dir: &Path, url: &str, cache: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tack"));
    cmd.args(args)
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("XDG_CACHE_HOME", cache)
        .env_remove("TACK_TEST_CRASH_AFTER_STEP");
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    cmd.output().unwrap()
}

/// Runs `corpus/check.sh <flags> -D <db> <corpus>` against the test server.
pub fn check_sh(db: &tack_testkit::TestDatabase, flags: &[&str], corpus: &str) {
    let server = db.server();
    let out = Command::new("bash")
        .arg(corpus_root().join("check.sh"))
        .args(flags)
        .args(["-D", db.name(), corpus])
        .env("PGHOST", server.host())
        .env("PGPORT", server.port().to_string())
        .env("PGUSER", server.user())
        .output()
        .expect("bash runs corpus/check.sh");
    assert!(
        out.status.success(),
        "corpus/check.sh {flags:?} {corpus} failed:\n{}",
        show(&out)
    );
}

pub fn pg_dump(db: &tack_testkit::TestDatabase, exclude: &[&str]) -> String {
    let server = db.server();
    let bin = server
        .bin_dir()
        .map(|d| d.join("pg_dump"))
        .filter(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("pg_dump"));
    let mut cmd = Command::new(bin);
    cmd.args(["--schema-only", "--no-owner", "--no-privileges"])
        .args(["--exclude-schema", "tack"])
        .args(["-h", server.host(), "-p", &server.port().to_string()])
        .args(["-U", server.user(), db.name()]);
    for t in exclude {
        cmd.args(["-T", t]);
    }
    let out = cmd.output().expect("pg_dump runs");
    assert!(out.status.success(), "pg_dump: {}", show(&out));
    text(&out.stdout)
        .lines()
        .filter(|l| {
            !(l.starts_with("--")
                || l.starts_with("\\restrict")
                || l.starts_with("\\unrestrict")
                || l.is_empty())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(out)))
}
