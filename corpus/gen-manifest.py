#!/usr/bin/env python3
"""Regenerate corpus/manifest.json from the corpus files.

An implementation of the tools' layout rules independent of check.sh (which
cross-checks the result with `check.sh -p`). The adoption points and the
designed hazards are data in this file (CORPORA, H): edit them here.
Usage: python3 corpus/gen-manifest.py
"""
import hashlib, json, os, re, zlib

C = os.path.dirname(os.path.abspath(__file__))

def rel(root, p): return os.path.relpath(p, os.path.join(C, root))

def nstatements(text):
    s = re.sub(r'--[^\n]*', '', text)
    s = re.sub(r'\$\$.*\$\$', '', s, flags=re.S)
    n = s.count(';')
    if re.search(r'[^;\s]\s*$', s): n += 1
    return n

def flyway_crc(path):
    data = open(path, 'rb').read().decode('utf-8')
    if data.startswith('\ufeff'): data = data[1:]
    lines = re.split(r'\r\n|\r|\n', data)
    if lines and lines[-1] == '': lines = lines[:-1]
    c = zlib.crc32(''.join(lines).encode('utf-8'))
    return c - 2**32 if c >= 2**31 else c

NONTX = re.compile(r'^\s*((CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|(CREATE|DROP)\s+(DATABASE|TABLESPACE|SUBSCRIPTION)|ALTER\s+SYSTEM|REINDEX(\s+VERBOSE)?\s+(SCHEMA|DATABASE|SYSTEM)|VACUUM|DISCARD\s+ALL)', re.I | re.M)

# Statements written to be dangerous on a live table, by version, named after
# the tack rule one would expect to fire (intent of the corpus, not tack output).
H = {
 'goose': {19: ['add-column-volatile-default'], 20: ['create-index-non-concurrently'],
           21: ['add-foreign-key'], 22: ['unbatched-update', 'set-not-null'], 23: ['unbatched-update']},
 'dbmate': {'20230905100000': ['add-column-volatile-default'], '20230919143000': ['create-index-non-concurrently'],
            '20231003090000': ['add-foreign-key'], '20231017120000': ['unbatched-update', 'set-not-null'],
            '20231101083000': ['unbatched-update']},
 'golang-migrate': {18: ['add-column-volatile-default'], 19: ['create-index-non-concurrently'], 20: ['add-foreign-key'],
                    21: ['unbatched-update', 'set-not-null'], 22: ['unbatched-update']},
 'diesel': {'20230808090000': ['add-column-volatile-default'], '20230822113000': ['create-index-non-concurrently'],
            '20230905140000': ['add-foreign-key'], '20230919101500': ['unbatched-update', 'set-not-null'],
            '20231003083000': ['unbatched-update']},
 'sqlx': {20230711100000: ['add-column-volatile-default'], 20230725140000: ['create-index-non-concurrently'],
          20230808091500: ['add-foreign-key'], 20230822160000: ['unbatched-update', 'set-not-null'],
          20230905110000: ['unbatched-update']},
 'sqlx-reversible': {20230426110000: ['add-column-volatile-default'],
                     20230510093000: ['create-index-non-concurrently', 'add-foreign-key'],
                     20230524140000: ['unbatched-update', 'set-not-null']},
 'flyway': {'14': ['add-column-volatile-default'], '15': ['create-index-non-concurrently'], '16': ['add-foreign-key'],
            '17': ['unbatched-update', 'set-not-null'], '18': ['unbatched-update']},
}

def goose():
    root = 'goose'; d = os.path.join(C, root); out = []
    for f in os.listdir(d):
        m = re.match(r'^(\d+)_(.*)\.sql$', f)
        if not m: continue
        text = open(os.path.join(d, f)).read()
        tx = not re.search(r'^--\s*\+goose\s+NO TRANSACTION\s*$', text, re.M | re.I)
        v = int(m.group(1))
        out.append(dict(version=v, name=m.group(2), files=[f], up=f + '#up', down=f + '#down',
                        transactional=tx, tool_transaction=tx, down_transactional=tx,
                        history_row={'version_id': v, 'is_applied': True}))
    return sorted(out, key=lambda x: x['version'])

