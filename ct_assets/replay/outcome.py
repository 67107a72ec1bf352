"""The outcomes of a home's retrain runs, as the registry recorded them."""

from __future__ import annotations

import dagster as dg

from ct_assets.graph import ModelGraph
from ct_assets.graph.connection import connection
from ct_assets.home import Home
from ct_assets.records import RunTags
from ct_assets.registry import ModelVersion, Registry
from ct_assets.store import table_exists


def open_db(home: Home):
    """A cursor on the replay's own kept connection (DuckDB refuses a second configuration of
    the same file in one process, and the replay owns the file)."""
    return connection(home.db, keep_open=True)


def retrain_outcome(home: Home, run_id: str, tags: dict,
                    versions: list[ModelVersion] | None = None) -> str:
    """'promoted v3 (roc_auc 0.871)', 'rejected v4: <gate>', or why no contender exists (the
    run's `ct/outcome` tag says it when the run decided so, e.g. too few labelled rows).
    `versions`: the registry's, when the caller already read them."""
    if versions is None:
        with open_db(home) as con:
            versions = Registry(con).versions() if table_exists(con, "aliases") else []
    found = [v for v in versions if v.run_id == run_id]
    if not found:
        return RunTags.from_tags(tags).outcome or "failed before a contender was recorded"
    record = found[0]
    if record.status == "rejected":
        return f"rejected {record.version}: {(record.gate or {}).get('reason', 'gates failed')}"
    if not record.metrics:
        return f"{record.version} recorded, evaluation failed"
    verb = "promoted" if record.status in ("champion", "archived") else record.status
    return f"{verb} {record.version} ({record.metric} {record.metrics[record.metric]:.3f})"


def retrain_history(instance: dg.DagsterInstance, m: ModelGraph,
                    costs: dict[str, tuple[float, float]]) -> list[dict]:
    """Every retrain `m`'s home ran, oldest first: cutoff day, trigger, reason, outcome, run
    id, and the run's wall and CPU seconds where `costs` has them (the replay that ran it)."""
    runs = instance.get_runs(filters=dg.RunsFilter(job_name=m.named("retrain_job")))
    tags = sorted(((RunTags.from_tags(run.tags), run) for run in runs),
                  key=lambda tr: str(tr[0].cutoff or ""))
    with open_db(m.home) as con:
        versions = Registry(con).versions() if table_exists(con, "aliases") else []
    return [{"day": str(t.cutoff or ""), "trigger": t.trigger, "reason": t.reason,
             "outcome": retrain_outcome(m.home, run.run_id, run.tags, versions),
             "run_id": run.run_id,
             **dict(zip(("seconds", "cpu_seconds"), costs.get(run.run_id, ()), strict=False))}
            for t, run in tags]
