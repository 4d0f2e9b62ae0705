//! `tack apply`, `tack status`, `tack pause` / `tack resume`: run a plan on a live database and
//! inspect or steer the run through the target's `tack` schema.

use crate::cli::{ApplyArgs, TargetArgs};

pub fn apply(args: &ApplyArgs) -> Result<u8, String> {
    let _ = args;
    Err("tack apply: being built".to_owned())
}

pub fn status(args: &TargetArgs) -> Result<u8, String> {
    let _ = args;
    Err("tack status: being built".to_owned())
}

pub fn pause(args: &TargetArgs, paused: bool) -> Result<u8, String> {
    let _ = (args, paused);
    Err("tack pause/resume: being built".to_owned())
}
