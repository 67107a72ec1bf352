"""Contracts between the project's parts, checked on the code itself.

- The pure core imports no Dagster, and the registry knows nothing of serving (import-linter,
  configured in pyproject.toml).
- Run tags and report metadata are spelled in one module, `ct_assets.records`, and read back
  through it.
- Building the code location reads no configuration from the environment: it imports with no
  home, no environment variables and an empty working directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import ct_assets
from ct_assets.records import DriftSummary, PerformanceSummary, RunTags

PACKAGE = Path(ct_assets.__file__).parent  # the installed package (a wheel's, in CI)
PROJECT = Path(__file__).parents[1]  # pyproject.toml holds the contracts
BIN = Path(sys.executable).parent


def test_the_core_imports_no_dagster_and_the_registry_no_serving():
    done = subprocess.run([str(BIN / "lint-imports")], capture_output=True, text=True,
                          cwd=PROJECT, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "2 kept, 0 broken" in done.stdout


def test_run_tags_are_spelled_only_in_the_records_module():
    spelled = {path.relative_to(PACKAGE).as_posix()
               for path in PACKAGE.rglob("*.py") if re.search(r"[\"']ct/", path.read_text())}
    assert spelled == {"records.py"}


def test_nothing_of_the_dagster_layer_reads_the_environment():
    readers = [path for folder in ("graph", "defs") for path in (PACKAGE / folder).rglob("*.py")
               if "os.environ" in path.read_text()]
    assert readers == [] and "os.environ" not in (PACKAGE / "definitions.py").read_text()


def test_the_code_location_loads_with_no_home_no_environment_in_an_empty_folder(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}  # nothing of ours, no DAGSTER_HOME
    code = ("import ct_assets.definitions as d; defs = d.defs; "
            "print(sorted(j.name for j in defs.jobs))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("['demo__ingest_job', 'demo__retrain_job']")
    assert list(tmp_path.iterdir()) == [] or not (tmp_path / ".ct").exists()  # wrote no home


def test_report_metadata_and_run_tags_read_back_through_their_records():
    drift = DriftSummary("v3", 0.42, True, "amount, merchant", 0.01, "2025-03-01", "v2",
                         12000, 3000)
    assert DriftSummary.from_metadata(drift.to_metadata()) == drift
    perf = PerformanceSummary("roc_auc", {"roc_auc": 0.8, "rows": 900.0}, "v2,v3", "v3", 900,
                              40, 0.86, 0.79)
    assert PerformanceSummary.from_metadata(perf.to_metadata()) == perf
    assert "champion_holdout_roc_auc" in perf.to_metadata()  # charted under the metric's name
    tags = RunTags("drift", "drift share 0.42", dt.date(2025, 3, 1), "v5 promote")
    assert RunTags.from_tags(tags.to_tags()) == tags
