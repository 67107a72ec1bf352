"""HTTP metrics and the access log with bounded labels and escaped paths.

Why not BentoML's own: its metrics middleware labels every request with the raw path, so
5,000 requests to unknown paths made 5,000 label sets (``/metrics`` grew from 55 KB to 23 MB,
a scrape took 14 s, the worker grew by 250 MB), and its access log writes the decoded path, so
``/%0Afake`` forged a log line. The service turns both off in its BentoML config (public
``metrics``/``logging`` keys) and this middleware (public ``add_asgi_middleware``) keeps the
same metric names, ``bentoml_service_request_total``, ``..._request_duration_seconds`` and
``..._request_in_progress``, with ``endpoint`` one of the service's routes or ``other``, and
logs one access line per request with the path escaped and cut to ``PATH_CHARS``.
``/metrics`` itself is a route of the service's ASGI app (``exposition``). The service's own
``ct_*`` counters are defined here too.
"""

from __future__ import annotations

import logging
import os
import time
import typing as t

import bentoml

OTHER, PATH_CHARS = "other", 128
PREFIXES = ("/static_content/",)
UNLOGGED = ("/metrics", "/livez", "/readyz", "/healthz")
access_log = logging.getLogger("bentoml.access")

LABELS = ["endpoint", "service_name", "service_version", "http_response_code"]
REQUESTS = bentoml.metrics.Counter(
    name="bentoml_service_request_total", labelnames=LABELS,
    documentation="Requests by route (unknown paths: endpoint=\"other\") and status")
DURATION = bentoml.metrics.Histogram(
    name="bentoml_service_request_duration_seconds", labelnames=LABELS,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
    documentation="Request duration by route and status")
IN_PROGRESS = bentoml.metrics.Gauge(
    name="bentoml_service_request_in_progress", labelnames=LABELS[:3],
    multiprocess_mode="livesum", documentation="Requests in progress by route")
# The service's own (labels bounded too: features, refusal reasons, one model)
UNSEEN = bentoml.metrics.Counter(
    name="ct_unseen_category_total", labelnames=["feature"],
    documentation="Categorical values not seen in training, scored as missing")
SCORED = bentoml.metrics.Counter(name="ct_scored_records_total",
                                 documentation="Records scored and answered")
REJECTED = bentoml.metrics.Counter(
    name="ct_rejected_requests_total", labelnames=["reason"],
    documentation="Requests refused: invalid, too_large, unsupported_media_type, "
                  "unauthorized, not_ready, log_unavailable")
MODEL = bentoml.metrics.Gauge(
    name="ct_model_info", labelnames=["model_version", "feature_version"],
    documentation="The model version this process serves (1)")
PRUNED = bentoml.metrics.Counter(name="ct_log_pruned_files_total",
                                 documentation="Prediction log files deleted by retention")


def escaped(path: str) -> str:
    """A client's path as a log may show it: control characters escaped, cut short."""
    if not path.isprintable():
        path = path.encode("unicode_escape").decode("ascii")
    return path if len(path) <= PATH_CHARS else path[:PATH_CHARS - 3] + "..."


class BoundedMetrics:
    def __init__(self, app: t.Any, routes: t.Iterable[str], name: str, version: str) -> None:
        self.app, self.routes, self.ids = app, frozenset(routes), (name, version)

    def endpoint(self, path: str) -> str:
        if path in self.routes:
            return path
        return next((p for p in PREFIXES if path.startswith(p)), OTHER)

    async def __call__(self, scope: dict, receive: t.Any, send: t.Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        endpoint, answer = self.endpoint(scope["path"]), {"status": 500, "bytes": 0}

        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        gauge = IN_PROGRESS.labels(endpoint, *self.ids)
        gauge.inc()
        t0 = time.perf_counter()
        try:
            await self.app(scope, receive, watch)
        finally:
            gauge.dec()
            seconds, status = time.perf_counter() - t0, answer["status"]
            if endpoint not in UNLOGGED:
                REQUESTS.labels(endpoint, *self.ids, str(status)).inc()
                DURATION.labels(endpoint, *self.ids, str(status)).observe(seconds)
                client = scope.get("client") or ("-", 0)
                access_log.info("%s:%s %s %s %s %dB %.1fms", client[0], client[1],
                                scope.get("method", "-"), escaped(scope["path"]), status,
                                answer["bytes"], seconds * 1000)


def exposition() -> tuple[bytes, str]:
    """Every metric of this server (all its processes), in Prometheus' text format."""
    import prometheus_client
    from prometheus_client import multiprocess

    registry = prometheus_client.REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    families = list(registry.collect())
    for family in families:  # the multiprocess collector puts _sum and _count first
        if family.type == "histogram":
            family.samples.sort(key=_histogram_order)
    return (prometheus_client.generate_latest(_Fixed(families)),
            prometheus_client.CONTENT_TYPE_LATEST)


class _Fixed:
    """A collector that yields families already collected (sorted)."""

    def __init__(self, families: list) -> None:
        self.families = families

    def collect(self) -> list:
        return self.families


def _histogram_order(sample: t.Any) -> tuple:
    labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
    if sample.name.endswith("_bucket"):
        return labels, 0, float(sample.labels.get("le", 0))
    return labels, 1 if sample.name.endswith("_count") else 2, 0.0
