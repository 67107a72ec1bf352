"""A real PostgreSQL cluster and a real S3-compatible server (moto) on 127.0.0.1 for the shared
deployment's tests, started once per session; every test gets a database and a bucket of its
own. Skipped, saying why, only where the server binaries or the `shared` extra are missing
(`.ci/shared.sh` installs both, and sets CT_REQUIRE_SHARED=1 so that they fail instead)."""

from __future__ import annotations

import importlib.util
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest

from ct_assets.home import Home
from ct_assets.settings import Settings
from ct_assets.shared.instance import write_instance
from ct_assets.shared.services import ObjectServer, Postgres, credentials_env, postgres_bin
from ct_assets.shared.settings import StorageSettings


def missing() -> str | None:
    if postgres_bin() is None:
        return ("PostgreSQL server binaries (initdb, pg_ctl) are absent: "
                "`apt-get install -y postgresql` (.ci/shared.sh does)")
    for module in ("psycopg2", "s3fs", "moto", "dagster_postgres"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed: pip install '.[shared]' (.ci/shared.sh does)"
    return None


@dataclass
class Services:
    postgres: Postgres
    objects: ObjectServer

    def storage(self) -> StorageSettings:
        """A fresh database and bucket: the storage of one test's deployment."""
        name = f"t{uuid.uuid4().hex[:10]}"
        raw = psycopg2.connect(self.postgres.url)
        raw.autocommit = True
        raw.cursor().execute(f"CREATE DATABASE {name}")
        raw.close()
        self.objects.create_bucket(f"ct-{name}")
        url = self.postgres.url.rsplit("/", 1)[0] + f"/{name}"
        return StorageSettings(kind="shared", postgres=url, objects=f"s3://ct-{name}/deploy",
                               s3_endpoint=self.objects.endpoint)


@pytest.fixture(scope="session")
def services(tmp_path_factory):
    why = missing()
    if why and os.environ.get("CT_REQUIRE_SHARED"):  # .ci/shared.sh: a skip would hide it
        pytest.fail(why)
    if why:
        pytest.skip(why)
    saved = {k: os.environ.get(k) for k in credentials_env()}
    os.environ.update(credentials_env())
    pg = Postgres.start()
    try:
        objects = ObjectServer.start(tmp_path_factory.mktemp("moto"))
    except BaseException:
        pg.stop()
        raise
    try:
        yield Services(pg, objects)
    finally:
        objects.stop()
        pg.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def storage(services) -> StorageSettings:
    return services.storage()


def shared_home(root: Path, settings: Settings, max_concurrent_runs: int = 4,
                poll_seconds: int = 5) -> Home:
    """A home whose settings name shared storage and whose Dagster instance is on Postgres."""
    home = Home.create(root)
    settings.save(home.root)
    write_instance(home.dagster, settings.storage.postgres, max_concurrent_runs,
                   poll_seconds=poll_seconds)
    return home
