"""Every Python block of README.md and docs/*.md runs (the rules are in ``tests/docs/_blocks.py``).

Each block is one test, named after its file and line. A block marked ``<!-- run: no, REASON -->`` is
reported as skipped with its reason, and counted against ``NOT_RUN_BUDGET``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docs._blocks import PRELUDES, REPO, Block, doc_files, python_blocks

ALL_BLOCKS = [block for path in doc_files() for block in python_blocks(path)]
BY_ID = {block.id: block for block in ALL_BLOCKS}
# Blocks deliberately not run, across all docs: raise it only with a reason in the doc itself.
NOT_RUN_BUDGET = 12

# The environment a block sees: none of the plugin's settings from the developer's shell.
_SETTINGS_PREFIXES = ("THEORYDB_", "PYTEST_", "DYNAMODB_LOCAL_ENDPOINT", "DYNAMODB_ENDPOINT")


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    for name in list(os.environ):
        if name.startswith(_SETTINGS_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _module_for(block: Block) -> types.ModuleType:
    name = "docs_block_" + block.id.replace("/", "_").replace(".", "_").replace(":", "_").replace("-", "_")
    module = types.ModuleType(name)
    module.__file__ = str(block.path)
    return module


def _run_into(namespace: dict[str, Any], code: str, filename: str) -> None:
    exec(compile(code, filename, "exec"), namespace)


def _execute(block: Block, modules: dict[str, types.ModuleType]) -> types.ModuleType:
    """Run ``block`` (after its preludes, or in its predecessor's namespace) and return its module."""
    if block.continues:
        assert block.previous is not None
        module = modules.get(block.previous.id)
        if module is None:
            module = _execute(block.previous, modules)
    else:
        module = _module_for(block)
    sys.modules[module.__name__] = module  # dataclasses and pickle look their module up
    for name in block.preludes:
        prelude = PRELUDES / f"{name}.py"
        _run_into(module.__dict__, prelude.read_text(encoding="utf-8"), str(prelude))
    # Line numbers in tracebacks point into the Markdown file.
    _run_into(module.__dict__, "\n" * block.line + block.code, str(block.path))
    modules[block.id] = module
    return module


@pytest.mark.parametrize("block_id", list(BY_ID))
def test_doc_block_runs(block_id: str, clean_environment: Path) -> None:
    block = BY_ID[block_id]
    if block.not_run is not None:
        pytest.skip(f"not runnable by design: {block.not_run}")
    for needed in block.needs:
        pytest.importorskip(needed, reason=f"{block.id} needs {needed} (an optional extra)")
    if block.pytest:
        _run_as_test_file(block, clean_environment)
        return
    modules: dict[str, types.ModuleType] = {}
    try:
        _execute(block, modules)
    finally:
        for module in modules.values():
            sys.modules.pop(module.__name__, None)


def _run_as_test_file(block: Block, directory: Path) -> None:
    source = "".join((PRELUDES / f"{name}.py").read_text(encoding="utf-8") for name in block.preludes)
    (directory / "test_doc_block.py").write_text(source + block.code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_doc_block.py"],
        cwd=directory,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{block.id}:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"


def test_blocks_not_run_stay_within_budget() -> None:
    not_run = [f"{block.id}: {block.not_run}" for block in ALL_BLOCKS if block.not_run]
    assert len(not_run) <= NOT_RUN_BUDGET, "\n".join(not_run)


def test_the_runner_finds_the_blocks() -> None:
    """A guard against a parser that silently finds nothing: README and docs hold dozens of blocks."""
    assert len(ALL_BLOCKS) >= 40
    assert any(block.path == REPO / "README.md" for block in ALL_BLOCKS)
