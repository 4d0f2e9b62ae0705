//! [`Server`] (a PostgreSQL server tests may use) and [`TestDatabase`] (a
//! database that exists for one test and is dropped with it).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

/// How a [`Server`] came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// Named by `TACK_TEST_DATABASE_URL`.
    FromUrl,
    /// The local server at 127.0.0.1:5432.
    Local,
    /// A throwaway cluster the kit started (and leaves running; see
    /// [`crate::stop_throwaway_servers`]).
    Throwaway,
}

/// A PostgreSQL server tests can use.
#[derive(Clone)]
pub struct Server {
    kind: ServerKind,
    host: String,
    port: u16,
    user: String,
    password: Option<String>,
    /// The database the kit connects to in order to create and drop test
    /// databases.
    admin_db: String,
    major: u32,
    version_num: u32,
    bin_dir: Option<PathBuf>,
    data_dir: Option<PathBuf>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("kind", &self.kind)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("admin_db", &self.admin_db)
            .field("major", &self.major)
            .field("version_num", &self.version_num)
            .field("bin_dir", &self.bin_dir)
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

/// Connection parameters, before we know the server answers.
pub(crate) struct Target {
    pub kind: ServerKind,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Option<String>,
    pub admin_db: String,
    pub bin_dir: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
}

impl Target {
    fn config(&self, dbname: &str, timeout: Duration) -> Config {
        let mut config = Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(dbname)
            .application_name("tack-testkit")
            .connect_timeout(timeout);
        if let Some(pw) = &self.password {
            config.password(pw);
        }
        config
    }

    /// Connects to the admin database and learns the server version. Checks
    /// the user may create databases. `wait` is how long to keep retrying
    /// while the server is starting up or full.
    pub(crate) fn probe(self, wait: Duration) -> Result<Server, String> {
        let config = self.config(&self.admin_db, Duration::from_secs(5));
        let mut client = connect_retrying(&config, wait).map_err(|e| {
            format!(
                "could not connect to {}: {e}",
                url(&self.host, self.port, &self.user, None, &self.admin_db)
            )
        })?;
        let row = client
            .query_one(
                "SELECT current_setting('server_version_num')::int4, \
                 coalesce((SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user), false)",
                &[],
            )
            .map_err(|e| format!("could not query the server version: {e}"))?;
        let version_num: i32 = row.get(0);
        let can_create: bool = row.get(1);
        if !can_create {
            return Err(format!(
                "role {:?} may not create databases (needs SUPERUSER or CREATEDB)",
                self.user
            ));
        }
        let version_num = u32::try_from(version_num)
            .map_err(|_| format!("odd server_version_num {version_num}"))?;
        Ok(Server {
            kind: self.kind,
            host: self.host,
            port: self.port,
            user: self.user,
            password: self.password,
            admin_db: self.admin_db,
            major: major_of(version_num),
            version_num,
            bin_dir: self.bin_dir,
            data_dir: self.data_dir,
        })
    }
}

/// Major version from `server_version_num` (e.g. 150019 -> 15, 90624 -> 9).
fn major_of(version_num: u32) -> u32 {
    version_num / 10_000
}

/// Connects, retrying for up to `wait` while the server is not accepting
/// connections yet (starting up, too many clients, connection refused).
fn connect_retrying(config: &Config, wait: Duration) -> Result<Client, postgres::Error> {
    let deadline = Instant::now() + wait;
    let mut delay = Duration::from_millis(50);
    loop {
        match config.connect(NoTls) {
            Ok(client) => return Ok(client),
            Err(e) => {
                let transient = match e.code() {
                    Some(code) => {
                        *code == SqlState::CANNOT_CONNECT_NOW
                            || *code == SqlState::TOO_MANY_CONNECTIONS
                    }
                    // No SQLSTATE: an I/O error (refused, reset, timeout).
                    None => true,
                };
                if !transient || Instant::now() + delay > deadline {
                    return Err(e);
                }
                std::thread::sleep(delay);
                delay = (delay * 2).min(Duration::from_millis(500));
            }
        }
    }
}

impl Server {
    /// Major version, e.g. 15 or 18.
    pub fn major(&self) -> u32 {
        self.major
    }

    /// `server_version_num`, e.g. 150019.
    pub fn version_num(&self) -> u32 {
        self.version_num
    }

    /// How this server came to be.
    pub fn kind(&self) -> ServerKind {
        self.kind
    }

    /// Host name, IP address or unix socket directory.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// TCP port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The role the kit connects as (a superuser, or for
    /// `TACK_TEST_DATABASE_URL` whatever role that URL names).
    pub fn user(&self) -> &str {
        &self.user
    }

    /// The server's bin dir (`initdb`, `pg_ctl`, `pg_basebackup`, ...) when
    /// the kit started this server, else `None`.
    pub fn bin_dir(&self) -> Option<&Path> {
        self.bin_dir.as_deref()
    }

    /// The data directory when the kit started this server, else `None`.
    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    /// URL of the admin database as the kit's user: the `postgres` database
    /// as superuser, or, for `TACK_TEST_DATABASE_URL`, the database that URL
    /// names.
    pub fn admin_url(&self) -> String {
        self.url_for(&self.admin_db)
    }

    /// URL of database `dbname` on this server, as the kit's user.
    pub fn url_for(&self, dbname: &str) -> String {
        url(
            &self.host,
            self.port,
            &self.user,
            self.password.as_deref(),
            dbname,
        )
    }

    /// A [`Config`] for database `dbname` on this server, as the kit's user.
    pub fn config_for(&self, dbname: &str) -> Config {
        let mut config = Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(dbname)
            .connect_timeout(Duration::from_secs(10));
        if let Some(pw) = &self.password {
            config.password(pw);
        }
        config
    }