def dbmate():
    root = 'dbmate/db/migrations'; d = os.path.join(C, root); out = []
    for f in sorted(os.listdir(d)):
        m = re.match(r'^(\d+)(?:_(.*))?\.sql$', f)
        if not m: continue
        text = open(os.path.join(d, f)).read()
        up = re.search(r'^--\s*migrate:up(\s*$|\s+\S+).*$', text, re.M)
        dn = re.search(r'^--\s*migrate:down(\s*$|\s+\S+)$', text, re.M)
        utx = 'transaction:false' not in up.group(0).split()
        dtx = 'transaction:false' not in text[dn.start():].split('\n', 1)[0].split()
        out.append(dict(version=m.group(1), name=m.group(2), files=[f], up=f + '#up', down=f + '#down',
                        transactional=utx, tool_transaction=utx, down_transactional=dtx,
                        history_row={'version': m.group(1)}))
    return out

def golang_migrate():
    root = 'golang-migrate/migrations'; d = os.path.join(C, root); out = []
    for f in os.listdir(d):
        m = re.match(r'^(\d+)_(.*)\.up\.(.*)$', f)
        if not m: continue
        v = int(m.group(1)); down = f.replace('.up.', '.down.')
        up_text = open(os.path.join(d, f)).read(); down_text = open(os.path.join(d, down)).read()
        out.append(dict(version=v, name=m.group(2), files=[f, down], up=f, down=down,
                        transactional=nstatements(up_text) > 1, tool_transaction=False,
                        down_transactional=nstatements(down_text) > 1,
                        explicit_transaction=bool(re.search(r'^\s*BEGIN\s*;', up_text, re.M | re.I)),
                        history_row={'version': v, 'dirty': False}))
    return sorted(out, key=lambda x: x['version'])

def diesel():
    root = 'diesel/migrations'; d = os.path.join(C, root); out = []
    for name in os.listdir(d):
        p = os.path.join(d, name)
        if name.startswith('.') or not os.path.isdir(p) or not os.path.exists(os.path.join(p, 'up.sql')): continue
        v = name.split('_')[0].replace('-', '')
        tx = True
        md = os.path.join(p, 'metadata.toml')
        if os.path.exists(md):
            mm = re.findall(r'^\s*run_in_transaction\s*=\s*(true|false)\s*(?:#.*)?$', open(md).read(), re.M)
            tx = bool(mm) and mm[-1] == 'true'
        files = sorted(os.path.join(name, x) for x in os.listdir(p))
        out.append(dict(version=v, name=name.split('_', 1)[1], directory=name, files=files,
                        up=name + '/up.sql', down=name + '/down.sql',
                        transactional=tx, tool_transaction=tx, down_transactional=tx,
                        history_row={'version': v}))
    return sorted(out, key=lambda x: x['version'])

def sqlx(root):
    d = os.path.join(C, root); out = []
    for f in os.listdir(d):
        parts = f.split('_', 1)
        if len(parts) != 2 or not parts[1].endswith('.sql') or f.endswith('.down.sql'): continue
        v = int(parts[0])
        rest = parts[1]
        suffix = '.up.sql' if rest.endswith('.up.sql') else '.sql'
        desc = rest[:-len(suffix)].replace('_', ' ')
        raw = open(os.path.join(d, f), 'rb').read()
        tx = not raw.startswith(b'-- no-transaction')
        files = [f]; down = None; dtx = None
        if suffix == '.up.sql':
            down = f[:-len('.up.sql')] + '.down.sql'; files.append(down)
            dtx = not open(os.path.join(d, down), 'rb').read().startswith(b'-- no-transaction')
        out.append(dict(version=v, name=rest[:-len(suffix)], description=desc, files=files, up=f, down=down,
                        transactional=tx, tool_transaction=tx, down_transactional=dtx,
                        checksum_sha384=hashlib.sha384(raw).hexdigest(),
                        history_row={'version': v, 'description': desc, 'success': True,
                                     'checksum': '\\x' + hashlib.sha384(raw).hexdigest()}))
    return sorted(out, key=lambda x: x['version'])

