//! The migrations of a command: read in their layout (told, detected, or narrowed by the
//! history tables present in the database), and what is already applied — so lint, plan, apply
//! and status see the same pending migrations.

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::project::applied::{self, Applied, Basis, ToolHistory};
use crate::project::layout::{Hints, Tool};
use crate::project::sources::{self, Project};
use tack_exec::{StateStore, Status};

/// What a command reads.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// Files or directories.
    pub paths: &'a [String],
    /// `--layout` or tack.toml's `layout`.
    pub layout: Option<Tool>,
    /// The target, when connected.
    pub url: Option<&'a str>,
    /// Offline: `--pending-from FILE`.
    pub pending_from: Option<&'a str>,
    /// Offline: `--since GIT-REF`.
    pub since: Option<&'a str>,
}

/// The migrations read, and what of them is applied.
#[derive(Debug, Clone)]
pub struct Migrations {
    pub project: Project,
    pub applied: Applied,
    /// Other tools' history tables found (connected).
    pub histories: Vec<ToolHistory>,
}

/// Reads the migrations and decides what is applied: connected, from the state store and the
/// tools' history tables; offline, from `--pending-from` / `--since`, else every file alone.
pub async fn read<E: Engine>(engine: &E, request: Request<'_>) -> Result<Migrations> {
    let histories = match request.url {
        Some(url) => engine.tool_histories(url).await?,
        None => Vec::new(),
    };
    let hints = Hints {
        given: request.layout,
        history: histories.iter().map(|h| h.tool).collect(),
    };
    let project = sources::load_project(request.paths, &hints)?;
    let applied = match (request.url, request.pending_from, request.since) {
        (Some(url), _, _) => {
            let report = engine
                .store(url)
                .await?
                .report()
                .await
                .map_err(|e| Error::from(e).context("reading the state store"))?;
            let done: Vec<String> = report
                .migrations
                .iter()
                .filter(|m| matches!(m.status, Status::Done | Status::Expanded))
                .map(|m| m.name.clone())
                .collect();
            applied::from_database(&project.sources, &done, &histories)
        }
        (None, Some(from), _) => applied::pending_from(&project.sources, from)?,
        (None, None, Some(reference)) => applied::since(&project.sources, reference)?,
        (None, None, None) => Applied::none(Basis::EachFileAlone),
    };
    Ok(Migrations {
        project,
        applied,
        histories,
    })
}
