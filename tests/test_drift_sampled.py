"""Large references (over ``SAMPLE_ABOVE`` finite values) take their bin edges from a sample:
the stored counts must still be the reference's own, PSI/KL/JS must still equal a textbook
implementation on the stored edges, Wasserstein stay within max(1%, 0.002) of scipy, and the
same data must give the same profile."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_drift_exactness import (
    KINDS,
    _against_scipy,
    _awkward,
    _direct_divergences,
    _textbook_counts,
)

from ct_assets.drift import ReferenceProfile
from ct_assets.drift.sample import SAMPLE_ABOVE

N = 400_000  # 280,000 finite values with 30% missing: above the threshold
assert N * 0.7 > SAMPLE_ABOVE


@pytest.mark.parametrize("kind", ["student_t2", "pareto", "poisson_steps", "rounded_steps",
                                  "constant", "near_constant", "missing_30pct",
                                  "extremes_1e300", "outliers_1e12"])
def test_sampled_bins_and_divergences_equal_a_textbook_implementation(kind):
    rng = np.random.default_rng(200 + KINDS.index(kind))
    ref, cur = _awkward(kind, rng, N, 0.0), _awkward(kind, rng, 20_000, 0.3)
    profile = ReferenceProfile.from_json(ReferenceProfile.fit(pd.DataFrame({"v": ref})).to_json())
    spec = profile.features["v"]
    edges = spec["edges"]
    assert len(edges) <= 19 and spec["n_missing"] == int(np.sum(~np.isfinite(ref)))
    fine = spec["fine"]
    assert fine["counts"] == _textbook_counts(ref, fine["edges"])[:-1].tolist()
    cur = np.concatenate([cur, edges, np.nextafter(edges, -np.inf), np.nextafter(edges, np.inf)])
    report = profile.compare(pd.DataFrame({"v": cur}))
    want_ref, want_cur = _textbook_counts(ref, edges), _textbook_counts(cur, edges)
    assert report.bins["v"]["ref"] == want_ref.tolist()
    assert report.bins["v"]["cur"] == want_cur.tolist()
    psi, kl, _ = _direct_divergences(want_ref, want_cur)
    row = report.features.loc["v"]
    assert row["psi_raw"] == pytest.approx(psi, rel=1e-12, abs=1e-15)
    assert row["kl_raw"] == pytest.approx(kl, rel=1e-12, abs=1e-15)
    finite = ref[np.isfinite(ref)]
    big = max(1.0, float(np.max(np.abs(finite))))  # squares of 1e300 overflow: scale
    tol = 1e-9 * max(1.0, spec["std"])  # a mean next to values of 1e300 is known to ~1e291
    assert spec["mean"] == pytest.approx(np.mean(finite / big) * big, rel=1e-9, abs=tol)
    assert spec["std"] == pytest.approx(np.std(finite / big) * big, rel=1e-9, abs=1e-9)
    if kind not in ("constant", "near_constant", "poisson_steps", "rounded_steps"):
        # ventiles of the sample, ~5% each; moved to cell starts (Pareto 1.2: up to 7%, as
        # the exact fit of the same column)
        assert max(spec["counts"]) < 0.075 * finite.size


@pytest.mark.parametrize("kind", ["student_t2", "pareto_2_5", "lognormal_sigma2",
                                  "poisson_steps", "rounded_steps", "constant",
                                  "missing_30pct", "offset_1e9"])
@pytest.mark.parametrize("shift", [0.0, 0.1, 0.5])
def test_sampled_wasserstein_within_one_percent_or_0002_of_scipy(kind, shift):
    rng = np.random.default_rng(300 + KINDS.index(kind))
    row, exact = _against_scipy(_awkward(kind, rng, N, 0.0), _awkward(kind, rng, 100_000, shift))
    assert abs(row["wasserstein"] - exact) <= max(0.01 * exact, 0.002), (row["wasserstein"],
                                                                          exact)


def test_sampled_fit_is_deterministic_sorts_no_column_and_counts_int_columns():
    rng = np.random.default_rng(21)
    frame = pd.DataFrame({"t": rng.standard_t(3, N), "k": rng.poisson(4, N),
                          "b": rng.random(N) < 0.3})
    first = ReferenceProfile.fit(frame).to_json()
    assert ReferenceProfile.fit(frame).to_json() == first  # same data, same profile
    json.loads(first)
    sizes = []
    real_sort = np.sort
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(np, "sort", lambda a, *k, **kw: sizes.append(np.size(a))
                   or real_sort(a, *k, **kw))
        profile = ReferenceProfile.fit(frame)
    assert sizes and max(sizes) < SAMPLE_ABOVE  # samples only
    for name in frame:
        spec, x = profile.features[name], frame[name].to_numpy(np.float64)
        assert spec["fine"]["counts"] == _textbook_counts(x, spec["fine"]["edges"])[:-1].tolist()
        assert spec["mean"] == pytest.approx(x.mean(), rel=1e-12)
        assert spec["std"] == pytest.approx(x.std(), rel=1e-9)


def test_a_large_column_with_few_finite_values_is_fitted_exactly():
    """The threshold is on finite values (judged on the sample): 160,000 of 400,000 rows are
    below it, so the column is sorted and its edges are its exact ventiles."""
    rng = np.random.default_rng(22)
    x = rng.normal(size=N)
    x[rng.random(N) < 0.6] = np.nan
    spec = ReferenceProfile.fit(pd.DataFrame({"x": x})).features["x"]
    finite = np.sort(x[np.isfinite(x)])
    n = finite.size
    assert n < SAMPLE_ABOVE and spec["n_missing"] == N - n
    exact = finite[(np.arange(1, 20) * n + 19) // 20 - 1]  # before moving to cell starts
    assert np.all(np.asarray(spec["edges"]) <= exact)
    assert np.all(np.asarray(spec["edges"]) > exact - (exact[-1] - exact[0]) / 1000)
