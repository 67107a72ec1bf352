"""Request records for the champion: a strict validator built from the model's features, and the
matrix LightGBM scores.

Why not BentoML's own input validation: on a ValidationError BentoML logs the exception, and a
pydantic error's text carries ``input_value=...``, so a client's values would reach the server
log. Here the body is validated in one pass (pydantic-core parses and checks the JSON together)
and errors are reported by field path and type only, never by value.

What a record may hold, exactly: every feature, as a finite number (NaN, Infinity and numbers
beyond float range such as 1e400 are refused: they are not data, and a score of one would be
logged and learned from) or a category, ``null`` for missing; ``entity_id`` as text and
``event_ts`` as an RFC 3339 date-time text (the offset may be left out: UTC). A client's key
names are echoed only escaped and cut to ``NAME_CHARS`` (a key is a field name, but a key
starting with a newline must not forge a log line, nor a 1 MB key write a 1 MB one).

Why a numpy matrix and not a DataFrame: LightGBM's pandas path maps each categorical column to
its training-time codes (``pandas_categorical``) and then scores a float matrix; doing that
mapping here with a dict lookup gives the same matrix (the startup sanity check compares the
two paths) at a fraction of the cost of building a DataFrame per request.
"""

from __future__ import annotations

import datetime as dt
import re
import typing as t
from typing import Annotated, NotRequired

import numpy as np
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    TypeAdapter,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

OPTIONAL = ("entity_id", "event_ts")  # per-record keys that are not features (for joins later)
MAX_ERRORS = 20
NAME_CHARS = 64  # a client's key, as echoed in a 400 and in the server log
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})?$"
_RFC3339 = re.compile(RFC3339)


def safe_name(name: str) -> str:
    """A client's key as it may be shown: control characters escaped, cut to NAME_CHARS."""
    if not name.isprintable():
        name = name.encode("unicode_escape").decode("ascii")
    return name if len(name) <= NAME_CHARS else name[:NAME_CHARS - 1] + "\u2026"


def field_path(loc: tuple[t.Any, ...]) -> str:
    """("records", 3, "amount") -> "records[3].amount"; () -> "body" (the whole request)."""
    out = ""
    for part in loc:
        part = part if isinstance(part, int) else safe_name(str(part))
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "body"


def _rfc3339(value: t.Any) -> t.Any:
    """Only text in RFC 3339 form reaches the date-time parser (no epoch numbers, no dates)."""
    if value is None or (isinstance(value, str) and _RFC3339.match(value)):
        return value
    raise PydanticCustomError("datetime_format",
                              "Input should be an RFC 3339 date-time, e.g. 2025-01-04T10:00:00Z")


EventTime = Annotated[Annotated[dt.datetime, Field(strict=False)] | None, BeforeValidator(_rfc3339)]


def category_type(cats: list[t.Any]) -> t.Any:
    if cats and all(isinstance(c, int) and not isinstance(c, bool) for c in cats):
        return StrictInt | None
    if cats and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in cats):
        return StrictFloat | None
    return StrictStr | None


class Records:
    """Validator and framer for one model: ``features`` in model order, ``categories`` per
    categorical feature in the model's code order."""

    def __init__(self, features: list[str], categories: dict[str, list[t.Any]], max_batch: int):
        clash = [f for f in features if f in OPTIONAL]
        if clash:
            raise ValueError(f"feature names clash with request keys: {clash}")
        self.features, self.max_batch = features, max_batch
        self.codes = {c: {v: float(i) for i, v in enumerate(v)} for c, v in categories.items()}
        fields: dict[str, t.Any] = {
            c: category_type(categories[c]) if c in categories else StrictFloat | None
            for c in features
        }
        fields["entity_id"] = NotRequired[StrictStr | None]  # the feature store's key is text
        fields["event_ts"] = NotRequired[EventTime]
        strict = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
        record = TypedDict("Record", fields)  # type: ignore[misc]
        record.__pydantic_config__ = strict  # type: ignore[attr-defined]
        batch = Annotated[list[record], Field(min_length=1, max_length=max_batch)]

        class Body(TypedDict):
            __pydantic_config__ = strict  # type: ignore[misc]
            records: batch  # type: ignore[valid-type]

        self.adapter = TypeAdapter(Body)

    def errors(self, exc: t.Any) -> dict[str, t.Any]:
        """A 400 body from a pydantic ValidationError: field paths, types, messages; no values."""
        errs = exc.errors(include_url=False, include_input=False)
        if errs and errs[0]["type"] == "json_invalid":
            return {"error": "request body is not valid JSON",
                    "detail": [{"type": "json_invalid", "field": "body", "msg": errs[0]["msg"]}]}
        too_long = [e for e in errs if e["type"] == "too_long" and e["loc"] == ("records",)]
        if too_long:
            n = too_long[0].get("ctx", {}).get("actual_length", "more")
            msg = f"{n} records exceed the limit of {self.max_batch} per request (CT_MAX_BATCH)"
            return {"error": msg, "limit": self.max_batch,
                    "detail": [{"type": "too_long", "field": "records", "msg": msg}]}
        return {
            "error": f"{len(errs)} validation error(s) in the request",
            "detail": [{"type": e["type"], "field": field_path(e["loc"]), "msg": e["msg"]}
                       for e in errs[:MAX_ERRORS]],
        }

    def validate(self, body: bytes) -> list[dict[str, t.Any]]:
        """The records of a JSON body; raises pydantic.ValidationError."""
        return self.adapter.validate_json(body)["records"]

    def matrix(self, rows: list[dict[str, t.Any]]) -> tuple[np.ndarray, dict[str, int]]:
        """Float matrix in model feature order (null -> NaN = missing; unseen category -> NaN)
        and the count of unseen categories per feature."""
        x = np.empty((len(rows), len(self.features)), dtype=np.float64)
        unseen: dict[str, int] = {}
        for j, name in enumerate(self.features):
            codes = self.codes.get(name)
            if codes is None:
                x[:, j] = np.array([r[name] for r in rows], dtype=np.float64)  # None -> nan
                continue
            col = [r[name] for r in rows]
            x[:, j] = [codes.get(v, np.nan) for v in col]
            n = sum(1 for v in col if v is not None and v not in codes)
            if n:
                unseen[name] = n
        return x, unseen
