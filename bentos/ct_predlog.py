"""Append-only prediction log: one JSON line per logged request and day, in the home folder.

Why files and not the feature store: the service must never open the DuckDB database (one
writer at a time, and a serving process must not block or corrupt ingest). The next ingest
(`predictions_log`) loads these files; ``ct_assets.serving.predlog`` reads this format.

Line: ``{"v": 1, "request_id", "served_at" (naive UTC ISO), "model_version",
"feature_version", "scores": [...], "request": {"records": [...]}}``: the request exactly as
the client sent it (already validated), so logging costs a copy, not a second serialization.
Layout: ``<dir>/predictions-<YYYY-MM-DD>-<pid>-<token>-<seq>.jsonl``. The day is the record's
``event_ts`` day (UTC) when it lies within the retention window of the serving day, else the
serving day (``ct_retention``); a batch spanning days is split into one line per day. Each
process writes its own files (``ct_logfiles``), and after a failed write it starts a new one,
so a line cut by a crash or a full disk is never glued to the next. One ``os.write`` per line
(O_APPEND) before the response is sent. When a line cannot be written, ``append`` raises
``LogUnavailable`` and the service answers 503 instead of a score nobody will see again.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import typing as t
import uuid
from pathlib import Path

from ct_logfiles import DayFiles
from ct_retention import MB, LogPolicy, free_mb, prune
from pydantic_core import to_json

FORMAT = 1
PRUNE_EVERY_S, HEALTH_EVERY_S, OPEN_FILES = 60.0, 1.0, 4


class LogUnavailable(Exception):
    """The log cannot take a line; the message says why (never a client's value)."""


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
    def __init__(self, directory: str | Path, model_version: str, feature_version: str,
                 policy: LogPolicy | None = None,
                 on_prune: t.Callable[[int], None] | None = None):
        self.dir, self.policy = Path(directory), policy or LogPolicy()
        self.on_prune = on_prune or (lambda n: None)
        self.token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.model_version, self.feature_version = model_version, feature_version
        self._files = DayFiles(self.dir, self.token, self.policy.file_mb * MB, OPEN_FILES)
        self._lock = threading.Lock()
        self._pruned_at = self._checked_at = float("-inf")
        self.problem: str | None = None
        self.health()

    def health(self) -> str | None:
        """Why no line can be written now, or None. Checked at most once a second: the
        folder exists, a file can be created and written in it, and free space is above
        ``CT_LOG_MIN_FREE_MB``."""
        now = time.monotonic()
        if now - self._checked_at < HEALTH_EVERY_S:
            return self.problem
        self._checked_at, probe = now, self.dir / f".probe-{self.token}"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            try:
                os.write(fd, b"ok")
            finally:
                os.close(fd)
                probe.unlink(missing_ok=True)
            free = free_mb(self.dir)
            self.problem = None if free >= self.policy.min_free_mb else (
                f"{free:.0f} MB free on its disk, below CT_LOG_MIN_FREE_MB "
                f"({self.policy.min_free_mb:g})")
        except OSError as exc:
            self.problem = f"{exc.strerror or type(exc).__name__} (errno {exc.errno})"
        return self.problem

    def append(self, request_id: str, served_at: dt.datetime, body: bytes,
               rows: list[dict[str, t.Any]], scores: list[float]) -> None:
        """Log a validated request (``body``, parsed as ``rows``) and its scores, or raise
        ``LogUnavailable``."""
        served = _utc_naive(served_at)
        head = to_json({
            "v": FORMAT, "request_id": request_id, "served_at": served.isoformat(),
            "model_version": self.model_version, "feature_version": self.feature_version,
        })[:-1]
        lo, hi = self.policy.window(served.date())
        days = []
        for row in rows:
            ts = row.get("event_ts")
            day = served.date() if ts is None else _utc_naive(ts).date()
            days.append(day if lo <= day <= hi else served.date())
        if all(day == days[0] for day in days):
            parts = {days[0]: (one_line(body), scores)}
        else:  # rare: re-serialize each day's records
            parts = {}
            for day in dict.fromkeys(days):
                idx = [i for i, d in enumerate(days) if d == day]
                request = to_json({"records": [rows[i] for i in idx]}, inf_nan_mode="null")
                parts[day] = (request, [scores[i] for i in idx])
        with self._lock:
            if self.health() is not None:
                raise LogUnavailable(self.problem)
            for day, (request, day_scores) in parts.items():
                line = (head + b',"scores":' + to_json(day_scores, inf_nan_mode="null")
                        + b',"request":' + request + b"}\n")
                try:
                    started = self._files.write(day, line)
                except OSError as exc:
                    self._checked_at = time.monotonic()
                    self.problem = f"{exc.strerror or type(exc).__name__} (errno {exc.errno})"
                    raise LogUnavailable(self.problem) from None
                self._prune(served.date(), started)

    def _prune(self, today: dt.date, started: bool) -> None:
        """Retention, every PRUNE_EVERY_S, and whenever a new file was started (at most once
        a second), so the caps are overshot by at most about one file."""
        since = time.monotonic() - self._pruned_at
        if since >= PRUNE_EVERY_S or (started and since >= 1.0):
            self._pruned_at = time.monotonic()
            self._files.forget_before(self.policy.window(today)[0])
            self.on_prune(len(prune(self.dir, self.policy, today, self._files.current())))

    def close(self) -> None:
        with self._lock:
            self._files.close()
