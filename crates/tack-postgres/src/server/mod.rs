//! The PostgreSQL adapter: the only code here that talks to a server. Connections (URL, libpq
//! conninfo or `PG*` variables; TLS via rustls; passwords redacted in every message), catalog
//! facts for the linter and planner, schema introspection, the executor's [`PgRunner`] (a
//! control session holding the run lock and the state store, a work session running steps),
//! throttle signals, the backfill's SQL, and scratch databases.

mod catalog;
mod conninfo;
pub mod dataset;
mod error;
pub mod foreign_history;
pub mod introspect;
mod options;
mod redact;
mod runner;
pub mod scratch;
pub mod state_store;
pub mod throttle;
mod tls;
pub mod workload;

pub use catalog::{is_utc, type_modifiers};
pub use error::{describe, Error, SETTINGS_HINT};
pub use introspect::introspect;
pub use options::{ConnectOptions, DEFAULT_APPLICATION_NAME, DEFAULT_CONNECT_TIMEOUT};
pub use redact::redact;
pub use runner::{classify, PgRunner};
pub use tls::{RootCerts, SslMode, TlsSettings};

use std::sync::{Arc, Mutex};
use tack_core::{Catalog, Version};
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls, Socket};

/// Connects to a `postgres://` URL or libpq `key=value` string; an empty string takes every
/// setting from the `PG*` environment variables. See [`ConnectOptions`].
pub async fn connect(url_or_conninfo: &str) -> Result<Connection, Error> {
    ConnectOptions::new(url_or_conninfo)?.connect().await
}

/// An open connection. Its I/O runs on a task spawned on the tokio runtime that connected; the
/// task ends when the `Connection` is dropped.
pub struct Connection {
    client: Client,
    target: String,
    /// Why the connection task ended, if it failed.
    failure: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("target", &self.target)
            .field("closed", &self.client.is_closed())
            .finish()
    }
}

/// Connects with `tls` and spawns the connection task; returns the client and the task's
/// failure slot.
async fn establish<T>(
    config: &Config,
    tls: T,
    runtime: &tokio::runtime::Handle,
) -> Result<(Client, Arc<Mutex<Option<String>>>), tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = config.connect(tls).await?;
    let failure = Arc::new(Mutex::new(None));
    let slot = Arc::clone(&failure);
    runtime.spawn(async move {
        if let Err(e) = connection.await {
            if let Ok(mut slot) = slot.lock() {
                *slot = Some(error::chain(&e));
            }
        }
    });
    Ok((client, failure))
}

impl ConnectOptions {
    /// Opens the connection. Must run inside a tokio runtime with time enabled; the
    /// connection's I/O task is spawned on it.
    pub async fn connect(&self) -> Result<Connection, Error> {
        let target = self.target().to_owned();
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime {
            target: target.clone(),
        })?;
        let config = self.config();
        let attempt = async {
            let connected = if self.ssl_mode() == SslMode::Disable {
                establish(config, NoTls, &runtime).await
            } else {
                let tls = tokio_postgres_rustls::MakeRustlsConnect::new(
                    self.tls().client_config(&target)?,
                );
                establish(config, tls, &runtime).await
            };
            connected.map_err(|e| {
                let mut error = error::connect_error(&target, &e, self.secrets());
                // A refused certificate: say which roots it was checked against.
                if let (Error::Connect { reason, hint, .. }, Some(RootCerts::File(path))) =
                    (&mut error, &self.tls().root_certs)
                {
                    if reason.starts_with("error performing TLS handshake") {
                        hint.push_str(&format!(" (sslrootcert is {})", path.display()));
                    }
                }
                error
            })
        };
        // tokio-postgres bounds only the TCP connect by connect_timeout; bound the whole
        // attempt (TLS, authentication) too, as libpq does, allowing each host its share.
        let result = match self.connect_timeout() {
            Some(timeout) => {
                let hosts = u32::try_from(self.host_count()).unwrap_or(u32::MAX);
                let total = timeout.saturating_mul(hosts);
                match tokio::time::timeout(total, attempt).await {
                    Ok(result) => result,
                    Err(_) => Err(Error::Connect {
                        target: target.clone(),
                        reason: format!("timed out after {} s", total.as_secs()),
                        hint: format!(
                            "the server did not complete the connection in time: is it \
                             overloaded, or is something else listening on that port? a slow \
                             server may need a larger connect_timeout; {SETTINGS_HINT}"
                        ),
                    }),
                }
            }
            None => attempt.await,
        };
        let (client, failure) = result?;
        Ok(Connection {
            client,
            target,
            failure,
        })
    }
}

