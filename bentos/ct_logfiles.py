"""The prediction log's files of one serving process: one current file per event day, at most
a few of them open at a time.

Why: a request whose records span many days must not start a file per day per request (the
first version of this did: a soak made 1,100 files in 30 s), so a day keeps appending to its
current file, closed or not, until it is ``file_bytes`` long, deleted under it (retention), or
cut by a failed write: then the day starts a new file (``...-<seq>.jsonl``), so a cut line is
never glued to the next one.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


class DayFiles:
    def __init__(self, directory: Path, token: str, file_bytes: float, open_max: int = 4):
        self.dir, self.token = directory, token
        self.file_bytes, self.open_max = file_bytes, open_max
        self._files: dict[dt.date, list] = {}  # day -> [path, bytes, fd or None]
        self._open: list[dt.date] = []  # days with an open fd, least recently used first
        self._seq = 0

    def current(self) -> set[Path]:
        return {f[0] for f in self._files.values()}

    def write(self, day: dt.date, line: bytes) -> bool:
        """Append ``line`` to ``day``'s current file; True when a new file was started.
        Raises OSError (and ends that file) when the line could not be written whole."""
        f = self._files.get(day)
        if f is not None and f[2] is not None and os.fstat(f[2]).st_nlink == 0:
            self.drop(day)  # deleted while open (retention, or by hand): a new file
            f = None
        if f is not None and f[1] >= self.file_bytes:
            self.drop(day)
            f = None
        started = f is None
        if f is None:
            self._seq += 1
            name = f"predictions-{day.isoformat()}-{self.token}-{self._seq}.jsonl"
            f = self._files[day] = [self.dir / name, 0, None]
        try:
            if f[2] is None:
                if len(self._open) >= self.open_max:
                    self._close(self._open[0])
                f[2] = os.open(f[0], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                f[1] = os.fstat(f[2]).st_size
                self._open.append(day)
            else:
                self._open.remove(day)
                self._open.append(day)
            data = memoryview(line)
            while data:
                data = data[os.write(f[2], data):]
        except OSError:
            self.drop(day)  # a cut line ends its file: the next line starts a new one
            raise
        f[1] += len(line)
        return started

    def forget_before(self, day: dt.date) -> None:
        """Days older than ``day`` take no more lines (outside the retention window)."""
        for old in [d for d in self._files if d < day]:
            self.drop(old)

    def drop(self, day: dt.date) -> None:
        if day in self._open:
            self._close(day)
        self._files.pop(day, None)

    def _close(self, day: dt.date) -> None:
        self._open.remove(day)
        f = self._files[day]
        fd, f[2] = f[2], None
        try:
            os.close(fd)
        except OSError:
            pass

    def close(self) -> None:
        for day in list(self._open):
            self._close(day)
