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


def test_quickstart_runs_as_a_file_on_the_embedded_emulator(tmp_path: Path) -> None:
    code, expected = quickstart_blocks()
    script = tmp_path / "quickstart.py"
    script.write_text(code, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "DYNAMODB_ENDPOINT"}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


def test_testing_kit_example_passes_under_pytest(tmp_path: Path) -> None:
    """The README's test file, saved as ``test_notes.py`` and run with pytest: the plugin's fixtures work."""
    section = README.read_text(encoding="utf-8").split("\n## The testing kit at a glance\n", 1)[1]
    code = re.search(r"```python\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    assert code is not None, "the testing-kit section needs a python block"
    (tmp_path / "test_notes.py").write_text(code.group(1), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THEORYDB_", "PYTEST_"))}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_notes.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout
