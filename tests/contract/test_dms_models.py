"""The contract's DMS models (YAML) match the Python models, and drift is reported."""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.contract.driver import DMS_MODELS, load_dms_models
from tests.contract.models import MODELS, User
from theorydb_py import (
    ModelDefinition,
    ValidationError,
    assert_model_definition_equivalent_to_dms,
    get_dms_model,
    gsi,
    parse_dms_document,
    theorydb_field,
)


@pytest.mark.parametrize("name", ["User", "Order"])
def test_python_models_match_the_contracts_dms_models(name: str) -> None:
    assert_model_definition_equivalent_to_dms(MODELS[name], load_dms_models()[name], ignore_table_name=False)


def test_the_user_document_reads_the_same_as_yaml_and_as_json() -> None:
    text = (DMS_MODELS / "user.yml").read_text(encoding="utf-8")
    from_yaml = parse_dms_document(text)
    assert parse_dms_document(json.dumps(from_yaml)) == from_yaml
    user = get_dms_model(from_yaml, "User")
    assert user["table"] == {"name": "users_contract"}


def test_drift_is_reported_with_both_sides() -> None:
    @dataclasses.dataclass
    class User2:
        pk: str = theorydb_field(name="PK", roles=["pk"])
        sk: str = theorydb_field(name="SK", roles=["sk"])
        nickname: str = theorydb_field(default="")  # omit_empty dropped, several attributes missing

    User2.__name__ = "User"
    drifted = ModelDefinition.from_dataclass(User2, table_name="users_contract")
    with pytest.raises(ValidationError) as caught:
        assert_model_definition_equivalent_to_dms(drifted, load_dms_models()["User"], ignore_table_name=True)
    message = caught.value.message
    assert message.startswith("model definition differs from DMS model\nwant: {")
    assert '"omit_empty": true' in message.split("\n got: ")[0]


def test_table_name_is_compared_unless_ignored() -> None:
    renamed = ModelDefinition.from_dataclass(
        User, table_name="users_prod", indexes=[gsi("gsi-email", partition="email_hash")]
    )
    dms = load_dms_models()["User"]
    with pytest.raises(ValidationError):
        assert_model_definition_equivalent_to_dms(renamed, dms, ignore_table_name=False)
    assert_model_definition_equivalent_to_dms(renamed, dms, ignore_table_name=True)
