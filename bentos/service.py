"""BentoML service that serves the ct-assets champion (a LightGBM model).

Self-contained: the bento ships only this folder, so no ct_assets import. The model is pinned
by its exact tag in ``pinned_model.json`` (written by ``build_bento``); the artifact's sha256 is
checked at startup, then a sanity prediction must reproduce the scores computed at build time
before ``/readyz`` answers 200. The service never opens the feature store database; it appends
what it served to the prediction log (``CT_PREDICTION_LOG_DIR``, set by ``ct serve``).

Endpoints: ``POST /predict``, ``GET /metadata``; ``/livez``, ``/readyz``, ``/metrics`` (with
``ct_*`` counters) come from BentoML.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import typing as t
import uuid
from pathlib import Path

import bentoml
from _bentoml_sdk.io_models import IODescriptor
from ct_model import load, sanity
from ct_predlog import PredictionLog
from ct_records import Records, record_doc
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

PINNED: dict[str, t.Any] = json.loads(Path(__file__).with_name("pinned_model.json").read_text())
if PINNED["model_tag"].endswith(":latest") or ":" not in PINNED["model_tag"]:
    raise RuntimeError("pinned_model.json must name an exact model tag")
MAX_BATCH = int(os.environ.get("CT_MAX_BATCH", "10000"))
MAX_BODY = int(os.environ.get("CT_MAX_BODY_BYTES", str(MAX_BATCH * 4096)))
LOG_DIR = os.environ.get("CT_PREDICTION_LOG_DIR")
# One OpenMP thread per prediction: requests are already concurrent, and on a busy machine
# OpenMP's spinning threads cost more than they save (1000 rows: ~1 ms of trees).
PREDICT_THREADS = int(os.environ.get("CT_PREDICT_THREADS", "1"))
logger = logging.getLogger("bentoml.ct_champion")  # a child of "bentoml": kept by its log config

UNSEEN = bentoml.metrics.Counter(
    name="ct_unseen_category_total", labelnames=["feature"],
    documentation="Categorical values not seen in training, scored as missing")
SCORED = bentoml.metrics.Counter(name="ct_scored_records_total", documentation="Records scored")
REJECTED = bentoml.metrics.Counter(
    name="ct_rejected_requests_total", labelnames=["reason"],
    documentation="Requests refused: invalid, too_large, not_ready")
MODEL = bentoml.metrics.Gauge(
    name="ct_model_info", labelnames=["model_version", "feature_version"],
    documentation="The model version this process serves (1)")

_Record = record_doc(bentoml.models.get(PINNED["model_tag"]).info.metadata["schema"])


class PredictInput(IODescriptor):
    """1..CT_MAX_BATCH records: every feature (null = missing), optional entity_id, event_ts."""

    records: list[_Record]  # type: ignore[valid-type]

    @classmethod
    async def from_http_request(cls, request: Request, serde: t.Any) -> PredictInput:
        """The raw body, unparsed (None when over CT_MAX_BODY_BYTES): ``predict`` validates it,
        so BentoML never logs a validation error carrying the client's values."""
        size, chunks = 0, []
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                return cls.model_construct(records=None)
            chunks.append(chunk)
        return cls.model_construct(records=b"".join(chunks))


async def metadata_view(_: Request) -> JSONResponse:
    return JSONResponse(bentoml.get_current_service().describe())


@bentoml.service(name="ct_champion_service", workers=1, traffic={"timeout": 60})
@bentoml.asgi_app(Starlette(routes=[Route("/metadata", metadata_view, methods=["GET"])]), path="/")
class ChampionService:
    model_ref = bentoml.models.BentoModel(PINNED["model_tag"])

    def __init__(self) -> None:
        self.model = load(self.model_ref, PINNED)  # raises: the worker never starts
        self.version, self.feature_version = self.model.version, self.model.feature_version
        self.records = Records(self.model.features, self.model.categories, MAX_BATCH)
        self.log = PredictionLog(LOG_DIR, self.version, self.feature_version) if LOG_DIR else None
        logger.info("serving %s (%s); prediction log: %s", self.version, self.model.tag,
                    LOG_DIR or "off (set CT_PREDICTION_LOG_DIR)")
        MODEL.labels(model_version=self.version, feature_version=self.feature_version).set(1)
        self.ready, message = sanity(self.model, self.records, PINNED)
        (logger.info if self.ready else logger.error)("%s: %s", message,
                                                      "ready" if self.ready else "NOT ready")

    async def __is_ready__(self) -> bool:
        return self.ready

    def describe(self) -> dict[str, t.Any]:
        meta = self.model.meta
        return {
            "model_version": self.version, "model_tag": self.model.tag,
            "feature_version": self.feature_version, "schema": meta["schema"],
            "features": self.model.features, "training": meta.get("training", {}),
            "metrics": meta.get("metrics", {}), "sha256": PINNED["sha256"],
            "max_batch": MAX_BATCH, "max_body_bytes": MAX_BODY, "ready": self.ready,
            "prediction_log": bool(self.log),
        }

    @bentoml.api(route="/predict", input_spec=PredictInput)
    def predict(self, records: bytes | None, ctx: bentoml.Context) -> dict[str, t.Any]:
        """Scores for 1..CT_MAX_BATCH records (probability for binary, value for regression)."""
        rid = uuid.uuid4().hex
        if not self.ready or records is None:
            reason = "not_ready" if not self.ready else "too_large"
            REJECTED.labels(reason=reason).inc()
            ctx.response.status_code = 503 if not self.ready else 413
            error = ("model failed its startup sanity check" if not self.ready else
                     f"request body exceeds the limit of {MAX_BODY} bytes (CT_MAX_BODY_BYTES)")
            return {"request_id": rid, "error": error}
        try:
            rows = self.records.validate(records)
        except ValidationError as exc:
            body = self.records.errors(exc)
            REJECTED.labels(reason="invalid").inc()
            logger.warning("request %s rejected: %s", rid,
                           ", ".join(f"{d['field']} ({d['type']})" for d in body["detail"]))
            ctx.response.status_code = 400
            return {"request_id": rid, **body}
        x, unseen = self.records.matrix(rows)
        scores = self.model.booster.predict(x, num_threads=PREDICT_THREADS).tolist()
        for name, n in unseen.items():
            UNSEEN.labels(feature=name).inc(n)
        SCORED.inc(len(rows))
        if self.log:
            self.log.append(rid, dt.datetime.now(dt.UTC), records, rows, scores)
        return {
            "request_id": rid, "model_version": self.version,
            "feature_version": self.feature_version, "scores": scores,
            "unseen_categories": unseen,
        }
