//! Connection settings: a `postgres://` URL, a libpq `key=value` string, or nothing at all,
//! completed from the libpq environment variables the way libpq does it.
//!
//! tokio-postgres reads neither `PG*` variables nor `~/.pgpass`, and rejects libpq parameters it
//! does not implement. [`ConnectOptions`] fills that gap: anything the string leaves unset is
//! taken from `PGHOST`, `PGHOSTADDR`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
//! `PGOPTIONS`, `PGAPPNAME`, `PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`,
//! `PGCONNECT_TIMEOUT`, `PGPASSFILE` (then `~/.pgpass`), then from defaults: the local socket
//! directory or `localhost`, application name `tack`, a 10 s connect timeout, `sslmode=prefer`.

use crate::server::conninfo::{self, join_pairs, parse_pairs, split_url_params};
use crate::server::error::{Error, SETTINGS_HINT};
use crate::server::redact::{self, redact, Form, Secrets};
use crate::server::tls::{RootCerts, SslMode, TlsSettings};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::Config;

/// `application_name` when neither the settings nor `PGAPPNAME` give one.
pub const DEFAULT_APPLICATION_NAME: &str = "tack";
/// Connect timeout (per host) when neither the settings nor `PGCONNECT_TIMEOUT` give one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// libpq parameters handled here rather than by tokio-postgres.
const OWN_PARAMS: &[&str] = &[
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "passfile",
    "gssencmode",
];

/// Unix socket directories libpq builds commonly default to (Debian's first).
const SOCKET_DIRS: &[&str] = &["/var/run/postgresql", "/run/postgresql", "/tmp"];

/// Resolved connection settings for one target.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    config: Config,
    tls: TlsSettings,
    connect_timeout: Option<Duration>,
    target: String,
    /// Every password these settings hold, to clean messages that might quote one.
    secrets: Secrets,
}

/// Values of [`OWN_PARAMS`] from the connection string (the last occurrence wins).
#[derive(Default)]
struct Own {
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    sslcert: Option<String>,
    sslkey: Option<String>,
    connect_timeout: Option<String>,
    passfile: Option<String>,
    gssencmode: Option<String>,
}

impl Own {
    fn set(&mut self, key: &str, value: String) {
        let slot = match key {
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "sslcert" => &mut self.sslcert,
            "sslkey" => &mut self.sslkey,
            "connect_timeout" => &mut self.connect_timeout,
            "passfile" => &mut self.passfile,
            "gssencmode" => &mut self.gssencmode,
            _ => return,
        };
        *slot = Some(value);
    }
}

impl ConnectOptions {
    /// Parses a `postgres://` URL or libpq `key=value` string; an empty string means "all from
    /// the environment". Unset settings are completed from this process's `PG*` variables.
    pub fn new(url_or_conninfo: &str) -> Result<Self, Error> {
        Self::with_env(url_or_conninfo, |name| std::env::var(name).ok())
    }

    /// Settings from the libpq environment variables alone.
    pub fn from_env() -> Result<Self, Error> {
        Self::new("")
    }

