"""Finding 2: no client can steer monitoring and retraining unless the operator trusts it.

Before: served scores won over batch scores when labels were joined, so forged records pushed
the realised AUC from 0.856 to 0.595, forced a retrain a day early and fired a performance
alert; and /predict took text/plain, forms and XML, which a browser on another site can post.
Now: only requests with a configured log token are logged, a token that is not configured is
refused (401), a served score never replaces the pipeline's batch score for the same entity,
and anything but application/json is refused (415) without a CORS consent.

Real pieces: a seeded home whose labels arrive through the real `labels` asset, a real
`ct serve`, and the real `predictions_log` and `performance_report` assets on that home.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json

import duckdb
import pytest
from conftest import materialize, node
from serving_helpers import TOKEN, ct_serve, day_records

from ct_assets.serving import prediction_log_dir
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.training import TrainedModel, evaluate

DAY, REPORT = dt.date(2025, 1, 4), dt.date(2025, 1, 17)  # labels of DAY's events known by REPORT


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("trust"), days=4, rows_per_day=300)
    champion = train_champion(home, days=3)
    for i in range((REPORT - DAY).days + 1):
        assert materialize(home.root, "labels", str(DAY + dt.timedelta(days=i))).success
    return home, champion


@pytest.fixture(scope="module")
def server(home):
    srv = ct_serve(home[0], home[1].bento_tag, {"CT_LOG_TOKENS": TOKEN,
                                                 "CT_LOG_RETENTION_DAYS": "36500"})
    with srv:
        yield srv


def realised(home) -> dict:
    """Re-ingest DAY's predictions, then the performance report that reads DAY's labels."""
    logged = materialize(home[0].root, "predictions_log", str(DAY))
    report = materialize(home[0].root, "performance_report", str(REPORT))
    assert logged.success and report.success
    meta = report.asset_materializations_for_node(node("performance_report"))[0].metadata
    served = logged.asset_materializations_for_node(node("predictions_log"))[0].metadata
    return {"roc_auc": meta["roc_auc"].value, "rows": meta["rows"].value,
            "served_rows": served["served_rows"].value}


def forged(home) -> list[dict]:
    """DAY's events sent again with features chosen so that their scores invert the labels:
    each fraud gets the features of the least suspicious event, each other event those of the
    most suspicious one."""
    records, rows = day_records(home[0], 3)
    settings = Settings.load(home[0].root)
    sim = EventSimulator(seed=settings.seed, rows_per_day=settings.rows_per_day)
    truth = dict(zip(*sim.labeled_events(DAY)[["entity_id", "label"]].to_numpy().T, strict=True))
    scores = TrainedModel.load(home[1].model_path, _schema(home)).predict(rows)
    low, high = records[int(scores.argmin())], records[int(scores.argmax())]
    keys = ("entity_id", "event_ts")
    return [{**(low if truth[r["entity_id"]] else high), **{k: r[k] for k in keys}}
            for r in records]


def _schema(home) -> dict:
    with duckdb.connect(str(home[0].db), read_only=True) as con:
        from ct_assets.registry import Registry

        return Registry(con).get(home[1].version).feature_schema


def logged_lines(home) -> int:
    return sum(len(p.read_text().splitlines())
               for p in prediction_log_dir(home[0].root).glob("*.jsonl"))


def test_forged_served_scores_change_nothing_monitoring_sees(home, server):
    baseline = realised(home)
    assert baseline["served_rows"] == 0 and baseline["rows"] > 50
    attack = forged(home)
    status, body = server.predict(attack)
    assert status == 200 and body["logged"] is False  # anyone may ask for scores
    with duckdb.connect(str(home[0].db), read_only=True) as con:
        labels = dict(con.execute("SELECT entity_id, label FROM labels").fetchall())
    known = [(labels[r["entity_id"]], s) for r, s in zip(attack, body["scores"], strict=True)
             if r["entity_id"] in labels]
    potency = evaluate([y for y, _ in known], [s for _, s in known], "binary")["roc_auc"]
    assert potency < baseline["roc_auc"] - 0.3  # had these been joined, the AUC would fall

    status, body = server.predict(attack, token="not-the-operators-token-123")
    assert status == 401 and body["detail"][0]["field"] == "authorization"
    assert "not-the-operators" not in json.dumps(body)
    assert realised(home) == baseline  # untrusted traffic never reaches the log

    status, body = server.predict(attack, token=TOKEN)  # even a trusted client's scores
    assert status == 200 and body["logged"] is True
    after = realised(home)
    assert after["served_rows"] == len(attack)  # logged and ingested, for the record
    assert (after["roc_auc"], after["rows"]) == (baseline["roc_auc"], baseline["rows"])


@pytest.mark.parametrize("content_type", [
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
    "application/xml", None])
def test_only_json_bodies_are_read(home, server, content_type):
    records, _ = day_records(home[0], 3, 2)
    before = logged_lines(home)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["Content-Type"] = content_type
    conn.request("POST", "/predict", json.dumps({"records": records}), headers)
    answer = conn.getresponse()
    body = json.loads(answer.read())
    assert answer.status == 415 and body["detail"][0]["field"] == "content-type"
    assert logged_lines(home) == before


def test_no_cross_site_consent(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("OPTIONS", "/predict", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    answer = conn.getresponse()
    answer.read()
    assert answer.getheader("access-control-allow-origin") is None
