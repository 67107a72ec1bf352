"""ct-assets: continuous training for tabular LightGBM models, as a Dagster asset graph."""

__version__ = "0.1.0"
