"""Alerts: each kind reaches a webhook served on 127.0.0.1 and the home's alert log; a webhook
that is down leaves the run green and the alert undelivered in the log until it is back.

The sensors are the real ones of a model's graph, invoked on real runs of an ephemeral
instance. The runs materialize stand-ins with the model's real asset keys, check names and
metadata, so no model is trained here; test_infra_validation runs the real bento, and
test_loop the real retrain.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import pytest
from conftest import model_graph

from ct_assets.alerts import Alert, AlertLog, redeliver, send, webhook_url
from ct_assets.graph import build_definitions
from ct_assets.serving.client import free_port
from ct_assets.settings import Settings

FAST = {"retries": 2, "backoff": 0.01, "timeout": 2.0}


class Webhook:
    """A tiny webhook on 127.0.0.1: records every JSON body; ``start`` / ``stop`` on one port."""

    def __init__(self, port: int | None = None):
        self.port, self.bodies, self.server = port or free_port("127.0.0.1"), [], None
        self.url = f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Webhook:
        bodies = self.bodies

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                bodies.append(json.loads(self.rfile.read(n)))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def hook():
    w = Webhook().start()
    yield w
    w.stop()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv("CT_ALERT_WEBHOOK", raising=False)
    Settings(gate_floor=0.6).save(tmp_path)
    return tmp_path


def sensor(home, name: str):
    """The home's model's real sensor `name` (its settings read now, as a new tick would)."""
    m = model_graph(home)
    return build_definitions(m).resolve_sensor_def(m.named(name))


def run_and_sense(home, assets, name, tags, partition=None):
    """Materialize ``assets`` on an ephemeral instance, then invoke sensor ``name`` on that run."""
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(assets, instance=instance, tags=tags, partition_key=partition,
                            resources=build_definitions(model_graph(home)).resources,
                            raise_on_error=False)
    event = result.get_run_success_event() if result.success else result.get_run_failure_event()
    watcher = sensor(home, name)
    context = dg.build_run_status_sensor_context(
        sensor_name=watcher.name, dagster_event=event, dagster_instance=instance,
        dagster_run=result.dagster_run)
    if not result.success:
        context = context.for_run_failure()
    return result, watcher(context)


TAGS = {"ct/trigger": "drift", "ct/reason": "drift share 0.41", "ct/cutoff": "2025-03-01"}


def ingest_assets(home, drifted: bool, auc: float):
    """Stand-ins for the ingest run's reports, with their real keys and check names."""
    m = model_graph(home)

    @dg.asset(key=m.key("drift_report"), partitions_def=m.partitions,
              check_specs=[dg.AssetCheckSpec("dataset_drift", asset=m.key("drift_report"))])
    def drift_report():
        return dg.MaterializeResult(
            metadata={"drift_share": 0.41, "drifted_features": "amount, merchant",
                      "champion_version": "v1"},
            check_results=[dg.AssetCheckResult(
                check_name="dataset_drift", passed=not drifted,
                severity=dg.AssetCheckSeverity.WARN, description="2 drifted feature(s)",
                metadata={"drift_share": 0.41})])

    @dg.asset(key=m.key("performance_report"), partitions_def=m.partitions,
              check_specs=[dg.AssetCheckSpec("performance_floor",
                                             asset=m.key("performance_report"))])
    def performance_report():
        passed = auc >= 0.6
        return dg.MaterializeResult(
            metadata={"metric": "roc_auc", "roc_auc": auc, "models": "v1"},
            check_results=[dg.AssetCheckResult(
                check_name="performance_floor", passed=passed,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"realised roc_auc {auc} is {'within' if passed else 'below'} 0.6",
                metadata={"roc_auc": auc, "floor": 0.6})])

    return [drift_report, performance_report]


