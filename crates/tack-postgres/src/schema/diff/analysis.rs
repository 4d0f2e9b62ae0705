//! The diff as a whole, worked out before any SQL is written: which tables are dropped or
//! re-created, which columns are dropped or change type, and therefore which unchanged objects
//! must still be dropped and created again around those changes (views, triggers, indexes,
//! constraints, foreign keys, column defaults), in what order tables are dropped, where
//! functions go, and what happens to views.

use super::{sql, topological, views, Phase};
use crate::schema::model::{Column, ConstraintKind, SchemaModel, Table, TableKind};
use std::collections::{BTreeMap, BTreeSet};

/// A table's child object whose drop and re-create a change elsewhere forces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Child {
    Constraint,
    Index,
    Trigger,
}

/// Both models, and what the diff as a whole does that individual objects' SQL depends on:
/// which tables are dropped or re-created, which columns are dropped or change type, which
/// objects must be dropped and re-created because of that, and the order of the views.
pub(super) struct Ctx<'a> {
    pub(super) from: &'a SchemaModel,
    pub(super) to: &'a SchemaModel,
    /// Tables in both models that are dropped and created again, with why.
    pub(super) recreated_tables: BTreeMap<String, String>,
    /// Tables of `from` the diff drops: not in `to`, or re-created. Everything on them goes too.
    pub(super) dropped_tables: BTreeSet<String>,
    /// Per surviving table, columns of `from` that are dropped (or dropped and added again),
    /// raw name → why, for details.
    pub(super) dropped_columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Per surviving table, columns whose type changes (raw name → why).
    pub(super) retyped_columns: BTreeMap<String, BTreeMap<String, String>>,
    /// Enums that are replaced (labels removed or reordered), with the table columns to convert.
    pub(super) converted_enums: BTreeMap<String, Vec<(String, String)>>,
    /// Functions dropped and created again (result type or kind changes).
    pub(super) recreated_functions: BTreeSet<String>,
    /// Domains dropped and created again (base type or collation changes).
    pub(super) recreated_domains: BTreeSet<String>,
    /// Constraints, indexes and triggers that are the same in both models but must be dropped
    /// and created again, keyed by (kind, table, name), with why.
    pub(super) forced: BTreeMap<(Child, String, String), String>,
    /// Column defaults of kept columns, (table, raw column) → why, that call a function being
    /// re-created: dropped before it goes, set again after.
    pub(super) released_defaults: BTreeMap<(String, String), String>,
    /// Partition depth of each table in `from` and in `to` (0 for a table that is no partition).
    pub(super) depth_from: BTreeMap<String, usize>,
    pub(super) depth_to: BTreeMap<String, usize>,
    /// What happens to views, in order.
    pub(super) views: views::ViewPlan,
    /// Where each function `to` has is created or replaced, when not with the functions (it
    /// reads a table or view the diff creates).
    pub(super) function_phases: BTreeMap<String, Phase>,
    /// Unqualified names of those functions, which column defaults wait for.
    pub(super) late_function_names: BTreeSet<String>,
    /// The order of the dropped tables: partitions before parents, referencing tables before the
    /// tables they reference.
    pub(super) table_drop_order: BTreeMap<String, usize>,
    /// Foreign keys (table, name, referenced table) on dropped tables that reference a table
    /// dropped before theirs (tables referencing each other): dropped explicitly, first.
    pub(super) cyclic_foreign_keys: Vec<(String, String, String)>,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(from: &'a SchemaModel, to: &'a SchemaModel) -> Self {
        let mut ctx = Ctx {
            from,
            to,
            recreated_tables: BTreeMap::new(),
            dropped_tables: BTreeSet::new(),
            dropped_columns: BTreeMap::new(),
            retyped_columns: BTreeMap::new(),
            converted_enums: BTreeMap::new(),
            recreated_functions: BTreeSet::new(),
            recreated_domains: BTreeSet::new(),
            forced: BTreeMap::new(),
            released_defaults: BTreeMap::new(),
            depth_from: depths(from),
            depth_to: depths(to),
            views: views::ViewPlan::default(),
            function_phases: BTreeMap::new(),
            late_function_names: BTreeSet::new(),
            table_drop_order: BTreeMap::new(),
            cyclic_foreign_keys: Vec::new(),
        };
        ctx.find_recreated_tables();
        ctx.find_column_changes();
        ctx.find_enum_conversions();
        ctx.find_recreated_routines();
        ctx.find_forced_children();
        ctx.order_table_drops();
        ctx.views = views::plan(&ctx);
        ctx.place_functions();
        ctx
    }

    /// Orders the dropped tables (see `table_drop_order`); foreign keys that a cycle of
    /// references leaves pointing at an already dropped table are dropped explicitly.
    fn order_table_drops(&mut self) {
        let dropped: BTreeSet<&str> = self.dropped_tables.iter().map(String::as_str).collect();
        // A table's "dependencies" here are the tables that must be dropped before it.
        let mut before: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (key, table) in &self.from.tables {
            if !dropped.contains(key.as_str()) {
                continue;
            }
            if let Some(of) = &table.partition_of {
                before.entry(of.parent.as_str()).or_default().push(key);
            }
            for constraint in table.constraints.values() {
                if let Some(referenced) = &constraint.references {
                    before.entry(referenced.as_str()).or_default().push(key);
                }
            }
        }
        let order = topological(&dropped, |key| before.get(key).cloned().unwrap_or_default());
        let rank: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, k)| (*k, i)).collect();
        let mut cyclic = Vec::new();
        for (key, table) in &self.from.tables {
            let Some(&mine) = rank.get(key.as_str()) else {
                continue;
            };
            for (name, constraint) in &table.constraints {
                let Some(referenced) = &constraint.references else {
                    continue;
                };
                if rank
                    .get(referenced.as_str())
                    .is_some_and(|&theirs| theirs < mine)
                {
                    cyclic.push((key.clone(), name.clone(), referenced.clone()));
                }
            }
        }
        self.table_drop_order = rank.into_iter().map(|(k, i)| (k.to_owned(), i)).collect();
        self.cyclic_foreign_keys = cyclic;
    }

    /// Places the functions `to` has that this diff creates or replaces: with the functions,
    /// early, so column defaults, checks, views and triggers can call them; but after the tables
    /// or views they read when PostgreSQL resolves those names at creation (a SQL-language body,
    /// a row type in the signature).
    fn place_functions(&mut self) {
        let tables: BTreeSet<String> = self
            .to
            .tables
            .keys()
            .filter(|key| {
                !self.from.tables.contains_key(*key) || self.recreated_tables.contains_key(*key)
            })
            .map(|key| sql::base_name(key))
            .collect();
        let views: BTreeSet<String> = self
            .views
            .creates
            .iter()
            .filter(|(_, create)| !matches!(create, views::Create::Replace(_)))
            .map(|(key, _)| sql::base_name(key))
            .collect();
        for (key, function) in &self.to.functions {
            let unchanged = self.from.functions.get(key).is_some_and(|old| {
                old.definition == function.definition && !self.recreated_functions.contains(key)
            });
            if unchanged {
                continue;
            }
            let idents = sql::identifiers(sql::routine_checked_part(&function.definition));
            let phase = if idents.iter().any(|name| views.contains(name)) {
                Phase::FunctionsAfterViews
            } else if idents.iter().any(|name| tables.contains(name)) {
                Phase::FunctionsAfterTables
            } else {
                continue;
            };
            self.function_phases.insert(key.clone(), phase);
            self.late_function_names.insert(sql::base_name(key));
        }
    }

    /// Where function `key` of `to` is created or replaced.
    pub(super) fn function_phase(&self, key: &str) -> Phase {
        self.function_phases
            .get(key)
            .copied()
            .unwrap_or(Phase::Functions)
    }

    /// Whether a column default calls a function created late (see `place_functions`): then it
    /// is set in its own step once the function exists.
    pub(super) fn deferred_default(&self, default: &str) -> bool {
        !self.late_function_names.is_empty()
            && sql::identifiers(default)
                .iter()
                .any(|name| self.late_function_names.contains(name))
    }

    /// Tables whose kind or partition key changes (no `ALTER TABLE` does that), and, with them,
    /// the partitions that stay attached to a dropped or re-created parent (dropped with it).
    fn find_recreated_tables(&mut self) {
        for (key, old) in &self.from.tables {
            let Some(new) = self.to.tables.get(key) else {
                self.dropped_tables.insert(key.clone());
                continue;
            };
            let reason = if old.kind != new.kind {
                Some(sql::change_line(
                    "kind",
                    table_kind_name(old),
                    table_kind_name(new),
                ))
            } else if old.partition_key != new.partition_key {
                Some(sql::change_line(
                    "partition key",
                    sql::shown(old.partition_key.as_deref()),
                    sql::shown(new.partition_key.as_deref()),
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                self.recreated_tables.insert(key.clone(), reason);
                self.dropped_tables.insert(key.clone());
            }
        }
        loop {
            let mut more = Vec::new();
            for (key, old) in &self.from.tables {
                let (Some(new), Some(of)) = (self.to.tables.get(key), &old.partition_of) else {
                    continue;
                };
                if !self.dropped_tables.contains(key)
                    && self.dropped_tables.contains(&of.parent)
                    && new.partition_of.as_ref() == Some(of)
                {
                    more.push((
                        key.clone(),
                        format!("a partition of {}, which is re-created", of.parent),
                    ));
                }
            }
            if more.is_empty() {
                break;
            }
            for (key, reason) in more {
                self.recreated_tables.insert(key.clone(), reason);
                self.dropped_tables.insert(key);
            }
        }
    }

    /// The tables in both models that the diff keeps (alters rather than drops).
    fn kept_tables(&self) -> impl Iterator<Item = (&'a String, &'a Table, &'a Table)> + '_ {
        self.from.tables.iter().filter_map(move |(key, old)| {
            let new = self.to.tables.get(key)?;
            (!self.dropped_tables.contains(key)).then_some((key, old, new))
        })
    }

    /// A kept partition that stays attached to the same parent with the same bound: its
    /// columns follow the parent's (`ALTER TABLE` on the parent recurses).
    pub(super) fn inherits(&self, key: &str) -> bool {
        match (self.from.tables.get(key), self.to.tables.get(key)) {
            (Some(old), Some(new)) => {
                !self.dropped_tables.contains(key)
                    && old.partition_of.is_some()
                    && old.partition_of == new.partition_of
            }
            _ => false,
        }
    }

    /// A kept table detached from its parent before the drops (it moves, or stops being a
    /// partition).
    fn detached(&self, key: &str) -> bool {
        match (self.from.tables.get(key), self.to.tables.get(key)) {
            (Some(old), Some(new)) => {
                !self.dropped_tables.contains(key)
                    && old.partition_of.is_some()
                    && old.partition_of != new.partition_of
            }
            _ => false,
        }
    }

    /// Columns dropped (or dropped and re-added) and columns whose type changes, per kept table.
    /// A partition that inherits takes its parent's (the parent's `ALTER TABLE` recurses).
    fn find_column_changes(&mut self) {
        let mut kept: Vec<(&'a String, &'a Table, &'a Table)> = self.kept_tables().collect();
        // Parents first, so a partition can copy its parent's changes.
        kept.sort_by_key(|(key, _, _)| self.depth_from.get(*key).copied().unwrap_or(0));
        for (key, old, new) in kept {
            if self.inherits(key) {
                if let Some(of) = &old.partition_of {
                    if let Some(cols) = self.dropped_columns.get(&of.parent).cloned() {
                        self.dropped_columns.insert(key.clone(), cols);
                    }
                    if let Some(cols) = self.retyped_columns.get(&of.parent).cloned() {
                        self.retyped_columns.insert(key.clone(), cols);
                    }
                }
                continue;
            }
            for column in &old.columns {
                match new.column(&column.name) {
                    None => {
                        self.dropped_columns
                            .entry(key.clone())
                            .or_default()
                            .insert(column.name.clone(), "is dropped".to_owned());
                    }
                    Some(target) if regenerated(column, target) => {
                        self.dropped_columns.entry(key.clone()).or_default().insert(
                            column.name.clone(),
                            "is dropped and added again (its generation expression changes)"
                                .to_owned(),
                        );
                    }
                    Some(target)
                        if column.data_type != target.data_type
                            || column.collation != target.collation =>
                    {
                        self.retyped_columns
                            .entry(key.clone())
                            .or_default()
                            .insert(column.name.clone(), "changes type".to_owned());
                    }
                    Some(_) => {}
                }
            }
        }
    }

    /// Enums whose labels are removed or reordered, and the table columns of each that the
    /// replacement converts: columns of kept tables that are not dropped, on tables that are
    /// standalone when the enums are changed (an attached partition follows its parent).
    fn find_enum_conversions(&mut self) {
        for (key, old) in &self.from.enums {
            let Some(new) = self.to.enums.get(key) else {
                continue;
            };
            if old.labels == new.labels || is_subsequence(&old.labels, &new.labels) {
                continue;
            }
            let mut users = Vec::new();
            for (table_key, table, _) in self.kept_tables() {
                if table.partition_of.is_some() && !self.detached(table_key) {
                    continue;
                }
                for column in &table.columns {
                    let dropped = self
                        .dropped_columns
                        .get(table_key)
                        .is_some_and(|cols| cols.contains_key(&column.name));
                    if !dropped && uses_type(&column.data_type, key) {
                        users.push((table_key.clone(), column.name.clone()));
                    }
                }
            }
            for (table_key, column) in &users {
                self.retyped_columns
                    .entry(table_key.clone())
                    .or_default()
                    .entry(column.clone())
                    .or_insert_with(|| format!("is converted to the new {key}"));
            }
            self.converted_enums.insert(key.clone(), users);
        }
    }

    fn find_recreated_routines(&mut self) {
        for (key, old) in &self.from.functions {
            if let Some(new) = self.to.functions.get(key) {
                if old.kind != new.kind || old.result != new.result {
                    self.recreated_functions.insert(key.clone());
                }
            }
        }
        for (key, old) in &self.from.domains {
            if let Some(new) = self.to.domains.get(key) {
                if old.base_type != new.base_type || old.collation != new.collation {
                    self.recreated_domains.insert(key.clone());
                }
            }
        }
    }

    /// Constraints, indexes and triggers that `to` keeps unchanged but that must be dropped and
    /// created again: those on a column that is dropped (they would go with it), triggers on a
    /// column that changes type (PostgreSQL refuses that) or calling a re-created function, and
    /// foreign keys referencing a table whose keys are dropped (the key cannot go while a foreign
    /// key uses it).
    fn find_forced_children(&mut self) {
        let mut forced = BTreeMap::new();
        let mut released = BTreeMap::new();
        // Per table, the column sets of the keys that are dropped (a primary key, unique
        // constraint or unique index a foreign key may reference); None: any (the table goes,
        // or the key's columns could not be read).
        let mut rekeyed: BTreeMap<String, Vec<Option<BTreeSet<String>>>> = self
            .dropped_tables
            .iter()
            .map(|table| (table.clone(), vec![None]))
            .collect();
        let function_names: BTreeMap<String, &String> = self
            .recreated_functions
            .iter()
            .map(|key| (sql::base_name(key), key))
            .collect();
        for (key, old, new) in self.kept_tables() {
            let dropped = self.dropped_columns.get(key);
            let retyped = self.retyped_columns.get(key);
            let calls_recreated = |idents: &BTreeSet<String>| -> Option<String> {
                function_names
                    .iter()
                    .find(|(name, _)| idents.contains(*name))
                    .map(|(_, key)| format!("calls {key}, which is re-created"))
            };
            // What takes a kept constraint or index down: a dropped column it uses (it goes with
            // the column) or a function it calls (which cannot go while it is used).
            let uses_dropped = |definition: &str| -> Option<String> {
                let idents = sql::identifiers(definition);
                dropped
                    .and_then(|cols| cols.iter().find(|(column, _)| idents.contains(*column)))
                    .map(|(column, why)| format!("uses column {column}, which {why}"))
                    .or_else(|| calls_recreated(&idents))
            };
            if !function_names.is_empty() && !self.inherits(key) {
                for column in &old.columns {
                    let dropped_here = dropped.is_some_and(|cols| cols.contains_key(&column.name));
                    let Some(default) = column.default.as_ref().filter(|_| !dropped_here) else {
                        continue;
                    };
                    if let Some(why) = calls_recreated(&sql::identifiers(default)) {
                        released.insert((key.clone(), column.name.clone()), why);
                    }
                }
            }
            for (name, constraint) in &old.constraints {
                let kept = new.constraints.get(name).filter(|target| {
                    target.kind == constraint.kind
                        && sql::base_definition(&target.definition)
                            == sql::base_definition(&constraint.definition)
                });
                let forced_here = kept.and_then(|_| uses_dropped(&constraint.definition));
                if let Some(why) = &forced_here {
                    forced.insert((Child::Constraint, key.clone(), name.clone()), why.clone());
                }
                let is_key = matches!(
                    constraint.kind,
                    ConstraintKind::PrimaryKey | ConstraintKind::Unique
                );
                if is_key && (kept.is_none() || forced_here.is_some()) {
                    rekeyed
                        .entry(key.clone())
                        .or_default()
                        .push(sql::key_columns(&constraint.definition));
                }
            }
            for (name, index) in old.indexes.iter().filter(|(_, i)| i.constraint.is_none()) {
                let kept = new
                    .indexes
                    .get(name)
                    .filter(|target| target.constraint.is_none())
                    .filter(|target| target.definition == index.definition)
                    .filter(|target| index.valid || !target.valid);
                let forced_here = kept.and_then(|_| uses_dropped(&index.definition));
                if let Some(why) = &forced_here {
                    forced.insert((Child::Index, key.clone(), name.clone()), why.clone());
                }
                if index.unique && (kept.is_none() || forced_here.is_some()) {
                    rekeyed
                        .entry(key.clone())
                        .or_default()
                        .push(sql::key_columns(&index.definition));
                }
            }
            for (name, trigger) in &old.triggers {
                if new.triggers.get(name).map(|t| &t.definition) != Some(&trigger.definition) {
                    continue;
                }
                let idents = sql::identifiers(&trigger.definition);
                let column = dropped
                    .into_iter()
                    .chain(retyped)
                    .flatten()
                    .find(|(column, _)| idents.contains(*column))
                    .map(|(column, why)| format!("uses column {column}, which {why}"));
                if let Some(why) = column.or_else(|| calls_recreated(&idents)) {
                    forced.insert((Child::Trigger, key.clone(), name.clone()), why);
                }
            }
        }
        for (key, old, new) in self.kept_tables() {
            for (name, constraint) in &old.constraints {
                let Some(referenced) = &constraint.references else {
                    continue;
                };
                let kept = new.constraints.get(name).is_some_and(|target| {
                    target.kind == constraint.kind
                        && sql::base_definition(&target.definition)
                            == sql::base_definition(&constraint.definition)
                });
                let id = (Child::Constraint, key.clone(), name.clone());
                // The foreign key needs the dropped key when it references its columns (or
                // when either column list is unknown).
                let columns = sql::referenced_columns(&constraint.definition);
                let needs_dropped_key = rekeyed.get(referenced).is_some_and(|keys| {
                    keys.iter().any(|key_columns| {
                        key_columns.is_none() || columns.is_none() || *key_columns == columns
                    })
                });
                if kept && needs_dropped_key && !forced.contains_key(&id) {
                    let why = if self.dropped_tables.contains(referenced) {
                        format!("references {referenced}, which is re-created")
                    } else {
                        format!("references {referenced}, whose key is re-created")
                    };
                    forced.insert(id, why);
                }
            }
        }
        self.forced = forced;
        self.released_defaults = released;
    }

    pub(super) fn forced(&self, child: Child, table: &str, name: &str) -> Option<&String> {
        self.forced.get(&(child, table.to_owned(), name.to_owned()))
    }

    /// Whether a sequence's owning column (`schema.table.column`) goes away in the drops, taking
    /// an owned sequence with it.
    pub(super) fn owner_dropped(&self, owned_by: &str) -> bool {
        let Some((table, column)) = sql::split_last(owned_by) else {
            return false;
        };
        self.dropped_tables.contains(table)
            || self
                .dropped_columns
                .get(table)
                .is_some_and(|cols| cols.contains_key(&sql::base_name(column)))
    }

    /// Whether a sequence, enum or domain of `from` that `to` no longer has must be dropped early
    /// because an object `to` creates takes its name (relations share one namespace, and tables
    /// and views also make a type of their name).
    /// The phase that drops `key`: `usual`, or early when a created object takes its name.
    pub(super) fn drop_phase(&self, key: &str, usual: Phase) -> Phase {
        if self.name_reused(key) {
            Phase::DropReusedNames
        } else {
            usual
        }
    }

    pub(super) fn name_reused(&self, key: &str) -> bool {
        let created = |exists_before: bool, exists_after: bool| exists_after && !exists_before;
        created(
            self.from.tables.contains_key(key),
            self.to.tables.contains_key(key),
        ) || created(
            self.from.views.contains_key(key),
            self.to.views.contains_key(key),
        ) || created(
            self.from.sequences.contains_key(key),
            self.to.sequences.contains_key(key),
        ) || created(
            self.from.enums.contains_key(key),
            self.to.enums.contains_key(key),
        ) || created(
            self.from.domains.contains_key(key),
            self.to.domains.contains_key(key),
        )
    }

    /// A table's rank among creates: parents before partitions.
    pub(super) fn create_rank(&self, table: &str) -> usize {
        self.depth_to.get(table).copied().unwrap_or(0)
    }

    /// A table's rank among drops: partitions before parents, and a dropped table before the
    /// tables it references.
    pub(super) fn drop_rank(&self, table: &str) -> usize {
        match self.table_drop_order.get(table) {
            Some(&rank) => rank,
            None => usize::MAX - self.depth_from.get(table).copied().unwrap_or(0),
        }
    }
}

/// How deep each table is in its partition tree (0: not a partition). A cycle, which a real
/// catalog cannot have, stops at the number of tables.
fn depths(model: &SchemaModel) -> BTreeMap<String, usize> {
    model
        .tables
        .iter()
        .map(|(key, table)| {
            let mut depth = 0;
            let mut current = table;
            while let Some(parent) = current
                .partition_of
                .as_ref()
                .and_then(|of| model.tables.get(&of.parent))
            {
                depth += 1;
                current = parent;
                if depth > model.tables.len() {
                    break;
                }
            }
            (key.clone(), depth)
        })
        .collect()
}

fn table_kind_name(table: &Table) -> &'static str {
    match table.kind {
        TableKind::Ordinary => "ordinary table",
        TableKind::Partitioned => "partitioned table",
    }
}

/// Whether a column's generation expression changes in a way only a drop and re-add makes: to
/// a (different) expression. (Dropping the expression is `ALTER COLUMN … DROP EXPRESSION`.)
pub(super) fn regenerated(old: &Column, new: &Column) -> bool {
    new.generated.is_some()
        && (old.generated != new.generated || old.generated_virtual != new.generated_virtual)
}

/// Whether `part`'s items appear in `whole` in the same order.
fn is_subsequence(part: &[String], whole: &[String]) -> bool {
    let mut rest = whole.iter();
    part.iter().all(|item| rest.any(|w| w == item))
}

/// Whether a column type (`format_type`) is the type `key` or an array of it.
fn uses_type(data_type: &str, key: &str) -> bool {
    let mut base = data_type.trim();
    while let Some(stripped) = base.strip_suffix("[]") {
        base = stripped.trim_end();
    }
    base == key
}