def flyway():
    root = 'flyway/sql'; d = os.path.join(C, root); vs = []; rs = []
    for f in os.listdir(d):
        p = os.path.join(d, f)
        conf = p + '.conf'
        def tx_of(path):
            c = path + '.conf'
            if os.path.exists(c):
                mm = re.findall(r'^\s*executeInTransaction\s*=\s*(true|false)\s*$', open(c).read(), re.M)
                if mm: return mm[-1] == 'true'
            return not NONTX.search(open(path).read())
        m = re.match(r'^V(.+?)__(.*)\.sql$', f)
        if m:
            ver = m.group(1).replace('_', '.')
            desc = m.group(2).replace('_', ' ')
            files = [f] + ([f + '.conf'] if os.path.exists(conf) else [])
            undo = 'U' + f[1:]
            if os.path.exists(os.path.join(d, undo)): files.append(undo)
            vs.append(dict(version=ver, name=m.group(2), description=desc, files=files, up=f,
                           down=undo if os.path.exists(os.path.join(d, undo)) else None,
                           transactional=tx_of(p), tool_transaction=tx_of(p),
                           down_transactional=tx_of(os.path.join(d, undo)) if os.path.exists(os.path.join(d, undo)) else None,
                           repeatable=False, checksum=flyway_crc(p),
                           history_row={'version': ver, 'description': desc, 'type': 'SQL', 'script': f,
                                        'checksum': flyway_crc(p), 'success': True}))
        m = re.match(r'^R__(.*)\.sql$', f)
        if m:
            desc = m.group(1).replace('_', ' ')
            rs.append(dict(version=None, name=m.group(1), description=desc, files=[f], up=f, down=None,
                           transactional=tx_of(p), tool_transaction=tx_of(p), down_transactional=None,
                           repeatable=True, checksum=flyway_crc(p),
                           history_row={'version': None, 'description': desc, 'type': 'SQL', 'script': f,
                                        'checksum': flyway_crc(p), 'success': True}))
    vs.sort(key=lambda x: [int(p) for p in x['version'].split('.')])
    rs.sort(key=lambda x: x['description'])
    allm = vs + rs
    for i, m in enumerate(allm, 1): m['history_row'] = dict(installed_rank=i, **m['history_row'])
    return allm

HIST = {
 'goose': ('goose_db_version',
   "CREATE TABLE goose_db_version (\n    id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,\n    version_id bigint NOT NULL,\n    is_applied boolean NOT NULL,\n    tstamp timestamp NOT NULL DEFAULT now()\n)",
   [{'version_id': 0, 'is_applied': True}]),
 'dbmate': ('schema_migrations', "create table if not exists public.schema_migrations (version varchar primary key)", []),
 'golang-migrate': ('schema_migrations', 'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null)', []),
 'diesel': ('__diesel_schema_migrations', "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (\n       version VARCHAR(50) PRIMARY KEY NOT NULL,\n       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP\n)", []),
 'sqlx': ('_sqlx_migrations', "CREATE TABLE IF NOT EXISTS _sqlx_migrations (\n    version BIGINT PRIMARY KEY,\n    description TEXT NOT NULL,\n    installed_on TIMESTAMPTZ NOT NULL DEFAULT now(),\n    success BOOLEAN NOT NULL,\n    checksum BYTEA NOT NULL,\n    execution_time BIGINT NOT NULL\n)", []),
 'flyway': ('flyway_schema_history', 'CREATE TABLE "public"."flyway_schema_history" (\n    "installed_rank" INT NOT NULL,\n    "version" VARCHAR(50),\n    "description" VARCHAR(200) NOT NULL,\n    "type" VARCHAR(20) NOT NULL,\n    "script" VARCHAR(1000) NOT NULL,\n    "checksum" INTEGER,\n    "installed_by" VARCHAR(100) NOT NULL,\n    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),\n    "execution_time" INTEGER NOT NULL,\n    "success" BOOLEAN NOT NULL\n);\nALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");\nCREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");', []),
}