    /// As [`ConnectOptions::new`], reading variables (`PGHOST`, …, and `HOME`, `USER` for the
    /// `~/.pgpass` and `~/.postgresql` defaults) through `env` instead of the process
    /// environment.
    pub fn with_env(
        url_or_conninfo: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, Error> {
        let env = |name: &str| env(name).filter(|v| !v.is_empty());
        let input = url_or_conninfo.trim();
        let shown = if input.is_empty() {
            "from the PG* environment variables".to_owned()
        } else {
            redact(input)
        };
        let mut secrets = Secrets::of(input);
        // A parser's complaint may quote the text it choked on, password included.
        let invalid = |reason: String| Error::InvalidConfig {
            target: shown.clone(),
            reason: secrets.scrub(&reason),
            hint: format!(
                "use a postgres://user@host:port/dbname URL or libpq key=value pairs; \
                 {SETTINGS_HINT}"
            ),
        };

        let mut own = Own::default();
        let is_own = |key: &str| OWN_PARAMS.contains(&key);
        let mut config = if input.is_empty() {
            Config::new()
        } else if redact::form(input) == Form::Bare {
            return Err(invalid(
                "this is neither a URL nor libpq key=value pairs (a URL must start with \
                 postgres://)"
                    .to_owned(),
            ));
        } else if conninfo::is_url(input) {
            match conninfo::url_scheme(input).as_deref() {
                Some("postgres" | "postgresql") => {}
                Some(other) => {
                    return Err(Error::InvalidConfig {
                        target: shown.clone(),
                        reason: format!("unsupported URL scheme \"{other}\": {}", engines(other)),
                        hint: format!(
                            "give a postgres:// (or postgresql://) URL or libpq key=value \
                             pairs; {SETTINGS_HINT}"
                        ),
                    });
                }
                None => {}
            }
            let (rest, taken) = split_url_params(input, is_own);
            for (key, value) in taken {
                own.set(&key, value);
            }
            Config::from_str(&rest).map_err(|e| invalid(crate::server::error::chain(&e)))?
        } else {
            let pairs = parse_pairs(input).map_err(invalid)?;
            let mut kept = Vec::new();
            for (key, value) in pairs {
                if is_own(&key) {
                    own.set(&key, value);
                } else {
                    kept.push((key, value));
                }
            }
            if kept.is_empty() {
                Config::new()
            } else {
                Config::from_str(&join_pairs(&kept))
                    .map_err(|e| invalid(crate::server::error::chain(&e)))?
            }
        };

        let mut used_env: Vec<&'static str> = Vec::new();
        let mut from_env = |name: &'static str| {
            let value = env(name);
            if value.is_some() {
                used_env.push(name);
            }
            value
        };

        // Hosts and ports.
        let mut default_host = None;
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            if let Some(hosts) = from_env("PGHOST") {
                for host in hosts.split(',').filter(|h| !h.is_empty()) {
                    config.host(host);
                }
            }
            if let Some(addrs) = from_env("PGHOSTADDR") {
                for addr in addrs.split(',').filter(|a| !a.is_empty()) {
                    let ip: IpAddr = addr.trim().parse().map_err(|_| {
                        invalid(format!("PGHOSTADDR={addrs} is not a list of IP addresses"))
                    })?;
                    config.hostaddr(ip);
                }
            }
        }
        if config.get_ports().is_empty() {
            if let Some(ports) = from_env("PGPORT") {
                for port in ports.split(',') {
                    let port = if port.trim().is_empty() {
                        5432
                    } else {
                        port.trim()
                            .parse::<u16>()
                            .map_err(|_| invalid(format!("PGPORT={ports} is not a port number")))?
                    };
                    config.port(port);
                }
            }
        }
        if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
            let port = config.get_ports().first().copied().unwrap_or(5432);
            let socket_dir = SOCKET_DIRS
                .iter()
                .find(|dir| Path::new(dir).join(format!(".s.PGSQL.{port}")).exists());
            match socket_dir {
                Some(dir) => {
                    config.host_path(dir);
                    default_host = Some((*dir).to_owned());
                }
                None => {
                    config.host("localhost");
                    default_host = Some("localhost".to_owned());
                }
            }
        }

        // Who, where, how.
        if config.get_user().is_none() {
            if let Some(user) = from_env("PGUSER") {
                config.user(user);
            }
        }
        if config.get_password().is_none() {
            if let Some(password) = from_env("PGPASSWORD") {
                config.password(password);
            }
        }
        if config.get_dbname().is_none() {
            if let Some(dbname) = from_env("PGDATABASE") {
                config.dbname(dbname);
            }
        }
        if config.get_options().is_none() {
            if let Some(options) = from_env("PGOPTIONS") {
                config.options(options);
            }
        }
        if config.get_application_name().is_none() {
            match from_env("PGAPPNAME") {
                Some(name) => config.application_name(name),
                None => config.application_name(DEFAULT_APPLICATION_NAME),
            };
        }

        // TLS.
        let mode = match own.sslmode.clone().or_else(|| from_env("PGSSLMODE")) {
            Some(mode) => mode.parse::<SslMode>().map_err(invalid)?,
            None => SslMode::default(),
        };
        config.ssl_mode(mode.negotiation());
        let home = env("HOME").map(PathBuf::from);
        let tls = TlsSettings {
            mode,
            root_certs: own
                .sslrootcert
                .clone()
                .or_else(|| from_env("PGSSLROOTCERT"))
                .map(|v| RootCerts::from_setting(&v)),
            client_cert: own
                .sslcert
                .clone()
                .or_else(|| from_env("PGSSLCERT"))
                .map(PathBuf::from),
            client_key: own
                .sslkey
                .clone()
                .or_else(|| from_env("PGSSLKEY"))
                .map(PathBuf::from),
            home: home.clone(),
        };
        if let Some(gss) = own.gssencmode.clone().or_else(|| from_env("PGGSSENCMODE")) {
            match gss.as_str() {
                "disable" | "prefer" => {}
                "require" => {
                    return Err(invalid(
                        "gssencmode=require: GSSAPI encryption is not supported; use \
                         sslmode=require instead"
                            .to_owned(),
                    ))
                }
                other => {
                    return Err(invalid(format!(
                        "invalid gssencmode \"{other}\" (expected disable, prefer or require)"
                    )))
                }
            }
        }

        // Timeout: libpq semantics (seconds; 0 or less waits forever; at least 2 s).
        let connect_timeout = match own
            .connect_timeout
            .clone()
            .or_else(|| from_env("PGCONNECT_TIMEOUT"))
        {
            Some(text) => {
                let secs: i64 = text.trim().parse().map_err(|_| {
                    invalid(format!(
                        "connect_timeout \"{text}\" is not a whole number of seconds"
                    ))
                })?;
                (secs > 0).then(|| Duration::from_secs(secs.max(2).unsigned_abs()))
            }
            None => Some(DEFAULT_CONNECT_TIMEOUT),
        };
        if let Some(timeout) = connect_timeout {
            config.connect_timeout(timeout);
        }

        // Password file.
        if config.get_password().is_none() {
            let passfile = own
                .passfile
                .clone()
                .or_else(|| from_env("PGPASSFILE"))
                .map(PathBuf::from)
                .or_else(|| home.as_ref().map(|h| h.join(".pgpass")));
            if let Some(passfile) = passfile {
                let user = config
                    .get_user()
                    .map(str::to_owned)
                    .or_else(|| env("USER"))
                    .or_else(|| env("LOGNAME"));
                if let Some(user) = user {
                    if let Some(password) = password_from_file(&passfile, &config, &user) {
                        config.password(password);
                    }
                }
            }
        }

        if let Some(password) = config.get_password() {
            secrets.add(&String::from_utf8_lossy(password));
        }

        let target = if input.is_empty() {
            format!("{} (from PG* environment variables)", describe(&config))
        } else {
            let mut notes = Vec::new();
            if !used_env.is_empty() {
                notes.push(format!("with {} from the environment", used_env.join(", ")));
            }
            if let Some(host) = default_host {
                notes.push(format!("default host {host}"));
            }
            if notes.is_empty() {
                shown
            } else {
                format!("{shown} ({})", notes.join("; "))
            }
        };

        Ok(ConnectOptions {
            config,
            tls,
            connect_timeout,
            target,
            secrets,
        })
    }

    /// Every password these settings hold (for cleaning messages; never shown).
    pub(crate) fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The target for messages: the redacted connection string, or a description of the
    /// settings taken from the environment. Never contains a password.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The tokio-postgres configuration (its `Debug` output omits the password).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The TLS settings.
    pub fn tls(&self) -> &TlsSettings {
        &self.tls
    }

    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    /// Per-host connect timeout; `None` waits forever.
    pub fn connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    pub fn set_connect_timeout(&mut self, timeout: Option<Duration>) -> &mut Self {
        self.connect_timeout = timeout;
        if let Some(timeout) = timeout {
            self.config.connect_timeout(timeout);
        }
        self
    }

    /// Points the options at another database of the same server (tack's scratch databases).
    pub fn set_dbname(&mut self, name: &str) -> &mut Self {
        self.config.dbname(name);
        self.target = format!("{} (database {})", self.target, quote_ident(name));
        self
    }

    pub fn set_application_name(&mut self, name: &str) -> &mut Self {
        self.config.application_name(name);
        self
    }

    /// How many hosts will be tried.
    pub(crate) fn host_count(&self) -> usize {
        self.config
            .get_hosts()
            .len()
            .max(self.config.get_hostaddrs().len())
            .max(1)
    }
}

