//! Rules: what tack reports, with the text `docs/rules.md` is generated from.
//!
//! Each engine keeps its own rule base with its own rule ids (declared with [`rules!`](crate::rules));
//! the rules here are the engine-neutral ones the linter itself reports (syntax errors, empty
//! files, locks held across statements, a missing lock timeout, suppressions without a reason).
//! Users name rules by their string id in `-- tack:ignore <rule>`, `--allow <rule>` and
//! `tack.toml`.

use crate::engine::Engine;
use serde::Serialize;

/// How serious a finding of a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What `docs/rules.md` says about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    pub name: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// The versions it applies to, in the engine's terms ("all", "< 11", "10.3+").
    pub versions: &'static str,
    pub why: &'static str,
    pub recipe: &'static str,
    /// The engine whose rule base it belongs to (None: the linter's own, every engine).
    pub engine: Option<Engine>,
}

/// Declares a rule base: an enum of rule ids (`RuleId`), the static list `RULES` of their
/// [`RuleInfo`] in report order, and `From<RuleId> for &'static RuleInfo`.
///
/// ```ignore
/// tack_core::rules! { engine: Some(Engine::Postgres);
///     SetNotNull = "set-not-null", Error, "SET NOT NULL scans", "all",
///         why: "…", recipe: "…";
/// }
/// ```
#[macro_export]
macro_rules! rules {
    (engine: $engine:expr; $( $variant:ident = $id:literal, $sev:ident, $title:literal, $versions:literal,
        why: $why:literal, recipe: $recipe:literal; )*) => {
        /// A rule's identity; its string form is what users write in `tack:ignore` and `tack.toml`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId { $( $variant, )* }

        /// Documentation and default severity of every rule, in report order.
        pub static RULES: &[$crate::rule::RuleInfo] = &[
            $( $crate::rule::RuleInfo {
                name: $id,
                severity: $crate::rule::Severity::$sev,
                title: $title,
                versions: $versions,
                why: $why,
                recipe: $recipe,
                engine: $engine,
            }, )*
        ];

        impl RuleId {
            /// Every rule id, in report order.
            pub const ALL: &'static [RuleId] = &[ $( RuleId::$variant, )* ];

            /// The rule with this string id.
            pub fn from_name(name: &str) -> Option<RuleId> {
                Self::ALL.iter().copied().find(|r| r.name() == name)
            }

            /// The id of a rule of this base.
            pub fn from_info(info: &$crate::rule::RuleInfo) -> Option<RuleId> {
                Self::from_name(info.name)
            }

            pub fn info(self) -> &'static $crate::rule::RuleInfo {
                // RULES is generated from the same list as the enum, in the same order.
                &RULES[self as usize]
            }

            pub fn name(self) -> &'static str {
                self.info().name
            }
        }

        impl From<RuleId> for &'static $crate::rule::RuleInfo {
            fn from(id: RuleId) -> Self {
                id.info()
            }
        }
    };
}

/// The linter's own rules, on every engine.
pub mod generic {
    rules! { engine: None;
        SyntaxError = "syntax-error", Error, "The statement does not parse", "all",
            why: "The server would reject the migration; nothing after it would run.",
            recipe: "Fix the statement at the reported position.";
        EmptyFile = "empty-file", Warning, "The migration file has no statements", "all",
            why: "An empty migration usually means a file was saved before it was written, or a generator failed.",
            recipe: "Write the migration, or delete the file.";
        LockHeldAcrossStatements = "lock-held-across-statements", Warning,
            "A dangerous lock taken earlier in the transaction is still held", "all",
            why: "Locks are released only at commit: every later statement in the same transaction extends the time reads and writes on that table are blocked.",
            recipe: "Commit right after the statement that takes the lock; put slow work (scans, backfills, index builds) in their own transactions.";
        MissingLockTimeout = "missing-lock-timeout", Warning,
            "A dangerous lock is requested with no lock timeout", "all",
            why: "A DDL statement that waits for its lock behind a long query holds its place in the lock queue, and every later query on the table queues behind it: the site stalls even though the DDL itself is instant.",
            recipe: "Set a short lock timeout before the statement (and retry on failure), or let `tack apply` run it with retries.";
        IgnoreWithoutReason = "ignore-without-reason", Warning,
            "A tack:ignore comment gives no reason", "all",
            why: "Suppressions without a reason cannot be reviewed later.",
            recipe: "Write `-- tack:ignore <rule> <why this is safe here>`.";
    }
}

/// Finds a rule by its string id among `bases` (generic rules first).
pub fn find(bases: &[&'static [RuleInfo]], name: &str) -> Option<&'static RuleInfo> {
    std::iter::once(generic::RULES)
        .chain(bases.iter().copied())
        .flat_map(|b| b.iter())
        .find(|r| r.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_ids_round_trip() {
        for (i, r) in generic::RULES.iter().enumerate() {
            assert_eq!(find(&[], r.name), Some(r));
            assert_eq!(generic::RULES[i].name, r.name);
        }
        assert_eq!(
            generic::RuleId::SyntaxError.name(),
            "syntax-error",
            "the enum and the list are in the same order"
        );
        assert!(find(&[], "no-such-rule").is_none());
    }
}
