"""The champion's HTTP service, against a real server started by `ct serve`.

One home (simulated days, a champion v1 trained, registered, promoted and built into a bento
the way `champion_bento` builds it) and one `ct serve` process are shared by the module; the
sanity-failure server and the post-promotion restart start their own. Servers are stopped by
their process group id. No timing assertions: the speed numbers live in benchmarks/serving.
"""

from __future__ import annotations

import json
import shutil
import sys
import uuid

import numpy as np
import pytest

from ct_assets.cli.main import main as ct_main
from ct_assets.home import Home
from ct_assets.serving import prediction_log_dir, records_from_frame
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import BentoServer, free_port, http_json
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet
from ct_assets.training import TrainedModel

LIMIT, BODY_LIMIT = 300, 400_000  # small limits: oversize tests stay cheap
SECRET = f"s3cr3t-{uuid.uuid4().hex[:8]}"  # must never appear in a response or the server log
TOKEN = f"trusted-{uuid.uuid4().hex}"  # a client whose predictions feed monitoring


def ct_serve(home: Home, bento_tag: str) -> BentoServer:
    port = free_port()
    cmd = [sys.executable, "-m", "ct_assets.cli.main", "serve", "--port", str(port),
           "--home", str(home.root)]
    env = {"CT_MAX_BATCH": str(LIMIT), "CT_MAX_BODY_BYTES": str(BODY_LIMIT),
           "CT_LOG_TOKENS": TOKEN}
    return BentoServer(bento_tag, home.bentoml, port=port, command=cmd, env=env)


def day_records(home: Home, day_index: int, n: int) -> tuple[list[dict], object]:
    """Records of a simulated day (features, entity_id, event_ts) and their feature rows."""
    settings = Settings.load(home.root)
    sim = EventSimulator(seed=settings.seed, rows_per_day=settings.rows_per_day)
    feature_set = FeatureSet(tuple(sim.numeric), tuple(sim.categorical))
    rows = feature_set.transform(sim.events(sim.date_of(day_index))).head(n)
    records = records_from_frame(rows, feature_set.schema["numeric"] + list(sim.categorical))
    for rec, key, ts in zip(records, rows["entity_id"], rows["event_ts"], strict=True):
        rec.update(entity_id=key, event_ts=ts.isoformat())
    return records, rows


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("served"), days=4, rows_per_day=400)
    return home, train_champion(home, days=3)


@pytest.fixture(scope="module")
def server(home):
    srv = ct_serve(home[0], home[1].bento_tag)
    try:
        yield srv.start(timeout=120)
    finally:
        srv.stop()


def test_valid_batch_scores_like_the_model_in_process(home, server):
    records, rows = day_records(home[0], 3, 200)
    status, body = server.predict(records, token=TOKEN)
    assert status == 200 and body["logged"] is True, body
    assert body["model_version"] == "v1" and len(body["request_id"]) == 32
    assert body["feature_version"] == server.metadata()[1]["schema"]["feature_version"]
    model = TrainedModel.load(home[1].model_path, server.metadata()[1]["schema"])
    np.testing.assert_allclose(body["scores"], model.predict(rows), rtol=0, atol=1e-12)


def test_null_is_missing_and_unseen_categories_are_counted(home, server):
    (rec,), _ = day_records(home[0], 3, 1)
    missing = dict(rec, amount=None, merchant_category=None)
    unseen = dict(rec, amount=None, merchant_category="never-seen-before",
                  event_ts="0001-01-01T00:00:00+01:00")  # odd, but valid: no 500 from the log
    status, body = server.predict([missing, unseen], token=TOKEN)
    assert status == 200, body
    assert body["scores"][0] == body["scores"][1]
    assert body["unseen_categories"] == {"merchant_category": 1}


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        ({"amount": SECRET}, "records[1].amount", "float_type"),
        ({"amount": True}, "records[1].amount", "float_type"),
        ({"channel": 7}, "records[1].channel", "string_type"),
        ({"entity_id": 12}, "records[1].entity_id", "string_type"),
        ({"event_ts": SECRET}, "records[1].event_ts", "datetime_format"),
        ({"note": SECRET}, "records[1].note", "extra_forbidden"),
        ({"hour": "drop"}, "records[1].hour", "missing"),
    ],
)
def test_bad_records_are_400_naming_the_field(home, server, change, field, kind):
    (good, bad), _ = day_records(home[0], 3, 2)
    bad = {k: v for k, v in {**bad, **change}.items() if v != "drop"}
    status, body = server.predict([good, bad])
    assert status == 400, body
    assert [(d["field"], d["type"]) for d in body["detail"]] == [(field, kind)]
    assert SECRET not in json.dumps(body)


@pytest.mark.parametrize(
    ("payload", "field", "kind"),
    [
        (f'{{"records": [{{"amount": "{SECRET}"'.encode(), "body", "json_invalid"),
        (b"[1, 2]", "body", "dict_type"),
        ({"records": SECRET}, "records", "list_type"),
        ({"records": []}, "records", "too_short"),
        ({"records": SECRET, "rows": []}, "rows", "extra_forbidden"),
    ],
)
def test_malformed_bodies_are_400_naming_the_field(server, payload, field, kind):
    status, body = http_json(server.url + "/predict", payload)
    assert status == 400, body
    assert (field, kind) in [(d["field"], d["type"]) for d in body["detail"]]
    assert SECRET not in json.dumps(body)


def test_oversize_requests_name_the_limit(home, server):
    records, _ = day_records(home[0], 3, LIMIT + 1)
    status, body = server.predict(records)
    assert status == 400 and body["limit"] == LIMIT and str(LIMIT) in body["error"], body
    status, body = server.predict(records * 2)  # ~0.5 MB > CT_MAX_BODY_BYTES
    assert status == 413 and str(BODY_LIMIT) in body["error"], body


