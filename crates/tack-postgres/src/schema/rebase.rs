//! The expected schema of an adopted database: its baseline, with what the migrations applied
//! since changed.
//!
//! The baseline is a model read from the database when tack adopted it. To replay migrations on
//! it, a scratch database is built from the baseline's SQL (`rebuilt`) and the migrations run
//! there (`replayed`). PostgreSQL does not always deparse what it parsed from its own deparsed
//! text the same way (`status IN ('a', 'b')` on a `varchar` column comes back with its casts
//! moved), so `replayed` may differ from the baseline where no migration touched anything.
//! Hence a three-way merge: wherever `rebuilt` and `replayed` agree, the migrations changed
//! nothing and the baseline's own text stands; wherever they differ, the migrations' result
//! does. Objects merge field by field, and lists of named objects (a table's columns) name by
//! name, so one added column does not replace the others' definitions.

use super::SchemaModel;
use serde_json::{Map, Value};

/// The baseline with the changes from `rebuilt` to `replayed` applied.
pub fn rebase(
    baseline: &SchemaModel,
    rebuilt: &SchemaModel,
    replayed: &SchemaModel,
) -> SchemaModel {
    let (Ok(base), Ok(from), Ok(to)) = (
        serde_json::to_value(baseline),
        serde_json::to_value(rebuilt),
        serde_json::to_value(replayed),
    ) else {
        return replayed.clone();
    };
    let merged = merge(Some(&base), Some(&from), Some(&to));
    merged
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_else(|| replayed.clone())
}

/// One value of the three: `None` where it is absent.
fn merge(base: Option<&Value>, from: Option<&Value>, to: Option<&Value>) -> Option<Value> {
    if from == to {
        // Untouched by the migrations: as it was adopted (absent from the baseline if the
        // rebuild made something the baseline did not have; that cannot be the migrations').
        return base.cloned().or_else(|| to.cloned());
    }
    match (base, from, to) {
        (Some(Value::Object(b)), Some(Value::Object(f)), Some(Value::Object(t))) => {
            Some(Value::Object(merge_maps(b, f, t)))
        }
        (Some(Value::Array(b)), Some(Value::Array(f)), Some(Value::Array(t)))
            if named(b) && named(f) && named(t) =>
        {
            Some(Value::Array(merge_named(b, f, t)))
        }
        _ => to.cloned(),
    }
}

fn merge_maps(
    b: &Map<String, Value>,
    f: &Map<String, Value>,
    t: &Map<String, Value>,
) -> Map<String, Value> {
    let mut out = Map::new();
    let keys = b.keys().chain(f.keys()).chain(t.keys());
    for key in keys {
        if out.contains_key(key) {
            continue;
        }
        if let Some(v) = merge(b.get(key), f.get(key), t.get(key)) {
            out.insert(key.clone(), v);
        }
    }
    out
}

fn name_of(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// A list of objects that each have a `name`.
fn named(list: &[Value]) -> bool {
    list.iter().all(|v| name_of(v).is_some())
}

/// Lists of named objects, merged by name, in `t`'s order (a column's place is where the
/// migrations left it).
fn merge_named(b: &[Value], f: &[Value], t: &[Value]) -> Vec<Value> {
    let find = |list: &'_ [Value], name: &str| -> Option<Value> {
        list.iter().find(|v| name_of(v) == Some(name)).cloned()
    };
    let mut out = Vec::new();
    for item in t {
        let Some(name) = name_of(item) else { continue };
        if let Some(v) = merge(find(b, name).as_ref(), find(f, name).as_ref(), Some(item)) {
            out.push(v);
        }
    }
    // What the baseline had, the rebuild had too, and the migrations did not remove.
    for item in b {
        let Some(name) = name_of(item) else { continue };
        if find(t, name).is_none() && find(f, name).is_none() {
            out.push(item.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn untouched_objects_keep_the_baseline_text_and_changes_apply() {
        let base = json!({"t": {"check": "IN (a, b)", "cols": [{"name": "id", "d": "x"}]}, "v": 1});
        let from =
            json!({"t": {"check": "ANY (a, b)", "cols": [{"name": "id", "d": "x2"}]}, "v": 1});
        let to = json!({"t": {"check": "ANY (a, b)",
                              "cols": [{"name": "id", "d": "x2"}, {"name": "phone", "d": "y"}]},
                        "v": 1, "w": 2});
        let merged = merge(Some(&base), Some(&from), Some(&to)).unwrap();
        assert_eq!(
            merged,
            json!({"t": {"check": "IN (a, b)",
                         "cols": [{"name": "id", "d": "x"}, {"name": "phone", "d": "y"}]},
                   "v": 1, "w": 2})
        );
    }

    #[test]
    fn removals_and_changes_by_the_migrations_win() {
        let base = json!({"a": 1, "b": {"k": "old"}});
        let from = json!({"a": 1, "b": {"k": "old"}});
        let to = json!({"b": {"k": "new"}});
        assert_eq!(
            merge(Some(&base), Some(&from), Some(&to)).unwrap(),
            json!({"b": {"k": "new"}})
        );
    }
}
