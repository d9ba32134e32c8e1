"""The backups example in docs/emulator.md runs, on the emulator, as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"


def test_the_documented_example_runs() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## Backups and point-in-time recovery") :]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None
    namespace: dict[str, Any] = {}
    exec(compile(code.group(1), str(DOC), "exec"), namespace)
    assert namespace["summary"]["SourceTableArn"].endswith("table/orders")
    assert namespace["emu"].dispatch("ListTables", {})["TableNames"] == [
        "orders",
        "orders-30s-in",
        "orders-from-backup",
    ]
