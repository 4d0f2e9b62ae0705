//! Rough durations for work done while a lock is held, from the table's size.
//!
//! The rates are deliberately conservative figures for a busy server on ordinary SSDs; they are
//! there to tell "a second" from "an hour", not to promise a number. The rule base uses them only
//! when the table's size is known (connected, or given in `tack.toml`).

use std::time::Duration;

/// The kind of work a statement does on the table's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Reads every row (validation, `SET NOT NULL`).
    Scan,
    /// Writes a new copy of the table and rebuilds its indexes.
    Rewrite,
    /// Reads every row and sorts to build an index.
    IndexBuild,
}

const MB: f64 = 1024.0 * 1024.0;

impl Work {
    /// Bytes per second.
    fn rate(self) -> f64 {
        match self {
            Work::Scan => 200.0 * MB,
            Work::Rewrite => 50.0 * MB,
            Work::IndexBuild => 40.0 * MB,
        }
    }
}

/// How long `work` takes on a table of `bytes` (plus `index_bytes` to rebuild on a rewrite).
pub fn duration(work: Work, bytes: u64, index_bytes: u64) -> Duration {
    let total = match work {
        Work::Rewrite => bytes + index_bytes,
        _ => bytes,
    };
    Duration::from_secs_f64(total as f64 / work.rate())
}

/// "≈ 3 min (2.1 GiB, 12.4M rows)".
pub fn describe(work: Work, bytes: u64, index_bytes: u64, rows: Option<f64>) -> String {
    let took = duration(work, bytes, index_bytes);
    let rows = match rows {
        Some(r) if r >= 0.0 => format!(", {} rows", human_count(r)),
        _ => String::new(),
    };
    format!(
        "≈ {} ({}{})",
        human_duration(took),
        human_bytes(bytes),
        rows
    )
}

pub fn human_duration(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 1.0 {
        "under 1 s".to_owned()
    } else if s < 90.0 {
        format!("{s:.0} s")
    } else if s < 90.0 * 60.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}

pub fn human_bytes(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * MB {
        format!("{:.1} GiB", b / (1024.0 * MB))
    } else if b >= MB {
        format!("{:.0} MiB", b / MB)
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

pub fn human_count(n: f64) -> String {
    if n >= 1e9 {
        format!("{:.1}B", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1}k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_with_size() {
        let gib = 1024 * 1024 * 1024;
        assert!(duration(Work::Rewrite, gib, 0) > duration(Work::Scan, gib, 0));
        assert_eq!(
            describe(Work::Scan, 1024, 0, Some(10.0)),
            "≈ under 1 s (1 KiB, 10 rows)"
        );
        assert!(describe(Work::Rewrite, 10 * gib, gib, Some(5e7)).contains("min"));
    }
}
