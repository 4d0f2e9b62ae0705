//! PostgreSQL's table-level lock modes and what each one blocks: the lock vocabulary of the
//! PostgreSQL rule base ([`LockKind`] for the engine-neutral core).

use serde::{Serialize, Serializer};
use std::fmt;
use tack_core::LockKind;

/// Table-level lock modes in increasing strength, named as PostgreSQL names them in `pg_locks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LockMode {
    AccessShare,
    RowShare,
    RowExclusive,
    ShareUpdateExclusive,
    Share,
    ShareRowExclusive,
    Exclusive,
    AccessExclusive,
}

impl LockMode {
    pub const ALL: [LockMode; 8] = [
        LockMode::AccessShare,
        LockMode::RowShare,
        LockMode::RowExclusive,
        LockMode::ShareUpdateExclusive,
        LockMode::Share,
        LockMode::ShareRowExclusive,
        LockMode::Exclusive,
        LockMode::AccessExclusive,
    ];

    /// The name `pg_locks.mode` uses, e.g. `AccessExclusiveLock`.
    pub fn pg_name(self) -> &'static str {
        match self {
            LockMode::AccessShare => "AccessShareLock",
            LockMode::RowShare => "RowShareLock",
            LockMode::RowExclusive => "RowExclusiveLock",
            LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
            LockMode::Share => "ShareLock",
            LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
            LockMode::Exclusive => "ExclusiveLock",
            LockMode::AccessExclusive => "AccessExclusiveLock",
        }
    }

    pub fn from_pg_name(name: &str) -> Option<LockMode> {
        LockMode::ALL.into_iter().find(|m| m.pg_name() == name)
    }

    /// Whether two modes conflict (PostgreSQL's table-level conflict matrix).
    pub fn conflicts_with(self, other: LockMode) -> bool {
        use LockMode::*;
        let rank = |m: LockMode| m as u8;
        let conflicts: &[LockMode] = match self {
            AccessShare => &[AccessExclusive],
            RowShare => &[Exclusive, AccessExclusive],
            RowExclusive => &[Share, ShareRowExclusive, Exclusive, AccessExclusive],
            ShareUpdateExclusive => &[
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Share => &[
                RowExclusive,
                ShareUpdateExclusive,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            ShareRowExclusive => &[
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            Exclusive => &[
                RowShare,
                RowExclusive,
                ShareUpdateExclusive,
                Share,
                ShareRowExclusive,
                Exclusive,
                AccessExclusive,
            ],
            AccessExclusive => &LockMode::ALL,
        };
        conflicts.iter().any(|c| rank(*c) == rank(other))
    }

    /// Plain `SELECT` takes AccessShareLock: blocked only by AccessExclusiveLock.
    pub fn blocks_reads(self) -> bool {
        self.conflicts_with(LockMode::AccessShare)
    }

    /// `INSERT`/`UPDATE`/`DELETE` take RowExclusiveLock.
    pub fn blocks_writes(self) -> bool {
        self.conflicts_with(LockMode::RowExclusive)
    }

    /// A lock that stops the application's normal traffic (reads or writes) while it is held
    /// or while it waits in the lock queue.
    pub fn is_dangerous(self) -> bool {
        self.blocks_writes()
    }
}

impl LockKind for LockMode {
    fn label(&self) -> &'static str {
        self.pg_name()
    }

    fn blocks_reads(&self) -> bool {
        LockMode::blocks_reads(*self)
    }

    fn blocks_writes(&self) -> bool {
        LockMode::blocks_writes(*self)
    }

    /// Every DDL takes at least ShareUpdateExclusiveLock, which conflicts with itself.
    fn blocks_ddl(&self) -> bool {
        self.conflicts_with(LockMode::ShareUpdateExclusive)
    }

    fn is_dangerous(&self) -> bool {
        LockMode::is_dangerous(*self)
    }
}

/// Serialised as PostgreSQL's name (`AccessExclusiveLock`), as reports and JSON show it.
impl Serialize for LockMode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.pg_name())
    }
}

impl fmt::Display for LockMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pg_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_matrix_is_symmetric() {
        for a in LockMode::ALL {
            for b in LockMode::ALL {
                assert_eq!(a.conflicts_with(b), b.conflicts_with(a), "{a} vs {b}");
            }
        }
    }

    #[test]
    fn what_blocks_traffic() {
        assert!(LockMode::AccessExclusive.blocks_reads());
        assert!(!LockMode::Exclusive.blocks_reads());
        assert!(LockMode::Share.blocks_writes());
        assert!(LockMode::ShareRowExclusive.blocks_writes());
        assert!(!LockMode::ShareUpdateExclusive.blocks_writes());
        assert_eq!(LockMode::from_pg_name("ShareLock"), Some(LockMode::Share));
    }
}
