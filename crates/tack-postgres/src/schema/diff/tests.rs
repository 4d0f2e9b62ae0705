//! Unit tests of the schema diff: models built by hand, the exact SQL and its order checked.
//! (Definitions are written the way PostgreSQL's deparsers print them, with an empty
//! `search_path`, as introspection reads them.)

use super::sql;
use super::*;
use crate::schema::model::{
    Column, Constraint, ConstraintKind, Domain, DomainCheck, EnumType, Extension, Function,
    FunctionKind, Identity, Index, Namespace, PartitionOf, SchemaModel, Sequence, Table, TableKind,
    Trigger, View,
};
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Model builders.

fn col(name: &str, data_type: &str) -> Column {
    Column {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        default: None,
        not_null: false,
        identity: None,
        generated: None,
        generated_virtual: false,
        collation: None,
        comment: None,
    }
}

fn not_null(column: Column) -> Column {
    Column {
        not_null: true,
        ..column
    }
}

fn with_default(column: Column, default: &str) -> Column {
    Column {
        default: Some(default.to_owned()),
        ..column
    }
}

fn table(columns: Vec<Column>) -> Table {
    Table {
        kind: TableKind::Ordinary,
        unlogged: false,
        columns,
        constraints: BTreeMap::new(),
        indexes: BTreeMap::new(),
        triggers: BTreeMap::new(),
        partition_key: None,
        partition_of: None,
        comment: None,
    }
}

fn partitioned(columns: Vec<Column>, key: &str) -> Table {
    Table {
        kind: TableKind::Partitioned,
        partition_key: Some(key.to_owned()),
        ..table(columns)
    }
}

fn partition_of(parent: &Table, parent_key: &str, bound: &str) -> Table {
    Table {
        partition_of: Some(PartitionOf {
            parent: parent_key.to_owned(),
            bound: bound.to_owned(),
        }),
        ..table(parent.columns.clone())
    }
}

fn constraint(kind: ConstraintKind, definition: &str) -> Constraint {
    Constraint {
        kind,
        definition: definition.to_owned(),
        valid: true,
        references: None,
        comment: None,
    }
}

fn pk(definition: &str) -> Constraint {
    constraint(ConstraintKind::PrimaryKey, definition)
}

fn check(definition: &str) -> Constraint {
    constraint(ConstraintKind::Check, definition)
}

fn fk(definition: &str, references: &str) -> Constraint {
    Constraint {
        references: Some(references.to_owned()),
        ..constraint(ConstraintKind::ForeignKey, definition)
    }
}

fn index(definition: &str) -> Index {
    Index {
        definition: definition.to_owned(),
        unique: definition.starts_with("CREATE UNIQUE"),
        method: "btree".to_owned(),
        predicate: None,
        valid: true,
        constraint: None,
        comment: None,
    }
}

/// The index PostgreSQL creates for a PRIMARY KEY or UNIQUE constraint.
fn backing(definition: &str, constraint: &str) -> Index {
    Index {
        constraint: Some(constraint.to_owned()),
        ..index(definition)
    }
}

fn trigger(definition: &str) -> Trigger {
    Trigger {
        definition: definition.to_owned(),
        enabled: "O".to_owned(),
        comment: None,
    }
}

fn view(definition: &str, columns: &[(&str, &str)], depends_on: &[&str]) -> View {
    View {
        materialized: false,
        definition: definition.to_owned(),
        columns: columns
            .iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect(),
        depends_on: depends_on.iter().map(|d| (*d).to_owned()).collect(),
        indexes: BTreeMap::new(),
        comment: None,
    }
}

fn function(definition: &str, result: &str) -> Function {
    Function {
        kind: FunctionKind::Function,
        definition: definition.to_owned(),
        result: Some(result.to_owned()),
        comment: None,
    }
}

fn sequence(data_type: &str) -> Sequence {
    Sequence {
        data_type: data_type.to_owned(),
        start: 1,
        increment: 1,
        min_value: 1,
        max_value: 2_147_483_647,
        cache: 1,
        cycle: false,
        owned_by: None,
        comment: None,
    }
}

fn enum_type(labels: &[&str]) -> EnumType {
    EnumType {
        labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        comment: None,
    }
}

fn domain(base_type: &str) -> Domain {
    Domain {
        base_type: base_type.to_owned(),
        not_null: false,
        default: None,
        collation: None,
        checks: BTreeMap::new(),
        comment: None,
    }
}

fn plpgsql(name: &str, result: &str, body: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {name}\n RETURNS {result}\n LANGUAGE plpgsql\nAS $function${body}$function$\n"
    )
}

fn sql_function(name: &str, result: &str, body: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION {name}\n RETURNS {result}\n LANGUAGE sql\nAS $function${body}$function$\n"
    )
}

/// `public.customers (id PK, email UNIQUE)` and `public.orders (id PK, customer_id FK, note)`.
fn shop() -> SchemaModel {
    let mut m = SchemaModel::default();
    m.schemas.insert("public".into(), Namespace::default());
    let mut customers = table(vec![
        not_null(col("id", "integer")),
        not_null(col("email", "text")),
    ]);
    customers
        .constraints
        .insert("customers_pkey".into(), pk("PRIMARY KEY (id)"));
    customers.indexes.insert(
        "customers_pkey".into(),
        backing(
            "CREATE UNIQUE INDEX customers_pkey ON public.customers USING btree (id)",
            "customers_pkey",
        ),
    );
    let mut orders = table(vec![
        not_null(col("id", "bigint")),
        col("customer_id", "integer"),
        col("note", "text"),
    ]);
    orders
        .constraints
        .insert("orders_pkey".into(), pk("PRIMARY KEY (id)"));
    orders.indexes.insert(
        "orders_pkey".into(),
        backing(
            "CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)",
            "orders_pkey",
        ),
    );
    orders.constraints.insert(
        "orders_customer_id_fkey".into(),
        fk(
            "FOREIGN KEY (customer_id) REFERENCES public.customers(id)",
            "public.customers",
        ),
    );
    m.tables.insert("public.customers".into(), customers);
    m.tables.insert("public.orders".into(), orders);
    m
}

/// Every kind of object, for the identity and determinism checks.
fn everything() -> SchemaModel {
    let mut m = shop();
    m.schemas.insert(
        "\"Billing\"".into(),
        Namespace {
            comment: Some("bills".into()),
        },
    );
    m.extensions.insert(
        "citext".into(),
        Extension {
            schema: "public".into(),
            version: "1.6".into(),
        },
    );
    m.enums
        .insert("public.mood".into(), enum_type(&["happy", "sad"]));
    let mut pos = domain("integer");
    pos.checks.insert(
        "pos_check".into(),
        DomainCheck {
            definition: "CHECK ((VALUE > 0))".into(),
            valid: true,
        },
    );
    m.domains.insert("public.pos".into(), pos);
    m.sequences
        .insert("public.counter".into(), sequence("bigint"));
    m.functions.insert(
        "public.touch()".into(),
        function(
            &plpgsql("public.touch()", "trigger", "BEGIN RETURN NEW; END"),
            "trigger",
        ),
    );
    if let Some(orders) = m.tables.get_mut("public.orders") {
        orders.triggers.insert(
            "orders_touch".into(),
            trigger("CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"),
        );
        orders.indexes.insert(
            "orders_note_idx".into(),
            index("CREATE INDEX orders_note_idx ON public.orders USING btree (note)"),
        );
    }
    m.views.insert(
        "public.notes".into(),
        view(
            " SELECT orders.id,\n    orders.note\n   FROM public.orders;",
            &[("id", "bigint"), ("note", "text")],
            &[],
        ),
    );
    let events = partitioned(
        vec![not_null(col("at", "date")), col("kind", "text")],
        "RANGE (at)",
    );
    let events_2024 = partition_of(
        &events,
        "public.events",
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    );
    m.tables.insert("public.events".into(), events);
    m.tables.insert("public.events_2024".into(), events_2024);
    m
}

// ---------------------------------------------------------------------------------------------
// Reading the output.

fn all_sql(diffs: &[Difference]) -> Vec<String> {
    diffs.iter().flat_map(|d| d.sql.iter().cloned()).collect()
}

/// The index of the first statement that starts with `prefix` (followed by a space, a newline,
/// or nothing: `public.t` is no prefix of `public.t_2024 …`); fails the test when none does.
fn at(statements: &[String], prefix: &str) -> usize {
    statements
        .iter()
        .position(|s| {
            s.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\n', ';']))
        })
        .unwrap_or_else(|| panic!("no statement starts with {prefix:?} in {statements:#?}"))
}

fn find<'d>(diffs: &'d [Difference], object: &str) -> &'d Difference {
    diffs
        .iter()
        .find(|d| d.object == object)
        .unwrap_or_else(|| panic!("no difference for {object} in {diffs:#?}"))
}

fn find_all<'d>(diffs: &'d [Difference], object: &str) -> Vec<&'d Difference> {
    diffs.iter().filter(|d| d.object == object).collect()
}

// ---------------------------------------------------------------------------------------------
// Identity, determinism.

#[test]
fn identical_models_give_no_differences() {
    assert!(diff(&SchemaModel::default(), &SchemaModel::default()).is_empty());
    let m = everything();
    assert_eq!(diff(&m, &m), Vec::new());
}

