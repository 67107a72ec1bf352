"""The code location: one graph per `ct_assets.ContinuousTraining` instance under `defs/`.

Homes in the instances' YAML are relative to the directory the code location runs in (`dg dev`
runs it in the project root), so `./.ct` here is the home `ct demo` fills.
"""

from pathlib import Path

import dagster as dg

import ct_assets.defs

defs = dg.ComponentTree.from_module(defs_module=ct_assets.defs,
                                    project_root=Path.cwd()).build_defs()
