"""The botocore-free model reader against botocore's own model: every operation and every shape, member by
member, for both services the emulator serves. A difference here would change a validation message or a
wire conversion, so the comparison is exact."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from theorydb_mocks.emulator.service_models import data_directory, load_model, read_model

SERVICES = ("dynamodb", "dynamodbstreams")


def _same_shape(ours: Any, theirs: Any, path: str, seen: set[str]) -> None:
    assert (ours is None) == (theirs is None), path
    if ours is None:
        return
    assert ours.name == theirs.name, path
    assert ours.type_name == theirs.type_name, path
    assert ours.metadata == theirs.metadata, path
    key = f"{ours.name}:{sorted(ours.metadata.items(), key=repr)}"
    if key in seen:  # recursive shapes (AttributeValue) and shared ones: compared once
        return
    seen.add(key)
    if ours.type_name == "structure":
        assert list(ours.members) == list(theirs.members), path
        for name, member in ours.members.items():
            _same_shape(member, theirs.members[name], f"{path}.{name}", seen)
    elif ours.type_name == "list":
        _same_shape(ours.member, theirs.member, f"{path}.member", seen)
    elif ours.type_name == "map":
        _same_shape(ours.key, theirs.key, f"{path}.key", seen)
        _same_shape(ours.value, theirs.value, f"{path}.value", seen)


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_and_shape_matches_botocores_model(service: str) -> None:
    ours = load_model(service)
    theirs = botocore.session.get_session().get_service_model(service)
    assert ours.operation_names == list(theirs.operation_names)
    seen: set[str] = set()
    for name in ours.operation_names:
        mine, botos = ours.operation_model(name), theirs.operation_model(name)
        assert mine.name == botos.name
        _same_shape(mine.input_shape, botos.input_shape, f"{name}.input", seen)
        _same_shape(mine.output_shape, botos.output_shape, f"{name}.output", seen)
    assert ours.shape_names == list(theirs.shape_names)
    for name in ours.shape_names:  # every shape as named, with no member traits over it
        _same_shape(ours.shape_for(name), theirs.shape_for(name), name, set())


def test_a_members_own_traits_override_its_shapes() -> None:
    """ClientRequestToken is an idempotency token only as TransactWriteItems' member, not as a shape."""
    model = load_model("dynamodb")
    token = model.operation_model("TransactWriteItems").input_shape
    assert token is not None
    assert token.members["ClientRequestToken"].metadata.get("idempotencyToken") is True
    assert "idempotencyToken" not in model.shape_for("ClientRequestToken").metadata


def test_shapes_are_resolved_once_per_name() -> None:
    model = load_model("dynamodb")
    assert model.shape_for("AttributeValue") is model.shape_for("AttributeValue")
    assert model.shape_for("AttributeValue").members["M"].value is model.shape_for("AttributeValue")


def _packed_dynamodb_model() -> bytes:
    packed = next((data_directory() / "dynamodb").glob("*/service-2.json*"))
    return gzip.decompress(packed.read_bytes()) if packed.suffix == ".gz" else packed.read_bytes()


def test_the_newest_version_is_read_plain_or_packed(tmp_path: Path) -> None:
    """Older botocore releases ship ``service-2.json`` unpacked; a version directory without one is skipped
    (DynamoDB's 2011-12-05 holds only endpoint rules), as botocore's loader skips it."""
    raw = _packed_dynamodb_model()
    (tmp_path / "dynamodb" / "2011-12-05").mkdir(parents=True)
    (tmp_path / "dynamodb" / "2011-12-05" / "endpoint-rule-set-1.json").write_text("{}")
    (tmp_path / "dynamodb" / "2012-08-10").mkdir()
    (tmp_path / "dynamodb" / "2012-08-10" / "service-2.json").write_bytes(raw)
    model = read_model("dynamodb", [tmp_path])
    assert model.operation_names == load_model("dynamodb").operation_names
    with pytest.raises(FileNotFoundError):
        read_model("dynamodbstreams", [tmp_path])


def test_models_are_found_where_botocore_finds_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A model under ``AWS_DATA_PATH`` (a newer API version, with ``sdk-extras``) wins over botocore's
    own, for botocore's loader and for this reader alike."""
    model = json.loads(_packed_dynamodb_model())
    model["shapes"]["TableName"]["max"] = 200  # a constraint the validation would report
    newer = tmp_path / "dynamodb" / "2099-01-01"
    newer.mkdir(parents=True)
    (newer / "service-2.json").write_text(json.dumps(model))
    extras = {"version": 1.0, "merge": {"shapes": {"TableName": {"min": 4}}}}
    (newer / "service-2.sdk-extras.json").write_text(json.dumps(extras))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    ours = read_model("dynamodb")
    theirs = botocore.session.Session().get_service_model("dynamodb")
    assert ours.shape_for("TableName").metadata == theirs.shape_for("TableName").metadata
    assert ours.shape_for("TableName").metadata == {"min": 4, "max": 200, "pattern": "[a-zA-Z0-9_.-]+"}
    _same_shape(
        ours.operation_model("CreateTable").input_shape,
        theirs.operation_model("CreateTable").input_shape,
        "CreateTable",
        set(),
    )


def test_the_servers_import_leaves_botocore_unloaded() -> None:
    """Start-up: the server, its validation and its wire codec need no botocore module at import."""
    code = (
        "import sys, theorydb_mocks.emulator.server as s;"
        "from theorydb_mocks.emulator.validation import validate_request;"
        "validate_request('GetItem', {'TableName': 'abc', 'Key': {'pk': {'S': 'x'}}});"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'botocore'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
