"""Findings 3 and 4: a registry that never half-changes and a model that is checked first.

Before: `ct registry promote` on a damaged model file printed a traceback and exited 1;
promoting a version the gates rejected succeeded silently; `ct serve` on a damaged model
printed "serving v12 ... on http://..." while BentoML restarted the worker ten times in 95 s
and /livez hung; a damaged pinned_model.json read as "No module named 'ct_champion_service'";
`ct serve` on a read-only home printed a traceback. Now each is one line (exit 2) that names
the file, with nothing changed, and a server that does start with a bad model stays up and
says why it is not ready. Acceptance 3: a home moved to another path serves, promotes and
rolls back.

Real `ct` subprocesses on copies of one seeded home (v1 champion with its bento, v2 trained).
"""

from __future__ import annotations

import json
import shutil
import time

import duckdb
import psutil
import pytest
from conftest import materialize
from serving_helpers import ct_serve, day_records, run_ct, unwritable_tree

from ct_assets.home import Home
from ct_assets.registry import Registry
from ct_assets.serving.seed import seed_home, train_champion, train_version
from ct_assets.serving.server import BentoServer, free_port


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("artifacts") / "home", days=4, rows_per_day=300)
    champion = train_champion(home, days=3)
    assert train_version(home, days=4).version == "v2"
    return home, champion


@pytest.fixture
def home(original, tmp_path) -> Home:
    """A private copy of the seeded home (tests damage it)."""
    shutil.copytree(original[0].root, tmp_path / "home")
    return Home.existing(tmp_path / "home")


def registry_state(home: Home) -> tuple:
    with duckdb.connect(str(home.db), read_only=True) as con:
        reg = Registry(con)
        return [v.summary() for v in reg.versions()], reg.history()


def bentos(home: Home) -> list[str]:
    return sorted(p.name for p in (home.bentoml / "bentos").rglob("bento.yaml"))


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def stored_model_file(home: Home, model_tag: str):
    name, version = model_tag.split(":")
    return home.bentoml / "models" / name / version / "model.txt"


def damage(path) -> None:
    path.write_text(path.read_text() + "\n# damaged\n")


def test_promote_of_a_damaged_model_is_one_line_and_changes_nothing(home):
    damage(home.models / "v2" / "model.txt")
    before, built = registry_state(home), bentos(home)
    line = one_line_error(run_ct("registry", "promote", "v2", "--home", str(home.root)))
    assert "v2's model file" in line and "sha256" in line and "v1 stays champion" in line
    assert registry_state(home) == before and bentos(home) == built


def test_promote_of_a_rejected_version_needs_force_and_is_validated(home):
    with duckdb.connect(str(home.db)) as con:
        Registry(con).update("v2", status="rejected", gate={"reason": "below the floor"})
    before = registry_state(home)
    line = one_line_error(run_ct("registry", "promote", "v2", "--home", str(home.root)))
    assert "rejected by the promotion gates (below the floor)" in line and "--force" in line
    assert registry_state(home) == before
    done = run_ct("registry", "promote", "v2", "--force", "--home", str(home.root))
    assert done.returncode == 0, done.stderr
    with duckdb.connect(str(home.db), read_only=True) as con:
        reg = Registry(con)
        v2, history = reg.get("v2"), reg.history()
    assert v2.status == "champion" and v2.deployable is True and v2.bento_tag  # validated
    assert history[-1]["reason"] == "manual: ct registry promote --force"


def test_ct_serve_refuses_a_damaged_model_at_once_and_promote_repairs_it(home, original):
    damage(stored_model_file(home, original[1].model_tag))
    t0 = time.monotonic()
    result = run_ct("serve", "--home", str(home.root), "--port", str(free_port()), timeout=120)
    line = one_line_error(result)
    assert time.monotonic() - t0 < 30 and "serving" not in result.stdout
    assert "is damaged" in line and "does not match the sha256" in line
    assert "ct registry promote v1" in line
    repaired = run_ct("registry", "promote", "v1", "--home", str(home.root))
    assert repaired.returncode == 0 and "v1 is the champion (still" in repaired.stdout
    with duckdb.connect(str(home.db), read_only=True) as con:
        v1 = Registry(con).get("v1")
    assert v1.model_tag != original[1].model_tag and v1.deployable is True
    with ct_serve(home, v1.bento_tag) as server:
        assert server.metadata()[1]["model_tag"] == v1.model_tag