#[test]
fn output_is_deterministic_and_reversible_in_shape() {
    let empty = SchemaModel::default();
    let m = everything();
    let up = diff(&empty, &m);
    assert_eq!(up, diff(&empty, &m));
    assert!(up.iter().all(|d| d.diff == DiffKind::Missing));
    let down = diff(&m, &empty);
    assert!(down.iter().all(|d| d.diff == DiffKind::Extra));
    // Each table, view, function... appears once each way.
    assert_eq!(find_all(&up, "public.orders").len(), 1);
    assert_eq!(find_all(&down, "public.orders").len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Schemas, extensions, comments.

#[test]
fn schemas_are_created_first_and_dropped_last() {
    let from = SchemaModel::default();
    let mut to = SchemaModel::default();
    to.schemas.insert(
        "app".into(),
        Namespace {
            comment: Some("the app's".into()),
        },
    );
    to.tables
        .insert("app.t".into(), table(vec![col("id", "integer")]));
    let up = diff(&from, &to);
    assert_eq!(
        up[0].sql,
        vec![
            "CREATE SCHEMA app".to_owned(),
            "COMMENT ON SCHEMA app IS 'the app''s'".to_owned()
        ]
    );
    assert_eq!(up[0].kind, ObjectKind::Schema);
    assert_eq!(up[1].sql, vec!["CREATE TABLE app.t (\n    id integer\n)"]);
    let down = diff(&to, &from);
    assert_eq!(all_sql(&down), vec!["DROP TABLE app.t", "DROP SCHEMA app"]);
    assert_eq!(down[0].diff, DiffKind::Extra);
}

#[test]
fn comments_are_quoted_and_cleared() {
    let mut from = shop();
    let mut to = shop();
    from.schemas.get_mut("public").unwrap().comment = Some("old".into());
    to.tables.get_mut("public.orders").unwrap().comment = Some("O'Brien's \"orders\"".into());
    to.tables.get_mut("public.orders").unwrap().columns[2].comment = Some("a\\b".into());
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "COMMENT ON SCHEMA public IS NULL",
            "COMMENT ON COLUMN public.orders.note IS 'a\\b'",
            "COMMENT ON TABLE public.orders IS 'O''Brien''s \"orders\"'",
        ]
    );
    assert!(d.iter().all(|x| x.kind == ObjectKind::Comment));
    assert_eq!(find(&d, "public").detail, "comment: 'old' → none");
    assert_eq!(
        find(&d, "public.orders.note").detail,
        "comment: none → 'a\\b'"
    );
}

#[test]
fn comments_on_every_kind_of_object() {
    let from = everything();
    let mut to = everything();
    to.enums.get_mut("public.mood").unwrap().comment = Some("m".into());
    to.domains.get_mut("public.pos").unwrap().comment = Some("d".into());
    to.sequences.get_mut("public.counter").unwrap().comment = Some("s".into());
    to.functions.get_mut("public.touch()").unwrap().comment = Some("f".into());
    to.views.get_mut("public.notes").unwrap().comment = Some("v".into());
    let orders = to.tables.get_mut("public.orders").unwrap();
    orders.constraints.get_mut("orders_pkey").unwrap().comment = Some("c".into());
    orders.indexes.get_mut("orders_pkey").unwrap().comment = Some("backing".into());
    orders.indexes.get_mut("orders_note_idx").unwrap().comment = Some("i".into());
    orders.triggers.get_mut("orders_touch").unwrap().comment = Some("t".into());
    let mut statements = all_sql(&diff(&from, &to));
    statements.sort();
    assert_eq!(
        statements,
        vec![
            "COMMENT ON CONSTRAINT orders_pkey ON public.orders IS 'c'",
            "COMMENT ON DOMAIN public.pos IS 'd'",
            "COMMENT ON FUNCTION public.touch() IS 'f'",
            "COMMENT ON INDEX public.orders_note_idx IS 'i'",
            "COMMENT ON INDEX public.orders_pkey IS 'backing'",
            "COMMENT ON SEQUENCE public.counter IS 's'",
            "COMMENT ON TRIGGER orders_touch ON public.orders IS 't'",
            "COMMENT ON TYPE public.mood IS 'm'",
            "COMMENT ON VIEW public.notes IS 'v'",
        ]
    );
}

#[test]
fn extensions_are_created_updated_moved_and_dropped() {
    let mut from = SchemaModel::default();
    let mut to = SchemaModel::default();
    let ext = |schema: &str, version: &str| Extension {
        schema: schema.into(),
        version: version.into(),
    };
    from.extensions
        .insert("citext".into(), ext("public", "1.5"));
    from.extensions
        .insert("hstore".into(), ext("public", "1.8"));
    to.extensions
        .insert("citext".into(), ext("extensions", "1.6"));
    to.extensions.insert("pg_trgm".into(), ext("public", "1.6"));
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "ALTER EXTENSION citext SET SCHEMA extensions",
            "ALTER EXTENSION citext UPDATE TO '1.6'",
            "CREATE EXTENSION pg_trgm WITH SCHEMA public VERSION '1.6'",
            "DROP EXTENSION hstore",
        ]
    );
    assert_eq!(
        find(&d, "citext").detail,
        "schema: public → extensions\nversion: 1.5 → 1.6"
    );
}

// ---------------------------------------------------------------------------------------------
// Enums, domains, sequences.

#[test]
fn enum_labels_added_keep_their_places() {
    let mut from = SchemaModel::default();
    let mut to = SchemaModel::default();
    from.enums
        .insert("public.mood".into(), enum_type(&["happy", "sad"]));
    to.enums.insert(
        "public.mood".into(),
        enum_type(&["meh", "so-so", "happy", "it's ok", "sad", "glad"]),
    );
    let d = diff(&from, &to);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].sql,
        vec![
            "ALTER TYPE public.mood ADD VALUE 'so-so' BEFORE 'happy'",
            "ALTER TYPE public.mood ADD VALUE 'meh' BEFORE 'so-so'",
            "ALTER TYPE public.mood ADD VALUE 'it''s ok' AFTER 'happy'",
            "ALTER TYPE public.mood ADD VALUE 'glad' AFTER 'sad'",
        ]
    );
    assert_eq!(
        d[0].detail,
        "labels: 'happy', 'sad' → 'meh', 'so-so', 'happy', 'it''s ok', 'sad', 'glad'"
    );
}

#[test]
fn enum_created_and_dropped() {
    let from = SchemaModel::default();
    let mut to = SchemaModel::default();
    to.enums.insert(
        "\"Billing\".\"Kind\"".into(),
        EnumType {
            labels: vec!["a'b".into(), "c".into()],
            comment: Some("k".into()),
        },
    );
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "CREATE TYPE \"Billing\".\"Kind\" AS ENUM ('a''b', 'c')",
            "COMMENT ON TYPE \"Billing\".\"Kind\" IS 'k'",
        ]
    );
    assert_eq!(
        all_sql(&diff(&to, &from)),
        vec!["DROP TYPE \"Billing\".\"Kind\""]
    );
}

#[test]
fn enum_with_labels_removed_is_replaced_and_its_columns_converted() {
    let mut from = SchemaModel::default();
    from.enums
        .insert("public.status".into(), enum_type(&["new", "paid", "void"]));
    from.tables.insert(
        "public.orders".into(),
        table(vec![
            with_default(col("status", "public.status"), "'new'::public.status"),
            col("history", "public.status[]"),
            col("other", "text"),
        ]),
    );
    let mut to = from.clone();
    to.enums
        .insert("public.status".into(), enum_type(&["new", "void"]));
    let d = diff(&from, &to);
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].sql,
        vec![
            "ALTER TYPE public.status RENAME TO status__tack_old",
            "CREATE TYPE public.status AS ENUM ('new', 'void')",
            "ALTER TABLE public.orders ALTER COLUMN status DROP DEFAULT",
            "ALTER TABLE public.orders ALTER COLUMN status TYPE public.status USING status::text::public.status",
            "ALTER TABLE public.orders ALTER COLUMN status SET DEFAULT 'new'::public.status",
            "ALTER TABLE public.orders ALTER COLUMN history TYPE public.status[] USING history::text[]::public.status[]",
            "DROP TYPE public.status__tack_old",
        ]
    );
    assert!(d[0].detail.contains("removed or reordered"));
    assert!(d[0]
        .detail
        .contains("public.orders.status, public.orders.history"));
}

#[test]
fn enum_reordered_without_users_is_dropped_and_created() {
    let mut from = SchemaModel::default();
    from.enums.insert("public.e".into(), enum_type(&["a", "b"]));
    let mut to = SchemaModel::default();
    to.enums.insert("public.e".into(), enum_type(&["b", "a"]));
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "DROP TYPE public.e",
            "CREATE TYPE public.e AS ENUM ('b', 'a')"
        ]
    );
}

#[test]
fn view_reading_a_converted_enum_column_is_recreated_around_it() {
    let mut from = SchemaModel::default();
    from.enums.insert("public.e".into(), enum_type(&["a", "b"]));
    from.tables
        .insert("public.t".into(), table(vec![col("k", "public.e")]));
    from.views.insert(
        "public.tv".into(),
        view(" SELECT t.k\n   FROM public.t;", &[("k", "public.e")], &[]),
    );
    let mut to = from.clone();
    to.enums.insert("public.e".into(), enum_type(&["b"]));
    let statements = all_sql(&diff(&from, &to));
    assert!(at(&statements, "DROP VIEW public.tv") < at(&statements, "ALTER TYPE public.e RENAME"));
    assert!(
        at(&statements, "DROP TYPE public.e__tack_old") < at(&statements, "CREATE VIEW public.tv")
    );
}

#[test]
fn domain_created_with_everything() {
    let from = SchemaModel::default();
    let mut to = SchemaModel::default();
    let mut d = domain("character varying(20)");
    d.collation = Some("pg_catalog.\"C\"".into());
    d.default = Some("'x'::character varying".into());
    d.not_null = true;
    d.checks.insert(
        "code_check".into(),
        DomainCheck {
            definition: "CHECK (((VALUE)::text <> ''::text))".into(),
            valid: true,
        },
    );
    d.checks.insert(
        "code_short".into(),
        DomainCheck {
            definition: "CHECK ((length((VALUE)::text) < 10)) NOT VALID".into(),
            valid: false,
        },
    );
    d.comment = Some("codes".into());
    to.domains.insert("public.code".into(), d);
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "CREATE DOMAIN public.code AS character varying(20) COLLATE pg_catalog.\"C\" DEFAULT 'x'::character varying NOT NULL CONSTRAINT code_check CHECK (((VALUE)::text <> ''::text))",
            "ALTER DOMAIN public.code ADD CONSTRAINT code_short CHECK ((length((VALUE)::text) < 10)) NOT VALID",
            "COMMENT ON DOMAIN public.code IS 'codes'",
        ]
    );
    assert_eq!(all_sql(&diff(&to, &from)), vec!["DROP DOMAIN public.code"]);
}

