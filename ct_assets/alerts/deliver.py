"""Delivery: POST the alert's JSON with retries and exponential backoff; never raise."""

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


def post_json(url: str, body: dict, timeout: float = 5.0) -> None:
    """POST ``body``; raises on a connection error or a status other than 2xx."""
    req = urllib.request.Request(url, data=json.dumps(body, default=str).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        if not 200 <= resp.status < 300:
            raise urllib.error.HTTPError(url, resp.status, "not 2xx", resp.headers, None)


def deliver(alert: Alert, url: str | None, *, retries: int = 3, backoff: float = 0.5,
            timeout: float = 5.0) -> Delivery:
    """Up to ``retries`` attempts, sleeping ``backoff``, 2x``backoff``, ... between them."""
    if not url:
        return Delivery("no_webhook", 0)
    error = None
    for attempt in range(1, retries + 1):
        try:
            post_json(url, alert.payload(), timeout)
            return Delivery("delivered", attempt)
        except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
            error = f"{type(exc).__name__}: {exc}"[:500]
        if attempt < retries:
            time.sleep(backoff * 2 ** (attempt - 1))
    return Delivery("failed", retries, error)


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
            log.record(alert.id, result.status, result.attempts, result.error)
            if result.status != "delivered":
                break
            delivered += 1
    return {"delivered": delivered, "pending": len(pending) - delivered}
