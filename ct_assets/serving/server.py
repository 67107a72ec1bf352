"""Run a built bento locally: `bentoml serve` in its own process group (pure: no Dagster).

Used by the pre-deploy probe, by ``ct serve`` and by the tests. The server is stopped by
signalling the process group it leads (the BentoML arbiter and its workers), by id.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from .build import bentoml_env
from .client import free_port, http_json
from .predlog import ENV_VAR
from .tokens import ENV_VAR as TOKENS_VAR

__all__ = ["BentoServer", "free_port", "http_json", "serve_command", "stop_orphans"]

TRACK_VAR = "CT_SERVER_TOKEN"  # marks a tracked server's processes (arbiter and workers)
STARTUP_FAILED = "Application startup failed"  # uvicorn's message when the service __init__ raises


def serve_command(
    bento_tag: str, bentoml_home: str | Path, *, port: int = 3000, host: str = "127.0.0.1",
    log_dir: str | Path | None = None, tokens: list[str] | None = None,
) -> tuple[list[str], dict[str, str]]:
    """Command line and environment that serve ``bento_tag`` from ``bentoml_home``, logging
    the predictions of clients with one of ``tokens`` to ``log_dir`` (none when None)."""
    cmd = [sys.executable, "-m", "bentoml", "serve", bento_tag]
    env = bentoml_env(bentoml_home)
    env.pop(ENV_VAR, None)
    env.pop(TOKENS_VAR, None)
    if log_dir is not None:
        env[ENV_VAR] = str(Path(log_dir).resolve())
        env[TOKENS_VAR] = ",".join(tokens or [])
    return cmd + ["--host", host, "--port", str(port)], env


class BentoServer:
    """``with BentoServer(tag, home) as srv: srv.predict(records)``; waits for /readyz on enter."""

    def __init__(
        self,
        bento_tag: str,
        bentoml_home: str | Path,
        *,
        port: int | None = None,
        host: str = "127.0.0.1",
        log_path: str | Path | None = None,
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
        track: str | Path | None = None,
    ) -> None:
        """``command`` replaces ``bentoml serve <tag>`` (e.g. ``ct serve``); it must take
        the port from ``self.port``. ``track`` is a folder where the server is recorded while
        it runs (a file named by a token its processes carry in their environment), so
        `stop_orphans` can end it and its workers if its owner is killed."""
        self.bento_tag, self.home, self.host = bento_tag, Path(bentoml_home), host
        self.port = port or free_port(host)
        self.url = f"http://{host}:{self.port}"
        self.log_path = Path(log_path or self.home / "logs" / f"serve-{self.port}.log")
        self.extra_env, self.command = env or {}, command
        self.track = Path(track) if track else None
        self.proc: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        self._log_start = 0

    def start(self, timeout: float = 60.0, probe: str = "/readyz") -> BentoServer:
        """Start and wait until ``probe`` answers 200 (``/livez`` for a server that may never
        become ready)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        cmd, env = serve_command(self.bento_tag, self.home, port=self.port, host=self.host)
        cmd = self.command or cmd
        token = None
        if self.track is not None:
            token = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
            self.track.mkdir(parents=True, exist_ok=True)
            (self.track / token).write_text(self.bento_tag)
            env[TRACK_VAR] = token
        self._token = token
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                cmd,
                env={**env, **self.extra_env},
                cwd=self.home,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # own group: stop() kills it
        try:
            self.wait_ready(timeout, probe)
        except BaseException:
            self.stop()
            raise
        return self

    def wait_ready(self, timeout: float = 60.0, probe: str = "/readyz") -> float:
        """Seconds until ``probe`` answered 200; raises if the server exits or time runs out."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"bentoml serve exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            if STARTUP_FAILED in self.log_tail(None):  # BentoML would restart the worker forever
                raise RuntimeError(f"{self.bento_tag} failed to start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + probe, timeout=2) as resp:
                    if resp.status == 200:
                        return time.monotonic() - t0
            except urllib.error.HTTPError:  # up, not ready: for good if the model is bad
                self._raise_if_model_bad()
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.bento_tag} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def _raise_if_model_bad(self) -> None:
        """The service is up but its model failed its startup checks: it will never be ready
        (``/metadata`` says why), so waiting longer is pointless."""
        try:
            status, meta = http_json(self.url + "/metadata", timeout=5)
        except OSError:
            return
        if status == 200 and isinstance(meta, dict) and meta.get("model_ok") is False:
            raise RuntimeError(f"{self.bento_tag} cannot serve: "
                               f"{'; '.join(meta.get('not_ready', [])) or 'model not ok'}")

    def log_tail(self, chars: int | None = 4000) -> str:
        """This run's server output (the last ``chars`` characters; all with None)."""
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_start)
            text = f.read().decode(errors="replace")
        return text if chars is None else text[-chars:]

    def predict(self, records: list[dict[str, Any]], timeout: float = 60.0,
                token: str | None = None) -> tuple[int, Any]:
        """POST /predict; with ``token`` (a log token) the request is logged."""
        auth = {"Authorization": f"Bearer {token}"} if token else None
        return http_json(self.url + "/predict", {"records": records}, timeout, auth)

    def metadata(self) -> tuple[int, Any]:
        return http_json(self.url + "/metadata")

    def get(self, path: str) -> tuple[int, Any]:
        return http_json(self.url + path)

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM the server's process group (the one this Popen leads), SIGKILL if needed."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        _stop_group(proc, grace)
        if self._token is not None:
            (self.track / self._token).unlink(missing_ok=True)

    def __enter__(self) -> BentoServer:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _stop_group(proc: subprocess.Popen, grace: float) -> None:
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(wait)
        except ProcessLookupError:
            break
        except subprocess.TimeoutExpired:
            continue
    try:  # workers left behind by the arbiter
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def stop_orphans(track: str | Path) -> list[int]:
    """Kill what is left of the servers recorded in ``track`` whose owner died before it could
    stop them (kill -9 during infra validation): the arbiter and its workers, which BentoML
    starts in sessions of their own, found by the token in their environment. Return their
    process ids."""
    import psutil

    entries = list(Path(track).glob("*-*")) if Path(track).exists() else []
    tokens = {entry.name for entry in entries}
    stopped = []
    for proc in psutil.process_iter(["environ"]) if tokens else []:
        try:
            if (proc.info["environ"] or {}).get(TRACK_VAR) in tokens:
                proc.kill()
                stopped.append(proc.pid)
        except psutil.Error:
            continue
    for entry in entries:
        entry.unlink(missing_ok=True)
    return stopped
