"""The READMEs of TableTheory for Python and of DynamORM for Python run here unchanged.

Their text is kept in ``tests/seeds/`` as data. Every Python block runs verbatim, in order, in one namespace
(as a user pasting the README into one script would), on the embedded emulator (real boto3 clients routed
in-process by ``mock_dynamodb``) and on DynamoDB Local (``DYNAMODB_ENDPOINT``). DynamORM's README is run
with TableTheory's names (``dynamorm_py`` -> ``theorydb_py``, ``dynamorm_field`` -> ``theorydb_field``), the
only change. The blocks assume a ``notes`` table with ``pk``/``sk`` string keys, created here first, as the
READMEs' "AWS credentials (or DynamoDB Local)" requirement implies. After each block the test checks what
the block did, through the public API.

The ``bash`` blocks install TableTheory from its monorepo; they are instructions for that project and are
not run. The mocks block of TableTheory's README cannot pass anywhere: it expects attributes ``PK``/``SK``
from a model whose key fields are stored as ``pk``/``sk``. It runs verbatim and must fail with the fake's
report naming the missing key; then, with only those two names corrected, it must pass.
"""

from __future__ import annotations

import os
import re
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from theorydb_mocks import mock_dynamodb

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TABLETHEORY = SEEDS / "tabletheory_python_readme.md"
DYNAMORM = SEEDS / "dynamorm_python_readme.md"
KMS_KEY_ARN = "arn:aws:kms:us-east-1:111111111111:key/readme"


def python_blocks(path: Path, *, rename: bool = False) -> list[tuple[str, str]]:
    """``(section title, code)`` of every Python block, in order (DynamORM's renamed to TableTheory's)."""
    text = path.read_text(encoding="utf-8")
    if rename:
        text = text.replace("dynamorm_py", "theorydb_py").replace("dynamorm_field", "theorydb_field")
    blocks: list[tuple[str, str]] = []
    for section in re.split(r"\n(?=## )", text):
        title = section.splitlines()[0].lstrip("# ").strip()
        blocks += [(title, code) for code in re.findall(r"```python\n(.*?)```", section, re.S)]
    return blocks


def test_the_seed_texts_are_the_readmes() -> None:
    """The copies hold the blocks this test runs: six in TableTheory's README, five in DynamORM's."""
    assert [t for t, _ in python_blocks(TABLETHEORY)] == [
        "Quickstart",
        "Query + pagination",
        "Batch + transactions",
        "Streams (Lambda)",
        "Encryption (`encrypted`)",
        "Testing with mocks",
    ]
    assert [t for t, _ in python_blocks(DYNAMORM, rename=True)] == [
        "Quickstart",
        "Query + pagination",
        "Batch + transactions",
        "Streams (Lambda)",
        "Encryption (`encrypted`)",
    ]
    assert "dynamorm" not in "".join(code for _, code in python_blocks(DYNAMORM, rename=True))