#[test]
fn domain_altered_in_place() {
    let mut from = SchemaModel::default();
    let mut d = domain("integer");
    d.default = Some("1".into());
    d.checks.insert(
        "pos_check".into(),
        DomainCheck {
            definition: "CHECK ((VALUE > 0))".into(),
            valid: true,
        },
    );
    d.checks.insert(
        "pos_small".into(),
        DomainCheck {
            definition: "CHECK ((VALUE < 100)) NOT VALID".into(),
            valid: false,
        },
    );
    d.checks.insert(
        "pos_gone".into(),
        DomainCheck {
            definition: "CHECK ((VALUE <> 7))".into(),
            valid: true,
        },
    );
    from.domains.insert("public.pos".into(), d.clone());
    let mut to = SchemaModel::default();
    d.default = None;
    d.not_null = true;
    d.checks.remove("pos_gone");
    d.checks.insert(
        "pos_check".into(),
        DomainCheck {
            definition: "CHECK ((VALUE >= 1))".into(),
            valid: true,
        },
    );
    d.checks.insert(
        "pos_small".into(),
        DomainCheck {
            definition: "CHECK ((VALUE < 100))".into(),
            valid: true,
        },
    );
    d.checks.insert(
        "pos_new".into(),
        DomainCheck {
            definition: "CHECK ((VALUE <> 13))".into(),
            valid: true,
        },
    );
    to.domains.insert("public.pos".into(), d);
    let diffs = diff(&from, &to);
    assert_eq!(diffs.len(), 1);
    assert_eq!(
        diffs[0].sql,
        vec![
            "ALTER DOMAIN public.pos DROP DEFAULT",
            "ALTER DOMAIN public.pos SET NOT NULL",
            "ALTER DOMAIN public.pos DROP CONSTRAINT pos_check",
            "ALTER DOMAIN public.pos DROP CONSTRAINT pos_gone",
            "ALTER DOMAIN public.pos ADD CONSTRAINT pos_check CHECK ((VALUE >= 1))",
            "ALTER DOMAIN public.pos VALIDATE CONSTRAINT pos_small",
            "ALTER DOMAIN public.pos ADD CONSTRAINT pos_new CHECK ((VALUE <> 13))",
        ]
    );
    assert!(diffs[0].detail.contains("default: 1 → none"));
    assert!(diffs[0]
        .detail
        .contains("check pos_small: not validated → validated"));
}

#[test]
fn domain_base_type_change_drops_and_creates() {
    let mut from = SchemaModel::default();
    from.domains
        .insert("public.code".into(), domain("character varying(5)"));
    let mut to = SchemaModel::default();
    to.domains
        .insert("public.code".into(), domain("character varying(8)"));
    let d = diff(&from, &to);
    assert_eq!(
        d[0].sql,
        vec![
            "DROP DOMAIN public.code",
            "CREATE DOMAIN public.code AS character varying(8)"
        ]
    );
    assert!(d[0]
        .detail
        .starts_with("base type: character varying(5) → character varying(8)\n"));
    assert!(d[0]
        .detail
        .contains("fails while columns or other objects use it"));
}

#[test]
fn sequence_created_with_all_parameters_and_owned_after_its_table() {
    let from = SchemaModel::default();
    let mut to = SchemaModel::default();
    to.sequences.insert(
        "public.t_id_seq".into(),
        Sequence {
            owned_by: Some("public.t.id".into()),
            ..sequence("integer")
        },
    );
    to.sequences.insert(
        "public.down".into(),
        Sequence {
            start: -1,
            increment: -1,
            min_value: -100,
            max_value: -1,
            cache: 5,
            cycle: true,
            ..sequence("integer")
        },
    );
    to.tables.insert(
        "public.t".into(),
        table(vec![not_null(with_default(
            col("id", "integer"),
            "nextval('public.t_id_seq'::regclass)",
        ))]),
    );
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "CREATE SEQUENCE public.down AS integer INCREMENT BY -1 MINVALUE -100 MAXVALUE -1 START WITH -1 CACHE 5 CYCLE",
            "CREATE SEQUENCE public.t_id_seq AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE",
            "CREATE TABLE public.t (\n    id integer DEFAULT nextval('public.t_id_seq'::regclass) NOT NULL\n)",
            "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id",
        ]
    );
    // Dropped: the table first, which takes the owned sequence with it.
    assert_eq!(
        all_sql(&diff(&to, &from)),
        vec![
            "DROP TABLE public.t",
            "DROP SEQUENCE public.down",
            "DROP SEQUENCE IF EXISTS public.t_id_seq",
        ]
    );
}

#[test]
fn sequence_parameters_altered() {
    let mut from = SchemaModel::default();
    from.sequences
        .insert("public.s".into(), sequence("integer"));
    let mut to = SchemaModel::default();
    to.sequences.insert(
        "public.s".into(),
        Sequence {
            increment: 2,
            max_value: 1000,
            cycle: true,
            ..sequence("bigint")
        },
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec!["ALTER SEQUENCE public.s AS bigint INCREMENT BY 2 MAXVALUE 1000 CYCLE"]
    );
    assert_eq!(
        d[0].detail,
        "type: integer → bigint\nincrement: 1 → 2\nmax value: 2147483647 → 1000\ncycle: no → yes"
    );
}

#[test]
fn sequence_kept_while_its_owning_column_goes_is_released_first() {
    let mut from = SchemaModel::default();
    from.tables.insert(
        "public.t".into(),
        table(vec![col("id", "integer"), col("n", "integer")]),
    );
    from.sequences.insert(
        "public.s".into(),
        Sequence {
            owned_by: Some("public.t.n".into()),
            ..sequence("integer")
        },
    );
    let mut to = from.clone();
    to.tables.get_mut("public.t").unwrap().columns.pop();
    to.sequences.get_mut("public.s").unwrap().owned_by = Some("public.t.id".into());
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            "ALTER SEQUENCE public.s OWNED BY NONE",
            "ALTER TABLE public.t DROP COLUMN n",
            "ALTER SEQUENCE public.s OWNED BY public.t.id",
        ]
    );
}

#[test]
fn object_whose_name_a_new_relation_takes_is_dropped_early() {
    let mut from = SchemaModel::default();
    from.sequences
        .insert("public.thing".into(), sequence("integer"));
    from.enums.insert("public.kind".into(), enum_type(&["a"]));
    let mut to = SchemaModel::default();
    to.tables
        .insert("public.thing".into(), table(vec![col("id", "integer")]));
    to.domains.insert("public.kind".into(), domain("text"));
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            "DROP TYPE public.kind",
            "DROP SEQUENCE public.thing",
            "CREATE DOMAIN public.kind AS text",
            "CREATE TABLE public.thing (\n    id integer\n)",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Tables and columns.

#[test]
fn table_created_with_every_column_feature() {
    let from = SchemaModel::default();
    let mut to = SchemaModel::default();
    let mut t = table(vec![
        Column {
            identity: Some(Identity::Always),
            ..not_null(col("id", "bigint"))
        },
        Column {
            collation: Some("pg_catalog.\"C\"".into()),
            ..with_default(col("Code Name", "text"), "'x'::text")
        },
        Column {
            generated: Some("(id * 2)".into()),
            generated_virtual: false,
            ..col("twice", "bigint")
        },
        Column {
            identity: Some(Identity::ByDefault),
            ..not_null(col("seq", "integer"))
        },
    ]);
    t.unlogged = true;
    t.comment = Some("stuff".into());
    t.columns[1].comment = Some("the code".into());
    to.tables.insert("public.stuff".into(), t);
    let d = diff(&from, &to);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, ObjectKind::Table);
    assert_eq!(d[0].diff, DiffKind::Missing);
    assert_eq!(
        d[0].sql,
        vec![
            "CREATE UNLOGGED TABLE public.stuff (\n    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n    \"Code Name\" text COLLATE pg_catalog.\"C\" DEFAULT 'x'::text,\n    twice bigint GENERATED ALWAYS AS ((id * 2)) STORED,\n    seq integer GENERATED BY DEFAULT AS IDENTITY NOT NULL\n)",
            "COMMENT ON TABLE public.stuff IS 'stuff'",
            "COMMENT ON COLUMN public.stuff.\"Code Name\" IS 'the code'",
        ]
    );
}

#[test]
fn columns_added_and_dropped() {
    let from = shop();
    let mut to = shop();
    let orders = to.tables.get_mut("public.orders").unwrap();
    orders.columns.retain(|c| c.name != "note");
    orders
        .columns
        .push(not_null(with_default(col("qty", "integer"), "1")));
    orders.columns.push(Column {
        comment: Some("big".into()),
        ..col("select", "text")
    });
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "ALTER TABLE public.orders DROP COLUMN note",
            "ALTER TABLE public.orders ADD COLUMN qty integer DEFAULT 1 NOT NULL",
            "ALTER TABLE public.orders ADD COLUMN \"select\" text",
            "COMMENT ON COLUMN public.orders.\"select\" IS 'big'",
        ]
    );
    let dropped = find(&d, "public.orders.note");
    assert_eq!(dropped.kind, ObjectKind::Column);
    assert_eq!(dropped.diff, DiffKind::Extra);
    assert_eq!(
        find(&d, "public.orders.qty").detail,
        "to add: qty integer DEFAULT 1 NOT NULL"
    );
}

