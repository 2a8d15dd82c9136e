"""CPU spent by this process, its finished children and the PostgreSQL backends serving one
database while a block runs. On a shared machine a wall-clock rate depends on everyone else's
load; the CPU a piece of work costs much less."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from types import TracebackType

TICK = os.sysconf("SC_CLK_TCK")


def _backends(database: str) -> dict[int, float]:
    """CPU seconds so far of each backend process connected to `database` (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            if not title.startswith("postgres:") or f" {database} " not in title:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    return found


def process_tree(pids: list[int]) -> float:
    """CPU seconds so far of the processes `pids` and their descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    seconds: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        seconds[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICK
    wanted = set(pids)
    while grown := {pid for pid, parent in parents.items()
                    if parent in wanted and pid not in wanted}:
        wanted |= grown
    return sum(seconds.get(pid, 0.0) for pid in wanted)


class CpuMeter:
    """`python`: this process and its children (once reaped); `postgres`: the backends of
    `database`, sampled every `interval` seconds (a backend's last moments before it
    disconnects may be missed)."""

    def __init__(self, database: str, interval: float = 0.1) -> None:
        self.database = database
        self.interval = interval
        self.python = self.postgres = 0.0
        self._stop = threading.Event()
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}

    def _sample(self) -> None:
        for pid, seconds in _backends(self.database).items():
            self._first.setdefault(pid, 0.0)
            self._last[pid] = seconds

    def _watch(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> CpuMeter:
        self._first = _backends(self.database)  # those already connected count from now
        self._last = dict(self._first)
        self._times = os.times()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        end = os.times()
        self.python = sum(end[:4]) - sum(self._times[:4])
        self.postgres = sum(self._last[pid] - self._first[pid] for pid in self._last)

    @property
    def total(self) -> float:
        return self.python + self.postgres
