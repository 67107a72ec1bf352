"""Infra validation: a release serves the bento it built on a free local port and compares its
scores with the registry artifact's before the champion alias moves; a broken bento is refused,
never becomes champion, `ct serve` keeps serving the previous one, and the failure sensor's
alert says why.

Real pieces throughout: a seeded home (feature store, registry, BentoML store), the real
`champion_model`/`champion_bento` multi-asset and resources, the real bento server and
`ct serve`.
"""

from __future__ import annotations

import json
import sys

import dagster as dg
import duckdb
import pytest
from conftest import model_graph
from test_alerts import Webhook

from ct_assets.cli.serve import champion_bento as served_bento
from ct_assets.graph import build_definitions
from ct_assets.registry import Registry
from ct_assets.release import package
from ct_assets.serving.seed import seed_home, train_champion, train_version
from ct_assets.serving.server import BentoServer, free_port
from ct_assets.settings import Settings


def release_through_the_graph(home, version: str, instance: dg.DagsterInstance):
    """Run the real champion step for `version`, as a retrain run whose gates passed it."""
    m = model_graph(home.root)
    defs = build_definitions(m)

    @dg.asset(key=m.key("contender_evaluation"), io_manager_key=m.io_manager_key)
    def passed() -> dict:  # the gates passed `version`
        return {"version": version, "passed": True, "reason": "gates passed (test)",
                "champion": "v1", "training_set": None}  # refit is off here

    return dg.materialize(
        [passed, defs.get_assets_def(m.key("champion_bento"))], instance=instance,
        raise_on_error=False, tags={"ct/trigger": "manual", "ct/reason": "test"},
        resources=defs.resources)


def failure_sensor(home):
    m = model_graph(home.root)
    return build_definitions(m).resolve_sensor_def(m.named("retrain_failure_alert_sensor"))


def record(home, version):
    with duckdb.connect(str(home.db), read_only=True) as con:
        return Registry(con).get(version)


def champion(home):
    with duckdb.connect(str(home.db), read_only=True) as con:
        return Registry(con).champion().version


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("infra"), days=4, rows_per_day=400)
    # the seeded versions were trained outside the graph: no training set to refit them from
    Settings.load(home.root).model_copy(update={"refit": False}).save(home.root)
    train_champion(home, days=3)  # v1, seeded as champion with its bento
    return home


def test_a_validated_release_moves_the_alias_and_a_broken_bento_never_does(home, monkeypatch):
    instance = dg.DagsterInstance.ephemeral()
    v2 = train_version(home, days=4).version
    good = release_through_the_graph(home, v2, instance)
    assert good.success
    check = good.get_asset_check_evaluations()[0]
    assert check.check_name == "infra_validation" and check.passed, check.description
    assert check.metadata["max_abs_diff"].value <= 1e-9 and check.metadata["n"].value == 200
    assert record(home, v2).deployable is True and champion(home) == v2
    assert {m.asset_key.path[-1] for m in good.get_asset_materialization_events()} == {
        "contender_evaluation", "champion_model", "champion_bento"}

    # v3's bento was built by an earlier attempt; it is whole (its files match their sha256)
    # but it would not score like the model (what another LightGBM build could produce)
    v3 = train_version(home, days=3)
    model_tag, bento_tag = package(v3, home)
    with duckdb.connect(str(home.db)) as con:
        Registry(con).update(v3.version, model_tag=model_tag, bento_tag=bento_tag)
    name, version = bento_tag.split(":")
    pinned_file = home.bentoml / "bentos" / name / version / "src" / "pinned_model.json"
    pinned = json.loads(pinned_file.read_text())
    pinned["sanity"]["scores"][1] += 0.01
    pinned_file.write_text(json.dumps(pinned))

    hook = Webhook().start()
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    try:
        bad = release_through_the_graph(home, v3.version, instance)
        assert not bad.success  # a blocking check: the run says the bento was refused
        check = bad.get_asset_check_evaluations()[0]
        assert not check.passed and "sanity prediction differs" in check.description
        assert check.metadata["served_version"].value == v2
        assert record(home, v3.version).deployable is False
        assert champion(home) == v2  # the alias never moved
        assert not any(m.asset_key.path[-1].startswith("champion")
                       for m in bad.get_asset_materialization_events())
        assert served_bento(home) == (v2, record(home, v2).bento_tag)

        sensor = failure_sensor(home)
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_event=bad.get_run_failure_event(),
            dagster_instance=instance, dagster_run=bad.dagster_run).for_run_failure()
        sensor(context)
        assert [b["kind"] for b in hook.bodies] == ["bento_refused"]
        assert "sanity prediction differs" in hook.bodies[0]["fields"]["why"]
    finally:
        hook.stop()

    port = free_port()  # `ct serve` on this home serves v2, the champion
    cmd = [sys.executable, "-m", "ct_assets.cli.main", "serve", "--port", str(port),
           "--home", str(home.root)]
    srv = BentoServer(record(home, v2).bento_tag, home.bentoml, port=port, command=cmd)
    try:
        srv.start(timeout=120)
        assert srv.metadata()[1]["model_version"] == v2
    finally:
        srv.stop()
