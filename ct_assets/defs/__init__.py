"""The project's models, one `ct_assets.ContinuousTraining` instance (a `defs.yaml`) per folder.

`dg scaffold defs ct_assets.ContinuousTraining NAME` adds one; `dg check defs` validates them.
"""
