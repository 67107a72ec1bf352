"""The soak's traffic: weighted kinds of request, valid and invalid, with the answer each must get.

Every kind is something a client or an attacker sends; ``expect`` is the one status the
service must answer (a 5xx is never expected). Bodies are built once; requests reuse them.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    weight: float
    method: str
    path: str
    body: bytes | None
    headers: dict
    expect: int


def kinds(records: list[dict], token: str, max_body: int) -> list[Kind]:
    json_type = {"Content-Type": "application/json"}
    trusted = {**json_type, "Authorization": f"Bearer {token}"}
    one, batch = records[0], records[:50]
    today = dt.datetime.now(dt.UTC).replace(tzinfo=None, hour=12)
    spread = [dict(one, event_ts=(today - dt.timedelta(days=i)).isoformat()) for i in range(200)]

    def body(recs) -> bytes:
        return json.dumps({"records": recs}).encode()

    nan = body([dict(one, amount=0.5)]).replace(b'"amount": 0.5', b'"amount": NaN')
    return [
        Kind("trusted row", 30, "POST", "/predict", body([one]), trusted, 200),
        Kind("trusted batch of 50", 8, "POST", "/predict", body(batch), trusted, 200),
        Kind("trusted, 200 event days", 1, "POST", "/predict", body(spread), trusted, 200),
        Kind("untrusted row", 20, "POST", "/predict", body([one]), json_type, 200),
        Kind("wrong type", 6, "POST", "/predict", body([dict(one, amount="x")]), trusted, 400),
        Kind("NaN", 4, "POST", "/predict", nan, trusted, 400),
        Kind("newline key", 4, "POST", "/predict", body([dict(one, **{"\nforged": 1})]),
             json_type, 400),
        Kind("empty records", 2, "POST", "/predict", b'{"records": []}', json_type, 400),
        Kind("not JSON", 2, "POST", "/predict", b'{"records": [', json_type, 400),
        Kind("text/plain", 4, "POST", "/predict", body([one]), {"Content-Type": "text/plain"},
             415),
        Kind("wrong token", 3, "POST", "/predict", body([one]),
             {**json_type, "Authorization": "Bearer someone-elses-token-000"}, 401),
        Kind("too large", 0.5, "POST", "/predict", b" " * (max_body + 1) + body([one]),
             json_type, 413),
        Kind("unknown path", 8, "GET", "/unknown/{n}/%0Aforged", None, {}, 404),
        Kind("metadata", 1, "GET", "/metadata", None, {}, 200),
    ]


def pick(all_kinds: list[Kind], rng: random.Random) -> Kind:
    return rng.choices(all_kinds, weights=[k.weight for k in all_kinds])[0]
