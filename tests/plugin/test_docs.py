"""docs/testing.md's plugin section: names and anchors stay true (its examples run in tests/docs/)."""

from __future__ import annotations

import pathlib

import pytest_plugin

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


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
