"""Delivery: POST the alert's JSON with retries and exponential backoff; never raise.

Why a time budget: a webhook that accepts connections and never answers cost every sensor
tick 16.5 s (three 5 s timeouts and the backoff), once per alert. A tick now gives the webhook
at most `TICK_SECONDS` in all (`Budget`); once one alert could not be delivered, the others
of that tick are logged as not delivered without trying, and the redelivery sensor sends them
when the webhook answers again (each exactly once)."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .log import AlertLog
from .model import Alert

ENV_VAR = "CT_ALERT_WEBHOOK"
ALERT_LOG = "alerts.jsonl"
TICK_SECONDS, TIMEOUT = 5.0, 3.0


class Budget:
    """The seconds a sensor tick may still spend on the webhook."""

    def __init__(self, seconds: float = TICK_SECONDS):
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def spend(self) -> None:
        """The webhook is down: nothing more for it in this tick."""
        self.deadline = time.monotonic()


def webhook_url(configured: str | None) -> str | None:
    """``CT_ALERT_WEBHOOK`` when set (an empty value turns the webhook off), else settings."""
    if ENV_VAR in os.environ:
        return os.environ[ENV_VAR].strip() or None
    return configured or None


@dataclass(frozen=True)
class Delivery:
    status: str  # delivered | failed | no_webhook
    attempts: int
    error: str | None = None


def post_json(url: str, body: dict, timeout: float = TIMEOUT) -> None:
    """POST ``body``; raises on a connection error or a status other than 2xx."""
    req = urllib.request.Request(url, data=json.dumps(body, default=str).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(url, resp.status, "not 2xx", resp.headers, None)


def deliver(alert: Alert, url: str | None, *, retries: int = 3, backoff: float = 0.5,
            timeout: float = TIMEOUT, budget: Budget | None = None) -> Delivery:
    """Up to ``retries`` attempts, sleeping ``backoff``, 2x``backoff``, ... between them, all
    within ``budget`` (none: no limit); a failure spends the rest of the budget."""
    if not url:
        return Delivery("no_webhook", 0)
    budget = budget or Budget(float("inf"))
    error, attempts = None, 0
    for attempt in range(1, retries + 1):
        if budget.left() <= 0:
            error = error or "not tried: the webhook failed earlier in this tick"
            break
        attempts = attempt
        try:
            post_json(url, alert.payload(), min(timeout, budget.left()))
            return Delivery("delivered", attempt)
        except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
            error = f"{type(exc).__name__}: {exc}"[:500]
        if attempt < retries:
            time.sleep(min(backoff * 2 ** (attempt - 1), budget.left()))
    budget.spend()
    return Delivery("failed", attempts, error)


def send(alert: Alert, home: str | Path, url: str | None, **kw) -> Delivery | None:
    """Log ``alert`` in ``home/alerts.jsonl`` and deliver it; None when it was already logged."""
    log = AlertLog(Path(home) / ALERT_LOG)
    if not log.add(alert):
        return None
    result = deliver(alert, url, **kw)
    log.record(alert.id, result.status, result.attempts, result.error)
    return result


def redeliver(home: str | Path, url: str | None, *, limit: int = 20, **kw) -> dict[str, int]:
    """Retry undelivered alerts, oldest first; stops at the first failure (the webhook is
    still down), so a tick stays short. Returns counts of delivered and still pending."""
    log = AlertLog(Path(home) / ALERT_LOG)
    pending = log.pending()
    delivered = 0
    if url:
        for alert in pending[:limit]:
            result = deliver(alert, url, **kw)
            if result.attempts:  # a tick whose time is spent tries nothing and logs nothing
                log.record(alert.id, result.status, result.attempts, result.error)
            if result.status != "delivered":
                break
            delivered += 1
    return {"delivered": delivered, "pending": len(pending) - delivered}
