//! A project's migrations as files: finding them and putting them in apply order (`files`),
//! reading and parsing them (`sources`), their integrity sums (`sum`, `tack.sum`), and the history
//! checks shared by apply and status (`history`: versions, order, checksums).

pub mod files;
pub mod history;
pub mod sources;
pub mod sum;

pub use history::{checksum, migration_name};
pub use sources::Source;
