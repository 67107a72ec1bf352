"""The object store: partitions and model files as whole objects, under one root.

The root is `s3://bucket/prefix` (AWS S3 or any S3-compatible server through s3fs) or a folder
every worker mounts. An object is written in one step, so nobody ever reads half of one: on S3
a PUT is atomic; in a folder the file is written beside its name and renamed onto it. Keys are
relative (`demo/features/day=2025-01-03/<id>.parquet`) and DuckDB reads them through the same
filesystem (`DuckDB.register_filesystem`), so the store needs no DuckDB extension.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import fsspec


@dataclass(frozen=True)
class ObjectStore:
    root: str
    endpoint: str | None = None

    @property
    def is_s3(self) -> bool:
        return self.root.startswith("s3://")

    @cached_property
    def fs(self) -> fsspec.AbstractFileSystem:
        if not self.is_s3:
            return fsspec.filesystem("file")
        import s3fs

        kwargs = {"endpoint_url": self.endpoint} if self.endpoint else {}
        # no listing cache: another machine may have written a key a moment ago
        return s3fs.S3FileSystem(client_kwargs=kwargs, use_listings_cache=False,
                                 skip_instance_cache=False)

    def url(self, key: str) -> str:
        """The key's full address (what DuckDB's read_parquet is given)."""
        return f"{self.root.rstrip('/')}/{key}"

    def _path(self, key: str) -> str:
        return self.url(key).removeprefix("s3://") if self.is_s3 else self.url(key)

    def put_file(self, local: Path, key: str) -> None:
        """Write the object `key` from `local` in one step (see the module docstring)."""
        target = self._path(key)
        if self.is_s3:
            self.fs.put_file(str(local), target)
            return
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        tmp = f"{target}.{uuid.uuid4().hex}.tmp"
        self.fs.put_file(str(local), tmp)
        os.replace(tmp, target)

    def get_file(self, key: str, local: Path) -> None:
        """Copy the object to `local`, which appears in one step too (a rename)."""
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f"{local.name}.{uuid.uuid4().hex}.tmp")
        self.fs.get_file(self._path(key), str(tmp))
        os.replace(tmp, local)

    def exists(self, key: str) -> bool:
        return self.fs.exists(self._path(key))

    def delete(self, key: str) -> None:
        try:
            self.fs.rm_file(self._path(key))
        except FileNotFoundError:
            pass

    def register(self, con) -> None:
        """Let a DuckDB connection read `s3://` keys through this store's filesystem."""
        if self.is_s3:
            con.register_filesystem(self.fs)
