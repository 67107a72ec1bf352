"""`ct_assets.ContinuousTraining`: one model's whole continuous-training graph from one YAML.

    # defs/fraud/defs.yaml    (`dg scaffold defs ct_assets.ContinuousTraining fraud`)
    type: ct_assets.ContinuousTraining
    attributes:
      name: fraud
      home: .ct-fraud                         # relative to the project root
      source: data/transactions.parquet
      time_column: ts
      label_column: is_fraud
      label_delay: 7d

Its attributes are the project's settings (every key of `ct_assets/settings.py`, each with its
description) plus the home folder; `dg check defs` validates them against that schema. Each
instance yields its model's assets, checks, jobs, sensors and schedules, prefixed by `name`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import dagster as dg
from pydantic import BaseModel, Field, PrivateAttr, ValidationError

from ct_assets.errors import CTError
from ct_assets.graph import ModelGraph, build_definitions
from ct_assets.home import Home
from ct_assets.project import resolve_settings
from ct_assets.settings import Settings, validation_message
from ct_assets.shared.settings import StorageSettings
from ct_assets.sources import resolve


def _date(_context, value) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


class StorageAttributes(dg.Model):
    """The YAML of `storage` (see `ct_assets.shared.settings`); `{{ env.VAR }}` allowed."""

    kind: str = Field("embedded", description=StorageSettings.model_fields["kind"].description)
    postgres: str | None = Field(None,
                                 description=StorageSettings.model_fields["postgres"].description)
    objects: str | None = Field(None,
                                description=StorageSettings.model_fields["objects"].description)
    s3_endpoint: str | None = Field(
        None, description=StorageSettings.model_fields["s3_endpoint"].description)


def _storage(context, value) -> StorageSettings:
    """The storage block with its `{{ env.VAR }}` templates filled in, then validated (a bad
    value is one line naming the setting)."""
    if value is None:
        return StorageSettings()
    raw = value.model_dump(exclude_unset=True) if isinstance(value, BaseModel) else dict(value)
    try:
        return StorageSettings.model_validate(context.resolve_value(raw))
    except ValidationError as exc:
        message = validation_message(exc)
        raise CTError(message.replace("setting '", "setting 'storage.", 1)
                      if message.startswith("setting '")
                      else f"setting 'storage': {message}") from None


class ModelScaffolder(dg.Scaffolder):
    """`dg scaffold defs ct_assets.ContinuousTraining fraud`: a model named after its folder,
    in a home of its own, on the built-in simulator until a source is set."""

    def scaffold(self, request: dg.ScaffoldRequest) -> None:
        name = request.target_path.name
        dg.scaffold_component(request, {"name": name, "home": f".ct-{name}",
                                        "source": "simulator"})


@dg.scaffold_with(ModelScaffolder)
class ContinuousTraining(dg.Component, dg.Resolvable, Settings):
    """Continuous training for one tabular LightGBM model: daily (or weekly, monthly) ingest
    into a DuckDB feature store, drift and realised-performance monitoring against the
    champion, retraining on drift or on a schedule with point-in-time training sets, promotion
    gates, a BentoML bento of every champion, and alerts."""

    home: str = Field(".ct", description="Home folder of the model (its DuckDB file, models, "
                                         "BentoML store and logs), relative to the project root.")
    start: Annotated[dt.date, dg.Resolver(_date, model_field_type=str)] = Field(
        dt.date(2025, 1, 1), description="First day of the event stream (ISO date).")
    end: Annotated[dt.date | None, dg.Resolver(_date, model_field_type=str | None)] = Field(
        None, description="Last day of the stream (ISO date; a table's last by default).")

    storage: Annotated[StorageSettings, dg.Resolver(
        _storage, model_field_type=StorageAttributes | None)] = Field(
        StorageSettings(), description=Settings.model_fields["storage"].description)

    _given: dict = PrivateAttr(default_factory=dict)

    @classmethod
    def resolve_from_model(cls, context, model) -> ContinuousTraining:
        component = super().resolve_from_model(context, model)
        written = model.model_fields_set - {"home"}
        component._given = {k: v for k, v in component.model_dump().items() if k in written}
        return component

    def given(self, project_root: Path) -> dict:
        """The settings the YAML wrote (the rest is defaulted, or resolved from the data), with
        a relative source made absolute against the project root."""
        given = dict(self._given or self.model_dump(exclude={"home"}, exclude_unset=True))
        if "source" in given:
            given["source"] = resolve(str(given["source"]), project_root)
        return given

    def home_folder(self, project_root: Path) -> Path:
        home = Path(self.home).expanduser()
        return (home if home.is_absolute() else project_root / home).resolve()

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        home = Home(self.home_folder(context.project_root))
        settings = resolve_settings(self.given(context.project_root), home)
        return build_definitions(ModelGraph(settings.name, home, settings))
