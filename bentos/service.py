"""BentoML service that serves the ct-assets champion (a LightGBM model).

Self-contained: the bento ships only this folder, so no ct_assets import. The model is pinned
by its exact tag in ``pinned_model.json`` (written by ``build_bento``). Whatever the client
sends and whatever state the disk is in, it answers correctly or says why it cannot:

* a model whose artifact fails its sha256 check, or whose sanity prediction differs from build
  time, keeps the worker alive but never ready (``/readyz`` 503, ``/predict`` 503 with the
  reason, ``/metadata`` ``model_ok``), instead of a worker BentoML restarts forever;
* ``/readyz`` is also 503 while the prediction log (``CT_PREDICTION_LOG_DIR``) cannot be
  written; a request that is to be logged then gets 503 and is neither scored nor counted;
* only requests with a configured token are logged (``ct_auth``), so no other client can
  change what monitoring and retraining see; the log is bounded (``ct_retention``);
* only ``application/json`` bodies (415 otherwise: a browser on another site cannot post a
  form or text/plain to it), at most CT_MAX_BODY_BYTES (413); finite numbers only (400);
* metrics labels are bounded and logged paths escaped (``ct_metrics``); ``/docs.json`` matches
  what ``predict`` answers (``ct_openapi``).
"""

from __future__ import annotations

import datetime as dt
import os
import typing as t
import uuid
from typing import Annotated

import bentoml
from _bentoml_sdk.io_models import IODescriptor
from ct_auth import ENV_VAR as TOKENS_VAR
from ct_auth import LogAuth
from ct_body import Refusal, read_body
from ct_champion import PINNED, Champion, record_doc_for
from ct_metrics import MODEL, PRUNED, REJECTED, SCORED, UNSEEN, BoundedMetrics, exposition
from ct_openapi import DocsPatch
from ct_predlog import LogUnavailable
from pydantic import ConfigDict, Field, ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

MAX_BATCH = int(os.environ.get("CT_MAX_BATCH", "10000"))
MAX_BODY = int(os.environ.get("CT_MAX_BODY_BYTES", str(MAX_BATCH * 4096)))
ROUTES = ("/predict", "/metadata", "/metrics", "/docs.json", "/", "/livez", "/readyz", "/healthz")
RETRY_AFTER_S = "30"


class PredictInput(IODescriptor):
    """1..CT_MAX_BATCH records: every feature (null = missing), optional entity_id, event_ts.
    Send ``Authorization: Bearer <token>`` (CT_LOG_TOKENS) for the request to be logged."""

    model_config = ConfigDict(extra="forbid")  # the docs say so; ct_records enforces it
    records: Annotated[list[record_doc_for()], Field(min_length=1,  # type: ignore[misc]
                                                     max_length=MAX_BATCH)]

    @classmethod
    async def from_http_request(cls, request: Request, serde: t.Any) -> PredictInput:
        """The raw body, unparsed (or why it is refused): ``predict`` validates it, so BentoML
        never logs a validation error carrying the client's values."""
        return cls.model_construct(records=await read_body(request, MAX_BODY))


async def metadata_view(_: Request) -> JSONResponse:
    return JSONResponse(bentoml.get_current_service().describe())


async def metrics_view(_: Request) -> Response:
    body, media_type = exposition()
    return Response(body, media_type=media_type)


# BentoML's metrics and access log are replaced by ct_metrics (bounded labels, escaped paths);
# tracing is off for every URL: no exporter is configured, and its ASGI middleware kept about
# 5 KB per request in this setup (+24 MB of worker RSS per 5,000 requests, measured).
@bentoml.service(name="ct_champion_service", workers=1, traffic={"timeout": 60},
                 metrics={"enabled": False}, logging={"access": {"enabled": False}},
                 tracing={"excluded_urls": [".*"]})
@bentoml.asgi_app(Starlette(routes=[Route("/metadata", metadata_view, methods=["GET"]),
                                    Route("/metrics", metrics_view, methods=["GET"])]), path="/")
class ChampionService:
    model_ref = bentoml.models.BentoModel(PINNED["model_tag"])

    def __init__(self) -> None:
        self.champion = Champion(self.model_ref, MAX_BATCH, os.environ, PRUNED.inc)
        MODEL.labels(model_version=self.champion.version,
                     feature_version=self.champion.feature_version).set(1)
        try:
            self.auth = LogAuth(os.environ.get(TOKENS_VAR))
        except ValueError as exc:
            self.auth = LogAuth(None)
            self.champion.problems.append(str(exc))

    def __is_ready__(self) -> bool:  # sync: BentoML runs it in a thread (the log check is I/O)
        return not self.champion.not_ready()

    def describe(self) -> dict[str, t.Any]:
        return {**self.champion.describe(), "max_batch": MAX_BATCH, "max_body_bytes": MAX_BODY,
                "trusted_tokens": self.auth.count}

    @bentoml.api(route="/predict", input_spec=PredictInput)
    def predict(self, records: t.Any, ctx: bentoml.Context) -> dict[str, t.Any]:
        """Scores for 1..CT_MAX_BATCH records (probability for binary, value for regression)."""
        rid, champion = uuid.uuid4().hex, self.champion
        trusted = self.auth.check(ctx.request.headers.get("authorization"))
        log = champion.log if trusted else None
        if trusted is False and champion.log is not None:
            return self._refuse(ctx, rid, Refusal(
                401, "unauthorized", "the Authorization token is not one configured for the "
                "prediction log (CT_LOG_TOKENS); without the header requests are scored and "
                "not logged", "authorization"))
        if champion.problems:
            return self._refuse(ctx, rid, Refusal(503, "not_ready", champion.problems[0]))
        if isinstance(records, Refusal):
            return self._refuse(ctx, rid, records)
        try:
            rows = champion.records.validate(records)
        except ValidationError as exc:
            body = champion.records.errors(exc)
            REJECTED.labels(reason="invalid").inc()
            champion.log_rejection(rid, body["detail"])
            ctx.response.status_code = 400
            return {"request_id": rid, **body}
        if log is not None and (problem := log.health()):
            return self._refuse(ctx, rid, champion.log_refusal(problem))
        scores, unseen = champion.score(rows)
        if log is not None:
            try:
                log.append(rid, dt.datetime.now(dt.UTC), records, rows, scores)
            except LogUnavailable as exc:
                return self._refuse(ctx, rid, champion.log_refusal(str(exc)))
        for name, n in unseen.items():
            UNSEEN.labels(feature=name).inc(n)
        SCORED.inc(len(rows))
        return {"request_id": rid, "model_version": champion.version,
                "feature_version": champion.feature_version, "scores": scores,
                "unseen_categories": unseen, "logged": log is not None}

    @staticmethod
    def _refuse(ctx: bentoml.Context, rid: str, refusal: Refusal) -> dict[str, t.Any]:
        REJECTED.labels(reason=refusal.reason).inc()
        ctx.response.status_code = refusal.status
        if refusal.status == 503:
            ctx.response.headers["Retry-After"] = RETRY_AFTER_S
        detail = {"type": refusal.reason, "field": refusal.field, "msg": refusal.message}
        return {"request_id": rid, "error": refusal.message, "detail": [detail]}


ChampionService.add_asgi_middleware(BoundedMetrics, routes=ROUTES, name="ct_champion_service",
                                    version=PINNED.get("ct_version", ""))
ChampionService.add_asgi_middleware(DocsPatch)
