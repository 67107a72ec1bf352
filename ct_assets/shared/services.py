"""Throwaway servers for the shared deployment on one machine: a PostgreSQL cluster and an
S3-compatible object store (moto's server mode), both on 127.0.0.1 on free ports.

Tests, benchmarks and `.ci/shared.sh` start them here, so what they exercise is a real
Postgres and a real S3 API over HTTP, not a stand-in. Each server is a child process of the
caller, started in a folder of its own and stopped by its own pid (never by name).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN_DIRS = ("/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin",
               "/usr/lib/postgresql/15/bin", "/usr/local/bin", "/usr/bin")
ACCESS_KEY = "ct-test"  # moto accepts any credentials; these only name the test account
SECRET_KEY = "ct-test-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    """The folder with Debian's `initdb` and `pg_ctl` (None when PostgreSQL is absent)."""
    for folder in PG_BIN_DIRS:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _as_owner(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` user the Debian
    package creates."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://ct@127.0.0.1:{self.port}/ct"

    @classmethod
    def start(cls) -> Postgres:
        """A new cluster in a folder of its own under the system temp folder (the `postgres`
        user must reach it: pytest's own temp folders are private to root)."""
        pg = postgres_bin()
        if pg is None:
            raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed; "
                               "`apt-get install -y postgresql`")
        folder = Path(tempfile.mkdtemp(prefix="ct-pg-"))
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        data, port = folder / "data", free_port()
        subprocess.run(_as_owner([str(pg / "initdb"), "-D", str(data), "-U", "ct",
                                  "--auth=trust", "-E", "UTF8"]),
                       check=True, capture_output=True)
        options = (f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off "
                   "-c max_connections=200 -c shared_buffers=64MB")
        subprocess.run(_as_owner([str(pg / "pg_ctl"), "-D", str(data), "-o", options, "-l",
                                  str(folder / "postgres.log"), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True)
        server = cls(folder, port)
        subprocess.run(_as_owner([str(pg / "createdb") if (pg / "createdb").exists()
                                  else "createdb", "-h", "127.0.0.1", "-p", str(port),
                                  "-U", "ct", "ct"]), check=True, capture_output=True)
        return server

    def stop(self) -> None:
        pg = postgres_bin()
        subprocess.run(_as_owner([str(pg / "pg_ctl"), "-D", str(self.folder / "data"),
                                  "-m", "fast", "-w", "stop"]), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


@dataclass
class ObjectServer:
    """moto's S3 server on 127.0.0.1; `endpoint` is what `storage.s3_endpoint` names."""

    process: subprocess.Popen
    port: int

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, folder: Path) -> ObjectServer:
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        moto = Path(sys.executable).parent / "moto_server"
        command = [str(moto)] if moto.exists() else [sys.executable, "-m", "moto.server"]
        log = open(folder / "moto.log", "w")
        process = subprocess.Popen([*command, "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        server = cls(process, port)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server
            except OSError:
                if process.poll() is not None:
                    raise RuntimeError(f"moto_server exited: see {folder / 'moto.log'}") from None
                time.sleep(0.2)
        server.stop()
        raise RuntimeError("moto_server did not listen within 60 s")

    def create_bucket(self, name: str) -> None:
        import boto3

        boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1",
                     aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
                     ).create_bucket(Bucket=name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def credentials_env() -> dict[str, str]:
    """Environment a process needs to reach the test object store (standard AWS variables:
    secrets never live in the settings)."""
    return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1"}
