"""The examples of docs/testing.md's "Strict fakes" section run, and its quoted reports are the real ones."""

from __future__ import annotations

import contextlib
import pathlib
import re

import pytest

from theorydb_mocks.fakes import FakeDynamoDBClient, PendingExpectationsError, UnexpectedCallError

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("\n## Strict fakes\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(), flags=re.DOTALL)


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_python_examples_run(index: int) -> None:
    code = blocks("python")[index]
    exec(compile(code, f"{DOC}:block{index}", "exec"), {})


def test_the_quoted_reports_are_what_the_fake_prints() -> None:
    mismatch, teardown = blocks("text")
    fake = FakeDynamoDBClient()
    fake.expect("put_item", {"TableName": "users", "Item": {"email": {"S": "a"}}})
    with pytest.raises(UnexpectedCallError) as caught:
        fake.put_item(TableName="users", Item={"pk": {"S": "1"}, "email": {"S": "b"}})
    assert str(caught.value) == mismatch.rstrip("\n")

    fake = FakeDynamoDBClient()
    fake.expect("put_item", {"TableName": "t"})
    with contextlib.suppress(UnexpectedCallError):
        fake.get_item(TableName="t", Key={"pk": {"S": "USER#1"}})
    with pytest.raises(PendingExpectationsError) as pending:
        fake.assert_no_pending()
    assert str(pending.value) == teardown.rstrip("\n")


def test_the_docs_anchor_used_in_messages_exists() -> None:
    assert "\n## Strict fakes\n" in DOC.read_text(encoding="utf-8")
