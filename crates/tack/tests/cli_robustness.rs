//! The binary on input and surroundings users get wrong: files that are not UTF-8, unterminated
//! literals, missing migration paths, connection strings in every form (the password must never
//! be printed), unknown URL schemes, and readers that close the pipe early.

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

const TACK: &str = env!("CARGO_BIN_EXE_tack");

/// `tack <args>` in `dir`, with no connection settings from the environment.
fn command(args: &[&str], dir: &Path) -> Command {
    let mut cmd = Command::new(TACK);
    cmd.args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("TACK_DEV_URL");
    for (k, _) in std::env::vars() {
        if k.starts_with("PG") {
            cmd.env_remove(k);
        }
    }
    cmd
}

fn tack(args: &[&str], dir: &Path) -> Output {
    command(args, dir).output().expect("run tack")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// No panic, no crash by signal: an exit code tack chose.
fn assert_no_panic(out: &Output) {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{}", show(out));
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "tack exits 0, 1 or 2: {}",
        show(out)
    );
}

#[test]
fn a_file_that_is_not_utf8_is_a_placed_finding_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // A Latin-1 comment (the reproduction from the issue), and a Latin-1 byte inside a
    // statement that spans lines.
    std::fs::write(p.join("comment.sql"), b"SELECT 1; -- caf\xe9\n").unwrap();
    std::fs::write(
        p.join("statement.sql"),
        b"SELECT 1;\nALTER TABLE t\n  ADD COLUMN n\xe9e int;\nSELECT 2;\n",
    )
    .unwrap();
    // (file, byte, line, column): the column counts characters, the bad byte is one.
    for (file, byte, line, column) in [("comment.sql", 16, 1, 17), ("statement.sql", 38, 3, 15)] {
        let at = format!("{file}:{line}:{column}");
        let message = format!("the file is not valid UTF-8 (byte {byte})");

        let out = tack(&["lint", "--pg-version", "15", file], p);
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(1), "{}", show(&out));
        let human = text(&out.stdout);
        assert!(human.contains(&message), "{human}");
        assert!(human.contains(&at), "{human}");
        assert!(human.contains("error[syntax-error]"), "{human}");

        let out = tack(&["lint", "--pg-version", "15", "--format", "json", file], p);
        assert_no_panic(&out);
        let json: Value = serde_json::from_slice(&out.stdout).unwrap();
        let f = &json["findings"][0];
        assert!(f["message"].as_str().unwrap().contains(&message), "{json}");
        assert_eq!(
            (f["line"].as_u64(), f["column"].as_u64()),
            (Some(line), Some(column))
        );
        // The span is the replacement character: one character wide, never inside it.
        assert_eq!(f["end_line"], line, "{json}");
        assert_eq!(f["end_column"], column + 1, "{json}");

        let out = tack(
            &["lint", "--pg-version", "15", "--format", "sarif", file],
            p,
        );
        assert_no_panic(&out);
        let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
        let result = &sarif["runs"][0]["results"][0];
        assert!(result["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&message));
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], line, "{region}");
        assert_eq!(region["startColumn"], column, "{region}");

        let out = tack(
            &["lint", "--pg-version", "15", "--format", "github", file],
            p,
        );
        assert_no_panic(&out);
        let gh = text(&out.stdout);
        assert!(
            gh.starts_with(&format!(
                "::error file={file},line={line},col={column},endLine={line},endColumn={}",
                column + 1
            )),
            "{gh}"
        );
        assert!(gh.contains(&message), "{gh}");
    }
}

