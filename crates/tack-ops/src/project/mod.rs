//! A project's migrations as files: the layouts of the tools that wrote them (`layout`: which
//! files, in what order, each one's identity, up part and transaction), finding files in apply
//! order (`files`), reading and parsing them (`sources`), what is already applied (`applied`:
//! tack's records, other tools' history tables, `--pending-from`/`--since`), their integrity sums
//! (`sum`, `tack.sum`), and the history checks shared by apply and status (`history`).

pub mod applied;
pub mod files;
pub mod history;
pub mod layout;
pub mod sources;
pub mod sum;

pub use history::{checksum, migration_name};
pub use layout::{Tool, TransactionMode};
pub use sources::{Project, Source};
