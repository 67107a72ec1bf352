"""Reading the service's prediction log (``bentos/ct_predlog.py`` writes it). Pure: no Dagster.

The service appends one JSON line per request (its scores and the request as sent) to
``HOME/predictions/predictions-<day>-<pid>-<token>.jsonl`` and never touches DuckDB; the
``predictions_log`` asset turns one day's files into rows of the ``predictions`` table with
``source='served'``. A line cut short by a crash (or any line that is not a whole request) is
skipped and counted, never guessed at.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import TypeAdapter, ValidationError

LOG_DIR_NAME = "predictions"
ENV_VAR = "CT_PREDICTION_LOG_DIR"  # what the service reads
NOT_FEATURES = ("entity_id", "event_ts")
_TIMESTAMP = TypeAdapter(dt.datetime)  # what the service accepted: ISO text or epoch seconds
COLUMNS = ["entity_id", "event_ts", "model_version", "score", "source",
           "request_id", "served_at", "features"]
DTYPES = {"entity_id": "str", "event_ts": "datetime64[us]", "model_version": "str",
          "score": "float64", "source": "str", "request_id": "str",
          "served_at": "datetime64[us]", "features": "str"}


def prediction_log_dir(home_root: str | Path) -> Path:
    """Where ``ct serve`` tells the service to log, inside the home folder."""
    return Path(home_root) / LOG_DIR_NAME


@dataclass
class ServedLog:
    """One day of served predictions: rows for the ``predictions`` table, and the files and
    lines (one per request) read, and the lines skipped."""

    frame: pd.DataFrame
    files: list[str] = field(default_factory=list)
    lines: int = 0
    skipped: int = 0


def _utc(value: object) -> dt.datetime:
    """Naive UTC, as the feature store keeps timestamps."""
    ts = _TIMESTAMP.validate_python(value)
    try:
        return ts.astimezone(dt.UTC).replace(tzinfo=None) if ts.tzinfo else ts
    except OverflowError:  # at the ends of the calendar, as the service did: local time
        return ts.replace(tzinfo=None)


def _rows(line: bytes) -> list[tuple] | None:
    """``predictions`` rows from one log line, or None when the line is not a whole request."""
    try:
        rec = json.loads(line)
        served_at = _utc(rec["served_at"])
        records, scores = rec["request"]["records"], rec["scores"]
        if len(records) != len(scores):
            return None
        head = (str(rec["model_version"]), "served", str(rec["request_id"]), served_at)
        rows = []
        for record, score in zip(records, scores, strict=True):
            event_ts = _utc(record["event_ts"]) if record.get("event_ts") is not None else None
            entity = record.get("entity_id")
            features = {k: v for k, v in record.items() if k not in NOT_FEATURES}
            rows.append((None if entity is None else str(entity), event_ts or served_at,
                         head[0], None if score is None else float(score), *head[1:],
                         json.dumps(features, separators=(",", ":"))))
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None
    return rows


def read_served(log_dir: str | Path, days: dt.date | list[dt.date]) -> ServedLog:
    """Every complete line of the log files of ``days`` (one partition period), as
    ``predictions`` rows (source='served').

    ``event_ts`` is the client's event time when it sent one, else the serving time; features
    are kept as a JSON string (the file is the full record).
    """
    days = days if isinstance(days, list) else [days]
    files = sorted(p for day in days
                   for p in Path(log_dir).glob(f"predictions-{day.isoformat()}-*.jsonl"))
    rows, lines, skipped = [], 0, 0
    for path in files:
        for line in path.read_bytes().split(b"\n"):
            if line.strip():
                lines += 1
                got = _rows(line)
                skipped += got is None
                rows.extend(got or [])
    frame = pd.DataFrame(rows, columns=COLUMNS).astype(DTYPES)
    return ServedLog(frame, [p.name for p in files], lines, skipped)
