"""Append-only prediction log: one JSON line per served record, in files of the home folder.

Why files and not the feature store: the service must never open the DuckDB database (one
writer at a time, and a serving process must not block or corrupt ingest). The next ingest
(`predictions_log`) loads these files; ``ct_assets.serving.predlog`` reads this format.

Line: ``{"v": 1, "request_id", "served_at" (naive UTC), "model_version", "feature_version",
"score", "record": {features..., "entity_id"?, "event_ts"?}}`` (null for NaN).
Layout: ``<dir>/predictions-<YYYY-MM-DD>-<pid>-<token>.jsonl``. The day is the record's
``event_ts`` day when the client sent one, else the serving day (UTC), so a day's partition
reads only that day's files. Each process writes its own files (the token), so a line cut by a
crash is never followed by another process's lines. Each batch is one ``os.write`` per day file
(O_APPEND) before the response is sent: a crash loses at most the batch in flight.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import typing as t
import uuid
from pathlib import Path

from pydantic_core import to_json

FORMAT = 1


def _utc_naive(ts: dt.datetime) -> dt.datetime:
    """The feature store keeps naive UTC timestamps; aware ones are converted."""
    return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo else ts


class PredictionLog:
    def __init__(self, directory: str | Path, model_version: str, feature_version: str):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.model_version, self.feature_version = model_version, feature_version
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()

    def _fd(self, day: str) -> int:
        fd = self._fds.get(day)
        if fd is None:
            if len(self._fds) >= 4:  # days roll over: keep a few open, close the rest
                self.close()
            path = self.dir / f"predictions-{day}-{self.token}.jsonl"
            fd = self._fds[day] = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        return fd

    def append(self, request_id: str, served_at: dt.datetime,
               rows: list[dict[str, t.Any]], scores: list[float]) -> None:
        """Write the batch, grouped by day, one write per day file. Each line is the batch's
        header, the record's score and the record as validated (features, entity_id, event_ts),
        serialized once; building a dict per line cost more than scoring."""
        served = _utc_naive(served_at)
        head = to_json({
            "v": FORMAT, "request_id": request_id, "served_at": served.isoformat(),
            "model_version": self.model_version, "feature_version": self.feature_version,
        })[:-1] + b',"score":'
        score_json = to_json(scores, inf_nan_mode="null")[1:-1].split(b",") if scores else []
        served_day, day_names = served.date().isoformat(), {}
        by_day: dict[str, list[bytes]] = {}
        for row, score in zip(rows, score_json, strict=True):
            event_ts = row.get("event_ts")
            if event_ts is None:
                day = served_day
            else:
                date = _utc_naive(event_ts).date()
                day = day_names.get(date) or day_names.setdefault(date, date.isoformat())
            by_day.setdefault(day, []).extend(
                (head, score, b',"record":', to_json(row, inf_nan_mode="null"), b"}\n"))
        with self._lock:
            for day, lines in by_day.items():
                data = memoryview(b"".join(lines))
                fd = self._fd(day)
                while data:
                    data = data[os.write(fd, data):]

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
