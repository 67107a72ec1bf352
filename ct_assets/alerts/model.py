"""One alert: a kind, a headline, the details as structured fields, and a stable id."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = {
    "dataset_drift": ("warning", ":warning:"),
    "performance_below_floor": ("warning", ":chart_with_downwards_trend:"),
    "retrain_failed": ("error", ":x:"),
    "contender_rejected": ("info", ":no_entry_sign:"),
    "champion_promoted": ("info", ":trophy:"),
    "bento_refused": ("error", ":no_entry:"),
}


@dataclass(frozen=True)
class Alert:
    """``id`` names the event (e.g. ``champion_promoted:<run id>``): one event, one alert."""

    id: str
    kind: str
    title: str
    fields: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown alert kind {self.kind!r}; one of {', '.join(KINDS)}")

    @property
    def severity(self) -> str:
        return KINDS[self.kind][0]

    @property
    def text(self) -> str:
        """Slack mrkdwn: the headline, then one line per field."""
        lines = [f"{KINDS[self.kind][1]} *{self.title}*"]
        lines += [f"• {k}: {v}" for k, v in self.fields.items() if v not in (None, "")]
        return "\n".join(lines)

    def payload(self) -> dict[str, Any]:
        """The webhook body: Slack's ``text`` plus the structured alert."""
        return {"text": self.text, "id": self.id, "kind": self.kind, "severity": self.severity,
                "title": self.title, "fields": self.fields, "created_at": self.created_at}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        return cls(**{k: data[k] for k in ("id", "kind", "title", "fields", "created_at")})
