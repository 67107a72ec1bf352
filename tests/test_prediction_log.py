"""The prediction log: what the service writes, what ingest reads, and how it reaches the store.

The reader is tested on hand-written files (partial lines, other days); then a real server
writes the log for a trusted client (a log token), and `predictions_log` is materialized with
Dagster on the real resources: served rows next to the batch rows, reloading a day replaces
it, a crash-cut line is counted. The log's bounds and failures: test_serving_log.py.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import duckdb
import pytest
from conftest import materialize as materialize_asset
from conftest import node

from ct_assets.serving import prediction_log_dir, read_served, records_from_frame
from ct_assets.serving.build import BENTOS_DIR
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import BentoServer
from ct_assets.settings import Settings
from ct_assets.simulation import EventSimulator
from ct_assets.store import FeatureSet

DAY = dt.date(2025, 1, 3)
TOKEN = "trusted-client-token-0123456789"
sys.path.insert(0, str(BENTOS_DIR))  # the service's own modules, importable without a server
from ct_predlog import PredictionLog  # noqa: E402
from ct_records import Records  # noqa: E402


def line(request_id: str = "r1", n: int = 1, **record) -> str:
    """A log line as the service writes it: header, scores, the request as the client sent it."""
    rec = {"amount": 1.0, "entity_id": "e1", "event_ts": "2025-01-03T09:59:00", **record}
    return json.dumps({"v": 1, "request_id": request_id, "served_at": "2025-01-03T10:00:00.5",
                       "model_version": "v1", "feature_version": "fv", "scores": [0.25] * n,
                       "request": {"records": [rec] * n}})


def test_reader_skips_cut_and_foreign_lines_and_reads_only_its_day(tmp_path):
    mismatch = json.loads(line(n=2))
    mismatch["scores"] = [0.1]  # scores and records disagree: not a whole request
    (tmp_path / "predictions-2025-01-03-1-a.jsonl").write_text(
        line(n=2) + "\n" + "not json\n" + line(entity_id=None, event_ts=None) + "\n"
        + line("r2").replace("0.25", "null") + "\n" + json.dumps(mismatch) + "\n"
        + line()[:40])  # the crash cut the last line
    (tmp_path / "predictions-2025-01-03-2-b.jsonl").write_text(
        line("r3", event_ts="2025-01-03T10:59:00+01:00", amount=None) + "\n"
        + line("r4", event_ts=1735898340) + "\n")  # epoch seconds, as the service accepts
    (tmp_path / "predictions-2025-01-04-1-a.jsonl").write_text(line() + "\n")
    got = read_served(tmp_path, DAY)
    assert (got.lines, got.skipped, len(got.files)) == (8, 3, 2)
    frame = got.frame
    assert list(frame["request_id"]) == ["r1", "r1", "r1", "r2", "r3", "r4"]
    assert set(frame["source"]) == {"served"} and frame["score"].isna().sum() == 1
    no_event = frame.iloc[2]  # no entity, no event time: the serving time stands in
    assert no_event["entity_id"] != no_event["entity_id"]  # missing (NaN)
    assert no_event["event_ts"] == dt.datetime(2025, 1, 3, 10, 0, 0, 500000)
    assert list(frame["event_ts"][4:]) == [dt.datetime(2025, 1, 3, 9, 59)] * 2  # UTC, naive
    assert json.loads(frame.iloc[0]["features"]) == {"amount": 1.0}
    assert json.loads(frame.iloc[4]["features"]) == {"amount": None}
    assert read_served(tmp_path, dt.date(2025, 1, 9)).frame.empty


def test_what_the_service_writes_is_what_ingest_reads(tmp_path):
    """Pretty-printed bodies (newlines), one day's batch as sent, a batch spanning two days."""
    validate = Records(["amount"], {}, max_batch=10).validate
    log = PredictionLog(tmp_path, "v7", "fv-x")
    served_at = dt.datetime(2025, 1, 4, 8, tzinfo=dt.UTC)
    mixed = [{"amount": 1.5, "entity_id": "a", "event_ts": "2025-01-03T23:30:00-02:00"},
             {"amount": None, "entity_id": "b", "event_ts": "2025-01-03T23:30:00"},
             {"amount": 2.0}]
    same_day = [{"amount": 3.0, "entity_id": "c", "event_ts": "2025-01-04T05:00:00"}]
    for rid, records, scores in (("m", mixed, [0.1, 0.2, 0.3]), ("s", same_day, [0.4])):
        body = json.dumps({"records": records}, indent=2).encode()
        log.append(rid, served_at, body, validate(body), scores)
    log.close()
    jan3, jan4 = read_served(tmp_path, DAY), read_served(tmp_path, dt.date(2025, 1, 4))
    assert (jan3.lines, jan3.skipped, jan4.lines, jan4.skipped) == (1, 0, 2, 0)
    assert list(jan3.frame["entity_id"]) == ["b"] and list(jan3.frame["score"]) == [0.2]
    assert list(jan4.frame["score"]) == [0.1, 0.3, 0.4]  # 23:30-02:00 is Jan 4 in UTC
    assert list(jan4.frame["event_ts"]) == [  # no event_ts: the serving time stands in
        dt.datetime(2025, 1, 4, 1, 30), dt.datetime(2025, 1, 4, 8), dt.datetime(2025, 1, 4, 5)]
    assert set(jan4.frame["model_version"]) == {"v7"} and list(jan4.frame["request_id"]) == [
        "m", "m", "s"]


