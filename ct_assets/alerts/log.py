"""The alert log: ``alerts.jsonl`` in the home, append-only.

Two kinds of lines: ``{"event": "alert", ...}`` once per alert, and
``{"event": "delivery", "id": ..., "status": ...}`` after each delivery attempt (status
``delivered``, ``failed`` or ``no_webhook``). An alert's status is its last delivery line;
``pending()`` are the alerts whose last attempt failed (or never happened).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from .model import Alert


class AlertLog:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _append(self, line: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = (json.dumps(line, default=str) + "\n").encode()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:  # one write with O_APPEND: concurrent writers never interleave a line
            os.write(fd, data)
        finally:
            os.close(fd)

    def lines(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        for raw in self.path.read_text().splitlines():
            try:
                out.append(json.loads(raw))
            except json.JSONDecodeError:
                continue  # a line cut by a crash
        return out

    def add(self, alert: Alert) -> bool:
        """Log ``alert`` unless its id is already logged; True when it was new."""
        if alert.id in self.alerts():
            return False
        self._append({"event": "alert", **alert.to_dict()})
        return True

    def record(self, alert_id: str, status: str, attempts: int, error: str | None = None) -> None:
        self._append({"event": "delivery", "id": alert_id, "status": status,
                      "attempts": attempts, "error": error,
                      "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")})

    def alerts(self) -> dict[str, Alert]:
        return {ln["id"]: Alert.from_dict(ln) for ln in self.lines() if ln.get("event") == "alert"}

    def statuses(self) -> dict[str, str]:
        """Alert id -> last delivery status (``undelivered`` before any attempt)."""
        out: dict[str, str] = {}
        for ln in self.lines():
            if ln.get("event") == "alert":
                out.setdefault(ln["id"], "undelivered")
            elif ln.get("event") == "delivery":
                out[ln["id"]] = ln["status"]
        return out

    def pending(self) -> list[Alert]:
        """Alerts not delivered yet (failed or never tried), oldest first."""
        alerts, statuses = self.alerts(), self.statuses()
        return [a for i, a in alerts.items() if statuses.get(i) in ("failed", "undelivered")]
