"""Reading a ``/predict`` body: JSON only, and never more than the configured limit.

Why a content-type check: a browser on another site can post a form, ``text/plain`` or XML
to any address without asking first (a "simple" cross-site request); only ``application/json``
needs the server's CORS consent, which this service never gives. So anything else is refused
(415) before its body is read. Why a size limit while reading: the body is held in memory;
past ``CT_MAX_BODY_BYTES`` reading stops and the request is refused (413).
"""

from __future__ import annotations

import typing as t
from dataclasses import dataclass

JSON = "application/json"


@dataclass(frozen=True)
class Refusal:
    """Why a request is not scored: HTTP status, a reason label (bounded: a metrics label),
    a message for the client (never a value the client sent) and the field it concerns."""

    status: int
    reason: str
    message: str
    field: str = "body"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


async def read_body(request: t.Any, limit: int) -> bytes | Refusal:
    """The raw body of a JSON request of at most ``limit`` bytes, or why it is refused."""
    if media_type(request.headers.get("content-type")) != JSON:
        return Refusal(415, "unsupported_media_type",
                       f"send the records as {JSON} (Content-Type header)", "content-type")
    size, chunks = 0, []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return Refusal(413, "too_large",
                           f"request body exceeds the limit of {limit} bytes (CT_MAX_BODY_BYTES)")
        chunks.append(chunk)
    return b"".join(chunks)