def test_no_client_value_reaches_the_server_log(home, server):
    (good, bad), _ = day_records(home[0], 3, 2)
    assert server.predict([good, dict(bad, amount=SECRET)])[0] == 400
    assert http_json(server.url + "/predict", f'{{"records": "{SECRET}'.encode())[0] == 400
    log = server.log_tail(None)
    assert "rejected: records[1].amount (float_type)" in log
    assert SECRET not in log and "input_value" not in log


def test_metadata_names_version_schema_window_and_metrics(home, server):
    status, meta = server.metadata()
    assert status == 200 and meta["ready"] is True
    assert meta["model_version"] == "v1" and meta["model_tag"] == home[1].model_tag
    assert meta["schema"]["categorical"] == list(EventSimulator().categorical)
    assert meta["training"]["window_days"] == 3 and meta["training"]["cutoff"] == "2025-01-03"
    assert 0.5 < meta["metrics"]["roc_auc"] <= 1 and meta["max_batch"] == LIMIT


def test_health_and_prometheus_metrics(home, server):
    assert server.get("/livez")[0] == 200 and server.get("/readyz")[0] == 200
    assert "sanity prediction ok" in server.log_tail(None)
    (rec,), _ = day_records(home[0], 3, 1)
    assert server.predict([dict(rec, channel="never-seen")])[0] == 200
    assert server.predict([dict(rec, channel=None, amount="x")])[0] == 400
    status, text = server.get("/metrics")
    assert status == 200
    assert 'bentoml_service_request_total{endpoint="/predict",http_response_code="200"' in text
    assert 'bentoml_service_request_total{endpoint="/predict",http_response_code="400"' in text
    assert 'ct_unseen_category_total{feature="channel"}' in text
    assert 'ct_rejected_requests_total{reason="invalid"}' in text
    assert 'ct_model_info{feature_version="fv-' in text and 'model_version="v1"' in text
    status, spec = server.get("/docs.json")  # OpenAPI: the records' schema is the model's
    assert status == 200 and "/predict" in spec["paths"]
    assert "merchant_category" in spec["components"]["schemas"]["Record"]["required"]


def test_ct_serve_logs_predictions_in_the_home(home, server):
    lines = [json.loads(line) for path in prediction_log_dir(home[0].root).glob("*.jsonl")
             for line in path.read_text().splitlines()]
    records = [r for x in lines for r in x["request"]["records"]]
    assert sum(len(x["scores"]) for x in lines) == len(records) >= 202
    assert {x["model_version"] for x in lines} == {"v1"}
    assert {"amount", "channel", "entity_id", "event_ts"} <= set(records[0])
    assert all(SECRET not in json.dumps(x) for x in lines)


def test_a_bento_that_fails_its_sanity_check_is_live_but_never_ready(home, tmp_path):
    bentoml = tmp_path / "bentoml"
    shutil.copytree(home[0].bentoml, bentoml, ignore=shutil.ignore_patterns("logs"))
    name, version = home[1].bento_tag.split(":")
    pinned_file = bentoml / "bentos" / name / version / "src" / "pinned_model.json"
    pinned = json.loads(pinned_file.read_text())
    pinned["sanity"]["scores"][1] += 0.01  # what another LightGBM build could produce
    pinned_file.write_text(json.dumps(pinned))
    srv = BentoServer(home[1].bento_tag, bentoml)  # /readyz would never answer: wait for /livez
    try:
        srv.start(timeout=120, probe="/livez")
        assert srv.get("/readyz")[0] == 503
        status, body = srv.predict(day_records(home[0], 3, 1)[0])
        assert status == 503 and "sanity" in body["error"]
        assert srv.metadata()[1]["ready"] is False
        assert "differs from build time" in srv.log_tail(None)
    finally:
        srv.stop()


def test_ct_serve_without_a_champion_is_one_line(tmp_path, capsys):
    empty = seed_home(tmp_path / "empty", days=1, rows_per_day=50)
    assert ct_main(["serve", "--home", str(empty.root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no champion bento" in err[0]


def test_after_promotion_and_restart_every_answer_names_the_new_version(home, server):
    """Acceptance 2: promote v2, restart `ct serve`: v2 everywhere; the v1 bento still says v1."""
    v1 = home[1]
    v2 = train_champion(home[0], days=4)
    assert v2.version == "v2" and v2.bento_tag != v1.bento_tag
    server.stop()
    records, rows = day_records(home[0], 3, 50)
    restarted, old = ct_serve(home[0], v2.bento_tag), BentoServer(v1.bento_tag, home[0].bentoml)
    try:
        restarted.start(timeout=120)
        old.start(timeout=120)
        assert restarted.metadata()[1]["model_version"] == "v2"
        assert restarted.metadata()[1]["model_tag"] == v2.model_tag
        answers = [restarted.predict(records[i:i + 10]) for i in range(0, 50, 10)]
        assert all(s == 200 and b["model_version"] == "v2" for s, b in answers)
        schema = restarted.metadata()[1]["schema"]
        scores = [x for _, b in answers for x in b["scores"]]
        np.testing.assert_allclose(scores, TrainedModel.load(v2.model_path, schema).predict(rows),
                                   rtol=0, atol=1e-12)
        assert old.metadata()[1]["model_version"] == "v1"
        status, body = old.predict(records)
        assert status == 200 and body["model_version"] == "v1" and body["scores"] != scores
    finally:
        restarted.stop()
        old.stop()
