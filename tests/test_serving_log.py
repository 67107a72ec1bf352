"""Finding 1: a prediction log that cannot be written, and one that grows without bound.

Before: with an unwritable log every /predict was a 500 while /readyz stayed 200, and the failed
rows were still counted in ct_scored_records_total; nothing removed old files, and one request
whose records carried 1,000 event days wrote 999 files. Now: /readyz follows the log's health,
a request to be logged gets a 503 that names the cause and is not counted, a request that is
not to be logged is still scored, the service recovers by itself, and the files are bounded.

Real servers (`ct serve` and `bentoml serve`) on 127.0.0.1 over a seeded home; the log folder
is made read-only (chattr +i as root), the free-space floor is raised above the disk's free
space, and a file-size limit (RLIMIT_FSIZE) makes a real write fail mid-file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

import pytest
from serving_helpers import TOKEN, ct_serve, day_records, metric, unwritable

from ct_assets.serving import prediction_log_dir, read_served
from ct_assets.serving.build import BENTOS_DIR
from ct_assets.serving.seed import seed_home, train_champion
from ct_assets.serving.server import BentoServer

sys.path.insert(0, str(BENTOS_DIR))  # the service's own modules, importable without a server
from ct_predlog import PredictionLog  # noqa: E402
from ct_records import Records  # noqa: E402
from ct_retention import LogPolicy, log_files, prune  # noqa: E402


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = seed_home(tmp_path_factory.mktemp("log"), days=4, rows_per_day=300)
    return home, train_champion(home, days=3)


def scored(server) -> float:
    return metric(server.get("/metrics")[1], "ct_scored_records_total")


def wait_for(check, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_a_read_only_log_folder_is_not_ready_and_503_for_logged_requests_only(home):
    records, _ = day_records(home[0], 3, 20)
    log_dir = prediction_log_dir(home[0].root)
    server = ct_serve(home[0], home[1].bento_tag, {"CT_LOG_TOKENS": TOKEN})
    with server:
        assert server.predict(records, token=TOKEN)[0] == 200
        before = scored(server)
        with unwritable(log_dir):
            assert wait_for(lambda: server.get("/readyz")[0] == 503)
            status, body = server.predict(records, token=TOKEN)
            assert status == 503 and "prediction log cannot be written" in body["error"], body
            assert "nothing was scored" in body["error"] and "scores" not in body
            assert scored(server) == before  # refused rows are not counted as scored
            reasons = server.metadata()[1]["not_ready"]
            assert any("prediction log" in r for r in reasons), reasons
            status, body = server.predict(records)  # not to be logged: still scored
            assert status == 200 and body["logged"] is False and len(body["scores"]) == 20
            metrics = server.get("/metrics")[1]
            assert metric(metrics, "ct_rejected_requests_total", reason="log_unavailable") == 1
        assert wait_for(lambda: server.get("/readyz")[0] == 200)  # writable again: recovers
        status, body = server.predict(records, token=TOKEN)
        assert status == 200 and body["logged"] is True
        assert scored(server) == before + 40
        assert "Traceback" not in server.log_tail(None)


def test_a_full_disk_is_not_ready_before_a_write_fails(home):
    """Free space below CT_LOG_MIN_FREE_MB (here: above what the disk has) counts as full."""
    records, _ = day_records(home[0], 3, 5)
    env = {"CT_LOG_TOKENS": TOKEN, "CT_LOG_MIN_FREE_MB": str(10 ** 12)}
    server = ct_serve(home[0], home[1].bento_tag, env)
    try:
        server.start(timeout=120, probe="/livez")
        assert server.get("/readyz")[0] == 503
        assert "below CT_LOG_MIN_FREE_MB" in " ".join(server.metadata()[1]["not_ready"])
        status, body = server.predict(records, token=TOKEN)
        assert status == 503 and "below CT_LOG_MIN_FREE_MB" in body["error"]
        assert server.predict(records)[0] == 200
    finally:
        server.stop()


def test_a_write_that_fails_mid_file_is_503_and_the_next_line_starts_a_new_file(home, tmp_path):
    """RLIMIT_FSIZE: the 3rd line cannot be written whole (EFBIG, as ENOSPC would be)."""
    log_dir = tmp_path / "predictions"
    records = day_records(home[0], 3)[0] * 3  # ~0.5 MB a line: the limit stays above the
    n = len(records)  # 1 MiB that prometheus' files need
    one_line = len(json.dumps({"records": records})) + 40 * n
    limit = int(one_line * 2.5)  # two lines fit, the third is cut
    code = ("import os, resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, "
            f"({limit}, {limit})); os.execv(sys.executable, [sys.executable, *sys.argv[1:]])")
    server = BentoServer(home[1].bento_tag, home[0].bentoml, log_path=tmp_path / "server.log",
                         env={"CT_PREDICTION_LOG_DIR": str(log_dir), "CT_LOG_TOKENS": TOKEN})
    server.command = [sys.executable, "-c", code, "-m", "bentoml", "serve", home[1].bento_tag,
                      "--host", "127.0.0.1", "--port", str(server.port)]
    with server:
        answers = [server.predict(records, token=TOKEN) for _ in range(3)]
        assert [status for status, _ in answers] == [200, 200, 503], answers
        assert "File too large" in answers[2][1]["error"]
        assert scored(server) == 2 * n
        assert wait_for(lambda: server.predict(records, token=TOKEN)[0] == 200, 15)
    files = sorted(log_dir.glob("predictions-*.jsonl"))
    assert len(files) == 2  # the cut line ended its file
    day = dt.date.fromisoformat(records[0]["event_ts"][:10])
    served = read_served(log_dir, [day, dt.datetime.now(dt.UTC).date()])
    assert served.skipped == 1 and len(served.frame) == 3 * n  # 3 whole lines, 1 cut


def test_one_request_spanning_1000_days_writes_a_bounded_number_of_files(home, tmp_path):
    log_dir = tmp_path / "predictions"
    (record,), _ = day_records(home[0], 3, 1)
    today = dt.datetime.now(dt.UTC).date()
    spread = [dict(record, event_ts=(dt.datetime.combine(today, dt.time(12))
                                     - dt.timedelta(days=i)).isoformat()) for i in range(1000)]
    env = {"CT_PREDICTION_LOG_DIR": str(log_dir), "CT_LOG_TOKENS": TOKEN,
           "CT_LOG_RETENTION_DAYS": "3"}
    with BentoServer(home[1].bento_tag, home[0].bentoml, env=env) as server:
        status, body = server.predict(spread, token=TOKEN)
        assert status == 200 and body["logged"] is True
    files = log_files(log_dir)
    assert {day for day, *_ in files} == {today - dt.timedelta(days=i) for i in range(4)}
    lines = sum(len(p.read_text().splitlines()) for *_, p in files)
    rows = sum(len(read_served(log_dir, day).frame) for day, *_ in files)
    assert len(files) == 4 and lines == 4 and rows == 1000  # older days filed under today


def test_retention_deletes_expired_files_then_the_oldest_beyond_the_caps(tmp_path):
    today = dt.date(2026, 3, 10)
    for i, day in enumerate([today - dt.timedelta(days=d) for d in (40, 31, 9, 5, 2, 1, 0)]):
        path = tmp_path / f"predictions-{day.isoformat()}-1-a-{i}.jsonl"
        path.write_bytes(b"x" * 1000)
        os.utime(path, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "unrelated.txt").write_text("kept")
    open_now = tmp_path / f"predictions-{(today - dt.timedelta(days=9)).isoformat()}-1-a-2.jsonl"
    policy = LogPolicy(retention_days=30, max_files=3)
    removed = prune(tmp_path, policy, today, keep={open_now})
    assert len(removed) == 4 and open_now.exists()  # 40 and 31 days expired, then 5 and 2
    assert [day.isoformat() for day, *_ in log_files(tmp_path)] == [
        "2026-03-01", "2026-03-09", "2026-03-10"]  # the open file of day -9 is kept
    assert (tmp_path / "unrelated.txt").exists()
    assert len(prune(tmp_path, LogPolicy(max_mb=2500 / (1 << 20)), today, keep=set())) == 1
    assert [day.isoformat() for day, *_ in log_files(tmp_path)] == ["2026-03-09", "2026-03-10"]


def test_log_settings_are_checked_and_named():
    assert LogPolicy.from_env({"CT_LOG_RETENTION_DAYS": "7"}).retention_days == 7
    with pytest.raises(ValueError, match="CT_LOG_MAX_MB must be a float"):
        LogPolicy.from_env({"CT_LOG_MAX_MB": "lots"})
    with pytest.raises(ValueError, match="CT_LOG_MAX_FILES must be at least 1"):
        LogPolicy.from_env({"CT_LOG_MAX_FILES": "0"})


def test_each_day_appends_to_its_file_until_it_is_full_or_gone(tmp_path):
    """Requests spanning days do not start files per request (a soak once made 1,100 in
    30 s); a full file rolls over; a file deleted under the writer is started again."""
    validate = Records(["amount"], {}, max_batch=100).validate
    log = PredictionLog(tmp_path, "v1", "fv", LogPolicy(file_mb=0.01))  # ~10 KB files
    served = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    days = [dt.date(2026, 3, 10) - dt.timedelta(days=i) for i in range(8)]
    body = json.dumps({"records": [{"amount": 1.0, "event_ts": f"{d}T08:00:00"}
                                   for d in days]}).encode()
    for i in range(6):  # 6 x 8 lines, 8 days: more days than the 4 files kept open
        log.append(f"r{i}", served, body, validate(body), [0.5] * 8)
    assert len(log_files(tmp_path)) == 8
    big = json.dumps({"records": [{"amount": 1.0}] * 80}).encode()  # served day, ~3 KB
    for i in range(8):
        log.append(f"b{i}", served, big, validate(big), [0.5] * 80)
    today = [p for day, *_, p in log_files(tmp_path) if day == days[0]]
    assert len(today) >= 2 and max(p.stat().st_size for p in today) < 16_000  # rolled over
    newest = max(today, key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    before = sum(len(read_served(tmp_path, d).frame) for d in days)
    newest.unlink()  # deleted while open (retention, or by hand)
    gone = before - sum(len(read_served(tmp_path, d).frame) for d in days)
    log.append("after", served, big, validate(big), [0.5] * 80)
    log.close()
    assert before == 6 * 8 + 8 * 80 and gone > 0
    assert not newest.exists()  # the next line started a new file rather than the lost one
    after = read_served(tmp_path, days[0]).frame
    assert list(after["request_id"]).count("after") == 80 and len(after) == 6 + 8 * 80 - gone + 80
