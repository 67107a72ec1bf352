"""The models of the Dagster project `ct` runs in: its `ct_assets.ContinuousTraining` instances.

`ct demo --model fraud` replays the model the project's `defs/fraud/defs.yaml` declares, with
the settings and home that YAML gives, exactly as `dg dev` loads it. The project is found the
way `dg` finds it: the nearest pyproject.toml with a `[tool.dg]` table (or dg.toml) upward of
the current directory.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ct_assets.errors import CTError


@dataclass(frozen=True)
class DeclaredModel:
    name: str
    given: dict  #: the settings its YAML writes
    home: Path


def declared_models(where: Path | None = None) -> dict[str, DeclaredModel]:
    """Every ContinuousTraining instance of the project around `where` (the cwd), by name."""
    import dagster as dg

    from ct_assets.component import ContinuousTraining

    try:
        tree = dg.ComponentTree.for_project((where or Path.cwd()).resolve())
    except Exception as exc:  # no project here, or its defs do not load: say which
        raise CTError(f"no Dagster project with models around {where or Path.cwd()} "
                      f"({str(exc).splitlines()[0]})") from None
    models = {}
    for component in tree.get_all_components(of_type=ContinuousTraining):
        home = component.home_folder(tree.project_root)
        models[component.name] = DeclaredModel(component.name,
                                               component.given(tree.project_root), home)
    return models


def declared_model(name: str) -> DeclaredModel:
    models = declared_models()
    if name not in models:
        known = ", ".join(sorted(models)) or "none"
        raise CTError(f"no model {name!r} in this project (its models: {known})")
    return models[name]
