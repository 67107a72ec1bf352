"""The thin Dagster layer: one module per stage, plus the automation that drives them."""
