"""docs/emulator.md's "Regions and global tables" section: every Python block runs as written."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n## Regions and global tables\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


BLOCKS = re.findall(r"```python\n(.*?)```", _section(), re.DOTALL)


def test_the_examples_run_in_order() -> None:
    """The blocks are one story: each may use what the ones before it made."""
    assert BLOCKS
    namespace: dict[str, object] = {"__name__": "docs_regions"}
    for number, block in enumerate(BLOCKS, 1):
        exec(compile(block, f"docs/emulator.md (regions block {number})", "exec"), namespace)
