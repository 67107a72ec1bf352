"""Current statistics computed inside DuckDB, so a 10M-row day never becomes a DataFrame.

Everything :func:`.compare.feature_row` needs is computed in SQL and only a few thousand numbers
per feature come back to Python:

- the row count;
- per numeric feature, one ``GROUP BY`` of a key that is the value's cell on the feature's
  :class:`.CellGrid` (the same IEEE multiply and add as :mod:`.binning`, so the same cell) for
  values in the core, and ``-2 - fine bin`` (a binary search of CASEs over the fine edges) for
  the few outside it; -1 for missing. Cells are mapped to fine bins in Python with the same
  table as the pandas path, so counts are equal, and so are positions (cell midpoints in the
  core, sums of the exact values outside it). No sort, no window: time is linear in rows and
  memory follows the number of cells;
- per categorical feature, ``GROUP BY`` of the level's string form (strings, integers and
  booleans written as pandas would); only distinct levels with their counts reach Python, so
  memory follows the number of levels, not rows.

Non-finite values count as missing, and a numeric column of another type is ``TRY_CAST`` to
DOUBLE and flagged, as in the pandas path. ``where`` and ``table`` are SQL written by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .binning import FineBins
from .categorical import current_categorical, tally
from .duck_source import INTS, NUMERIC, Source, ident, lit, searchsorted_sql
from .numeric import bin_means, is_constant, psi_counts


def _numeric_stats(src: Source, name: str, spec: dict, bins: FineBins) -> dict:
    """Fine-bin counts, positions, PSI counts (+ missing) of one numeric feature: one query."""
    x = "CASE WHEN isfinite(v) THEN v END"
    exact = f"-2 - ({searchsorted_sql('x', [lit(e) for e in bins.edges])})"
    if bins.grid is not None:
        g = bins.grid
        key = (f"CASE WHEN x IS NULL THEN -1 WHEN u >= 1 AND u < {g.cells + 1} "
               f"THEN CAST(trunc(u) AS BIGINT) ELSE {exact} END")
        u = f", (x - {lit(g.lo)}) * {lit(g.scale)} AS u"
    else:
        key, u = f"CASE WHEN x IS NULL THEN -1 ELSE {exact} END", ""
    rows = src.run(
        f"SELECT {key} AS key, count(*), sum(x) FROM (SELECT x{u} FROM (SELECT {x} AS x FROM "
        f"(SELECT TRY_CAST({ident(name)} AS DOUBLE) AS v FROM {{src}}))) GROUP BY key"
    ).fetchall()
    keys = np.array([r[0] for r in rows], dtype=np.int64)
    n = np.array([r[1] for r in rows], dtype=np.int64)
    total = np.array([r[2] or 0.0 for r in rows], dtype=np.float64)
    k = bins.edges.size + 1
    fine, sums = np.zeros(k, np.int64), np.zeros(k)
    core = keys >= 1
    if core.any():
        at = bins.table[keys[core]]
        fine += np.bincount(at, weights=n[core], minlength=k).astype(np.int64)
        sums += np.bincount(at, weights=n[core] * bins.mids[keys[core]], minlength=k)
    tail = keys <= -2
    fine += np.bincount(-2 - keys[tail], weights=n[tail], minlength=k).astype(np.int64)
    sums += np.bincount(-2 - keys[tail], weights=total[tail], minlength=k)
    n_missing = int(n[keys == -1].sum())
    out = {"counts": np.append(psi_counts(fine, bins.edges, spec["edges"]), n_missing),
           "fine": fine, "means": bin_means(fine, sums, bins.edges), "std": 0.0}
    if spec["std"] is not None and is_constant(spec["std"], spec["mean"]) and fine.sum():
        (std,) = src.run(f"SELECT stddev_pop(x) FROM (SELECT {x} AS x FROM (SELECT TRY_CAST("
                         f"{ident(name)} AS DOUBLE) AS v FROM {{src}}))").fetchall()[0]
        out["std"] = float(std or 0.0)
    return out


def _level_key(name: str, kind: str) -> str:
    """SQL for a level's string form as pandas writes it; other types are typed in Python."""
    col = ident(name)
    if kind == "VARCHAR":
        return col
    if kind in INTS or kind.startswith("ENUM"):
        return f"CAST({col} AS VARCHAR)"
    if kind == "BOOLEAN":
        return f"CASE WHEN {col} IS NULL THEN NULL WHEN {col} THEN 'True' ELSE 'False' END"
    return col


def small_frame(data: object, table: str | None, where: str | None,
                params: Sequence | Mapping | None, limit: int):
    """The current rows as a DataFrame when there are at most ``limit`` of them, else None."""
    if limit <= 0:
        return None
    src = Source(data, table, where, params)
    (n_rows,) = src.run("SELECT count(*) FROM {src}").fetchall()[0]
    return src.run("SELECT * FROM {src}").df() if 0 < n_rows <= limit else None


def sql_stats(profile: object, data: object, table: str | None, where: str | None,
              params: Sequence | Mapping | None) -> tuple[int, dict, list[str]]:
    """``(n_rows, {feature: (stats or None when absent, notes)}, extra columns)`` of the data."""
    src = Source(data, table, where, params)
    (n_rows,) = src.run("SELECT count(*) FROM {src}").fetchall()[0]
    if n_rows == 0:
        raise ValueError(f"current data has 0 rows: {src.name}")
    bins = profile.fine_bins()
    out: dict = {n: (None, []) for n in profile.features}
    for name, spec in profile.features.items():
        if name not in src.columns:
            continue
        kind = src.columns[name]
        if spec["kind"] == "numeric":
            ok = kind in NUMERIC or kind.startswith("DECIMAL")
            out[name] = (_numeric_stats(src, name, spec, bins[name]),
                         [] if ok else [f"dtype changed: {spec['dtype']} -> {kind}"])
        else:
            levels = src.run(f"SELECT {_level_key(name, kind)} AS k, count(*) AS c "
                             "FROM {src} GROUP BY ALL").df()
            out[name] = (current_categorical(*tally(levels["k"], levels["c"]), spec), [])
    return n_rows, out, [c for c in src.columns if c not in profile.features]
