#!/usr/bin/env python3
"""Writes a schema of N tables (default 5,000) for the drift benchmark, as one migration file.

Every table has an identity primary key, a UNIQUE and a NOT NULL column, a CHECK, a foreign key to
the previous table of its schema, a default, a comment, and two more indexes (one partial); the
tables are spread over 10 schemas.

    python3 bench/gen_schema.py 5000 > V1__schema.sql
"""
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
schemas = 10
out = sys.stdout
for s in range(schemas):
    out.write(f"CREATE SCHEMA app{s};\n")
for i in range(n):
    s = i % schemas
    t = f"app{s}.t{i}"
    prev = i - schemas
    fk = f",\n    parent_id bigint REFERENCES app{s}.t{prev} (id)" if prev >= 0 else ",\n    parent_id bigint"
    out.write(
        f"CREATE TABLE {t} (\n"
        f"    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
        f"    code text NOT NULL UNIQUE,\n"
        f"    amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount >= 0),\n"
        f"    status text NOT NULL DEFAULT 'new',\n"
        f"    created_at timestamptz NOT NULL DEFAULT now(),\n"
        f"    note text{fk}\n"
        f");\n"
        f"CREATE INDEX t{i}_created_at_idx ON {t} (created_at);\n"
        f"CREATE INDEX t{i}_parent_idx ON {t} (parent_id) WHERE note IS NOT NULL;\n"
        f"COMMENT ON TABLE {t} IS 'table {i}';\n"
    )
