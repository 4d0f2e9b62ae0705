//! `tack baseline`: adopt a database made before tack — its live schema is recorded as the
//! baseline that `tack drift` (and apply's drift check) start from, with the migrations already
//! applied in it (by tack, or by the tool the project used before) counted as part of it.

use super::{runtime, target_url, Outcome};
use crate::cli::BaselineArgs;
use crate::config::Config;
use tack_ops::Error;
use tack_postgres::server::state_store::PgStore;

pub fn run(args: &BaselineArgs) -> Outcome {
    let config = Config::load(args.config.as_deref())?;
    let url = target_url(&config, args.database_url.as_deref(), "tack baseline")?;
    let (sources, histories) =
        super::schema::migrations_and_histories(&args.paths, &config, args.layout, &url)?;
    let rt = runtime()?;
    let earlier = rt.block_on(async {
        let store = PgStore::connect(&url).await?;
        Ok::<_, Error>(store.baseline().await?)
    })?;
    if let Some(b) = &earlier {
        if !args.replace {
            return Err(Error::usage(format!(
                "{} already has a baseline, taken {} by {}",
                tack_postgres::redact(&url),
                b.taken_at,
                b.taken_by
            ))
            .hint("--replace records the schema as it is now instead"));
        }
    }
    let taken_by = format!(
        "tack baseline on {}",
        tack_ops::project::history::client_host()
    );
    let (model, applied) = rt.block_on(tack_ops::drift::take_baseline(
        &url, &sources, &histories, &taken_by,
    ))?;
    println!(
        "baseline recorded for {}: {} table(s), {} view(s), {} function(s), {} sequence(s), {} \
         enum(s); {} migration(s) count as applied in it{}",
        tack_postgres::redact(&url),
        model.tables.len(),
        model.views.len(),
        model.functions.len(),
        model.sequences.len(),
        model.enums.len(),
        applied,
        if earlier.is_some() {
            " (the earlier baseline was replaced)"
        } else {
            ""
        }
    );
    println!("`tack drift` now compares the database with this schema plus the migrations applied after it.");
    Ok(0)
}
