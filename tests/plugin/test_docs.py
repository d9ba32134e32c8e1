"""docs/testing.md's emulator, routing and plugin sections: examples run, names and anchors stay true."""

from __future__ import annotations

import pathlib
import re

import pytest

import pytest_plugin

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "testing.md"
RUNNABLE = ("The in-memory emulator", "Routing real boto3 clients: `mock_dynamodb`")


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def examples() -> list[tuple[str, str]]:
    return [
        (title, code)
        for title in RUNNABLE
        for code in re.findall(r"```python\n(.*?)```", section(title), flags=re.DOTALL)
    ]


@pytest.mark.parametrize(("title", "code"), examples(), ids=lambda value: str(value)[:24])
def test_python_examples_run(title: str, code: str) -> None:
    exec(compile(code, f"{DOC}:{title}", "exec"), {})


def test_every_fixture_is_in_the_table() -> None:
    table = section("The pytest plugin")
    fixtures = [
        name for name in pytest_plugin.__all__ if name[0].islower() and name != "theorydb_dynamodb_local"
    ]
    missing = [name for name in fixtures if f"`{name}`" not in table]
    assert missing == []


def test_anchors_used_in_messages_exist() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "\n## The pytest plugin\n" in text  # docs/testing.md#the-pytest-plugin
    assert (
        "\n### A seeded emulator with rollback\n" in text
    )  # docs/testing.md#a-seeded-emulator-with-rollback
