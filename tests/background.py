"""Slow whole-tree checks started as soon as the suite is collected, so they run on the machine's other core
while the tests run on one; the test that owns a check waits for its answer.

pytest runs tests one at a time, in one process: on a two-core machine, mypy --strict over the tree (about a
minute) then costs no wall time beside the rest of the suite.
"""

from __future__ import annotations

import atexit
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO


class BackgroundCheck:
    """A command running in the background; ``result()`` waits for it (its output is kept in a temporary file,
    so a long report never blocks on a full pipe)."""

    def __init__(self, cmd: Sequence[str], cwd: Path) -> None:
        self._output: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 (closed by _stop)
        self._process = subprocess.Popen(
            cmd, cwd=cwd, stdout=self._output, stderr=subprocess.STDOUT, text=True
        )
        atexit.register(self._stop)

    def result(self, timeout: float) -> tuple[int, str]:
        """The exit code and the output, once the command has finished."""
        code = self._process.wait(timeout=timeout)
        self._output.seek(0)
        return code, self._output.read()

    def _stop(self) -> None:
        """At exit, a check nobody waited for (its test deselected or failed early) is not left running."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()


_STARTED: dict[str, BackgroundCheck] = {}


def start(name: str, cmd: Sequence[str], cwd: Path) -> None:
    """Start the check ``name`` once."""
    if name not in _STARTED:
        _STARTED[name] = BackgroundCheck(cmd, cwd)


def take(name: str) -> BackgroundCheck | None:
    """The check ``name`` if it was started (and forget it), else None: the caller runs it itself."""
    return _STARTED.pop(name, None)