#[test]
fn an_unterminated_literal_does_not_repeat_the_rest_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut sql = String::from("SELECT 1;\nSELECT 'abc\n");
    for i in 0..200 {
        sql.push_str(&format!("ALTER TABLE t{i} ADD COLUMN c{i} int;\n"));
    }
    std::fs::write(dir.path().join("m.sql"), &sql).unwrap();

    let out = tack(
        &["lint", "--pg-version", "15", "--format", "json", "m.sql"],
        dir.path(),
    );
    assert_no_panic(&out);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &json["findings"][0];
    assert_eq!(f["rule"], "syntax-error", "{json}");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(8))
    );
    let message = f["message"].as_str().unwrap();
    assert_eq!(
        message, "unterminated quoted string at or near \"'abc…\"",
        "{json}"
    );

    for format in ["human", "sarif", "github"] {
        let out = tack(
            &["lint", "--pg-version", "15", "--format", format, "m.sql"],
            dir.path(),
        );
        assert_no_panic(&out);
        let report = text(&out.stdout);
        assert!(report.contains("'abc…"), "{format}: {report}");
        // Nothing of the lines after the literal: not in the message, not in the excerpt.
        assert!(!report.contains("ADD COLUMN c1"), "{format}: {report}");
        assert!(!report.contains("t199"), "{format}: {report}");
    }
}

#[test]
fn a_missing_migrations_path_names_itself_and_suggests_tack_init() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the path must be checked before any connection.
    let url = "postgres://u@127.0.0.1:1/db";
    for args in [
        vec!["lint", "nowhere"],
        vec!["lint", "--pg-version", "15", "nowhere/V1__a.sql"],
        vec!["plan", "--offline", "nowhere"],
        vec!["apply", "--dry-run", "--offline", "nowhere"],
        vec!["apply", "--database-url", url, "nowhere"],
        vec!["status", "--database-url", url, "nowhere"],
        vec!["drift", "--database-url", url, "nowhere"],
        vec!["complete", "--database-url", url, "nowhere"],
        vec!["rollback", "--database-url", url, "nowhere"],
        vec!["sum", "nowhere"],
    ] {
        let out = tack(&args, dir.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", show(&out));
        let stderr = text(&out.stderr);
        let what = if args.last().is_some_and(|a| a.ends_with(".sql")) {
            "no migration file nowhere/V1__a.sql"
        } else {
            "no migrations directory nowhere"
        };
        assert!(stderr.contains(what), "{args:?}: {stderr}");
        assert!(stderr.contains("tack init"), "{args:?}: {stderr}");
        assert!(!stderr.contains("connect"), "{args:?}: {stderr}");
    }
    // The default directory, missing, says the same.
    let out = tack(&["lint"], dir.path());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("no migrations directory migrations"),
        "{stderr}"
    );
    assert!(stderr.contains("tack init"), "{stderr}");
}

