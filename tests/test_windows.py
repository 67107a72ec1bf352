"""Dynamic windows on data where the right answer is known."""

import numpy as np
import pandas as pd
import pytest

from ct_assets.training.snapshots import split_at
from ct_assets.training.windows import choose_window

SCHEMA = {"numeric": ["x1", "x2", "x3"], "categorical": ["c"], "feature_version": "fv-test"}
CANDIDATES = [7, 14, 30, 60, 0]


def stream(days: int, per_day: int, change_days_before_end: int | None, seed: int = 0):
    """Daily rows whose label depends on x1, then (after the change) on -x1 and x2."""
    rng = np.random.default_rng(seed)
    n = days * per_day
    day = np.repeat(np.arange(days), per_day)
    frame = pd.DataFrame({
        "event_ts": pd.Timestamp("2025-01-01") + pd.to_timedelta(day * 86400 + rng.integers(
            0, 86400, n), unit="s"),
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "x3": rng.normal(size=n),
        "c": rng.choice(["a", "b", "c"], n),
    })
    logit = 2.0 * frame["x1"] - 1.0
    if change_days_before_end is not None:
        after = day >= days - change_days_before_end
        logit = np.where(after, -2.0 * frame["x1"] + 2.0 * frame["x2"] - 1.0, logit)
    frame["label"] = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    return frame.sort_values("event_ts").reset_index(drop=True)


def choose(frame, holdout_days=7):
    start = frame["event_ts"].max().normalize() - pd.Timedelta(days=holdout_days - 1)
    train, holdout = split_at(frame, start)
    return choose_window(train, holdout, CANDIDATES, SCHEMA, "binary", "roc_auc",
                         min_rows=500)


@pytest.mark.parametrize("k", [14, 28])
def test_after_a_concept_change_k_days_ago_the_window_is_about_k_days(k):
    choice = choose(stream(days=100, per_day=300, change_days_before_end=k))
    assert choice.days != 0 and choice.days <= k + 2, choice.reason
    assert "beats" in choice.reason
    assert choice.scores[choice.days] > choice.scores[0] + 0.05  # and it really is better


def test_stationary_data_with_a_small_holdout_keeps_a_long_window():
    choice = choose(stream(days=100, per_day=60, change_days_before_end=None, seed=3))
    assert choice.days in (0, 60), choice.reason
    assert set(choice.scores) >= {0, 60, 30}


def test_windows_longer_than_the_history_are_trained_once():
    choice = choose(stream(days=20, per_day=200, change_days_before_end=None))
    assert 60 not in choice.scores and 30 not in choice.scores  # same rows as all history
    assert 0 in choice.scores


def test_no_usable_window_is_a_clear_error():
    frame = stream(days=20, per_day=10, change_days_before_end=None)
    with pytest.raises(ValueError, match="500 labelled rows"):
        choose(frame)
