//! Shared helpers for the integration tests: a tokio runtime for plain `#[test]`s (the test kit
//! is blocking and must not run inside one) and a connection to a fresh database.

#![allow(dead_code)]

use std::future::Future;
use tack_postgres::Connection;

/// Runs a future to completion on a fresh current-thread runtime.
pub fn run<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// Connects to `url` with TLS off (tests that want TLS say so).
pub async fn connect(url: &str) -> Connection {
    let url = if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    };
    tack_postgres::connect(&url)
        .await
        .unwrap_or_else(|e| panic!("connect to test database: {e}"))
}

/// Runs SQL (several statements are fine) on the connection.
pub async fn exec(conn: &Connection, sql: &str) {
    conn.client().batch_execute(sql).await.unwrap_or_else(|e| {
        let detail = e.as_db_error().map(|d| d.message().to_owned());
        panic!("setup SQL failed: {e} {detail:?}\n{sql}")
    });
}