#[test]
fn column_type_collation_default_and_not_null_changes() {
    let mut from = SchemaModel::default();
    from.tables.insert(
        "public.t".into(),
        table(vec![
            with_default(col("a", "integer"), "0"),
            Column {
                collation: Some("pg_catalog.\"C\"".into()),
                ..col("b", "character varying(20)")
            },
            with_default(col("c", "text"), "'x'::text"),
            not_null(col("d", "integer")),
        ]),
    );
    let mut to = SchemaModel::default();
    to.tables.insert(
        "public.t".into(),
        table(vec![
            with_default(col("a", "bigint"), "0"),
            col("b", "text"),
            not_null(with_default(col("c", "integer"), "1")),
            col("d", "integer"),
        ]),
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "ALTER TABLE public.t ALTER COLUMN a TYPE bigint USING a::bigint",
            "ALTER TABLE public.t ALTER COLUMN b TYPE text USING b::text",
            // The old default may not cast to the new type: dropped first.
            "ALTER TABLE public.t ALTER COLUMN c DROP DEFAULT",
            "ALTER TABLE public.t ALTER COLUMN c TYPE integer USING c::integer",
            "ALTER TABLE public.t ALTER COLUMN c SET DEFAULT 1",
            "ALTER TABLE public.t ALTER COLUMN c SET NOT NULL",
            "ALTER TABLE public.t ALTER COLUMN d DROP NOT NULL",
        ]
    );
    assert_eq!(find(&d, "public.t.a").detail, "type: integer → bigint");
    assert_eq!(
        find(&d, "public.t.b").detail,
        "type: character varying(20) → text\ncollation: pg_catalog.\"C\" → default"
    );
    assert_eq!(
        find(&d, "public.t.c").detail,
        "type: text → integer\ndefault: 'x'::text → 1\nnot null: no → yes"
    );
}

#[test]
fn collation_set_without_type_change() {
    let mut from = SchemaModel::default();
    from.tables
        .insert("public.t".into(), table(vec![col("s", "text")]));
    let mut to = SchemaModel::default();
    to.tables.insert(
        "public.t".into(),
        table(vec![Column {
            collation: Some("pg_catalog.\"C\"".into()),
            ..col("s", "text")
        }]),
    );
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "ALTER TABLE public.t ALTER COLUMN s TYPE text COLLATE pg_catalog.\"C\" USING s::text"
        ]
    );
}

#[test]
fn identity_added_dropped_and_switched() {
    let mut from = SchemaModel::default();
    from.tables.insert(
        "public.t".into(),
        table(vec![
            with_default(col("a", "integer"), "nextval('public.t_a_seq'::regclass)"),
            Column {
                identity: Some(Identity::Always),
                ..not_null(col("b", "integer"))
            },
            Column {
                identity: Some(Identity::Always),
                ..not_null(col("c", "integer"))
            },
        ]),
    );
    from.sequences.insert(
        "public.t_a_seq".into(),
        Sequence {
            owned_by: Some("public.t.a".into()),
            ..sequence("integer")
        },
    );
    let mut to = SchemaModel::default();
    to.tables.insert(
        "public.t".into(),
        table(vec![
            Column {
                identity: Some(Identity::ByDefault),
                ..not_null(col("a", "integer"))
            },
            col("b", "integer"),
            Column {
                identity: Some(Identity::ByDefault),
                ..not_null(col("c", "integer"))
            },
        ]),
    );
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            // With the drops: the identity's hidden sequence frees its name.
            "ALTER TABLE public.t ALTER COLUMN b DROP IDENTITY",
            "ALTER TABLE public.t ALTER COLUMN a DROP DEFAULT",
            "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL",
            "ALTER TABLE public.t ALTER COLUMN a ADD GENERATED BY DEFAULT AS IDENTITY",
            "ALTER TABLE public.t ALTER COLUMN b DROP NOT NULL",
            "ALTER TABLE public.t ALTER COLUMN c SET GENERATED BY DEFAULT",
            // The serial's sequence goes once the default no longer uses it.
            "DROP SEQUENCE public.t_a_seq",
        ]
    );
}

#[test]
fn generated_column_changes() {
    let mut from = SchemaModel::default();
    let mut t = table(vec![
        col("a", "integer"),
        Column {
            generated: Some("(a * 2)".into()),
            generated_virtual: false,
            ..col("g", "integer")
        },
        Column {
            generated: Some("(a * 3)".into()),
            generated_virtual: false,
            ..col("h", "integer")
        },
        col("plain", "integer"),
    ]);
    t.indexes.insert(
        "t_g_idx".into(),
        index("CREATE INDEX t_g_idx ON public.t USING btree (g)"),
    );
    from.tables.insert("public.t".into(), t.clone());
    let mut to = SchemaModel::default();
    t.columns[1].generated = Some("(a * 4)".into());
    t.columns[2].generated = None;
    t.columns[3].generated = Some("(a + 1)".into());
    to.tables.insert("public.t".into(), t);
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            // The index goes with the column, so it is dropped explicitly and built again.
            "DROP INDEX public.t_g_idx",
            "ALTER TABLE public.t DROP COLUMN g",
            "ALTER TABLE public.t DROP COLUMN plain",
            "ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS ((a * 4)) STORED",
            "ALTER TABLE public.t ALTER COLUMN h DROP EXPRESSION",
            "ALTER TABLE public.t ADD COLUMN plain integer GENERATED ALWAYS AS ((a + 1)) STORED",
            "CREATE INDEX t_g_idx ON public.t USING btree (g)",
        ]
    );
    assert_eq!(find_all(&d, "public.t.g").len(), 2);
    assert!(find(&d, "public.t.t_g_idx")
        .detail
        .starts_with("uses column g, which is dropped and added again"));
    // No USING on a generated column (PostgreSQL refuses it).
    let mut retyped = to.clone();
    retyped.tables.get_mut("public.t").unwrap().columns[1].data_type = "bigint".into();
    assert_eq!(
        all_sql(&diff(&to, &retyped)),
        vec!["ALTER TABLE public.t ALTER COLUMN g TYPE bigint"]
    );
}

#[test]
fn persistence_change() {
    let mut from = SchemaModel::default();
    from.tables
        .insert("public.t".into(), table(vec![col("a", "integer")]));
    let mut to = from.clone();
    to.tables.get_mut("public.t").unwrap().unlogged = true;
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec!["ALTER TABLE public.t SET UNLOGGED"]
    );
    assert_eq!(
        all_sql(&diff(&to, &from)),
        vec!["ALTER TABLE public.t SET LOGGED"]
    );
}

#[test]
fn table_kind_change_recreates_it_with_its_children_and_the_foreign_keys_to_it() {
    let from = shop();
    let mut to = shop();
    let customers = to.tables.get_mut("public.customers").unwrap();
    customers.kind = TableKind::Partitioned;
    customers.partition_key = Some("HASH (id)".into());
    let d = diff(&from, &to);
    let statements = all_sql(&d);
    assert_eq!(
        statements,
        vec![
            "ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey",
            "DROP TABLE public.customers",
            "CREATE TABLE public.customers (\n    id integer NOT NULL,\n    email text NOT NULL\n) PARTITION BY HASH (id)",
            "ALTER TABLE public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id)",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id)",
        ]
    );
    let table_diffs = find_all(&d, "public.customers");
    assert_eq!(table_diffs.len(), 2);
    assert!(table_diffs.iter().all(|t| t.diff == DiffKind::Changed
        && t.detail
            .starts_with("kind: ordinary table → partitioned table")));
    assert_eq!(
        find(&d, "public.customers.customers_pkey").detail,
        "created again with public.customers (dropped with it)"
    );
    assert_eq!(
        find(&d, "public.orders.orders_customer_id_fkey").detail,
        "references public.customers, which is re-created\ndropped here and added again below"
    );
}

// ---------------------------------------------------------------------------------------------
// Constraints, indexes, triggers.

#[test]
fn tables_are_created_before_keys_and_foreign_keys_after_every_key() {
    let d = diff(&SchemaModel::default(), &shop());
    let statements = all_sql(&d);
    assert_eq!(
        statements,
        vec![
            "CREATE SCHEMA public",
            "CREATE TABLE public.customers (\n    id integer NOT NULL,\n    email text NOT NULL\n)",
            "CREATE TABLE public.orders (\n    id bigint NOT NULL,\n    customer_id integer,\n    note text\n)",
            "ALTER TABLE public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id)",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id)",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id)",
        ]
    );
    assert_eq!(
        find(&d, "public.orders.orders_customer_id_fkey").kind,
        ObjectKind::Constraint
    );
    // Down: the foreign key goes before the table it references.
    let down = all_sql(&diff(&shop(), &SchemaModel::default()));
    assert_eq!(
        down,
        vec![
            "DROP TABLE public.orders",
            "DROP TABLE public.customers",
            "DROP SCHEMA public",
        ]
    );
}

#[test]
fn tables_referencing_each_other_are_dropped_after_one_foreign_key() {
    let mut from = shop();
    from.tables
        .get_mut("public.customers")
        .unwrap()
        .constraints
        .insert(
            "customers_last_order_fkey".into(),
            fk(
                "FOREIGN KEY (id) REFERENCES public.orders(id)",
                "public.orders",
            ),
        );
    let mut to = from.clone();
    to.tables.clear();
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey",
            "DROP TABLE public.customers",
            "DROP TABLE public.orders",
        ]
    );
    assert!(d[0].detail.contains("reference each other"));
}

#[test]
fn constraint_added_not_valid_validated_changed_and_dropped() {
    let mut from = shop();
    let orders = from.tables.get_mut("public.orders").unwrap();
    orders.constraints.insert(
        "orders_note_check".into(),
        check("CHECK ((note <> ''::text))"),
    );
    orders
        .constraints
        .insert("orders_id_check".into(), check("CHECK ((id > 0))"));
    orders.constraints.insert(
        "orders_customer_id_fkey".into(),
        Constraint {
            valid: false,
            ..fk(
                "FOREIGN KEY (customer_id) REFERENCES public.customers(id) NOT VALID",
                "public.customers",
            )
        },
    );
    let mut to = shop();
    let orders = to.tables.get_mut("public.orders").unwrap();
    orders.constraints.insert(
        "orders_note_check".into(),
        check("CHECK ((length(note) < 100))"),
    );
    orders.constraints.insert(
        "orders_new_check".into(),
        Constraint {
            valid: false,
            ..check("CHECK ((id < 1000)) NOT VALID")
        },
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "ALTER TABLE public.orders DROP CONSTRAINT orders_id_check",
            "ALTER TABLE public.orders DROP CONSTRAINT orders_note_check",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_note_check CHECK ((length(note) < 100))",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_new_check CHECK ((id < 1000)) NOT VALID",
            "ALTER TABLE public.orders VALIDATE CONSTRAINT orders_customer_id_fkey",
        ]
    );
    assert_eq!(
        find_all(&d, "public.orders.orders_note_check")[0].detail,
        "definition differs:\n  - CHECK ((note <> ''::text))\n  + CHECK ((length(note) < 100))\ndropped here and added again below"
    );
    assert_eq!(
        find(&d, "public.orders.orders_customer_id_fkey").detail,
        "not validated → validated"
    );
    // A validated constraint is not un-validated.
    let back = diff(&to, &from);
    assert!(!all_sql(&back)
        .iter()
        .any(|s| s.contains("orders_customer_id_fkey")));
}