@pytest.fixture(scope="module")
def served_home(tmp_path_factory):
    """A home with a champion, and a real server that logged 3 batches of DAY's events."""
    home = seed_home(tmp_path_factory.mktemp("predlog"), days=3, rows_per_day=300)
    champion = train_champion(home, days=3)
    settings = Settings.load(home.root)
    sim = EventSimulator(seed=settings.seed, rows_per_day=settings.rows_per_day)
    feature_set = FeatureSet(tuple(sim.numeric), tuple(sim.categorical))
    rows = feature_set.transform(sim.events(DAY)).head(90)
    records = records_from_frame(rows, feature_set.schema["numeric"] + list(sim.categorical))
    for rec, key, ts in zip(records, rows["entity_id"], rows["event_ts"], strict=True):
        rec.update(entity_id=key, event_ts=ts.isoformat())
    env = {"CT_PREDICTION_LOG_DIR": str(prediction_log_dir(home.root)), "CT_LOG_TOKENS": TOKEN,
           "CT_LOG_RETENTION_DAYS": "36500"}  # DAY is long past: keep its files anyway
    answers = {}
    with BentoServer(champion.bento_tag, home.bentoml, env=env) as server:
        for i in range(0, 90, 30):
            status, body = server.predict(records[i:i + 30], token=TOKEN)
            assert status == 200 and body["logged"] is True, body
            answers.update(zip(rows["entity_id"][i:i + 30], body["scores"], strict=True))
        no_event_time = [{k: v for k, v in records[0].items() if k != "event_ts"}]
        assert server.predict(no_event_time, token=TOKEN)[0] == 200
        status, body = server.predict(records[:5])  # no token: scored, never logged
        assert status == 200 and body["logged"] is False
    return home, answers


def materialize(home) -> dict:
    result = materialize_asset(home.root, "predictions_log", DAY.isoformat())
    assert result.success
    event = result.asset_materializations_for_node(node("predictions_log"))[0]
    return {k: v.value for k, v in event.metadata.items()}


def stored(home) -> dict:
    with duckdb.connect(str(home.db), read_only=True) as con:
        return {row[0]: row[1:] for row in con.execute(
            "SELECT source, count(*), count(DISTINCT model_version) FROM predictions "
            "WHERE day = ? GROUP BY source", [DAY]).fetchall()}


def test_served_predictions_reach_the_feature_store(served_home):
    home, answers = served_home
    meta = materialize(home)
    assert (meta["served_rows"], meta["skipped_lines"], meta["model_version"]) == (90, 0, "v1")
    assert meta["batch_rows"] > 0 and meta["rows"] == meta["batch_rows"] + 90
    with duckdb.connect(str(home.db), read_only=True) as con:
        got = dict(con.execute("SELECT entity_id, score FROM predictions WHERE day = ? AND "
                               "source = 'served'", [DAY]).fetchall())
    assert got == pytest.approx(answers, abs=0)  # the scores the clients were given
    assert stored(home)["served"] == (90, 1)


def test_reloading_a_day_replaces_it_and_counts_a_cut_line(served_home):
    home, _ = served_home
    materialize(home)
    before = stored(home)
    log_file = sorted(prediction_log_dir(home.root).glob(f"predictions-{DAY}-*.jsonl"))[0]
    with open(log_file, "a") as f:
        f.write('{"v": 1, "request_id": "cut-by-a-cra')  # the process died mid-write
    meta = materialize(home)
    assert meta["skipped_lines"] == 1 and meta["served_rows"] == 90
    assert stored(home) == before