CORPORA = [
 ('goose', 'goose', 'goose', 'team chat (workspaces, channels, messages)', goose, 'per_statement', 18, 'integer'),
 ('dbmate', 'dbmate', 'dbmate/db/migrations', 'room and desk booking', dbmate, 'single_query', '20230801093000', 'string'),
 ('golang-migrate', 'golang-migrate', 'golang-migrate/migrations', 'warehouse inventory', golang_migrate, 'single_query', 17, 'integer'),
 ('diesel', 'diesel', 'diesel/migrations', 'blog / CMS', diesel, 'single_query', '20230725160000', 'string'),
 ('sqlx', 'sqlx', 'sqlx/migrations', 'SaaS billing (simple, irreversible migrations)', lambda: sqlx('sqlx/migrations'), 'single_query', 20230627120000, 'integer'),
 ('sqlx-reversible', 'sqlx', 'sqlx-reversible/migrations', 'feature flags (reversible .up.sql/.down.sql migrations)', lambda: sqlx('sqlx-reversible/migrations'), 'single_query', 20230412150000, 'integer'),
 ('flyway', 'flyway', 'flyway/sql', 'product analytics', flyway, 'per_statement', '13', 'string'),
]

def main():
    corpora = []
    for name, tool, root, domain, fn, execution, upto, vkind in CORPORA:
        migs = fn()
        hk = 'sqlx' if tool == 'sqlx' else name
        tname, ddl, initial = HIST[hk]
        hz = H[name]
        versions = [m['version'] for m in migs]
        assert upto in versions, (name, upto)
        idx = versions.index(upto)
        for i, m in enumerate(migs):
            m['designed_hazards'] = hz.get(m['version'], [])
            m['pending_in_adoption'] = i > idx if not m.get('repeatable') else None
        # every designed hazard must be pending, and every pending migration has one
        for i, m in enumerate(migs):
            if m.get('repeatable'): continue
            if i > idx: assert m['designed_hazards'], (name, m['version'])
        c = dict(name=name, tool=tool, root=root, domain=domain, version_type=vkind,
                 execution=execution,
                 history_table=dict(name=tname, ddl=ddl, initial_rows=initial,
                                    holds='only the last applied version, one row' if tool == 'golang-migrate' else 'one row per applied migration'),
                 applied_up_to=upto,
                 migration_count=len([m for m in migs if not m.get('repeatable')]),
                 migrations=migs)
        corpora.append(c)
    doc = {
      'about': 'Migration corpora in the layouts of six migration tools; see README.md. Paths in "files", "up", "down" are relative to the corpus root ("root", relative to this file).',
      'fields': {
        'version': 'the version the tool derives from the file name and records in its history table (JSON number when the tool stores a bigint, string otherwise; null for Flyway repeatable migrations)',
        'files': 'every file that belongs to the migration (up, down/undo, metadata.toml, .sql.conf)',
        'up / down': 'file holding the Up / Down SQL; "#up" / "#down" means the section of a goose or dbmate file; down is null when there is none',
        'transactional': 'the Up SQL runs inside one transaction block: BEGIN/COMMIT issued by the tool, an explicit BEGIN in the file, or (single_query tools) the implicit transaction PostgreSQL gives a query string holding more than one statement',
        'tool_transaction': 'the tool itself wraps the Up SQL (and its history-table write) in BEGIN/COMMIT',
        'down_transactional': 'same as transactional, for the Down / undo SQL',
        'execution': 'per_statement: the tool splits the SQL and sends each statement as its own query (goose, Flyway); single_query: the whole section/file is sent as one simple-protocol query (dbmate, diesel, sqlx, golang-migrate)',
        'history_row': 'column values the tool writes to its history table when it applies this migration (timestamps, installed_by and execution_time left out); for golang-migrate the table holds only one row, the last applied version',
        'designed_hazards': 'statements in this migration written to be dangerous on a live, populated table, named after the tack rule expected to report them; only the pending migrations of the adoption scenario carry them (earlier migrations have dangerous statements too, but they are already applied)',
        'applied_up_to': 'suggested adoption point: record this version and every earlier one as applied; the pending rest all carry designed hazards',
        'pending_in_adoption': 'true when the migration is after applied_up_to (null for Flyway repeatable migrations, which are pending whenever their checksum differs from the recorded one)',
      },
      'corpora': corpora,
    }
    with open(os.path.join(C, 'manifest.json'), 'w') as fh:
        json.dump(doc, fh, indent=2)
        fh.write('\n')

main()
