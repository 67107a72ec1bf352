"""Many models, one deployment: a Dagster project whose `defs/` holds three
`ct_assets.ContinuousTraining` instances (the simulator twice, with different seeds, and a CSV
table), loaded by `dg` and replayed by name with `ct`.

Real pieces throughout: the `dg` command line on a scaffolded project, `ct demo --model` and
`ct backtest --model` as subprocesses, the homes they leave.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from ct_assets.simulation import EventSimulator

BIN = Path(sys.executable).parent
MODELS = {"sim_a": {"seed": 1, "rows_per_day": 800},
          "sim_b": {"seed": 2, "rows_per_day": 800},
          "table": {"source": "events.csv", "time_column": "ts", "label_column": "y"}}
DAYS = "18"


def run(args: list[str], project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}  # the project's package, not installed
    done = subprocess.run(args, capture_output=True, text=True, cwd=project, env=env,
                          timeout=900)
    assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A dg project with three models; the table model's CSV beside it."""
    root = tmp_path_factory.mktemp("project")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "fleet"\nversion = "0.1"\n\n[tool.dg]\ndirectory_type = "project"\n'
        '\n[tool.dg.project]\nroot_module = "fleet"\n\n[tool.dg.cli]\n'
        'suppress_warnings = ["project_and_activated_venv_mismatch"]\n')
    package = root / "fleet"
    (package / "defs").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "defs" / "__init__.py").write_text("")
    (package / "definitions.py").write_text(
        "from pathlib import Path\n\nimport dagster as dg\n\n"
        "defs = dg.load_from_defs_folder(path_within_project=Path(__file__).parent)\n")
    for name, attributes in MODELS.items():
        run([str(BIN / "dg"), "scaffold", "defs", "ct_assets.ContinuousTraining", name], root)
        declared = package / "defs" / name / "defs.yaml"
        component = yaml.safe_load(declared.read_text())
        assert component["attributes"] == {"name": name, "home": f".ct-{name}",
                                           "source": "simulator"}  # what `dg scaffold` wrote
        component["attributes"].update(attributes)
        declared.write_text(yaml.safe_dump(component, sort_keys=False))
    sim = EventSimulator(seed=5, rows_per_day=700)
    frame = pd.concat(sim.labeled_events(sim.start + dt.timedelta(days=i)) for i in range(20))
    frame.drop(columns=["entity_id", "label_ts"]).rename(
        columns={"event_ts": "ts", "label": "y"}).to_csv(root / "events.csv", index=False)
    return root


def test_dg_loads_three_prefixed_graphs(project):
    assert "All definitions loaded successfully" in run([str(BIN / "dg"), "check", "defs"],
                                                        project).stdout
    listed = json.loads(run([str(BIN / "dg"), "list", "defs", "--json"], project).stdout)
    prefixes = {a["asset_key_parts"][0] for a in listed["assets"]}
    assert prefixes == set(MODELS)
    per_model = {p: sorted(a["asset_key_parts"][1] for a in listed["assets"]
                           if a["asset_key_parts"][0] == p) for p in MODELS}
    assert len({tuple(keys) for keys in per_model.values()}) == 1  # the same graph three times
    assert "drift_report" in per_model["sim_a"] and "champion_bento" in per_model["sim_a"]
    assert sorted(j["name"] for j in listed["jobs"]) == sorted(
        f"{m}__{j}" for m in MODELS for j in ("ingest_job", "retrain_job"))


def registry(home: Path, project: Path) -> list[dict]:
    """The registry's lineage, without what differs between any two runs (ids, times, paths)."""
    listed = json.loads(run([sys.executable, "-m", "ct_assets.cli.main", "registry", "list",
                             "--home", str(home), "--json"], project).stdout)["versions"]
    keep = ("version", "status", "metrics", "cutoff", "window_days", "n_rows", "snapshot_id",
            "feature_version", "sha256", "trigger", "reason", "gate")
    return [{k: v[k] for k in keep} for v in listed]


def test_each_model_replays_by_name_as_it_would_alone(project, tmp_path):
    ct = [sys.executable, "-m", "ct_assets.cli.main"]
    run([*ct, "demo", "--model", "sim_a", "--days", DAYS], project)
    alone = tmp_path / "alone.yaml"  # the same model as the only one of a settings file
    alone.write_text(yaml.safe_dump({"name": "sim_a", **MODELS["sim_a"]}))
    run([*ct, "demo", "--config", str(alone), "--days", DAYS, "--home", str(tmp_path / "h")],
        project)
    in_fleet = registry(project / ".ct-sim_a", project)
    assert in_fleet and in_fleet == registry(tmp_path / "h", project)
    listed = run([*ct, "registry", "list", "--model", "sim_a"], project).stdout
    assert "champion" in listed


def test_a_table_model_backtests_by_name(project):
    out = project / "bt"
    run([sys.executable, "-m", "ct_assets.cli.main", "backtest", "--model", "table",
         "--policies", "never", "--out", str(out)], project)
    results = json.loads((out / "results.json").read_text())
    assert results["source"] == str(project / "events.csv") and results["periods"] == 20
    assert results["policies"]["never"]["retrains"] >= 1
