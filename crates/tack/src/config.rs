//! `tack.toml`: project settings that would otherwise be repeated on every command line.
//!
//! ```toml
//! pg_version = 15                 # target version when not connected
//! migrations = "db/migrations"    # default PATH of lint, plan, apply, status and sum
//! layout = "goose"                # the tool whose layout the migrations are in (else detected)
//! assume_in_transaction = true    # every file runs in a transaction (else as its layout says)
//! assume_lock_timeout = false     # the runner sets lock_timeout itself
//! database_url_env = "APP_DB_URL" # read the target's URL from this variable, not DATABASE_URL
//!
//! [apply]                         # defaults for `tack apply`; its flags override them
//! lock_timeout = "1s"
//! statement_timeout = "0"
//! max_attempts = 30
//! retry_budget = "5min"
//! max_replication_lag = ["64MB", "10s"]
//! max_lock_waiters = 5
//! batch_time = "200ms"
//!
//! [rules]
//! drop-column = "error"           # "error", "warning" or "off"
//! ```
//!
//! The target itself is never written here (a file in the repository is the wrong place for
//! credentials, and the same project is applied to several databases): it comes from
//! `--database-url`, the environment (DATABASE_URL, or the variable `database_url_env` names),
//! or the libpq `PG*` variables.
//!
//! Errors name the file, line and column; unknown keys are errors (a misspelt setting that is
//! silently ignored is worse than none).

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tack_core::Severity;
use tack_ops::project::Tool;

/// The layouts `--layout` and `layout` accept, for messages.
pub fn layout_names() -> String {
    Tool::ALL
        .iter()
        .map(|t| t.id())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The built-in defaults of `tack apply`, used when neither a flag nor `[apply]` gives a value
/// (also what `tack init` writes, commented).
pub mod defaults {
    pub const LOCK_TIMEOUT: &str = "1s";
    pub const STATEMENT_TIMEOUT: &str = "0";
    pub const MAX_ATTEMPTS: u32 = 30;
    pub const RETRY_BUDGET: &str = "5min";
    pub const MAX_LOCK_WAITERS: u32 = 5;
    pub const BATCH_TIME: &str = "200ms";
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub pg_version: Option<toml::Value>,
    pub migrations: Option<PathBuf>,
    /// The migration tool whose layout the migrations are in (else detected).
    pub layout: Option<toml::Spanned<String>>,
    /// Every file runs inside (or outside) a transaction, whatever its layout says.
    pub assume_in_transaction: Option<bool>,
    #[serde(default)]
    pub assume_lock_timeout: bool,
    /// The environment variable holding the target's URL, instead of DATABASE_URL.
    pub database_url_env: Option<toml::Spanned<String>>,
    #[serde(default, rename = "apply")]
    apply_table: ApplyTable,
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    /// `[apply]`, checked, with where each value was written.
    #[serde(skip)]
    pub apply: ApplyDefaults,
    /// Where it was read from, for messages.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// `[apply]` as written: values are checked after parsing so that errors can name their place.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyTable {
    lock_timeout: Option<toml::Spanned<toml::Value>>,
    statement_timeout: Option<toml::Spanned<toml::Value>>,
    max_attempts: Option<toml::Spanned<toml::Value>>,
    retry_budget: Option<toml::Spanned<toml::Value>>,
    max_replication_lag: Option<toml::Spanned<toml::Value>>,
    max_lock_waiters: Option<toml::Spanned<toml::Value>>,
    batch_time: Option<toml::Spanned<toml::Value>>,
}

/// A value from `tack.toml` and where it is (`tack.toml:12:16 ([apply] lock_timeout)`), so that
/// a problem found later (a zero timeout) can still point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting<T> {
    pub value: T,
    pub at: String,
}

/// The `[apply]` defaults. Durations stay text (the flags' syntax: `500ms`, `1s`, `5min`, or a
/// bare number of milliseconds) and are known to parse.
#[derive(Debug, Default, Clone)]
pub struct ApplyDefaults {
    pub lock_timeout: Option<Setting<String>>,
    pub statement_timeout: Option<Setting<String>>,
    pub max_attempts: Option<Setting<u32>>,
    pub retry_budget: Option<Setting<String>>,
    pub max_replication_lag: Vec<Setting<String>>,
    pub max_lock_waiters: Option<Setting<u32>>,
    pub batch_time: Option<Setting<String>>,
}

/// `:line:col` of a byte offset.
fn line_col(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = before[line_start..].chars().count() + 1;
    format!(":{line}:{col}")
}

