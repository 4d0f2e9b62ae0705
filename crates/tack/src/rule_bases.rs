//! Every rule tack knows: the linter's own, then each engine's rule base, in report order (what
//! `tack rules`, SARIF output and `[rules]` in tack.toml look rules up in).

use tack_core::RuleInfo;

/// The rule bases, generic first.
pub fn bases() -> [&'static [RuleInfo]; 2] {
    [
        tack_core::rule::generic::RULES,
        tack_postgres::changes::RULES,
    ]
}

/// Every rule, in report order.
pub fn all() -> impl Iterator<Item = &'static RuleInfo> {
    bases().into_iter().flat_map(|b| b.iter())
}

/// The rule with this string id.
pub fn find(name: &str) -> Option<&'static RuleInfo> {
    all().find(|r| r.name == name)
}
