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
        // Statements not replayed, by kind: (tag, first place, how many).
        let mut not_replayed: Vec<(String, (usize, usize), usize)> = Vec::new();
        for statement in &parsed.statements {
            if let Some(tag) = crate::front_end::not_replayed(&statement.change) {
                match not_replayed.iter_mut().find(|(t, _, _)| t == tag) {
                    Some((_, _, n)) => *n += 1,
                    None => not_replayed.push((tag.to_owned(), file.position(statement.offset), 1)),
                }
                continue;
            }
            let sql = &file.text[statement.offset..statement.offset + statement.len];
            let mut result = self.conn.client().batch_execute(sql).await;
            // A statement only valid in a transaction block (`LOCK TABLE`) ran inside the
            // transaction its migration tool wraps the file in: run it in one here too.
            if result.as_ref().err().and_then(|e| e.code())
                == Some(&tokio_postgres::error::SqlState::NO_ACTIVE_SQL_TRANSACTION)
            {
                result = self
                    .conn
                    .client()
                    .batch_execute(&format!("BEGIN;\n{sql};\nCOMMIT"))
                    .await;
            }
            // A setting this server does not know (a newer pg_dump writes `SET
            // transaction_timeout`) changes nothing in the schema.
            if let (Err(e), tack_core::Change::Other { tag }) = (&result, &statement.change) {
                if tag == "SET" {
                    let (line, col) = file.position(statement.offset);
                    skipped.push(format!(
                        "{}:{line}:{col}: SET skipped: {}",
                        file.name,
                        describe(e)
                    ));
                    continue;
                }
            }
            if let Err(e) = result {
                let (line, col) = file.position(statement.offset);
                return Err(format!(
                    "{}:{line}:{col}: the statement failed on the scratch database: {}",
                    file.name,
                    describe(&e)
                ));
            }
        }
        for (tag, (line, col), n) in not_replayed {
            skipped.push(if n == 1 {
                format!(
                    "{}:{line}:{col}: {tag} not replayed in the scratch database (it is not part \
                     of the schema compared)",
                    file.name
                )
            } else {
                format!(
                    "{}: {n} {tag} statements not replayed in the scratch database (they are \
                     not part of the schema compared; the first at {line}:{col})",
                    file.name
                )
            });
        }
        Ok(skipped)
    }

    /// The scratch database's schema.
    pub async fn introspect(&self) -> Result<SchemaModel, String> {
        // A file may have emptied the search path (pg_dump does); types and defaults are
        // deparsed relative to it, as on the target's sessions with the default path.
        self.conn
            .client()
            .batch_execute("RESET search_path")
            .await
            .map_err(|e| format!("resetting the search path: {}", describe(&e)))?;
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
    schema_from(url, None, files).await
}

/// As [`schema_of`], starting from `base` (a baseline: the schema a database had when tack
/// adopted it), made on the scratch database by the SQL that takes an empty database to it;
/// the result is the baseline with what the files changed (see [`crate::schema::rebase`]).
pub async fn schema_from(
    url: &str,
    base: Option<&SchemaModel>,
    files: &[&SourceFile],
) -> Result<(SchemaModel, Vec<String>), String> {
    let scratch = Scratch::create(url).await?;
    let result = async {
        let mut notes = Vec::new();
        let mut rebuilt = None;
        if let Some(base) = base {
            let empty = scratch.introspect().await?;
            for d in crate::schema::diff(&empty, base) {
                for sql in &d.sql {
                    scratch
                        .conn
                        .client()
                        .batch_execute(sql)
                        .await
                        .map_err(|e| {
                            format!(
                                "rebuilding the baseline on the scratch database: {} failed: {}",
                                d.object,
                                describe(&e)
                            )
                        })?;
                }
            }
            rebuilt = Some(scratch.introspect().await?);
        }
        for file in files {
            notes.extend(scratch.run_file(file).await?);
        }
        let replayed = scratch.introspect().await?;
        let model = match (base, rebuilt) {
            (Some(base), Some(rebuilt)) => crate::schema::rebase(base, &rebuilt, &replayed),
            _ => replayed,
        };
        Ok::<_, String>((model, notes))
    }
    .await;
    let dropped = scratch.drop().await;
    let model = result?;
    dropped?;
    Ok(model)
}
