"""The feature definition and its version.

Features are what a model sees; events are what happened. Keeping the transformation here, with
a version that hashes its definition, means a model records exactly which definition it was
trained on and a changed definition never silently mixes with old rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pandas as pd

TRANSFORM_REVISION = 1  # bump when `transform` changes meaning
DERIVED = ("day_of_week",)


@dataclass(frozen=True)
class FeatureSet:
    """Numeric and categorical inputs of the model, plus features derived from event time."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    #: Numeric inputs read off the event time (the hour of day). Monitored and shown in the drift
    #: report, but a single day's distribution of them follows the weekly cycle (later hours at
    #: weekends) while the reference spans a whole week, so they drift every weekend by design
    #: and do not count toward the dataset drift share (their importance weight is zero).
    calendar: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        return [*self.numeric, *DERIVED, *self.categorical]

    @property
    def monitored(self) -> list[str]:
        """Columns drift monitoring compares; derived calendar features drift by design, so not
        those (`calendar` inputs are compared, but weigh nothing in the dataset share)."""
        return [*self.numeric, *self.categorical]

    @property
    def version(self) -> str:
        definition = {
            "numeric": self.numeric, "categorical": self.categorical,
            "derived": DERIVED, "revision": TRANSFORM_REVISION,
        }
        digest = hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()
        return "fv-" + digest[:12]

    @property
    def schema(self) -> dict:
        """What a served model needs to validate and shape its input."""
        return {
            "numeric": [*self.numeric, *DERIVED],
            "categorical": list(self.categorical),
            "feature_version": self.version,
        }

    def transform(self, events: pd.DataFrame) -> pd.DataFrame:
        """Feature rows for a day of events, keyed by entity and event time."""
        missing = [c for c in [*self.numeric, *self.categorical] if c not in events.columns]
        if missing:
            raise ValueError(
                f"events lack feature column(s) {', '.join(missing)} ({len(events)} rows)"
            )
        columns = {  # built at once: column by column, 200 features warn 200 times a day
            "entity_id": events["entity_id"], "event_ts": events["event_ts"],
            **{col: pd.to_numeric(events[col], errors="coerce").astype("float64")
               for col in self.numeric},
            "day_of_week": pd.to_datetime(events["event_ts"]).dt.day_of_week.astype("float64"),
            **{col: events[col].astype("object").where(events[col].notna(), None)
               for col in self.categorical},
        }
        return pd.DataFrame(columns).assign(feature_version=self.version)
