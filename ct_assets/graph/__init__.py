"""The thin Dagster layer: one model's whole graph, one module per stage.

    from ct_assets.graph import ModelGraph, build_definitions
    defs = build_definitions(ModelGraph("fraud", Home(path), settings))

`ct_assets.ContinuousTraining` (the component) and the `ct` replays build a model's graph with
this one function, so a model loaded by `dg` and a model replayed by `ct demo` are the same
definitions.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ct_assets.graph import (
    alerts,
    automation,
    champion,
    contender,
    drift,
    evaluation,
    features,
    ingest,
    jobs,
    performance,
    predictions,
    storage,
    training,
)
from ct_assets.graph.model import ModelGraph
from ct_assets.home import Home
from ct_assets.settings import Settings

STAGES = (ingest, features, predictions, drift, performance, training, contender, evaluation,
          champion)


def build_definitions(m: ModelGraph) -> dg.Definitions:
    """Every asset, check, job, sensor and schedule of one model, under its name."""
    ingest_job, retrain_job = jobs.build(m)
    triggers = automation.build(m)
    return dg.Definitions(
        assets=[asset for stage in STAGES for asset in stage.build(m)],
        jobs=[ingest_job, retrain_job],
        sensors=[*triggers["sensors"], *alerts.build(m, ingest_job, retrain_job)],
        schedules=triggers["schedules"],
        resources={m.io_manager_key: storage.io_manager(m)},
    )


def definitions_for_home(root: str | Path, keep_open: bool = False) -> dg.Definitions:
    """The graph of the model a home folder holds (its name and settings are in the home; its
    database may not exist yet: the first ingest creates it)."""
    home = Home(Path(root).expanduser().resolve())
    settings = Settings.load(home.root)
    return build_definitions(ModelGraph(settings.name, home, settings, keep_open))


__all__ = ["ModelGraph", "build_definitions", "definitions_for_home"]
