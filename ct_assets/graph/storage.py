"""The Dagster side of the storage setting: where values passed between a run's steps live,
and which concurrency pool a model's retrains hold.

Embedded: the home's `dagster/storage` folder, no pool (runs go one at a time anyway). Shared:
the object store (`<objects>/<name>/io`), so a run re-executed on another machine (a retry
from failure) finds its earlier steps' outputs; and the pool `<name>__retrain`, one slot per
model for a whole run (see `ct_assets.shared.instance`), so retrains of one model never
overlap while every other run goes on in parallel.
"""

from __future__ import annotations

import pickle

import dagster as dg

from ct_assets.graph.model import ModelGraph

POOL_TAG = "dagster/concurrency_key"  # an op's pool, set on every op of a job through op_tags


class ObjectStoreIOManager(dg.UPathIOManager):
    """Pickled step outputs under a `UPath` (s3fs for `s3://`), as Dagster's filesystem IO
    manager keeps them in a folder."""

    def dump_to_path(self, context: dg.OutputContext, obj, path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))

    def load_from_path(self, context: dg.InputContext, path):
        return pickle.loads(path.read_bytes())


def io_manager(m: ModelGraph):
    storage = m.settings.storage
    if not storage.shared:
        return dg.FilesystemIOManager(base_dir=str(m.home.dagster / "storage"))
    from upath import UPath

    options = ({"client_kwargs": {"endpoint_url": storage.s3_endpoint}}
               if storage.s3_endpoint else {})
    base = UPath(f"{storage.objects.rstrip('/')}/{m.name}/io", **options)
    return dg.IOManagerDefinition.hardcoded_io_manager(ObjectStoreIOManager(base_path=base))


def retrain_op_tags(m: ModelGraph) -> dict[str, str]:
    """Op tags of the retrain job: the model's pool in the shared deployment, none otherwise."""
    return {POOL_TAG: m.named("retrain")} if m.settings.storage.shared else {}
