"""Sanity records for a bento: a few synthetic requests and the scores LightGBM gives them.

Why: ``/readyz`` must mean "this process scores like the model we promoted". The bento scores
requests through its own fast path (a numpy matrix of category codes); here the expected scores
come from LightGBM's pandas path in the build environment. A service whose scores differ (a
different LightGBM, a wrong category mapping) never reports ready. Pure: no Dagster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def sanity_records(features: list[str], categories: dict[str, list[Any]]) -> list[dict]:
    """All-missing; numerics 0 with each first category; numerics 1 with each last category."""
    def record(number: float | None, pick: int | None) -> dict[str, Any]:
        return {
            f: (None if pick is None else categories[f][pick] if categories[f] else None)
            if f in categories else number
            for f in features
        }

    return [record(None, None), record(0.0, 0), record(1.0, -1)]


def sanity_scores(model_file: str | Path, categorical: list[str]) -> dict[str, Any]:
    """``{"records": [...], "scores": [...]}`` for ``pinned_model.json``."""
    import lightgbm as lgb
    import pandas as pd

    booster = lgb.Booster(model_file=str(model_file))
    features = booster.feature_name()
    cat_cols = [f for f in features if f in set(categorical)]
    cats = dict(zip(cat_cols, booster.pandas_categorical or [], strict=True))
    records = sanity_records(features, {c: list(v) for c, v in cats.items()})
    frame = pd.DataFrame.from_records(records, columns=features)
    for col in features:
        if col in cats:
            frame[col] = pd.Categorical(frame[col], categories=cats[col])
        else:
            frame[col] = frame[col].astype("float64")
    scores = [float(s) for s in booster.predict(frame)]
    return {"records": _plain(records), "scores": scores}


def _plain(records: list[dict]) -> list[dict]:
    """numpy scalars (from pandas_categorical) -> JSON-native values."""
    return [{k: v.item() if hasattr(v, "item") else v for k, v in r.items()} for r in records]
