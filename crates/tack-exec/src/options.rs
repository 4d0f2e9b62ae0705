//! How the executor behaves: timeouts, retries, batch sizing, throttle limits; and the parsing of
//! the durations and sizes the command line gives them in.

use std::time::Duration;

/// A replication lag limit: bytes of WAL, or time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LagLimit {
    Bytes(u64),
    Time(Duration),
}

impl std::fmt::Display for LagLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LagLimit::Bytes(b) => write!(f, "{b} bytes"),
            LagLimit::Time(d) => write!(f, "{} s", d.as_secs_f64()),
        }
    }
}

/// What the throttles compare against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThrottleLimits {
    pub max_lag_bytes: Option<u64>,
    pub max_lag_time: Option<Duration>,
    pub max_lock_waiters: u32,
}

impl ThrottleLimits {
    pub fn from_lag_limits(limits: &[LagLimit], max_lock_waiters: u32) -> Self {
        let mut t = ThrottleLimits {
            max_lock_waiters,
            ..ThrottleLimits::default()
        };
        for l in limits {
            match *l {
                LagLimit::Bytes(b) => {
                    t.max_lag_bytes = Some(t.max_lag_bytes.map_or(b, |x| x.min(b)))
                }
                LagLimit::Time(d) => t.max_lag_time = Some(t.max_lag_time.map_or(d, |x| x.min(d))),
            }
        }
        t
    }
}

/// The timeouts a step runs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub lock_timeout: Duration,
    /// Zero: none.
    pub statement_timeout: Duration,
}

/// The executor's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub timeouts: Timeouts,
    /// Attempts per step (and per batch) when the lock cannot be had in time.
    pub max_attempts: u32,
    /// Total time allowed for one step's retries.
    pub retry_budget: Duration,
    /// First backoff wait; doubled each attempt (with jitter) up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Target duration of one backfill batch.
    pub batch_time: Duration,
    pub throttle: ThrottleLimits,
    /// How often a throttled backfill checks again.
    pub throttle_poll: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeouts: Timeouts {
                lock_timeout: Duration::from_secs(1),
                statement_timeout: Duration::ZERO,
            },
            max_attempts: 30,
            retry_budget: Duration::from_secs(300),
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(10),
            batch_time: Duration::from_millis(200),
            throttle: ThrottleLimits {
                max_lock_waiters: 5,
                ..ThrottleLimits::default()
            },
            throttle_poll: Duration::from_millis(250),
        }
    }
}

/// Splits `12.5ms` into (12.5, "ms").
fn split_number(text: &str) -> Option<(f64, String)> {
    let t = text.trim();
    let end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(end);
    let n: f64 = num.parse().ok()?;
    (n.is_finite() && n >= 0.0).then(|| (n, unit.trim().to_ascii_lowercase()))
}

/// Parses a duration in PostgreSQL's style: `500ms`, `1s`, `1.5s`, `5min`, `2h`, `1d`, or a bare
/// number of milliseconds (as `lock_timeout = 500` means).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration (e.g. 500ms, 1s, 5min)");
    let (n, unit) = split_number(text).ok_or_else(bad)?;
    let secs = match unit.as_str() {
        "" | "ms" => n / 1000.0,
        "us" => n / 1_000_000.0,
        "s" | "sec" | "secs" | "second" | "seconds" => n,
        "m" | "min" | "mins" | "minute" | "minutes" => n * 60.0,
        "h" | "hour" | "hours" => n * 3600.0,
        "d" | "day" | "days" => n * 86400.0,
        _ => return Err(bad()),
    };
    Ok(Duration::from_secs_f64(secs))
}

/// Parses a lag limit: a size (`64MB`, `512kB`, `1GB`, `100B`) or a duration (`10s`, `500ms`).
pub fn parse_lag_limit(text: &str) -> Result<LagLimit, String> {
    let bad = || format!("`{text}` is not a lag limit (bytes like 64MB, or time like 10s)");
    let (n, unit) = split_number(text).ok_or_else(bad)?;
    let factor: Option<f64> = match unit.as_str() {
        "b" | "bytes" => Some(1.0),
        "kb" | "k" | "kib" => Some(1024.0),
        "mb" | "mib" => Some(1024.0 * 1024.0),
        "gb" | "gib" => Some(1024.0 * 1024.0 * 1024.0),
        "tb" | "tib" => Some(1024.0f64.powi(4)),
        _ => None,
    };
    match factor {
        Some(f) => Ok(LagLimit::Bytes((n * f) as u64)),
        None if unit.is_empty() => Err(bad()),
        None => parse_duration(text).map(LagLimit::Time).map_err(|_| bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1s").unwrap(), Duration::from_secs(1));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("5min").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("250").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(parse_duration("fast").is_err());
        assert!(parse_duration("1 fortnight").is_err());
        assert!(parse_duration("-1s").is_err());
    }

    #[test]
    fn lag_limits() {
        assert_eq!(
            parse_lag_limit("64MB").unwrap(),
            LagLimit::Bytes(64 * 1024 * 1024)
        );
        assert_eq!(parse_lag_limit("1kB").unwrap(), LagLimit::Bytes(1024));
        assert_eq!(
            parse_lag_limit("10s").unwrap(),
            LagLimit::Time(Duration::from_secs(10))
        );
        assert!(parse_lag_limit("10").is_err());
        assert!(parse_lag_limit("lots").is_err());
        let t = ThrottleLimits::from_lag_limits(
            &[
                LagLimit::Bytes(100),
                LagLimit::Bytes(50),
                LagLimit::Time(Duration::from_secs(3)),
            ],
            5,
        );
        assert_eq!(t.max_lag_bytes, Some(50));
        assert_eq!(t.max_lag_time, Some(Duration::from_secs(3)));
    }
}
