"""Drift engine exactness: the one binned pass equals textbook binning on awkward columns,
Wasserstein-1 from the fine bins stays within max(1%, 0.002) of scipy on the raw data, the
current data is never sorted, strings equal categories, and version-1 profiles still read."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from ct_assets.drift import ReferenceProfile

N = 100_000
DATA = Path(__file__).parent / "data"


def _awkward(kind: str, rng: np.random.Generator, n: int, shift: float) -> np.ndarray:
    """Columns that break naive binning: heavy tails, steps, constants, gaps, huge offsets."""
    if kind == "student_t2":
        return rng.standard_t(2, n) + shift
    if kind == "pareto":  # infinite variance: binning only (see the Wasserstein test)
        return rng.pareto(1.2, n) * (1 + shift)
    if kind == "pareto_2_5":
        return rng.pareto(2.5, n) * (1 + shift)
    if kind == "lognormal_sigma2":
        return rng.lognormal(shift, 2.0, n)
    if kind == "poisson_steps":
        return rng.poisson(2.0 + 3 * shift, n).astype(np.float64)
    if kind == "rounded_steps":
        return np.round(rng.normal(shift, 1.0, n), 1)
    if kind == "bool_steps":
        return (rng.random(n) < 0.3 + shift / 2).astype(np.float64)
    if kind == "constant":
        return np.full(n, 7.0 + shift)
    if kind == "near_constant":
        return np.where(rng.random(n) < 0.002, rng.normal(1, 0.01, n), 1.0 + shift)
    if kind == "missing_30pct":  # NaN and +/-inf count as missing
        x = rng.normal(shift, 1.0, n)
        x[rng.random(n) < 0.3] = np.nan
        x[:3] = [np.inf, -np.inf, np.nan]
        return x
    if kind == "extremes_1e300":
        x = rng.normal(shift, 1.0, n)
        x[:4] = [1e300, -1e300, 5e-324, -5e-324]
        return x
    if kind == "offset_1e9":
        return 1e9 + rng.normal(shift, 1.0, n)
    if kind == "outliers_1e12":
        x = rng.normal(shift, 1.0, n)
        x[rng.random(n) < 0.003] = 1e12
        return x
    raise ValueError(kind)


KINDS = ["student_t2", "pareto", "pareto_2_5", "lognormal_sigma2", "poisson_steps", "rounded_steps",
         "bool_steps", "constant", "near_constant", "missing_30pct", "extremes_1e300",
         "offset_1e9", "outliers_1e12"]


def _textbook_counts(values: np.ndarray, edges: list[float]) -> np.ndarray:
    """Counts in (-inf, e0), [e0, e1), ..., [e_last, inf) plus non-finite: by comparisons."""
    x = np.asarray(values, dtype=np.float64)
    finite = x[np.isfinite(x)]
    lo = np.concatenate(([-np.inf], edges))
    hi = np.concatenate((edges, [np.inf]))
    counts = [int(np.sum((finite >= a) & (finite < b))) for a, b in zip(lo, hi, strict=True)]
    return np.array([*counts, x.size - finite.size])


def _direct_divergences(ref, cur):
    """PSI / KL / JS as documented: drop bins empty on both sides, smooth by 0.5, JS raw."""
    r, c = np.asarray(ref, float), np.asarray(cur, float)
    keep = (r > 0) | (c > 0)
    r, c = r[keep], c[keep]
    rs, cs = (r + 0.5) / (r.sum() + 0.5 * r.size), (c + 0.5) / (c.sum() + 0.5 * c.size)
    return (np.sum((cs - rs) * np.log(cs / rs)), np.sum(cs * np.log(cs / rs)),
            jensenshannon(r / r.sum(), c / c.sum(), base=2))


def _against_scipy(ref: np.ndarray, cur: np.ndarray) -> tuple[pd.Series, float]:
    """The report's row for `cur` against a profile of `ref`, and scipy's Wasserstein-1 of the
    finite values in the profile's reference standard deviations."""
    profile = ReferenceProfile.fit(pd.DataFrame({"v": ref}))
    row = profile.compare(pd.DataFrame({"v": cur})).features.loc["v"]
    scale = profile.features["v"]["std"] or 1.0
    exact = wasserstein_distance(ref[np.isfinite(ref)], cur[np.isfinite(cur)])
    return row, exact / (scale if scale > 1e-12 else 1.0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("shift", [0.0, 0.3])
def test_bins_and_divergences_equal_a_textbook_implementation(kind, shift):
    rng = np.random.default_rng(KINDS.index(kind))
    ref, cur = _awkward(kind, rng, N, 0.0), _awkward(kind, rng, N // 2, shift)
    profile = ReferenceProfile.fit(pd.DataFrame({"v": ref}))
    spec = profile.features["v"]
    edges = spec["edges"]
    cur = np.concatenate([cur, edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)])
    report = profile.compare(pd.DataFrame({"v": cur}))
    want_ref, want_cur = _textbook_counts(ref, edges), _textbook_counts(cur, edges)
    assert report.bins["v"]["ref"] == want_ref.tolist()  # the reference's own bins
    assert report.bins["v"]["cur"] == want_cur.tolist()  # values at and next to every edge
    fine = spec["fine"]
    assert fine["counts"] == _textbook_counts(ref, fine["edges"])[:-1].tolist()
    psi, kl, js = _direct_divergences(want_ref, want_cur)
    row = report.features.loc["v"]
    assert row["psi_raw"] == pytest.approx(psi, rel=1e-12, abs=1e-15)
    assert row["kl_raw"] == pytest.approx(kl, rel=1e-12, abs=1e-15)
    bias = (np.count_nonzero(want_ref) - 1) * (1 / want_ref.sum() + 1 / want_cur.sum())
    assert row["js"] == pytest.approx(np.sqrt(max(js**2 - bias / (8 * np.log(2)), 0)),
                                      rel=1e-9, abs=1e-12)  # a difference of near-equals


@pytest.mark.parametrize("kind", ["student_t2", "pareto_2_5", "lognormal_sigma2",
                                  "poisson_steps", "rounded_steps", "bool_steps", "constant",
                                  "missing_30pct", "offset_1e9"])
@pytest.mark.parametrize("shift", [0.0, 0.1, 0.5])
def test_wasserstein_within_one_percent_or_0002_of_scipy(kind, shift):
    """(Exact where the two CDFs do not cross inside a fine bin. Tails with infinite variance
    and no shift, e.g. Pareto 1.2, can read up to ~0.003 sd low: README, drift section.)"""
    rng = np.random.default_rng(100 + KINDS.index(kind))
    row, exact = _against_scipy(_awkward(kind, rng, N, 0.0), _awkward(kind, rng, N, shift))
    assert abs(row["wasserstein"] - exact) <= max(0.01 * exact, 0.002), (row["wasserstein"],
                                                                          exact)
    if kind == "constant" and shift == 0.0:
        assert row["wasserstein"] == 0.0 and row["psi"] == 0.0


def test_compare_never_sorts_the_current_data_and_fit_sorts_each_column_once(monkeypatch):
    rng = np.random.default_rng(3)
    frame = pd.DataFrame({f"x{i}": rng.standard_t(3, 50_000) for i in range(4)})
    frame["k"] = rng.poisson(4, 50_000)
    sorted_sizes = []
    real_sort, real_argsort = np.sort, np.argsort
    monkeypatch.setattr(np, "sort", lambda a, *k, **kw: sorted_sizes.append(np.size(a))
                        or real_sort(a, *k, **kw))
    monkeypatch.setattr(np, "argsort", lambda a, *k, **kw: sorted_sizes.append(np.size(a))
                        or real_argsort(a, *k, **kw))
    profile = ReferenceProfile.fit(frame)
    assert sum(size >= 50_000 for size in sorted_sizes) == 5  # one sort per column
    sorted_sizes.clear()
    profile.compare(frame.iloc[::-1].reset_index(drop=True))
    assert not any(size >= 10_000 for size in sorted_sizes)  # small arrays only (nulls)


def test_string_and_category_columns_give_the_same_report():
    """Strings sharing objects (as a CSV reader gives them: counted by identity), strings with
    an object per row (as DuckDB gives them: hashed) and categories: one report."""
    rng = np.random.default_rng(4)
    levels = np.array([f"shop-{i:03d}" for i in range(300)], dtype=object)
    p = 1.0 / np.arange(1, 301)
    as_str = pd.DataFrame({"shop": levels[rng.choice(300, 40_000, p=p / p.sum())]})
    as_str.loc[::97, "shop"] = None
    cur = as_str.sample(frac=1.0, random_state=1).iloc[:15_000].copy()
    cur.iloc[:300, 0] = "brand-new"
    by_str = ReferenceProfile.fit(as_str, categorical=["shop"], max_levels=100)
    by_cat = ReferenceProfile.fit(as_str.astype("category"), categorical=["shop"],
                                  max_levels=100)
    assert by_str.features["shop"] | {"dtype": ""} == by_cat.features["shop"] | {"dtype": ""}
    fresh = cur.assign(shop=[(v + "!")[:-1] if isinstance(v, str) else None for v in cur["shop"]])
    assert fresh["shop"].iloc[1] is not cur["shop"].iloc[1]  # a new object per row, as DuckDB
    for cur_frame in (cur, cur.astype("category"), cur.astype(object), fresh):
        a, b = by_str.compare(cur_frame), by_cat.compare(cur_frame)
        pd.testing.assert_frame_equal(a.features, b.features)
        assert a.features.loc["shop", "unseen_share"] == pytest.approx(300 / 15_000)


def test_version1_profile_reads_and_compares_as_version1_did():
    """A profile saved by the first version (as homes on disk hold them) still reads: PSI, KL,
    JS and the shares are exactly version 1's, Wasserstein within 1%."""
    saved = json.loads((DATA / "drift_profile_v1.json").read_text())
    sys.path.insert(0, str(DATA))
    try:
        from drift_profile_v1 import frame
    finally:
        sys.path.remove(str(DATA))
    assert saved["profile"]["version"] == 1
    profile = ReferenceProfile.from_dict(saved["profile"])
    report = profile.compare(frame(2000, 2, 1))
    old = pd.DataFrame(saved["report"]).T
    exact = ["psi", "kl", "js", "psi_raw", "kl_raw", "missing_cur", "unseen_share"]
    pd.testing.assert_frame_equal(report.features[exact], old[exact].astype(float),
                                  check_exact=False, rtol=1e-9, atol=1e-15, check_names=False)
    w_new, w_old = report.features["wasserstein"], old["wasserstein"].astype(float)
    assert np.allclose(w_new[w_old.notna()], w_old.dropna(), rtol=0.01)
    again = ReferenceProfile.from_json(profile.to_json())  # written back as version 2
    assert json.loads(again.to_json())["version"] == 2
    with pytest.raises(ValueError, match="unsupported drift profile version 3.*refit"):
        ReferenceProfile.from_dict({**saved["profile"], "version": 3})


@pytest.mark.parametrize("lo, scale", [(-3.1, 1024.0), (1e9, 1 / 1024), (0.0, 8192.0),
                                       (-1e-300, 2.0**1000), (-7.25, 1000.0)])
def test_cell_starts_are_the_first_double_of_each_cell(lo, scale):
    from ct_assets.drift.cells import CellGrid

    grid = CellGrid(lo, scale, 4096)
    j = np.arange(1, 4098)
    start = grid.cell_start(j)
    assert (grid.cells_of(start) >= np.minimum(j, 4097)).all()
    assert (grid.cells_of(np.nextafter(start, -np.inf)) < j).all()
    assert (start == grid._bisect(j.astype(float)) + 0.0).all()  # the fast path = bisection


def test_a_sorted_reference_is_counted_like_any_other_column():
    from ct_assets.drift.binning import histogram

    rng = np.random.default_rng(8)
    for values in (rng.standard_t(2, 200_000), rng.poisson(3, 200_000).astype(float)):
        profile = ReferenceProfile.fit(pd.DataFrame({"v": values}))
        bins = profile.fine_bins()["v"]
        s = np.sort(values)
        a, b = histogram(s, bins, ordered=True), histogram(rng.permutation(values), bins)
        assert a[0].tolist() == b[0].tolist() == profile.features["v"]["fine"]["counts"]
        assert np.allclose(a[1], b[1], rtol=1e-12)


@pytest.mark.filterwarnings("error")  # an overflow warning here is a bug
def test_values_near_the_largest_double_give_finite_reports():
    rng = np.random.default_rng(12)
    ref = pd.DataFrame({"wide": np.r_[rng.normal(size=500), 1e300, -1e300],
                        "const": np.full(502, 5.0)})
    cur = pd.DataFrame({"wide": rng.standard_cauchy(400) * 1e200,
                        "const": rng.standard_cauchy(400) * 1e250})
    profile = ReferenceProfile.from_json(ReferenceProfile.fit(ref).to_json())
    report = profile.compare(cur)
    assert np.isfinite(report.features[["psi", "kl", "js", "wasserstein"]].to_numpy(float)).all()
    assert report.features["drifted"].all()
    json.dumps(report.to_dict(), allow_nan=False)


def test_outliers_that_stretch_the_core_never_merge_bins():
    """A few huge values in a small reference, or 10% of them in a large one: the PSI bins
    stay the reference's ventiles (exact binning instead of a useless grid)."""
    rng = np.random.default_rng(13)
    for values in (np.r_[rng.normal(size=500), 1e300, -1e300],
                   np.r_[rng.normal(size=20_000), np.full(1_000, 1e12), np.full(1_000, -1e12)]):
        profile = ReferenceProfile.fit(pd.DataFrame({"x": values}))
        spec = profile.features["x"]
        assert len(spec["edges"]) == 19 and max(spec["counts"]) < 0.2 * values.size
        cur = pd.DataFrame({"x": rng.normal(0.5, 1.0, 5_000)})
        assert profile.compare(cur).bins["x"]["cur"] == _textbook_counts(cur["x"],
                                                                         spec["edges"]).tolist()
