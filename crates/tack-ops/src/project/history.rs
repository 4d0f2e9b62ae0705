//! What `tack apply` records about each run of a migration, and the apply-order check shared by
//! `tack apply` and `tack status`.

/// The client's host name, for `applied_by` (`role@host`; the database adds the role).
pub fn client_host() -> String {
    tack_cluster::sys::host_name().unwrap_or_else(|| "unknown-host".to_owned())
}

/// A migration's name as recorded: the file name without its directory.
pub fn migration_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_owned())
}

/// The name an earlier tack recorded a migration under, when it differs from its identity now:
/// the bare file name (diesel's `up.sql`, from before layouts were read as their tools read
/// them). Records under it are upgraded in place when their checksum is this migration's.
pub fn legacy_name(source: &super::Source) -> Option<String> {
    let legacy = migration_name(&source.file.name);
    (legacy != source.id).then_some(legacy)
}

/// sha256 of a migration's text, hex: what the state store records to notice edits.
pub fn checksum(text: &str) -> String {
    tack_core::digest::sha256_hex(text.as_bytes())
}

/// A pending migration that sorts before one that already ran here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfOrder {
    pub pending: String,
    /// The last migration that ran (or started) here, which it sorts before.
    pub after: String,
    /// Whether `after` is done (else it started: failed or interrupted).
    pub after_done: bool,
}

/// The pending migrations (never recorded) that sort before one that ran here, given the file
/// names in apply order. Such a migration typically comes from merging a branch whose migration
/// is older than one deployed meanwhile: running it now applies the migrations in another order
/// on this database than on a fresh one. A migration that only started counts as run: some of
/// its steps are in the schema already.
///
/// Flyway's repeatable migrations (`R__name.sql`) sort after every versioned one by design and
/// are left out: a new versioned migration always sorts before them.
pub fn out_of_order(names: &[String], recorded: impl Fn(&str) -> Recorded) -> Vec<OutOfOrder> {
    let Some(last) = names
        .iter()
        .rposition(|n| recorded(n) != Recorded::Never && !is_repeatable(n))
    else {
        return Vec::new();
    };
    let after_done = recorded(&names[last]) == Recorded::Applied;
    names[..last]
        .iter()
        .filter(|n| recorded(n) == Recorded::Never)
        .map(|n| OutOfOrder {
            pending: n.clone(),
            after: names[last].clone(),
            after_done,
        })
        .collect()
}

/// Pairs of versioned migrations with the same version (`V3__a.sql`, `V3__b.sql`): typically two
/// branches that each added "the next" migration. Ordered by name they would run silently, in an
/// order neither branch tested; Flyway refuses them too.
pub fn duplicate_versions(migrations: &[(String, Option<String>)]) -> Vec<(String, String)> {
    let mut seen: std::collections::HashMap<Vec<String>, &String> =
        std::collections::HashMap::new();
    let mut duplicates = Vec::new();
    for (name, version) in migrations {
        // Repeatable or free-form: no version. Versions compare by their numbers (`001` and
        // `1` are the same version to the tools that parse them).
        let Some(version) = version.as_deref().filter(|v| v != name) else {
            continue;
        };
        let key: Vec<String> = version
            .split(['.', '_'])
            .map(|p| match p.trim_start_matches('0') {
                "" => "0".to_owned(),
                t => t.to_owned(),
            })
            .collect();
        match seen.get(&key) {
            Some(first) => duplicates.push(((*first).clone(), name.clone())),
            None => {
                seen.insert(key, name);
            }
        }
    }
    duplicates
}

/// Flyway's repeatable migration: `R__<description>.sql`.
fn is_repeatable(name: &str) -> bool {
    name.starts_with("R__") || name.starts_with("r__")
}

/// What the state store knows of a migration, for [`out_of_order`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    Never,
    /// Started, not done (running, failed or interrupted).
    Unfinished,
    Applied,
}

/// The message `tack apply` refuses with.
pub fn out_of_order_message(o: &[OutOfOrder]) -> String {
    let mut out = String::new();
    for x in o {
        out.push_str(&format!(
            "\n  {} is pending but sorts before {}, which {}",
            x.pending,
            x.after,
            if x.after_done {
                "is already applied"
            } else {
                "has already started here"
            }
        ));
    }
    let first = o.first().map(|x| x.pending.as_str()).unwrap_or("it");
    let last = o.first().map(|x| x.after.as_str()).unwrap_or("it");
    format!(
        "nothing was run: pending migrations sort before applied ones (out of order — typically \
         two branches each added a migration and one was deployed before the merge):{out}\n\
         Rename {first} so it sorts after {last} (then `tack sum`), or, if it does not depend on \
         the order, run again with --allow-out-of-order."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_never_recorded_migrations_before_an_applied_one() {
        let names: Vec<String> = ["V1__a.sql", "V2__b.sql", "V3__c.sql", "V4__d.sql"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rec = |n: &str| match n {
            "V1__a.sql" | "V3__c.sql" => Recorded::Applied,
            _ => Recorded::Never,
        };
        assert_eq!(
            out_of_order(&names, rec),
            vec![OutOfOrder {
                pending: "V2__b.sql".into(),
                after: "V3__c.sql".into(),
                after_done: true,
            }]
        );
        // A failed or interrupted migration ran in part: it counts.
        let rec = |n: &str| match n {
            "V1__a.sql" => Recorded::Applied,
            "V3__c.sql" => Recorded::Unfinished,
            _ => Recorded::Never,
        };
        let late = out_of_order(&names, rec);
        assert_eq!(late.len(), 1);
        assert!(!late[0].after_done);
        assert!(out_of_order(&names, |_| Recorded::Never).is_empty());
    }

    #[test]
    fn the_same_version_twice_is_found() {
        let migrations: Vec<(String, Option<String>)> = [
            "V1__a.sql",
            "V3__b.sql",
            "V3__c.sql",
            "R__v.sql",
            "V03__d.sql",
            "2023-01-05-120000_x",
        ]
        .iter()
        .map(|s| (s.to_string(), Some(super::super::files::version(s))))
        .chain([(
            "2023-01-05-121500_y".to_owned(),
            Some("20230105121500".to_owned()),
        )])
        .collect();
        assert_eq!(
            duplicate_versions(&migrations),
            vec![
                ("V3__b.sql".to_owned(), "V3__c.sql".to_owned()),
                // Flyway parses versions as numbers: 03 is 3.
                ("V3__b.sql".to_owned(), "V03__d.sql".to_owned()),
            ]
        );
    }

    #[test]
    fn repeatable_migrations_do_not_make_new_versions_late() {
        let names: Vec<String> = ["V1__a.sql", "V2__b.sql", "R__views.sql"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let rec = |n: &str| match n {
            "V1__a.sql" | "R__views.sql" => Recorded::Applied,
            _ => Recorded::Never,
        };
        assert!(out_of_order(&names, rec).is_empty());
    }
}
