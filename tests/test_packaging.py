"""What a user installs and where they put it: the wheel ships everything the code reads at run
time, and a home anywhere (a dot-prefixed folder such as the default `./.ct` included) builds
and serves its champion's bento.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest

from ct_assets.registry import Registry
from ct_assets.serving import probe
from ct_assets.serving.build import build_root
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.training import TrainedModel

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_ships_the_service_the_registry_schema_and_the_examples(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT),
                    "-w", str(tmp_path)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("ct_assets-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"ct_assets/bentos/{p.name}" for p in (ROOT / "bentos").iterdir() if p.is_file()}
    assert shipped and shipped <= names, shipped - names
    assert "ct_assets/registry/schema.sql" in names
    assert {"ct_assets/examples/flights.yaml", "ct_assets/examples/simulator-weekly.yaml"} <= names
    assert any(n.endswith("licenses/LICENSE") for n in names)


def test_a_home_under_a_dot_folder_builds_and_serves_its_bento(tmp_path):
    """BentoML refuses to build from a path with a dot-prefixed part; the default home is one."""
    home = seed_home(tmp_path / ".hidden" / ".ct", days=4, rows_per_day=800)
    champion = train_champion(home, days=4)
    with duckdb.connect(str(home.db), read_only=True) as con:
        record = Registry(con).get(champion.version)
        sample = con.execute("SELECT * FROM features ORDER BY entity_id LIMIT 20").df()
    schema = record.feature_schema
    expected = TrainedModel.load(champion.model_path, schema).predict(sample)
    report = probe(champion.bento_tag, home.bentoml, sample, expected,
                   [*schema["numeric"], *schema["categorical"]])
    assert report["ok"] and report["model_version"] == champion.version, report


def test_a_build_folder_with_a_hidden_part_is_refused_with_the_fix(tmp_path, monkeypatch):
    hidden = tmp_path / ".cache"
    hidden.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(hidden))
    with pytest.raises(ValueError, match="TMPDIR"):
        build_root()