#[test]
fn apply_format_is_the_dry_runs_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("V1__a.sql"), "CREATE TABLE a (id int);\n").unwrap();
    let out = tack(
        &[
            "apply",
            "--dry-run",
            "--offline",
            "--pg-version",
            "15",
            "--format",
            "json",
            "V1__a.sql",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["refused"], false);
    assert!(json["script"]
        .as_str()
        .unwrap()
        .contains("CREATE TABLE a (id int)"));

    // Without --dry-run there is no plan to print: said at once, with the flag that was meant.
    let out = tack(
        &[
            "apply",
            "--database-url",
            "postgres://u@127.0.0.1:1/db",
            "--format",
            "json",
            "V1__a.sql",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        text(&out.stderr).contains("--log-format json"),
        "{}",
        show(&out)
    );

    let out = tack(&["apply", "--help"], dir.path());
    let help = text(&out.stdout);
    assert!(help.contains("tack apply --dry-run`'s"), "{help}");
    assert!(help.contains("The progress of a real run"), "{help}");
}

#[test]
fn unknown_url_schemes_say_which_engines_tack_supports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.sql"), "SELECT 1;").unwrap();
    for url in [
        "mysql://root:S3cretMy@127.0.0.1:3306/app",
        "mariadb://root:S3cretMy@127.0.0.1/app",
        "sqlite://u:S3cretMy@file.db",
    ] {
        let out = tack(&["lint", "--database-url", url, "a.sql"], dir.path());
        assert_eq!(out.status.code(), Some(2), "{url}: {}", show(&out));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("unsupported URL scheme"), "{stderr}");
        assert!(stderr.contains("tack supports PostgreSQL only"), "{stderr}");
        if !url.starts_with("sqlite") {
            assert!(
                stderr.contains("MySQL and MariaDB are not supported"),
                "{stderr}"
            );
        }
        assert!(!stderr.contains("S3cretMy"), "{stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// Passwords.

/// The password the tests use: a space, `@` and `/` make its URL spelling differ from the
/// decoded one; both must stay hidden, and so must any part of it.
const PASSWORD: &str = "Wr0ng p@ss/w0rd";
const PASSWORD_ENCODED: &str = "Wr0ng%20p%40ss%2Fw0rd";
/// A piece of the password that appears in no message of tack's.
const FRAGMENT: &str = "Wr0ng";

/// Every way of writing a target with a password, for `user` at `host:port`, database `db`:
/// (what it is, the target string, PGPASSWORD).
fn targets(
    user: &str,
    host: &str,
    port: u16,
    db: &str,
) -> Vec<(&'static str, String, Option<&'static str>)> {
    vec![
        (
            "URL",
            format!("postgres://{user}:{PASSWORD_ENCODED}@{host}:{port}/{db}"),
            None,
        ),
        (
            "URL without a scheme",
            format!("{user}:{PASSWORD_ENCODED}@{host}:{port}/{db}"),
            None,
        ),
        (
            "URL without a scheme, password not encoded",
            format!("{user}:{PASSWORD}@{host}:{port}/{db}"),
            None,
        ),
        (
            "URL with ?password=",
            format!("postgresql://{user}@{host}:{port}/{db}?sslmode=disable&password={PASSWORD_ENCODED}"),
            None,
        ),
        (
            "key=value",
            format!("host={host} port={port} user={user} dbname={db} password='{PASSWORD}'"),
            None,
        ),
        (
            "PGPASSWORD",
            format!("postgres://{user}@{host}:{port}/{db}"),
            Some(PASSWORD),
        ),
    ]
}

/// Runs lint, plan, apply, status and drift against each target, asserting that each fails
/// (exit 2) and never prints the password; `expect` is a piece every failure must show.
fn assert_never_printed(user: &str, host: &str, port: u16, db: &str, expect: &str) {
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join("migrations")).unwrap();
    std::fs::write(
        project.path().join("migrations/V1__a.sql"),
        "CREATE TABLE a (id int);\n",
    )
    .unwrap();
    for (form, target, pgpassword) in targets(user, host, port, db) {
        for args in [
            vec!["lint", "--database-url", &target],
            vec!["plan", "--database-url", &target],
            vec!["apply", "--database-url", &target],
            vec!["apply", "--dry-run", "--database-url", &target],
            vec!["status", "--database-url", &target],
            vec!["drift", "--database-url", &target],
        ] {
            let mut cmd = command(&args, project.path());
            if let Some(p) = pgpassword {
                cmd.env("PGPASSWORD", p);
            }
            let out = cmd.output().expect("run tack");
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert_eq!(
                out.status.code(),
                Some(2),
                "{form}, {args:?}: {}",
                show(&out)
            );
            for secret in [PASSWORD, PASSWORD_ENCODED, FRAGMENT] {
                assert!(
                    !all.contains(secret),
                    "{form}, {}: the password is printed: {all}",
                    args[0]
                );
            }
            // Without a scheme the string is refused before any connection; the others reach
            // the server.
            let expected = if form.starts_with("URL without a scheme") {
                "neither a URL nor libpq key=value pairs"
            } else {
                expect
            };
            assert!(all.contains(expected), "{form}, {args:?}: {all}");
        }
    }
}

#[test]
fn passwords_are_never_printed_when_the_host_is_unreachable() {
    // Nothing listens on port 1 of the loopback address.
    assert_never_printed("tack_user", "127.0.0.1", 1, "app", "connection refused");
}

#[test]
fn passwords_are_never_printed_when_the_password_is_wrong() {
    use tack_cluster::{Cluster, ClusterOptions, OnDrop};
    // The test kit's servers trust every local login; this one checks passwords (scram) for
    // one role, so a wrong password is refused by the server itself.
    let Some((_, bin)) = tack_testkit::installed_server_bin_dirs().into_iter().next() else {
        return tack_testkit::skip(
            "passwords_are_never_printed_when_the_password_is_wrong",
            "no PostgreSQL server binaries installed",
        );
    };
    let data = std::env::temp_dir().join(format!("tack-pw-{}", std::process::id()));
    let mut opts = ClusterOptions::new(bin, &data);
    opts.on_drop = OnDrop::StopAndRemove;
    let cluster = Cluster::start(opts).expect("start a cluster");
    let mut admin = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls)
        .expect("connect as the superuser");
    admin
        .batch_execute(
            "SET password_encryption = 'scram-sha-256';
             CREATE ROLE \"tack pw\" LOGIN PASSWORD 'the-right-one';",
        )
        .unwrap();
    let hba: String = admin.query_one("SHOW hba_file", &[]).unwrap().get(0);
    // Rewritten in place, so the file keeps the server user's ownership and mode.
    std::fs::write(
        &hba,
        "local all all trust\n\
         host all \"tack pw\" 127.0.0.1/32 scram-sha-256\n\
         host all all 127.0.0.1/32 trust\n",
    )
    .unwrap();
    admin.batch_execute("SELECT pg_reload_conf()").unwrap();
    // The reload is asynchronous: wait until the rule is in force.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rules: i64 = admin
            .query_one(
                "SELECT count(*) FROM pg_hba_file_rules WHERE auth_method = 'scram-sha-256'",
                &[],
            )
            .unwrap()
            .get(0);
        if rules > 0 || std::time::Instant::now() > deadline {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // The role's name has a space: percent-encoded in URLs, quoted in key=value strings.
    assert_never_printed_for_role(&cluster);
}

fn assert_never_printed_for_role(cluster: &tack_cluster::Cluster) {
    let port = cluster.port();
    let project = tempfile::tempdir().unwrap();
    std::fs::create_dir(project.path().join("migrations")).unwrap();
    std::fs::write(
        project.path().join("migrations/V1__a.sql"),
        "CREATE TABLE a (id int);\n",
    )
    .unwrap();
    let urls = [
        format!(
            "postgres://tack%20pw:{PASSWORD_ENCODED}@127.0.0.1:{port}/postgres?sslmode=disable"
        ),
        format!("postgres://tack%20pw@127.0.0.1:{port}/postgres?password={PASSWORD_ENCODED}"),
        format!("host=127.0.0.1 port={port} user='tack pw' dbname=postgres password='{PASSWORD}'"),
    ];
    for url in &urls {
        for command_name in ["lint", "apply", "status", "drift"] {
            let out = tack(&[command_name, "--database-url", url], project.path());
            let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert_eq!(out.status.code(), Some(2), "{command_name} {url}: {all}");
            for secret in [PASSWORD, PASSWORD_ENCODED, FRAGMENT] {
                assert!(
                    !all.contains(secret),
                    "{command_name}: password printed: {all}"
                );
            }
            // The server's own words, with the role's name quoted.
            assert!(
                all.contains("password authentication failed for user \"tack pw\""),
                "{command_name} {url}: {all}"
            );
            assert!(all.contains("check the user name and password"), "{all}");
        }
    }
    // PGPASSWORD, echoed nowhere either.
    let out = command(
        &[
            "status",
            "--database-url",
            &format!("postgres://tack%20pw@127.0.0.1:{port}/postgres"),
        ],
        project.path(),
    )
    .env("PGPASSWORD", PASSWORD)
    .output()
    .unwrap();
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(!all.contains(FRAGMENT), "{all}");
    assert!(all.contains("password authentication failed"), "{all}");
}

// ---------------------------------------------------------------------------------------------
// Closed pipes.

/// Runs `tack <args>` with its standard output a pipe whose reader is already gone, so its first
/// write fails with EPIPE. Returns its output (stderr) and exit status.
fn with_closed_stdout(args: &[&str], dir: &Path, url: Option<&str>) -> Output {
    // The reader closes its end, then says so; only then does the writer start tack.
    let script = r#"m="$1"; shift
( while [ ! -e "$m" ]; do sleep 0.01; done; exec "$@" ) | { exec 0<&-; : > "$m"; }
exit "${PIPESTATUS[0]}""#;
    let marker = dir.join(format!(".closed-{}", args.join("-").replace('/', "_")));
    let mut cmd = Command::new("bash");
    cmd.arg("-c")
        .arg(script)
        .arg("bash")
        .arg(&marker)
        .arg(TACK)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL");
    if let Some(url) = url {
        cmd.env("DATABASE_URL", url);
    }
    let out = cmd.output().expect("run bash");
    let _ = std::fs::remove_file(marker);
    out
}

fn assert_quiet(out: &Output, expected: i32, what: &str) {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: {}", show(out));
    assert!(!stderr.contains("Broken pipe"), "{what}: {}", show(out));
    assert_eq!(out.status.code(), Some(expected), "{what}: {}", show(out));
}

#[test]
fn a_closed_pipe_ends_the_output_quietly_with_the_commands_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("migrations")).unwrap();
    let mut sql = String::from("SET lock_timeout = '1s';\n");
    for i in 0..300 {
        sql.push_str(&format!("CREATE INDEX i{i} ON t (c{i});\n"));
    }
    std::fs::write(p.join("migrations/V1__many.sql"), &sql).unwrap();

    for args in [
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["lint", "--pg-version", "15"],
        vec!["lint", "--pg-version", "15", "--format", "json"],
        vec!["lint", "--pg-version", "15", "--format", "sarif"],
        vec!["lint", "--pg-version", "15", "--format", "github"],
        vec!["plan", "--offline", "--pg-version", "15"],
        vec![
            "plan",
            "--offline",
            "--pg-version",
            "15",
            "--format",
            "json",
        ],
        vec!["apply", "--dry-run", "--offline", "--pg-version", "15"],
        vec!["--help"],
    ] {
        // The exit code is the command's own: what it exits with when its output is read.
        let read = tack(&args, p);
        assert_no_panic(&read);
        let code = read.status.code().unwrap_or(-1);
        let out = with_closed_stdout(&args, p, None);
        assert_quiet(&out, code, &args.join(" "));
    }
    let lint = tack(&["lint", "--pg-version", "15"], p);
    assert_eq!(
        lint.status.code(),
        Some(1),
        "findings exit 1: {}",
        show(&lint)
    );

    // A user's pipeline, as the issue wrote it: `| head -1` under pipefail.
    let out = Command::new("bash")
        .args([
            "-o",
            "pipefail",
            "-c",
            r#""$0" rules | head -1 >/dev/null"#,
            TACK,
        ])
        .current_dir(p)
        .output()
        .unwrap();
    assert_quiet(&out, 0, "tack rules | head -1");
}

