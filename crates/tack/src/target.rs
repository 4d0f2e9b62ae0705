//! What tack lints against: the PostgreSQL version and catalog facts, read from a server when one
//! is configured, else taken from the flags and `tack.toml`, with the assumptions said out loud.

use crate::cli::TargetOptions;
use crate::config::Config;
use crate::report::TargetInfo;
use tack_core::{Catalog, Version};

pub struct Target {
    pub info: TargetInfo,
    pub catalog: Catalog,
    pub assumptions: Vec<String>,
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

fn parse_version(text: &str, source: &str) -> Result<Version, String> {
    Version::parse(text).ok_or_else(|| {
        format!("{source}: `{text}` is not a PostgreSQL version (expected e.g. 15 or 9.6)")
    })
}

pub fn resolve(args: &TargetOptions, config: &Config) -> Result<Target, String> {
    let explicit = match (args.pg_version.as_deref(), config.pg_version()) {
        (Some(v), _) => Some((parse_version(v, "--pg-version")?, "--pg-version")),
        (None, Some(v)) => Some((parse_version(&v, "tack.toml pg_version")?, "tack.toml")),
        (None, None) => None,
    };

    let url = if args.offline {
        None
    } else {
        config.database_url(args.database_url.as_deref())
    };

    if let Some(url) = url {
        let (server_version, catalog) = read_server(&url)?;
        let shown = if url.is_empty() {
            "the server named by the PG* variables".to_owned()
        } else {
            tack_postgres::redact(&url)
        };
        let mut assumptions = Vec::new();
        let (version, source) = match explicit {
            Some((v, source)) if v.major != server_version.major => {
                assumptions.push(format!(
                    "linting for PostgreSQL {} ({source}) although the server runs {}",
                    v.major, server_version
                ));
                (v, source)
            }
            _ => (server_version, "server"),
        };
        return Ok(Target {
            info: TargetInfo {
                version,
                version_source: source,
                connected: true,
                database: Some(shown),
            },
            catalog,
            assumptions,
        });
    }

    let mut assumptions = Vec::new();
    let (version, source) = match explicit {
        Some(found) => found,
        None => {
            assumptions.push(format!(
                "PostgreSQL {} assumed: give --pg-version, set pg_version in tack.toml, or connect with --database-url",
                Version::DEFAULT.major
            ));
            (Version::DEFAULT, "assumed")
        }
    };
    assumptions.push(
        "not connected: tables not created in this run are assumed to exist with rows and live traffic; \
         their sizes (so durations), column types, constraints and user functions are unknown — \
         unknown functions in defaults count as volatile"
            .to_owned(),
    );
    Ok(Target {
        info: TargetInfo {
            version,
            version_source: source,
            connected: false,
            database: None,
        },
        catalog: Catalog::new(false),
        assumptions,
    })
}

fn read_server(url: &str) -> Result<(Version, Catalog), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    runtime.block_on(async {
        let conn = tack_postgres::connect(url)
            .await
            .map_err(|e| e.to_string())?;
        let version = conn.server_version().await.map_err(|e| e.to_string())?;
        let catalog = conn.catalog().await.map_err(|e| e.to_string())?;
        Ok((version, catalog))
    })
}
