"""How much prediction log a home keeps, and the pruning that keeps it so.

Why: the log is append-only and a serving process runs for months; without a bound, a full
disk is the likely way for every ``/predict`` to fail. The bounds, from the environment (set
them on ``ct serve``'s environment; ``/metadata`` shows them):

* ``CT_LOG_RETENTION_DAYS`` (30): files of days older than this are deleted. It is also the
  window of event days a line may be filed under: a record whose ``event_ts`` lies further
  from the serving day is filed under the serving day, so one request cannot create a file
  per day of the calendar.
* ``CT_LOG_MAX_FILES`` (1000) and ``CT_LOG_MAX_MB`` (2048): beyond either, the oldest files go
  first (a ring buffer; ``ct_log_pruned_files_total`` counts them).
* ``CT_LOG_FILE_MB`` (64): a file that reaches this size is closed and a new one started, so
  pruning by size can free room on a busy day too.
* ``CT_LOG_MIN_FREE_MB`` (100): below this much free space on the log's file system the log
  counts as unwritable (``/readyz`` 503) before the disk is actually full.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import typing as t
from dataclasses import dataclass, fields
from pathlib import Path

NAME = re.compile(r"^predictions-(\d{4}-\d{2}-\d{2})-.+\.jsonl$")
MB = 1 << 20


@dataclass(frozen=True)
class LogPolicy:
    retention_days: int = 30
    max_files: int = 1000
    max_mb: float = 2048.0
    file_mb: float = 64.0
    min_free_mb: float = 100.0

    @classmethod
    def from_env(cls, env: t.Mapping[str, str]) -> LogPolicy:
        """The policy ``CT_LOG_*`` variables set; ValueError names a variable that is wrong."""
        values: dict[str, t.Any] = {}
        for f in fields(cls):
            name = f"CT_LOG_{f.name.upper()}"
            if name not in env:
                continue
            kind = int if f.type in ("int", int) else float
            try:
                values[f.name] = kind(env[name])
            except ValueError:
                raise ValueError(f"{name} must be a {kind.__name__}") from None
            if values[f.name] < (0 if f.name == "min_free_mb" else 1):
                raise ValueError(f"{name} must be at least {0 if f.name == 'min_free_mb' else 1}")
        return cls(**values)

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The event days a line may be filed under when served on ``today``."""
        return today - dt.timedelta(days=self.retention_days), today + dt.timedelta(days=1)


def free_mb(directory: Path) -> float:
    stat = os.statvfs(directory)
    return stat.f_bavail * stat.f_frsize / MB


def log_files(directory: Path) -> list[tuple[dt.date, float, int, Path]]:
    """(day, mtime, bytes, path) of every log file, oldest first."""
    out = []
    for entry in os.scandir(directory):
        match = NAME.match(entry.name)
        if not match or not entry.is_file(follow_symlinks=False):
            continue
        try:
            stat = entry.stat(follow_symlinks=False)
            day = dt.date.fromisoformat(match.group(1))
        except (OSError, ValueError):
            continue
        out.append((day, stat.st_mtime, stat.st_size, Path(entry.path)))
    return sorted(out)


def prune(directory: Path, policy: LogPolicy, today: dt.date, keep: set[Path]) -> list[Path]:
    """Delete expired files, then the oldest until the file and size bounds hold; never one in
    ``keep`` (the files this process has open) unless it expired. Returns what was deleted."""
    oldest_kept, _ = policy.window(today)
    files, removed = log_files(directory), []
    for entry in list(files):
        if entry[0] < oldest_kept:
            files.remove(entry)
            removed.append(entry[3])
    total = sum(size for _, _, size, _ in files)
    for entry in [e for e in files if e[3] not in keep]:
        if len(files) <= policy.max_files and total <= policy.max_mb * MB:
            break
        files.remove(entry)
        total -= entry[2]
        removed.append(entry[3])
    deleted = []
    for path in removed:
        try:
            path.unlink()
            deleted.append(path)
        except FileNotFoundError:
            deleted.append(path)  # another process pruned it first
        except OSError:
            continue  # a read-only log: its health check says so
    return deleted
