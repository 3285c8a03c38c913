"""Hearing a run as it goes: a progress bar on a terminal, and fan-out to several listeners.

A listener has ``start(total)`` and ``done(kind, path, findings)`` (see :func:`hublint.runner.run`).
The bar is plain stdlib: one line on stderr, redrawn at most ten times a second; a run whose
stderr is not a terminal (CI logs, pipes) gets no bar at all.
"""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """``[#########           ] 120/400 targets`` on stderr, erased when the run ends."""

    WIDTH = 30

    def __init__(self, stream=None, interval: float = 0.1):
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.total = 0
        self.count = 0
        self._last = 0.0

    def start(self, total: int) -> None:
        self.total = total
        self._draw(force=True)

    def done(self, kind: str, path: str, findings) -> None:
        self.count += 1
        self._draw(force=self.count == self.total)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        filled = self.WIDTH * self.count // self.total if self.total else self.WIDTH
        bar = "#" * filled + " " * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {self.count}/{self.total} files and modules")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r\033[K")  # erase the bar: the report follows on a clean line
        self.stream.flush()


class Listeners:
    """Several listeners heard as one."""

    def __init__(self, *listeners):
        self.listeners = [listener for listener in listeners if listener is not None]

    def start(self, total: int) -> None:
        for listener in self.listeners:
            listener.start(total)

    def done(self, kind: str, path: str, findings) -> None:
        for listener in self.listeners:
            listener.done(kind, path, findings)


def progress_bar(stream=None) -> ProgressBar | None:
    """A bar when ``stream`` (default stderr) is a terminal, else ``None``."""
    stream = stream if stream is not None else sys.stderr
    return ProgressBar(stream) if stream.isatty() else None
