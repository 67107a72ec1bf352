"""Append-only prediction log: one JSON line per served request and day, in the home folder.

Why files and not the feature store: the service must never open the DuckDB database (one
writer at a time, and a serving process must not block or corrupt ingest). The next ingest
(`predictions_log`) loads these files; ``ct_assets.serving.predlog`` reads this format.

Line: ``{"v": 1, "request_id", "served_at" (naive UTC ISO), "model_version",
"feature_version", "scores": [...], "request": {"records": [...]}}``: the request exactly as
the client sent it (already validated: only features, entity_id, event_ts), so logging costs
a copy, not a second serialization of every record (which cost more than scoring).
Layout: ``<dir>/predictions-<YYYY-MM-DD>-<pid>-<token>.jsonl``. The day is the record's
``event_ts`` day (UTC) when the client sent one, else the serving day, so a day's partition
reads only that day's files; a batch spanning days is split into one line per day. Each
process writes its own files (the token), so a line cut by a crash is never followed by another
process's lines. One ``os.write`` per line (O_APPEND) before the response is sent: a crash
loses at most the batch in flight.
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
    """The feature store keeps naive UTC timestamps; aware ones are converted (at the ends of
    the calendar, where UTC would overflow, the local time is kept)."""
    try:
        return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo else ts
    except OverflowError:
        return ts.replace(tzinfo=None)


def one_line(body: bytes) -> bytes:
    """Valid JSON has newlines only as whitespace (never inside strings): spaces keep it one
    JSON line with the same meaning."""
    return body.replace(b"\n", b" ").replace(b"\r", b" ")


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

    def append(self, request_id: str, served_at: dt.datetime, body: bytes,
               rows: list[dict[str, t.Any]], scores: list[float]) -> None:
        """Log a validated request (``body``, parsed as ``rows``) and its scores."""
        served = _utc_naive(served_at)
        head = to_json({
            "v": FORMAT, "request_id": request_id, "served_at": served.isoformat(),
            "model_version": self.model_version, "feature_version": self.feature_version,
        })[:-1]
        served_day = served.date()
        days = [served_day if (ts := row.get("event_ts")) is None else _utc_naive(ts).date()
                for row in rows]
        if all(day == days[0] for day in days):
            parts = {days[0]: (one_line(body), scores)}
        else:  # rare: re-serialize each day's records
            parts = {}
            for day in dict.fromkeys(days):
                idx = [i for i, d in enumerate(days) if d == day]
                request = to_json({"records": [rows[i] for i in idx]}, inf_nan_mode="null")
                parts[day] = (request, [scores[i] for i in idx])
        with self._lock:
            for day, (request, day_scores) in parts.items():
                data = memoryview(head + b',"scores":' + to_json(day_scores, inf_nan_mode="null")
                                  + b',"request":' + request + b"}\n")
                fd = self._fd(day.isoformat())
                while data:
                    data = data[os.write(fd, data):]

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()
