//! `tack demo`: a throwaway PostgreSQL, a realistic table, a live workload, and the naive
//! statements side by side with `tack apply` doing the same change.

use crate::cli::DemoArgs;

pub fn run(args: &DemoArgs) -> Result<u8, String> {
    let _ = args;
    Err("tack demo: being built".to_owned())
}
