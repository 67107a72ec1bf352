"""A model's settings as given (YAML attributes, a settings file) made whole against its data
and its home.

What a settings file leaves out is resolved from the data once, when the home is created: a
table's task, first and last day and feature columns (and, for the simulator, how far the
replays have run). The home keeps the resolved settings in `settings.json`, so every later
process (a Dagster run, the daemon's sensor, the webserver, a resumed demo) builds the same
graph without reading the table again. Thresholds, windows and policy stay the settings file's:
changing them on a running home is normal; changing the stream a home holds is refused.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from ct_assets.errors import CTError
from ct_assets.home import Home
from ct_assets.periods import Period
from ct_assets.settings import SETTINGS_FILE, Settings, validation_message
from ct_assets.sizing import SIZED, describe

#: Keys that say which stream a home holds: a home never mixes two.
STREAM = ("source", "time_column", "label_column", "entity_column", "label_delay",
          "label_time_column", "positive_label", "period", "seed", "rows_per_day",
          "missing_values", "drop_duplicates", "encoding")
#: Keys read off the data when the settings leave them out (the metric and floor follow the task).
FROM_DATA = ("task", "metric", "gate_floor", "start", "end", "numeric", "categorical",
             "exclude", "labelled_rows_per_day", "positive_rate")


def resolve_settings(given: dict, home: Home) -> Settings:
    """The settings a user wrote (`given`: only the keys they wrote) completed from the home's
    resolved settings, or from the data when the home has none yet; a CTError when the home
    holds another stream (or another model)."""
    path = home.root / SETTINGS_FILE
    if path.exists():
        held = Settings.load(home.root)
        check_same_stream(given, held, home)
        return validate({**{k: getattr(held, k) for k in FROM_DATA if k not in given}, **given})
    settings = validate(given)
    return settings if settings.simulated else resolve_table(given)[0]


def resolve_table(given: dict) -> tuple[Settings, list[str]]:
    """A table source's settings with task, days and features read off the table, and the
    notes on what was inferred."""
    from ct_assets.sources import TableSource

    settings = validate(given)
    table = TableSource.from_settings(settings)
    volume = table.volume()
    resolved = {**given, "task": table.task, **{k: v for k, v in volume.items() if k not in given},
                "start": settings.start if "start" in given
                else Period(settings.period).floor(table.first_day),
                "end": min(settings.end or table.last_day, table.last_day),
                "numeric": table.user_names(table.columns.numeric),
                "categorical": table.user_names(table.columns.categorical),
                "exclude": [*settings.exclude, *table.user_names(table.columns.left_out)]}
    settings = validate(resolved)
    sized = [k for k in SIZED if k not in given]
    note = [describe({k: getattr(settings, k) for k in sized},
                     settings.labelled_rows_per_day, settings.period)] if sized else []
    return settings, [*table.notes, *note]


def model_project(given: dict, home: Path):
    """A model a project declares (its YAML's settings and home), checked against its data."""
    from ct_assets.config import Project

    settings, notes = (validate(given), []) if validate(given).simulated else resolve_table(given)
    return Project(settings, home, notes)


def check_same_stream(given: dict, held: Settings, home: Home) -> None:
    wanted = validate({k: v for k, v in given.items() if k in ("name", *STREAM)})
    for key in ("name", *STREAM):
        if getattr(wanted, key) != getattr(held, key):
            raise CTError(f"home {home.root} holds a project with {key} "
                          f"{getattr(held, key)!r}, not {getattr(wanted, key)!r}; "
                          "choose another home")


def validate(raw: dict) -> Settings:
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        raise CTError(validation_message(exc)) from None