def retrain_assets(home, gates_pass: bool, bento_ok: bool = True, broken: bool = False):
    """Stand-ins for the retrain run's assets, with their real keys and check names."""
    m = model_graph(home)

    @dg.asset(key=m.key("contender_evaluation"), check_specs=[dg.AssetCheckSpec(
        "promotion_gates", asset=m.key("contender_evaluation"))])
    def contender_evaluation():
        yield dg.Output({"version": "v3"}, metadata={"contender_version": "v3",
                                                     "champion_version": "v2"})
        yield dg.AssetCheckResult(  # as the real one: a rejection is a warning, not an error
            check_name="promotion_gates", passed=gates_pass, severity=dg.AssetCheckSeverity.WARN,
            description="passed" if gates_pass else "roc_auc change -0.0100 is below 0.0",
            metadata={"floor": True, "improvement": gates_pass})

    @dg.asset(key=m.key("champion_model"), deps=[contender_evaluation], output_required=False)
    def champion_model():
        if broken:
            raise RuntimeError("disk full while promoting")
        if gates_pass:  # as the real one: not materialized when the gates rejected
            yield dg.MaterializeResult(metadata={"version": "v3", "previous": "v2",
                                                 "roc_auc": 0.81, "reason": "drift: passed"})

    @dg.asset(key=m.key("champion_bento"), deps=[champion_model], check_specs=[
        dg.AssetCheckSpec("infra_validation", asset=m.key("champion_bento"), blocking=True)])
    def champion_bento():
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(
            check_name="infra_validation", passed=bento_ok, severity=dg.AssetCheckSeverity.ERROR,
            description="200 records served equal" if bento_ok else "sha256 mismatch")])

    return [contender_evaluation, champion_model, champion_bento]


def only(hook, kind):
    assert [b["kind"] for b in hook.bodies] == [kind], hook.bodies
    body = hook.bodies[0]
    assert body["text"].strip() and body["id"] and body["fields"]
    return body


def test_dataset_drift_and_performance_below_floor(home, hook, monkeypatch):
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)  # the environment wins over settings
    result, skip = run_and_sense(home, ingest_assets(home, drifted=True, auc=0.55),
                                 "monitoring_alert_sensor", {}, partition="2025-02-01")
    assert result.success  # WARN checks: the ingest run stays green
    floor = [e for e in result.get_asset_check_evaluations() if e.check_name == "performance_floor"]
    assert len(floor) == 1 and not floor[0].passed
    kinds = sorted(b["kind"] for b in hook.bodies)
    assert kinds == ["dataset_drift", "performance_below_floor"], skip
    drift = next(b for b in hook.bodies if b["kind"] == "dataset_drift")
    assert drift["fields"]["day"] == "2025-02-01" and drift["fields"]["drift_share"] == 0.41
    assert "amount" in drift["text"]
    perf = next(b for b in hook.bodies if b["kind"] == "performance_below_floor")
    assert perf["fields"]["roc_auc"] == 0.55 and perf["fields"]["floor"] == 0.6
    assert set(AlertLog(home / "alerts.jsonl").statuses().values()) == {"delivered"}


def test_healthy_day_sends_nothing(home, hook, monkeypatch):
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    run_and_sense(home, ingest_assets(home, drifted=False, auc=0.8), "monitoring_alert_sensor",
                  {}, partition="2025-02-01")
    assert hook.bodies == []


def test_newly_promoted_champion(home, hook):
    Settings(alert_webhook=hook.url).save(home)  # from settings when the env var is unset
    result, _ = run_and_sense(home, retrain_assets(home, gates_pass=True),
                              "retrain_success_alert_sensor", TAGS)
    assert result.success
    body = only(hook, "champion_promoted")
    assert body["fields"]["version"] == "v3" and body["fields"]["previous"] == "v2"
    assert body["fields"]["trigger"] == "drift" and "v3" in body["text"]


def test_rejected_contender_is_a_successful_run_whose_alert_names_its_gate(home, hook,
                                                                          monkeypatch):
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    result, _ = run_and_sense(home, retrain_assets(home, gates_pass=False),
                              "retrain_success_alert_sensor", TAGS)
    assert result.success
    body = only(hook, "contender_rejected")
    assert body["fields"]["version"] == "v3"
    assert "below" in body["fields"]["gate_reason"] and body["fields"]["gates"]["floor"] is True


def test_failed_retrain_and_refused_bento(home, hook, monkeypatch):
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    run_and_sense(home, retrain_assets(home, True, broken=True), "retrain_failure_alert_sensor",
                  TAGS)
    body = only(hook, "retrain_failed")
    assert "disk full" in body["fields"]["error"]
    hook.bodies.clear()
    run_and_sense(home, retrain_assets(home, True, bento_ok=False),
                  "retrain_failure_alert_sensor", TAGS)
    body = only(hook, "bento_refused")
    assert body["fields"]["why"] == "sha256 mismatch" and body["fields"]["version"] == "v3"