#[test]
fn a_closed_pipe_does_not_stop_a_connected_command() {
    let db = tack_testkit::database();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("migrations")).unwrap();
    std::fs::write(
        p.join("migrations/V1__t.sql"),
        "CREATE TABLE piped (id int);\n",
    )
    .unwrap();

    let out = with_closed_stdout(&["status", "--format", "json"], p, Some(db.url()));
    assert_quiet(&out, 0, "status --format json");
    let out = with_closed_stdout(&["apply", "--dry-run"], p, Some(db.url()));
    assert_quiet(&out, 0, "apply --dry-run");

    // A real run whose JSON log reader went away still applies its migration, and says so by
    // its exit code: a migration does not stop because its log reader did.
    let out = with_closed_stdout(&["apply", "--log-format", "json"], p, Some(db.url()));
    assert_quiet(&out, 0, "apply --log-format json");
    let mut client = db.connect();
    let exists: bool = client
        .query_one("SELECT to_regclass('piped') IS NOT NULL", &[])
        .unwrap()
        .get(0);
    assert!(exists, "the migration ran");

    let out = with_closed_stdout(&["status"], p, Some(db.url()));
    assert_quiet(&out, 0, "status");
}

// ---------------------------------------------------------------------------------------------
// TLS with a self-signed server certificate.

