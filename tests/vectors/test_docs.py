"""The vector search example in docs/emulator.md runs, on the emulator, as written."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

from theorydb_mocks.emulator import DynamoDBEmulator

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def test_the_documented_example_runs() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Vector search") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {"client": DynamoDBEmulator().client()}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    (result,) = namespace["found"]["SearchResults"]
    assert result["Item"]["pk"] == {"S": "a"}
    assert 0.0 < result["Score"] < 0.01


def test_the_models_example_runs() -> None:
    text = (DOC.parent / "models.md").read_text(encoding="utf-8")
    section = text[text.index("## Vector search") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    module = types.ModuleType("docs_models_example")  # dataclasses resolve annotations through sys.modules
    sys.modules[module.__name__] = module
    try:
        exec(compile(code.group(1), "docs/models.md", "exec"), module.__dict__)
    finally:
        del sys.modules[module.__name__]
    assert [m.item.id for m in module.matches] == ["a", "b"]
