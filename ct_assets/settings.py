"""Settings of one ct-assets project, stored in its home folder.

The home folder carries its own `settings.json`, written by the command that created it, so that
`dagster dev` on the same home, the sensor evaluated by the daemon and `ct demo` all see the same
simulator seed, thresholds and windows without repeating them on every command line.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ct_assets.errors import CTError
from ct_assets.periods import PERIODS, Period
from ct_assets.shared.settings import StorageSettings
from ct_assets.sizing import sized_defaults

SETTINGS_FILE = "settings.json"
TASK_METRICS = {"binary": ("roc_auc", "pr_auc", "log_loss", "brier"), "regression": ("rmse", "mae")}


class Settings(BaseModel):
    """Everything that shapes the loop; every field has a default that runs the demo."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field("simulator", description=(
        "Event source: `simulator`, a .csv/.csv.gz/.parquet file, a folder of Parquet files, "
        "`duckdb:///path.db?table=name`, or `pkg:package/path` for a file a package ships."))
    time_column: str | None = Field(None, description="Event time column of a table source.")
    label_column: str | None = Field(None, description="Label column of a table source.")
    entity_column: str | None = Field(
        None, description="Key of an event (row number otherwise); repeated keys get a suffix.")
    label_delay: str = Field("0d", pattern=r"^\d+(\.\d+)?[dhm]$", description=(
        "How long after its event a label becomes known, e.g. `7d`, `12h` (table sources)."))
    label_time_column: str | None = Field(
        None, description="Column with the time each label became known (instead of label_delay).")
    positive_label: str | None = Field(None, coerce_numbers_to_str=True, description=(
        "Binary labels that are not 0/1: the positive class (else the rarer); with more than "
        "two classes, this class against the rest."))
    numeric: list[str] | None = Field(None, description="Numeric features (inferred otherwise).")
    categorical: list[str] | None = Field(
        None, description="Categorical features (inferred from text dtypes otherwise).")
    exclude: list[str] = Field([], description=(
        "Columns that are not features (the columns left out by inference are added here)."))
    missing_values: list[str] = Field(
        ["", "NA", "N/A", "n/a", "na", "NaN", "nan", "-nan", "NULL", "null", "Null", "None",
         "none", "#N/A", "#NA", "<NA>", "?", "-", ".", "missing"], description=(
            "Text that means `no value` in any text column of a table source (compared after "
            "trimming spaces); a column whose other values are all numbers is read as numbers. "
            "`[]`: every value as it is."))
    drop_duplicates: bool = Field(
        True, description="Drop rows of a table source that repeat an earlier row in every column.")
    encoding: Literal["utf-8", "utf-16", "latin-1"] = Field(
        "utf-8", description="Text encoding of a CSV source (others: re-encode the file as "
                             "UTF-8, e.g. `iconv -f cp1252 -t utf-8`).")
    period: str = Field("1d", description=f"Replay and partition step: {', '.join(PERIODS)} "
                                          "(30d is a calendar month).")
    end: dt.date | None = Field(None, description="Last day of the stream (table: its last).")

    name: str = Field("demo", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description=(
        "The model's name: the prefix of its asset keys, jobs, sensors and schedules, so one "
        "Dagster deployment can hold several models."))
    seed: int = Field(0, description="Seed of the built-in event simulator.")
    start: dt.date = Field(dt.date(2025, 1, 1), description="First day of the event stream.")
    rows_per_day: int = Field(2500, gt=0, description="Mean events per simulated day.")
    task: Literal["binary", "regression"] = Field("binary", description="binary | regression.")
    metric: str = Field("roc_auc", description="Metric that gates promotion and is reported.")

    window: Literal["fixed", "dynamic"] = Field(
        "dynamic", description="fixed: the last `window_days` days; dynamic: the best candidate.")
    window_days: int = Field(28, ge=0, description="Fixed training window in days (0: all).")
    candidate_windows: list[int] = Field(
        [7, 14, 30, 60, 0], min_length=1,
        description="Dynamic windows in days (0: all history), each scored on the holdout.")
    train_threads: int = Field(0, ge=0, description="LightGBM threads (0: every core).")
    holdout_days: int = Field(7, gt=0, description="Most recent labelled days kept for evaluation.")
    min_holdout_rows: int | None = Field(None, ge=1, description=(
        "The holdout widens until this many labelled rows (default: two periods of the "
        "stream's labelled rows, 50 to 2,000)."))
    min_holdout_positives: int | None = Field(None, ge=0, description=(
        "...and this many positives (default: half of what a minimal holdout holds at the "
        "stream's positive rate, 5 to 50)."))
    min_train_rows: int | None = Field(None, gt=0, description=(
        "Fewer labelled rows before the holdout: no contender (default: four periods of the "
        "stream's labelled rows, 100 to 5,000)."))
    warmup_days: int | None = Field(None, gt=0, description=(
        "Days of events before the first model (default: one period; the first model also "
        "waits for min_train_rows + min_holdout_rows labels)."))
    labelled_rows_per_day: float | None = Field(None, gt=0, description=(
        "The stream's labelled rows a day, which sizes the defaults above (a table's is read "
        "off the table; the simulator's is rows_per_day)."))
    positive_rate: float | None = Field(None, ge=0, le=1, description=(
        "Share of positive labels of a binary stream (read off a table), which sizes "
        "min_holdout_positives."))

    policy: Literal["never", "periodic", "drift", "drift+periodic"] = Field(
        "drift+periodic", description="Which triggers retrain after the first model.")
    drift_share: float = Field(
        0.3, gt=0, le=1, description="Dataset drift: importance-weighted share of drifted features."
    )
    min_new_labels: int | None = Field(None, ge=0, description=(
        "Drift retrains need this many labels newer than the champion (default: one period "
        "of the stream's labelled rows, 30 to 3,000)."))
    refresh_reference: bool = Field(
        True, description="After a contender is rejected, drift compares days with its reference "
        "(recent data on which the champion was just checked and kept) rather than the "
        "champion's own: the sensor fires again only when the data moves on from there.")
    staleness: float | None = Field(0.5, gt=0, description=(
        "The drift policy also retrains a young champion when the labels that arrived since "
        "its cutoff are this share of the rows it trained on: a first model of a few days "
        "gains much from the next few. None: off."))
    drift_growth: float | None = Field(0.2, ge=0, description=(
        "Covariate drift retrains only once the labels that arrived since the champion's "
        "cutoff are this share of the rows it trained on (a degraded metric or staleness need "
        "not wait): seasons move features every period, and a model of a year of history "
        "gains little from one more week. None: min_new_labels alone."))
    max_age_days: int | None = Field(None, gt=0, description=(
        "The drift policy also retrains when the champion's cutoff is this old, whatever the "
        "drift report says. None (default): staleness and drift_growth decide; a fixed age "
        "retrains a year of monthly history every other month for nothing."))
    cooldown_days: int = Field(
        3, ge=0, description="Days between a retrain and the next drift-triggered one. Short: "
        "with the reference refreshed after a rejection, a drift that was judged does not fire "
        "again, and after a concept change contenders are rejected until its labels arrive, "
        "so a week between attempts costs accuracy; 3 days bring ~7,500 new labels.")
    periodic_every_days: int = Field(
        28, gt=0, description="The schedule retrains when the last retrain is this old."
    )
    drift_plot: bool = Field(True, description="Embed a reference-vs-current PNG in each drift "
                                               "report (backtests turn it off: 0.5 s a day).")
    package_champions: bool = Field(True, description=(
        "Package every new champion as a bento and validate it by serving it before the alias "
        "moves. Backtests turn it off: what a policy would have served is the champion's "
        "in-process scores either way, and a bento costs seconds per promotion."))
    fit_cache: str | None = Field(None, description=(
        "A folder where each trained model is kept under a digest of its rows and recipe and "
        "reused when the same fit comes again. Backtests share one between their replays: "
        "policies that retrain on the same day with the same window train the same models."))
    perf_drop: float | None = Field(
        0.03, ge=0, description="The drift sensor also retrains when the champion's realised "
        "metric (its own scores, labels known so far) is this much worse than its holdout "
        "metric: concept drift the features do not show. 0.03 AUC is 1.5-2 standard errors "
        "of that difference (~500 positives in 14 days against a holdout week). For error "
        "metrics (rmse, mae, log_loss, brier) it is relative: 0.03 = 3% worse. None: "
        "covariate drift only.")
    perf_window_days: int = Field(14, gt=0, description="Days of labelled events in a perf report.")

    promotion: Literal["non_inferior", "superior"] = Field("non_inferior", description=(
        "non_inferior: a contender (trained on newer data) replaces the champion unless the "
        "paired bootstrap says it is worse by more than `promotion_margin`; superior: only "
        "when it is better by `gate_min_improvement` with the bootstrap lower bound above it."))
    promotion_margin: float = Field(0.0, ge=0, description=(
        "non_inferior: how much worse (upper confidence bound of the change) a contender may "
        "be and still replace the champion."))
    refit: bool = Field(True, description=(
        "Once the holdout has chosen the window and the gates passed, the model that serves is "
        "trained again on every labelled row up to the cutoff (the holdout included) with "
        "that window: the newest labels are the most valuable ones under drift."))
    gate_floor: float | None = Field(0.55, description=(
        "Absolute floor of the metric for any champion (a ceiling for rmse, mae, log_loss, "
        "brier): it stops broken models, not hard weeks. Default 0.55 for roc_auc (flights "
        "models score 0.60 to 0.80 week by week), none otherwise."))
    gate_min_improvement: float = Field(0.0, description=(
        "superior: minimum change of the metric over the champion on the same holdout."))
    gate_min_relative_improvement: float = Field(0.0, ge=0, description=(
        "superior: minimum change relative to the champion's value (0.01 = 1%)."))
    gate_confidence: float = Field(
        0.95, gt=0.5, lt=1, description="Confidence of the bootstrap lower bound on the change."
    )
    bootstrap_resamples: int = Field(400, ge=50, description="Paired bootstrap resamples.")

    @model_validator(mode="before")
    @classmethod
    def _default_metric(cls, data):
        if not isinstance(data, dict):
            return data
        if "metric" not in data:
            data = {**data, "metric": TASK_METRICS.get(data.get("task", "binary"), ("",))[0]}
        elif "task" not in data:  # the metric says which task
            task = [t for t, metrics in TASK_METRICS.items() if data["metric"] in metrics]
            data = {**data, "task": task[0]} if task else data
        if "gate_floor" not in data:  # a floor of 0.55 is a ROC AUC's, not an RMSE's
            data = {**data, "gate_floor": 0.55 if data["metric"] == "roc_auc" else None}
        return data

    @model_validator(mode="before")
    @classmethod
    def _sized(cls, data):
        """Fill the sizes the data's volume decides (`ct_assets.sizing`) that were left out."""
        if not isinstance(data, dict):
            return data
        source = data.get("source", "simulator")
        per_day = data.get("labelled_rows_per_day") or (
            data.get("rows_per_day", 2500) if source == "simulator" else 2500)
        period = data.get("period", "1d")
        if period not in PERIODS:
            return data  # the after-validator names the bad period
        sizes = sized_defaults(float(per_day), period, data.get("positive_rate"),
                               data.get("task", "binary"))
        return {**data, **{k: v for k, v in sizes.items() if data.get(k) is None}}

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        allowed = TASK_METRICS[self.task]
        if self.metric not in allowed:
            raise ValueError(f"metric {self.metric!r} does not fit task {self.task!r}; "
                             f"use one of {', '.join(allowed)}")
        if self.period not in PERIODS:
            raise ValueError(f"period {self.period!r} is not one of {', '.join(PERIODS)}")
        if not self.simulated:
            for key in ("time_column", "label_column"):
                if not getattr(self, key):
                    raise ValueError(f"a table source needs `{key}`")
            if self.label_time_column and self.label_delay != "0d":
                raise ValueError("give `label_delay` or `label_time_column`, not both")
        return self

    @property
    def simulated(self) -> bool:
        return self.source == "simulator"

    def period_starts(self, days: int | None = None) -> list[dt.date]:
        """The partitions a replay of `days` days walks (all of a table's when None)."""
        return Period(self.period).starts(self.start, days, self.end)

    @property
    def task_given(self) -> bool:
        """Whether the task was set rather than defaulted (a table source infers it)."""
        return "task" in self.model_fields_set

    @property
    def start_given(self) -> bool:
        return "start" in self.model_fields_set

    alert_webhook: str | None = Field(
        None, description="Webhook URL for alerts (JSON with a Slack-style `text`); "
                          "CT_ALERT_WEBHOOK overrides it.")
    storage: StorageSettings = Field(StorageSettings(), description=(
        "Where the feature store, registry and model files live: `{kind: embedded}` (the home "
        "folder) or `{kind: shared, postgres: ..., objects: ..., s3_endpoint: ...}`."))

    def save(self, home: Path) -> None:
        """Write the home's settings.json in one step (a kill leaves the old or the new one)."""
        tmp = home / f"{SETTINGS_FILE}.tmp"
        tmp.write_text(self.model_dump_json(indent=2))
        os.replace(tmp, home / SETTINGS_FILE)

    @classmethod
    def load(cls, home: Path) -> Settings:
        """The home's settings, or the defaults for a home that has none yet."""
        path = home / SETTINGS_FILE
        if not path.exists():
            return cls()
        try:
            return cls.model_validate_json(path.read_text())
        except ValidationError as exc:
            raise CTError(f"{path}: {validation_message(exc)}") from None


def validation_message(exc: ValidationError) -> str:
    """The first problem pydantic found, naming the setting."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    return f"setting {where!r}: {message}" if where else message
