"""Jobs: one period's ingest and monitoring, and a retrain from training set to bento."""

import datetime as dt

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.graph.storage import retrain_run_tags
from ct_assets.records import RunTags

INGEST_STAGES = ("ingest", "features", "monitoring")
RETRAIN_STAGES = ("training", "evaluation", "champion")


def build(m: ModelGraph) -> list:
    # One process per run, steps in it one after another: DuckDB has one writer.
    ingest_job = dg.define_asset_job(
        m.named("ingest_job"), partitions_def=m.partitions, executor_def=dg.in_process_executor,
        selection=dg.AssetSelection.groups(*(m.group(s) for s in INGEST_STAGES)),
        description="One period: events, labels, features, predictions, drift and performance "
                    "reports.")
    retrain_job = dg.define_asset_job(
        m.named("retrain_job"), executor_def=dg.in_process_executor, run_tags=retrain_run_tags(m),
        selection=dg.AssetSelection.groups(*(m.group(s) for s in RETRAIN_STAGES)),
        description="Point-in-time training set, contender, evaluation and gates, champion, "
                    "bento.")
    return [ingest_job, retrain_job]


def retrain_request(m: ModelGraph, cutoff: dt.date, trigger: str, reason: str) -> dg.RunRequest:
    """A retrain at `cutoff`, tagged with what triggered it and why."""
    return dg.RunRequest(
        run_key=f"{trigger}-{cutoff.isoformat()}",
        run_config={"ops": {m.key("training_set").to_python_identifier():
                            {"config": {"cutoff": cutoff.isoformat()}}}},
        tags=RunTags(trigger, reason, cutoff).to_tags(),
    )
