"""Training: a point-in-time training set at a cutoff, and a LightGBM contender trained on it."""

import datetime as dt

import dagster as dg
from pydantic import Field

from ct_assets.defs.features import features
from ct_assets.registry import ModelVersion
from ct_assets.resources import (
    EventSourceResource,
    FeatureStoreResource,
    ProjectResource,
    RegistryResource,
)
from ct_assets.store import point_in_time
from ct_assets.training import TrainedModel
from ct_assets.training.reference import reference_profiles
from ct_assets.training.snapshots import holdout_split, load_snapshot


class TrainingConfig(dg.Config):
    cutoff: str = Field("", description="Last data day (ISO date); empty means the newest day.")
    window_days: int = Field(0, description="Days of history; 0 means the `window_days` setting.")


@dg.asset(deps=[features], group_name="training", kinds={"duckdb", "pandas"})
def training_set(context: dg.AssetExecutionContext, config: TrainingConfig,
                 project: ProjectResource, source: EventSourceResource,
                 store: FeatureStoreResource) -> dg.Output[dict]:
    """The rows a contender may learn from: events before the cutoff whose labels were known by it.

    Labels that arrive after the cutoff are invisible here, exactly as they were in production on
    that day. The output is the snapshot's recipe (cutoff, window, feature version) and its id;
    the rows stay in the feature store and are rebuilt from the recipe.
    """
    settings = project.settings
    with store.open() as fs:
        days = fs.days("features")
        if not days:
            raise dg.Failure("the feature store is empty: materialize `features` first")
        cutoff = dt.date.fromisoformat(config.cutoff) if config.cutoff else days[-1]
        window = config.window_days or settings.window_days
        snapshot = point_in_time(fs.con, cutoff, window, source.feature_set.version)
    rows, positives = len(snapshot.frame), int(snapshot.frame["label"].sum())
    if rows < settings.min_train_rows:
        raise dg.Failure(
            f"only {rows} labelled rows known at cutoff {cutoff} in the last {window} days; "
            f"min_train_rows is {settings.min_train_rows}", metadata={"rows": rows})
    recipe = {"cutoff": str(cutoff), "window_days": window,
              "feature_version": snapshot.feature_version, "snapshot_id": snapshot.snapshot_id}
    return dg.Output(recipe, metadata={
        **recipe, "rows": rows, "positives": positives, "window_start": str(snapshot.window_start),
        "label_lag_days_median": float(
            (snapshot.frame["label_ts"] - snapshot.frame["event_ts"]).dt.days.median()),
    })


@dg.asset(group_name="training", kinds={"lightgbm"})
def contender_model(context: dg.AssetExecutionContext, training_set: dict,
                    project: ProjectResource, source: EventSourceResource,
                    store: FeatureStoreResource, registry: RegistryResource) -> dg.Output[str]:
    """A LightGBM model trained on the training set, minus its most recent days (the holdout).

    Recorded in the registry as a contender with its lineage: cutoff, window, snapshot id,
    feature version, the reference profile that drift monitoring will compare days with, the
    artifact's sha256 and this Dagster run.
    """
    settings = project.settings
    with store.open() as fs:
        snapshot = load_snapshot(fs.con, training_set)
    train, holdout = holdout_split(snapshot, settings.holdout_days)
    feature_set = source.feature_set
    schema = feature_set.schema
    model = TrainedModel.fit(train, schema, settings.task)
    profile = reference_profiles(model, holdout, feature_set.monitored)
    tags = context.run.tags
    with registry.open() as reg:
        version, _ = reg.next_version()
        sha = model.save(project.paths.models / version / "model.txt")
        reg.register(ModelVersion(
            version=version, task=settings.task, metric=settings.metric,
            cutoff=snapshot.cutoff, window_days=snapshot.window_days,
            window_start=snapshot.window_start, snapshot_id=snapshot.snapshot_id,
            feature_version=snapshot.feature_version, n_rows=len(train),
            feature_schema=model.schema, profile=profile,
            artifact_path=str(project.paths.models / version / "model.txt"), sha256=sha,
            run_id=context.run_id, trigger=tags.get("ct/trigger", "manual"),
            reason=tags.get("ct/reason", "materialized by hand")))
    top = sorted(model.importances().items(), key=lambda kv: -kv[1])[:5]
    return dg.Output(version, metadata={
        "version": version, "train_rows": len(train), "holdout_rows": len(holdout),
        "best_iteration": model.booster.best_iteration, "sha256": sha,
        "top_features": ", ".join(f"{k} ({v:.2f})" for k, v in top),
    })
