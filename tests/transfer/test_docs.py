"""The S3 example in docs/emulator.md runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def test_the_documented_export_and_import_run() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## S3: export, import and bulk puts") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    assert namespace["imported"]["ImportedItemCount"] == 1