impl Config {
    /// Reads `path`, or `./tack.toml` when present; no file means defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, String> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("tack.toml"), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Config::default())
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let mut config = Config::parse(&text, &path)?;
        // `migrations` is relative to the file that names it, so `--config deploy/tack.toml`
        // means the same directory from wherever tack runs.
        if let (Some(dir), Some(parent)) = (&config.migrations, path.parent()) {
            if dir.is_relative() && !parent.as_os_str().is_empty() {
                config.migrations = Some(parent.join(dir));
            }
        }
        Ok(config)
    }

    /// Parses the text of `path` and checks its values.
    pub fn parse(text: &str, path: &Path) -> Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| line_col(text, s.start))
                .unwrap_or_default();
            format!("{}{place}: {}", path.display(), e.message())
        })?;
        config.path = Some(path.to_path_buf());
        config.rule_severities()?;
        let at = |span: std::ops::Range<usize>, key: &str| {
            format!(
                "{}{} ([apply] {key})",
                path.display(),
                line_col(text, span.start)
            )
        };
        config.apply = config.apply_table.check(&at)?;
        if let Some(layout) = &config.layout {
            if Tool::from_id(layout.get_ref()).is_none() {
                return Err(format!(
                    "{}{}: layout = {:?}: not a layout tack reads; use one of {}",
                    path.display(),
                    line_col(text, layout.span().start),
                    layout.get_ref(),
                    layout_names()
                ));
            }
        }
        if let Some(name) = &config.database_url_env {
            let ok = !name.get_ref().is_empty()
                && name
                    .get_ref()
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !ok {
                return Err(format!(
                    "{}{}: database_url_env = {:?}: give the name of an environment variable \
                     (letters, digits and _), e.g. \"APP_DATABASE_URL\"",
                    path.display(),
                    line_col(text, name.span().start),
                    name.get_ref()
                ));
            }
        }
        Ok(config)
    }

    /// The `layout` setting.
    pub fn layout(&self) -> Option<Tool> {
        self.layout
            .as_ref()
            .and_then(|l| Tool::from_id(l.get_ref()))
    }

    /// The `pg_version` setting as text ("15", "9.6").
    pub fn pg_version(&self) -> Option<String> {
        match self.pg_version.as_ref()? {
            toml::Value::Integer(i) => Some(i.to_string()),
            toml::Value::Float(f) => Some(f.to_string()),
            toml::Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The default migrations directory: `migrations` here, else `migrations/`.
    pub fn migrations_dir(&self) -> PathBuf {
        self.migrations
            .clone()
            .unwrap_or_else(|| PathBuf::from("migrations"))
    }

    /// The target's URL: `given` (the `--database-url` flag, or DATABASE_URL), else the
    /// libpq `PG*` variables (as ""), else None.
    ///
    /// With `database_url_env = "NAME"`, NAME replaces DATABASE_URL: only an explicit
    /// `--database-url` flag overrides it, because a DATABASE_URL left in the environment for
    /// the application may point at another database than the one this project applies to.
    pub fn database_url(&self, given: Option<&str>) -> Option<String> {
        let given = given.filter(|u| !u.is_empty());
        let from_env = match &self.database_url_env {
            Some(name) if name.get_ref() != "DATABASE_URL" => {
                if let Some(u) = given.filter(|_| flag_given("--database-url")) {
                    return Some(u.to_owned());
                }
                std::env::var(name.get_ref()).ok().filter(|u| !u.is_empty())
            }
            _ => given.map(str::to_owned),
        };
        from_env.or_else(|| {
            PG_VARS
                .iter()
                .any(|v| std::env::var_os(v).is_some())
                .then(String::new)
        })
    }

    /// Where [`Config::database_url`] looks, for "needs a database" messages.
    pub fn database_url_sources(&self) -> String {
        match &self.database_url_env {
            Some(name) if name.get_ref() != "DATABASE_URL" => format!(
                "--database-url, or ${} (database_url_env in {}), or PG* variables",
                name.get_ref(),
                self.path
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "tack.toml".to_owned())
            ),
            _ => "--database-url (or DATABASE_URL, or PG* variables)".to_owned(),
        }
    }

    /// `[rules]` as severities by rule id; `None` turns a rule off.
    pub fn rule_severities(&self) -> Result<HashMap<&'static str, Option<Severity>>, String> {
        let file = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "tack.toml".to_owned());
        self.rules
            .iter()
            .map(|(name, level)| {
                let id = crate::rule_bases::find(name).map(|r| r.name).ok_or_else(|| {
                    format!("{file}: [rules] names an unknown rule `{name}` (see `tack rules`)")
                })?;
                let severity = match level.as_str() {
                    "error" => Some(Severity::Error),
                    "warning" => Some(Severity::Warning),
                    "off" => None,
                    other => {
                        return Err(format!(
                            "{file}: [rules] {name} = \"{other}\": use \"error\", \"warning\" or \"off\""
                        ))
                    }
                };
                Ok((id, severity))
            })
            .collect()
    }
}

/// libpq variables that make a connection possible without a URL.
pub const PG_VARS: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGDATABASE",
    "PGSERVICE",
    "PGPORT",
    "PGUSER",
];

/// Whether `flag` was written on the command line (as opposed to its value coming from the
/// environment through clap's `env`).
fn flag_given(flag: &str) -> bool {
    let with_value = format!("{flag}=");
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == flag || a.to_string_lossy().starts_with(&with_value))
}

