"""Serve smoke: `ct serve` on a home answers /readyz 200 and scores one record over HTTP.

    python .ci/serve_smoke.py CT_EXECUTABLE HOME [PORT]

Starts `ct serve --home HOME --port PORT` on 127.0.0.1, waits for /readyz, asks /metadata for
the feature schema, posts one record (every feature null, the service's documented "missing"),
checks the answer, and stops the server it started (by its PID). Exit 0 only if all held.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, body: dict | None = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read().strip()  # /readyz answers a bare newline, not JSON
            return answer.status, json.loads(text) if text.startswith(b"{") else {}
    except urllib.error.HTTPError as error:
        return error.code, {"error": error.read().decode(errors="replace")[:500]}


def main(ct: str, home: str, port: int) -> int:
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([ct, "serve", "--home", home, "--port", str(port)])
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                print(f"serve smoke: `ct serve` exited with {server.returncode}")
                return 1
            try:
                if call(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                print("serve smoke: /readyz never answered 200 within 180 s")
                return 1
            time.sleep(1)
        status, meta = call(f"{base}/metadata")
        features = meta.get("features", [])
        status, answer = call(f"{base}/predict", {"records": [dict.fromkeys(features)]})
        ok = status == 200 and len(answer.get("scores", [])) == 1
        print(f"serve smoke: /readyz 200; /predict {status} {json.dumps(answer)[:200]}")
        return 0 if ok else 1
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    args = sys.argv[1:]
    sys.exit(main(args[0], args[1], int(args[2]) if len(args) > 2 else free_port()))
