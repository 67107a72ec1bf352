"""Infra validation: `champion_bento` serves the bento it built on a free local port and compares
its scores with the registry artifact's; a broken bento is refused, never marked deployable,
`ct serve` keeps serving the previous one, and the failure sensor's alert says why.

Real pieces throughout: a seeded home (feature store, registry, BentoML store), the real
`champion_bento` asset and resources, the real bento server and `ct serve`.
"""

from __future__ import annotations

import sys

import dagster as dg
import duckdb
import pytest
from conftest import model_graph
from test_alerts import Webhook

from ct_assets.cli.serve import champion_bento as served_bento
from ct_assets.graph import build_definitions
from ct_assets.registry import Registry
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import BentoServer, free_port


def materialize_bento(home, version: str, instance: dg.DagsterInstance):
    m = model_graph(home.root)
    defs = build_definitions(m)

    @dg.asset(key=m.key("champion_model"), io_manager_key=m.io_manager_key)
    def stand_in() -> str:  # champion_model already promoted `version` in the registry
        return version

    return dg.materialize(
        [stand_in, defs.get_assets_def(m.key("champion_bento"))], instance=instance,
        raise_on_error=False, tags={"ct/trigger": "manual", "ct/reason": "test"},
        resources=defs.resources)


def failure_sensor(home):
    m = model_graph(home.root)
    return build_definitions(m).resolve_sensor_def(m.named("retrain_failure_alert_sensor"))


def record(home, version):
    with duckdb.connect(str(home.db), read_only=True) as con:
        return Registry(con).get(version)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("infra"), days=4, rows_per_day=400)
    train_champion(home, days=3)
    return home


def test_a_broken_bento_is_refused_and_the_previous_one_stays_served(home, monkeypatch):
    instance = dg.DagsterInstance.ephemeral()
    good = materialize_bento(home, "v1", instance)
    assert good.success
    check = good.get_asset_check_evaluations()[0]
    assert check.check_name == "infra_validation" and check.passed, check.description
    assert check.metadata["max_abs_diff"].value <= 1e-9 and check.metadata["n"].value == 200
    assert record(home, "v1").deployable is True

    v2 = train_champion(home, days=4)  # promoted, bento built; now its artifact goes bad
    name, tag_version = v2.model_tag.split(":")
    copies = [p for p in home.bentoml.rglob("model.txt") if p.parent.name == tag_version]
    assert copies
    for path in copies:
        path.write_text(path.read_text() + "\n# tampered\n")  # checksum no longer matches

    hook = Webhook().start()
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    try:
        bad = materialize_bento(home, "v2", instance)
        assert not bad.success  # a blocking check: the run says the bento was refused
        check = bad.get_asset_check_evaluations()[0]
        assert not check.passed and "sha256" in check.description
        assert check.metadata["served_version"].value == "v1"
        assert record(home, "v2").deployable is False
        assert served_bento(home) == ("v1", record(home, "v1").bento_tag)

        sensor = failure_sensor(home)
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_event=bad.get_run_failure_event(),
            dagster_instance=instance, dagster_run=bad.dagster_run).for_run_failure()
        sensor(context)
        assert [b["kind"] for b in hook.bodies] == ["bento_refused"]
        assert "sha256" in hook.bodies[0]["fields"]["why"]
    finally:
        hook.stop()

    port = free_port()  # `ct serve` on this home serves v1, the last deployable champion
    cmd = [sys.executable, "-m", "ct_assets.cli.main", "serve", "--port", str(port),
           "--home", str(home.root)]
    srv = BentoServer(record(home, "v1").bento_tag, home.bentoml, port=port, command=cmd)
    try:
        srv.start(timeout=120)
        assert srv.metadata()[1]["model_version"] == "v1"
    finally:
        srv.stop()
