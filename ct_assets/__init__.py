"""ct-assets: continuous training for tabular LightGBM models, as a Dagster asset graph.

`ct_assets.ContinuousTraining` is the Dagster component (one model's graph from one YAML); it is
imported on first use, so the pure core (`ct_assets.drift`, `training`, ...) loads without
Dagster.
"""

__version__ = "0.1.0"
__all__ = ["ContinuousTraining"]


def __getattr__(name: str):
    if name == "ContinuousTraining":
        from ct_assets.component import ContinuousTraining

        return ContinuousTraining
    raise AttributeError(f"module 'ct_assets' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*globals(), "ContinuousTraining"]  # so `dg list components` finds the component