def test_ct_serve_names_a_damaged_pinned_model_json(home, original):
    name, version = original[1].bento_tag.split(":")
    (home.bentoml / "bentos" / name / version / "src" / "pinned_model.json").write_text("{oops")
    line = one_line_error(run_ct("serve", "--home", str(home.root), "--port", str(free_port()),
                                 timeout=120))
    assert "pinned_model.json cannot be read" in line and "No module named" not in line


def test_a_bento_with_a_damaged_model_stays_up_never_ready_and_never_restarts(home, original):
    damage(stored_model_file(home, original[1].model_tag))
    server = BentoServer(original[1].bento_tag, home.bentoml)
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="cannot serve: .*sha256 mismatch"):
        server.start(timeout=120)  # waits for /readyz: fails fast, the reason named
    assert time.monotonic() - t0 < 60
    try:
        server.start(timeout=120, probe="/livez")
        workers = {p.pid for p in psutil.Process(server.proc.pid).children(recursive=True)}
        assert server.get("/readyz")[0] == 503
        status, body = server.predict(day_records(home, 3, 2)[0])
        assert status == 503 and "failed its integrity check" in body["error"]
        time.sleep(5)
        assert {p.pid for p in psutil.Process(server.proc.pid).children(recursive=True)} == workers
        assert server.log_tail(None).count("NOT ready") == 1  # one start, no restart loop
    finally:
        server.stop()


def test_ct_serve_on_a_read_only_home_is_one_line_and_serves_without_the_log(home, original):
    with unwritable_tree(home.root):
        line = one_line_error(run_ct("serve", "--home", str(home.root), "--port",
                                     str(free_port()), timeout=120))
        assert "cannot write the prediction log" in line and "--no-log" in line
        server = ct_serve(home, original[1].bento_tag, None, "--no-log")
        server.log_path = home.root.parent / "server.log"  # the home takes no log either
        with server:
            status, body = server.predict(day_records(home, 3, 2)[0])
            assert status == 200 and body["logged"] is False
            assert server.metadata()[1]["prediction_log"]["enabled"] is False


def test_a_moved_home_serves_promotes_and_rolls_back(original, tmp_path):
    old = tmp_path / "old-place"
    shutil.copytree(original[0].root, old)
    with duckdb.connect(str(old / "ct.duckdb")) as con:  # a record from before relative paths
        Registry(con).update("v2", artifact_path=str(old / "models" / "v2" / "model.txt"))
    (tmp_path / "elsewhere").mkdir()
    moved = Home.existing(shutil.move(old, tmp_path / "elsewhere" / "home"))
    assert not old.exists()

    def serves() -> str:
        with duckdb.connect(str(moved.db), read_only=True) as con:
            bento = Registry(con).champion().bento_tag
        with ct_serve(moved, bento) as server:
            status, body = server.predict(day_records(moved, 3, 3)[0])
            assert status == 200
            return body["model_version"]

    assert serves() == "v1"
    promoted = run_ct("registry", "promote", "v2", "--home", str(moved.root))
    assert promoted.returncode == 0, promoted.stderr
    assert serves() == "v2"
    rolled = run_ct("registry", "rollback", "--home", str(moved.root))
    assert rolled.returncode == 0, rolled.stderr
    assert serves() == "v1"
    assert json.loads(run_ct("registry", "list", "--json", "--home", str(moved.root)).stdout)[
        "champion_history"][-1]["reason"] == "rollback from v2"


def test_ingest_names_a_damaged_champion_file(home):
    """Before: the next ingest failed inside LightGBM; now the run fails saying which file."""
    damage(home.models / "v1" / "model.txt")
    result = materialize(home.root, "predictions_log", "2025-01-04", raise_on_error=False)
    assert not result.success
    failure = result.get_step_failure_events()[0].step_failure_data.error
    assert "v1's model file" in failure.message and "sha256" in failure.message
