"""The registry of the shared deployment: the same `Registry`, its SQL run on Postgres, and
its model files kept in the object store.

Records, statuses and the champion alias are the embedded registry's code on a Postgres
connection (`ct_assets.shared.pg`): a promotion is still one transaction, now one that every
machine sees at once. A record names its model file relative to the home (`models/v3/
model.txt`); a run writes the file in its own home, and registering the record (or switching
it to a refit file) first puts the file under the same key in the object store, so a record
never names a file other machines cannot get. Reading a version on a machine whose home lacks
its file (or holds another one) fetches it first: every process finds the file where the
embedded deployment keeps it, checked against the record's sha256 when it is used.
"""

from __future__ import annotations

from pathlib import Path

from ct_assets.checksum import sha256_file
from ct_assets.registry.record import ModelVersion
from ct_assets.registry.registry import SCHEMA, Registry
from ct_assets.shared.objects import ObjectStore
from ct_assets.shared.pg import PgConnection


class SharedRegistry(Registry):
    def __init__(self, pg: PgConnection, objects: ObjectStore, home_root: Path, model: str):
        pg.ensure(SCHEMA)
        self.objects, self.home_root, self.model = objects, Path(home_root), model
        super().__init__(pg, view=None)

    def _key(self, artifact_path: str) -> str:
        return f"{self.model}/{Path(artifact_path).as_posix()}"

    def _publish_file(self, artifact_path: str | None) -> None:
        if artifact_path is None or Path(artifact_path).is_absolute():
            return
        local = self.home_root / artifact_path
        if local.exists():
            self.objects.put_file(local, self._key(artifact_path))

    def _fetch_file(self, record: ModelVersion) -> ModelVersion:
        """Bring the record's model file into this home when it is missing or differs."""
        path = record.artifact_path
        if not path or Path(path).is_absolute():
            return record
        local = self.home_root / path
        if not local.exists() or sha256_file(local) != record.sha256:
            if self.objects.exists(self._key(path)):
                self.objects.get_file(self._key(path), local)
        return record

    def next_version(self) -> tuple[str, int]:
        """The next version's name, after forgetting a contender that a dead attempt of a
        retrain registered and never evaluated (status `contender`, no gate).

        Here a run whose worker died is retried by the instance (`run_retries`), not by a
        replay that knows the dead run's id (`forget_runs`). Retrains of one model run one at
        a time (the run queue's `ct/retrain_of` limit), so when a contender is about to be
        numbered, an unevaluated one can only be a dead attempt's: the retry's contender takes
        its number, and nothing is recorded twice."""
        self.con.execute("DELETE FROM model_versions WHERE status = 'contender' "
                         "AND gate IS NULL")
        return super().next_version()

    def register(self, record: ModelVersion) -> ModelVersion:
        self._publish_file(record.artifact_path)
        return super().register(record)

    def update(self, version: str, **changes) -> None:
        self._publish_file(changes.get("artifact_path"))
        super().update(version, **changes)

    def get(self, version: str) -> ModelVersion:
        return self._fetch_file(super().get(version))

    def champion(self) -> ModelVersion | None:
        found = super().champion()
        return found and self._fetch_file(found)

    def rejected_since_champion(self) -> ModelVersion | None:
        found = super().rejected_since_champion()
        return found and self._fetch_file(found)
