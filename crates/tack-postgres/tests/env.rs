//! Settings from the libpq environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
//! PGDATABASE, PGSSLMODE, PGAPPNAME, PGCONNECT_TIMEOUT), against a real server.
//!
//! Its own test binary with a single test: it changes the process environment.

mod common;

use common::run;
use tack_postgres::{ConnectOptions, SslMode};

#[test]
fn connects_from_pg_environment_variables() {
    let db = tack_testkit::database();
    let options = ConnectOptions::with_env(db.url(), |_| None).expect("test URL parses");
    let config = options.config();
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        other => panic!("expected a TCP host, got {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("postgres").to_owned();
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());

    std::env::set_var("PGHOST", &host);
    std::env::set_var("PGPORT", port.to_string());
    std::env::set_var("PGUSER", &user);
    std::env::set_var("PGDATABASE", db.name());
    std::env::set_var("PGSSLMODE", "disable");
    std::env::set_var("PGAPPNAME", "tack-from-env");
    std::env::set_var("PGCONNECT_TIMEOUT", "5");
    match &password {
        Some(p) => std::env::set_var("PGPASSWORD", p),
        None => std::env::remove_var("PGPASSWORD"),
    }

    let options = ConnectOptions::from_env().expect("environment parses");
    assert_eq!(options.ssl_mode(), SslMode::Disable);
    assert_eq!(
        options.connect_timeout(),
        Some(std::time::Duration::from_secs(5))
    );
    assert!(
        options
            .target()
            .contains(&format!("host={host} port={port} user={user}")),
        "{}",
        options.target()
    );
    assert!(options.target().contains("from PG* environment variables"));
    if let Some(p) = &password {
        assert!(!options.target().contains(p.as_str()));
    }

    run(async {
        let conn = tack_postgres::connect("").await.expect("connect from PG*");
        let row = conn
            .client()
            .query_one(
                "SELECT current_database(), current_user, current_setting('application_name'), \
                        COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)",
                &[],
            )
            .await
            .expect("query");
        assert_eq!(row.get::<_, String>(0), db.name());
        assert_eq!(row.get::<_, String>(1), user);
        assert_eq!(row.get::<_, String>(2), "tack-from-env");
        assert!(!row.get::<_, bool>(3), "PGSSLMODE=disable");

        // A connection string fills in only what it leaves out.
        let conn = tack_postgres::connect("application_name=explicit")
            .await
            .expect("conninfo completed from PG*");
        let name: String = conn
            .client()
            .query_one("SELECT current_setting('application_name')", &[])
            .await
            .expect("query")
            .get(0);
        assert_eq!(name, "explicit");
        assert!(conn
            .target()
            .starts_with("application_name=explicit (with PGHOST"));

        // A bad variable is named in the error.
        std::env::set_var("PGPORT", "not-a-port");
        let err = tack_postgres::connect("")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("PGPORT=not-a-port"), "{err}");
    });

    for name in [
        "PGHOST",
        "PGPORT",
        "PGUSER",
        "PGDATABASE",
        "PGSSLMODE",
        "PGAPPNAME",
        "PGCONNECT_TIMEOUT",
        "PGPASSWORD",
    ] {
        std::env::remove_var(name);
    }
}
