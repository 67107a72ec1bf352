"""A home folder with a served champion in seconds, without Dagster: simulated days in the
feature store, a LightGBM model trained on them, recorded, promoted and built into a bento.

Why: the serving benchmark and the serving tests need a real champion (the simulator's 24
features, a registry record, a pinned bento) but not the 5-minute demo. Every step is the
public piece the Dagster assets use (FeatureSet, FeatureStore, TrainedModel, Registry,
save_champion, build_bento), so what is served here is built the way production builds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ct_assets.home import Home
from ct_assets.registry import ModelVersion, Registry
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet, FeatureStore
from ct_assets.training import TrainedModel, evaluate
from ct_assets.training.reference import reference_profiles

from .build import build_bento
from .store import save_champion, training_info


@dataclass(frozen=True)
class Champion:
    version: str
    model_tag: str
    bento_tag: str
    model_path: Path


def seed_home(root: str | Path, days: int = 4, rows_per_day: int = 1500, seed: int = 0) -> Home:
    """A home whose feature store holds ``days`` simulated days (events and features)."""
    home = Home.create(root)
    settings = Settings(seed=seed, rows_per_day=rows_per_day)
    settings.save(home.root)
    sim = EventSimulator(seed=seed, start=settings.start, rows_per_day=rows_per_day)
    feature_set = FeatureSet(tuple(sim.numeric), tuple(sim.categorical), tuple(sim.calendar))
    with duckdb.connect(str(home.db)) as con:
        fs = FeatureStore(con)
        for i in range(days):
            day = sim.date_of(i)
            events = sim.events(day)
            fs.replace_partition("events", day, events)
            fs.replace_partition("features", day, feature_set.transform(events))
    return home


def train_version(home: Home, days: int, seed: int = 0) -> ModelVersion:
    """Train on the first ``days`` days (the last one held out) and register the model as a
    contender (not promoted, not packaged)."""
    settings = Settings.load(home.root)
    sim = EventSimulator(seed=seed, start=settings.start, rows_per_day=settings.rows_per_day)
    feature_set = FeatureSet(tuple(sim.numeric), tuple(sim.categorical), tuple(sim.calendar))
    import pandas as pd

    frames = [sim.labeled_events(sim.date_of(i)) for i in range(days)]
    labelled = [feature_set.transform(f).assign(label=f["label"].to_numpy()) for f in frames]
    train, holdout = pd.concat(labelled[:-1], ignore_index=True), labelled[-1]
    model = TrainedModel.fit(train, feature_set.schema, settings.task)
    with duckdb.connect(str(home.db)) as con:
        reg = Registry(con)
        version, _ = reg.next_version()
        path = home.models / version / "model.txt"
        sha = model.save(path)
        return reg.register(ModelVersion(
            version=version, task=settings.task, metric=settings.metric,
            cutoff=sim.date_of(days - 1), window_days=days, window_start=sim.date_of(0),
            snapshot_id=f"seed-{seed}-{days}", feature_version=feature_set.version,
            n_rows=len(train), feature_schema=model.schema,
            profile=reference_profiles(model, holdout, feature_set.monitored, feature_set.calendar),
            artifact_path=str(path.relative_to(home.root)), sha256=sha,
            metrics=evaluate(holdout["label"], model.predict(holdout), settings.task),
            trigger="manual", reason="seeded for serving"))


def train_champion(home: Home, days: int, seed: int = 0) -> Champion:
    """`train_version`, then promoted and built into a bento (no infra validation: a seed)."""
    record = train_version(home, days, seed)
    model_tag = save_champion(record.artifact(home.root), record.version, record.feature_schema,
                              record.sha256, record.metrics, home.bentoml,
                              training=training_info(record))
    bento_tag = build_bento(model_tag, home.bentoml)
    with duckdb.connect(str(home.db)) as con:
        reg = Registry(con)
        reg.promote(record.version, record.cutoff + dt.timedelta(days=1), "seeded for serving",
                    model_tag=model_tag, bento_tag=bento_tag)
    return Champion(record.version, model_tag, bento_tag, record.artifact(home.root))
