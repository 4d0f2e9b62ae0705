//! Schema as code: the normalized model of a database's schema (`model`), the comparison of two
//! models into ordered, reconciling SQL (`diff`), and the schema fingerprint recorded in history.
//!
//! Pure: introspection lives in `tack-postgres`, the commands in the binary.

pub mod diff;
pub mod model;

pub use diff::{diff, DiffKind, Difference, ObjectKind};
pub use model::SchemaModel;

use sha2::{Digest, Sha256};

/// A stable hash of a schema: sha256 (hex) of the model's canonical JSON. Two databases with the
/// same schema (per `model`'s normalization) have the same fingerprint.
pub fn fingerprint(model: &SchemaModel) -> String {
    // Maps are BTreeMaps and struct fields serialize in declaration order, so the JSON is canonical.
    sha256_hex(&serde_json::to_vec(model).unwrap_or_default())
}

/// sha256 of `bytes`, lower-case hex: fingerprints here, migration checksums in the binary.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
