"""The doc runner's reading of Markdown: directives, fences, and mistakes in the directives."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from tests.docs._blocks import BlockSyntaxError, python_blocks
from tests.docs.test_docs_run import _execute

DOC = """# Title

<!-- run: prelude orders -->
```python
first = 1
```

Some prose.

```bash
echo not python
```

<!-- run: continue -->

```python
second = first + 1
```

<!-- run: no, it needs AWS -->
```python
boto3.client("dynamodb").list_tables()
```

<!-- run: pytest -->
```python
def test_x():
    pass
```

- a list item with a block:

  ```python
  indented = True
  ```
"""


def _write(tmp_path: Path, text: str) -> Path:
    doc = tmp_path / "doc.md"
    doc.write_text(text, encoding="utf-8")
    return doc


def test_blocks_and_their_directives(tmp_path: Path) -> None:
    blocks = python_blocks(_write(tmp_path, DOC))
    assert [b.code for b in blocks] == [
        "first = 1\n",
        "second = first + 1\n",
        'boto3.client("dynamodb").list_tables()\n',
        "def test_x():\n    pass\n",
        "indented = True\n",
    ]
    assert blocks[0].preludes == ("orders",)
    assert blocks[1].continues and blocks[1].previous is blocks[0]
    assert blocks[2].not_run == "it needs AWS"
    assert blocks[3].pytest
    assert blocks[4].preludes == () and not blocks[4].continues and blocks[4].not_run is None


def test_continue_runs_in_the_previous_blocks_namespace(tmp_path: Path) -> None:
    blocks = python_blocks(_write(tmp_path, DOC))
    modules: dict[str, types.ModuleType] = {}
    try:
        module = _execute(blocks[1], modules)
        assert module.second == 2  # the prelude (orders) and the first block ran first
        assert module.ORDERS.table_name == "orders"
    finally:
        for name in [m.__name__ for m in modules.values()]:
            sys.modules.pop(name, None)


def test_a_failing_block_fails_with_its_markdown_line(tmp_path: Path) -> None:
    doc = _write(tmp_path, "text\n\n```python\nx = 1\nraise ValueError('in the doc')\n```\n")
    (block,) = python_blocks(doc)
    with pytest.raises(ValueError, match="in the doc") as caught:
        _execute(block, {})
    assert caught.traceback[-1].lineno + 1 == 5  # pytest's line numbers are 0-based


@pytest.mark.parametrize(
    ("directive", "message"),
    [
        ("<!-- run: sometimes -->", "unknown run directive 'sometimes'"),
        ("<!-- run: no -->", "needs a reason"),
        ("<!-- run: prelude nowhere -->", "no prelude docs/preludes/nowhere.py"),
        ("<!-- run: continue -->", "'continue' on the first Python block"),
    ],
)
def test_directive_mistakes_are_reported(tmp_path: Path, directive: str, message: str) -> None:
    with pytest.raises(BlockSyntaxError, match=message):
        python_blocks(_write(tmp_path, f"{directive}\n```python\npass\n```\n"))
