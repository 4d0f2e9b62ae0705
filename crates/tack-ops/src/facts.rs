//! What lint and plan work against: the engine's version and catalog facts, read from a server
//! when one is given, else taken from what the user said (`--pg-version`, `--engine`,
//! `tack.toml`), with the assumptions said out loud.

use crate::engine::Engine;
use crate::error::Result;
use serde::Serialize;
use tack_core::{Catalog, Dialect, Version};

/// Where the version and catalog facts came from.
#[derive(Debug, Clone, Serialize)]
pub struct TargetInfo {
    /// `postgres`, `mysql`, `mariadb`.
    pub engine: tack_core::Engine,
    pub version: Version,
    /// `server`, `--pg-version`, `--engine`, `tack.toml` or `assumed`.
    pub version_source: &'static str,
    pub connected: bool,
    /// Redacted URL of the server read, when connected.
    pub database: Option<String>,
}

/// Facts, with what had to be assumed.
pub struct Facts {
    pub info: TargetInfo,
    pub catalog: Catalog,
    pub assumptions: Vec<String>,
}

/// What the user said about the target.
pub struct FactsRequest<'a> {
    /// A version given explicitly, and by what.
    pub version: Option<(Version, &'static str)>,
    /// The server to read, when connected.
    pub url: Option<&'a str>,
}

/// Reads the facts from the server, or assumes them.
pub async fn resolve<E: Engine>(engine: &E, request: FactsRequest<'_>) -> Result<Facts> {
    let kind = engine.dialect().engine();
    if let Some(url) = request.url {
        let (server_version, catalog) = engine.facts(url).await?;
        let mut assumptions = Vec::new();
        let (version, source) = match request.version {
            Some((v, source)) if v.major != server_version.major => {
                assumptions.push(format!(
                    "linting for {} {} ({source}) although the server runs {}",
                    kind.product(),
                    v.major,
                    server_version
                ));
                (v, source)
            }
            _ => (server_version, "server"),
        };
        return Ok(Facts {
            info: TargetInfo {
                engine: kind,
                version,
                version_source: source,
                connected: true,
                database: Some(engine.shown(url)),
            },
            catalog,
            assumptions,
        });
    }
    Ok(offline(engine, request.version))
}

/// The facts when not connected: the given version (else the engine's default, said so), an
/// empty catalog, and what that means.
pub fn offline<E: Engine>(engine: &E, version: Option<(Version, &'static str)>) -> Facts {
    let kind = engine.dialect().engine();
    let mut assumptions = Vec::new();
    let (version, source) = match version {
        Some(found) => found,
        None => {
            assumptions.push(format!(
                "{} {} assumed: give --pg-version, set `pg_version` in tack.toml, or connect \
                 with --database-url",
                kind.product(),
                kind.default_version()
            ));
            (kind.default_version(), "assumed")
        }
    };
    assumptions.push(
        "not connected: tables not created in this run are assumed to exist with rows and live traffic; \
         their sizes (so durations), column types, constraints and user functions are unknown — \
         unknown functions in defaults count as volatile"
            .to_owned(),
    );
    Facts {
        info: TargetInfo {
            engine: kind,
            version,
            version_source: source,
            connected: false,
            database: None,
        },
        catalog: engine.dialect().empty_catalog(false),
        assumptions,
    }
}