def test_webhook_down_run_green_alert_kept_then_delivered(home, monkeypatch):
    hook = Webhook()  # not started: connection refused on its port
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    result, skip = run_and_sense(home, ingest_assets(home, drifted=True, auc=0.8),
                                 "monitoring_alert_sensor", {}, partition="2025-02-01")
    assert result.success and "failed" in skip.skip_message
    log = AlertLog(home / "alerts.jsonl")
    assert list(log.statuses().values()) == ["failed"] and len(log.pending()) == 1
    attempts = [ln for ln in log.lines() if ln["event"] == "delivery"]
    assert attempts[0]["attempts"] == 3 and "Connection refused" in attempts[0]["error"]

    hook.start()
    try:
        tick = sensor(home, "alert_redelivery_sensor")(dg.build_sensor_context())
        assert "redelivered 1, pending 0" in tick.skip_message
        assert [b["kind"] for b in hook.bodies] == ["dataset_drift"]
        assert list(log.statuses().values()) == ["delivered"] and log.pending() == []
        assert redeliver(home, hook.url) == {"delivered": 0, "pending": 0}  # never twice
    finally:
        hook.stop()


def test_send_logs_once_per_event_and_backs_off(tmp_path, monkeypatch):
    sleeps = []
    monkeypatch.setattr("ct_assets.alerts.deliver.time.sleep", sleeps.append)
    alert = Alert("retrain_failed:r1", "retrain_failed", "Retrain failed", {"error": "x"})
    url = Webhook().url  # nobody listens
    assert send(alert, tmp_path, url, retries=4, backoff=0.5).status == "failed"
    assert sleeps == [0.5, 1.0, 2.0]
    assert send(alert, tmp_path, url) is None  # the same event is not alerted twice
    assert send(Alert("x:1", "champion_promoted", "t"), tmp_path, None).status == "no_webhook"
    log = AlertLog(tmp_path / "alerts.jsonl")
    assert [a.id for a in log.pending()] == ["retrain_failed:r1"]  # no webhook: log only
    monkeypatch.setenv("CT_ALERT_WEBHOOK", "")
    assert webhook_url("http://127.0.0.1:1/x") is None
    with pytest.raises(ValueError):
        Alert("a", "nonsense", "t")


class BlackHole:
    """A webhook that accepts connections and never answers (nor closes them)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port, self.held = self.sock.getsockname()[1], []
        self.url = f"http://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self):
        for conn in self.held:
            conn.close()
        self.sock.close()


def test_a_webhook_that_never_answers_costs_a_tick_seconds_not_minutes(home, monkeypatch):
    """Before: three 5 s timeouts and the backoff per alert, 16.5 s added to every run."""
    hole = BlackHole()
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hole.url)
    try:
        t0 = time.monotonic()
        result, skip = run_and_sense(home, ingest_assets(home, drifted=True, auc=0.55),
                                     "monitoring_alert_sensor", {}, partition="2025-02-01")
        tick = time.monotonic() - t0
    finally:
        hole.close()
    assert result.success and tick < 15, tick  # the run and its tick; the webhook <= 5 s
    log = AlertLog(home / "alerts.jsonl")
    assert len(log.pending()) == 2  # both kept, for the redelivery sensor
    tries = [ln["attempts"] for ln in log.lines() if ln["event"] == "delivery"]
    assert tries == [2, 0], tries  # 3 s + backoff + the 2 s left; the second not tried

    hook = Webhook().start()  # the webhook is back (at another address)
    monkeypatch.setenv("CT_ALERT_WEBHOOK", hook.url)
    try:
        tick = sensor(home, "alert_redelivery_sensor")(dg.build_sensor_context())
        assert "redelivered 2, pending 0" in tick.skip_message
        sensor(home, "alert_redelivery_sensor")(dg.build_sensor_context())
        assert sorted(b["kind"] for b in hook.bodies) == ["dataset_drift",
                                                          "performance_below_floor"]
    finally:
        hook.stop()
