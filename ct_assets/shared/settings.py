"""Where a model keeps its state: the embedded default (one home folder) or a shared deployment.

    storage:
      kind: shared
      postgres: postgresql://ct@db.internal:5432/ct     # the registry and the store's catalog
      objects: s3://ct-bucket/prod                       # Parquet partitions and model files
      s3_endpoint: http://minio.internal:9000            # optional: an S3-compatible server

Secrets never sit in these settings (a home's settings.json is a plain file): the Postgres
password comes from libpq's own `PGPASSWORD` or `~/.pgpass`, the object store's keys from the
standard `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY` (or an instance role); a component's YAML
may also fill a value from the environment with `{{ env.VAR }}`.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator


class StorageSettings(BaseModel):
    """`kind: embedded` (default): DuckDB file, SQLite instance, models under the home.
    `kind: shared`: Parquet partitions and model files under `objects`, their catalog and the
    registry in Postgres, so runs on many processes and machines read and write at once."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["embedded", "shared"] = Field("embedded", description=(
        "embedded: everything in the home folder, runs one at a time; shared: Postgres and "
        "an object store, runs in parallel (see README, Past one machine)."))
    postgres: str | None = Field(None, description=(
        "shared: libpq URL of the database holding the registry and the partition catalog, "
        "`postgresql://user@host:5432/db` (password: PGPASSWORD or ~/.pgpass)."))
    objects: str | None = Field(None, description=(
        "shared: where partitions and model files live, `s3://bucket/prefix` or an absolute "
        "folder every worker mounts (NFS, EFS)."))
    s3_endpoint: str | None = Field(None, description=(
        "shared: URL of an S3-compatible server (MinIO, Ceph, moto); AWS S3 when empty."))

    @model_validator(mode="after")
    def _complete(self) -> StorageSettings:
        if self.kind == "embedded":
            for key in ("postgres", "objects", "s3_endpoint"):
                if getattr(self, key):
                    raise ValueError(f"`{key}` is for `kind: shared`; the embedded storage "
                                     "keeps everything in the home folder")
            return self
        if not self.postgres or urlsplit(self.postgres).scheme not in ("postgresql", "postgres"):
            raise ValueError("shared storage needs `postgres: postgresql://user@host:port/db`")
        if urlsplit(self.postgres).password:
            raise ValueError("`postgres` holds a password; give it as PGPASSWORD (or in "
                             "~/.pgpass) instead, so it never lands in a settings file")
        objects = self.objects or ""
        if not (objects.startswith("s3://") and len(objects) > 5 or objects.startswith("/")):
            raise ValueError("shared storage needs `objects: s3://bucket/prefix` or an "
                             "absolute folder")
        if self.s3_endpoint and not objects.startswith("s3://"):
            raise ValueError("`s3_endpoint` is for `objects: s3://...`")
        return self

    @property
    def shared(self) -> bool:
        return self.kind == "shared"
