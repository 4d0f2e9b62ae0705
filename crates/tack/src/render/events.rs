//! The executor's events as output: JSON lines on stdout, or human progress on stderr (bars on
//! a terminal, plain lines otherwise). Used by `apply`, `complete`, `rollback` and the demo.

use crate::cli::LogFormat;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tack_exec::{Event, Events};

/// Events rendered in `format`.
pub fn events(format: LogFormat) -> Events {
    let mut events = Events::new();
    let mut renderer = Renderer::new(format);
    events.subscribe(move |e| renderer.event(e));
    events
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Turns events into output: JSON lines on stdout, or human progress on stderr (bars on a
/// terminal, plain lines otherwise).
pub struct Renderer {
    format: LogFormat,
    bars: Option<MultiProgress>,
    backfills: HashMap<String, Backfill>,
}

struct Backfill {
    bar: Option<ProgressBar>,
    started: Instant,
    rows_at_start: u64,
    rows_done: u64,
    unit: String,
    last_line: Instant,
}

impl Renderer {
    pub fn new(format: LogFormat) -> Self {
        let bars = (format == LogFormat::Human && std::io::stderr().is_terminal())
            .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr()));
        Renderer {
            format,
            bars,
            backfills: HashMap::new(),
        }
    }

    fn line(&self, text: &str) {
        match &self.bars {
            Some(mp) => {
                let _ = mp.println(text);
            }
            None => errln!("{text}"),
        }
    }

    pub fn event(&mut self, e: &Event) {
        if self.format == LogFormat::Json {
            let mut v = serde_json::to_value(e).unwrap_or_else(|_| json!({}));
            if let Some(o) = v.as_object_mut() {
                o.insert("ts".to_owned(), json!(now_secs()));
            }
            outln!("{v}");
            return;
        }
        self.human(e);
    }

    fn human(&mut self, e: &Event) {
        match e {
            Event::RunStarted { migrations } => {
                self.line(&format!("tack apply: {migrations} migration(s) to run"))
            }
            Event::MigrationSkipped { migration, reason } => {
                self.line(&format!("· {migration}: {reason}"))
            }
            Event::MigrationStarted {
                migration,
                steps,
                resumed,
            } => self.line(&format!(
                "▸ {migration}: {steps} step(s){}",
                if *resumed { ", resuming" } else { "" }
            )),
            Event::MigrationFinished { migration, seconds } => {
                self.line(&format!("✓ {migration} applied in {seconds:.1} s"))
            }
            Event::MigrationExpanded { migration, seconds } => self.line(&format!(
                "◐ {migration} started in {seconds:.1} s; it waits for `tack complete` (or `tack rollback`)"
            )),
            Event::RollbackStarted { migration } => {
                self.line(&format!("◂ {migration}: rolling back"))
            }
            Event::StepLeft {
                step, reason, ..
            } => self.line(&format!("  · {step} left as it is: {reason}")),
            Event::RolledBack { migration, seconds } => {
                self.line(&format!("✓ {migration} rolled back in {seconds:.1} s"))
            }
            Event::Warning { message } => self.line(&format!("warning: {message}")),
            Event::Note { message } => self.line(&format!("note: {message}")),
            Event::StepStarted { step, phase, sql, .. } => {
                let first = sql.lines().next().unwrap_or("");
                self.line(&format!("  ▸ {step} [{phase}] {first}"))
            }
            Event::StepSkipped { step, reason, .. } => {
                self.line(&format!("  · {step} skipped: {reason}"))
            }
            Event::CleanupRan { step, sql, .. } => {
                self.line(&format!("  · {step} cleanup: {sql}"))
            }
            Event::LockRetry {
                step,
                attempt,
                max_attempts,
                wait_ms,
                error,
                ..
            } => self.line(&format!(
                "  ! {step}: attempt {attempt}/{max_attempts} did not get its lock ({error}); retrying in {:.1} s",
                *wait_ms as f64 / 1000.0
            )),
            Event::StepFinished {
                step,
                attempts,
                seconds,
                ..
            } => self.line(&format!(
                "  ✓ {step} done in {seconds:.2} s{}",
                if *attempts > 1 {
                    format!(" ({attempts} attempts)")
                } else {
                    String::new()
                }
            )),
            Event::StepFailed {
                step,
                attempts,
                error,
                ..
            } => self.line(&format!("  ✗ {step} failed after {attempts} attempt(s): {error}")),
            Event::BackfillStarted {
                step,
                table,
                unit,
                position,
                total,
                rows_done,
                resumed,
                ..
            } => {
                if *resumed {
                    self.line(&format!(
                        "    backfill of {table} resumes from its cursor ({rows_done} rows already written)"
                    ));
                }
                let bar = self.bars.as_ref().map(|mp| {
                    let bar = match total {
                        Some(t) => ProgressBar::new(*t),
                        None => ProgressBar::new_spinner(),
                    };
                    let style = ProgressStyle::with_template(
                        "    {bar:30.cyan/blue} {pos}/{len} {prefix} · {elapsed_precise} · ETA {eta} · {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar());
                    let bar = mp.add(bar);
                    bar.set_style(style);
                    bar.set_prefix(unit.clone());
                    bar.set_position(*position);
                    bar.enable_steady_tick(Duration::from_millis(200));
                    bar
                });
                self.backfills.insert(
                    step.clone(),
                    Backfill {
                        bar,
                        started: Instant::now(),
                        rows_at_start: *rows_done,
                        rows_done: *rows_done,
                        unit: unit.clone(),
                        last_line: Instant::now(),
                    },
                );
            }
            Event::BatchDone {
                step,
                rows_done,
                position,
                total,
                ..
            } => {
                let mut line = None;
                if let Some(b) = self.backfills.get_mut(step) {
                    b.rows_done = *rows_done;
                    let secs = b.started.elapsed().as_secs_f64().max(0.001);
                    let rate = (rows_done - b.rows_at_start.min(*rows_done)) as f64 / secs;
                    let msg = format!("{rows_done} rows written, {rate:.0} rows/s");
                    match &b.bar {
                        Some(bar) => {
                            if let Some(t) = total {
                                bar.set_length(*t);
                            }
                            bar.set_position(*position);
                            bar.set_message(msg);
                        }
                        None if b.last_line.elapsed() >= Duration::from_secs(2) => {
                            b.last_line = Instant::now();
                            let of = total.map(|t| format!("/{t}")).unwrap_or_default();
                            line = Some(format!("    {step}: {position}{of} {} · {msg}", b.unit));
                        }
                        None => {}
                    }
                }
                if let Some(l) = line {
                    self.line(&l);
                }
            }
            Event::Throttled { step, reason, .. } => {
                self.waiting(step, &format!("waiting: {reason}"))
            }
            Event::Paused { step, .. } => {
                self.waiting(step, "paused: run `tack resume` to continue")
            }
            Event::ThrottleCleared {
                step, waited_ms, ..
            } => self.waiting(
                step,
                &format!("continuing after {:.1} s of waiting", *waited_ms as f64 / 1000.0),
            ),
            Event::BackfillFinished {
                step,
                rows_done,
                seconds,
                ..
            } => {
                if let Some(b) = self.backfills.remove(step) {
                    if let Some(bar) = b.bar {
                        bar.finish_and_clear();
                    }
                }
                self.line(&format!(
                    "    backfill done: {rows_done} rows written in {seconds:.1} s"
                ));
            }
            Event::Interrupted { step, .. } => {
                for (_, b) in self.backfills.drain() {
                    if let Some(bar) = b.bar {
                        bar.abandon();
                    }
                }
                self.line(&format!(
                    "  ■ interrupted{}: run `tack apply` again to resume",
                    step.as_ref().map(|s| format!(" at {s}")).unwrap_or_default()
                ))
            }
            Event::RunFinished { ok, seconds } => {
                for (_, b) in self.backfills.drain() {
                    if let Some(bar) = b.bar {
                        bar.abandon();
                    }
                }
                if *ok {
                    self.line(&format!("tack apply: done in {seconds:.1} s"));
                }
            }
        }
    }

    fn waiting(&mut self, step: &str, msg: &str) {
        let plain = match self.backfills.get(step) {
            Some(Backfill { bar: Some(bar), .. }) => {
                bar.set_message(msg.to_owned());
                false
            }
            _ => true,
        };
        if plain {
            self.line(&format!("    {step}: {msg}"));
        }
    }
}
