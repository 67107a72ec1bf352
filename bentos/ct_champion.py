"""The champion as one serving process holds it: the model (or why it cannot serve), the
request validator, the prediction log, and everything that keeps the process from being ready.

Why one object: ``/readyz``, ``/predict`` and ``/metadata`` must tell the same story. Problems
found at startup (a damaged artifact, a sanity prediction that differs from build time, a bad
``CT_LOG_*`` or ``CT_LOG_TOKENS`` value) are permanent for the process; the log's health is
checked again each time it is asked (a disk that was full can be freed).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
import typing as t

import bentoml
from ct_body import Refusal
from ct_model import load, read_pinned, sanity, text_categories
from ct_openapi import record_doc
from ct_predlog import PredictionLog
from ct_records import Records
from ct_retention import LogPolicy

PINNED: dict[str, t.Any] = read_pinned()
# One OpenMP thread per prediction: requests are already concurrent, and on a busy machine
# OpenMP's spinning threads cost more than they save (1000 rows: ~1 ms of trees).
PREDICT_THREADS = int(os.environ.get("CT_PREDICT_THREADS", "1"))
QUIET_S = 10.0  # at most one error line per this many seconds while the log is unwritable
logger = logging.getLogger("bentoml.ct_champion")  # a child of "bentoml": kept by its log config


def record_doc_for() -> t.Any:
    """The documented record of the pinned model; a plain object when the store cannot be
    read (the service still starts, and ``/readyz`` says why it is not ready)."""
    try:
        stored = bentoml.models.get(PINNED["model_tag"])
        schema = stored.info.metadata["schema"]
        path = stored.path_of(stored.info.metadata.get("file", "model.txt"))
        return record_doc(schema, text_categories(path, schema["categorical"]))
    except Exception:
        return dict[str, t.Any]


class Champion:
    def __init__(self, stored: t.Any, max_batch: int, env: t.Mapping[str, str],
                 on_prune: t.Callable[[int], None]) -> None:
        self.problems: list[str] = []
        self.model_ok = False  # the artifact loaded and reproduced its build-time scores
        self.model = self.records = self.log = self.policy = None
        self.version, self.feature_version = str(PINNED.get("ct_version", "")), ""
        self._quiet_until = 0.0
        try:
            self._start(stored, max_batch, env, on_prune)
        except Exception as exc:  # never raise: BentoML would restart the worker forever
            self.model_ok = False
            self.problems.append(f"model {PINNED['model_tag']} failed its integrity check at "
                                 f"startup ({exc}); rebuild or roll back its bento")
            logger.error("%s: NOT ready", self.problems[-1])

    def _start(self, stored: t.Any, max_batch: int, env: t.Mapping[str, str],
               on_prune: t.Callable[[int], None]) -> None:
        self.model = load(stored, PINNED)
        self.version, self.feature_version = self.model.version, self.model.feature_version
        self.records = Records(self.model.features, self.model.categories, max_batch)
        log_dir = env.get("CT_PREDICTION_LOG_DIR")
        if log_dir:
            try:
                self.policy = LogPolicy.from_env(env)
                self.log = PredictionLog(log_dir, self.version, self.feature_version,
                                         self.policy, on_prune)
            except ValueError as exc:
                self.problems.append(str(exc))
        logger.info("serving %s (%s); prediction log: %s", self.version, self.model.tag,
                    log_dir or "off (set CT_PREDICTION_LOG_DIR)")
        ok, message = sanity(self.model, self.records, PINNED)
        self.model_ok = ok
        if not ok:
            self.problems.append(message)
        (logger.info if ok else logger.error)("%s: %s", message, "ready" if ok else "NOT ready")

    def not_ready(self) -> list[str]:
        """Why this process should get no traffic now (empty when ready)."""
        reasons = list(self.problems)
        if self.log is not None and (problem := self.log.health()):
            reasons.append(f"the prediction log cannot be written ({problem})")
        return reasons

    def score(self, rows: list[dict[str, t.Any]]) -> tuple[list[float], dict[str, int]]:
        x, unseen = self.records.matrix(rows)
        return self.model.booster.predict(x, num_threads=PREDICT_THREADS).tolist(), unseen

    def log_rejection(self, rid: str, detail: list[dict[str, str]]) -> None:
        """One line per invalid request: field paths (escaped, cut short) and types only."""
        logger.warning("request %s rejected: %s", rid,
                       ", ".join(f"{d['field']} ({d['type']})" for d in detail))

    def log_refusal(self, problem: str) -> Refusal:
        """A 503 for a request that was to be logged, and an error line now and then."""
        message = (f"the prediction log cannot be written ({problem}); nothing was scored or "
                   "logged: retry later (or send no Authorization header to be scored unlogged)")
        if time.monotonic() >= self._quiet_until:
            self._quiet_until = time.monotonic() + QUIET_S
            logger.error("requests to be logged refused: %s", message)
        return Refusal(503, "log_unavailable", message)

    def describe(self) -> dict[str, t.Any]:
        meta = self.model.meta if self.model else {}
        reasons = self.not_ready()
        return {
            "model_version": self.version, "model_tag": PINNED["model_tag"],
            "feature_version": self.feature_version, "schema": meta.get("schema", {}),
            "features": self.model.features if self.model else [],
            "training": meta.get("training", {}), "metrics": meta.get("metrics", {}),
            "sha256": PINNED["sha256"], "ready": not reasons, "not_ready": reasons,
            "model_ok": self.model_ok,
            "prediction_log": {"enabled": self.log is not None,
                               **(dataclasses.asdict(self.policy) if self.policy else {})},
        }
