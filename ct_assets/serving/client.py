"""Small HTTP helpers for talking to a local server with the standard library only.

Why not requests/httpx: the probe and the tests need a status code and a decoded body, never
an exception for a 4xx, and nothing more.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from typing import Any


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def http_json(url: str, payload: Any | None = None, timeout: float = 30.0,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """GET (payload None) or POST JSON (bytes are sent as they are); (status, decoded body),
    no raising on 4xx/5xx. ``headers`` add to (or replace) ``Content-Type: application/json``."""
    data = payload if isinstance(payload, bytes) or payload is None else json.dumps(payload)
    data = data.encode() if isinstance(data, str) else data
    req = urllib.request.Request(url, data=data,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, body = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, body = e.code, e.read()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode(errors="replace")
