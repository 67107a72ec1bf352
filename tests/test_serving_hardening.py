"""Findings 5 and 6: bounded metrics, and input the service refuses or shows only escaped.

Before: 5,000 requests to unknown paths took /metrics from 55 KB to 23 MB (a scrape took 14 s)
and the worker from 205 to 456 MB; NaN, Infinity and 1e400 were scored; a JSON key starting
with a newline forged a server log line and a 1 MB key wrote a 1 MB line; the OpenAPI
document disagreed with the service in three places (400 `detail`, an empty `records` list,
`event_ts: 0`). One real `ct serve` process on a seeded home serves the whole module.
"""

from __future__ import annotations

import http.client
import json
import re
import time

import jsonschema
import psutil
import pytest
from serving_helpers import TOKEN, ct_serve, day_records, metric

from ct_assets.serving import prediction_log_dir
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import http_json

ROUTES = {"/predict", "/metadata", "/docs.json", "/", "other"}


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("hardening"), days=4, rows_per_day=300)
    return home, train_champion(home, days=3)


@pytest.fixture(scope="module")
def server(home):
    with ct_serve(home[0], home[1].bento_tag, {"CT_LOG_TOKENS": TOKEN}) as srv:
        yield srv


def worker_rss(server) -> int:
    return max(p.memory_info().rss for p in psutil.Process(server.proc.pid).children(True))


def logged_lines(home) -> int:
    return sum(len(p.read_bytes().splitlines())
               for p in prediction_log_dir(home[0].root).glob("*.jsonl"))


def raw(server, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, body, {"Content-Type": "application/json"} if body else {})
    answer = conn.getresponse()
    return answer.status, answer.read()


def test_5000_unknown_paths_leave_metrics_and_memory_bounded(server):
    for path in ("/warm-up", "/other"):
        raw(server, "GET", path)
    size, rss = len(server.get("/metrics")[1]), worker_rss(server)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    for i in range(5000):
        conn.request("GET", f"/unknown-{i}/%0Aforged")
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 404
    t0 = time.monotonic()
    status, text = server.get("/metrics")
    assert status == 200 and time.monotonic() - t0 < 2
    assert len(text) < size + 2000, (size, len(text))  # was 55 KB -> 23 MB
    endpoints = set(re.findall(r'endpoint="([^"]*)"', text))
    assert endpoints <= ROUTES | {"/livez", "/readyz", "/metrics"}, endpoints
    assert metric(text, "bentoml_service_request_total", endpoint="other",
                  http_response_code="404") >= 5000
    assert worker_rss(server) - rss < 40 * 2 ** 20  # was +250 MB
    log = server.log_tail(None)
    assert "/unknown-4999/\\nforged 404" in log  # the decoded newline shows escaped
    assert not any(line.startswith("forged") for line in log.splitlines())


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e999"])
def test_non_finite_numbers_are_refused_naming_the_field(home, server, number):
    (record,), _ = day_records(home[0], 3, 1)
    body = json.dumps({"records": [dict(record, amount=0.5)]}).encode()
    body = body.replace(b'"amount": 0.5', b'"amount": ' + number)
    lines = logged_lines(home)
    status, answer = http_json(server.url + "/predict", body, headers={
        "Authorization": f"Bearer {TOKEN}"})
    assert status == 400 and answer["detail"] == [
        {"type": "finite_number", "field": "records[0].amount",
         "msg": "Input should be a finite number"}]
    assert logged_lines(home) == lines


def test_odd_keys_are_escaped_and_cut_in_the_answer_and_the_log(home, server):
    (record,), _ = day_records(home[0], 3, 1)
    status, answer = server.predict([dict(record, **{"\nFORGED LOG LINE": 1})])
    assert status == 400 and answer["detail"][0]["field"] == "records[0].\\nFORGED LOG LINE"
    huge = "k" * 1_000_000
    status, answer = server.predict([dict(record, **{huge: 1})])
    field = answer["detail"][0]["field"]
    assert status == 400 and field.startswith("records[0].kkk") and len(field) < 100
    assert len(json.dumps(answer)) < 2000
    log = server.log_tail(None).splitlines()
    assert not any(line.startswith("FORGED") for line in log)
    assert max(len(line) for line in log) < 2000


def test_the_openapi_document_says_what_the_service_does(home, server):
    status, doc = server.get("/docs.json")
    assert status == 200
    post = doc["paths"]["/predict"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert post["requestBody"]["required"] is True
    assert body["properties"]["records"]["minItems"] == 1
    assert body["properties"]["records"]["maxItems"] == 10000
    record = doc["components"]["schemas"]["Record"]
    assert record["additionalProperties"] is False
    assert record["properties"]["event_ts"]["format"] == "date-time"
    assert set(post["responses"]) == {"200", "400", "401", "413", "415", "503"}
    resolver = {"components": doc["components"]}

    def check(code: str, answer: dict) -> None:
        schema = post["responses"][code]["content"]["application/json"]["schema"]
        jsonschema.validate(answer, {**schema, **resolver})

    (good,), _ = day_records(home[0], 3, 1)
    cases = [({"records": [good]}, "200"), ({"records": []}, "400"),
             ({"records": [dict(good, event_ts=0)]}, "400"),
             ({"records": [dict(good, event_ts="2025-01-04")]}, "400"),
             ({"records": "x"}, "400"), (b"{not json", "400")]
    for payload, code in cases:
        status, answer = http_json(server.url + "/predict", payload)
        assert str(status) == code, (payload, answer)
        check(code, answer)  # 400's detail is an array of {type, field, msg}
    status, answer = http_json(server.url + "/predict", {"records": [good]},
                               headers={"Authorization": "Bearer wrong-token-0123456789"})
    assert status == 401
    check("401", answer)
    status, answer = http_json(server.url + "/predict", {"records": [good]},
                               headers={"Content-Type": "text/plain"})
    assert status == 415
    check("415", answer)