impl Connection {
    /// The tokio-postgres client, for queries of your own.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The redacted target, for messages.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Whether the connection has been closed.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    fn query_error(&self, what: &str, e: &tokio_postgres::Error) -> Error {
        let mut error = error::query_error(&self.target, what, e);
        if let Error::Query { reason, .. } = &mut error {
            if let Ok(slot) = self.failure.lock() {
                if let Some(failure) = slot.as_ref() {
                    reason.push_str(&format!(" ({failure})"));
                }
            }
        }
        error
    }

    async fn settings(&self) -> Result<(Version, String, u64), Error> {
        let what = "server settings";
        let row = self
            .client
            .query_one(
                "SELECT current_setting('server_version_num'), current_setting('TimeZone'), \
                        current_setting('block_size')",
                &[],
            )
            .await
            .map_err(|e| self.query_error(what, &e))?;
        let text = |idx: usize| -> Result<String, Error> {
            row.try_get::<_, String>(idx)
                .map_err(|e| error::unexpected(&self.target, what, error::chain(&e)))
        };
        let num = text(0)?;
        let version = num
            .trim()
            .parse::<u32>()
            .map(version_from_num)
            .map_err(|_| {
                error::unexpected(
                    &self.target,
                    what,
                    format!("server_version_num is {num:?}, not a number"),
                )
            })?;
        let block_size = text(2)?.trim().parse::<u64>().unwrap_or(8192);
        Ok((version, text(1)?, block_size))
    }

    /// The server's version, from `server_version_num`.
    pub async fn server_version(&self) -> Result<Version, Error> {
        Ok(self.settings().await?.0)
    }

    /// Reads the catalog: every ordinary and partitioned table outside the system schemas
    /// (rows, sizes, columns, constraints, indexes), the volatility of every function in
    /// `pg_proc`, and whether the session time zone is UTC.
    ///
    /// Uses a fixed number of queries however many tables there are. Row counts are `None`
    /// when the table was never analyzed; partitioned tables carry the sizes (and, when their
    /// own estimate is unknown, the row counts) of their partitions.
    pub async fn catalog(&self) -> Result<Catalog, Error> {
        let (version, timezone, block_size) = self.settings().await?;
        catalog::read(&self.client, &self.target, version, &timezone, block_size)
            .await
            .map_err(|e| match e {
                Error::Query {
                    target,
                    what,
                    mut reason,
                    hint,
                } => {
                    if let Ok(slot) = self.failure.lock() {
                        if let Some(failure) = slot.as_ref() {
                            reason.push_str(&format!(" ({failure})"));
                        }
                    }
                    Error::Query {
                        target,
                        what,
                        reason,
                        hint,
                    }
                }
                other => other,
            })
    }
}

/// A version from `server_version_num` (150019 → 15.19; 90624 → 9.6: the 9.x line is major 9).
pub fn version_from_num(num: u32) -> Version {
    if num >= 100_000 {
        Version::new(num / 10_000, num % 10_000)
    } else {
        Version::new(num / 10_000, (num / 100) % 100)
    }
}

impl Connection {
    /// The extensions the server offers with their default versions, as one line (`CREATE
    /// EXTENSION` without `VERSION` installs the default one, so a replayed schema depends on
    /// them).
    pub async fn available_extensions(&self) -> Result<String, Error> {
        let row = self
            .client
            .query_one(
                "SELECT coalesce(string_agg(name || ' ' || coalesce(default_version, ''), ', ' \
                 ORDER BY name), '') FROM pg_available_extensions",
                &[],
            )
            .await
            .map_err(|e| self.query_error("the available extensions", &e))?;
        row.try_get(0).map_err(|e| {
            error::unexpected(&self.target, "the available extensions", error::chain(&e))
        })
    }

    /// The database's schema, read by [`introspect`].
    pub async fn schema(&self) -> Result<crate::schema::SchemaModel, Error> {
        introspect(&self.client)
            .await
            .map_err(|e| self.query_error("the schema", &e))
    }
}

/// Runs `body` in a transaction on `client`: BEGIN, `settings`, the body, COMMIT; rolls back
/// on error. (The body is a future: it runs only once awaited here, after BEGIN.)
pub(crate) async fn in_transaction<T>(
    client: &Client,
    settings: &str,
    body: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, tokio_postgres::Error> {
    client.batch_execute("BEGIN").await?;
    let result = async {
        if !settings.is_empty() {
            client.batch_execute(settings).await?;
        }
        let value = body.await?;
        client.batch_execute("COMMIT").await?;
        Ok(value)
    }
    .await;
    if result.is_err() && !client.is_closed() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
}
