"""Jobs: one day's ingest and monitoring, and a retrain from training set to bento."""

import dagster as dg

from ct_assets.defs.partitions import periodic

# What a retrain run decided, added to the run's tags so the runs list says it: "v5 promote",
# "v6 rejected, keeps v5". A rejection is a successful run; red means something broke.
OUTCOME_TAG = "ct/outcome"

ingest_job = dg.define_asset_job(
    "ingest_job", selection=dg.AssetSelection.groups("ingest", "features", "monitoring"),
    partitions_def=periodic,
    description="One day: events, labels, features, predictions, drift and performance reports.")

retrain_job = dg.define_asset_job(
    "retrain_job", selection=dg.AssetSelection.groups("training", "evaluation", "champion"),
    description="Point-in-time training set, contender, evaluation and gates, champion, bento.")


def retrain_request(day: str, trigger: str, reason: str) -> dg.RunRequest:
    """A retrain at cutoff `day`, tagged with what triggered it and why."""
    return dg.RunRequest(
        run_key=f"{trigger}-{day}",
        run_config={"ops": {"training_set": {"config": {"cutoff": day}}}},
        tags={"ct/trigger": trigger, "ct/reason": reason, "ct/cutoff": day},
    )
