"""The control-plane examples in docs/emulator.md run, as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
SECTIONS = ("## Resource policies, contributor insights, table settings", "## Kinesis streaming destinations")


def _blocks(title: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return re.findall(r"```python\n(.*?)```", text[start : end if end != -1 else None], re.S)


@pytest.mark.parametrize("title", SECTIONS)
def test_the_documented_examples_run(title: str) -> None:
    blocks = _blocks(title)
    assert blocks, f"no python block under {title}"
    for block in blocks:
        namespace: dict[str, Any] = {}
        exec(compile(block, str(DOC), "exec"), namespace)