impl ApplyTable {
    fn check(
        &self,
        at: &dyn Fn(std::ops::Range<usize>, &str) -> String,
    ) -> Result<ApplyDefaults, String> {
        let duration = |v: &Option<toml::Spanned<toml::Value>>, key: &str| {
            v.as_ref()
                .map(|v| {
                    let at = at(v.span(), key);
                    let text = match v.get_ref() {
                        toml::Value::String(s) => s.clone(),
                        toml::Value::Integer(i) if *i >= 0 => i.to_string(),
                        _ => {
                            return Err(format!(
                                "{at}: expected a duration such as \"500ms\", \"1s\" or \"5min\""
                            ))
                        }
                    };
                    tack_exec::parse_duration(&text).map_err(|e| format!("{at}: {e}"))?;
                    Ok(Setting { value: text, at })
                })
                .transpose()
        };
        let count = |v: &Option<toml::Spanned<toml::Value>>, key: &str| {
            v.as_ref()
                .map(|v| {
                    let at = at(v.span(), key);
                    match v.get_ref() {
                        toml::Value::Integer(i) => u32::try_from(*i)
                            .map(|value| Setting {
                                value,
                                at: at.clone(),
                            })
                            .map_err(|_| {
                                format!("{at}: expected a whole number from 0 to {}", u32::MAX)
                            }),
                        _ => Err(format!("{at}: expected a whole number, e.g. 5")),
                    }
                })
                .transpose()
        };
        let mut lags = Vec::new();
        if let Some(v) = &self.max_replication_lag {
            let at = at(v.span(), "max_replication_lag");
            let bad = || {
                format!("{at}: expected a lag limit or a list of them, e.g. [\"64MB\", \"10s\"]")
            };
            let items: Vec<String> = match v.get_ref() {
                toml::Value::String(s) => vec![s.clone()],
                toml::Value::Array(a) => a
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned).ok_or_else(bad))
                    .collect::<Result<_, _>>()?,
                _ => return Err(bad()),
            };
            for item in items {
                tack_exec::parse_lag_limit(&item).map_err(|e| format!("{at}: {e}"))?;
                lags.push(Setting {
                    value: item,
                    at: at.clone(),
                });
            }
        }
        Ok(ApplyDefaults {
            lock_timeout: duration(&self.lock_timeout, "lock_timeout")?,
            statement_timeout: duration(&self.statement_timeout, "statement_timeout")?,
            max_attempts: count(&self.max_attempts, "max_attempts")?,
            retry_budget: duration(&self.retry_budget, "retry_budget")?,
            max_replication_lag: lags,
            max_lock_waiters: count(&self.max_lock_waiters, "max_lock_waiters")?,
            batch_time: duration(&self.batch_time, "batch_time")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, Path::new("tack.toml"))
    }

    #[test]
    fn apply_defaults_are_read_and_placed() {
        let c = parse(
            "migrations = \"db\"\n[apply]\nlock_timeout = \"2s\"\nstatement_timeout = 0\n\
             max_attempts = 7\nmax_replication_lag = [\"64MB\", \"10s\"]\nbatch_time = \"50ms\"\n",
        )
        .unwrap();
        assert_eq!(c.migrations_dir(), PathBuf::from("db"));
        let lock = c.apply.lock_timeout.unwrap();
        assert_eq!(lock.value, "2s");
        assert_eq!(lock.at, "tack.toml:3:16 ([apply] lock_timeout)");
        assert_eq!(c.apply.statement_timeout.unwrap().value, "0");
        assert_eq!(c.apply.max_attempts.unwrap().value, 7);
        assert_eq!(c.apply.max_replication_lag.len(), 2);
        assert!(c.apply.retry_budget.is_none());
    }

    #[test]
    fn bad_values_name_their_place() {
        let e = parse("[apply]\nlock_timeout = \"soon\"\n").unwrap_err();
        assert!(
            e.starts_with("tack.toml:2:16 ([apply] lock_timeout): "),
            "{e}"
        );
        let e = parse("[apply]\nmax_attempts = -1\n").unwrap_err();
        assert!(e.contains("tack.toml:2:16"), "{e}");
        let e = parse("[apply]\nmax_replication_lag = [\"lots\"]\n").unwrap_err();
        assert!(e.contains("not a lag limit"), "{e}");
        let e = parse("[apply]\nlock_timout = \"1s\"\n").unwrap_err();
        assert!(
            e.starts_with("tack.toml:2:1: unknown field `lock_timout`"),
            "{e}"
        );
        let e = parse("database_url = \"postgres://x\"\n").unwrap_err();
        assert!(
            e.starts_with("tack.toml:1:1: unknown field `database_url`"),
            "{e}"
        );
        let e = parse("database_url_env = \"postgres://x\"\n").unwrap_err();
        assert!(e.contains("name of an environment variable"), "{e}");
    }
}
