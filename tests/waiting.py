"""Polling for what another process does (a daemon's runs, a server's readiness, a lock)."""

from __future__ import annotations

import time


def wait_for(condition, timeout: float, what: str, every: float = 0.2):
    """`condition()`'s first truthy value, polled every `every` seconds; an AssertionError naming
    `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
