"""Regression from settings: the same training, windows and gates with RMSE."""

import numpy as np
import pandas as pd

from ct_assets.settings import Settings
from ct_assets.training import TrainedModel, evaluate, promotion_gates
from ct_assets.training.bootstrap import paired_improvement
from ct_assets.training.windows import choose_window

SCHEMA = {"numeric": ["x1", "x2"], "categorical": ["c"], "feature_version": "fv-r"}


def frame(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame({
        "event_ts": pd.Timestamp("2025-01-01") + pd.to_timedelta(np.sort(rng.integers(
            0, 40 * 86400, n)), unit="s"),
        "x1": rng.normal(size=n), "x2": rng.normal(size=n), "c": rng.choice(["a", "b"], n)})
    data["label"] = 3 * data["x1"] - data["x2"] + (data["c"] == "a") * 2 + rng.normal(size=n)
    return data


def test_regression_settings_default_to_rmse():
    assert Settings(task="regression").metric == "rmse"


def test_a_regression_model_trains_scores_and_passes_gates_by_rmse():
    data = frame()
    train, holdout = data.iloc[:2400], data.iloc[2400:]
    choice = choose_window(train, holdout, [7, 14, 0], SCHEMA, "regression", "rmse", 200)
    model = choice.model
    assert model.schema["task"] == "regression"
    rmse = evaluate(holdout["label"], model.predict(holdout), "regression")["rmse"]
    assert rmse < 1.5  # noise sd is 1; a useless model would be near 3.3
    baseline = np.full(len(holdout), train["label"].mean())
    gain = paired_improvement("rmse", holdout["label"], model.predict(holdout), baseline)
    decision = promotion_gates("rmse", rmse, float(np.sqrt(((holdout["label"] - baseline) ** 2)
                               .mean())), floor=2.0, min_improvement=0.1, improvement=gain)
    assert gain.low > 1.0 and decision.passed
    assert not promotion_gates("rmse", rmse, None, floor=0.5, min_improvement=0).passed


def test_regression_model_roundtrips(tmp_path):
    data = frame(800)
    model = TrainedModel.fit(data, SCHEMA, "regression")
    model.save(tmp_path / "m.txt")
    again = TrainedModel.load(tmp_path / "m.txt", model.schema)
    np.testing.assert_allclose(again.predict(data), model.predict(data), rtol=0, atol=1e-12)
