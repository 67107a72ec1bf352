"""The Dagster side of the storage setting: where values passed between a run's steps live,
and what keeps a model's retrains from overlapping.

Embedded: the home's `dagster/storage` folder, nothing more (runs go one at a time anyway).
Shared: the object store (`<objects>/<name>/io`), so a run re-executed on another machine (a
retry from failure) finds its earlier steps' outputs; and a run tag `ct/retrain_of: <name>`
on every retrain run, which the instance's run queue limits to one run per value (see
`ct_assets.shared.instance`): retrains of one model never overlap, while ingest runs and other
models' retrains go on in parallel. A run-level limit rather than an op-level pool: a whole
retrain (training set to promotion) is the unit that must not interleave, and Dagster 1.13
sets pools on each asset, which would touch every retrain asset's definition.
"""

from __future__ import annotations

import pickle

import dagster as dg

from ct_assets.graph.model import ModelGraph
from ct_assets.records import RETRAIN_OF


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


def retrain_run_tags(m: ModelGraph) -> dict[str, str] | None:
    """Run tags of the retrain job: the model's name in the shared deployment, none otherwise."""
    return {RETRAIN_OF: m.name} if m.settings.storage.shared else None
