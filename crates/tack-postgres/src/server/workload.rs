//! The demo's live workload: N clients, each on its own connection, each looping at a steady
//! pace over a mix of point reads, updates and inserts on `orders`, recording when every
//! statement started and ended. [`stats`] turns the record into what the demo shows: latency
//! percentiles and the longest stall (the longest time during which no statement of any
//! client completed).
//!
//! The workload is bounded: it runs until [`Workload::finish`], whose clients finish their
//! statement in flight and stop (each statement is bounded by a `statement_timeout`), and
//! clients still busy after a grace period are cancelled.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

/// The application_name of workload connections.
pub const APPLICATION_NAME: &str = "tack-demo-workload";

/// How long one workload statement may take before the server cancels it.
const STATEMENT_TIMEOUT: &str = "5min";

/// One statement: when it started and ended (µs since the workload started), and whether it
/// succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub start_us: u64,
    pub end_us: u64,
    pub ok: bool,
}

/// What [`Workload::finish`] collected.
#[derive(Debug, Default)]
pub struct Record {
    /// Every statement of every client.
    pub samples: Vec<Sample>,
    /// When the workload stopped (µs since it started).
    pub end_us: u64,
    /// The distinct error messages clients saw, with how often each occurred.
    pub errors: Vec<(String, usize)>,
}

/// A time window, in µs since the workload started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start_us: u64,
    pub end_us: u64,
}

/// The workload as seen during a window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Statements that completed successfully and overlapped the window.
    pub statements: usize,
    /// Statements that failed and overlapped the window.
    pub errors: usize,
    pub p50: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// The longest time, overlapping the window, during which no statement of any client
    /// completed successfully.
    pub longest_stall: Duration,
}

/// A running workload.
pub struct Workload {
    origin: Instant,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    logs: Vec<Arc<Mutex<ClientLog>>>,
}

#[derive(Default)]
struct ClientLog {
    samples: Vec<Sample>,
    errors: Vec<(String, usize)>,
}

impl ClientLog {
    fn error(&mut self, message: String) {
        match self.errors.iter_mut().find(|(m, _)| *m == message) {
            Some((_, n)) => *n += 1,
            None => self.errors.push((message, 1)),
        }
    }
}

/// What each client does.
#[derive(Clone, Copy, Debug)]
pub struct Mix {
    /// Ids `1..=max_id` exist in the table.
    pub max_id: i64,
    /// One statement per client every `period`.
    pub period: Duration,
}

impl Workload {
    /// Connects `clients` clients to `url` and starts them. Connecting happens before the
    /// clock starts.
    pub async fn start(url: &str, clients: u32, mix: Mix) -> Result<Workload, String> {
        let mut conns = Vec::new();
        for _ in 0..clients {
            let conn = crate::server::connect(url)
                .await
                .map_err(|e| format!("workload client could not connect: {e}"))?;
            conn.client()
                .batch_execute(&format!(
                    "SET application_name = '{APPLICATION_NAME}'; \
                     SET statement_timeout = '{STATEMENT_TIMEOUT}'"
                ))
                .await
                .map_err(|e| format!("workload client setup failed: {}", db_message(&e)))?;
            conns.push(conn);
        }
        let origin = Instant::now();
        let (stop, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut logs = Vec::new();
        for (i, conn) in conns.into_iter().enumerate() {
            let log = Arc::new(Mutex::new(ClientLog::default()));
            logs.push(Arc::clone(&log));
            let seed = 0x9e37_79b9_7f4a_7c15_u64 ^ ((i as u64 + 1) << 17);
            tasks.spawn(client_loop(conn, mix, origin, stop_rx.clone(), log, seed));
        }
        Ok(Workload {
            origin,
            stop,
            tasks,
            logs,
        })
    }

    /// Microseconds since the workload started.
    pub fn now_us(&self) -> u64 {
        micros(self.origin.elapsed())
    }

    /// Stops the clients and collects what they recorded. Clients still in a statement after
    /// `grace` are cancelled (their finished statements are kept).
    pub async fn finish(mut self, grace: Duration) -> Record {
        let _ = self.stop.send(true);
        let end_us = self.now_us();
        let deadline = tokio::time::Instant::now() + grace;
        let mut cancelled = 0;
        loop {
            match tokio::time::timeout_at(deadline, self.tasks.join_next()).await {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    cancelled = self.tasks.len();
                    self.tasks.abort_all();
                    while self.tasks.join_next().await.is_some() {}
                    break;
                }
            }
        }
        let mut record = Record {
            end_us,
            ..Record::default()
        };
        for log in &self.logs {
            let mut log = match log.lock() {
                Ok(l) => l,
                Err(poisoned) => poisoned.into_inner(),
            };
            record.samples.append(&mut log.samples);
            for (message, n) in log.errors.drain(..) {
                match record.errors.iter_mut().find(|(m, _)| *m == message) {
                    Some((_, total)) => *total += n,
                    None => record.errors.push((message, n)),
                }
            }
        }
        if cancelled > 0 {
            record.errors.push((
                format!(
                    "{cancelled} client(s) were still in a statement {} s after the workload \
                     was told to stop, and were cancelled",
                    grace.as_secs()
                ),
                0,
            ));
        }
        record.samples.sort_by_key(|s| s.end_us);
        record
    }
}

