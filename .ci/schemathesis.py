"""Schemathesis against a served champion, on a bounded budget: no 5xx, no schema violation.

    VENV/bin/python .ci/schemathesis.py VENV/bin [HOME] [--seed N]

Installs schemathesis (4.x) into that venv if it is missing; serves HOME's champion with
`ct serve` on a free port of 127.0.0.1 (without HOME: a seeded temporary home, built the way
production builds one, in about 10 s); runs every check of `st run` against its /docs.json
(coverage and fuzzing phases, at most MAX_EXAMPLES cases per operation and MAX_SECONDS in
all); then stops the server it started, by its process group. Exit 0 only when schemathesis
found nothing and ran at least MIN_CASES cases. Its requests carry no log token, so none of
them reaches the prediction log.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MIN_CASES, MAX_EXAMPLES, MAX_SECONDS = 500, 400, 80


def ensure_schemathesis(bin_dir: Path) -> Path:
    st = bin_dir / "st"
    if not st.exists():
        subprocess.run([str(bin_dir / "pip"), "install", "-q", "schemathesis>=4,<5"], check=True)
    return st


def seeded_home(root: Path) -> Path:
    from ct_assets.serving.seed import seed_home, train_champion

    home = seed_home(root / "home", days=4, rows_per_day=400)
    train_champion(home, days=3)
    return home.root


def serve(bin_dir: Path, home: Path, port: int, log) -> subprocess.Popen:
    server = subprocess.Popen([str(bin_dir / "ct"), "serve", "--home", str(home), "--port",
                               str(port)], stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"schemathesis: `ct serve` exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    raise SystemExit("schemathesis: /readyz never answered 200 within 180 s")


def stop(server: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
        if server.poll() is not None:
            return
        try:
            os.killpg(server.pid, sig)
            server.wait(wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bin_dir", type=Path, help="the venv's bin folder (ct, pip, st)")
    parser.add_argument("home", type=Path, nargs="?", help="a home with a champion")
    parser.add_argument("--seed", default="1", help="schemathesis' seed (default 1)")
    args = parser.parse_args(argv)
    bin_dir = args.bin_dir.resolve()
    st = ensure_schemathesis(bin_dir)
    from ct_assets.serving.client import free_port

    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ct-schemathesis-") as scratch:
        home = args.home.resolve() if args.home else seeded_home(Path(scratch))
        port = free_port()
        with open(Path(scratch) / "server.log", "wb") as log:
            server = serve(bin_dir, home, port, log)
            try:
                run = subprocess.run(
                    [str(st), "run", f"http://127.0.0.1:{port}/docs.json", "--checks", "all",
                     "--phases", "coverage,fuzzing", "--max-examples", str(MAX_EXAMPLES),
                     "--max-time", str(MAX_SECONDS), "--seed", args.seed, "--request-timeout", "20",
                     "--generation-database", "none", "--no-color"],
                    capture_output=True, text=True, timeout=MAX_SECONDS + 60,
                    cwd=scratch)  # its caches (.schemathesis/) stay out of the checkout
            finally:
                stop(server)
        print(run.stdout[-6000:], run.stderr[-2000:], sep="\n")
        if "Traceback" in (Path(scratch) / "server.log").read_text(errors="replace"):
            print("schemathesis: the server log holds a traceback")
            return 1
    cases = re.search(r"(\d+) generated", run.stdout)
    n = int(cases.group(1)) if cases else 0
    print(f"schemathesis: {n} cases, exit {run.returncode}, {time.monotonic() - t0:.0f} s")
    return 0 if run.returncode == 0 and n >= MIN_CASES else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
