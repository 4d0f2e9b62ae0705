//! The demo's two rounds side by side.

use std::fmt::Write as _;
use tack_ops::demo::{count, duration, Round};

/// The side-by-side table: one row per measure, one column per round.
pub fn table(naive: &Round, tack: &Round) -> String {
    let rounds = [naive, tack];
    // A change that failed has no measures worth showing.
    let measured = |r: &Round| matches!(r.total, Some(Ok(_)));
    let cells = |f: &dyn Fn(&Round) -> String| -> Vec<String> {
        rounds
            .iter()
            .map(|r| if measured(r) { f(r) } else { "—".to_string() })
            .collect()
    };
    let rows: Vec<(&str, Vec<String>)> = vec![
        (
            "total time of the change",
            rounds
                .iter()
                .map(|r| match &r.total {
                    Some(Ok(d)) => duration(*d),
                    Some(Err(_)) => "failed".to_string(),
                    None => "not run".to_string(),
                })
                .collect(),
        ),
        (
            "longest stall",
            cells(&|r| duration(r.during.longest_stall)),
        ),
        ("max latency", cells(&|r| duration(r.during.max))),
        ("p99 latency", cells(&|r| duration(r.during.p99))),
        ("p50 latency", cells(&|r| duration(r.during.p50))),
        (
            "statements completed",
            cells(&|r| count(r.during.statements)),
        ),
        ("statement errors", cells(&|r| count(r.during.errors))),
        ("p99 before the change", cells(&|r| duration(r.before.p99))),
    ];
    let label_width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    let width = rows
        .iter()
        .flat_map(|(_, c)| c.iter().map(|s| s.chars().count()))
        .chain(["naive".len(), "tack".len()])
        .max()
        .unwrap_or(0)
        + 4;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:label_width$}  {:>width$}{:>width$}",
        "", "naive", "tack"
    );
    for (label, c) in &rows {
        let _ = writeln!(
            out,
            "{label:label_width$}  {:>width$}{:>width$}",
            c[0], c[1]
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tack_postgres::server::workload::Stats;

    #[test]
    fn durations_read_well() {
        assert_eq!(duration(Duration::ZERO), "0 ms");
        assert_eq!(duration(Duration::from_micros(420)), "0.42 ms");
        assert_eq!(duration(Duration::from_micros(12_400)), "12 ms");
        assert_eq!(duration(Duration::from_millis(5310)), "5.31 s");
        assert_eq!(duration(Duration::from_secs(125)), "2 min 05 s");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1_000_000), "1,000,000");
    }

    #[test]
    fn table_puts_rounds_side_by_side() {
        let naive = Round {
            total: Some(Ok(Duration::from_secs(6))),
            during: Stats {
                statements: 1200,
                longest_stall: Duration::from_secs(5),
                ..Stats::default()
            },
            ..Round::default()
        };
        let tack = Round {
            total: Some(Err("boom".to_string())),
            ..Round::default()
        };
        let t = table(&naive, &tack);
        let lines: Vec<&str> = t.lines().collect();
        assert!(
            lines[0].contains("naive") && lines[0].ends_with("tack"),
            "{t}"
        );
        assert!(
            lines[1].contains("6.00 s") && lines[1].contains("failed"),
            "{t}"
        );
        assert!(
            lines[2].starts_with("longest stall") && lines[2].contains("5.00 s"),
            "{t}"
        );
        assert!(t.contains("1,200"), "{t}");
        // The failed round shows no measures.
        assert!(lines[2].ends_with('—'), "{t}");
        // Columns line up.
        let widths: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert!(widths.windows(2).all(|w| w[0] == w[1]), "{t}");
    }
}