/// One client: a statement every `mix.period` until told to stop.
async fn client_loop(
    conn: crate::server::Connection,
    mix: Mix,
    origin: Instant,
    mut stop: watch::Receiver<bool>,
    log: Arc<Mutex<ClientLog>>,
    seed: u64,
) {
    let client = conn.client();
    let prepared = async {
        Ok::<_, String>((
            client
                .prepare("SELECT id, status, total FROM orders WHERE id = $1")
                .await
                .map_err(|e| db_message(&e))?,
            client
                .prepare("UPDATE orders SET status = $2, total = total + 1 WHERE id = $1")
                .await
                .map_err(|e| db_message(&e))?,
            client
                .prepare(
                    "INSERT INTO orders (customer_id, status, total, shipping_address) \
                     VALUES ($1, 'new', 19.99, $2)",
                )
                .await
                .map_err(|e| db_message(&e))?,
        ))
    };
    let (select, update, insert) = match prepared.await {
        Ok(p) => p,
        Err(e) => {
            record(&log, |l| {
                l.error(format!("could not prepare statements: {e}"))
            });
            return;
        }
    };
    let mut rng = Rng(seed);
    let mut tick = tokio::time::interval(mix.period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    const STATUSES: [&str; 4] = ["paid", "shipped", "delivered", "cancelled"];
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => break,
            _ = tick.tick() => {}
        }
        if *stop.borrow() {
            break;
        }
        let id = 1 + (rng.next() % mix.max_id.max(1) as u64) as i64;
        let roll = rng.next() % 100;
        let start = origin.elapsed();
        let result = if roll < 60 {
            client.query_opt(&select, &[&id]).await.map(|_| ())
        } else if roll < 90 {
            let status = STATUSES[(rng.next() % 4) as usize];
            client.execute(&update, &[&id, &status]).await.map(|_| ())
        } else {
            let customer = 1 + (rng.next() % 50_000) as i32;
            let address = format!("{id} Demo Street");
            client
                .execute(&insert, &[&customer, &address])
                .await
                .map(|_| ())
        };
        let end = origin.elapsed();
        let sample = Sample {
            start_us: micros(start),
            end_us: micros(end),
            ok: result.is_ok(),
        };
        let failed = result.err().map(|e| db_message(&e));
        record(&log, |l| {
            l.samples.push(sample);
            if let Some(message) = failed {
                l.error(message);
            }
        });
        if client.is_closed() {
            record(&log, |l| {
                l.error("the connection closed; this client stopped".to_string())
            });
            break;
        }
    }
}

fn record(log: &Mutex<ClientLog>, f: impl FnOnce(&mut ClientLog)) {
    match log.lock() {
        Ok(mut l) => f(&mut l),
        Err(poisoned) => f(&mut poisoned.into_inner()),
    }
}

/// The server's message for a database error (`SQLSTATE: message`), else the error's text.
pub fn db_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => e.to_string(),
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// xorshift64*: plenty for picking rows, and no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// Latency percentiles and the longest stall of the statements that overlap `window`.
/// `end_us` is when the workload stopped: a stall still going on then ends there.
pub fn stats(samples: &[Sample], window: Window, end_us: u64) -> Stats {
    let overlapping: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.start_us <= window.end_us && s.end_us >= window.start_us)
        .collect();
    let mut latencies: Vec<u64> = overlapping
        .iter()
        .filter(|s| s.ok)
        .map(|s| s.end_us.saturating_sub(s.start_us))
        .collect();
    latencies.sort_unstable();
    let errors = overlapping.iter().filter(|s| !s.ok).count();
    let us = Duration::from_micros;
    Stats {
        statements: latencies.len(),
        errors,
        p50: us(percentile(&latencies, 50.0)),
        p99: us(percentile(&latencies, 99.0)),
        max: us(latencies.last().copied().unwrap_or(0)),
        longest_stall: us(longest_stall(samples, window, end_us)),
    }
}