impl FromStr for ConnectOptions {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        ConnectOptions::new(s)
    }
}

fn host_text(host: &Host) -> String {
    match host {
        Host::Tcp(h) => h.clone(),
        #[cfg(unix)]
        Host::Unix(path) => path.display().to_string(),
    }
}

/// `host=… port=… user=… dbname=…` for settings that came from the environment (password
/// masked).
fn describe(config: &Config) -> String {
    let mut parts = Vec::new();
    let hosts: Vec<String> = config.get_hosts().iter().map(host_text).collect();
    if !hosts.is_empty() {
        parts.push(format!("host={}", hosts.join(",")));
    }
    let addrs: Vec<String> = config
        .get_hostaddrs()
        .iter()
        .map(|a| a.to_string())
        .collect();
    if !addrs.is_empty() {
        parts.push(format!("hostaddr={}", addrs.join(",")));
    }
    let ports: Vec<String> = config.get_ports().iter().map(|p| p.to_string()).collect();
    parts.push(format!(
        "port={}",
        if ports.is_empty() {
            "5432".to_owned()
        } else {
            ports.join(",")
        }
    ));
    if let Some(user) = config.get_user() {
        parts.push(format!("user={}", conninfo_value(user)));
    }
    if config.get_password().is_some() {
        parts.push(format!("password={}", crate::server::redact::MASK));
    }
    if let Some(dbname) = config.get_dbname() {
        parts.push(format!("dbname={}", conninfo_value(dbname)));
    }
    parts.join(" ")
}