#[test]
fn key_change_re_creates_the_foreign_keys_that_reference_it() {
    let from = shop();
    let mut to = shop();
    to.tables
        .get_mut("public.customers")
        .unwrap()
        .constraints
        .insert("customers_pkey".into(), pk("PRIMARY KEY (id, email)"));
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            "ALTER TABLE public.orders DROP CONSTRAINT orders_customer_id_fkey",
            "ALTER TABLE public.customers DROP CONSTRAINT customers_pkey",
            "ALTER TABLE public.customers ADD CONSTRAINT customers_pkey PRIMARY KEY (id, email)",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id)",
        ]
    );
}

#[test]
fn unique_index_change_re_creates_the_foreign_keys_on_its_columns_and_comes_before_them() {
    let mut from = shop();
    from.tables
        .get_mut("public.customers")
        .unwrap()
        .indexes
        .insert(
            "customers_email_key".into(),
            index(
                "CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (email)",
            ),
        );
    let orders = from.tables.get_mut("public.orders").unwrap();
    orders.columns.push(col("customer_email", "text"));
    orders.constraints.insert(
        "orders_customer_email_fkey".into(),
        fk(
            "FOREIGN KEY (customer_email) REFERENCES public.customers(email) ON UPDATE CASCADE",
            "public.customers",
        ),
    );
    let mut to = from.clone();
    to.tables.get_mut("public.customers").unwrap().indexes.insert(
        "customers_email_key".into(),
        index("CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (email) INCLUDE (id)"),
    );
    // The foreign key on `id` does not need the index on `email`: left alone.
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            "ALTER TABLE public.orders DROP CONSTRAINT orders_customer_email_fkey",
            "DROP INDEX public.customers_email_key",
            "CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (email) INCLUDE (id)",
            "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_email_fkey FOREIGN KEY (customer_email) REFERENCES public.customers(email) ON UPDATE CASCADE",
        ]
    );
}

#[test]
fn indexes_created_dropped_changed_and_rebuilt_when_invalid() {
    let mut from = shop();
    let orders = from.tables.get_mut("public.orders").unwrap();
    orders.indexes.insert(
        "orders_note_idx".into(),
        index("CREATE INDEX orders_note_idx ON public.orders USING btree (note)"),
    );
    orders.indexes.insert(
        "orders_old_idx".into(),
        index("CREATE INDEX orders_old_idx ON public.orders USING btree (customer_id)"),
    );
    orders.indexes.insert(
        "orders_broken_idx".into(),
        Index {
            valid: false,
            ..index("CREATE INDEX orders_broken_idx ON public.orders USING btree (id, note)")
        },
    );
    let mut to = shop();
    let orders = to.tables.get_mut("public.orders").unwrap();
    orders.indexes.insert(
        "orders_note_idx".into(),
        index("CREATE INDEX orders_note_idx ON public.orders USING btree (note) WHERE (note IS NOT NULL)"),
    );
    orders.indexes.insert(
        "orders_new_idx".into(),
        index("CREATE INDEX orders_new_idx ON public.orders USING gin (to_tsvector('simple'::regconfig, note))"),
    );
    orders.indexes.insert(
        "orders_broken_idx".into(),
        index("CREATE INDEX orders_broken_idx ON public.orders USING btree (id, note)"),
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "DROP INDEX public.orders_broken_idx",
            "DROP INDEX public.orders_note_idx",
            "DROP INDEX public.orders_old_idx",
            "CREATE INDEX orders_broken_idx ON public.orders USING btree (id, note)",
            "CREATE INDEX orders_note_idx ON public.orders USING btree (note) WHERE (note IS NOT NULL)",
            "CREATE INDEX orders_new_idx ON public.orders USING gin (to_tsvector('simple'::regconfig, note))",
        ]
    );
    assert!(find_all(&d, "public.orders.orders_broken_idx")[0]
        .detail
        .starts_with("invalid (left by a failed concurrent build)"));
    assert_eq!(
        find(&d, "public.orders.orders_old_idx").kind,
        ObjectKind::Index
    );
}

#[test]
fn index_backing_a_constraint_follows_the_constraint() {
    let from = shop();
    let mut to = shop();
    let customers = to.tables.get_mut("public.customers").unwrap();
    customers.constraints.insert(
        "customers_email_key".into(),
        constraint(ConstraintKind::Unique, "UNIQUE (email)"),
    );
    customers.indexes.insert(
        "customers_email_key".into(),
        Index {
            comment: Some("by email".into()),
            ..backing(
                "CREATE UNIQUE INDEX customers_email_key ON public.customers USING btree (email)",
                "customers_email_key",
            )
        },
    );
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "ALTER TABLE public.customers ADD CONSTRAINT customers_email_key UNIQUE (email)",
            "COMMENT ON INDEX public.customers_email_key IS 'by email'",
        ]
    );
    assert_eq!(
        all_sql(&diff(&to, &from)),
        vec!["ALTER TABLE public.customers DROP CONSTRAINT customers_email_key"]
    );
}

#[test]
fn index_on_a_dropped_column_is_not_dropped_twice() {
    let mut from = shop();
    from.tables
        .get_mut("public.orders")
        .unwrap()
        .indexes
        .insert(
            "orders_note_idx".into(),
            index("CREATE INDEX orders_note_idx ON public.orders USING btree (note)"),
        );
    let mut to = shop();
    to.tables
        .get_mut("public.orders")
        .unwrap()
        .columns
        .retain(|c| c.name != "note");
    // Not in `to` either: one DROP INDEX, before the column goes.
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "DROP INDEX public.orders_note_idx",
            "ALTER TABLE public.orders DROP COLUMN note",
        ]
    );
}

#[test]
fn triggers_created_changed_enabled_and_dropped() {
    let mut from = shop();
    let orders = from.tables.get_mut("public.orders").unwrap();
    orders.triggers.insert(
        "orders_a".into(),
        trigger("CREATE TRIGGER orders_a BEFORE UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"),
    );
    orders.triggers.insert(
        "orders_b".into(),
        trigger("CREATE TRIGGER orders_b AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"),
    );
    orders.triggers.insert(
        "orders_gone".into(),
        trigger("CREATE TRIGGER orders_gone AFTER DELETE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"),
    );
    let mut to = shop();
    let orders = to.tables.get_mut("public.orders").unwrap();
    orders.triggers.insert(
        "orders_a".into(),
        trigger("CREATE TRIGGER orders_a BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"),
    );
    orders.triggers.insert(
        "orders_b".into(),
        Trigger {
            enabled: "D".into(),
            ..trigger("CREATE TRIGGER orders_b AFTER INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()")
        },
    );
    orders.triggers.insert(
        "orders_new".into(),
        Trigger {
            enabled: "A".into(),
            comment: Some("new".into()),
            ..trigger("CREATE TRIGGER orders_new AFTER UPDATE ON public.orders FOR EACH STATEMENT EXECUTE FUNCTION public.touch()")
        },
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "DROP TRIGGER orders_a ON public.orders",
            "DROP TRIGGER orders_gone ON public.orders",
            "CREATE TRIGGER orders_a BEFORE INSERT OR UPDATE ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
            "ALTER TABLE public.orders DISABLE TRIGGER orders_b",
            "CREATE TRIGGER orders_new AFTER UPDATE ON public.orders FOR EACH STATEMENT EXECUTE FUNCTION public.touch()",
            "ALTER TABLE public.orders ENABLE ALWAYS TRIGGER orders_new",
            "COMMENT ON TRIGGER orders_new ON public.orders IS 'new'",
        ]
    );
    assert_eq!(
        find(&d, "public.orders.orders_b").detail,
        "firing: enabled → disabled"
    );
    let back = all_sql(&diff(&to, &from));
    assert!(back.contains(&"ALTER TABLE public.orders ENABLE TRIGGER orders_b".to_owned()));
}

