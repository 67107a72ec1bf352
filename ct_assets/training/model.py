"""A LightGBM model with its feature schema, trained the same way every time.

Categorical features stay categorical (pandas `category` dtype, which LightGBM splits on
natively and whose levels it stores in the model file), early stopping watches a time-ordered
validation slice, and seeds are fixed so the same rows give the same model.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd

from ct_assets.checksum import sha256_file

# A learning rate of 0.1 (20 rounds of patience) trains in half the time, but cost 0.0035 mean
# AUC on every plain policy of the simulator's reference grid and 0.003 on flights
# (`benchmarks/policies`): 0.05 stays. 63 bins and 15 rounds of patience train a fifth faster
# and left the plain policies' AUC unchanged, but moved the policies benchmark (Seattle -0.003,
# and flights' drift verdict failed on its retrain share): 255 bins and 30 rounds stay.
PATIENCE = 30
PARAMS = {
    "learning_rate": 0.05, "num_leaves": 31, "min_data_in_leaf": 40,
    "feature_fraction": 0.8, "bagging_fraction": 0.8, "bagging_freq": 1,
    "seed": 7, "deterministic": True, "verbose": -1,
}
OBJECTIVES = {"binary": "binary", "regression": "regression"}


def min_leaf(rows: int) -> int:
    """Leaves of at least 40 rows, or of a tenth of a small training set (5 at least): with a
    fixed 40 a model of 100 rows cannot split at all and scores every row the same, and with
    much smaller leaves a model of a few hundred rows learns its noise (the monthly Seattle
    stream of `benchmarks/policies`: 0.67 AUC with leaves of 2%, 0.69 with a tenth)."""
    return int(min(PARAMS["min_data_in_leaf"], max(5, rows // 10)))


def split_by_time(frame: pd.DataFrame, tail_share: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split rows (sorted by event time) into the older part and the newest `tail_share`."""
    cut = int(round(len(frame) * (1 - tail_share)))
    return frame.iloc[:cut], frame.iloc[cut:]


def model_frame(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """The model's input columns with the dtypes LightGBM expects."""
    return pd.concat([frame[schema["numeric"]].astype("float64"),
                      *(frame[col].astype("category") for col in schema["categorical"])], axis=1)


@dataclass
class TrainedModel:
    """A booster and the schema of the frame it was trained on."""

    booster: lgb.Booster
    schema: dict

    @classmethod
    def fit(cls, rows: pd.DataFrame, schema: dict, task: str = "binary",
            valid_share: float = 0.2, rounds: int = 400, threads: int = 0) -> TrainedModel:
        """Train on `rows` (sorted by event time); `threads` 0 means every core. Early stopping
        on the newest `valid_share` of the rows; with 0, exactly `rounds` rounds on all of them
        (a recipe whose rounds a validated fit already found: see `ct_assets.training.refit`)."""
        params = {**PARAMS, "objective": OBJECTIVES[task], "num_threads": threads}
        if valid_share == 0:
            whole = lgb.Dataset(model_frame(rows, schema), rows["label"])
            booster = lgb.train({**params, "min_data_in_leaf": min_leaf(len(rows))}, whole,
                                num_boost_round=rounds)
            return cls(booster, {**schema, "task": task})
        train, valid = split_by_time(rows, valid_share)
        params["min_data_in_leaf"] = min_leaf(len(train))
        train_set = lgb.Dataset(model_frame(train, schema), train["label"], free_raw_data=False)
        valid_set = lgb.Dataset(model_frame(valid, schema), valid["label"], reference=train_set)
        booster = lgb.train(
            params, train_set, num_boost_round=rounds, valid_sets=[valid_set],
            callbacks=[lgb.early_stopping(PATIENCE, verbose=False)],
        )
        return cls(booster, {**schema, "task": task})

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        return self.booster.predict(model_frame(frame, self.schema),
                                    num_iteration=self.booster.best_iteration or None)

    def importances(self) -> dict[str, float]:
        """Gain importances, normalised to sum to 1 (weights for dataset drift)."""
        gain = self.booster.feature_importance("gain")
        total = float(gain.sum()) or 1.0
        return {n: float(g) / total for n, g in zip(self.booster.feature_name(), gain, strict=True)}

    def save(self, path: Path) -> str:
        """Write the model file atomically and return its sha256 (the temporary file is this
        process's own: replays sharing a fit cache may write the same path at once)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
        self.booster.save_model(str(tmp), num_iteration=self.booster.best_iteration or None)
        tmp.replace(path)
        return sha256_file(path)

    @classmethod
    def load(cls, path: Path, schema: dict) -> TrainedModel:
        return cls(lgb.Booster(model_file=str(path)), schema)

