//! The signals a backfill waits on: the pause flag, sessions waiting for locks on its table, and
//! replication lag — measured on the primary (`pg_stat_replication`) or on the replicas
//! themselves.

use tack_exec::{ThrottleLimits, ThrottleReason};
use tokio_postgres::Client;

/// The pause flag and the number of sessions waiting for a lock on the table (`oid`).
pub async fn local_signals(
    client: &Client,
    oid: i64,
) -> Result<(bool, i64), tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT coalesce((SELECT paused FROM tack.control WHERE id = 1), false), \
                    (SELECT count(DISTINCT pid) FROM pg_locks \
                      WHERE relation = $1::bigint::oid AND NOT granted AND pid <> pg_backend_pid())::bigint",
            &[&oid],
        )
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// Lag of each standby as the primary sees it: (name, bytes behind, replay lag in seconds).
pub async fn primary_lag(
    client: &Client,
) -> Result<Vec<(String, Option<i64>, Option<f64>)>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT coalesce(nullif(application_name, ''), host(client_addr), 'standby ' || pid), \
                    pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint, \
                    extract(epoch FROM replay_lag)::float8 \
             FROM pg_stat_replication",
            &[],
        )
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// The primary's current WAL position, as text (given to replicas to measure against).
pub async fn current_lsn(client: &Client) -> Result<String, tokio_postgres::Error> {
    client
        .query_one("SELECT pg_current_wal_lsn()::text", &[])
        .await?
        .try_get(0)
}

/// Lag measured on a replica: bytes of the primary's WAL (`primary_lsn`) not yet replayed, and
/// seconds since the last replayed transaction when replay is behind what was received.
pub async fn replica_lag(
    client: &Client,
    primary_lsn: &str,
) -> Result<(Option<i64>, Option<f64>), tokio_postgres::Error> {
    let row = client
        .query_one(
            "SELECT CASE WHEN pg_is_in_recovery() THEN \
                      greatest(pg_wal_lsn_diff($1::text::pg_lsn, pg_last_wal_replay_lsn()), 0)::bigint END, \
                    CASE WHEN NOT pg_is_in_recovery() THEN NULL \
                         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
                         ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END::float8",
            &[&primary_lsn],
        )
        .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}

/// The reason to wait, if one measurement exceeds the limits.
pub fn lag_reason(
    source: &str,
    bytes: Option<i64>,
    seconds: Option<f64>,
    limits: &ThrottleLimits,
) -> Option<ThrottleReason> {
    let over_bytes = match (bytes, limits.max_lag_bytes) {
        (Some(b), Some(max)) => b > 0 && b as u64 > max,
        _ => false,
    };
    let over_time = match (seconds, limits.max_lag_time) {
        (Some(s), Some(max)) => s > max.as_secs_f64(),
        _ => false,
    };
    if !over_bytes && !over_time {
        return None;
    }
    let limit = if over_bytes {
        format!("{} bytes", limits.max_lag_bytes.unwrap_or(0))
    } else {
        format!("{} s", limits.max_lag_time.map_or(0.0, |d| d.as_secs_f64()))
    };
    Some(ThrottleReason::ReplicationLag {
        source: source.to_owned(),
        bytes,
        seconds,
        limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn limits() {
        let l = ThrottleLimits {
            max_lag_bytes: Some(1000),
            max_lag_time: Some(Duration::from_secs(2)),
            max_lock_waiters: 5,
        };
        assert!(lag_reason("r", Some(10), Some(0.5), &l).is_none());
        assert!(lag_reason("r", Some(2000), None, &l).is_some());
        assert!(lag_reason("r", None, Some(3.0), &l).is_some());
        assert!(lag_reason("r", None, None, &l).is_none());
        let none = ThrottleLimits::default();
        assert!(lag_reason("r", Some(1 << 40), Some(1e6), &none).is_none());
    }
}
