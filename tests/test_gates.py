"""Promotion gates with a real paired bootstrap: each gate blocks and passes, worse never wins."""

import numpy as np
import pytest

from ct_assets.training import promotion_gates
from ct_assets.training.bootstrap import paired_improvement
from ct_assets.training.metrics import evaluate


def scores(n=4000, seed=0, signal=1.0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.2).astype(float)
    return y, 1 / (1 + np.exp(-(signal * (2 * y - 1) + rng.normal(size=n))))


def gate(y, contender, champion, **kwargs):
    """The `superior` rule unless `rule` says otherwise."""
    metric = kwargs.pop("metric", "roc_auc")
    kwargs.setdefault("rule", "superior")
    improvement = paired_improvement(metric, y, contender, champion)
    c, ch = (evaluate(y, s)[metric] for s in (contender, champion))
    return promotion_gates(metric, c, ch, floor=kwargs.pop("floor", 0.5),
                           min_improvement=kwargs.pop("min_improvement", 0.0),
                           improvement=improvement, **kwargs), improvement


def test_bootstrap_gate_blocks_an_improvement_within_the_noise():
    y, champion = scores()
    rng = np.random.default_rng(1)
    contender = np.clip(champion + rng.normal(scale=0.02, size=len(y)), 1e-3, 1 - 1e-3)
    decision, improvement = gate(y, contender, champion)
    assert improvement.low < 0 < improvement.low + 0.05
    assert not decision.gates["bootstrap"] and not decision.passed
    assert "bootstrap lower bound" in decision.reason


def test_bootstrap_gate_passes_a_clearly_better_contender():
    y, champion = scores(signal=0.6)
    _, better = scores(signal=1.5)
    decision, improvement = gate(y, better, champion)
    assert improvement.low > 0.02
    assert decision.passed and decision.gates == {"floor": True, "min_improvement": True,
                                                  "bootstrap": True}


def test_relative_change_gate_blocks_and_passes():
    y, champion = scores(signal=0.6)
    _, better = scores(signal=0.9)
    blocked, _ = gate(y, better, champion, min_relative_improvement=0.5)
    assert not blocked.gates["min_improvement"] and "by" in blocked.reason
    passed, _ = gate(y, better, champion, min_relative_improvement=0.01)
    assert passed.gates["min_improvement"]


def test_lower_is_better_metric_uses_the_right_direction():
    y, champion = scores(signal=0.6)
    _, better = scores(signal=1.5)
    decision, improvement = gate(y, better, champion, metric="log_loss", floor=1.0)
    assert improvement.value > 0 and decision.passed
    worse, _ = gate(y, champion, better, metric="log_loss", floor=1.0)
    assert not worse.passed


@pytest.mark.parametrize("seed", range(6))
def test_a_worse_contender_is_never_promoted(seed):
    y, champion = scores(seed=seed, signal=1.2)
    rng = np.random.default_rng(seed + 100)
    worse = np.clip(champion + rng.normal(scale=0.3, size=len(y)), 1e-3, 1 - 1e-3)  # less signal
    decision, _ = gate(y, worse, champion)
    assert evaluate(y, worse)["roc_auc"] < evaluate(y, champion)["roc_auc"]
    assert not decision.passed


def test_non_inferiority_promotes_a_contender_the_holdout_cannot_tell_apart():
    rng = np.random.default_rng(5)  # two models as good as each other, errors of their own
    y = (rng.random(4000) < 0.2).astype(float)
    champion, contender = (1 / (1 + np.exp(-((2 * y - 1) + rng.normal(size=len(y)))))
                           for _ in range(2))
    superior, improvement = gate(y, contender, champion)
    assert not superior.passed  # "must be better" keeps the champion on a tie
    decision, _ = gate(y, contender, champion, rule="non_inferior")
    assert improvement.low < 0 < improvement.high
    assert decision.passed and decision.gates == {"floor": True, "non_inferior": True}
    assert decision.rule == "non_inferior" and decision.reason.startswith("non_inferior:")


@pytest.mark.parametrize("seed", range(3))
def test_non_inferiority_still_rejects_a_contender_that_is_clearly_worse(seed):
    y, champion = scores(seed=seed, signal=1.2)
    rng = np.random.default_rng(seed + 100)
    worse = np.clip(champion + rng.normal(scale=0.3, size=len(y)), 1e-3, 1 - 1e-3)
    decision, improvement = gate(y, worse, champion, rule="non_inferior")
    assert improvement.high < 0 and not decision.passed
    assert not decision.gates["non_inferior"] and "worse than the champion" in decision.reason


def test_the_margin_tolerates_a_contender_a_little_worse():
    y, champion = scores(signal=1.2)
    rng = np.random.default_rng(7)
    worse = np.clip(champion + rng.normal(scale=0.3, size=len(y)), 1e-3, 1 - 1e-3)
    strict, improvement = gate(y, worse, champion, rule="non_inferior")
    lenient, _ = gate(y, worse, champion, rule="non_inferior",
                      margin=-improvement.high + 0.001)
    assert not strict.passed and lenient.passed


def test_first_model_needs_the_floor_only():
    y, model = scores()
    auc = evaluate(y, model)["roc_auc"]
    assert promotion_gates("roc_auc", auc, None, floor=0.6, min_improvement=0.5).passed
    assert not promotion_gates("roc_auc", auc, None, floor=0.99, min_improvement=0.0).passed


def test_a_day_level_advantage_is_judged_by_days_not_rows():
    """Rows of one day share their luck: resampling rows calls a one-week fluke certain."""
    rng = np.random.default_rng(0)
    day = np.repeat(np.arange(7), 1000)
    y = (rng.random(len(day)) < 0.2).astype(float)
    luck = np.repeat(rng.normal(0, 0.6, 7), 1000)  # model a suits some days, not others
    a, b = y * (1 + luck) + rng.normal(size=len(y)), y + rng.normal(size=len(y))
    rows = paired_improvement("roc_auc", y, a, b)
    days = paired_improvement("roc_auc", y, a, b, blocks=day)
    assert days.value == rows.value
    assert days.high - days.low > 3 * (rows.high - rows.low)
    few = paired_improvement("roc_auc", y[:3000], a[:3000], b[:3000], blocks=day[:3000])
    assert few.high - few.low < days.high - days.low  # 3 days: too few blocks, rows resampled


def test_the_floor_refuses_a_useless_model_not_a_small_holdout():
    """The floor checks the contender's AUC at its favourable bound: 30 rows cannot show that a
    model is useless, 4,000 rows of noise can."""
    import pandas as pd

    from ct_assets.settings import Settings
    from ct_assets.training.judge import judge

    def holdout(n, seed):
        rng = np.random.default_rng(seed)
        ts = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(n) % 30, unit="D")
        return pd.DataFrame({"label": (rng.random(n) < 0.3).astype(float), "event_ts": ts,
                             "label_ts": ts}), rng.random(n)  # scores: pure noise

    settings = Settings(gate_floor=0.55)
    small, noise = holdout(30, 3)
    auc = evaluate(small["label"], noise)["roc_auc"]
    first = judge(small, noise, None, None, settings).decision
    assert auc < 0.55 and first.passed, (auc, first.reason)
    big, noise = holdout(4000, 3)
    refused = judge(big, noise, None, None, settings).decision
    assert not refused.passed and "is below the floor 0.55" in refused.reason
    assert "(at best 0.5" in refused.reason
