//! PostgreSQL server versions, as the rule base compares them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A PostgreSQL version: the major number decides behaviour; the minor matters for a few bugs
/// (for example `CREATE INDEX CONCURRENTLY` corrupting indexes on 14.0–14.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    /// The version assumed when none is given and no server is reachable.
    pub const DEFAULT: Version = Version {
        major: 15,
        minor: 0,
    };
    /// The oldest major version the rule base knows.
    pub const OLDEST: u32 = 9;

    pub fn new(major: u32, minor: u32) -> Self {
        Version { major, minor }
    }

    /// From `server_version_num` (e.g. 150019 → 15.19; 90624 → 9.6).
    pub fn from_version_num(num: u32) -> Self {
        if num >= 100_000 {
            Version::new(num / 10_000, num % 10_000)
        } else {
            // 9.6.24 is 90624: report the 9.x line as major 9.
            Version::new(num / 10_000, (num / 100) % 100)
        }
    }

    /// Parses "15", "15.4", "9.6".
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = match parts.next() {
            Some(m) => m.parse().ok()?,
            None => 0,
        };
        if !(Self::OLDEST..=99).contains(&major) {
            return None;
        }
        Some(Version::new(major, minor))
    }

    pub fn at_least(&self, major: u32) -> bool {
        self.major >= major
    }
}

impl Default for Version {
    fn default() -> Self {
        Version::DEFAULT
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_orders() {
        assert_eq!(Version::parse("15"), Some(Version::new(15, 0)));
        assert_eq!(Version::parse("9.6"), Some(Version::new(9, 6)));
        assert_eq!(Version::parse("abc"), None);
        assert_eq!(Version::parse("3"), None);
        assert_eq!(Version::from_version_num(150019), Version::new(15, 19));
        assert_eq!(Version::from_version_num(90624), Version::new(9, 6));
        assert!(Version::new(12, 0).at_least(12));
        assert!(!Version::new(11, 9).at_least(12));
    }
}
