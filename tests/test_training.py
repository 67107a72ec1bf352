"""Training core: LightGBM model fit/predict/save/load, time split, metrics and promotion gates."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from ct_assets.checksum import sha256_file as sha256_of
from ct_assets.store import FeatureSet
from ct_assets.training import TrainedModel, evaluate, promotion_gates, split_by_time

SCHEMA = FeatureSet(numeric=("amount", "age"), categorical=("merchant",)).schema
N = 600


def _rows(n: int = N, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    merchant = rng.choice(np.array(["m0", "m1", "m2", "m3"], dtype=object), n)
    amount = rng.normal(0.0, 1.0, n)
    logit = 1.5 * amount + np.where(merchant == "m3", 2.0, -0.5)
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype("int8")
    return pd.DataFrame({
        "entity_id": [f"e{i}" for i in range(n)],
        "event_ts": pd.date_range("2025-01-01", periods=n, freq="h"),
        "amount": amount, "age": rng.uniform(18, 80, n),
        "day_of_week": rng.integers(0, 7, n).astype("float64"),
        "merchant": merchant, "label": label,
    })


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return _rows()


@pytest.fixture(scope="module")
def model(rows) -> TrainedModel:
    return TrainedModel.fit(rows, SCHEMA)


def test_split_by_time_keeps_order():
    frame = pd.DataFrame({"i": range(10)})
    old, new = split_by_time(frame, 0.2)
    assert old["i"].tolist() == list(range(8)) and new["i"].tolist() == [8, 9]
    old, new = split_by_time(frame, 0.25)  # 7.5 rounds to 8
    assert len(old) == 8 and len(new) == 2


def test_fit_learns_signal_and_records_task(model, rows):
    scores = model.predict(rows)
    assert scores.shape == (N,)
    assert ((scores > 0) & (scores < 1)).all()
    assert skm.roc_auc_score(rows["label"], scores) > 0.75
    assert model.schema["task"] == "binary"
    assert model.schema["numeric"] == SCHEMA["numeric"]


def test_fit_is_deterministic(model, rows):
    again = TrainedModel.fit(rows.copy(), SCHEMA)
    assert np.array_equal(again.predict(rows), model.predict(rows))
    assert again.booster.model_to_string() == model.booster.model_to_string()


def test_save_load_roundtrip_and_checksum(model, rows, tmp_path):
    path = tmp_path / "deep" / "model.txt"
    digest = model.save(path)
    assert digest == hashlib.sha256(path.read_bytes()).hexdigest() == sha256_of(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["model.txt"]  # no temporary left
    loaded = TrainedModel.load(path, model.schema)
    np.testing.assert_allclose(loaded.predict(rows), model.predict(rows), rtol=0, atol=1e-12)
    # saving again gives the same bytes
    assert model.save(tmp_path / "again.txt") == digest


def test_categorical_is_native_and_independent_of_frame_levels(model, rows, tmp_path):
    assert "merchant" in model.booster.feature_name()
    assert model.booster.pandas_categorical == [["m0", "m1", "m2", "m3"]]
    full = model.predict(rows)
    # a subset whose merchant column has fewer levels (other category codes) scores the same
    only_m3 = rows[rows["merchant"] == "m3"]
    np.testing.assert_allclose(model.predict(only_m3), full[only_m3.index], atol=1e-12)
    # the category matters: m3 rows score higher than the same rows relabelled m0
    as_m0 = only_m3.assign(merchant="m0")
    assert model.predict(only_m3).mean() > model.predict(as_m0).mean() + 0.1
    # same after a round trip through the model file
    path = tmp_path / "m.txt"
    model.save(path)
    loaded = TrainedModel.load(path, model.schema)
    np.testing.assert_allclose(loaded.predict(only_m3), full[only_m3.index], atol=1e-12)


def test_unseen_and_missing_category_at_predict_time(model, rows):
    probe = rows.iloc[:3].copy()
    probe["merchant"] = ["never-seen", None, "m3"]
    scores = model.predict(probe)
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert scores[2] == pytest.approx(model.predict(rows.iloc[[2]].assign(merchant="m3"))[0])


def test_importances_are_normalised_gain(model):
    imp = model.importances()
    assert set(imp) == {"amount", "day_of_week", "age", "merchant"}
    assert sum(imp.values()) == pytest.approx(1.0)
    assert all(v >= 0 for v in imp.values())
    assert imp["amount"] > imp["age"]  # amount carries the signal, age is noise


def test_regression_task(rows):
    data = rows.assign(label=rows["amount"] * 3.0 + (rows["merchant"] == "m1") * 5.0)
    model = TrainedModel.fit(data, SCHEMA, task="regression")
    pred = model.predict(data)
    assert model.schema["task"] == "regression"
    assert pred.min() < -1.0 or pred.max() > 1.0  # not squashed into a probability
    assert evaluate(data["label"], pred, "regression")["rmse"] < data["label"].std() / 2


# --- evaluate ----------------------------------------------------------------------------------


def test_evaluate_binary_matches_sklearn():
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])
    got = evaluate(y, s)
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(y, s))
    assert got["pr_auc"] == pytest.approx(skm.average_precision_score(y, s))
    assert got["log_loss"] == pytest.approx(skm.log_loss(y, s))
    assert got["brier"] == pytest.approx(skm.brier_score_loss(y, s))
    assert got["rows"] == 6 and got["positive_rate"] == pytest.approx(0.5)
    perfect = evaluate([0, 1], [0.0, 1.0])  # clipped: finite log loss
    assert perfect["roc_auc"] == 1.0 and np.isfinite(perfect["log_loss"])


def test_evaluate_regression_values():
    got = evaluate([1.0, 2.0, 3.0], [1.0, 2.0, 5.0], "regression")
    assert got["mae"] == pytest.approx(2 / 3)
    assert got["rmse"] == pytest.approx(np.sqrt(4 / 3))
    assert got["rows"] == 3


def test_evaluate_rejects_rows_that_cannot_support_metrics():
    with pytest.raises(ValueError, match="no labelled rows"):
        evaluate([], [])
    with pytest.raises(ValueError, match="no labelled rows"):
        evaluate([], [], "regression")
    with pytest.raises(ValueError, match=r"only one class \(1\) among 3"):
        evaluate([1, 1, 1], [0.2, 0.5, 0.9])


# --- promotion gates ---------------------------------------------------------------------------


def superior(*args, **kwargs):
    """The `superior` rule's gates (TFX's: minimum change, bootstrap lower bound)."""
    return promotion_gates(*args, rule="superior", **kwargs)


def test_gate_first_model_needs_floor_only():
    ok = superior("roc_auc", 0.61, None, floor=0.6, min_improvement=0.5)
    assert ok.passed and ok.gates == {"floor": True}
    assert "the first model passes the floor" in ok.reason and "champion" not in ok.reason
    at_floor = superior("roc_auc", 0.6, None, floor=0.6, min_improvement=0.0)
    assert at_floor.passed
    low = superior("roc_auc", 0.59, None, floor=0.6, min_improvement=0.0)
    assert not low.passed and low.gates == {"floor": False}
    assert "below the floor 0.6" in low.reason and "0.5900" in low.reason


def test_gate_floor_blocks_even_when_beating_champion():
    d = superior("roc_auc", 0.55, 0.50, floor=0.6, min_improvement=0.0)
    assert not d.passed
    assert d.gates == {"floor": False, "min_improvement": True}
    assert "floor" in d.reason


def test_gate_min_improvement_blocks_and_passes():
    blocked = superior("roc_auc", 0.72, 0.70, floor=0.6, min_improvement=0.05)
    assert not blocked.passed
    assert blocked.gates == {"floor": True, "min_improvement": False}
    assert "does not beat the champion's 0.7000 by 0.05" in blocked.reason
    passed = superior("roc_auc", 0.76, 0.70, floor=0.6, min_improvement=0.05)
    assert passed.passed and passed.gates == {"floor": True, "min_improvement": True}
    assert "vs champion 0.7000" in passed.reason
    # with no required improvement, equal is enough and worse is not
    assert superior("roc_auc", 0.70, 0.70, floor=0.6, min_improvement=0.0).passed
    assert not superior("roc_auc", 0.69, 0.70, floor=0.6, min_improvement=0.0).passed


def test_gate_lower_is_better_metric():
    # log loss: the floor is a ceiling and improvement means going down
    assert superior("log_loss", 0.40, None, floor=0.5, min_improvement=0.0).passed
    too_high = superior("log_loss", 0.55, None, floor=0.5, min_improvement=0.0)
    assert not too_high.passed and too_high.gates == {"floor": False}
    better = superior("log_loss", 0.30, 0.40, floor=0.5, min_improvement=0.05)
    assert better.passed and better.gates["min_improvement"] is True
    worse = superior("log_loss", 0.45, 0.40, floor=0.5, min_improvement=0.0)
    assert not worse.passed and worse.gates == {"floor": True, "min_improvement": False}
    small = superior("log_loss", 0.38, 0.40, floor=0.5, min_improvement=0.05)
    assert not small.passed


def test_gate_exact_required_improvement_passes():
    assert superior("roc_auc", 0.70, 0.65, floor=0.6, min_improvement=0.05).passed


def test_gate_floor_reason_for_lower_is_better_metric():
    d = promotion_gates("log_loss", 0.55, None, floor=0.5, min_improvement=0.0)
    assert not d.passed
    assert "below" not in d.reason
