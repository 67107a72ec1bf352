"""Shared helpers: one model's real graph, built for a test's home the way `dg` builds it."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ct_assets.graph import ModelGraph, build_definitions
from ct_assets.home import Home
from ct_assets.settings import Settings


def model_graph(root: Path, settings: Settings | None = None) -> ModelGraph:
    """The model a home holds (its settings.json unless `settings` is given)."""
    settings = settings or Settings.load(Path(root))
    return ModelGraph(settings.name, Home(Path(root)), settings)


def node(asset: str, name: str = "demo") -> str:
    """The op name of a model's asset (its key, prefixed by the model's name)."""
    return f"{name}__{asset}"


def materialize(root: Path, asset: str, partition: str | None = None,
                **kwargs) -> dg.ExecuteInProcessResult:
    """Materialize one asset of the home's model graph (with its checks) on an ephemeral
    instance, as a run of the real definitions would."""
    m = model_graph(root)
    defs = build_definitions(m)
    return dg.materialize([defs.get_assets_def(m.key(asset))], partition_key=partition,
                          resources=defs.resources, **kwargs)
