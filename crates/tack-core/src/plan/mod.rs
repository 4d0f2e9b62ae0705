//! The planner: turns the statements of a migration into a safe, phased plan of steps, using the
//! rule base's recipes. Pure: a function of (statements, catalog facts, version, options).
//!
//! `model` holds the plan's vocabulary (shared with the executor); the planner proper is in
//! `planner`.

pub mod model;
mod planner;

pub use model::{Backfill, BackfillKey, Phase, Plan, Refusal, Step, StepKind};
pub use planner::{plan, PlanOptions};
