"""Drift core: formulas, Wasserstein accuracy, serialisation, decisions and bad input."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.stats import wasserstein_distance

from ct_assets.drift import DriftThresholds, ReferenceProfile

N = 100_000


def _frame(n: int, seed: int, shift: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    levels = np.array(["a", "b", "c", "d"], dtype=object)
    p = [0.4, 0.3, 0.2, 0.1] if not shift else [0.15, 0.25, 0.3, 0.3]
    return pd.DataFrame(
        {
            "x": rng.normal(0.5 if shift else 0.0, 1.0, n),
            "y": rng.lognormal(0.0, 0.7, n),
            "k": rng.poisson(3.0, n),
            "flag": rng.random(n) < 0.2,
            "color": levels[rng.choice(4, n, p=p)],
        }
    )


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return _frame(20_000, 1)


@pytest.fixture(scope="module")
def profile(ref) -> ReferenceProfile:
    return ReferenceProfile.fit(ref, categorical=["color"])


def _smoothed_divergences(ref_counts, cur_counts):
    """Direct PSI / KL / JS on given bins, as documented (drop bins empty on both sides, +0.5)."""
    r, c = np.asarray(ref_counts, float), np.asarray(cur_counts, float)
    keep = (r > 0) | (c > 0)
    r, c = r[keep], c[keep]
    rs, cs = (r + 0.5) / (r.sum() + 0.5 * r.size), (c + 0.5) / (c.sum() + 0.5 * c.size)
    psi = np.sum((cs - rs) * np.log(cs / rs))
    kl = np.sum(cs * np.log(cs / rs))
    js = jensenshannon(r / r.sum(), c / c.sum(), base=2)
    bias = (np.count_nonzero(r) - 1) * (1 / r.sum() + 1 / c.sum())
    return psi, kl, js, bias


# --- formulas ------------------------------------------------------------------------------


def test_numeric_psi_kl_js_match_direct_formula_on_same_bins(ref, profile):
    cur = _frame(5_000, 2, shift=True)
    cur.loc[:99, "x"] = np.nan  # missing values are their own bin
    cur.loc[100, "x"] = 1e9  # out of the reference range: counted in the open last bin
    spec = profile.features["x"]
    edges = np.array(spec["edges"])
    assert len(edges) == 19 and np.all(np.diff(edges) > 0)
    lo, hi = np.concatenate(([-np.inf], edges)), np.concatenate((edges, [np.inf]))

    def counts(v):
        v = np.asarray(v, float)
        binned = [np.sum((v >= a) & (v < b)) for a, b in zip(lo, hi, strict=True)]
        return np.array([*binned, np.isnan(v).sum()])

    ref_counts, cur_counts = counts(ref["x"]), counts(cur["x"])
    assert ref_counts[:-1].tolist() == spec["counts"]
    assert cur_counts.sum() == len(cur)
    psi, kl, js, bias = _smoothed_divergences(ref_counts, cur_counts)
    row = profile.compare(cur).features.loc["x"]
    assert row["psi_raw"] == pytest.approx(psi, rel=1e-12)
    assert row["kl_raw"] == pytest.approx(kl, rel=1e-12)
    assert row["psi"] == pytest.approx(psi - bias, rel=1e-12)
    assert row["kl"] == pytest.approx(kl - bias / 2, rel=1e-12)
    assert row["js"] == pytest.approx(math.sqrt(js**2 - bias / (8 * math.log(2))), rel=1e-12)
    assert row["psi"] > 0.2 and row["drifted"]


def test_categorical_psi_kl_match_direct_formula(ref, profile):
    cur = _frame(5_000, 3, shift=True)
    cur.loc[:49, "color"] = None
    levels = ["a", "b", "c", "d"]
    r = [*ref["color"].value_counts().reindex(levels).tolist(), 0, 0, 0]  # other, unseen, missing
    c = [*cur["color"].value_counts().reindex(levels).tolist(), 0, 0, 50]
    psi, kl, js, bias = _smoothed_divergences(r, c)
    row = profile.compare(cur).features.loc["color"]
    assert row["psi_raw"] == pytest.approx(psi, rel=1e-12)
    assert row["kl_raw"] == pytest.approx(kl, rel=1e-12)
    assert row["psi"] == pytest.approx(psi - bias, rel=1e-12)
    assert row["js"] == pytest.approx(math.sqrt(js**2 - bias / (8 * math.log(2))), rel=1e-12)
    assert row["missing_cur"] == pytest.approx(0.01) and row["missing_ref"] == 0.0
    assert row["kind"] == "categorical" and math.isnan(row["wasserstein"])


def _mixture(rng, n, w):
    return np.where(rng.random(n) < w, rng.normal(0, 1, n), rng.normal(5, 1, n))


@pytest.mark.parametrize(
    "make",
    [
        lambda r, s: r.normal(0.1 * s, 1.0, N),
        lambda r, s: r.normal(0.0, 1.0 + 0.2 * s, N),
        lambda r, s: r.lognormal(0.1 * s, 1.0, N),
        lambda r, s: r.exponential(1.0 + 0.1 * s, N),
        lambda r, s: _mixture(r, N, 0.5 + 0.1 * s),
        lambda r, s: r.standard_t(3, N) + 0.1 * s,
    ],
    ids=["normal-mean", "normal-scale", "lognormal", "exponential", "mixture", "student-t3"],
)
def test_wasserstein_from_stored_grid_matches_scipy_on_raw_data(make):
    rng = np.random.default_rng(11)
    a, b = make(rng, 0), make(rng, 1)
    profile = ReferenceProfile.fit(pd.DataFrame({"v": a}))
    got = profile.compare(pd.DataFrame({"v": b})).features.loc["v", "wasserstein"] * np.std(a)
    assert got == pytest.approx(wasserstein_distance(a, b), rel=0.01)


def test_wasserstein_is_location_invariant_for_large_offsets():
    rng = np.random.default_rng(5)
    a, b = rng.normal(0, 1, N), rng.normal(0.2, 1, N)
    w = [
        ReferenceProfile.fit(pd.DataFrame({"v": a + off}))
        .compare(pd.DataFrame({"v": b + off}))
        .features.loc["v", "wasserstein"]
        for off in (0.0, 1e9)
    ]
    assert w[1] == pytest.approx(w[0], rel=1e-4) and w[0] == pytest.approx(0.2, rel=0.05)


# --- serialisation -------------------------------------------------------------------------


def test_json_roundtrip_is_exact_and_gives_identical_reports(ref):
    profile = ReferenceProfile.fit(ref, categorical=["color"], importances={"x": 3, "color": 1})
    text = profile.to_json()
    data = json.loads(text)  # plain JSON
    assert data["format"] == "ct-assets/drift-reference-profile" and "NaN" not in text
    again = ReferenceProfile.from_json(text)
    assert again.to_json() == text
    cur = _frame(3_000, 9, shift=True)
    a, b = profile.compare(cur), again.compare(cur)
    pd.testing.assert_frame_equal(a.features, b.features, check_exact=True)
    assert (a.share, a.drifted) == (b.share, b.drifted)


def test_from_json_rejects_other_documents():
    with pytest.raises(ValueError, match="not a drift reference profile"):
        ReferenceProfile.from_json('{"features": {}}')


# --- decisions -----------------------------------------------------------------------------


def test_unshifted_data_is_not_flagged(profile):
    for seed in (21, 22, 23):
        report = profile.compare(_frame(5_000, seed))
        assert not report.features["drifted"].any(), report.to_markdown()
        assert report.share == 0.0 and not report.drifted
        assert (report.features["status"] == "ok").all()


def test_shifted_data_is_flagged_with_reasons(profile):
    report = profile.compare(_frame(5_000, 31, shift=True))
    f = report.features
    assert f.loc["x", "drifted"] and f.loc["color", "drifted"]
    assert not f.loc[["y", "k", "flag"], "drifted"].any()
    assert "wasserstein" in f.loc["x", "reason"] and "psi" in f.loc["color", "reason"]
    assert report.share == pytest.approx(2 / 5) and report.drifted  # 0.4 >= 0.3
    assert report.drifted_features[0] in ("x", "color")
    assert set(f.columns) >= {
        "kind",
        "psi",
        "kl",
        "wasserstein",
        "js",
        "missing_ref",
        "missing_cur",
        "unseen_share",
        "drifted",
        "reason",
        "status",
    }


def test_high_cardinality_categorical_bias_is_removed():
    rng = np.random.default_rng(4)
    p = 1.0 / np.arange(1, 5001) ** 0.8
    levels = np.array([f"h{i:04d}" for i in range(5000)], dtype=object)
    a, b = (pd.DataFrame({"h": levels[rng.choice(5000, N, p=p / p.sum())]}) for _ in range(2))
    row = ReferenceProfile.fit(a, categorical=["h"], max_levels=5000).compare(b).features.loc["h"]
    assert row["psi_raw"] > 0.05  # the finite-sample bias a naive PSI would report
    assert row["psi"] < 0.02 and row["kl"] < 0.01 and not row["drifted"]


def test_unseen_levels_are_counted_and_pooled_tail_is_not_unseen():
    ref = pd.DataFrame({"c": ["a"] * 500 + ["b"] * 300 + ["rare1", "rare2"] * 100})
    profile = ReferenceProfile.fit(ref, categorical=["c"], max_levels=2)  # rare1/2 -> __other__
    cur = pd.DataFrame(
        {"c": ["a"] * 480 + ["b"] * 300 + ["rare1"] * 190 + ["new1"] * 20 + ["new2"] * 10}
    )
    row = profile.compare(cur).features.loc["c"]
    assert row["unseen_share"] == pytest.approx(30 / 1000)
    assert row["drifted"] and "unseen 0.03 > 0.02" in row["reason"]


def test_missing_share_increase_is_flagged(profile):
    cur = _frame(5_000, 41)
    cur.loc[: int(0.1 * len(cur)) - 1, "y"] = np.nan
    row = profile.compare(cur).features.loc["y"]
    assert row["missing_cur"] == pytest.approx(0.1) and row["drifted"]
    assert "missing 0.1 > 0.05" in row["reason"]


def test_per_feature_overrides_and_disabled_metrics(profile):
    cur = _frame(5_000, 51, shift=True)
    off = {m: None for m in ("psi", "kl", "js", "wasserstein")}
    report = profile.compare(cur, DriftThresholds(per_feature={"x": off}))
    assert not report.features.loc["x", "drifted"] and report.features.loc["color", "drifted"]
    with pytest.raises(ValueError, match="unknown metric"):
        DriftThresholds(per_feature={"x": {"psy": 0.1}})
    with pytest.raises(ValueError):
        DriftThresholds(psi=-1)


def test_importance_weighted_share(ref):
    cur = _frame(5_000, 61, shift=True)  # x and color drift
    weights = {"x": 6.0, "y": 1.0, "k": 1.0, "flag": 1.0, "color": 1.0, "unknown": 5.0}
    report = ReferenceProfile.fit(ref, categorical=["color"], importances=weights).compare(cur)
    assert report.share == pytest.approx(7 / 10)
    assert report.features["importance"].sum() == pytest.approx(1.0)
    low = ReferenceProfile.fit(
        ref, categorical=["color"], importances={"y": 5.0, "k": 5.0, "x": 0.1}
    )
    assert low.compare(cur).share == pytest.approx(0.1 / 10.1)  # color has no weight: counts 0
    assert not low.compare(cur).drifted
    zero = ReferenceProfile.fit(ref, categorical=["color"], importances={"x": 0.0})
    assert zero.compare(cur).share == pytest.approx(2 / 5)  # no positive weight: plain share
    with pytest.raises(ValueError, match="importance"):
        ReferenceProfile.fit(ref, categorical=["color"], importances={"x": -1.0})


def test_dataset_share_threshold_is_inclusive(profile):
    report = profile.compare(_frame(5_000, 71, shift=True), DriftThresholds(share=0.4))
    assert report.share == pytest.approx(0.4) and report.drifted
    assert not profile.compare(_frame(5_000, 71, shift=True), DriftThresholds(share=0.41)).drifted


# --- bins for awkward numeric columns ------------------------------------------------------


def test_tied_edges_collapse_for_discrete_and_near_constant_columns(profile, ref):
    k = profile.features["k"]
    assert k["edges"] == sorted(set(k["edges"])) and all(float(e).is_integer() for e in k["edges"])
    assert len(k["counts"]) == len(k["edges"]) + 1 and sum(k["counts"]) == 20_000
    per_value = [int((ref["k"] == e).sum()) for e in k["edges"][:-1]]
    assert k["counts"][1:-1] == per_value  # bins are [e_i, e_i+1): one integer value each
    assert profile.features["flag"]["edges"] == [0.0, 1.0]  # bools: one bin per value
    x = np.ones(10_000)
    x[:5] = 1.001
    near = ReferenceProfile.fit(pd.DataFrame({"v": x}))
    assert near.features["v"]["edges"] == [1.0]
    row = near.compare(pd.DataFrame({"v": np.ones(3_000)})).features.loc["v"]
    assert (
        np.isfinite(row[["psi", "kl", "js", "wasserstein"]].astype(float)).all()
        and not row["drifted"]
    )


# --- bad input -----------------------------------------------------------------------------

FINITE = ["psi", "kl", "js", "missing_ref", "missing_cur", "unseen_share", "severity"]


def _assert_finite(report):
    values = report.features[FINITE].to_numpy(dtype=float)
    assert np.isfinite(values).all(), report.features[FINITE]


def test_empty_frames_raise_clear_errors(profile, ref):
    with pytest.raises(ValueError, match="current data has 0 rows"):
        profile.compare(ref.iloc[:0])
    with pytest.raises(ValueError, match="reference data has 0 rows"):
        ReferenceProfile.fit(ref.iloc[:0])


def test_duplicate_and_non_string_column_names(profile, ref):
    with pytest.raises(ValueError, match="duplicate column names in current data"):
        profile.compare(pd.concat([ref, ref[["x"]]], axis=1))
    numbered = ReferenceProfile.fit(
        pd.DataFrame({0: [1.0, 2.0, 3.0], 1: ["a", "b", "a"]}), categorical=[1]
    )
    assert list(numbered.features) == ["0", "1"]
    again = ReferenceProfile.from_json(numbered.to_json())
    assert (
        not again.compare(pd.DataFrame({0: [1.0, 2.0, 3.0], 1: ["a", "b", "a"]}))
        .features["drifted"]
        .any()
    )


def test_fit_rejects_bad_column_lists(ref):
    with pytest.raises(ValueError, match="not in reference data"):
        ReferenceProfile.fit(ref, categorical=["nope"])
    with pytest.raises(ValueError, match="non-numeric"):
        ReferenceProfile.fit(ref, numeric=["color"])
    assert ReferenceProfile.fit(
        ref.assign(t=pd.Timestamp("2025-01-01")), categorical=["color"]
    ).numeric == [
        "x",
        "y",
        "k",
        "flag",
    ]


def test_feature_missing_from_current_is_a_flagged_row(profile):
    report = profile.compare(_frame(2_000, 81).drop(columns=["x", "color"]).assign(extra=1))
    f = report.features
    for name in ("x", "color"):
        assert f.loc[name, "status"] == "missing_column" and f.loc[name, "drifted"]
        assert (
            f.loc[name, "missing_cur"] == 1.0
            and "missing from current data" in f.loc[name, "reason"]
        )
    assert report.extra_columns == ["extra"]
    _assert_finite(report)


def test_all_missing_column_is_flagged_with_finite_psi(profile):
    cur = _frame(2_000, 82)
    cur["y"] = np.nan
    cur["color"] = None
    report = profile.compare(cur)
    for name in ("y", "color"):
        row = report.features.loc[name]
        assert row["missing_cur"] == 1.0 and row["status"] == "all_missing" and row["drifted"]
        assert row["psi"] > 1.0
    _assert_finite(report)


def test_constant_reference_column_gives_finite_metrics():
    profile = ReferenceProfile.fit(pd.DataFrame({"c": np.full(1_000, 7.0), "z": np.zeros(1_000)}))
    same = profile.compare(pd.DataFrame({"c": np.full(500, 7.0), "z": np.zeros(500)}))
    assert not same.features["drifted"].any() and (same.features["wasserstein"] == 0).all()
    moved = profile.compare(
        pd.DataFrame({"c": np.full(500, 8.0), "z": np.r_[np.zeros(450), np.ones(50)]})
    )
    assert moved.features["drifted"].all()
    assert np.isfinite(moved.features["wasserstein"]).all()
    _assert_finite(moved)


def test_changed_dtype_is_a_flagged_row(profile):
    cur = _frame(2_000, 83)
    cur["x"] = cur["x"].map(lambda v: f"{v:.3f}")  # numbers as strings: parsable, still flagged
    cur["y"] = "oops"
    report = profile.compare(cur)
    for name in ("x", "y"):
        row = report.features.loc[name]
        assert (
            row["status"] == "dtype_changed" and row["drifted"] and "dtype changed" in row["reason"]
        )
    assert report.features.loc["y", "missing_cur"] == 1.0
    _assert_finite(report)


def test_infinities_count_as_missing_and_nullable_dtypes_work(profile):
    cur = _frame(2_000, 84)
    cur.loc[:9, "x"] = np.inf
    cur["k"] = cur["k"].astype("Int64")
    cur.loc[:9, "k"] = pd.NA
    cur["color"] = cur["color"].astype("category")
    report = profile.compare(cur)
    assert report.features.loc["x", "missing_cur"] == pytest.approx(10 / 2_000)
    assert report.features.loc["k", "missing_cur"] == pytest.approx(10 / 2_000)
    assert not report.features["drifted"].any()
    _assert_finite(report)


# --- report forms --------------------------------------------------------------------------


def test_markdown_sorted_by_severity_and_dict_is_json(profile):
    report = profile.compare(_frame(3_000, 91, shift=True))
    md = report.to_markdown(top=3)
    rows = [line for line in md.splitlines() if line.startswith("| ") and "feature" not in line]
    assert len(rows) == 3
    ordered = report.features.sort_values("severity", ascending=False).index[:2].tolist()
    assert [r.split("|")[1].strip() for r in rows[:2]] == ordered
    assert "2 more features not shown" in md and "2 of 5 features drifted" in md
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["features"]["color"]["wasserstein"] is None and data["drifted"] is True


def test_drift_core_does_not_import_dagster():
    code = "import sys, ct_assets.drift; print('dagster' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
