"""Alerts people receive: a webhook (Slack-compatible JSON) and an append-only log in the home.

Pure (no Dagster import). ``send`` logs an alert, then tries the webhook with retries and
backoff; a webhook that is down never raises and never loses the alert: it stays in the log
as undelivered and ``redeliver`` retries it later (the next sensor tick).
"""

from .deliver import (
    ALERT_LOG,
    ENV_VAR,
    Budget,
    Delivery,
    post_json,
    redeliver,
    send,
    webhook_url,
)
from .log import AlertLog
from .model import KINDS, Alert

__all__ = ["ALERT_LOG", "ENV_VAR", "KINDS", "Budget", "Alert", "AlertLog", "Delivery", "post_json",
           "redeliver", "send", "webhook_url"]
