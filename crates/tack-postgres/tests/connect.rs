//! Connecting against a real server: URL and key=value forms, defaults, TLS modes, and error
//! messages that name the target without its password.

mod common;

use common::{connect, run};
use tack_postgres::{redact, ConnectOptions, Connection, Error};

async fn one_string(conn: &Connection, sql: &str) -> String {
    conn.client()
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

async fn uses_tls(conn: &Connection) -> bool {
    conn.client()
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .map(|row| row.get::<_, bool>(0))
        .unwrap_or(false)
}

/// host, port, user, password and database of a test database URL.
fn parts(url: &str) -> (String, u16, String, Option<String>, String) {
    let options = ConnectOptions::with_env(url, |_| None).expect("test URL parses");
    let config = options.config();
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        other => panic!("expected a TCP host, got {other:?}"),
    };
    (
        host,
        config.get_ports().first().copied().unwrap_or(5432),
        config.get_user().unwrap_or("postgres").to_owned(),
        config
            .get_password()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
        config.get_dbname().unwrap_or("postgres").to_owned(),
    )
}

#[test]
fn connects_with_url_and_conninfo() {
    let db = tack_testkit::database();
    let (host, port, user, password, dbname) = parts(db.url());
    run(async {
        let conn = connect(db.url()).await;
        assert_eq!(one_string(&conn, "SELECT current_database()").await, dbname);
        assert_eq!(
            one_string(&conn, "SELECT current_setting('application_name')").await,
            "tack",
            "application_name defaults to tack"
        );

        let mut conninfo = format!(
            "host={host} port={port} user={user} dbname='{dbname}' sslmode=disable \
             application_name='tack test'"
        );
        if let Some(password) = &password {
            conninfo.push_str(&format!(" password='{password}'"));
        }
        let conn = tack_postgres::connect(&conninfo).await.expect("conninfo");
        assert_eq!(one_string(&conn, "SELECT current_database()").await, dbname);
        assert_eq!(
            one_string(&conn, "SELECT current_setting('application_name')").await,
            "tack test"
        );
        assert!(!uses_tls(&conn).await);
        assert_eq!(conn.target(), redact(&conninfo));
    });
}

/// Whether the server offers TLS, and the certificate file it uses when we can read it.
async fn server_tls(conn: &Connection) -> (bool, Option<String>) {
    let ssl = one_string(conn, "SHOW ssl").await == "on";
    let cert_file = one_string(conn, "SHOW ssl_cert_file").await;
    let cert_file = std::path::Path::new(&cert_file)
        .is_absolute()
        .then_some(cert_file)
        .filter(|f| std::fs::read(f).is_ok());
    (ssl, cert_file)
}

#[test]
fn tls_modes() {
    let db = tack_testkit::database();
    run(async {
        let plain = connect(db.url()).await;
        let (ssl, cert_file) = server_tls(&plain).await;
        let with = |params: &str| format!("{}?{params}", db.url());

        if !ssl {
            // require must fail, and say what to do.
            let err = tack_postgres::connect(&with("sslmode=require"))
                .await
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("does not accept TLS"), "{err}");
            // prefer falls back to plain text.
            let conn = tack_postgres::connect(&with("sslmode=prefer"))
                .await
                .expect("prefer without server TLS");
            assert!(!uses_tls(&conn).await);
            return tack_testkit::skip(
                "TLS handshakes",
                "the test server has ssl=off (turn it on to test sslmode=require/verify-*)",
            );
        }

        // require: encrypted, certificate accepted unverified (as libpq does).
        let conn = tack_postgres::connect(&with("sslmode=require"))
            .await
            .expect("sslmode=require");
        assert!(uses_tls(&conn).await, "require uses TLS");
        // prefer (the default) also uses TLS when offered.
        let conn = tack_postgres::connect(db.url())
            .await
            .expect("default sslmode");
        assert!(
            uses_tls(&conn).await,
            "prefer uses TLS when the server offers it"
        );
        let conn = tack_postgres::connect(&with("sslmode=disable"))
            .await
            .expect("disable");
        assert!(!uses_tls(&conn).await);

        // verify-full without any root certificate is refused up front, with a hint.
        let err = ConnectOptions::with_env(&with("sslmode=verify-full"), |_| None)
            .expect("parses")
            .connect()
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("needs a root certificate"), "{err}");
        assert!(err.contains("sslrootcert"), "{err}");

        // A CA that did not sign the server's certificate: verification fails.
        if std::path::Path::new("/etc/ssl/certs/ca-certificates.crt").exists() {
            let err = tack_postgres::connect(&with(
                "sslmode=verify-ca&sslrootcert=/etc/ssl/certs/ca-certificates.crt",
            ))
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
            assert!(err.contains("could not connect"), "{err}");
            assert!(
                err.contains("not issued by any certificate in sslrootcert"),
                "{err}"
            );
            assert!(
                err.contains("(sslrootcert is /etc/ssl/certs/ca-certificates.crt)"),
                "{err}"
            );
        }

        // With the server's own (self-signed) certificate as the root.
        let Some(cert_file) = cert_file else {
            return tack_testkit::skip(
                "verify-ca/verify-full",
                "cannot read the test server's certificate",
            );
        };
        let conn =
            tack_postgres::connect(&with(&format!("sslmode=verify-ca&sslrootcert={cert_file}")))
                .await
                .expect("verify-ca with the server's certificate as root");
        assert!(uses_tls(&conn).await);

        // The test URL's host is an IP address; a snakeoil-style certificate names a host
        // name, so verify-full must refuse it.
        let err = tack_postgres::connect(&with(&format!(
            "sslmode=verify-full&sslrootcert={cert_file}"
        )))
        .await
        .err()
        .map(|e| e.to_string());
        println!("verify-full by IP: {err:?}");
        if let Some(err) = err {
            // The refusal names the host asked for and what the certificate names instead.
            let host = db.url().split('@').nth(1).and_then(|h| h.split(':').next());
            if let Some(host) = host {
                assert!(
                    err.contains(&format!("certificate not valid for name \"{host}\"")),
                    "{err}"
                );
            }
            assert!(err.contains("certificate is only valid for"), "{err}");
            assert!(err.contains("sslmode=verify-ca"), "{err}");
        }

        // By the name the certificate carries (the Debian snakeoil certificate names
        // localhost), verify-full succeeds.
        if db.url().contains("@127.0.0.1:") {
            let url = db.url().replace("@127.0.0.1:", "@localhost:");
            let result = tack_postgres::connect(&format!(
                "{url}?sslmode=verify-full&sslrootcert={cert_file}"
            ))
            .await;
            match result {
                Ok(conn) => assert!(uses_tls(&conn).await),
                Err(e) => {
                    let message = e.to_string();
                    println!("verify-full by localhost: {message}");
                    assert!(message.contains("not valid for name"), "{message}");
                }
            }
        }
    });
}