/// Makes a self-signed certificate the way PostgreSQL's documentation does (a CA certificate
/// with a Common Name and no subject alternative names) in `dir`: `<name>.crt`, `<name>.key`.
fn self_signed(dir: &Path, name: &str, cn: &str) -> bool {
    Command::new("openssl")
        .args(["req", "-new", "-x509", "-days", "30", "-nodes", "-subj"])
        .arg(format!("/CN={cn}"))
        .arg("-out")
        .arg(dir.join(format!("{name}.crt")))
        .arg("-keyout")
        .arg(dir.join(format!("{name}.key")))
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_self_signed_server_certificate_is_accepted_as_its_own_root_as_libpq_does() {
    use std::os::unix::fs::{chown, MetadataExt, PermissionsExt};
    use tack_cluster::{Cluster, ClusterOptions, OnDrop};
    let test = "a_self_signed_server_certificate_is_accepted_as_its_own_root_as_libpq_does";
    let Some((_, bin)) = tack_testkit::installed_server_bin_dirs().into_iter().next() else {
        return tack_testkit::skip(test, "no PostgreSQL server binaries installed");
    };
    let certs = tempfile::tempdir().unwrap();
    if !self_signed(certs.path(), "server", "localhost")
        || !self_signed(certs.path(), "other", "localhost")
    {
        return tack_testkit::skip(test, "the openssl command is not installed");
    }
    let data = std::env::temp_dir().join(format!("tack-tls-{}", std::process::id()));
    let mut opts = ClusterOptions::new(bin, &data);
    opts.on_drop = OnDrop::StopAndRemove;
    let cluster = Cluster::start(opts).expect("start a cluster");
    // The server reads server.crt and server.key from its data directory: put them there,
    // owned by the server's user, the key private, and turn TLS on.
    let owner = std::fs::metadata(cluster.data_dir()).unwrap();
    for (file, mode) in [("server.crt", 0o644), ("server.key", 0o600)] {
        let to = cluster.data_dir().join(file);
        std::fs::copy(certs.path().join(file), &to).unwrap();
        chown(&to, Some(owner.uid()), Some(owner.gid())).unwrap();
        std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let mut admin = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls).unwrap();
    admin.batch_execute("ALTER SYSTEM SET ssl = on").unwrap();
    admin.batch_execute("SELECT pg_reload_conf()").unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while admin
        .query_one("SHOW ssl", &[])
        .unwrap()
        .get::<_, String>(0)
        != "on"
    {
        assert!(std::time::Instant::now() < deadline, "ssl did not turn on");
        std::thread::sleep(std::time::Duration::from_millis(50));
        admin = postgres::Client::connect(&cluster.url("postgres"), postgres::NoTls).unwrap();
    }

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.sql"), "SELECT 1;").unwrap();
    let port = cluster.port();
    let root = certs.path().join("server.crt").display().to_string();
    let wrong = certs.path().join("other.crt").display().to_string();
    let lint = |host: &str, mode: &str, root: &str| {
        tack(
            &[
                "lint",
                "--database-url",
                &format!(
                    "postgres://postgres@{host}:{port}/postgres?sslmode={mode}&sslrootcert={root}"
                ),
                "a.sql",
            ],
            dir.path(),
        )
    };

    // verify-ca: the certificate is its own root, whatever the host is called.
    for host in ["127.0.0.1", "localhost"] {
        let out = lint(host, "verify-ca", &root);
        assert_eq!(
            out.status.code(),
            Some(0),
            "verify-ca via {host}: {}",
            show(&out)
        );
    }
    // verify-full: the Common Name stands for the host name (the certificate lists no other).
    let out = lint("localhost", "verify-full", &root);
    assert_eq!(out.status.code(), Some(0), "verify-full: {}", show(&out));

    // verify-full by a name the certificate does not carry: refused, naming both.
    let out = lint("127.0.0.1", "verify-full", &root);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("certificate not valid for name \"127.0.0.1\""),
        "{stderr}"
    );
    assert!(stderr.contains("the Common Name \"localhost\""), "{stderr}");
    assert!(
        stderr.contains("sslmode=verify-ca to check only the chain"),
        "{stderr}"
    );

    // The wrong root: refused, saying so and naming the file.
    for mode in ["verify-ca", "verify-full"] {
        let out = lint("localhost", mode, &wrong);
        assert_eq!(out.status.code(), Some(2), "{}", show(&out));
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains("not issued by any certificate in sslrootcert"),
            "{mode}: {stderr}"
        );
        assert!(
            stderr.contains(&format!("(sslrootcert is {wrong})")),
            "{stderr}"
        );
    }
}