@pytest.fixture(params=["emulator", "dynamodb_local"])
def readme_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Runs the blocks' ``boto3.client("dynamodb", endpoint_url=...)`` against one backend, with the
    ``notes`` table they assume."""
    monkeypatch.setenv("KMS_KEY_ARN", KMS_KEY_ARN)
    if request.param == "emulator":
        monkeypatch.delenv("DYNAMODB_ENDPOINT", raising=False)
        with mock_dynamodb(), notes_table():
            yield request.param
    else:
        monkeypatch.setenv("DYNAMODB_ENDPOINT", request.getfixturevalue("dynamodb_local_endpoint"))
        with notes_table():
            yield request.param


def readme_client() -> Any:
    """A client made the way the READMEs make theirs."""
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=os.environ.get("DYNAMODB_ENDPOINT", "http://localhost:8000"),
        region_name="us-east-1",
        aws_access_key_id="dummy",
        aws_secret_access_key="dummy",
    )


@contextmanager
def notes_table() -> Iterator[None]:
    client = readme_client()
    client.create_table(
        TableName="notes",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    try:
        yield
    finally:
        client.delete_table(TableName="notes")


def stream_event(item: dict[str, Any]) -> dict[str, Any]:
    """A Lambda DynamoDB Streams event with one INSERT of ``item`` (low-level attribute values)."""
    return {"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": item, "Keys": {}}}]}


def check_quickstart(ns: dict[str, Any]) -> None:
    note = ns["note"]
    assert (note.pk, note.sk, note.value) == ("A", "1", 123)
    raw = readme_client().get_item(TableName="notes", Key={"pk": {"S": "A"}, "sk": {"S": "1"}})["Item"]
    assert raw["value"] == {"N": "123"}


def check_query(ns: dict[str, Any]) -> None:
    assert [n.sk for n in ns["page1"].items] == ["1"]
    assert ns["page1"].next_cursor is None and ns["page2"] is None


def check_batch_transactions(ns: dict[str, Any], value: int, note: str | None) -> None:
    from theorydb_py import ItemNotFoundError

    table = ns["table"]
    with pytest.raises(ItemNotFoundError):
        table.get("A", "1")
    written = table.get("A", "2")
    assert written.value == value
    if note is not None:
        assert written.note == note


def check_streams(ns: dict[str, Any]) -> None:
    """The handler defined by the block, called with an event: it unmarshals the record with the model."""
    seen: list[Any] = []
    original = ns["unmarshal_stream_record"]

    def spy(model: Any, record: Any, *, image: str = "NewImage") -> Any:
        found = original(model, record, image=image)
        seen.append(found)
        return found

    ns["unmarshal_stream_record"] = spy
    ns["handler"](stream_event({"pk": {"S": "A"}, "sk": {"S": "9"}, "value": {"N": "7"}}), None)
    ns["handler"]({"Records": [{"eventName": "REMOVE", "dynamodb": {"OldImage": {}}}]}, None)
    ns["unmarshal_stream_record"] = original
    assert [(n.pk, n.sk, n.value) if n is not None else None for n in seen] == [("A", "9", 7), None]


def check_encryption(ns: dict[str, Any]) -> None:
    """The block built an encrypted table; without a key ARN it fails closed under TableTheory's name."""
    from theorydb_py import EncryptionNotConfiguredError, Table

    assert ns["table"] is not None
    with pytest.raises(EncryptionNotConfiguredError, match="kms_key_arn is not configured"):
        Table(ns["model"], client=ns["client"])


def run(code: str, where: str, ns: dict[str, Any]) -> None:
    """Execute one block as the README's own script would (none of this file's ``__future__`` flags)."""
    exec(compile(code, where, "exec", dont_inherit=True), ns)  # the README, verbatim


@pytest.fixture
def readme_module() -> Iterator[dict[str, Any]]:
    """The namespace of a script made of the README's blocks, registered as a module (dataclasses and
    type hints look classes' modules up)."""
    module = types.ModuleType("readme_script")
    sys.modules[module.__name__] = module
    try:
        yield module.__dict__
    finally:
        del sys.modules[module.__name__]


def run_blocks(
    ns: dict[str, Any], path: Path, checks: list[Callable[[dict[str, Any]], None]], *, rename: bool = False
) -> None:
    blocks = python_blocks(path, rename=rename)
    for (title, code), check in zip(blocks, checks, strict=False):
        run(code, f"{path.name}: {title}", ns)
        check(ns)


def test_tabletheory_readme_runs_verbatim(readme_backend: str, readme_module: dict[str, Any]) -> None:
    ns = readme_module
    run_blocks(
        ns,
        TABLETHEORY,
        [
            check_quickstart,
            check_query,
            lambda ns: check_batch_transactions(ns, value=2, note="first"),
            check_streams,
            check_encryption,
        ],
    )
    title, mocks = python_blocks(TABLETHEORY)[5]
    assert title == "Testing with mocks"
    run_mocks_block(mocks, ns)


def run_mocks_block(code: str, ns: dict[str, Any]) -> None:
    """Verbatim: the fake reports the README's wrong attribute names. Corrected: it passes, and the item
    it saw has a sealed ``secret``."""
    with pytest.raises(AssertionError, match=r"PK"):
        run(code, "README: Testing with mocks", dict(ns))
    corrected = code.replace('"PK": ANY, "SK": ANY', '"pk": ANY, "sk": ANY')
    assert corrected != code
    fixed = dict(ns)
    run(corrected, "README: Testing with mocks (PK/SK -> pk/sk)", fixed)
    call = fixed["fake_ddb"].calls[0]
    method, request = (call.method, call.params) if hasattr(call, "params") else call
    assert method == "put_item" and set(request["Item"]["secret"]["M"]) == {"v", "edk", "nonce", "ct"}


def test_dynamorm_readme_runs_verbatim_with_tabletheory_names(
    readme_backend: str, readme_module: dict[str, Any]
) -> None:
    run_blocks(
        readme_module,
        DYNAMORM,
        [
            check_quickstart,
            check_query,
            lambda ns: check_batch_transactions(ns, value=2, note=None),
            check_streams,
            check_encryption,
        ],
        rename=True,
    )
