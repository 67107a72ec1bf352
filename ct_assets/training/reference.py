"""The reference a champion's days are compared with, fitted once at training time.

The reference window is the snapshot's most recent days (its holdout): a whole weekly cycle,
as close as possible to the days that will be served, and out of sample for the model, so the
reference score distribution is what the model gives to data it has not seen. A reference
averaged over the whole training window would already lag a slow trend by half the window and
read as drift on the first served day.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd

from ct_assets.drift import ReferenceProfile
from ct_assets.training.model import TrainedModel


def reference_profiles(model: TrainedModel, rows: pd.DataFrame, monitored: list[str],
                       calendar: Iterable[str] = ()) -> dict:
    """Feature and score profiles of `rows`, weighted by the model's feature importances.

    Calendar features (read off the event time, see `FeatureSet.calendar`) are profiled but
    weigh nothing in the dataset drift share: one day against a week-long reference reads as
    drifted every weekend, which is the calendar, not a changed world.
    """
    uncounted = set(calendar)
    weights = {f: 0.0 if f in uncounted else w for f, w in model.importances().items()}
    features = ReferenceProfile.fit(rows[monitored], categorical=model.schema["categorical"],
                                    importances=weights)
    scores = ReferenceProfile.fit(pd.DataFrame({"score": model.predict(rows)}))
    return {"features": json.loads(features.to_json()), "score": json.loads(scores.to_json())}
