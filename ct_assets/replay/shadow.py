"""Another policy's triggers, judged on a replay's home without running anything.

Two policies that differ only in their triggers run the same runs for as long as their sensor
and schedules ask for the same runs: the homes they would write are identical up to then. A
replay carries the other policy as a shadow, asks its triggers at every tick what they would
request, and lets it go (to a copy of the home) at the first tick where the answers differ.
"""

from __future__ import annotations

import json

import dagster as dg

from ct_assets.graph import ModelGraph, build_definitions
from ct_assets.home import Home
from ct_assets.replay.instance import schedule_context
from ct_assets.settings import Settings


def asked(result) -> list[tuple]:
    """The runs a tick's result asks for, comparable between policies (a skip's reason is
    not a run: two policies that both skip agree)."""
    requests = result if isinstance(result, list) else [result]
    return [(r.run_key, r.partition_key, json.dumps(r.run_config, sort_keys=True, default=str),
             tuple(sorted(r.tags.items())))
            for r in requests if isinstance(r, dg.RunRequest)]


class Shadow:
    """The sensor and schedules of `settings` over `home`, with the sensor cursors of its
    own: `cursors` as its sensor leaves them, `settled` as of the last finished period (what
    its journal holds when it gets a home of its own)."""

    def __init__(self, name: str, home: Home, settings: Settings):
        self.name, self.settings = name, settings
        self.model = ModelGraph(settings.name, home, settings, keep_open=True)
        self.defs = build_definitions(self.model)
        self.cursors: dict = {}
        self.settled: dict = {}

    def asks(self, kind: str, name: str, instance: dg.DagsterInstance, at=None) -> list[tuple]:
        """What this policy's schedule (`kind` "schedule", evaluated at `at`) or sensor `name`
        would request now."""
        if kind == "schedule":
            schedule = self.defs.resolve_schedule_def(self.model.named(name))
            return asked(schedule(schedule_context(instance, at)))
        sensor = self.defs.resolve_sensor_def(self.model.named(name))
        context = dg.build_sensor_context(instance, cursor=self.cursors.get(name),
                                          definitions=self.defs)
        result = sensor(context)
        self.cursors[name] = context.cursor
        return asked(result)

    def settle(self) -> None:
        """The period is finished: its cursors are the ones a home of its own starts from."""
        self.settled = dict(self.cursors)
