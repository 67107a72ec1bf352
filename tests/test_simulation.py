"""The built-in event source: determinism, schema, label latency and the scripted scenario.

Each test checks a property the rest of the system relies on: drift monitoring must see the
covariate shift and the concept change, the incident must blank exactly its feature and days,
and labels must arrive late, once, and only on the day their label_ts says.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from ct_assets.simulation import EventSimulator
from ct_assets.simulation.catalog import LEVELS
from ct_assets.simulation.generate import generate_day, label_arrays

SIM = EventSimulator(seed=0)


def _clear_cache() -> None:
    generate_day.cache_clear()
    label_arrays.cache_clear()


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    """Days 0-97 of the default stream with ground-truth labels and a day index column."""
    frames = [SIM.labeled_events(SIM.date_of(i)).assign(day=i) for i in range(98)]
    return pd.concat(frames, ignore_index=True)


def test_same_seed_same_stream_and_days_independent_of_order():
    day = date(2025, 1, 11)
    _clear_cache()
    alone = EventSimulator(seed=7).events(day)
    _clear_cache()
    sim = EventSimulator(seed=7)
    for i in range(10):  # generate other days first: day 10 must not depend on them
        sim.events(sim.date_of(i))
    pd.testing.assert_frame_equal(alone, sim.events(day))
    other = EventSimulator(seed=8).events(day)
    assert not np.allclose(alone["amount"].to_numpy()[:100], other["amount"].to_numpy()[:100])


def test_schema():
    ev = SIM.events(date(2025, 1, 2))
    assert 18 <= len(SIM.numeric) <= 20 and len(SIM.categorical) == 4
    assert list(ev.columns) == ["entity_id", "event_ts", *SIM.numeric, *SIM.categorical]
    assert ev["event_ts"].dtype == "datetime64[us]"
    assert all(ev[c].dtype == np.float64 for c in SIM.numeric)
    for c in SIM.categorical:
        assert all(isinstance(v, str) for v in ev[c]) and set(ev[c]) <= set(LEVELS[c])
    assert ev["merchant_category"].nunique() == 12 and ev["country"].nunique() == 10
    assert ev["event_ts"].is_monotonic_increasing
    assert (ev["event_ts"].dt.date == date(2025, 1, 2)).all()
    assert (ev["hour"] == ev["event_ts"].dt.hour).all()
    assert ev["num_cards_on_device"].nunique() <= 5
    assert ev["credit_utilization"].between(0, 1).all()
    ids = pd.concat([SIM.events(SIM.date_of(i))["entity_id"] for i in range(3)])
    assert ids.is_unique


def test_days_before_start_raise():
    with pytest.raises(ValueError, match="2024-12-31.*2025-01-01"):
        SIM.events(date(2024, 12, 31))
    with pytest.raises(ValueError, match="before"):
        SIM.labels(date(2024, 12, 1))


def test_labels_arrive_late_once_and_on_their_day():
    seen = []
    for i in range(61):
        day = SIM.date_of(i)
        lab = SIM.labels(day)
        assert lab["label"].dtype == np.int8
        assert (lab["label_ts"] > lab["event_ts"]).all()
        assert (lab["label_ts"].dt.date == day).all()
        assert (lab["label_ts"] - lab["event_ts"]).max() <= pd.Timedelta(days=30)
        seen.append(lab)
    got = pd.concat(seen, ignore_index=True)
    assert got["entity_id"].is_unique
    truth = pd.concat([SIM.labeled_events(SIM.date_of(i)) for i in range(21)], ignore_index=True)
    merged = truth.merge(got, on="entity_id", how="left", suffixes=("", "_got"))
    assert merged["label_got"].notna().all()  # every event of days 0-20 labelled by day 60
    assert (merged["label"] == merged["label_got"]).all()
    assert (merged["event_ts"] == merged["event_ts_got"]).all()
    latency_days = (truth["label_ts"] - truth["event_ts"]).dt.total_seconds() / 86400
    assert 4 < latency_days.mean() < 9
    assert latency_days[truth["label"] == 1].mean() > latency_days[truth["label"] == 0].mean()


def test_positive_rate(history):
    rate = history.groupby("day")["label"].mean()
    assert 0.03 < rate.mean() < 0.08
    assert rate.rolling(7).mean().dropna().between(0.03, 0.085).all()


def test_incident_blanks_one_feature_on_its_days_only(history):
    missing = history.groupby("day")["merchant_risk_score"].apply(lambda s: s.isna().mean())
    assert (missing.loc[35:37] == 1.0).all()
    assert missing.drop(range(35, 38)).max() == 0.0
    base = history.groupby("day")["account_age_days"].apply(lambda s: s.isna().mean())
    assert 0.003 < base.mean() < 0.03
    quiet = EventSimulator(incident_days=None).events(date(2025, 2, 6))  # day 36
    assert quiet["merchant_risk_score"].notna().all()


def test_weekly_pattern(history):
    weekday = pd.to_datetime(history.groupby("day")["event_ts"].first()).dt.weekday
    volume = history.groupby("day").size()
    assert volume[weekday == 5].mean() > 1.1 * volume[weekday == 0].mean()
    weekend = history["event_ts"].dt.weekday >= 5
    assert history.loc[weekend, "hour"].mean() > history.loc[~weekend, "hour"].mean() + 0.5
    log_amount = np.log(history["amount"])
    assert log_amount[weekend].mean() > log_amount[~weekend].mean() + 0.05
    assert 2300 < volume.mean() < 2700


def test_slow_covariate_shift(history):
    early, late = history[history["day"] < 14], history[history["day"] >= 84]
    assert np.log(late["amount"]).mean() - np.log(early["amount"]).mean() > 0.3
    assert late["credit_utilization"].mean() - early["credit_utilization"].mean() > 0.05
    assert (late["country"] != "US").mean() - (early["country"] != "US").mean() > 0.15
    for stable in ("ip_risk_score", "customer_age", "device_trust_score"):
        diff = abs(late[stable].mean() - early[stable].mean()) / early[stable].std()
        assert diff < 0.05, stable


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    X = df[SIM.numeric + SIM.categorical].copy()
    for c in SIM.categorical:
        X[c] = pd.Categorical(X[c], categories=LEVELS[c])
    return X


def test_concept_change_degrades_an_old_model(history):
    before, after = history[history["day"].between(50, 54)], history[history["day"].between(56, 60)]
    online = ("online", "mobile_app")
    assert after["channel"].isin(online).mean() > before["channel"].isin(online).mean() + 0.12
    train = history[history["day"] <= 30]
    params = dict(n_estimators=120, learning_rate=0.08, num_leaves=15, n_jobs=1, verbose=-1)
    model = lgb.LGBMClassifier(**params).fit(_prepare(train), train["label"])

    def auc(lo: int, hi: int) -> float:
        test = history[history["day"].between(lo, hi)]
        return roc_auc_score(test["label"], model.predict_proba(_prepare(test))[:, 1])

    pre, post = auc(31, 40), auc(60, 70)
    assert 0.80 < pre < 0.92
    assert 0.05 < pre - post < 0.20


def test_scenario_follows_configuration():
    sim = EventSimulator(concept_change_day=20, incident_days=(5, 7), start=date(2025, 3, 1))
    s = sim.scenario
    assert s["concept_change"]["day"] == 20 and s["concept_change"]["date"] == "2025-03-21"
    assert s["incident"]["days"] == [5, 6] and s["incident"]["feature"] in sim.numeric
    assert set(s["covariate_shift"]["numeric"]) <= set(sim.numeric)
    assert sim.events(date(2025, 3, 6))["merchant_risk_score"].isna().all()
    never = EventSimulator(seed=SIM.seed, concept_change_day=None)
    pd.testing.assert_frame_equal(never.events(SIM.date_of(50)), SIM.events(SIM.date_of(50)))
    for i in (56, 57, 58):  # the change moves the channel mix; without it nothing happens
        online_share = [
            src.events(src.date_of(i))["channel"].eq("online").mean() for src in (SIM, never)
        ]
        assert online_share[0] > online_share[1] + 0.08


def test_generation_is_fast():
    _clear_cache()
    t0 = time.perf_counter()
    SIM.events(SIM.date_of(80))
    t1 = time.perf_counter()
    SIM.labels(SIM.date_of(79) + timedelta(days=2))  # a month of days not cached yet
    t2 = time.perf_counter()
    assert t1 - t0 < 0.25 and t2 - t1 < 2.0  # budget is 50 ms / 0.5 s; slack for busy CI
