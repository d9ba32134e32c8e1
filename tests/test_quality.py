"""The code stays clean: ruff (lint and format) and mypy --strict over the packages, tests and examples.

These run the tools the ``dev`` extra installs; where one is missing (an install without the extra) the test
skips and says which.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import background

ROOT = Path(__file__).resolve().parent.parent
TYPED = ["theorydb_py", "theorydb_mocks", "pytest_plugin", "tests", "examples", "benchmarks", "scripts"]


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def _run(*cmd: str) -> None:
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_ruff_check_is_clean() -> None:
    _run(_tool("ruff"), "check", ".")


def test_ruff_format_is_clean() -> None:
    _run(_tool("ruff"), "format", "--check", ".")


def mypy_command() -> list[str]:
    """mypy --strict over every typed folder (tests/conftest.py starts it in the background)."""
    return [_tool("mypy"), *TYPED]


def test_mypy_strict_is_clean() -> None:
    check = background.take("mypy")
    if check is None:
        _run(*mypy_command())
        return
    code, output = check.result(timeout=900)
    assert code == 0, output[-6000:]