#[test]
fn trigger_on_a_retyped_column_is_dropped_and_created_around_it() {
    let mut from = shop();
    from.tables.get_mut("public.orders").unwrap().triggers.insert(
        "orders_note".into(),
        trigger("CREATE TRIGGER orders_note BEFORE UPDATE OF note ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()"),
    );
    let mut to = from.clone();
    to.tables.get_mut("public.orders").unwrap().columns[2].data_type =
        "character varying(100)".into();
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "DROP TRIGGER orders_note ON public.orders",
            "ALTER TABLE public.orders ALTER COLUMN note TYPE character varying(100) USING note::character varying(100)",
            "CREATE TRIGGER orders_note BEFORE UPDATE OF note ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Partitions.

fn events() -> SchemaModel {
    let mut m = SchemaModel::default();
    let parent = partitioned(
        vec![
            not_null(col("at", "date")),
            with_default(col("kind", "text"), "'x'::text"),
        ],
        "RANGE (at)",
    );
    let p2024 = partition_of(
        &parent,
        "public.events",
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
    );
    m.tables.insert("public.events".into(), parent);
    m.tables.insert("public.events_2024".into(), p2024);
    m
}

#[test]
fn partitions_created_after_their_parent_and_dropped_before_it() {
    let up = diff(&SchemaModel::default(), &events());
    assert_eq!(
        all_sql(&up),
        vec![
            "CREATE TABLE public.events (\n    at date NOT NULL,\n    kind text DEFAULT 'x'::text\n) PARTITION BY RANGE (at)",
            "CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        ]
    );
    assert_eq!(find(&up, "public.events_2024").kind, ObjectKind::Partition);
    // Names that sort the other way round keep the order.
    let mut m = SchemaModel::default();
    let parent = partitioned(vec![col("k", "integer")], "LIST (k)");
    let sub = Table {
        kind: TableKind::Partitioned,
        partition_key: Some("RANGE (k)".into()),
        ..partition_of(&parent, "public.z_parent", "FOR VALUES IN (1, 2)")
    };
    let leaf = partition_of(&sub, "public.m_sub", "FOR VALUES FROM (1) TO (2)");
    m.tables.insert("public.z_parent".into(), parent);
    m.tables.insert("public.m_sub".into(), sub);
    m.tables.insert("public.a_leaf".into(), leaf);
    assert_eq!(
        all_sql(&diff(&SchemaModel::default(), &m)),
        vec![
            "CREATE TABLE public.z_parent (\n    k integer\n) PARTITION BY LIST (k)",
            "CREATE TABLE public.m_sub PARTITION OF public.z_parent FOR VALUES IN (1, 2) PARTITION BY RANGE (k)",
            "CREATE TABLE public.a_leaf PARTITION OF public.m_sub FOR VALUES FROM (1) TO (2)",
        ]
    );
    assert_eq!(
        all_sql(&diff(&m, &SchemaModel::default())),
        vec![
            "DROP TABLE public.a_leaf",
            "DROP TABLE public.m_sub",
            "DROP TABLE public.z_parent",
        ]
    );
}

#[test]
fn partition_columns_follow_their_parent() {
    let from = events();
    let mut to = events();
    // The parent's default changes and a column is added: ALTER TABLE on the parent recurses.
    for key in ["public.events", "public.events_2024"] {
        let t = to.tables.get_mut(key).unwrap();
        t.columns[1].default = Some("'y'::text".into());
        t.columns.push(col("extra", "integer"));
    }
    // A new partition with a default of its own.
    let mut p2025 = partition_of(
        to.tables.get("public.events").unwrap(),
        "public.events",
        "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    );
    p2025.columns[1].default = Some("'z'::text".into());
    to.tables.insert("public.events_2025".into(), p2025);
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            "ALTER TABLE public.events ALTER COLUMN kind SET DEFAULT 'y'::text",
            "ALTER TABLE public.events ADD COLUMN extra integer",
            "ALTER TABLE public.events_2025 ALTER COLUMN kind SET DEFAULT 'z'::text",
        ]
    );
}

#[test]
fn partition_index_is_created_on_every_partition() {
    let from = events();
    let mut to = events();
    to.tables.get_mut("public.events").unwrap().indexes.insert(
        "events_kind_idx".into(),
        index("CREATE INDEX events_kind_idx ON ONLY public.events USING btree (kind)"),
    );
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec!["CREATE INDEX events_kind_idx ON public.events USING btree (kind)"]
    );
    assert_eq!(
        all_sql(&diff(&to, &from)),
        vec!["DROP INDEX public.events_kind_idx"]
    );
}

#[test]
fn partitions_attached_and_detached() {
    let mut from = events();
    let loose = table(from.tables["public.events"].columns.clone());
    from.tables.insert("public.loose".into(), loose.clone());
    let mut to = events();
    to.tables.insert(
        "public.loose".into(),
        partition_of(
            &loose,
            "public.events",
            "FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
        ),
    );
    to.tables
        .insert("public.events_2024".into(), table(loose.columns.clone()));
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "ALTER TABLE public.events DETACH PARTITION public.events_2024",
            "ALTER TABLE public.events ATTACH PARTITION public.loose FOR VALUES FROM ('2023-01-01') TO ('2024-01-01')",
        ]
    );
    assert!(find(&d, "public.events_2024")
        .detail
        .contains("keeps its own copies of the parent's indexes"));
    assert_eq!(find(&d, "public.loose").kind, ObjectKind::Partition);
}

#[test]
fn partitions_of_a_recreated_parent_are_recreated() {
    let from = events();
    // The partition key changes (the parent is re-created) and so does the partition's bound:
    // the partition is detached before its parent goes, and attached to the new one.
    let mut to = events();
    to.tables.get_mut("public.events").unwrap().partition_key = Some("RANGE (at, kind)".into());
    to.tables
        .get_mut("public.events_2024")
        .unwrap()
        .partition_of = Some(PartitionOf {
        parent: "public.events".into(),
        bound: "FOR VALUES FROM ('2024-01-01', 'a') TO ('2025-01-01', 'a')".into(),
    });
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            "ALTER TABLE public.events DETACH PARTITION public.events_2024",
            "DROP TABLE public.events",
            "CREATE TABLE public.events (\n    at date NOT NULL,\n    kind text DEFAULT 'x'::text\n) PARTITION BY RANGE (at, kind)",
            "ALTER TABLE public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01', 'a') TO ('2025-01-01', 'a')",
        ]
    );
    // Same bound: the partition is dropped (first) and created again with its parent.
    let mut same_bound = events();
    same_bound
        .tables
        .get_mut("public.events")
        .unwrap()
        .partition_key = Some("RANGE (at, kind)".into());
    let statements = all_sql(&diff(&from, &same_bound));
    assert_eq!(
        statements,
        vec![
            "DROP TABLE public.events_2024",
            "DROP TABLE public.events",
            "CREATE TABLE public.events (\n    at date NOT NULL,\n    kind text DEFAULT 'x'::text\n) PARTITION BY RANGE (at, kind)",
            "CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Views.

#[test]
fn views_created_in_dependency_order_and_dropped_in_reverse() {
    let mut to = shop();
    // `a_top` reads `m_mid`, which reads `z_base`: names sort against the dependency order.
    to.views.insert(
        "public.z_base".into(),
        view(
            " SELECT orders.id\n   FROM public.orders;",
            &[("id", "bigint")],
            &[],
        ),
    );
    to.views.insert(
        "public.m_mid".into(),
        view(
            " SELECT z_base.id\n   FROM public.z_base;",
            &[("id", "bigint")],
            &["public.z_base"],
        ),
    );
    to.views.insert(
        "public.a_top".into(),
        view(
            " SELECT m_mid.id\n   FROM public.m_mid\n     JOIN public.z_base USING (id);",
            &[("id", "bigint")],
            &["public.m_mid", "public.z_base"],
        ),
    );
    let from = shop();
    let up = all_sql(&diff(&from, &to));
    assert_eq!(
        up,
        vec![
            "CREATE VIEW public.z_base AS SELECT orders.id\n   FROM public.orders",
            "CREATE VIEW public.m_mid AS SELECT z_base.id\n   FROM public.z_base",
            "CREATE VIEW public.a_top AS SELECT m_mid.id\n   FROM public.m_mid\n     JOIN public.z_base USING (id)",
        ]
    );
    let down = all_sql(&diff(&to, &from));
    assert_eq!(
        down,
        vec![
            "DROP VIEW public.a_top",
            "DROP VIEW public.m_mid",
            "DROP VIEW public.z_base",
        ]
    );
    // Views come after tables and go before them.
    let all_up = all_sql(&diff(&SchemaModel::default(), &to));
    assert!(
        at(&all_up, "CREATE VIEW public.z_base")
            > at(
                &all_up,
                "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey"
            )
    );
    let all_down = all_sql(&diff(&to, &SchemaModel::default()));
    assert!(at(&all_down, "DROP VIEW public.z_base") < at(&all_down, "DROP TABLE public.orders"));
}

#[test]
fn view_replaced_when_columns_are_only_added() {
    let mut from = shop();
    from.views.insert(
        "public.v".into(),
        view(
            " SELECT orders.id\n   FROM public.orders;",
            &[("id", "bigint")],
            &[],
        ),
    );
    from.views.get_mut("public.v").unwrap().comment = Some("kept".into());
    let mut to = from.clone();
    to.views.insert(
        "public.v".into(),
        View {
            comment: Some("kept".into()),
            ..view(
                " SELECT orders.id,\n    orders.note\n   FROM public.orders;",
                &[("id", "bigint"), ("note", "text")],
                &[],
            )
        },
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec!["CREATE OR REPLACE VIEW public.v AS SELECT orders.id,\n    orders.note\n   FROM public.orders"]
    );
    assert_eq!(
        d[0].detail,
        "definition differs:\n  - SELECT orders.id\n  + SELECT orders.id,\n  + orders.note"
    );
}

#[test]
fn view_recreated_with_its_dependents_when_columns_change() {
    let mut from = shop();
    from.views.insert(
        "public.v".into(),
        view(
            " SELECT orders.id,\n    orders.note\n   FROM public.orders;",
            &[("id", "bigint"), ("note", "text")],
            &[],
        ),
    );
    from.views.insert(
        "public.w".into(),
        view(
            " SELECT v.id\n   FROM public.v;",
            &[("id", "bigint")],
            &["public.v"],
        ),
    );
    let mut to = from.clone();
    to.views.insert(
        "public.v".into(),
        view(
            " SELECT orders.id\n   FROM public.orders;",
            &[("id", "bigint")],
            &[],
        ),
    );
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "DROP VIEW public.w",
            "DROP VIEW public.v",
            "CREATE VIEW public.v AS SELECT orders.id\n   FROM public.orders",
            "CREATE VIEW public.w AS SELECT v.id\n   FROM public.v",
        ]
    );
    let w = find_all(&d, "public.w");
    assert_eq!(w.len(), 2);
    assert!(w[0]
        .detail
        .starts_with("reads public.v, which is dropped and created again"));
    assert!(find_all(&d, "public.v")[0]
        .detail
        .contains("CREATE OR REPLACE VIEW cannot change existing columns"));
}

#[test]
fn view_on_a_retyped_or_dropped_column_is_recreated_around_the_change() {
    let mut from = shop();
    from.views.insert(
        "public.v".into(),
        view(
            " SELECT orders.id\n   FROM public.orders\n  WHERE orders.note IS NOT NULL;",
            &[("id", "bigint")],
            &[],
        ),
    );
    let mut to = from.clone();
    to.tables.get_mut("public.orders").unwrap().columns[2].data_type = "character varying".into();
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(
        statements,
        vec![
            "DROP VIEW public.v",
            "ALTER TABLE public.orders ALTER COLUMN note TYPE character varying USING note::character varying",
            "CREATE VIEW public.v AS SELECT orders.id\n   FROM public.orders\n  WHERE orders.note IS NOT NULL",
        ]
    );
    // A view on another column of the table is left alone.
    let mut other = from.clone();
    other.tables.get_mut("public.orders").unwrap().columns[1].data_type = "bigint".into();
    assert_eq!(
        all_sql(&diff(&from, &other)),
        vec!["ALTER TABLE public.orders ALTER COLUMN customer_id TYPE bigint USING customer_id::bigint"]
    );
}

#[test]
fn materialized_view_changes_rebuild_it_with_its_indexes() {
    let mut from = shop();
    let mut mv = View {
        materialized: true,
        ..view(
            " SELECT orders.id\n   FROM public.orders;",
            &[("id", "bigint")],
            &[],
        )
    };
    mv.indexes.insert(
        "mv_id".into(),
        index("CREATE UNIQUE INDEX mv_id ON public.mv USING btree (id)"),
    );
    from.views.insert("public.mv".into(), mv.clone());
    let mut to = shop();
    mv.definition = " SELECT orders.id\n   FROM public.orders\n  WHERE orders.id > 0;".into();
    mv.comment = Some("positive".into());
    to.views.insert("public.mv".into(), mv.clone());
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "DROP MATERIALIZED VIEW public.mv",
            "CREATE MATERIALIZED VIEW public.mv AS SELECT orders.id\n   FROM public.orders\n  WHERE orders.id > 0",
            "COMMENT ON MATERIALIZED VIEW public.mv IS 'positive'",
            "CREATE UNIQUE INDEX mv_id ON public.mv USING btree (id)",
        ]
    );
    assert!(d.iter().all(|x| x.diff == DiffKind::Changed));
    assert_eq!(d[0].kind, ObjectKind::MaterializedView);
    // Only an index changes: the view stays.
    let mut more = to.clone();
    more.views.get_mut("public.mv").unwrap().indexes.insert(
        "mv_more".into(),
        index("CREATE INDEX mv_more ON public.mv USING btree (id DESC)"),
    );
    assert_eq!(
        all_sql(&diff(&to, &more)),
        vec!["CREATE INDEX mv_more ON public.mv USING btree (id DESC)"]
    );
    assert_eq!(
        all_sql(&diff(&more, &to)),
        vec!["DROP INDEX public.mv_more"]
    );
}

#[test]
fn view_kind_change_recreates_it() {
    let mut from = shop();
    from.views.insert(
        "public.v".into(),
        view(" SELECT 1 AS one;", &[("one", "integer")], &[]),
    );
    let mut to = from.clone();
    to.views.get_mut("public.v").unwrap().materialized = true;
    let d = diff(&from, &to);
    assert_eq!(
        all_sql(&d),
        vec![
            "DROP VIEW public.v",
            "CREATE MATERIALIZED VIEW public.v AS SELECT 1 AS one"
        ]
    );
    assert!(d[0].detail.starts_with("kind: view → materialized view"));
}

// ---------------------------------------------------------------------------------------------
// Functions.

#[test]
fn functions_created_before_tables_and_dropped_after_everything() {
    let mut to = shop();
    to.functions.insert(
        "public.next_code()".into(),
        function(
            &plpgsql("public.next_code()", "text", "BEGIN RETURN 'x'; END"),
            "text",
        ),
    );
    to.tables.get_mut("public.orders").unwrap().columns[2].default =
        Some("public.next_code()".into());
    let from = shop();
    let up = all_sql(&diff(&from, &to));
    assert_eq!(
        up,
        vec![
            "CREATE OR REPLACE FUNCTION public.next_code()\n RETURNS text\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN 'x'; END$function$",
            "ALTER TABLE public.orders ALTER COLUMN note SET DEFAULT public.next_code()",
        ]
    );
    let down = all_sql(&diff(&to, &from));
    assert_eq!(
        down,
        vec![
            "ALTER TABLE public.orders ALTER COLUMN note DROP DEFAULT",
            "DROP FUNCTION public.next_code()",
        ]
    );
}

#[test]
fn function_replaced_or_recreated_when_its_result_changes() {
    let mut from = shop();
    from.functions.insert(
        "public.half(x numeric)".into(),
        function(
            &sql_function("public.half(x numeric)", "numeric", "select x / 2"),
            "numeric",
        ),
    );
    from.views.insert(
        "public.halves".into(),
        view(
            " SELECT public.half((orders.id)::numeric) AS h\n   FROM public.orders;",
            &[("h", "numeric")],
            &[],
        ),
    );
    from.tables.get_mut("public.orders").unwrap().columns[2].default =
        Some("(public.half((1)::numeric))::text".into());
    // Same result: CREATE OR REPLACE.
    let mut body = from.clone();
    body.functions.insert(
        "public.half(x numeric)".into(),
        function(
            &sql_function("public.half(x numeric)", "numeric", "select x / 2.0"),
            "numeric",
        ),
    );
    let d = diff(&from, &body);
    assert_eq!(
        all_sql(&d),
        vec!["CREATE OR REPLACE FUNCTION public.half(x numeric)\n RETURNS numeric\n LANGUAGE sql\nAS $function$select x / 2.0$function$"]
    );
    assert_eq!(
        d[0].detail,
        "definition differs:\n  - AS $function$select x / 2$function$\n  + AS $function$select x / 2.0$function$"
    );
    // Another result type: dropped and created again, with what uses it around that.
    let mut result = from.clone();
    result.functions.insert(
        "public.half(x numeric)".into(),
        function(
            &sql_function("public.half(x numeric)", "double precision", "select x / 2"),
            "double precision",
        ),
    );
    result.views.get_mut("public.halves").unwrap().columns =
        vec![("h".into(), "double precision".into())];
    let statements = all_sql(&diff(&from, &result));
    assert_eq!(
        statements,
        vec![
            "DROP VIEW public.halves",
            "ALTER TABLE public.orders ALTER COLUMN note DROP DEFAULT",
            "DROP FUNCTION public.half(x numeric)",
            "CREATE OR REPLACE FUNCTION public.half(x numeric)\n RETURNS double precision\n LANGUAGE sql\nAS $function$select x / 2$function$",
            "ALTER TABLE public.orders ALTER COLUMN note SET DEFAULT (public.half((1)::numeric))::text",
            "CREATE VIEW public.halves AS SELECT public.half((orders.id)::numeric) AS h\n   FROM public.orders",
        ]
    );
}

#[test]
fn procedures_and_kind_changes() {
    let mut from = SchemaModel::default();
    from.functions.insert(
        "public.p(IN x integer)".into(),
        Function {
            kind: FunctionKind::Procedure,
            definition: "CREATE OR REPLACE PROCEDURE public.p(IN x integer)\n LANGUAGE sql\nAS $procedure$select 1$procedure$\n".into(),
            result: None,
            comment: None,
        },
    );
    let d = diff(&from, &SchemaModel::default());
    assert_eq!(all_sql(&d), vec!["DROP PROCEDURE public.p(IN x integer)"]);
    assert_eq!(d[0].kind, ObjectKind::Procedure);
    let mut to = SchemaModel::default();
    to.functions.insert(
        "public.p(IN x integer)".into(),
        function(
            &sql_function("public.p(x integer)", "integer", "select 1"),
            "integer",
        ),
    );
    let statements = all_sql(&diff(&from, &to));
    assert_eq!(statements[0], "DROP PROCEDURE public.p(IN x integer)");
    assert!(statements[1].starts_with("CREATE OR REPLACE FUNCTION"));
}

#[test]
fn sql_function_reading_a_new_table_waits_for_it_and_so_do_defaults_calling_it() {
    let from = SchemaModel::default();
    let mut to = SchemaModel::default();
    to.tables
        .insert("public.codes".into(), table(vec![col("code", "text")]));
    to.tables.insert(
        "public.things".into(),
        table(vec![with_default(
            col("code", "text"),
            "public.first_code()",
        )]),
    );
    to.functions.insert(
        "public.first_code()".into(),
        function(
            &sql_function(
                "public.first_code()",
                "text",
                "select code from public.codes limit 1",
            ),
            "text",
        ),
    );
    to.functions.insert(
        "public.plain()".into(),
        function(
            &plpgsql(
                "public.plain()",
                "integer",
                "BEGIN RETURN (SELECT count(*) FROM public.codes); END",
            ),
            "integer",
        ),
    );
    let d = diff(&from, &to);
    let statements = all_sql(&d);
    assert_eq!(
        statements,
        vec![
            // A PL/pgSQL body is not checked at creation: early.
            "CREATE OR REPLACE FUNCTION public.plain()\n RETURNS integer\n LANGUAGE plpgsql\nAS $function$BEGIN RETURN (SELECT count(*) FROM public.codes); END$function$",
            "CREATE TABLE public.codes (\n    code text\n)",
            "CREATE TABLE public.things (\n    code text\n)",
            "CREATE OR REPLACE FUNCTION public.first_code()\n RETURNS text\n LANGUAGE sql\nAS $function$select code from public.codes limit 1$function$",
            "ALTER TABLE public.things ALTER COLUMN code SET DEFAULT public.first_code()",
        ]
    );
    assert_eq!(
        find(&d, "public.things.code").detail,
        "default: public.first_code()\nset once the function it calls is created"
    );
}

