"""Every error message lives in ``theorydb_mocks.emulator.messages``: no handler words an error inline.

Engineers adding an operation put its messages in that one module, so the words DynamoDB answers with can be
read, reviewed and compared with the service in one place.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest

from theorydb_mocks.emulator import messages

EMULATOR = Path(messages.__file__).parent
_FACTORIES = {"validation_error": 0, "ddb_error": 1, "DynamoDBError": 1, "invalid_expression": 1}


def _sources() -> list[Path]:
    return sorted(p for p in EMULATOR.rglob("*.py") if p.name != "messages.py")


def _inline_messages(path: Path) -> list[int]:
    """The line of each error built with a literal or f-string message instead of a messages name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        position = _FACTORIES.get(name or "")
        if position is None or len(node.args) <= position:
            continue
        message = node.args[position]
        if isinstance(message, ast.JoinedStr | ast.Constant) or (
            isinstance(message, ast.BinOp) and isinstance(message.left, ast.Constant | ast.JoinedStr)
        ):
            found.append(node.lineno)
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(EMULATOR)))
def test_errors_take_their_words_from_the_messages_module(path: Path) -> None:
    assert _inline_messages(path) == []


def test_the_check_finds_an_inline_message(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'validation_error(f"Bad {x}")\n'
        'ddb_error("Code", M.OK)\n'
        'ddb_error("Code", "words")\n'
        'errors.validation_error("x" + y)\n'
        "validation_error(M.KEY_MISSED.format(name=n))\n",
        encoding="utf-8",
    )
    assert _inline_messages(sample) == [1, 3, 4]


def test_every_template_formats_with_named_fields_only() -> None:
    for name in dir(messages):
        text = getattr(messages, name)
        if not name.isupper() or not isinstance(text, str):
            continue
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
        assert all(field.isidentifier() for field in fields), (name, fields)
