"""The BentoML names the serving code relies on beyond the documented API, checked in one place
so that an upgrade fails here, loudly and by name, rather than in a server's log.

Private: `_bentoml_sdk.io_models.IODescriptor` (bentos/service.py reads /predict's raw body in
its `from_http_request`, so that BentoML never logs a validation error carrying the client's
values), and the model and bento stores of `bentoml._internal` (ct_assets/serving/store.py and
build.py: one store per home, without BentoML's usage tracking). Public but load-bearing: the
service config keys that turn BentoML's unbounded metrics, its raw-path access log and its
span-keeping tracing off, and `add_asgi_middleware` (bentos/ct_metrics.py, ct_openapi.py).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect

import pytest

BENTOML = importlib.metadata.version("bentoml")
PRIVATE = [
    ("_bentoml_sdk.io_models", "IODescriptor", "bentos/service.py"),
    ("bentoml._internal.bento.bento", "BentoStore", "ct_assets/serving/build.py"),
    ("bentoml._internal.models.model", "ModelStore", "ct_assets/serving/store.py"),
    ("bentoml._internal.models.model", "Model", "ct_assets/serving/store.py"),
    ("bentoml._internal.models.model", "ModelContext", "ct_assets/serving/store.py"),
]


@pytest.mark.parametrize(("module", "name", "user"), PRIVATE)
def test_private_names_are_still_there(module, name, user):
    try:
        found = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.fail(f"BentoML {BENTOML} has no {module}.{name}; {user} must follow it")
    assert inspect.isclass(found)


def test_a_descriptor_still_reads_the_raw_request():
    from _bentoml_sdk.io_models import IODescriptor

    hook = inspect.signature(IODescriptor.from_http_request)
    assert list(hook.parameters) == ["request", "serde"], (
        f"BentoML {BENTOML} changed IODescriptor.from_http_request{hook}; "
        "bentos/service.py's PredictInput overrides it")


def test_the_service_config_keys_the_service_sets_are_still_accepted():
    from _bentoml_sdk.service.config import ServiceConfig

    keys = set(ServiceConfig.__annotations__)
    assert {"metrics", "logging", "tracing", "traffic", "workers"} <= keys, (
        f"BentoML {BENTOML} service config keys are now {sorted(keys)}")
    import bentoml

    assert hasattr(bentoml.Service, "add_asgi_middleware"), (
        f"BentoML {BENTOML} has no Service.add_asgi_middleware; bentos/service.py uses it")
