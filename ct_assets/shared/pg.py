"""Postgres connections for one model: its own schema, DuckDB-style `execute`.

The registry's SQL is written for DuckDB (`?` parameters, `con.execute(...).fetchall()`,
explicit BEGIN/COMMIT). `PgConnection` runs the same statements on Postgres, so the registry's
logic (one transaction per promotion, records written once) is the same code on both. Each
model gets a schema of its own (`ct_<name>`), so many models share one database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extensions

from ct_assets.errors import CTError

_PARAM = re.compile(r"\?")


def schema_of(model: str) -> str:
    return f"ct_{model.lower()}"


class PgConnection:
    """A psycopg2 connection in autocommit mode (a statement commits unless a BEGIN opened a
    transaction), with JSON left as text, as DuckDB returns it."""

    def __init__(self, raw: psycopg2.extensions.connection, schema: str):
        self.raw, self.schema = raw, schema

    def execute(self, sql: str, params=None):
        cursor = self.raw.cursor()
        if params:
            cursor.execute(_PARAM.sub("%s", sql.replace("%", "%%")), list(params))
        else:
            cursor.execute(sql)
        return cursor

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[PgConnection]:
        """One transaction: all of it commits, or none of it. `lock` names an advisory lock
        held until the end (schema creation by many processes at once)."""
        self.execute("BEGIN")
        try:
            if lock is not None:
                self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", [lock])
            yield self
            self.execute("COMMIT")
        except BaseException:
            self.execute("ROLLBACK")
            raise

    def ensure(self, ddl: str) -> None:
        """Create the schema and run `ddl` (idempotent statements) under an advisory lock:
        concurrent `CREATE ... IF NOT EXISTS` in Postgres can still collide."""
        with self.transaction(lock=f"ct-schema-{self.schema}"):
            self.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            self.execute(f'SET LOCAL search_path TO "{self.schema}"')
            self.execute(ddl)

    def close(self) -> None:
        self.raw.close()


def _text(value, _cursor):
    return value


JSON_AS_TEXT = psycopg2.extensions.new_type((114, 3802), "CT_JSON_AS_TEXT", _text)


@contextmanager
def connect(url: str, model: str) -> Iterator[PgConnection]:
    """A connection to `url` whose search path is the model's schema; closed after use."""
    try:
        raw = psycopg2.connect(url, connect_timeout=10, application_name=f"ct-assets {model}")
    except psycopg2.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "refused"
        raise CTError(f"setting 'storage.postgres': cannot connect to {url}: {first}") from None
    raw.autocommit = True
    psycopg2.extensions.register_type(JSON_AS_TEXT, raw)
    con = PgConnection(raw, schema_of(model))
    try:
        con.execute(f'SET search_path TO "{con.schema}"')
        yield con
    finally:
        con.close()
