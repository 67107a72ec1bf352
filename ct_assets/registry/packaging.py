"""Packaging a registry version for serving: BentoML model and a bento pinned to its exact tag.

One function for the `champion_bento` asset and for `ct registry promote / rollback`, so a
champion promoted by hand is as servable as one promoted by the pipeline.
"""

from __future__ import annotations

from pathlib import Path

from ct_assets.home import Home
from ct_assets.registry.registry import ModelVersion, Registry
from ct_assets.serving import build_bento, save_champion, training_info


def package(reg: Registry, record: ModelVersion, home: Home) -> ModelVersion:
    """Save `record` into the home's BentoML store, build its bento, record both tags."""
    if record.model_tag and record.bento_tag:
        return record
    model_tag = save_champion(Path(record.artifact_path), record.version, record.feature_schema,
                              record.sha256, record.metrics, home.bentoml,
                              training=training_info(record))
    bento_tag = build_bento(model_tag, home.bentoml, home.builds / record.version)
    reg.update(record.version, model_tag=model_tag, bento_tag=bento_tag)
    return reg.get(record.version)