/// Nearest-rank percentile of sorted values (0 when there are none).
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The longest gap between consecutive successful completions (of any client) that overlaps
/// `window`. The gap running into the window starts at the last completion before it (or at
/// the workload's start); if nothing completes after the window, the last gap ends at `end_us`.
fn longest_stall(samples: &[Sample], window: Window, end_us: u64) -> u64 {
    let mut ends: Vec<u64> = samples.iter().filter(|s| s.ok).map(|s| s.end_us).collect();
    ends.sort_unstable();
    let mut prev = ends
        .iter()
        .copied()
        .take_while(|&e| e <= window.start_us)
        .last()
        .unwrap_or(0);
    let mut longest = 0;
    for &e in ends.iter().filter(|&&e| e > window.start_us) {
        longest = longest.max(e - prev);
        prev = e;
        if e >= window.end_us {
            return longest;
        }
    }
    longest.max(end_us.max(prev) - prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(start_us: u64, end_us: u64) -> Sample {
        Sample {
            start_us,
            end_us,
            ok: true,
        }
    }

    const MS: u64 = 1000;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
        assert_eq!(percentile(&[1, 2], 50.0), 1);
    }

    #[test]
    fn a_blocked_period_is_the_longest_stall() {
        // Steady completions every 10 ms, except that nothing completes from 500 ms to
        // 3500 ms: the statements started in between wait and all finish at 3500 ms.
        let mut samples = Vec::new();
        for i in 0..50 {
            samples.push(ok(i * 10 * MS, i * 10 * MS + MS));
        }
        for i in 0..4 {
            samples.push(ok(500 * MS + i * MS, 3500 * MS));
        }
        for i in 0..50 {
            samples.push(ok(3500 * MS + i * 10 * MS, 3500 * MS + i * 10 * MS + MS));
        }
        let window = Window {
            start_us: 450 * MS,
            end_us: 3500 * MS,
        };
        let s = stats(&samples, window, 4000 * MS);
        // The last completion before the block is at 491 ms.
        assert_eq!(s.longest_stall, Duration::from_micros(3500 * MS - 491 * MS));
        assert_eq!(s.max, Duration::from_micros(3000 * MS));
        assert_eq!(s.errors, 0);
        // Overlapping: 45..50 steady ones before (start <= 3500ms and end >= 450ms: i=45..49
        // end at 451..491 ms), the 4 blocked ones, and those starting at 3500 ms.
        assert_eq!(s.statements, 5 + 4 + 1);
        assert_eq!(s.p50, Duration::from_micros(MS));
    }

    #[test]
    fn steady_traffic_has_short_stalls_and_errors_are_counted() {
        let mut samples: Vec<Sample> = (0..1000).map(|i| ok(i * MS, i * MS + 500)).collect();
        samples.push(Sample {
            start_us: 100 * MS,
            end_us: 101 * MS,
            ok: false,
        });
        let s = stats(
            &samples,
            Window {
                start_us: 0,
                end_us: 1000 * MS,
            },
            1000 * MS,
        );
        assert_eq!(s.longest_stall, Duration::from_millis(1));
        assert_eq!(s.statements, 1000);
        assert_eq!(s.errors, 1);
        assert_eq!(s.p99, Duration::from_micros(500));
    }

    #[test]
    fn nothing_completing_after_the_window_stalls_until_the_end() {
        let samples = vec![ok(0, 10 * MS)];
        let s = stats(
            &samples,
            Window {
                start_us: 20 * MS,
                end_us: 30 * MS,
            },
            50 * MS,
        );
        assert_eq!(s.longest_stall, Duration::from_millis(40));
        assert_eq!(s.statements, 0);
        assert_eq!(s.p99, Duration::ZERO);
        assert_eq!(
            stats(&[], s_window(), 5 * MS).longest_stall,
            Duration::from_millis(5)
        );
    }

    fn s_window() -> Window {
        Window {
            start_us: 0,
            end_us: MS,
        }
    }

    /// Against a real server: the clients run, and a table lock held for a while shows up as
    /// a stall at least that long (a lower bound, not a timing: nothing can complete while
    /// ACCESS EXCLUSIVE is held).
    #[test]
    fn a_table_lock_shows_up_as_a_stall() {
        let db = tack_testkit::database();
        let mut setup = db.connect();
        setup
            .batch_execute(&crate::server::dataset::load_sql(2000))
            .unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = db.url().to_string();
        let (record, window) = runtime.block_on(async {
            let mix = Mix {
                max_id: 2000,
                period: Duration::from_millis(5),
            };
            let workload = Workload::start(&url, 3, mix).await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let locker = crate::server::connect(&url).await.unwrap();
            locker
                .client()
                .batch_execute("BEGIN; LOCK TABLE orders IN ACCESS EXCLUSIVE MODE")
                .await
                .unwrap();
            let start_us = workload.now_us();
            tokio::time::sleep(Duration::from_millis(600)).await;
            locker.client().batch_execute("COMMIT").await.unwrap();
            let end_us = workload.now_us();
            tokio::time::sleep(Duration::from_millis(200)).await;
            (
                workload.finish(Duration::from_secs(30)).await,
                Window { start_us, end_us },
            )
        });
        assert!(record.errors.is_empty(), "{:?}", record.errors);
        assert!(record
            .samples
            .iter()
            .all(|s| s.ok && s.end_us >= s.start_us));
        let s = stats(&record.samples, window, record.end_us);
        assert!(s.longest_stall >= Duration::from_millis(600), "{s:?}");
        assert!(s.max >= Duration::from_millis(500), "{s:?}");
        assert!(s.statements >= 3, "{s:?}");
        // Writes landed: inserts added rows.
        let rows: i64 = setup
            .query_one("SELECT count(*) FROM orders", &[])
            .unwrap()
            .get(0);
        assert!(rows >= 2000);
    }

    #[test]
    fn rng_spreads() {
        let mut rng = Rng(42);
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            buckets[(rng.next() % 10) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&b| (800..1200).contains(&b)),
            "{buckets:?}"
        );
    }
}
