//! Object names as the front ends read them: an optional schema (a database on MySQL) and a name,
//! already case-folded the way the engine folds them. Quoting them back into SQL is the engine's
//! business (`"a b"` on PostgreSQL, `` `a b` `` on MySQL), so nothing here quotes.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A possibly qualified object name, kept as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: Option<String>,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        QualifiedName {
            schema: schema.map(str::to_owned),
            name: name.to_owned(),
        }
    }

    pub fn unqualified(name: &str) -> Self {
        QualifiedName::new(None, name)
    }

    /// The catalog's key for the name: unqualified names resolve to `default_schema` (the first
    /// schema of the `search_path` on PostgreSQL, the current database on MySQL).
    pub fn key(&self, default_schema: &str) -> (String, String) {
        (
            self.schema
                .clone()
                .unwrap_or_else(|| default_schema.to_owned()),
            self.name.clone(),
        )
    }

    /// Same object, another name in the same schema (for a helper object such as an index).
    pub fn sibling(&self, name: &str) -> QualifiedName {
        QualifiedName {
            schema: self.schema.clone(),
            name: name.to_owned(),
        }
    }
}

/// `schema.name`, unquoted (for messages where no SQL is expected).
impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}
