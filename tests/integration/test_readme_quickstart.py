"""The README quickstart works when copied into a file and run, as a new user would try it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def quickstart_blocks() -> tuple[str, str]:
    """The Python block of the Quickstart section and the output block after it."""
    section = README.read_text(encoding="utf-8").split("\n## Quickstart\n", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    output = re.search(r"```text\n(.*?)```", section, re.S)
    assert code is not None and output is not None, "the Quickstart needs a python block and a text block"
    return code.group(1), output.group(1)


def test_quickstart_runs_as_a_file_on_dynamodb_local(tmp_path: Path, dynamodb_local_endpoint: str) -> None:
    code, expected = quickstart_blocks()
    script = tmp_path / "quickstart.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "DYNAMODB_ENDPOINT": dynamodb_local_endpoint}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected
