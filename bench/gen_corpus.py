#!/usr/bin/env python3
"""Generate a deterministic corpus of realistic PostgreSQL migrations.

Writes N Flyway-style files (V001__create_users.sql, ...) that together hold
at least N * --statements-per-file statements. The generator keeps a model of
the schema it has built so far, so every file applies cleanly, in order, to an
empty PostgreSQL 13+ database (bench/verify_corpus.sh proves it).

The mix covers what a migration linter cares about: CREATE TABLE, CREATE INDEX
(plain and CONCURRENTLY, outside transactions), ADD COLUMN (nullable, constant
default, volatile default, NOT NULL), SET NOT NULL (with the CHECK ... NOT VALID
pattern), CHECK / FOREIGN KEY / UNIQUE constraints (some NOT VALID, then
VALIDATE), ALTER COLUMN TYPE, renames, DROP COLUMN, UPDATE / DELETE backfills,
INSERTs, plpgsql functions with dollar-quoted bodies, DO blocks, enums,
triggers, comments, BEGIN/COMMIT blocks and SET lock_timeout.

Only the standard library is used; the same seed gives byte-identical output.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

MAX_IDENT = 63

TABLE_NOUNS = [
    "users", "accounts", "organizations", "teams", "memberships", "projects",
    "orders", "order_items", "invoices", "invoice_lines", "payments", "refunds",
    "products", "product_variants", "categories", "carts", "cart_items",
    "shipments", "addresses", "customers", "subscriptions", "plans", "coupons",
    "events", "sessions", "api_keys", "webhooks", "webhook_deliveries",
    "notifications", "messages", "threads", "comments", "attachments",
    "documents", "reviews", "ratings", "warehouses", "inventory_levels",
    "suppliers", "purchase_orders", "tickets", "ticket_replies", "tags",
    "feature_flags", "audit_events", "login_attempts", "devices", "reports",
    "schedules", "jobs", "job_runs", "exports", "imports", "tenants",
    "contracts", "employees", "departments", "timesheets", "expenses",
    "ledgers", "ledger_entries", "currencies", "exchange_rates", "regions",
]

COLUMN_NAMES = {
    "int": ["quantity", "position", "retry_count", "priority", "version",
            "seats", "attempts", "level", "sort_order", "duration_minutes"],
    "bigint": ["external_id", "amount_cents", "balance_cents", "size_bytes",
               "view_count", "legacy_id"],
    "numeric": ["price", "total", "discount", "tax_rate", "weight_kg",
                "amount", "unit_cost"],
    "float": ["score", "latitude", "longitude", "ratio", "confidence"],
    "text": ["description", "notes", "title", "name", "email", "slug",
             "status_reason", "url", "bio", "address_line"],
    "varchar": ["code", "sku", "phone", "currency", "country_code", "locale",
                "username", "display_name", "reference"],
    "bool": ["is_active", "archived", "verified", "is_default", "enabled",
             "is_public", "flagged"],
    "ts": ["deleted_at", "published_at", "expires_at", "last_login_at",
           "processed_at", "confirmed_at", "cancelled_at"],
    "timestamp": ["scheduled_for", "imported_at", "synced_at"],
    "date": ["birth_date", "due_date", "start_date", "end_date",
             "effective_on"],
    "jsonb": ["metadata", "settings", "payload", "attributes", "extra"],
    "uuid": ["external_ref", "token", "request_id", "correlation_id"],
    "inet": ["ip_address", "last_ip"],
    "textarr": ["tags", "aliases", "scopes"],
}

WORDS = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "gamma",
         "harbor", "indigo", "juniper", "kepler", "lumen", "maple", "nova",
         "orbit", "pixel", "quartz", "raven", "sierra", "tango", "umber",
         "vortex", "willow", "xenon", "yonder", "zephyr"]

ENUM_SETS = [
    ("status", ["pending", "active", "suspended", "closed"]),
    ("state", ["draft", "submitted", "approved", "rejected"]),
    ("kind", ["standard", "express", "overnight"]),
    ("priority_level", ["low", "normal", "high", "urgent"]),
    ("visibility", ["private", "internal", "public"]),
]

SORTABLE = {"int", "bigint", "numeric", "float", "text", "varchar", "ts",
            "timestamp", "date", "uuid"}
UNIQUE_KINDS = {"int", "bigint", "text", "varchar", "uuid"}
CHECKABLE = {"int", "bigint", "numeric", "float", "text", "varchar", "date",
             "jsonb"}


@dataclass
class Column:
    name: str
    type: str
    kind: str
    notnull: bool = False
    has_default: bool = False
    generated: bool = False  # identity / serial / uuid pk: never inserted
    protected: bool = False  # id, created_at, updated_at: never touched
    unique_ok: bool = True  # all non-NULL values so far are distinct
    unique: bool = False  # covered by a unique index or constraint
    enum_values: list[str] = field(default_factory=list)


@dataclass
class Constraint:
    name: str
    kind: str  # check | fk | unique
    cols: list[str]
    ref: str | None = None  # fk: referenced table
    validated: bool = True


@dataclass
class Index:
    name: str
    cols: list[str]
    unique: bool = False
    constraint: bool = False  # backs a constraint: dropped via the constraint


@dataclass
class Table:
    name: str
    cols: dict[str, Column] = field(default_factory=dict)
    constraints: dict[str, Constraint] = field(default_factory=dict)
    indexes: dict[str, Index] = field(default_factory=dict)
    id_kind: str = "bigint"  # bigint | uuid
    rows: int = 0
    audited: bool = False
    touch_trigger: bool = False


@dataclass
class Stmt:
    sql: str
    txn_ok: bool = True  # may run inside BEGIN/COMMIT
    new_txn: bool = False  # start a fresh transaction before this one
    needs_txn: bool = False  # only valid inside a transaction block
    comment: str | None = None  # a line comment emitted just before


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.seed = seed
        self.tables: dict[str, Table] = {}
        self.names: set[str] = set()  # every relation/constraint name used
        self.functions: set[str] = set()
        self.enums: dict[str, list[str]] = {}
        self.counter = 0
        self.noun_uses: dict[str, int] = {}

    # ---- helpers -------------------------------------------------------
    def tick(self) -> int:
        self.counter += 1
        return self.counter

    def unique_name(self, base: str) -> str:
        base = base[:MAX_IDENT]
        if base not in self.names:
            self.names.add(base)
            return base
        n = 2
        while True:
            suffix = f"_{n}"
            cand = base[: MAX_IDENT - len(suffix)] + suffix
            if cand not in self.names:
                self.names.add(cand)
                return cand
            n += 1

    def obj_name(self, table: str, cols: list[str], suffix: str) -> str:
        core = "_".join(c[:20] for c in cols[:2])
        base = f"{table[:24]}_{core}"[: MAX_IDENT - len(suffix) - 4]
        return self.unique_name(f"{base}_{suffix}")

    def col_name(self, t: Table, base: str) -> str:
        if base not in t.cols:
            return base
        n = 2
        while f"{base}_{n}" in t.cols:
            n += 1
        return f"{base}_{n}"

    def pick_table(self, pred=None) -> Table | None:
        cands = [t for t in self.tables.values() if pred is None or pred(t)]
        return self.rng.choice(cands) if cands else None

    def user_cols(self, t: Table, pred=None) -> list[Column]:
        return [c for c in t.cols.values()
                if not c.protected and (pred is None or pred(c))]

    def value(self, c: Column) -> str:
        r = self.rng
        n = self.tick()
        k = c.kind
        if k == "int":
            return str(n)
        if k == "bigint":
            return str(n * 1000 + r.randint(0, 999))
        if k == "numeric":
            return f"{n}.{r.randint(0, 99):02d}"
        if k == "float":
            return f"{n + r.random():.4f}"
        if k in ("text", "varchar"):
            return f"'{r.choice(WORDS)}-{n}'"
        if k == "bool":
            return r.choice(["true", "false"])
        if k == "ts":
            return (f"'20{r.randint(20, 25)}-{r.randint(1, 12):02d}-"
                    f"{r.randint(1, 28):02d} {r.randint(0, 23):02d}:"
                    f"{r.randint(0, 59):02d}:00+00'")
        if k == "timestamp":
            return (f"'20{r.randint(20, 25)}-{r.randint(1, 12):02d}-"
                    f"{r.randint(1, 28):02d} {r.randint(0, 23):02d}:00:00'")
        if k == "date":
            return (f"'20{r.randint(20, 25)}-{r.randint(1, 12):02d}-"
                    f"{r.randint(1, 28):02d}'")
        if k == "jsonb":
            return f"'{{\"source\": \"{r.choice(WORDS)}\", \"n\": {n}}}'"
        if k == "uuid":
            return f"'{uuid.UUID(int=r.getrandbits(128), version=4)}'"
        if k == "inet":
            return f"'10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}'"
        if k == "textarr":
            return f"ARRAY['{r.choice(WORDS)}', '{r.choice(WORDS)}']"
        if k == "enum":
            return f"'{c.enum_values[0]}'"
        raise ValueError(k)

    def new_column(self, t: Table, kind: str | None = None) -> Column:
        r = self.rng
        if kind is None:
            kind = r.choice(list(COLUMN_NAMES))
        name = self.col_name(t, r.choice(COLUMN_NAMES[kind]))
        typ = {
            "int": "integer", "bigint": "bigint", "float": "double precision",
            "text": "text", "bool": "boolean", "ts": "timestamptz",
            "timestamp": "timestamp", "date": "date", "jsonb": "jsonb",
            "uuid": "uuid", "inet": "inet", "textarr": "text[]",
        }.get(kind)
        if kind == "numeric":
            typ = f"numeric({r.choice([10, 12, 14])},{r.choice([2, 4])})"
        elif kind == "varchar":
            typ = f"varchar({r.choice([32, 64, 100, 255])})"
        return Column(name=name, type=typ, kind=kind)

    def const_default(self, c: Column) -> str | None:
        r = self.rng
        return {
            "int": str(r.choice([0, 1, 10])), "bigint": "0",
            "numeric": "0", "float": "0.0",
            "text": f"'{r.choice(WORDS)}'", "varchar": f"'{r.choice(WORDS)}'",
            "bool": r.choice(["true", "false"]), "ts": "now()",
            "timestamp": "'2020-01-01 00:00:00'", "date": "CURRENT_DATE",
            "jsonb": "'{}'::jsonb", "inet": "'0.0.0.0'",
            "textarr": "'{}'::text[]",
        }.get(c.kind)

    def volatile_default(self, c: Column) -> str | None:
        return {
            "uuid": "gen_random_uuid()", "float": "random()",
            "ts": "clock_timestamp()", "timestamp": "clock_timestamp()",
            "text": "md5(random()::text)",
            "int": "(random() * 1000)::integer",
        }.get(c.kind)

    def check_expr(self, c: Column) -> str:
        q = quote_ident(c.name)
        if c.kind in ("int", "bigint", "numeric", "float"):
            return f"{q} >= 0"
        if c.kind in ("text", "varchar"):
            return f"char_length({q}) <= 200"
        if c.kind == "date":
            return f"{q} >= DATE '2000-01-01'"
        if c.kind == "jsonb":
            return f"jsonb_typeof({q}) = 'object'"
        raise ValueError(c.kind)

    # ---- operations: each returns (slug, [Stmt]) ------------------------
    def op_create_table(self):
        r = self.rng
        noun = r.choice(TABLE_NOUNS)
        uses = self.noun_uses.get(noun, 0)
        self.noun_uses[noun] = uses + 1
        base = noun if uses == 0 else f"{noun}_{r.choice(['v2', 'archive', 'history', 'staging', 'daily', 'snapshot'])}"
        name = self.unique_name(base)
        t = Table(name=name)
        defs: list[str] = []
        style = r.random()
        if style < 0.25:
            t.id_kind = "uuid"
            t.cols["id"] = Column("id", "uuid", "uuid", True, True, True, True, unique=True)
            defs.append("id uuid PRIMARY KEY DEFAULT gen_random_uuid()")
        elif style < 0.4:
            t.cols["id"] = Column("id", "bigint", "bigint", True, True, True, True, unique=True)
            defs.append("id bigserial PRIMARY KEY")
        else:
            t.cols["id"] = Column("id", "bigint", "bigint", True, True, True, True, unique=True)
            defs.append("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
        table_cons: list[str] = []
        for _ in range(r.randint(3, 9)):
            c = self.new_column(t)
            d = f"{quote_ident(c.name)} {c.type}"
            roll = r.random()
            if roll < 0.3:
                c.notnull = True
                d += " NOT NULL"
            if roll < 0.15 or (0.5 < roll < 0.6):
                dflt = self.const_default(c)
                if dflt:
                    c.has_default = True
                    d += f" DEFAULT {dflt}"
            if c.kind in UNIQUE_KINDS and r.random() < 0.12:
                c.unique = True
                d += " UNIQUE"
            elif c.kind in CHECKABLE and r.random() < 0.15:
                d += f" CHECK ({self.check_expr(c)})"
            t.cols[c.name] = c
            defs.append(d)
        # foreign key to an existing table
        parent = self.pick_table(lambda p: p.name != "audit_log")
        if parent is not None and r.random() < 0.6:
            fk = self.col_name(t, singular(parent.name)[:40] + "_id")
            action = r.choice(["CASCADE", "SET NULL"])
            c = Column(fk, parent.id_kind, "fk")
            t.cols[fk] = c
            defs.append(f"{fk} {parent.id_kind} REFERENCES {parent.name} (id) ON DELETE {action}")
            cname = f"{name}_{fk}_fkey"[:MAX_IDENT]
            t.constraints[cname] = Constraint(cname, "fk", [fk], parent.name)
        t.cols["created_at"] = Column("created_at", "timestamptz", "ts", True, True, protected=True, unique_ok=False)
        defs.append("created_at timestamptz NOT NULL DEFAULT now()")
        t.cols["updated_at"] = Column("updated_at", "timestamptz", "ts", True, True, protected=True, unique_ok=False)
        defs.append("updated_at timestamptz NOT NULL DEFAULT now()")
        uniq_cands = [c for c in self.user_cols(t, lambda c: c.kind in UNIQUE_KINDS and not c.unique)]
        if len(uniq_cands) >= 2 and r.random() < 0.2:
            a, b = r.sample(uniq_cands, 2)
            cname = self.obj_name(name, [a.name, b.name], "uniq")
            a.unique = b.unique = True
            table_cons.append(f"CONSTRAINT {cname} UNIQUE ({quote_ident(a.name)}, {quote_ident(b.name)})")
            t.constraints[cname] = Constraint(cname, "unique", [a.name, b.name])
            t.indexes[cname] = Index(cname, [a.name, b.name], True, True)
        ine = " IF NOT EXISTS" if r.random() < 0.2 else ""
        body = ",\n    ".join(defs + table_cons)
        stmts = [Stmt(f"CREATE TABLE{ine} {name} (\n    {body}\n)",
                      comment=f"{noun.replace('_', ' ')} table")]
        self.tables[name] = t
        if r.random() < 0.5:
            stmts.append(Stmt(f"COMMENT ON TABLE {name} IS "
                              f"'{noun.replace('_', ' ').capitalize()}; owned by the {r.choice(WORDS)} team -- see runbook'"))
        for _ in range(r.randint(1, 3)):
            stmts.extend(self.op_insert(t)[1])
        for _ in range(r.randint(0, 2)):
            cols = self.user_cols(t, lambda c: c.kind in SORTABLE)
            if not cols:
                break
            c = r.choice(cols)
            iname = self.obj_name(name, [c.name], "idx")
            t.indexes[iname] = Index(iname, [c.name])
            stmts.append(Stmt(f"CREATE INDEX {iname} ON {name} ({quote_ident(c.name)})"))
        if r.random() < 0.4:
            t.touch_trigger = True
            stmts.append(Stmt(f"CREATE TRIGGER {name[:40]}_touch_updated_at\n"
                              f"    BEFORE UPDATE ON {name}\n"
                              f"    FOR EACH ROW EXECUTE FUNCTION set_updated_at()"))
        if r.random() < 0.3:
            t.audited = True
            stmts.append(Stmt(f"CREATE TRIGGER {name[:40]}_audit\n"
                              f"    AFTER INSERT OR UPDATE OR DELETE ON {name}\n"
                              f"    FOR EACH ROW EXECUTE FUNCTION audit_row_change()"))
        return f"create_{name}", stmts

    def op_insert(self, t: Table | None = None):
        r = self.rng
        t = t or self.pick_table(lambda t: t.name != "audit_log")
        if t is None:
            return None
        cols = [c for c in t.cols.values()
                if not c.generated and c.kind != "fk" and not c.protected
                and ((c.notnull and not c.has_default) or c.unique or r.random() < 0.7)]
        nrows = r.randint(1, 5)
        rows = []
        for _ in range(nrows):
            rows.append("(" + ", ".join(self.value(c) for c in cols) + ")")
        # values of UNIQUE_KINDS are always distinct; a column left to a
        # constant default (or any other kind) gets repeated values
        for c in t.cols.values():
            if c.kind not in UNIQUE_KINDS or (c not in cols and c.has_default and c.kind != "uuid"):
                c.unique_ok = False
        t.rows += nrows
        sep = ",\n    " if nrows > 2 else ", "
        if cols:
            collist = ", ".join(quote_ident(c.name) for c in cols)
            sql = f"INSERT INTO {t.name} ({collist})\nVALUES {sep.join(rows)}"
        else:
            sql = f"INSERT INTO {t.name} DEFAULT VALUES"
        if any(c.unique for c in cols) and r.random() < 0.5:
            sql += "\nON CONFLICT DO NOTHING"
        return f"seed_{t.name}", [Stmt(sql)]

    def op_add_column(self):
        r = self.rng
        t = self.pick_table(lambda t: t.name != "audit_log")
        if t is None:
            return None
        variant = r.choices(["nullable", "const", "volatile", "notnull", "multi"],
                            [30, 25, 15, 15, 15])[0]
        stmts = []
        if variant == "multi":
            parts = []
            for _ in range(r.randint(2, 3)):
                c = self.new_column(t)
                d = self.const_default(c) if r.random() < 0.5 else None
                if d:
                    c.has_default = True
                    c.unique_ok = False
                    parts.append(f"ADD COLUMN {quote_ident(c.name)} {c.type} DEFAULT {d}")
                else:
                    parts.append(f"ADD COLUMN {quote_ident(c.name)} {c.type}")
                t.cols[c.name] = c
            stmts.append(Stmt(f"ALTER TABLE {t.name}\n    " + ",\n    ".join(parts)))
            return f"add_columns_to_{t.name}", stmts
        kinds = {
            "volatile": ["uuid", "float", "ts", "timestamp", "text", "int"],
        }.get(variant, [k for k in COLUMN_NAMES if k not in ("uuid",)] if variant in ("const", "notnull") else list(COLUMN_NAMES))
        c = self.new_column(t, r.choice(kinds))
        ine = "IF NOT EXISTS " if r.random() < 0.2 else ""
        d = f"ALTER TABLE {t.name} ADD COLUMN {ine}{quote_ident(c.name)} {c.type}"
        if variant == "const":
            c.has_default = True
            d += f" DEFAULT {self.const_default(c)}"
        elif variant == "volatile":
            c.has_default = True
            d += f" DEFAULT {self.volatile_default(c)}"
            if c.kind != "uuid":
                c.unique_ok = False
        elif variant == "notnull":
            c.has_default = True
            c.notnull = True
            c.unique_ok = False
            d += f" NOT NULL DEFAULT {self.const_default(c)}"
        if variant != "volatile" and variant != "nullable":
            c.unique_ok = False
        t.cols[c.name] = c
        stmts.append(Stmt(d))
        if r.random() < 0.25:
            stmts.append(Stmt(f"COMMENT ON COLUMN {t.name}.{quote_ident(c.name)} IS "
                              f"'{c.name.replace('_', ' ')}; added for the {r.choice(WORDS)} rollout'"))
        return f"add_{c.name}_to_{t.name}", stmts

    def op_enum(self):
        r = self.rng
        t = self.pick_table(lambda t: t.name != "audit_log")
        if t is None:
            return None
        base, values = r.choice(ENUM_SETS)
        tname = self.unique_name(f"{singular(t.name)[:30]}_{base}")
        self.enums[tname] = list(values)
        stmts = []
        if r.random() < 0.5:
            vals = ", ".join(f"'{v}'" for v in values)
            stmts.append(Stmt(f"CREATE TYPE {tname} AS ENUM ({vals})"))
        else:
            vals = ", ".join(f"''{v}''" for v in values)
            stmts.append(Stmt(
                "DO $$\nBEGIN\n"
                f"    IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = '{tname}') THEN\n"
                f"        EXECUTE 'CREATE TYPE {tname} AS ENUM ({vals})';\n"
                "    END IF;\nEND\n$$",
                comment="create the enum only once; DO blocks are not transactional-safe everywhere"))
        cname = self.col_name(t, base)
        c = Column(cname, tname, "enum", notnull=True, has_default=True,
                   unique_ok=False, enum_values=list(values))
        t.cols[cname] = c
        stmts.append(Stmt(f"ALTER TABLE {t.name} ADD COLUMN {cname} {tname} NOT NULL DEFAULT '{values[0]}'"))
        if r.random() < 0.5:
            extra = r.choice(["archived", "legacy", "unknown", "on_hold"])
            stmts.append(Stmt(f"ALTER TYPE {tname} ADD VALUE IF NOT EXISTS '{extra}'"))
        return f"add_{cname}_to_{t.name}", stmts

    def op_create_index(self):
        r = self.rng
        t = self.pick_table(lambda t: t.name != "audit_log" and self.user_cols(t))
        if t is None:
            return None
        concurrently = r.random() < 0.6
        cc = " CONCURRENTLY" if concurrently else ""
        ine = " IF NOT EXISTS" if r.random() < 0.3 else ""
        shape = r.choices(["single", "multi", "partial", "lower", "gin", "unique"],
                          [35, 15, 15, 10, 10, 15])[0]
        cols = self.user_cols(t, lambda c: c.kind in SORTABLE or c.kind == "fk")
        if shape == "gin":
            cols = self.user_cols(t, lambda c: c.kind in ("jsonb", "textarr"))
        elif shape == "lower":
            cols = self.user_cols(t, lambda c: c.kind in ("text", "varchar"))
        elif shape == "unique":
            cols = self.user_cols(t, lambda c: c.kind in UNIQUE_KINDS and c.unique_ok and not c.unique)
        if not cols:
            shape = "single"
            cols = self.user_cols(t, lambda c: c.kind in SORTABLE or c.kind == "fk")
            if not cols:
                return None
        c = r.choice(cols)
        qc = quote_ident(c.name)
        if shape == "multi":
            iname = self.obj_name(t.name, [c.name, "created_at"], "idx")
            body, icols = f"({qc}, created_at DESC)", [c.name]
        elif shape == "partial":
            iname = self.obj_name(t.name, [c.name], "partial_idx")
            body, icols = f"({qc}) WHERE {qc} IS NOT NULL", [c.name]
        elif shape == "lower":
            iname = self.obj_name(t.name, [c.name], "lower_idx")
            body, icols = f"(lower({qc}))", [c.name]
        elif shape == "gin":
            iname = self.obj_name(t.name, [c.name], "gin")
            body, icols = f"USING gin ({qc})", [c.name]
        else:
            iname = self.obj_name(t.name, [c.name], "uniq_idx" if shape == "unique" else "idx")
            body, icols = f"({qc})", [c.name]
        uq = " UNIQUE" if shape == "unique" else ""
        if shape == "unique":
            c.unique = True
        t.indexes[iname] = Index(iname, icols, unique=bool(uq))
        stmts = [Stmt(f"CREATE{uq} INDEX{cc}{ine} {iname} ON {t.name} {body}", txn_ok=not concurrently)]
        if shape == "unique" and concurrently and r.random() < 0.6:
            cname = iname
            t.indexes[iname].constraint = True
            t.constraints[cname] = Constraint(cname, "unique", [c.name])
            stmts.append(Stmt(f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} UNIQUE USING INDEX {iname}",
                              comment="promote the concurrently built index to a constraint"))
        return f"index_{t.name}_{c.name}", stmts

    def op_set_not_null(self):
        r = self.rng
        t = self.pick_table(lambda t: self.user_cols(t, self._nn_cand))
        if t is None:
            return None
        c = r.choice(self.user_cols(t, self._nn_cand))
        qc = quote_ident(c.name)
        stmts = [self._backfill(t, c)]
        if r.random() < 0.5:
            cname = self.obj_name(t.name, [c.name], "nn_chk")
            stmts.append(Stmt(f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} CHECK ({qc} IS NOT NULL) NOT VALID",
                              comment="NOT NULL in three steps: NOT VALID check, validate, then SET NOT NULL"))
            stmts.append(Stmt(f"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cname}", new_txn=True))
            stmts.append(Stmt(f"ALTER TABLE {t.name} ALTER COLUMN {qc} SET NOT NULL"))
            stmts.append(Stmt(f"ALTER TABLE {t.name} DROP CONSTRAINT {cname}"))
        else:
            stmts.append(Stmt(f"ALTER TABLE {t.name} ALTER COLUMN {qc} SET NOT NULL"))
        c.notnull = True
        return f"require_{t.name}_{c.name}", stmts

    @staticmethod
    def _nn_cand(c: Column) -> bool:
        return (not c.notnull and c.kind not in ("fk", "enum")
                and (not c.unique or c.kind in ("text", "varchar", "uuid")))

    def _backfill(self, t: Table, c: Column) -> Stmt:
        r = self.rng
        qc = quote_ident(c.name)
        if c.unique:
            expr = "gen_random_uuid()" if c.kind == "uuid" else "'m' || left(md5(id::text), 20)"
        else:
            expr = self.value(c)
            c.unique_ok = False
        limit = r.choice([500, 1000, 5000])
        if r.random() < 0.5 or t.rows >= limit:
            sql = f"UPDATE {t.name} SET {qc} = {expr} WHERE {qc} IS NULL"
        else:
            sql = (f"UPDATE {t.name} SET {qc} = {expr}\nWHERE id IN (\n"
                   f"    SELECT id FROM {t.name} WHERE {qc} IS NULL ORDER BY id LIMIT {limit}\n)")
        return Stmt(sql, comment=f"backfill {c.name}")

    def op_add_check(self):
        r = self.rng
        t = self.pick_table(lambda t: self.user_cols(t, lambda c: c.kind in CHECKABLE))
        if t is None:
            return None
        c = r.choice(self.user_cols(t, lambda c: c.kind in CHECKABLE))
        cname = self.obj_name(t.name, [c.name], "chk")
        t.constraints[cname] = Constraint(cname, "check", [c.name])
        nv = r.random() < 0.6
        stmts = [Stmt(f"ALTER TABLE {t.name}\n    ADD CONSTRAINT {cname} CHECK ({self.check_expr(c)})"
                      + (" NOT VALID" if nv else ""))]
        if nv and r.random() < 0.8:
            stmts.append(Stmt(f"ALTER TABLE {t.name} VALIDATE CONSTRAINT {cname}", new_txn=True))
        return f"check_{t.name}_{c.name}", stmts

    def op_add_fk(self):
        r = self.rng
        child = self.pick_table(lambda t: t.name != "audit_log")
        parent = self.pick_table(lambda t: t.name != "audit_log")
        if child is None or parent is None:
            return None
        fk = self.col_name(child, singular(parent.name)[:40] + "_id")
        c = Column(fk, parent.id_kind, "fk")
        child.cols[fk] = c
        stmts = [Stmt(f"ALTER TABLE {child.name} ADD COLUMN {fk} {parent.id_kind}")]
        if r.random() < 0.5:
            stmts.append(Stmt(f"UPDATE {child.name} SET {fk} = (SELECT id FROM {parent.name} ORDER BY id LIMIT 1)\n"
                              f"WHERE {fk} IS NULL", comment=f"point existing rows at the first {singular(parent.name)}"))
        cname = self.obj_name(child.name, [fk], "fk")
        child.constraints[cname] = Constraint(cname, "fk", [fk], parent.name)
        nv = r.random() < 0.6
        action = r.choice(["CASCADE", "SET NULL"])
        stmts.append(Stmt(f"ALTER TABLE {child.name}\n    ADD CONSTRAINT {cname} FOREIGN KEY ({fk})\n"
                          f"    REFERENCES {parent.name} (id) ON DELETE {action}" + (" NOT VALID" if nv else "")))
        if nv and r.random() < 0.8:
            stmts.append(Stmt(f"ALTER TABLE {child.name} VALIDATE CONSTRAINT {cname}", new_txn=True))
        if r.random() < 0.5:
            iname = self.obj_name(child.name, [fk], "idx")
            child.indexes[iname] = Index(iname, [fk])
            stmts.append(Stmt(f"CREATE INDEX CONCURRENTLY {iname} ON {child.name} ({fk})", txn_ok=False))
        return f"link_{child.name}_to_{parent.name}", stmts

    def op_add_unique(self):
        r = self.rng
        pred = lambda c: c.kind in UNIQUE_KINDS and c.unique_ok and not c.unique  # noqa: E731
        t = self.pick_table(lambda t: self.user_cols(t, pred))
        if t is None:
            return None
        c = r.choice(self.user_cols(t, pred))
        c.unique = True
        cname = self.obj_name(t.name, [c.name], "uq")
        t.constraints[cname] = Constraint(cname, "unique", [c.name])
        t.indexes[cname] = Index(cname, [c.name], True, True)
        return f"unique_{t.name}_{c.name}", [
            Stmt(f"ALTER TABLE {t.name} ADD CONSTRAINT {cname} UNIQUE ({quote_ident(c.name)})")]

    def op_alter_type(self):
        r = self.rng
        pred = lambda c: c.kind in ("int", "varchar", "numeric", "timestamp", "text", "float")  # noqa: E731
        t = self.pick_table(lambda t: self.user_cols(t, pred))
        if t is None:
            return None
        c = r.choice(self.user_cols(t, pred))
        qc = quote_ident(c.name)
        using = ""
        if c.kind == "int":
            newt, newk = "bigint", "bigint"
            if r.random() < 0.3:
                using = f" USING {qc}::bigint"
        elif c.kind == "varchar":
            if r.random() < 0.5:
                newt, newk = "text", "text"
            else:
                newt, newk = "varchar(500)", "varchar"
        elif c.kind == "text":
            newt, newk = "varchar(255)", "varchar"
        elif c.kind == "numeric":
            newt, newk = "numeric(18,4)", "numeric"
        elif c.kind == "float":
            newt, newk = "numeric(20,6)", "numeric"
            using = f" USING {qc}::numeric(20,6)"
        else:  # timestamp -> timestamptz
            newt, newk = "timestamptz", "ts"
            using = f" USING {qc} AT TIME ZONE 'UTC'"
        c.type, c.kind = newt, newk
        return f"change_{t.name}_{c.name}_type", [
            Stmt(f"ALTER TABLE {t.name} ALTER COLUMN {qc} TYPE {newt}{using}")]

    def op_rename(self):
        r = self.rng
        what = r.choices(["column", "table", "index"], [60, 20, 20])[0]
        if what == "column":
            t = self.pick_table(lambda t: self.user_cols(t))
            if t is None:
                return None
            c = r.choice(self.user_cols(t))
            if len(c.name) > 40:
                return None
            new = self.col_name(t, r.choice([f"{c.name}_old", f"legacy_{c.name}", f"{c.name}_v2"]))
            old = c.name
            t.cols = {(new if k == old else k): v for k, v in t.cols.items()}
            c.name = new
            for con in t.constraints.values():
                con.cols = [new if x == old else x for x in con.cols]
            for ix in t.indexes.values():
                ix.cols = [new if x == old else x for x in ix.cols]
            return f"rename_{t.name}_{old}", [
                Stmt(f"ALTER TABLE {t.name} RENAME COLUMN {quote_ident(old)} TO {quote_ident(new)}")]
        if what == "table":
            t = self.pick_table(lambda t: t.name != "audit_log" and len(t.name) < 40)
            if t is None:
                return None
            old = t.name
            new = self.unique_name(f"{old}_{r.choice(['legacy', 'old', 'v1', 'deprecated'])}")
            del self.tables[old]
            t.name = new
            self.tables[new] = t
            for other in self.tables.values():
                for con in other.constraints.values():
                    if con.ref == old:
                        con.ref = new
            return f"rename_{old}", [Stmt(f"ALTER TABLE {old} RENAME TO {new}")]
        t = self.pick_table(lambda t: any(not i.constraint for i in t.indexes.values()))
        if t is None:
            return None
        ix = r.choice([i for i in t.indexes.values() if not i.constraint])
        new = self.unique_name(f"{ix.name[:50]}_old")
        del t.indexes[ix.name]
        old, ix.name = ix.name, new
        t.indexes[new] = ix
        return f"rename_{old}", [Stmt(f"ALTER INDEX {old} RENAME TO {new}")]

    def op_drop_column(self):
        r = self.rng
        t = self.pick_table(lambda t: self.user_cols(t))
        if t is None:
            return None
        c = r.choice(self.user_cols(t))
        del t.cols[c.name]
        t.constraints = {k: v for k, v in t.constraints.items() if c.name not in v.cols}
        t.indexes = {k: v for k, v in t.indexes.items() if c.name not in v.cols}
        ie = "IF EXISTS " if r.random() < 0.3 else ""
        return f"drop_{t.name}_{c.name}", [
            Stmt(f"ALTER TABLE {t.name} DROP COLUMN {ie}{quote_ident(c.name)}")]

    def op_update(self):
        r = self.rng
        pred = lambda c: not c.unique and c.kind not in ("fk", "enum")  # noqa: E731
        t = self.pick_table(lambda t: self.user_cols(t, pred))
        if t is None:
            return None
        c = r.choice(self.user_cols(t, pred))
        qc = quote_ident(c.name)
        c.unique_ok = False
        shape = r.random()
        if shape < 0.4:
            return f"backfill_{t.name}_{c.name}", [self._backfill(t, c)]
        if shape < 0.7:
            sql = (f"UPDATE {t.name}\nSET {qc} = {self.value(c)}, updated_at = now()\n"
                   f"WHERE created_at < now() - interval '{r.choice([7, 30, 90, 365])} days'")
        else:
            if c.has_default:
                sql = f"UPDATE {t.name} SET {qc} = DEFAULT WHERE {qc} IS NULL"
            else:
                sql = (f"UPDATE {t.name} AS t\nSET {qc} = {self.value(c)}\n"
                       f"WHERE t.{qc} IS NULL AND t.updated_at < now() - interval '1 day'")
        return f"update_{t.name}_{c.name}", [Stmt(sql)]

    def op_delete(self):
        r = self.rng
        t = self.pick_table(lambda t: t.name != "audit_log")
        if t is None:
            return None
        nullable = self.user_cols(t, lambda c: not c.notnull)
        if nullable and r.random() < 0.5:
            c = r.choice(nullable)
            sql = f"DELETE FROM {t.name} WHERE {quote_ident(c.name)} IS NULL AND created_at < now() - interval '5 years'"
        else:
            sql = (f"DELETE FROM {t.name}\nWHERE id IN (\n    SELECT id FROM {t.name}\n"
                   f"    WHERE created_at < now() - interval '{r.choice([1, 2, 3])} years'\n"
                   f"    LIMIT {r.choice([1000, 10000])}\n)")
        return f"purge_{t.name}", [Stmt(sql)]

    def op_function(self):
        r = self.rng
        t = self.pick_table(lambda t: t.name != "audit_log")
        if t is None:
            return None
        tag = r.choice(["$$", "$$", "$body$", "$fn$"])
        variant = r.choice(["count", "purge", "guard", "sql", "touch"])
        sing = singular(t.name)[:30]
        if variant == "count":
            fname = self._fname(f"count_active_{t.name[:40]}")
            body = (f"DECLARE\n    v_count bigint;\nBEGIN\n"
                    f"    SELECT count(*) INTO v_count FROM {t.name}\n"
                    f"    WHERE created_at >= now() - make_interval(days => p_days);\n"
                    f"    RETURN v_count;\nEND;")
            head = f"{fname}(p_days integer DEFAULT 30)\nRETURNS bigint\nLANGUAGE plpgsql\nSTABLE"
        elif variant == "purge":
            fname = self._fname(f"purge_old_{t.name[:40]}")
            body = (f"DECLARE\n    v_rows integer;\n    v_total integer := 0;\nBEGIN\n    LOOP\n"
                    f"        DELETE FROM {t.name}\n"
                    f"        WHERE id IN (SELECT id FROM {t.name} WHERE created_at < p_before LIMIT p_batch);\n"
                    f"        GET DIAGNOSTICS v_rows = ROW_COUNT;\n"
                    f"        EXIT WHEN v_rows = 0;\n"
                    f"        v_total := v_total + v_rows;\n"
                    f"        RAISE NOTICE 'deleted % rows from {t.name}; total %', v_rows, v_total;\n"
                    f"    END LOOP;\n    RETURN v_total;\nEND;")
            head = (f"{fname}(p_before timestamptz, p_batch integer DEFAULT 1000)\n"
                    f"RETURNS integer\nLANGUAGE plpgsql")
        elif variant == "guard":
            fname = self._fname(f"{sing}_guard")
            body = ("BEGIN\n    IF TG_OP = 'DELETE' AND current_setting('app.allow_delete', true) IS DISTINCT FROM 'on' THEN\n"
                    f"        RAISE EXCEPTION 'deleting from {t.name} is not allowed; set app.allow_delete';\n"
                    "    END IF;\n    IF TG_OP = 'DELETE' THEN\n        RETURN OLD;\n    END IF;\n"
                    "    RETURN NEW;\nEND;")
            head = f"{fname}()\nRETURNS trigger\nLANGUAGE plpgsql"
        elif variant == "sql":
            fname = self._fname(f"{sing}_slug")
            body = "SELECT trim(both '-' from lower(regexp_replace(p_input, '[^a-zA-Z0-9]+', '-', 'g')))"
            head = f"{fname}(p_input text)\nRETURNS text\nLANGUAGE sql\nIMMUTABLE\nSTRICT"
            return f"function_{fname}", [Stmt(f"CREATE OR REPLACE FUNCTION {head}\nAS {tag}\n    {body}\n{tag}")]
        else:
            fname = self._fname(f"{sing}_touch")
            body = "BEGIN\n    NEW.updated_at := clock_timestamp();\n    RETURN NEW;\nEND;"
            head = f"{fname}()\nRETURNS trigger\nLANGUAGE plpgsql"
        stmts = [Stmt(f"CREATE OR REPLACE FUNCTION {head}\nAS {tag}\n{body}\n{tag}",
                      comment=f"helper for {t.name}")]
        if variant in ("guard", "touch") and r.random() < 0.6:
            trg = self.unique_name(f"{t.name[:40]}_{variant}_trg")
            when = "BEFORE DELETE" if variant == "guard" else "BEFORE UPDATE"
            stmts.append(Stmt(f"CREATE TRIGGER {trg}\n    {when} ON {t.name}\n"
                              f"    FOR EACH ROW EXECUTE FUNCTION {fname}()"))
            if variant == "guard":
                # the guard would block later DELETEs; keep it disabled
                stmts.append(Stmt(f"ALTER TABLE {t.name} DISABLE TRIGGER {trg}"))
        return f"function_{fname}", stmts

    def _fname(self, base: str) -> str:
        name = base
        n = 2
        while name in self.functions:
            name = f"{base}_{n}"
            n += 1
        self.functions.add(name)
        return name

    def op_default(self):
        r = self.rng
        t = self.pick_table(lambda t: self.user_cols(t, lambda c: c.kind not in ("fk", "enum")))
        if t is None:
            return None
        c = r.choice(self.user_cols(t, lambda c: c.kind not in ("fk", "enum")))
        qc = quote_ident(c.name)
        if c.has_default and not c.notnull and r.random() < 0.5:
            c.has_default = False
            return f"drop_default_{t.name}_{c.name}", [
                Stmt(f"ALTER TABLE {t.name} ALTER COLUMN {qc} DROP DEFAULT")]
        d = self.const_default(c) or self.volatile_default(c)
        if d is None:
            return None
        c.has_default = True
        return f"default_{t.name}_{c.name}", [
            Stmt(f"ALTER TABLE {t.name} ALTER COLUMN {qc} SET DEFAULT {d}")]

    def op_drop_index(self):
        r = self.rng
        t = self.pick_table(lambda t: any(not i.constraint for i in t.indexes.values()))
        if t is None:
            return None
        ix = r.choice([i for i in t.indexes.values() if not i.constraint])
        del t.indexes[ix.name]
        if ix.unique:
            for cn in ix.cols:
                if cn in t.cols and not any(cn in i.cols and i.unique for i in t.indexes.values()):
                    t.cols[cn].unique = False
        cc = r.random() < 0.7
        return f"drop_{ix.name}", [Stmt(f"DROP INDEX{' CONCURRENTLY' if cc else ''} IF EXISTS {ix.name}",
                                        txn_ok=not cc)]

    def op_drop_table(self):
        r = self.rng
        referenced = {con.ref for t in self.tables.values() for con in t.constraints.values() if con.ref}
        t = self.pick_table(lambda t: t.name not in referenced and t.name != "audit_log")
        if t is None or len(self.tables) < 12:
            return None
        del self.tables[t.name]
        return f"drop_{t.name}", [Stmt(f"DROP TABLE{' IF EXISTS' if r.random() < 0.5 else ''} {t.name}")]

    def op_misc(self):
        r = self.rng
        t = self.pick_table(lambda t: t.name != "audit_log")
        if t is None:
            return None
        kind = r.choice(["lock", "analyze", "grant", "reindex", "stats"])
        if kind == "lock":
            return f"lock_{t.name}", [Stmt(f"LOCK TABLE {t.name} IN {r.choice(['SHARE', 'ACCESS EXCLUSIVE', 'SHARE ROW EXCLUSIVE'])} MODE", needs_txn=True)]
        if kind == "analyze":
            return f"analyze_{t.name}", [Stmt(f"ANALYZE {t.name}")]
        if kind == "grant":
            return f"grant_{t.name}", [Stmt(f"GRANT SELECT ON {t.name} TO PUBLIC")]
        if kind == "reindex" and any(not i.constraint for i in t.indexes.values()):
            ix = r.choice([i for i in t.indexes.values() if not i.constraint])
            return f"reindex_{ix.name}", [Stmt(f"REINDEX INDEX CONCURRENTLY {ix.name}", txn_ok=False)]
        return f"tune_{t.name}", [Stmt(f"ALTER TABLE {t.name} SET (autovacuum_vacuum_scale_factor = 0.{r.randint(1, 9)})")]

    # ---- files -----------------------------------------------------------
    OPS = [
        ("op_create_table", 8), ("op_insert", 14), ("op_add_column", 14),
        ("op_create_index", 10), ("op_set_not_null", 5), ("op_add_check", 5),
        ("op_add_fk", 5), ("op_add_unique", 3), ("op_alter_type", 5),
        ("op_rename", 4), ("op_drop_column", 3), ("op_update", 7),
        ("op_delete", 3), ("op_function", 4), ("op_default", 3),
        ("op_drop_index", 2), ("op_drop_table", 1), ("op_enum", 2),
        ("op_misc", 2),
    ]

    def bootstrap(self):
        """Statements of the first file: shared helpers every later file may use."""
        stmts = [
            Stmt("CREATE TABLE IF NOT EXISTS audit_log (\n"
                 "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
                 "    table_name text NOT NULL,\n    operation text NOT NULL,\n"
                 "    changed_at timestamptz NOT NULL DEFAULT now()\n)",
                 comment="shared audit trail written by audit_row_change()"),
            Stmt("CREATE OR REPLACE FUNCTION set_updated_at()\nRETURNS trigger\n"
                 "LANGUAGE plpgsql\nAS $$\nBEGIN\n    NEW.updated_at := now();\n"
                 "    RETURN NEW;\nEND;\n$$"),
            Stmt("CREATE OR REPLACE FUNCTION audit_row_change()\nRETURNS trigger\n"
                 "LANGUAGE plpgsql\nAS $audit$\nBEGIN\n"
                 "    INSERT INTO audit_log (table_name, operation) VALUES (TG_TABLE_NAME, TG_OP);\n"
                 "    -- AFTER trigger: the return value is ignored\n"
                 "    RETURN NULL;\nEND;\n$audit$"),
        ]
        t = Table("audit_log")
        t.cols["id"] = Column("id", "bigint", "bigint", True, True, True, True)
        for cn in ("table_name", "operation"):
            t.cols[cn] = Column(cn, "text", "text", True, False, protected=True)
        t.cols["changed_at"] = Column("changed_at", "timestamptz", "ts", True, True, protected=True)
        self.tables["audit_log"] = t
        self.names.add("audit_log")
        self.functions.update({"set_updated_at", "audit_row_change"})
        return stmts

    def make_file(self, index: int, per_file: int) -> tuple[str, str, int]:
        r = self.rng
        ops: list[tuple[str, list[Stmt]]] = []
        count = 0
        if index == 1:
            ops.append(("bootstrap", self.bootstrap()))
            count += len(ops[0][1])
        # the first operation names the file; young schemas create tables first
        while count < per_file - 4:
            if len(self.tables) < 6 or (not ops and r.random() < 0.25):
                name = "op_create_table"
            else:
                names, weights = zip(*self.OPS)
                name = r.choices(names, weights)[0]
            res = getattr(self, name)()
            if res is None:
                continue
            ops.append(res)
            count += len(res[1])
        slug = ops[1][0] if ops[0][0] == "bootstrap" and len(ops) > 1 else ops[0][0]
        slug = slug[:60]
        if index == 1:
            slug = "baseline_" + slug

        transactional = r.random() < 0.65
        out: list[str] = []
        nstmts = 0
        width = 3
        out.append(f"-- Migration V{index:0{width}d}: {slug.replace('_', ' ')}")
        out.append(f"-- Generated by bench/gen_corpus.py (seed {self.seed}); do not edit.")
        out.append("")

        def emit(sql: str, comment: str | None = None):
            nonlocal nstmts
            if comment:
                out.append(f"-- {comment}")
            out.append(sql + ";")
            nstmts += 1

        if r.random() < 0.6:
            emit(f"SET lock_timeout = '{r.choice(['2s', '5s', '10s'])}'")
        if r.random() < 0.3:
            emit(f"SET statement_timeout = '{r.choice(['30s', '5min', '15min'])}'")
        in_txn = False
        for _, stmts in ops:
            if r.random() < 0.15:
                out.append(f"/* {r.choice(WORDS)}: step {r.randint(1, 9)} of the rollout;\n"
                           f"   reviewed by the {r.choice(WORDS)} team */")
            for s in stmts:
                if transactional:
                    if s.txn_ok:
                        if in_txn and s.new_txn:
                            emit("COMMIT")
                            in_txn = False
                        if not in_txn:
                            out.append("")
                            emit("BEGIN")
                            in_txn = True
                            if r.random() < 0.3:
                                emit(f"SET LOCAL lock_timeout = '{r.choice(['1s', '3s'])}'")
                    elif in_txn:
                        emit("COMMIT")
                        out.append("")
                        in_txn = False
                    emit(s.sql, s.comment)
                elif s.needs_txn:
                    emit("BEGIN")
                    emit(s.sql, s.comment)
                    emit("COMMIT")
                else:
                    emit(s.sql, s.comment)
        if in_txn:
            emit("COMMIT")
        # top up to the target with seed data, outside any transaction
        while nstmts < per_file:
            res = self.op_insert()
            for s in res[1]:
                emit(s.sql)
        if r.random() < 0.4:
            emit("RESET lock_timeout")
        fname = f"V{index:0{width}d}__{slug}.sql"
        return fname, "\n".join(out) + "\n", nstmts


def singular(name: str) -> str:
    for suffix in ("_v2", "_archive", "_history", "_staging", "_daily", "_snapshot",
                   "_legacy", "_old", "_v1", "_deprecated"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses") or name.endswith("shes") or name.endswith("xes"):
        return name[:-2]
    if name.endswith("s"):
        return name[:-1]
    return name


RESERVED = {"name", "position", "level", "version", "order", "user", "comment"}


def quote_ident(name: str) -> str:
    # Only a few of the names used are keywords; quote the reserved-ish ones
    # the way hand-written migrations often do.
    return f'"{name}"' if name in RESERVED else name


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="bench/out/corpus", help="output directory (replaced)")
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--statements-per-file", type=int, default=60)
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--stats", help="also write corpus statistics (JSON) here")
    args = ap.parse_args(argv)

    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = Generator(args.seed)
    total = 0
    nbytes = 0
    nlines = 0
    for i in range(1, args.files + 1):
        fname, text, n = gen.make_file(i, args.statements_per_file)
        (out / fname).write_text(text)
        total += n
        nbytes += len(text.encode())
        nlines += text.count("\n")
    if args.stats:
        Path(args.stats).write_text(json.dumps({
            "files": args.files, "statements": total, "bytes": nbytes,
            "lines": nlines, "seed": args.seed, "dir": str(out)}, indent=2) + "\n")
    print(f"gen_corpus: wrote {args.files} files, {total} statements to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
