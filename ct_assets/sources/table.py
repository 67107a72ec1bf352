"""A user's table replayed as an event stream: events by event time, labels by label time.

`TableSource.from_settings` reads the table once, checks every column the settings name, reads
missing-value markers as missing, drops repeated rows, parses times, checks the label against
the task and infers the features; any problem is one `CTError` that names the column, the
setting and the rows, raised before anything is written. Each decision is a note.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ct_assets.errors import CTError
from ct_assets.sources.columns import (
    FeatureColumns,
    check_present,
    infer_features,
    renamed,
)
from ct_assets.sources.labels import infer_task, prepare_label
from ct_assets.sources.missing import read_missing
from ct_assets.sources.read import read_table
from ct_assets.sources.rows import drop_repeats, unlabelled
from ct_assets.sources.times import label_times, parse_times
from ct_assets.store import FeatureSet


@dataclass
class TableSource:
    """Rows sorted by event time with `entity_id`, `event_ts`, `label`, `label_ts` and features."""

    frame: pd.DataFrame
    columns: FeatureColumns
    task: str
    notes: list[str] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)  # user's column -> feature name

    def user_names(self, features: tuple[str, ...]) -> list[str]:
        """Feature names as the user's table (and settings file) spell them."""
        back = {v: k for k, v in self.renamed.items()}
        return [back.get(name, name) for name in features]

    @classmethod
    def from_settings(cls, settings) -> TableSource:
        raw, name = read_table(settings.source, settings.encoding), settings.source
        if raw.empty:
            raise CTError(f"source {name} has no rows")
        named = {"time_column": [settings.time_column], "label_column": [settings.label_column],
                 "entity_column": [settings.entity_column] if settings.entity_column else [],
                 "label_time_column": [settings.label_time_column]
                 if settings.label_time_column else [],
                 "numeric": settings.numeric or [], "categorical": settings.categorical or [],
                 "exclude": settings.exclude}
        for setting, names in named.items():
            check_present(raw, names, setting, name)
        raw, notes = read_missing(raw, settings.missing_values, tuple(named["entity_column"]))
        raw, repeats = drop_repeats(raw, settings.drop_duplicates)
        event_ts = parse_times(raw[settings.time_column], "time_column", settings.time_column)
        keep = _in_range(event_ts, settings, name)
        raw, event_ts = raw[keep].reset_index(drop=True), event_ts[keep].reset_index(drop=True)
        notes += repeats
        if settings.task_given:
            task = settings.task
        else:
            task, note = infer_task(raw[settings.label_column], settings.label_column)
            notes.append(note)
        label, more = prepare_label(raw[settings.label_column], task, settings.label_column,
                                    settings.positive_label)
        notes += more + unlabelled(label, settings.label_column)
        reserved = {c for names in list(named.values())[:4] for c in names}
        rename = {c: renamed(c) for c in raw.columns if c not in reserved and renamed(c) != c}
        notes += [f"column {c!r} is the feature {n!r} (the store has a column {c!r})"
                  for c, n in rename.items()]
        raw = raw.rename(columns=rename)

        def mapped(names):
            return None if names is None else [renamed(n) for n in names]
        columns = infer_features(raw, reserved, mapped(settings.numeric),
                                 mapped(settings.categorical), mapped(settings.exclude), event_ts)
        frame = pd.DataFrame({"entity_id": _entity_ids(raw, settings.entity_column),
                              "event_ts": event_ts, "label": label,
                              "label_ts": label_times(raw, event_ts, settings)})
        frame.loc[frame["label_ts"].isna(), "label"] = np.nan  # a label never known
        frame = pd.concat([frame, raw[[*columns.numeric, *columns.categorical]]], axis=1)
        frame = frame.sort_values("event_ts", kind="stable").reset_index(drop=True)
        return cls(frame, columns, task, [*notes, *columns.notes], rename)

    @property
    def feature_set(self) -> FeatureSet:
        return FeatureSet(self.columns.numeric, self.columns.categorical)

    def volume(self) -> dict[str, float]:
        """Labelled rows a day over the table's span, and (binary) the positive share: what
        sizes the defaults that follow the data's volume."""
        labelled = self.frame["label"].dropna()
        days = max(1, (self.last_day - self.first_day).days + 1)
        out = {"labelled_rows_per_day": round(max(len(labelled), 1) / days, 3)}
        if self.task == "binary" and len(labelled):
            out["positive_rate"] = round(float(labelled.mean()), 4)
        return out

    @property
    def first_day(self) -> dt.date:
        return self.frame["event_ts"].iloc[0].date()

    @property
    def last_day(self) -> dt.date:
        return self.frame["event_ts"].iloc[-1].date()

    def events(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Events with start <= event time < end: key, time and features (no label)."""
        rows = self._between(self.frame["event_ts"], start, end)
        return self.frame.iloc[rows].drop(columns=["label", "label_ts"]).reset_index(drop=True)

    @functools.cached_property
    def _by_label_time(self) -> pd.DataFrame:
        """Known labels in the order they arrived: each period is then one slice, not a scan."""
        known = self.frame.loc[self.frame["label"].notna(),
                               ["entity_id", "event_ts", "label", "label_ts"]]
        return known.sort_values(["label_ts", "entity_id"]).reset_index(drop=True)

    def labels(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Labels that became known with start <= label time < end, oldest first."""
        known = self._by_label_time
        return known.iloc[self._between(known["label_ts"], start, end)].reset_index(drop=True)

    def truth(self, start: dt.date, end: dt.date) -> pd.DataFrame:
        """Every labelled event of [start, end) with its eventual label (for hindsight only)."""
        rows = self.frame.iloc[self._between(self.frame["event_ts"], start, end)]
        return rows.loc[rows["label"].notna(), ["entity_id", "label"]]

    @staticmethod
    def _between(times: pd.Series, start: dt.date, end: dt.date) -> slice:
        values = times.to_numpy()
        lo, hi = np.searchsorted(values, np.datetime64(start), side="left"), \
            np.searchsorted(values, np.datetime64(end), side="left")
        return slice(int(lo), int(hi))


def _in_range(event_ts: pd.Series, settings, name: str) -> pd.Series:
    lo = pd.Timestamp(settings.start) if settings.start_given else event_ts.min()
    hi = pd.Timestamp(settings.end) + pd.Timedelta(days=1) if settings.end else None
    keep = event_ts >= lo
    if hi is not None:
        keep &= event_ts < hi
    if not keep.any():
        raise CTError(f"source {name} has no rows from {lo.date()} to "
                      f"{settings.end or 'its end'} (its {len(event_ts):,} rows span "
                      f"{event_ts.min()} to {event_ts.max()})")
    return keep


def _entity_ids(raw: pd.DataFrame, column: str | None) -> pd.Series:
    """Text keys, unique per event: the entity column (with `#n` on its repeats), else the row."""
    if column is None:
        return pd.Series(np.arange(len(raw)).astype(str), dtype=object)
    keys = raw[column].astype(str)
    repeat = keys.groupby(keys).cumcount()
    return keys.where(repeat == 0, keys + "#" + repeat.astype(str)).astype(object)
