"""The baseline: the smallest correct BentoML service around the same LightGBM model file.

What a BentoML user writes first: BentoML validates the body as ``list[dict]``, the records
become a DataFrame with the model's categories, LightGBM scores it. No schema, no sha256 or
sanity check, no prediction log, no custom metrics. The model file comes from
``CT_BENCH_MODEL_FILE``; one worker, like the champion service.
"""

from __future__ import annotations

import os
import typing as t

import bentoml


@bentoml.service(name="minimal_lightgbm", workers=1, traffic={"timeout": 60})
class Minimal:
    def __init__(self) -> None:
        import lightgbm as lgb

        self.booster = lgb.Booster(model_file=os.environ["CT_BENCH_MODEL_FILE"])
        self.features = self.booster.feature_name()
        cats = self.booster.pandas_categorical or []
        cat_cols = [f for f in self.features if f in os.environ["CT_BENCH_CATEGORICAL"].split(",")]
        self.categories = dict(zip(cat_cols, cats, strict=True))
        self.numeric = {f: "float64" for f in self.features if f not in self.categories}

    @bentoml.api
    def predict(self, records: list[dict[str, t.Any]]) -> dict[str, t.Any]:
        import pandas as pd

        # float64 so that a column of nulls is NaN (LightGBM refuses object columns)
        df = pd.DataFrame.from_records(records, columns=self.features).astype(self.numeric)
        for col, cats in self.categories.items():
            df[col] = pd.Categorical(df[col], categories=cats)
        return {"scores": self.booster.predict(df).tolist()}
