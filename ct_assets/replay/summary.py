"""What a replay did, read back from the registry, the feature store and the Dagster instance."""

from __future__ import annotations

import pandas as pd

from ct_assets.home import Home
from ct_assets.records import RunTags
from ct_assets.replay.driver import RunOutcome
from ct_assets.replay.outcome import open_db, retrain_outcome
from ct_assets.store import table_exists


def retrain_table(home: Home, outcomes: list[RunOutcome]) -> pd.DataFrame:
    """One row per retrain run: day, trigger, outcome (promoted, rejected or failed), reason."""
    rows = [{"day": run.day, "trigger": tags.trigger,
             "outcome": retrain_outcome(home, run.run_id, run.tags), "reason": tags.reason}
            for run in outcomes if run.job == "retrain_job"
            for tags in [RunTags.from_tags(run.tags)]]
    return pd.DataFrame(rows, columns=["day", "trigger", "outcome", "reason"])


def champion_table(home: Home) -> pd.DataFrame:
    with open_db(home) as con:
        if not table_exists(con, "aliases"):
            return pd.DataFrame(columns=["version", "from_day", "metric_at_promotion"])
        return con.execute("""
            SELECT a.version, CAST(a.day + 1 AS DATE) AS from_day, m.metric,
                   CAST(json_extract(m.metrics, '$.' || m.metric) AS DOUBLE) AS holdout_value
            FROM aliases a JOIN model_versions m USING (version)
            WHERE a.alias = 'champion' ORDER BY a.since""").df()


def realised_by_week(home: Home, metric: str) -> pd.DataFrame:
    """The champion's realised metric, as the last performance report of each week saw it."""
    with open_db(home) as con:
        if not table_exists(con, "performance"):
            return pd.DataFrame(columns=["week", metric, "rows", "models"])
        return con.execute(f"""
            SELECT date_trunc('week', day)::DATE AS week, arg_max({metric}, day) AS {metric},
                   arg_max(rows, day) AS rows, arg_max(models, day) AS models
            FROM performance GROUP BY 1 ORDER BY 1""").df()

