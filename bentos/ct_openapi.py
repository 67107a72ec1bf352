"""The OpenAPI document (``/docs.json``) says what the service does, no more, no less.

Why: clients and fuzzers (schemathesis in CI) read it as the contract. BentoML documents the
request body from the input model, which ``record_doc`` makes agree with ``ct_records``
(every feature required, no other key, 1..CT_MAX_BATCH records, an RFC 3339 ``event_ts``),
but it documents every API's errors as ``{"error": str, "detail": str}`` with 400, 404 and
500 only. ``DocsPatch`` (an ASGI middleware, BentoML's public ``add_asgi_middleware``) takes
BentoML's document as served and replaces ``/predict``'s responses with what ``predict``
answers: 200, 400 (``detail`` an array of field errors), 401, 413, 415 and 503; and adds
``/metadata``.
"""

from __future__ import annotations

import json
import typing as t

from ct_records import RFC3339, category_type
from pydantic import ConfigDict, Field, create_model

ERROR = {
    "type": "object", "required": ["error"],
    "properties": {
        "request_id": {"type": "string"}, "error": {"type": "string"},
        "limit": {"type": "integer"},
        "detail": {"type": "array", "items": {
            "type": "object", "required": ["type", "field", "msg"],
            "properties": {"type": {"type": "string"}, "field": {"type": "string"},
                           "msg": {"type": "string"}}}},
    },
}
SCORES = {
    "type": "object",
    "required": ["request_id", "model_version", "feature_version", "scores", "logged"],
    "properties": {
        "request_id": {"type": "string"}, "model_version": {"type": "string"},
        "feature_version": {"type": "string"}, "logged": {"type": "boolean"},
        "scores": {"type": "array", "items": {"type": "number"}},
        "unseen_categories": {"type": "object", "additionalProperties": {"type": "integer"}},
    },
}
WHY = {400: "A field is missing, unknown or of the wrong type (named in `detail`, never its "
            "value), or the body is not JSON, or it holds too many records",
       401: "The Authorization header carries a token the operator did not configure",
       413: "The body exceeds CT_MAX_BODY_BYTES", 415: "The body is not application/json",
       503: "Not ready: the model failed a startup check, or the prediction log cannot be "
            "written for a request that is to be logged"}


def record_doc(schema: dict[str, t.Any], categories: dict[str, list[t.Any]]) -> t.Any:
    """A record as the docs show it; a plain object if a feature name cannot be a field."""
    stamp = Field(None, json_schema_extra={"format": "date-time", "pattern": RFC3339})
    try:
        return create_model(
            "Record", __config__=ConfigDict(extra="forbid", allow_inf_nan=False),
            **{c: (float | None, ...) for c in schema["numeric"]},
            **{c: (category_type(categories.get(c, [])), ...) for c in schema["categorical"]},
            entity_id=(str | None, None), event_ts=(str | None, stamp))
    except Exception:
        return dict[str, t.Any]


def _json(schema_ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": schema_ref}}}}


def patch(doc: dict) -> dict:
    """BentoML's document with ``/predict``'s real responses and ``/metadata``."""
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["PredictError"], schemas["PredictOutput"] = ERROR, SCORES
    predict = doc.get("paths", {}).get("/predict", {}).get("post")
    if predict is not None:
        predict.setdefault("requestBody", {})["required"] = True
        predict["responses"] = {
            "200": {"description": "One score per record", **_json(
                "#/components/schemas/PredictOutput")},
            **{str(code): {"description": why, **_json("#/components/schemas/PredictError")}
               for code, why in WHY.items()}}
    doc.setdefault("paths", {})["/metadata"] = {"get": {
        "description": "Model version, feature schema, training window, metrics, limits",
        "responses": {"200": {"description": "The served model",
                              "content": {"application/json": {"schema": {"type": "object"}}}}}}}
    readyz = doc["paths"].get("/readyz", {}).get("get")
    if readyz is not None:
        readyz.setdefault("responses", {})["503"] = {"description": "Not ready (see /metadata)"}
    return doc


class DocsPatch:
    """ASGI middleware: ``GET /docs.json`` answered with ``patch`` of BentoML's document."""

    def __init__(self, app: t.Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: t.Any, send: t.Any) -> None:
        if scope["type"] != "http" or scope["path"] != "/docs.json":
            await self.app(scope, receive, send)
            return
        start: dict = {}
        chunks: list[bytes] = []

        async def keep(message: dict) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        body = b"".join(chunks)
        if start.get("status") == 200:
            body = json.dumps(patch(json.loads(body))).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
