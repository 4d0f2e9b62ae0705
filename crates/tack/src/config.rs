//! `tack.toml`: project settings that would otherwise be repeated on every command line.
//!
//! ```toml
//! pg_version = 15                 # target version when not connected
//! migrations = "db/migrations"   # default path for `tack lint`
//! assume_in_transaction = true    # the runner wraps each file in a transaction
//! assume_lock_timeout = false     # the runner sets lock_timeout itself
//!
//! [rules]
//! drop-column = "error"           # "error", "warning" or "off"
//! ```

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use tack_core::{RuleId, Severity};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub pg_version: Option<toml::Value>,
    pub migrations: Option<PathBuf>,
    #[serde(default)]
    pub assume_in_transaction: bool,
    #[serde(default)]
    pub assume_lock_timeout: bool,
    #[serde(default)]
    pub rules: BTreeMap<String, String>,
    /// Where it was read from, for messages.
    #[serde(skip)]
    pub path: Option<PathBuf>,
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
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let line = text[..s.start].matches('\n').count() + 1;
                    let col = s.start - text[..s.start].rfind('\n').map(|i| i + 1).unwrap_or(0) + 1;
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            format!("{}{place}: {}", path.display(), e.message())
        })?;
        config.path = Some(path);
        config.rule_severities()?;
        Ok(config)
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

    /// `[rules]` as severities; `None` turns a rule off.
    pub fn rule_severities(&self) -> Result<HashMap<RuleId, Option<Severity>>, String> {
        let file = self
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "tack.toml".to_owned());
        self.rules
            .iter()
            .map(|(name, level)| {
                let id = RuleId::from_name(name).ok_or_else(|| {
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
