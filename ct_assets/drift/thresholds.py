"""Drift thresholds: per-metric defaults, per-feature overrides, and the decision rule.

Rule: a feature is drifted when ANY enabled metric is strictly above its limit (or when the
feature is missing from the current data, or its dtype changed). The dataset is drifted when the
(importance-weighted) share of drifted features is >= ``share``. Set a metric to ``None`` to
disable it, globally or for one feature.

Limits follow the sample size (``calibrate=True``, the default): a metric's limit is the larger
of its threshold here (a floor: the smallest change worth an alarm) and what the reference
itself produces at the current number of rows (see :mod:`.calibration`), so a 30-row period
is not "drifted" by noise alone. A threshold given explicitly (``DriftThresholds(psi=0.2)``,
or in ``per_feature``) is a fixed limit: explicit settings win.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

METRICS = ("psi", "kl", "js", "wasserstein", "missing", "unseen")

_Threshold = float | None


class DriftThresholds(BaseModel):
    """Thresholds for :meth:`ReferenceProfile.compare`. Defaults and why:

    - ``psi=0.1``: bias-corrected PSI; 0.1 is the conventional "moderate change" boundary. With
      the sampling bias removed the no-shift PSI is ~0 even for 1,000-level categoricals, so
      0.1 has no false alarms at 2,500+ rows, and it catches a 0.35-sd mean shift or a
      5-level mix change (the benchmark's ``cat_01`` reads 0.17; 0.2 misses it).
    - ``kl=0.05``: KL(current||reference) is about PSI / 2 for small shifts, so half of PSI's.
    - ``js=0.15``: JS distance (base 2); JS divergence ~ PSI / (8 ln 2) for small shifts,
      so 0.15 is about PSI 0.12; mostly matters for large shifts where PSI explodes.
    - ``wasserstein=0.1``: Wasserstein-1 in reference standard deviations; catches location
      and scale shifts that move many values a little (a 0.1-sd mean shift), which binned
      metrics see late. Noise at 2,500 rows is ~0.03 for a normal feature.
    - ``missing=0.05``: |missing_cur - missing_ref| above 5 percentage points (either way: a
      column that suddenly stops being missing is usually a pipeline change too).
    - ``unseen=0.02``: more than 2% of current rows carry levels the reference never had
      (the model routes them all down one branch).
    - ``share=0.3``: the dataset drifts when >= 30% of (importance-weighted) features drift.
    - ``false_alarm=0.01``: with calibration, the chance that an undrifted feature is flagged;
      with 25 features, a dataset alarm (30% of them) by chance is then far rarer than 1%.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    psi: _Threshold = Field(0.1, ge=0, description="bias-corrected PSI")
    kl: _Threshold = Field(0.05, ge=0, description="bias-corrected KL(current || reference), nats")
    js: _Threshold = Field(0.15, ge=0, description="bias-corrected Jensen-Shannon distance, base 2")
    wasserstein: _Threshold = Field(
        0.1, ge=0, description="Wasserstein-1 / reference std (numeric)"
    )
    missing: _Threshold = Field(0.05, ge=0, description="|missing_cur - missing_ref|")
    unseen: _Threshold = Field(0.02, ge=0, description="share of current rows with unseen levels")
    share: float = Field(0.3, ge=0, le=1, description="dataset drifted when weighted share >= this")
    per_feature: dict[str, dict[str, _Threshold]] = Field(
        default_factory=dict, description='overrides, e.g. {"amount": {"psi": 0.25, "kl": None}}'
    )
    calibrate: bool = Field(
        True, description="limits = max(threshold, the reference's own null quantile at n rows)"
    )
    false_alarm: float = Field(
        0.01, gt=0, lt=0.5, description="calibrated: chance an undrifted feature is flagged"
    )
    replicates: int = Field(400, ge=50, description="null replicates per (feature, n)")
    seed: int = Field(0, ge=0, description="seed of the null replicates (reports are repeatable)")

    @field_validator("per_feature")
    @classmethod
    def _known_metrics(
        cls, value: dict[str, dict[str, _Threshold]]
    ) -> dict[str, dict[str, _Threshold]]:
        for feature, overrides in value.items():
            unknown = set(overrides) - set(METRICS)
            if unknown:
                raise ValueError(
                    f"per_feature[{feature!r}]: unknown metric(s) {sorted(unknown)}; use {METRICS}"
                )
            negative = [m for m, t in overrides.items() if t is not None and not t >= 0]
            if negative:
                raise ValueError(f"per_feature[{feature!r}]: thresholds must be >= 0: {negative}")
        return value

    def for_feature(self, feature: str) -> dict[str, _Threshold]:
        """Effective thresholds of one feature (defaults updated by its overrides)."""
        limits = {m: getattr(self, m) for m in METRICS}
        limits.update(self.per_feature.get(feature, {}))
        return limits

    def calibrated_metrics(self, feature: str) -> set[str]:
        """Metrics of ``feature`` whose limit follows the sample size: enabled, and neither set
        explicitly nor overridden for the feature."""
        if not self.calibrate:
            return set()
        fixed = set(self.model_fields_set) | set(self.per_feature.get(feature, {}))
        return {m for m in METRICS if m not in fixed and getattr(self, m) is not None}


def breaches(values: dict[str, float], limits: dict[str, _Threshold]) -> tuple[list[str], float]:
    """Metrics strictly above their limits, and the severity ``max(value / limit)`` (0 if none).

    NaN values (e.g. Wasserstein of a categorical) never breach. A limit of 0 breaches on any
    positive value (severity then counts as value / 1e-12).
    """
    hit, severity = [], 0.0
    for metric, limit in limits.items():
        value = values.get(metric)
        if limit is None or value is None or value != value:
            continue
        severity = max(severity, value / max(limit, 1e-12))
        if value > limit:
            hit.append(metric)
    return hit, severity
