"""The model registry: every model version, its lineage, and who was champion when."""

from ct_assets.registry.registry import ModelVersion, Registry

__all__ = ["ModelVersion", "Registry"]
