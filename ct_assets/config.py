"""A project's settings file (YAML): read, checked, and resolved against its data.

Checked before anything is written: unknown keys (with the likely intended one), values out of
range, columns the table lacks, times that do not parse, a label that does not fit the task.
Resolved means the table's first day, last day, task, feature columns and the columns inference
left out are written into the settings, so every later process (a Dagster run, the sensor, the
webserver) reads the table the same way. Every decision taken on the user's behalf (a marker
read as missing, an identifier left out, repeated rows dropped) is a note that names the
setting which overrides it; the commands print them as `ct: note: ...`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from ct_assets.errors import CTError
from ct_assets.project import resolve_table
from ct_assets.settings import Settings, validation_message
from ct_assets.sources import resolve

EXTRA_KEYS = {"home": "home folder of the project (relative to this file)"}


@dataclass(frozen=True)
class Project:
    settings: Settings
    home: Path | None = None
    notes: list[str] = field(default_factory=list)


def config_home(config: str | None) -> Path | None:
    """Only the `home` a settings file names (for commands on an existing home)."""
    if not config:
        return None
    path = Path(config).expanduser()
    return _home(_read(path).get("home"), path.resolve().parent)


def load_project(path: Path) -> Project:
    """The settings file at `path`, checked and resolved (see the module docstring)."""
    raw = _read(path)
    base = path.resolve().parent
    home = raw.pop("home", None)
    if "source" in raw:
        raw["source"] = resolve(str(raw["source"]), base)
    settings = _validate(raw, path)
    if settings.simulated:
        return Project(settings, _home(home, base))
    settings, notes = resolve_table(raw)
    return Project(settings, _home(home, base), notes)


def _read(path: Path) -> dict:
    try:
        raw = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise CTError(f"settings file {path} does not exist") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        raise CTError(f"settings file {path} is not valid YAML{where}: "
                      f"{getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict):
        raise CTError(f"settings file {path} must be a mapping of keys to values")
    known = [*Settings.model_fields, *EXTRA_KEYS]
    for key in raw:
        if key not in known:
            near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"; did you mean {near[0]!r}?" if near else \
                "; see the settings reference in README.md"
            raise CTError(f"{path}: unknown setting {key!r}{hint}")
    return raw


def read_overrides(path: Path) -> dict:
    """A settings file of overrides (a backtest variant): checked keys and values."""
    raw = _read(path)
    _validate({**raw, "source": "simulator"} if "source" not in raw else raw, path)
    return raw


def _validate(raw: dict, path: Path) -> Settings:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise CTError(f"{path}: {validation_message(exc)}") from None


def _home(home: str | None, base: Path) -> Path | None:
    if home is None:
        return None
    path = Path(str(home)).expanduser()
    return path if path.is_absolute() else base / path
