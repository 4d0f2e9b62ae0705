//! Engines and their versions: which database the rules are about, and how its versions compare.
//!
//! The rule bases compare versions (`PostgreSQL 12+`, `MariaDB 10.6+`, `MySQL 8.0.29+`); the
//! offline `--engine` flag and `tack.toml` name them as `postgres:15`, `mariadb:10.11`,
//! `mysql:8.0.35`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A database engine tack knows the rules of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    Postgres,
    MySql,
    MariaDb,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Postgres, Engine::MySql, Engine::MariaDb];

    /// The name used in `--engine`, `tack.toml` and JSON output.
    pub fn id(self) -> &'static str {
        match self {
            Engine::Postgres => "postgres",
            Engine::MySql => "mysql",
            Engine::MariaDb => "mariadb",
        }
    }

    /// The product name, for messages.
    pub fn product(self) -> &'static str {
        match self {
            Engine::Postgres => "PostgreSQL",
            Engine::MySql => "MySQL",
            Engine::MariaDb => "MariaDB",
        }
    }

    /// From `postgres`/`postgresql`/`pg`, `mysql`, `mariadb`.
    pub fn from_id(text: &str) -> Option<Engine> {
        match text.trim().to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" | "pg" => Some(Engine::Postgres),
            "mysql" => Some(Engine::MySql),
            "mariadb" => Some(Engine::MariaDb),
            _ => None,
        }
    }

    /// The version assumed when none is given and no server is reachable.
    pub fn default_version(self) -> Version {
        match self {
            Engine::Postgres => Version::new(15, 0),
            Engine::MySql => Version::with_patch(8, 0, 35),
            Engine::MariaDb => Version::with_patch(10, 11, 0),
        }
    }

    /// The oldest major version the engine's rule base knows.
    pub fn oldest_major(self) -> u32 {
        match self {
            Engine::Postgres => 9,
            Engine::MySql => 5,
            Engine::MariaDb => 10,
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.product())
    }
}

/// A server version: major decides most behaviour; minor and patch matter for some rules
/// (PostgreSQL 14.0–14.3's concurrent index bug, MySQL 8.0.29's instant DROP COLUMN, MariaDB
/// 10.3 → 10.4 → 10.5's instant operations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
    #[serde(default)]
    pub patch: u32,
}

impl Version {
    /// PostgreSQL's default when nothing says otherwise (kept for the PostgreSQL paths).
    pub const DEFAULT: Version = Version {
        major: 15,
        minor: 0,
        patch: 0,
    };

    pub const fn new(major: u32, minor: u32) -> Self {
        Version {
            major,
            minor,
            patch: 0,
        }
    }

    pub const fn with_patch(major: u32, minor: u32, patch: u32) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// Parses "15", "15.4", "9.6", "10.11", "8.0.35" (anything after a `-` is ignored:
    /// `10.11.19-MariaDB-0+deb12u1`).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let numeric = text.split(['-', '+', ' ']).next()?;
        let mut parts = numeric.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = match parts.next() {
            Some(m) => m.parse().ok()?,
            None => 0,
        };
        let patch = match parts.next() {
            Some(p) => p.parse().ok()?,
            None => 0,
        };
        if parts.next().is_some() || !(3..=99).contains(&major) {
            return None;
        }
        Some(Version::with_patch(major, minor, patch))
    }

    pub fn at_least(&self, major: u32) -> bool {
        self.major >= major
    }

    /// At least `major.minor.patch`.
    pub fn at_least_version(&self, major: u32, minor: u32, patch: u32) -> bool {
        *self >= Version::with_patch(major, minor, patch)
    }
}

impl Default for Version {
    fn default() -> Self {
        Version::DEFAULT
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.patch == 0 {
            write!(f, "{}.{}", self.major, self.minor)
        } else {
            write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
        }
    }
}

/// An engine and its version: what the rules are evaluated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EngineVersion {
    pub engine: Engine,
    pub version: Version,
}

impl EngineVersion {
    pub fn new(engine: Engine, version: Version) -> Self {
        EngineVersion { engine, version }
    }

    /// Parses `postgres:15`, `mariadb:10.11`, `mysql:8.0.35`, or a bare engine name (its
    /// default version).
    pub fn parse(text: &str) -> Result<Self, String> {
        let (engine_text, version_text) = match text.split_once(':') {
            Some((e, v)) => (e, Some(v)),
            None => (text, None),
        };
        let engine = Engine::from_id(engine_text).ok_or_else(|| {
            format!(
                "`{engine_text}` is not an engine tack knows (postgres, mysql, mariadb; e.g. \
                 postgres:15, mariadb:10.11, mysql:8.0.35)"
            )
        })?;
        let version = match version_text {
            None => engine.default_version(),
            Some(v) => Version::parse(v)
                .filter(|v| v.major >= engine.oldest_major())
                .ok_or_else(|| {
                    format!(
                        "`{v}` is not a {} version (e.g. {})",
                        engine.product(),
                        engine.default_version()
                    )
                })?,
        };
        Ok(EngineVersion { engine, version })
    }
}

impl fmt::Display for EngineVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.engine.product(), self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        assert_eq!(Version::parse("15"), Some(Version::new(15, 0)));
        assert_eq!(Version::parse("9.6"), Some(Version::new(9, 6)));
        assert_eq!(
            Version::parse("10.11.19-MariaDB-0+deb12u1"),
            Some(Version::with_patch(10, 11, 19))
        );
        assert_eq!(Version::parse("abc"), None);
        assert_eq!(Version::parse("1"), None);
        assert!(Version::new(12, 0).at_least(12));
        assert!(!Version::new(11, 9).at_least(12));
        assert!(Version::with_patch(8, 0, 29).at_least_version(8, 0, 29));
        assert!(!Version::with_patch(8, 0, 28).at_least_version(8, 0, 29));
    }

    #[test]
    fn engine_versions() {
        let e = EngineVersion::parse("mariadb:10.11").unwrap();
        assert_eq!(e.engine, Engine::MariaDb);
        assert_eq!(e.version, Version::new(10, 11));
        assert_eq!(
            EngineVersion::parse("postgres").unwrap().version,
            Version::new(15, 0)
        );
        assert!(EngineVersion::parse("oracle:19").is_err());
        assert!(EngineVersion::parse("postgres:2").is_err());
        assert_eq!(
            EngineVersion::parse("mysql:8.0.35").unwrap().to_string(),
            "MySQL 8.0.35"
        );
    }
}
