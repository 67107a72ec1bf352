"""Drift on DuckDB: the SQL path gives the pandas path's report; bad input is named or flagged."""

from __future__ import annotations

import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from ct_assets.drift import ReferenceProfile

DAY1, DAY2, EMPTY = dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 3)
CATEGORICAL = ["color", "shop", "code", "member"]
EXACT = ["psi", "kl", "js", "psi_raw", "kl_raw", "missing_ref", "missing_cur", "unseen_share"]


def _day(n: int, seed: int, shift: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(0.4 if shift else 0.0, 1.0, n)
    x[rng.random(n) < 0.03] = np.nan
    x[:3] = [np.inf, -np.inf, 1e12]  # non-finite: missing; far out of range: the last bin
    shops = np.array([f"s{i:03d}" for i in range(300)], dtype=object)
    shop = shops[rng.zipf(1.5, n) % 300]
    if shift:
        shop[:200] = "brand-new"  # unseen levels
    color = rng.choice(np.array(["red", "green", "blue", None], dtype=object), n,
                       p=[0.5, 0.3, 0.15, 0.05] if not shift else [0.3, 0.3, 0.35, 0.05])
    return pd.DataFrame({
        "x": x,
        "price": np.round(rng.lognormal(1.0, 0.6, n), 1),  # many ties, some on the bin edges
        "count": rng.poisson(4.0 if shift else 3.0, n),  # integers: one bin per value
        "flag": rng.random(n) < (0.4 if shift else 0.2),  # booleans as numbers
        "const": np.full(n, 2.5),
        "color": color,
        "shop": shop,
        "code": rng.integers(0, 12, n),  # an integer categorical: levels "0".."11"
        "member": rng.random(n) < 0.5,  # a boolean categorical: "True" / "False"
    })


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """A real DuckDB file with a `features` table of two daily partitions."""
    path = tmp_path_factory.mktemp("drift") / "store.duckdb"
    con = duckdb.connect(str(path))
    frame = pd.concat([_day(20_000, 2, False).assign(day=DAY1),
                       _day(15_000, 3, True).assign(day=DAY2)])
    con.register("frame", frame)
    con.execute("CREATE TABLE features AS SELECT * FROM frame")
    con.unregister("frame")
    yield con
    con.close()


@pytest.fixture(scope="module")
def profile():
    return ReferenceProfile.fit(_day(30_000, 1, False), categorical=CATEGORICAL)


def _assert_same(a, b):
    pd.testing.assert_frame_equal(a.features[EXACT], b.features[EXACT], rtol=0, atol=1e-9)
    for col in ("drifted", "status", "kind"):
        assert a.features[col].tolist() == b.features[col].tolist(), col
    w_a, w_b = a.features["wasserstein"].astype(float), b.features["wasserstein"].astype(float)
    assert (w_a.isna() == w_b.isna()).all()
    both = w_a.notna()
    assert np.allclose(w_a[both], w_b[both], rtol=0.01, atol=1e-12)
    assert a.share == b.share and a.drifted == b.drifted and a.n_rows == b.n_rows
    assert a.bins == b.bins


@pytest.mark.parametrize("day", [DAY1, DAY2])
def test_duckdb_path_equals_pandas_path_on_a_real_file(db, profile, day):
    frame = db.execute("SELECT * FROM features WHERE day = ?", [day]).df().drop(columns="day")
    in_pandas = profile.compare(frame)
    in_sql = profile.compare(db, table="features", where="day = ?", params=[day],
                             in_memory_rows=0)
    fetched = profile.compare(db, table="features", where="day = ?", params=[day])
    _assert_same(in_pandas, fetched)  # a small day is fetched and compared in pandas
    _assert_same(in_pandas, in_sql)
    relation = db.sql(f"SELECT * EXCLUDE (day) FROM features WHERE day = DATE '{day}'")
    _assert_same(in_pandas, profile.compare(relation, in_memory_rows=0))
    if day == DAY2:  # the shifted day reads as drift, with its unseen shops
        assert in_sql.features.loc["shop", "unseen_share"] > 0.01 and in_sql.drifted
        assert {"x", "count", "flag", "color"} <= set(in_sql.drifted_features)
    else:
        assert not in_sql.features["drifted"].any(), in_sql.to_markdown()


def test_empty_partition_is_a_named_error(db, profile):
    with pytest.raises(ValueError, match=r"current data has 0 rows: features WHERE day = \?"):
        profile.compare(db, table="features", where="day = ?", params=[EMPTY])
    with pytest.raises(ValueError, match="2025-03-03"):
        profile.compare(db, table="features", where="day = ?", params=[EMPTY])
    with pytest.raises(ValueError, match="no table 'nope'"):
        profile.compare(db, table="nope")
    with pytest.raises(ValueError, match="needs table="):
        profile.compare(db)


def test_missing_column_all_missing_and_changed_dtype_are_flagged_rows(db, profile):
    db.execute("""CREATE OR REPLACE TEMP VIEW odd AS SELECT CAST(x AS VARCHAR) AS x, price,
                  NULL::DOUBLE AS count, NULL::VARCHAR AS color, shop, code, member, day
                  FROM features""")
    report = profile.compare(db, table="odd", where="day = ?", params=[DAY1], in_memory_rows=0)
    f = report.features
    for name in ("flag", "const"):  # not in the view
        assert f.loc[name, "status"] == "missing_column" and f.loc[name, "drifted"]
        assert f.loc[name, "missing_cur"] == 1.0
    assert f.loc["x", "status"] == "dtype_changed" and f.loc["x", "drifted"]
    assert "float64 -> VARCHAR" in f.loc["x", "reason"]
    assert f.loc["x", "missing_cur"] < 0.05  # numbers written as text are still read
    for name in ("count", "color"):
        assert f.loc[name, "status"] == "all_missing" and f.loc[name, "drifted"]
    assert report.extra_columns == ["day"]
    values = f[["psi", "kl", "js", "missing_cur", "severity"]].to_numpy(dtype=float)
    assert np.isfinite(values).all()


def test_duckdb_path_never_builds_a_frame_of_the_day(db, profile, monkeypatch):
    """Only aggregates come back: fetching rows into pandas would need `.df()` on the day."""
    calls = []
    original = duckdb.DuckDBPyConnection.execute

    def spy(self, sql, *args, **kwargs):
        calls.append(sql)
        return original(self, sql, *args, **kwargs)

    monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", spy)
    profile.compare(db, table="features", where="day = ?", params=[DAY1], in_memory_rows=0)
    scans = [sql for sql in calls if "FROM (SELECT * FROM" in sql]
    aggregates = ("count(*)", "GROUP BY", "stddev_pop(")  # the std: of the constant column
    assert scans and all(any(a in sql for a in aggregates) for sql in scans)
    assert not any("row_number" in sql or "ORDER BY" in sql for sql in scans)  # no sort
