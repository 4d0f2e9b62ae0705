//! Schema as code: the normalized model of a database's schema (`model`), the comparison of two
//! models into ordered, reconciling SQL (`diff`), and the schema fingerprint recorded in history.
//!
//! Pure: introspection lives in `server::introspect`, the use cases in `tack-ops`.

pub mod diff;
pub mod model;
pub mod rebase;

pub use diff::{diff, DiffKind, Difference, ObjectKind};
pub use model::SchemaModel;
pub use rebase::rebase;

pub use tack_core::digest::sha256_hex;

/// A stable hash of a schema: sha256 (hex) of the model's canonical JSON. Two databases with the
/// same schema (per `model`'s normalization) have the same fingerprint.
pub fn fingerprint(model: &SchemaModel) -> String {
    // Maps are BTreeMaps and struct fields serialize in declaration order, so the JSON is canonical.
    sha256_hex(&serde_json::to_vec(model).unwrap_or_default())
}