#[test]
fn function_using_a_dropped_tables_row_type_goes_before_it() {
    let mut from = SchemaModel::default();
    from.tables
        .insert("public.rows".into(), table(vec![col("id", "integer")]));
    from.functions.insert(
        "public.all_rows()".into(),
        function(
            &plpgsql(
                "public.all_rows()",
                "SETOF public.rows",
                "BEGIN RETURN; END",
            ),
            "SETOF public.rows",
        ),
    );
    from.functions.insert(
        "public.count_rows()".into(),
        function(
            &plpgsql(
                "public.count_rows()",
                "bigint",
                "BEGIN RETURN (SELECT count(*) FROM public.rows); END",
            ),
            "bigint",
        ),
    );
    assert_eq!(
        all_sql(&diff(&from, &SchemaModel::default())),
        vec![
            "DROP FUNCTION public.all_rows()",
            "DROP TABLE public.rows",
            "DROP FUNCTION public.count_rows()",
        ]
    );
}

#[test]
fn check_calling_a_recreated_function_is_recreated_around_it() {
    let mut from = shop();
    from.functions.insert(
        "public.ok(t text)".into(),
        function(
            &sql_function("public.ok(t text)", "boolean", "select t <> ''"),
            "boolean",
        ),
    );
    from.tables
        .get_mut("public.orders")
        .unwrap()
        .constraints
        .insert("orders_note_ok".into(), check("CHECK (public.ok(note))"));
    let mut to = from.clone();
    to.functions.insert(
        "public.ok(t text)".into(),
        function(
            &sql_function("public.ok(t text)", "integer", "select 1"),
            "integer",
        ),
    );
    to.tables
        .get_mut("public.orders")
        .unwrap()
        .constraints
        .insert("orders_note_ok".into(), check("CHECK (public.ok(note))"));
    let d = diff(&from, &to);
    let statements = all_sql(&d);
    assert!(
        at(
            &statements,
            "ALTER TABLE public.orders DROP CONSTRAINT orders_note_ok"
        ) < at(&statements, "DROP FUNCTION public.ok(t text)")
    );
    assert!(
        at(&statements, "CREATE OR REPLACE FUNCTION public.ok(t text)")
            < at(
                &statements,
                "ALTER TABLE public.orders ADD CONSTRAINT orders_note_ok"
            )
    );
    assert!(find_all(&d, "public.orders.orders_note_ok")[0]
        .detail
        .starts_with("calls public.ok(t text), which is re-created"));
}

#[test]
fn sql_function_reading_a_new_view_comes_after_it() {
    let from = shop();
    let mut to = shop();
    to.views.insert(
        "public.ids".into(),
        view(
            " SELECT orders.id\n   FROM public.orders;",
            &[("id", "bigint")],
            &[],
        ),
    );
    to.functions.insert(
        "public.n_ids()".into(),
        function(
            &sql_function(
                "public.n_ids()",
                "bigint",
                "select count(*) from public.ids",
            ),
            "bigint",
        ),
    );
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "CREATE VIEW public.ids AS SELECT orders.id\n   FROM public.orders",
            "CREATE OR REPLACE FUNCTION public.n_ids()\n RETURNS bigint\n LANGUAGE sql\nAS $function$select count(*) from public.ids$function$",
        ]
    );
}

#[test]
fn view_reading_a_recreated_table_is_recreated_with_it() {
    let mut from = shop();
    from.views.insert(
        "public.customer_emails".into(),
        view(
            " SELECT customers.email\n   FROM public.customers;",
            &[("email", "text")],
            &[],
        ),
    );
    let mut to = from.clone();
    let customers = to.tables.get_mut("public.customers").unwrap();
    customers.kind = TableKind::Partitioned;
    customers.partition_key = Some("HASH (id)".into());
    let d = diff(&from, &to);
    let statements = all_sql(&d);
    assert_eq!(at(&statements, "DROP VIEW public.customer_emails"), 0);
    assert_eq!(
        statements.last().map(String::as_str),
        Some("CREATE VIEW public.customer_emails AS SELECT customers.email\n   FROM public.customers")
    );
    assert!(find_all(&d, "public.customer_emails")[0]
        .detail
        .starts_with("reads public.customers, which is re-created"));
}

// ---------------------------------------------------------------------------------------------
// Overall order.

#[test]
fn phases_run_in_dependency_order() {
    let from = everything();
    let mut to = SchemaModel::default();
    to.schemas.insert("public".into(), Namespace::default());
    let down = all_sql(&diff(&from, &to));
    let order = [
        "DROP VIEW public.notes",
        "DROP TABLE public.events_2024",
        "DROP TABLE public.events",
        "DROP FUNCTION public.touch()",
        "DROP SEQUENCE public.counter",
        "DROP DOMAIN public.pos",
        "DROP TYPE public.mood",
        "DROP EXTENSION citext",
        "DROP SCHEMA \"Billing\"",
    ];
    let positions: Vec<usize> = order.iter().map(|p| at(&down, p)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{down:#?}");
    let up = all_sql(&diff(&to, &from));
    let order = [
        "CREATE SCHEMA \"Billing\"",
        "CREATE EXTENSION citext",
        "CREATE TYPE public.mood",
        "CREATE DOMAIN public.pos",
        "CREATE SEQUENCE public.counter",
        "CREATE OR REPLACE FUNCTION public.touch()",
        "CREATE TABLE public.customers",
        "CREATE TABLE public.events_2024",
        "ALTER TABLE public.orders ADD CONSTRAINT orders_pkey",
        "CREATE INDEX orders_note_idx",
        "ALTER TABLE public.orders ADD CONSTRAINT orders_customer_id_fkey",
        "CREATE VIEW public.notes",
        "CREATE TRIGGER orders_touch",
    ];
    let positions: Vec<usize> = order.iter().map(|p| at(&up, p)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{up:#?}");
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

#[test]
fn names_are_split_and_unquoted() {
    assert_eq!(sql::name_parts("public.orders"), vec!["public", "orders"]);
    assert_eq!(
        sql::name_parts("\"Billing\".\"In.voice\"\"s\""),
        vec!["Billing", "In.voice\"s"]
    );
    assert_eq!(
        sql::name_parts("public.add(a integer, b public.t)"),
        vec!["public", "add"]
    );
    assert_eq!(sql::base_name("\"Billing\".\"Kind\""), "Kind");
    assert_eq!(
        sql::split_last("\"a.b\".t.\"C d\""),
        Some(("\"a.b\".t", "\"C d\""))
    );
    assert_eq!(sql::split_last("plain"), None);
    assert_eq!(
        sql::in_schema_of("\"My Schema\".t", "t_idx"),
        "\"My Schema\".t_idx"
    );
}

#[test]
fn identifiers_skip_literals_and_dollar_quote_tags() {
    let found = sql::identifiers(
        "SELECT \"Total Amount\", o.Note FROM public.orders o WHERE o.kind = 'not_a_name''s' AND x$function$select count(*) from public.codes$function$",
    );
    for name in [
        "Total Amount",
        "note",
        "public",
        "orders",
        "kind",
        "codes",
        "select",
    ] {
        assert!(found.contains(name), "{name} in {found:?}");
    }
    assert!(!found.contains("not_a_name"));
    assert!(!found.iter().any(|f| f.contains('$')));
}

#[test]
fn definition_changes_are_kept_short() {
    let old = (1..=20)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut new_lines: Vec<String> = (1..=20).map(|i| format!("line {i}")).collect();
    for line in new_lines.iter_mut().skip(5).take(6) {
        line.push('!');
    }
    let text = sql::definition_change(&old, &new_lines.join("\n"));
    assert_eq!(
        text,
        "definition differs:\n  - line 6\n  - line 7\n  - line 8\n  - line 9\n  - … (2 more line(s))\n  + line 6!\n  + line 7!\n  + line 8!\n  + line 9!\n  + … (2 more line(s))"
    );
    assert_eq!(
        sql::base_definition("CHECK ((a > 0)) NOT VALID"),
        "CHECK ((a > 0))"
    );
    assert_eq!(
        sql::constraint_clause("CHECK ((a > 0))", false),
        "CHECK ((a > 0)) NOT VALID"
    );
    assert_eq!(
        sql::constraint_clause("CHECK ((a > 0)) NOT VALID", true),
        "CHECK ((a > 0))"
    );
}

#[test]
fn key_and_referenced_columns_are_read_from_definitions() {
    let set = |names: &[&str]| Some(names.iter().map(|n| (*n).to_owned()).collect());
    assert_eq!(
        sql::key_columns("PRIMARY KEY (id, \"Code\")"),
        set(&["id", "\"Code\""])
    );
    assert_eq!(
        sql::key_columns("UNIQUE NULLS NOT DISTINCT (email) INCLUDE (id)"),
        set(&["email"])
    );
    assert_eq!(
        sql::key_columns("CREATE UNIQUE INDEX k ON public.t USING btree (b DESC, a text_pattern_ops) INCLUDE (c)"),
        set(&["a", "b"])
    );
    assert_eq!(
        sql::key_columns("CREATE UNIQUE INDEX k ON public.t USING btree (lower(email))"),
        set(&["lower(email)"])
    );
    assert_eq!(
        sql::referenced_columns(
            "FOREIGN KEY (a, b) REFERENCES \"My (odd) schema\".t(x, y) ON DELETE CASCADE"
        ),
        set(&["x", "y"])
    );
    assert_eq!(sql::referenced_columns("CHECK ((a > 0))"), None);
}

#[test]
fn stored_and_virtual_generated_columns_differ() {
    let mut from = SchemaModel::default();
    let t = table(vec![
        col("a", "integer"),
        Column {
            generated: Some("(a * 2)".into()),
            generated_virtual: true,
            ..col("g", "integer")
        },
    ]);
    from.tables.insert("public.t".into(), t.clone());
    let mut to = SchemaModel::default();
    let mut stored = t;
    stored.columns[1].generated_virtual = false;
    to.tables.insert("public.t".into(), stored);
    assert_eq!(
        all_sql(&diff(&from, &to)),
        vec![
            "ALTER TABLE public.t DROP COLUMN g",
            "ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS ((a * 2)) STORED",
        ]
    );
    assert_eq!(
        all_sql(&diff(&to, &from)),
        vec![
            "ALTER TABLE public.t DROP COLUMN g",
            "ALTER TABLE public.t ADD COLUMN g integer GENERATED ALWAYS AS ((a * 2)) VIRTUAL",
        ]
    );
}