/// A value as libpq would read it back: bare when it is a plain word, else quoted.
fn conninfo_value(value: &str) -> String {
    if !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '@' | ':'))
    {
        value.to_owned()
    } else {
        conninfo::quote(value)
    }
}

/// A database or role name in a message, quoted as SQL quotes identifiers (`"my db"`), so its
/// ends are visible whatever it holds.
pub(crate) fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// What to say about a URL scheme tack does not take: which engines it supports.
fn engines(scheme: &str) -> String {
    let supported = "tack supports PostgreSQL only (postgres:// or postgresql:// URLs, or libpq \
                     key=value pairs)";
    match scheme {
        "mysql" | "mariadb" | "mysqlx" => {
            format!("{supported}; MySQL and MariaDB are not supported yet")
        }
        _ => supported.to_owned(),
    }
}

/// The password for this connection from a `.pgpass`-format file, as libpq finds it: the first
/// line whose `host:port:database:user` fields match (`*` matches anything). Like libpq, a file
/// readable by group or others is ignored.
fn password_from_file(path: &Path, config: &Config, user: &str) -> Option<String> {
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if metadata.permissions().mode() & 0o077 != 0 {
            return None;
        }
    }
    let text = std::fs::read_to_string(path).ok()?;
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(Host::Unix(_)) => "localhost".to_owned(),
        None => config
            .get_hostaddrs()
            .first()
            .map(|a| a.to_string())
            .unwrap_or_else(|| "localhost".to_owned()),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let dbname = config.get_dbname().unwrap_or(user);
    let wanted = [host.as_str(), port.as_str(), dbname, user];
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .find_map(|line| {
            let fields = split_pgpass_line(line)?;
            let matches = fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, value)| field == "*" || field == value);
            matches.then(|| fields[4].clone())
        })
}

