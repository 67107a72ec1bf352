"""The values that cross module boundaries, each written and read in one place.

The drift report's and the performance report's numbers travel as Dagster metadata (so the UI
charts them per partition and the sensor reads them without opening DuckDB), and a run's reason
for being travels as its tags. Writers call `to_metadata` / `to_tags`; readers call
`from_metadata` / `from_tags`; nobody spells a key. Pure: no Dagster import.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

NONE = "none"  # a champion version or reference that does not exist yet


def _plain(metadata: dict) -> dict:
    """Metadata values as plain Python (Dagster's MetadataValue carries them in `.value`)."""
    return {key: getattr(value, "value", value) for key, value in metadata.items()}


@dataclass(frozen=True)
class DriftSummary:
    """What a day's drift report says: the dataset drift, and the evidence a retrain would have."""

    champion_version: str = NONE
    drift_share: float | None = None  #: importance-weighted share of drifted features
    drifted: bool = False
    drifted_features: str = NONE
    score_psi: float | None = None
    champion_cutoff: str | None = None
    reference_version: str | None = None
    labels_known: int = 0
    new_labels_since_champion: int = 0
    champion_rows: int = 0  #: labelled rows the champion trained on

    @property
    def has_champion(self) -> bool:
        return self.champion_version != NONE

    def to_metadata(self) -> dict[str, Any]:
        return {key: value for key, value in dataclasses.asdict(self).items()
                if value is not None or key in ("drift_share", "score_psi")}

    @classmethod
    def from_metadata(cls, metadata: dict) -> DriftSummary:
        values = _plain(metadata)
        return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls) if f.name in values})


@dataclass(frozen=True)
class PerformanceSummary:
    """The realised metric of the scores served for a day, and the champion's own apart.

    `champion_realised` against `champion_holdout` (what the champion scored on its holdout
    when it was promoted) is the concept-drift signal the retrain sensor reads.
    """

    metric: str
    metrics: dict[str, float] = field(default_factory=dict)  #: every metric, all served scores
    models: str = ""
    champion_version: str = NONE
    champion_rows: int = 0
    champion_positives: int = 0
    champion_holdout: float | None = None
    champion_realised: float | None = None

    @property
    def value(self) -> float | None:
        """The realised metric of all scores served for the day."""
        return self.metrics.get(self.metric)

    def to_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.metrics, "metric": self.metric, "models": self.models}
        if self.champion_version != NONE:
            out.update({"champion_version": self.champion_version,
                        "champion_rows": self.champion_rows,
                        "champion_positives": self.champion_positives,
                        f"champion_holdout_{self.metric}": self.champion_holdout})
            if self.champion_realised is not None:
                out[f"champion_{self.metric}"] = self.champion_realised
        return out

    @classmethod
    def from_metadata(cls, metadata: dict) -> PerformanceSummary | None:
        values = _plain(metadata)
        metric = values.get("metric")
        if metric is None:
            return None  # no labelled rows that day: the report says why, with no numbers
        metrics = {k: float(v) for k, v in values.items()
                   if k in METRICS and isinstance(v, int | float)}
        return cls(metric, metrics, str(values.get("models", "")),
                   str(values.get("champion_version", NONE)),
                   int(values.get("champion_rows", 0)), int(values.get("champion_positives", 0)),
                   values.get(f"champion_holdout_{metric}"), values.get(f"champion_{metric}"))


METRICS = ("roc_auc", "pr_auc", "log_loss", "brier", "rmse", "mae", "rows", "positive_rate")


TRIGGERS = ("drift", "schedule", "manual", "backtest")


RETRAIN_OF = "ct/retrain_of"  #: run tag: the shared run queue allows one retrain per model


@dataclass(frozen=True)
class RunTags:
    """Why a run started (`ct/trigger`, `ct/reason`, `ct/cutoff`) and, for a retrain, what it
    decided (`ct/outcome`: "v5 promoted, replaces v4", "v6 rejected, keeps v5")."""

    trigger: str = "manual"
    reason: str = "materialized by hand"
    cutoff: dt.date | None = None
    outcome: str | None = None
    interrupted: bool = False  #: killed before it finished; its work was redone by a resume

    def to_tags(self) -> dict[str, str]:
        tags = {"ct/trigger": self.trigger, "ct/reason": self.reason}
        if self.cutoff is not None:
            tags["ct/cutoff"] = self.cutoff.isoformat()
        if self.outcome is not None:
            tags["ct/outcome"] = self.outcome
        if self.interrupted:
            tags.update(self.interrupted_tag())
        return tags

    @classmethod
    def from_tags(cls, tags: dict[str, str]) -> RunTags:
        cutoff = tags.get("ct/cutoff")
        return cls(tags.get("ct/trigger", "manual"), tags.get("ct/reason", "materialized by hand"),
                   dt.date.fromisoformat(cutoff) if cutoff else None, tags.get("ct/outcome"),
                   tags.get("ct/interrupted") == "true")

    @staticmethod
    def outcome_tag(outcome: str) -> dict[str, str]:
        """The tag a retrain adds to its own run once the gates decided."""
        return {"ct/outcome": outcome}

    @staticmethod
    def interrupted_tag() -> dict[str, str]:
        """The tag a resume adds to a run it found killed (its work is redone)."""
        return {"ct/interrupted": "true"}
