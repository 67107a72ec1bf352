"""Where the current rows are on DuckDB, and the small SQL builders the drift queries share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import duckdb

INTS = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "UHUGEINT"}
NUMERIC = INTS | {"BOOLEAN", "FLOAT", "DOUBLE"}


def ident(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def lit(value: float) -> str:
    return f"'{float(value)!r}'::DOUBLE"  # parsed exactly, unlike a DECIMAL literal


class Source:
    """The current rows: a connection with a table (and a WHERE with params), or a relation."""

    def __init__(self, data: object, table: str | None, where: str | None,
                 params: Sequence | Mapping | None):
        self.rel = data if isinstance(data, duckdb.DuckDBPyRelation) else None
        if self.rel is not None:
            if table or where:
                raise ValueError("a DuckDB relation is already the current data: no table/where")
            self.name, self.columns = "the DuckDB relation", dict(
                zip(self.rel.columns, map(str, self.rel.types), strict=True))
            return
        if not table:
            raise ValueError("comparing on a DuckDB connection needs table=... (and maybe where)")
        self.con, self.params = data, params if params is not None else []
        qualified = ".".join(ident(p) for p in table.split("."))
        self.sql = f"(SELECT * FROM {qualified}" + (f" WHERE {where})" if where else ")")
        shown = params.items() if isinstance(params, Mapping) else enumerate(params or [], 1)
        self.name = table + (f" WHERE {where}" if where else "") + "".join(
            f"{', ' if i else ' with '}${k} = {v}" for i, (k, v) in enumerate(shown))
        try:
            described = self.con.execute(f"DESCRIBE SELECT * FROM {qualified}").fetchall()
        except duckdb.CatalogException as exc:
            raise ValueError(f"current data: no table {table!r} in the DuckDB database") from exc
        self.columns = {row[0]: row[1] for row in described}

    def run(self, sql: str) -> duckdb.DuckDBPyRelation | duckdb.DuckDBPyConnection:
        """Run ``sql``, in which ``{src}`` (used once) stands for the current rows."""
        if self.rel is not None:
            return self.rel.query("drift_src", sql.replace("{src}", "drift_src"))
        return self.con.execute(sql.replace("{src}", self.sql), self.params)


def searchsorted_sql(x: str, cuts: list[str]) -> str:
    """SQL for the number of ``cuts`` (sorted SQL literals) <= x: a binary search of CASEs."""
    def node(lo: int, hi: int) -> str:  # answer in [lo, hi]
        if lo == hi:
            return str(lo)
        mid = (lo + hi + 1) // 2
        return f"CASE WHEN {x} >= {cuts[mid - 1]} THEN {node(mid, hi)} ELSE {node(lo, mid - 1)} END"
    return node(0, len(cuts))