    /// Connects to database `dbname`; panics with a message on failure.
    pub fn connect_to(&self, dbname: &str) -> Client {
        connect_retrying(&self.config_for(dbname), Duration::from_secs(30)).unwrap_or_else(|e| {
            panic!(
                "tack-testkit: could not connect to {}: {e}",
                self.url_for(dbname)
            )
        })
    }

    /// Connects to the admin database (see [`Server::admin_url`]).
    pub fn connect_admin(&self) -> Client {
        self.connect_to(&self.admin_db)
    }

    /// Creates a fresh, uniquely named database (see [`TestDatabase`]).
    /// Panics with a message when the server refuses.
    pub fn create_database(&self) -> TestDatabase {
        let name = unique_db_name();
        let mut admin = self.connect_admin();
        let sql = format!("CREATE DATABASE {}", quote_ident(&name));
        let mut attempt = 0u32;
        loop {
            match admin.batch_execute(&sql) {
                Ok(()) => break,
                // "source database template1 is being accessed by other
                // users": someone is briefly connected to the template.
                Err(e) if e.code() == Some(&SqlState::OBJECT_IN_USE) && attempt < 50 => {
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(100));
                }
                Err(e) => panic!(
                    "tack-testkit: could not create database {name} on {}: {e}",
                    self.admin_url()
                ),
            }
        }
        TestDatabase {
            url: self.url_for(&name),
            name,
            server: self.clone(),
        }
    }

    fn drop_database(&self, name: &str) -> Result<(), String> {
        let mut admin = connect_retrying(&self.config_for(&self.admin_db), Duration::from_secs(30))
            .map_err(|e| e.to_string())?;
        let ident = quote_ident(name);
        if self.major >= 13 {
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {ident} WITH (FORCE)"))
                .map_err(|e| e.to_string())
        } else {
            admin
                .execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    &[&name],
                )
                .map_err(|e| e.to_string())?;
            admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {ident}"))
                .map_err(|e| e.to_string())
        }
    }
}

/// A database that exists for one test and is dropped
/// (`DROP DATABASE ... WITH (FORCE)`) when this value drops.
pub struct TestDatabase {
    server: Server,
    name: String,
    url: String,
}

impl fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestDatabase")
            .field("name", &self.name)
            .field("server", &self.server)
            .finish()
    }
}

impl TestDatabase {
    /// `postgres://user@host:port/dbname`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The server the database lives on.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// A [`Config`] for this database.
    pub fn config(&self) -> Config {
        self.server.config_for(&self.name)
    }

    /// A new connection to this database; panics with a message on failure.
    pub fn connect(&self) -> Client {
        self.server.connect_to(&self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Err(e) = self.server.drop_database(&self.name) {
            // Never panic in drop (it may run while unwinding); the database
            // is merely left behind.
            eprintln!(
                "tack-testkit: warning: could not drop test database {} on {}: {e}",
                self.name,
                self.server.admin_url()
            );
        }
    }
}

/// `tack_test_<pid>_<counter>_<random>`: unique across threads and processes.
fn unique_db_name() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(n);
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(t.as_nanos());
    }
    let random = hasher.finish() & 0xffff_ffff;
    format!("tack_test_{}_{n}_{random:08x}", std::process::id())
}

/// Quotes an SQL identifier.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Builds `postgres://user[:password]@host:port/dbname`, percent-encoding
/// where needed (a unix socket directory becomes `%2Fpath%2Fto%2Fdir`).
pub(crate) fn url(host: &str, port: u16, user: &str, password: Option<&str>, db: &str) -> String {
    let host_part = if host.contains(':') && !host.starts_with('/') {
        format!("[{host}]")
    } else {
        tack_cluster::percent_encode(host)
    };
    let auth = match password {
        Some(pw) => format!(
            "{}:{}",
            tack_cluster::percent_encode(user),
            tack_cluster::percent_encode(pw)
        ),
        None => tack_cluster::percent_encode(user),
    };
    format!(
        "postgres://{auth}@{host_part}:{port}/{}",
        tack_cluster::percent_encode(db)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_urls() {
        assert_eq!(
            url("127.0.0.1", 5432, "postgres", None, "tack_test_1"),
            "postgres://postgres@127.0.0.1:5432/tack_test_1"
        );
        assert_eq!(
            url("/tmp/x y", 5433, "me", Some("p@ss"), "db"),
            "postgres://me:p%40ss@%2Ftmp%2Fx%20y:5433/db"
        );
        assert_eq!(
            url("::1", 5432, "u", None, "d"),
            "postgres://u@[::1]:5432/d"
        );
    }

    #[test]
    fn urls_round_trip_through_the_driver() {
        let u = url("/tmp/sock dir", 5433, "me", Some("p@ss:/"), "my db");
        let config: Config = u.parse().unwrap_or_else(|e| panic!("{u}: {e}"));
        assert_eq!(
            config.get_hosts(),
            &[postgres::config::Host::Unix(PathBuf::from("/tmp/sock dir"))]
        );
        assert_eq!(config.get_ports(), &[5433]);
        assert_eq!(config.get_user(), Some("me"));
        assert_eq!(config.get_password(), Some(&b"p@ss:/"[..]));
        assert_eq!(config.get_dbname(), Some("my db"));
    }

    #[test]
    fn database_names_are_unique_and_valid() {
        let a = unique_db_name();
        let b = unique_db_name();
        assert_ne!(a, b);
        assert!(a.len() < 63, "{a} is too long for an identifier");
        assert!(a.starts_with("tack_test_"));
    }

    #[test]
    fn majors() {
        assert_eq!(major_of(150019), 15);
        assert_eq!(major_of(180006), 18);
        assert_eq!(major_of(90624), 9);
    }

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
