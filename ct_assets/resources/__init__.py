"""Configurable resources: the project (home and settings), the store, the registry, the source."""

from ct_assets.resources.project import EventSourceResource, ProjectResource
from ct_assets.resources.storage import FeatureStoreResource, RegistryResource

__all__ = ["EventSourceResource", "FeatureStoreResource", "ProjectResource", "RegistryResource"]