#[test]
fn failure_messages_hide_the_password() {
    run(async {
        for target in [
            "postgres://tack:sup3rsecret@127.0.0.1:1/db",
            "host=127.0.0.1 port=1 user=tack password=sup3rsecret dbname=db",
        ] {
            let err = tack_postgres::connect(target)
                .await
                .expect_err("nothing listens on port 1");
            let message = err.to_string();
            println!("{message}");
            assert!(matches!(err, Error::Connect { .. }), "{err:?}");
            assert!(!message.contains("sup3rsecret"), "{message}");
            assert!(!format!("{err:?}").contains("sup3rsecret"), "{err:?}");
            assert!(message.contains("could not connect to"), "{message}");
            assert!(message.contains("***"), "{message}");
            assert!(message.contains("127.0.0.1"), "{message}");
            assert!(message.contains("connection refused"), "{message}");
            assert!(message.contains("DATABASE_URL"), "{message}");
        }
        // Exactly (with no PG* variables in play).
        assert_eq!(
            ConnectOptions::with_env("postgres://tack:sup3rsecret@127.0.0.1:1/db", |_| None)
                .expect("parses")
                .connect()
                .await
                .err()
                .map(|e| e.to_string()),
            Some(
                "could not connect to postgres://tack:***@127.0.0.1:1/db: connection refused — \
                 is the server running and accepting TCP/IP connections on that host and port? \
                 check --database-url / DATABASE_URL / PG* variables"
                    .to_owned()
            )
        );
    });
}

#[test]
fn missing_database_is_explained() {
    let db = tack_testkit::database();
    let (host, port, user, password, _) = parts(db.url());
    run(async {
        let auth = match &password {
            Some(p) => format!("{user}:{p}"),
            None => user.clone(),
        };
        let url = format!("postgres://{auth}@{host}:{port}/tack_no_such_database_here");
        let message = tack_postgres::connect(&url)
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("tack_no_such_database_here"), "{message}");
        assert!(message.contains("does not exist"), "{message}");
        assert!(message.contains("check the database name"), "{message}");
    });
}

#[test]
fn connect_times_out_on_a_silent_server() {
    run(async {
        // A listener that accepts and then says nothing: the whole attempt is bounded.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let _keep = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        let started = std::time::Instant::now();
        let err = tack_postgres::connect(&format!(
            "host=127.0.0.1 port={port} user=u password=sup3rsecret connect_timeout=2 sslmode=disable"
        ))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("timed out"), "{err}");
        assert!(!err.contains("sup3rsecret"), "{err}");
        assert!(started.elapsed().as_secs() < 6, "{:?}", started.elapsed());
    });
}

#[test]
fn connect_outside_a_runtime_is_an_error_not_a_panic() {
    let options = ConnectOptions::with_env("host=127.0.0.1 port=1", |_| None).expect("parses");
    let err = futures_lite_block_on(options.connect());
    assert!(matches!(err, Err(Error::NoRuntime { .. })));
}

/// A minimal executor that is not tokio.
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        std::thread::yield_now();
    }
}
