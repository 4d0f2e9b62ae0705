//! Scratch databases: a database tack creates on a server, fills by running SQL files statement by
//! statement, introspects, and drops — the expected schema of `tack drift` and the desired schema
//! of `tack diff` are built this way, so both sides of a comparison are read by the same
//! introspection from PostgreSQL's own catalog.
//!
//! The database is created from `template0` (nothing a site added to `template1` leaks in) and
//! dropped `WITH (FORCE)` whatever happened in between.

use crate::schema::SchemaModel;
use crate::server::{describe, ConnectOptions, Connection};
use std::time::{SystemTime, UNIX_EPOCH};
use tack_core::SourceFile;

/// A scratch database, open.
pub struct Scratch {
    /// On the server's maintenance database (the one the URL names), to create and drop.
    admin: Connection,
    conn: Connection,
    name: String,
}

fn quote(name: &str) -> String {
    crate::sql::quote_ident(name)
}

/// A database name in a message: always quoted, so its ends are visible.
fn shown(name: &str) -> String {
    crate::server::options::quote_ident(name)
}

impl Scratch {
    /// Creates a scratch database on the server `url` names (the database in the URL is only
    /// used to connect; it is not touched).
    pub async fn create(url: &str) -> Result<Scratch, String> {
        let options = ConnectOptions::new(url).map_err(|e| e.to_string())?;
        let admin = options.connect().await.map_err(|e| e.to_string())?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos() % 1_000_000_000_000)
            .unwrap_or(0);
        let name = format!("tack_scratch_{}_{nanos}", std::process::id());
        admin
            .client()
            .batch_execute(&format!(
                "CREATE DATABASE {} TEMPLATE template0",
                quote(&name)
            ))
            .await
            .map_err(|e| {
                format!(
                    "cannot create a scratch database on {}: {}; tack needs CREATEDB there, or \
                     give --dev-url with a server where it may create databases",
                    admin.target(),
                    describe(&e)
                )
            })?;
        let mut options = options;
        options.set_dbname(&name);
        let conn = match options.connect().await {
            Ok(c) => c,
            Err(e) => {
                let dropped = drop_database(&admin, &name).await;
                return Err(format!(
                    "created the scratch database {} but could not connect to it: {e}{}",
                    shown(&name),
                    match dropped {
                        Ok(()) => " (it was dropped again)".to_owned(),
                        Err(d) => format!("; {d}"),
                    }
                ));
            }
        };
        Ok(Scratch { admin, conn, name })
    }

    /// Runs a SQL file one statement at a time (so `CREATE INDEX CONCURRENTLY` and explicit
    /// transactions work as they do for a migration runner). A failing statement is reported
    /// with its file:line:col.
    ///
    /// Statements that act on the whole server (`CREATE ROLE`, `ALTER SYSTEM`, `CREATE
    /// DATABASE`, …) are skipped: the scratch database may share its server with production,
    /// and none of them is part of the schema model. So are `GRANT`/`REVOKE` (privileges are
    /// not in the model either, and their roles need not exist on a `--dev-url` server).
    /// Returns a note per skipped statement.
    pub async fn run_file(&self, file: &SourceFile) -> Result<Vec<String>, String> {
        let parsed = crate::front_end::parse(&file.text);
        if let Some(e) = parsed.errors.first() {
            let (line, col) = file.position(e.offset);
            return Err(format!("{}:{line}:{col}: {}", file.name, e.message));
        }
        let mut skipped = Vec::new();
        for statement in &parsed.statements {
            if let Some(tag) = crate::front_end::not_replayed(&statement.change) {
                let (line, col) = file.position(statement.offset);
                skipped.push(format!(
                    "{}:{line}:{col}: {tag} not replayed in the scratch database (it is not \
                     part of the schema compared)",
                    file.name
                ));
                continue;
            }
            let sql = &file.text[statement.offset..statement.offset + statement.len];
            if let Err(e) = self.conn.client().batch_execute(sql).await {
                let (line, col) = file.position(statement.offset);
                return Err(format!(
                    "{}:{line}:{col}: the statement failed on the scratch database: {}",
                    file.name,
                    describe(&e)
                ));
            }
        }
        Ok(skipped)
    }

    /// The scratch database's schema.
    pub async fn introspect(&self) -> Result<SchemaModel, String> {
        crate::server::introspect(self.conn.client())
            .await
            .map_err(|e| {
                format!(
                    "reading the schema of scratch database {}: {}",
                    shown(&self.name),
                    describe(&e)
                )
            })
    }

    /// Drops the database (also when the caller failed: call it on every path).
    pub async fn drop(self) -> Result<(), String> {
        let Scratch { admin, conn, name } = self;
        drop(conn);
        drop_database(&admin, &name).await
    }
}

async fn drop_database(admin: &Connection, name: &str) -> Result<(), String> {
    admin
        .client()
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote(name)
        ))
        .await
        .map_err(|e| {
            format!(
                "could not drop the scratch database {}: {}; drop it by hand",
                shown(name),
                describe(&e)
            )
        })
}

/// Builds a schema on a fresh scratch database from `files` (run in order), reads it, and drops
/// the database. Also returns the notes of statements not replayed.
pub async fn schema_of(
    url: &str,
    files: &[&SourceFile],
) -> Result<(SchemaModel, Vec<String>), String> {
    let scratch = Scratch::create(url).await?;
    let result = async {
        let mut notes = Vec::new();
        for file in files {
            notes.extend(scratch.run_file(file).await?);
        }
        Ok::<_, String>((scratch.introspect().await?, notes))
    }
    .await;
    let dropped = scratch.drop().await;
    let model = result?;
    dropped?;
    Ok(model)
}