/// Splits `host:port:db:user:password` on unescaped colons (`\:` and `\\` are escapes); the
/// password is the rest of the line.
fn split_pgpass_line(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::with_capacity(5);
    let mut current = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    (fields.len() == 5).then_some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn opts(input: &str, vars: &[(&str, &str)]) -> Result<ConnectOptions, Error> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ConnectOptions::with_env(input, move |k| vars.get(k).cloned())
    }

    fn tcp_hosts(o: &ConnectOptions) -> Vec<String> {
        o.config().get_hosts().iter().map(host_text).collect()
    }

    #[test]
    fn url_with_defaults() {
        let o = opts("postgres://u:secret@db.example:6543/app", &[]).unwrap();
        assert_eq!(tcp_hosts(&o), vec!["db.example"]);
        assert_eq!(o.config().get_ports(), &[6543]);
        assert_eq!(o.config().get_user(), Some("u"));
        assert_eq!(o.config().get_password(), Some(&b"secret"[..]));
        assert_eq!(o.config().get_dbname(), Some("app"));
        assert_eq!(o.config().get_application_name(), Some("tack"));
        assert_eq!(o.connect_timeout(), Some(Duration::from_secs(10)));
        assert_eq!(o.ssl_mode(), SslMode::Prefer);
        assert_eq!(o.target(), "postgres://u:***@db.example:6543/app");
    }

    #[test]
    fn url_with_libpq_only_params() {
        let o = opts(
            "postgresql://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem&connect_timeout=0&application_name=mine",
            &[],
        )
        .unwrap();
        assert_eq!(o.ssl_mode(), SslMode::VerifyFull);
        assert_eq!(
            o.tls().root_certs,
            Some(RootCerts::File(PathBuf::from("/etc/ca.pem")))
        );
        assert_eq!(o.connect_timeout(), None);
        assert_eq!(o.config().get_application_name(), Some("mine"));
    }

    #[test]
    fn conninfo() {
        let o = opts(
            "host=h1,h2 port=5433 user=me password='p w' dbname=d sslmode=require connect_timeout=1",
            &[("PGPASSWORD", "other"), ("PGAPPNAME", "app")],
        )
        .unwrap();
        assert_eq!(tcp_hosts(&o), vec!["h1", "h2"]);
        assert_eq!(o.config().get_password(), Some(&b"p w"[..]));
        assert_eq!(o.ssl_mode(), SslMode::Require);
        assert_eq!(o.connect_timeout(), Some(Duration::from_secs(2)));
        assert_eq!(o.config().get_application_name(), Some("app"));
        assert_eq!(
            o.target(),
            "host=h1,h2 port=5433 user=me password=*** dbname=d sslmode=require \
             connect_timeout=1 (with PGAPPNAME from the environment)"
        );
    }

    #[test]
    fn environment_only() {
        let o = opts(
            "",
            &[
                ("PGHOST", "pg.internal"),
                ("PGPORT", "5499"),
                ("PGUSER", "alice"),
                ("PGPASSWORD", "hunter2"),
                ("PGDATABASE", "shop"),
                ("PGSSLMODE", "require"),
                ("PGAPPNAME", "deploy"),
                ("PGCONNECT_TIMEOUT", "7"),
            ],
        )
        .unwrap();
        assert_eq!(tcp_hosts(&o), vec!["pg.internal"]);
        assert_eq!(o.config().get_ports(), &[5499]);
        assert_eq!(o.config().get_user(), Some("alice"));
        assert_eq!(o.config().get_password(), Some(&b"hunter2"[..]));
        assert_eq!(o.config().get_dbname(), Some("shop"));
        assert_eq!(o.ssl_mode(), SslMode::Require);
        assert_eq!(o.config().get_application_name(), Some("deploy"));
        assert_eq!(o.connect_timeout(), Some(Duration::from_secs(7)));
        assert_eq!(
            o.target(),
            "host=pg.internal port=5499 user=alice password=*** dbname=shop \
             (from PG* environment variables)"
        );
        assert!(!o.target().contains("hunter2"));
    }

    #[test]
    fn string_wins_over_environment() {
        let o = opts(
            "postgres://bob@h:1/x?sslmode=disable",
            &[
                ("PGUSER", "alice"),
                ("PGHOST", "other"),
                ("PGSSLMODE", "require"),
            ],
        )
        .unwrap();
        assert_eq!(o.config().get_user(), Some("bob"));
        assert_eq!(tcp_hosts(&o), vec!["h"]);
        assert_eq!(o.ssl_mode(), SslMode::Disable);
    }

    #[test]
    fn invalid_settings_are_explained_without_passwords() {
        for (input, vars, needle) in [
            (
                "postgres://u:secret@h/db?sslmode=sometimes",
                vec![],
                "invalid sslmode",
            ),
            ("host=h password=secret bogus=1", vec![], "bogus"),
            ("host=h password='secret", vec![], "unterminated"),
            ("mysql://u:secret@h/db", vec![], "unsupported URL scheme"),
            (
                "",
                vec![("PGPORT", "none"), ("PGPASSWORD", "secret")],
                "PGPORT",
            ),
            ("", vec![("PGCONNECT_TIMEOUT", "soon")], "connect_timeout"),
        ] {
            let err = opts(input, &vars)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(needle), "{input}: {err}");
            assert!(!err.contains("secret"), "{input}: {err}");
            assert!(err.contains("DATABASE_URL"), "{input}: {err}");
        }
    }

    #[test]
    fn pgpass_lines() {
        assert_eq!(
            split_pgpass_line("h:5432:db:u:pa:ss"),
            Some(vec![
                "h".into(),
                "5432".into(),
                "db".into(),
                "u".into(),
                "pa:ss".into()
            ])
        );
        assert_eq!(
            split_pgpass_line("h\\:x:*:*:u:p\\\\w"),
            Some(vec![
                "h:x".into(),
                "*".into(),
                "*".into(),
                "u".into(),
                "p\\w".into()
            ])
        );
        assert_eq!(split_pgpass_line("h:5432:db"), None);
    }

    #[test]
    fn pgpass_file() {
        let dir = std::env::temp_dir().join(format!("tack-pgpass-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:*:*:*:no\npg.internal:*:*:alice:from-file\n",
        )
        .unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let passfile = file.display().to_string();
        let o = opts(
            "host=pg.internal user=alice",
            &[("PGPASSFILE", passfile.as_str())],
        )
        .unwrap();
        assert_eq!(o.config().get_password(), Some(&b"from-file"[..]));
        let o = opts(
            "host=pg.internal user=bob",
            &[("PGPASSFILE", passfile.as_str())],
        )
        .unwrap();
        assert_eq!(o.config().get_password(), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
            let o = opts(
                "host=pg.internal user=alice",
                &[("PGPASSFILE", passfile.as_str())],
            )
            .unwrap();
            assert_eq!(
                o.config().get_password(),
                None,
                "world-readable file is ignored"
            );
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
