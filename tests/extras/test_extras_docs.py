"""Every Python example of docs/extras.md runs."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

import pytest

from theorydb_py.runtime import reset_lambda_clients

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "extras.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


@pytest.fixture(autouse=True)
def fresh_client_cache() -> Iterator[None]:
    reset_lambda_clients()
    yield
    reset_lambda_clients()


def test_every_section_has_an_example() -> None:
    assert len(BLOCKS) == 8


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_python_examples_run(index: int) -> None:
    code = compile(BLOCKS[index], f"{DOC}:block{index}", "exec", dont_inherit=True)
    exec(code, {"__name__": "docs_extras"})
