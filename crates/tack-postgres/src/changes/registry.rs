//! The PostgreSQL rule base's rules: their ids, default severity, versions, why and recipe
//! (`docs/rules.md` is generated from them by `tack rules`). The linter's own engine-neutral
//! rules are `tack_core::rule::generic`.

tack_core::rules! { engine: Some(tack_core::Engine::Postgres);
    AddColumnVolatileDefault = "add-column-volatile-default", Error,
        "ADD COLUMN with a volatile default rewrites the table", "all",
        why: "A volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()) must be evaluated for every existing row, so PostgreSQL rewrites the whole table and its indexes under an AccessExclusiveLock: no reads or writes until it finishes.",
        recipe: "Add the column without a default; SET DEFAULT for new rows; backfill existing rows in batches; add NOT NULL with the CHECK … NOT VALID recipe.";
    AddColumnDefaultRewrite = "add-column-default-pre-11", Error,
        "ADD COLUMN with a default rewrites the table before PostgreSQL 11", "< 11",
        why: "Before PostgreSQL 11 every default, even a constant, is written into every row by a full rewrite under an AccessExclusiveLock.",
        recipe: "Add the column without a default, SET DEFAULT, then backfill in batches.";
    AddColumnNotNullNoDefault = "add-column-not-null-without-default", Error,
        "ADD COLUMN … NOT NULL without a default fails on a table with rows", "all",
        why: "Existing rows would hold NULL in a NOT NULL column, so PostgreSQL raises an error on any non-empty table.",
        recipe: "Give the column a non-volatile default (metadata-only from 11), or add it nullable, backfill, then SET NOT NULL by the CHECK recipe.";
    AddColumnGenerated = "add-column-generated-stored", Error,
        "ADD COLUMN … GENERATED ALWAYS AS … STORED rewrites the table", "all",
        why: "Stored generated values are computed for every row by a full rewrite under an AccessExclusiveLock.",
        recipe: "Add a plain nullable column, keep it filled with a trigger, backfill in batches; or use a view or expression index.";
    AddColumnSerial = "add-column-serial", Error,
        "ADD COLUMN of type serial rewrites the table", "all",
        why: "serial is a nextval() default, which is volatile: every existing row gets its own value in a full rewrite under an AccessExclusiveLock.",
        recipe: "Add a nullable bigint column, create the sequence, SET DEFAULT nextval(…), backfill existing rows in batches, then SET NOT NULL by the CHECK recipe.";
    AddColumnIdentity = "add-column-identity", Error,
        "ADD COLUMN … GENERATED AS IDENTITY rewrites the table", "all",
        why: "An identity column draws a sequence value for every existing row: a full rewrite under an AccessExclusiveLock.",
        recipe: "Add a nullable bigint column, backfill it in batches from a sequence, SET NOT NULL by the CHECK recipe, then ADD GENERATED … AS IDENTITY (metadata only).";
    SetNotNull = "set-not-null", Error,
        "SET NOT NULL scans the table under an AccessExclusiveLock", "all; cheap from 12 with a valid CHECK (col IS NOT NULL)",
        why: "PostgreSQL reads every row to prove there is no NULL while holding an AccessExclusiveLock, blocking reads and writes. From 12, a validated CHECK (col IS NOT NULL) lets it skip the scan.",
        recipe: "ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT (ShareUpdateExclusiveLock, traffic continues); SET NOT NULL (no scan on 12+); DROP CONSTRAINT the check.";
    AddCheckConstraint = "add-check-constraint", Error,
        "ADD CONSTRAINT … CHECK validates every row under an AccessExclusiveLock", "all",
        why: "Without NOT VALID, PostgreSQL scans the whole table to validate the check while holding an AccessExclusiveLock.",
        recipe: "ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in its own transaction (ShareUpdateExclusiveLock).";
    AddForeignKey = "add-foreign-key", Error,
        "ADD FOREIGN KEY validates every row while blocking writes to both tables", "all",
        why: "Without NOT VALID, PostgreSQL checks every row against the referenced table while holding ShareRowExclusiveLock on both tables: no writes to either until it finishes.",
        recipe: "ADD CONSTRAINT … FOREIGN KEY … NOT VALID, then VALIDATE CONSTRAINT in its own transaction.";
    AddUniqueConstraint = "add-unique-constraint", Error,
        "ADD UNIQUE builds an index under an AccessExclusiveLock", "all",
        why: "The unique index is built while the table is locked against reads and writes.",
        recipe: "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … UNIQUE USING INDEX.";
    AddPrimaryKey = "add-primary-key", Error,
        "ADD PRIMARY KEY builds an index (and may scan for NULLs) under an AccessExclusiveLock", "all",
        why: "The unique index is built, and key columns that are not yet NOT NULL are scanned, while reads and writes are blocked.",
        recipe: "Make the key columns NOT NULL by the CHECK recipe, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT … PRIMARY KEY USING INDEX.";
    AddExclusionConstraint = "add-exclusion-constraint", Error,
        "ADD EXCLUDE builds an index under an AccessExclusiveLock", "all",
        why: "Exclusion constraints cannot be added NOT VALID nor USING INDEX: the index is built and every row checked while reads and writes are blocked.",
        recipe: "Build the constraint on an empty replacement table and swap, or enforce it with a trigger plus a concurrently built index; at least run it in a quiet window with a lock_timeout.";
    CreateIndex = "create-index-non-concurrently", Error,
        "CREATE INDEX without CONCURRENTLY blocks writes for the whole build", "all",
        why: "A plain CREATE INDEX holds a ShareLock: reads continue but every INSERT, UPDATE and DELETE waits until the index is built.",
        recipe: "CREATE INDEX CONCURRENTLY outside a transaction; if it fails, DROP INDEX CONCURRENTLY the INVALID leftover and retry.";
    ConcurrentIndexBug = "concurrent-index-14-bug", Error,
        "CREATE INDEX CONCURRENTLY can corrupt indexes on PostgreSQL 14.0–14.3", "14.0–14.3",
        why: "A bug in 14.0–14.3 lets concurrent index builds miss rows written during the build.",
        recipe: "Upgrade to 14.4 or later before building indexes concurrently; check existing ones with amcheck.";
    DropIndex = "drop-index-non-concurrently", Warning,
        "DROP INDEX without CONCURRENTLY takes an AccessExclusiveLock on the table", "all",
        why: "The drop itself is quick, but it queues behind running queries and everything queues behind it.",
        recipe: "DROP INDEX CONCURRENTLY outside a transaction.";
    Reindex = "reindex-non-concurrently", Error,
        "REINDEX without CONCURRENTLY blocks writes and reads that use the index", "all; CONCURRENTLY from 12",
        why: "REINDEX holds a ShareLock on the table and an AccessExclusiveLock on each index it rebuilds: writes stop, and queries that would use the index wait.",
        recipe: "REINDEX … CONCURRENTLY (12+); before 12, CREATE INDEX CONCURRENTLY a copy and swap.";
    ConcurrentlyInTransaction = "concurrently-in-transaction", Error,
        "A CONCURRENTLY operation inside a transaction block fails", "all",
        why: "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY cannot run inside a transaction block: PostgreSQL raises an error.",
        recipe: "Move the statement to its own migration file that the runner does not wrap in a transaction (or run it outside BEGIN … COMMIT).";
    AlterColumnType = "alter-column-type", Error,
        "ALTER COLUMN TYPE rewrites the table under an AccessExclusiveLock", "all; some changes are binary-coercible",
        why: "Unless the new type is binary-coercible with the old one (varchar(n) → varchar(m ≥ n) or text, numeric precision up, timestamp → timestamptz in a UTC session from 12), every row and every index on the table is rewritten while reads and writes are blocked.",
        recipe: "Add a new column of the new type, keep it in sync with a trigger, backfill in batches, switch the application, then drop the old column (expand/contract).";
    RenameColumn = "rename-column", Warning,
        "RENAME COLUMN breaks running application code", "all",
        why: "The rename is instant, but clients still using the old name start failing the moment it commits.",
        recipe: "Expand/contract: add the new column, write both, backfill, move readers, then drop the old; or put a view in front.";
    RenameTable = "rename-table", Warning,
        "RENAME TABLE breaks running application code", "all",
        why: "The rename is instant, but clients still using the old name start failing the moment it commits.",
        recipe: "Rename, then create an updatable view with the old name until every client has moved; drop the view afterwards.";
    DropColumn = "drop-column", Warning,
        "DROP COLUMN breaks application code that still uses the column", "all",
        why: "The drop is metadata-only, but queries naming the column fail at once, and ORMs that select every column may cache the old shape.",
        recipe: "Stop reading and writing the column in the application first (ignore it in the ORM), deploy, then drop it.";
    DropTable = "drop-table", Warning,
        "DROP TABLE destroys data and breaks clients that use the table", "all",
        why: "Irreversible, and it takes an AccessExclusiveLock that queues behind every running query.",
        recipe: "Make sure no code reads or writes the table (rename it first and wait), keep a backup, then drop it.";
    AttachPartition = "attach-partition-scan", Error,
        "ATTACH PARTITION scans the partition to check its bound", "all; parent lock is ShareUpdateExclusive from 12",
        why: "PostgreSQL reads every row of the new partition to verify the partition bound while holding an AccessExclusiveLock on it, unless a valid CHECK constraint already implies the bound.",
        recipe: "ADD a CHECK constraint matching the bound NOT VALID, VALIDATE it, then ATTACH PARTITION (no scan), then drop the check.";
    DetachPartition = "detach-partition-blocking", Error,
        "DETACH PARTITION takes an AccessExclusiveLock on the parent", "all; CONCURRENTLY from 14",
        why: "Every query on the partitioned table waits while the detach waits for and holds its lock.",
        recipe: "DETACH PARTITION … CONCURRENTLY (14+), outside a transaction block.";
    SetLoggedUnlogged = "set-logged-unlogged", Error,
        "SET LOGGED / SET UNLOGGED rewrites the table", "all",
        why: "The table is copied under an AccessExclusiveLock (and SET LOGGED writes all of it to WAL).",
        recipe: "Avoid on live tables; create a new table with the wanted persistence, copy in batches and swap.";
    VacuumFull = "vacuum-full", Error,
        "VACUUM FULL rewrites the table under an AccessExclusiveLock", "all",
        why: "Reads and writes stop for the whole rewrite.",
        recipe: "Use plain VACUUM, or an online rebuild (pg_repack / pg_squeeze).";
    Cluster = "cluster", Error,
        "CLUSTER rewrites the table under an AccessExclusiveLock", "all",
        why: "Reads and writes stop for the whole sort and rewrite.",
        recipe: "Use an online rebuild (pg_repack with --order-by).";
    Truncate = "truncate", Warning,
        "TRUNCATE removes every row under an AccessExclusiveLock", "all",
        why: "Data loss, and the lock queues behind running queries and blocks everything behind it.",
        recipe: "Make sure the data is meant to go; run it with a short lock_timeout, or DELETE in batches.";
    EnumAddValueInTransaction = "enum-add-value-in-transaction", Error,
        "ALTER TYPE … ADD VALUE cannot run in a transaction block before PostgreSQL 12", "< 12; from 12 the value is unusable until commit",
        why: "Before 12 it fails inside a transaction; from 12 it works, but the new value cannot be used until the transaction commits.",
        recipe: "Run ADD VALUE in its own migration outside a transaction, before statements that use the value.";
    UnbatchedUpdate = "unbatched-update", Error,
        "UPDATE of a whole table in one statement", "all",
        why: "One transaction locks every row it touches until it commits, blocks concurrent writers of those rows, bloats the table and its indexes, and floods replicas with WAL.",
        recipe: "Update in keyset batches over the primary key, each in its own transaction, throttled on replication lag.";
    UnbatchedDelete = "unbatched-delete", Error,
        "DELETE of a whole table in one statement", "all",
        why: "One transaction locks every row it deletes until it commits, and leaves all of them as dead tuples for vacuum at once.",
        recipe: "Delete in keyset batches over the primary key, each in its own transaction.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut names: Vec<_> = RULES.iter().map(|r| r.name).collect();
        for r in RULES {
            assert_eq!(tack_core::rule::find(&[RULES], r.name), Some(r));
        }
        names.extend(tack_core::rule::generic::RULES.iter().map(|r| r.name));
        let all = names.len();
        names.sort();
        names.dedup();
        assert_eq!(
            names.len(),
            all,
            "rule ids are unique across the generic and PostgreSQL rules"
        );
        assert_eq!(RuleId::SetNotNull.name(), "set-not-null");
    }
}
