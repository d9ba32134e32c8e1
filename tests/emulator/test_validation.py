"""Server-side request validation: the service's messages, paths and order, before any table is looked up."""

from __future__ import annotations

import doctest
import importlib
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.emulator.conftest import table_request
from theorydb_mocks.emulator import DynamoDBEmulator, DynamoDBError
from theorydb_mocks.emulator.messages import (
    BATCH_GET_KEY_NULL,
    BATCH_GET_KEYS_EMPTY,
    BATCH_WRITE_ENTRY_NULL,
    BATCH_WRITE_LIST_EMPTY,
    TOO_MANY_GETS,
    TOO_MANY_WRITES,
)
from theorydb_mocks.emulator.validation import (
    service_model,
    validate_request,
    validator_for,
)


def error_of(operation: str, request: Any) -> tuple[str, str]:
    with pytest.raises(DynamoDBError) as caught:
        validate_request(operation, request)
    return caught.value.code, caught.value.message


def one(message: str) -> tuple[str, str]:
    return "ValidationException", f"1 validation error detected: {message}"


def test_valid_requests_pass() -> None:
    validate_request("DescribeTable", {"TableName": "ok.name_-1"})
    validate_request("CreateTable", table_request("things"))
    validate_request("ListTables", {})
    validate_request(
        "PutItem",
        {
            "TableName": "things",
            "Item": {"pk": {"S": "a"}, "m": {"M": {"l": {"L": [{"N": "1"}, {"B": b"x"}]}}}},
        },
    )


def test_missing_required_member() -> None:
    assert error_of("DescribeTable", {}) == one(
        "Value null at 'tableName' failed to satisfy constraint: Member must not be null"
    )


def test_table_name_pattern_then_length() -> None:
    assert error_of("DescribeTable", {"TableName": "a!"}) == (
        "ValidationException",
        "2 validation errors detected: Value 'a!' at 'tableName' failed to satisfy constraint: Member must "
        "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a!' at 'tableName' failed to satisfy "
        "constraint: Member must have length greater than or equal to 3",
    )
    long_name = "x" * 256
    assert error_of("DescribeTable", {"TableName": long_name}) == one(
        f"Value '{long_name}' at 'tableName' failed to satisfy constraint: "
        "Member must have length less than or equal to 255"
    )


def test_table_arns_are_checked_as_arns() -> None:
    validate_request("DescribeTable", {"TableName": "arn:aws:dynamodb:us-east-1:123456789012:table/things"})
    too_long = "arn:" + "x" * 1021
    code, message = error_of("DescribeTable", {"TableName": too_long})
    assert code == "ValidationException"
    assert message.endswith("Member must have length less than or equal to 1024")


def test_enum_and_nested_paths() -> None:
    request = table_request(
        "things",
        BillingMode="FREE",
        KeySchema=[{"AttributeName": "pk", "KeyType": "PRIMARY"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
    )
    assert error_of("CreateTable", request) == (
        "ValidationException",
        "3 validation errors detected: "
        "Value 'BOOL' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [B, N, S]; "
        "Value 'PRIMARY' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [HASH, RANGE]; "
        "Value 'FREE' at 'billingMode' failed to satisfy constraint: "
        "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]",
    )


def test_three_key_elements_are_the_models_report_before_any_other_complaint() -> None:
    """The service's model allows 2 key elements (botocore's copy lost the bound); the report echoes the
    list in Java form and wins over the three HASH elements' own fault (SERVICE-FACTS E2)."""
    key = [{"AttributeName": name, "KeyType": "HASH"} for name in ("a", "b", "c")]
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch("CreateTable", table_request("things", KeySchema=key))
    assert (caught.value.code, caught.value.message) == (
        "ValidationException",
        "1 validation error detected: Value '[KeySchemaElement(attributeName=a, keyType=HASH), "
        "KeySchemaElement(attributeName=b, keyType=HASH), KeySchemaElement(attributeName=c, keyType=HASH)]' "
        "at 'keySchema' failed to satisfy constraint: Member must have length less than or equal to 2",
    )


def test_number_ranges() -> None:
    request = table_request("things", ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1})
    assert error_of("CreateTable", request) == one(
        "Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )
    assert error_of("ListTables", {"Limit": 101}) == one(
        "Value '101' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 100"
    )


def test_required_member_inside_a_list() -> None:
    request = table_request("things", KeySchema=[{"KeyType": "HASH"}])
    assert error_of("CreateTable", request) == one(
        "Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_map_keys_and_values_have_paths() -> None:
    request = {"TableName": "things", "Key": {"pk": {"S": "a"}}, "ExpressionAttributeNames": {"#n": ""}}
    validate_request("GetItem", request)  # names may be empty for the model; the handler judges them
    long_key = "k" * 65536
    code, message = error_of("PutItem", {"TableName": "things", "Item": {long_key: {"S": "x"}}})
    assert code == "ValidationException"
    assert message.endswith(
        "at 'item' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length less than or equal to 65535]"
    )


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"TableName": 5}, "NUMBER_VALUE can not be converted to String"),
        ({"TableName": True}, "TRUE_VALUE can not be converted to String"),
        ({"TableName": ["x"]}, "Start of list found where not expected"),
        ({"TableName": {"x": 1}}, "Start of structure or map found where not expected."),
    ],
)
def test_wrong_types_are_serialization_errors(request_: dict[str, Any], message: str) -> None:
    assert error_of("DescribeTable", request_) == ("SerializationException", message)


def test_wrongly_typed_attribute_values_are_refused() -> None:
    code, _ = error_of("PutItem", {"TableName": "things", "Item": {"n": {"N": 5}}})
    assert code == "SerializationException"
    code, _ = error_of("PutItem", {"TableName": "things", "Item": {"b": {"BOOL": "true"}}})
    assert code == "SerializationException"
    code, _ = error_of("PutItem", {"TableName": "things", "Item": {"b": {"B": "not bytes"}}})
    assert code == "SerializationException"
    code, _ = error_of("PutItem", {"TableName": "things", "Item": {1: {"S": "x"}}})
    assert code == "SerializationException"


def test_request_must_be_an_object() -> None:
    assert error_of("ListTables", "nope")[0] == "SerializationException"
    assert error_of("DescribeEndpoints", ["x"])[0] == "SerializationException"


def test_unknown_members_are_ignored() -> None:
    validate_request("DescribeTable", {"TableName": "things", "Surprise": object()})


def test_every_operation_compiles_and_answers_an_empty_request() -> None:
    for name in service_model().operation_names:
        try:
            validator_for(name)({})
        except DynamoDBError as err:
            assert err.code == "ValidationException"
            assert "Member must not be null" in err.message or name in _OWN_SENTENCES, name


# Operations that name a missing required member in their own sentence (SERVICE-FACTS A).
_OWN_SENTENCES = {"CreateTable", "BatchGetItem", "BatchWriteItem"}


def test_dispatch_validates_before_looking_the_table_up() -> None:
    emu = DynamoDBEmulator()
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch("DescribeTable", {"TableName": "x"})
    assert caught.value.code == "ValidationException"
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch("DescribeTable", {"TableName": "xyz"})
    assert caught.value.code == "ResourceNotFoundException"


def test_dispatch_rejects_unknown_and_unimplemented_operations() -> None:
    emu = DynamoDBEmulator()
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch(["not", "a", "name"], {})  # type: ignore[arg-type]
    assert caught.value.code == "UnknownOperationException"
    with pytest.raises(DynamoDBError) as caught:
        emu.dispatch("MakeCoffee", {})
    assert caught.value.code == "UnknownOperationException"
    assert "MakeCoffee" in caught.value.message
    from theorydb_mocks.emulator.operations._registry import OPERATIONS
    from theorydb_mocks.emulator.wire import operation_names

    missing = sorted(set(operation_names("dynamodb")) - set(OPERATIONS))
    if missing:  # an operation the service models and the emulator does not implement (yet)
        with pytest.raises(DynamoDBError) as caught:
            emu.dispatch(missing[0], {}, prevalidated=True)
        assert caught.value.code == "UnknownOperationException"
        assert missing[0] in caught.value.message


@pytest.mark.parametrize(
    "module_name",
    ["clock", "core", "catalog", "validation", "client", "_order", "errors", "messages"],
)
def test_docstring_examples_run(module_name: str) -> None:
    module = importlib.import_module(f"theorydb_mocks.emulator.{module_name}")
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_handler_bugs_become_internal_server_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from theorydb_mocks.emulator.operations import _registry

    def broken(emu: Any, request: Any) -> Any:
        raise KeyError("oops")

    monkeypatch.setattr(_registry.OPERATIONS["ListTables"], "handler", broken)
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch("ListTables", {})
    assert caught.value.code == "InternalServerError"
    assert caught.value.status == 500
    assert isinstance(caught.value.__cause__, KeyError)


# --- null members and the batch operations' per-table lists (DynamoDB Local 3.3.0's words) ----------

PUT = {"PutRequest": {"Item": {"pk": {"S": "a"}}}}


@pytest.mark.parametrize(
    ("operation", "items", "message"),
    [
        ("BatchWriteItem", {"things": None}, BATCH_WRITE_LIST_EMPTY.format(table="things")),
        ("BatchWriteItem", {"things": []}, BATCH_WRITE_LIST_EMPTY.format(table="things")),
        ("BatchWriteItem", {"things": [PUT, None]}, BATCH_WRITE_ENTRY_NULL),
        ("BatchWriteItem", {"things": [PUT] * 13, "other": [PUT] * 13}, TOO_MANY_WRITES),
        ("BatchGetItem", {"things": None}, BATCH_GET_KEYS_EMPTY.format(table="things")),
        ("BatchGetItem", {"things": {}}, BATCH_GET_KEYS_EMPTY.format(table="things")),
        ("BatchGetItem", {"things": {"Keys": None}}, BATCH_GET_KEYS_EMPTY.format(table="things")),
        ("BatchGetItem", {"things": {"Keys": []}}, BATCH_GET_KEYS_EMPTY.format(table="things")),
        ("BatchGetItem", {"things": {"Keys": [None]}}, BATCH_GET_KEY_NULL.format(table="things")),
        ("BatchGetItem", {"things": {"Keys": [{}]}}, BATCH_GET_KEY_NULL.format(table="things")),
        (
            "BatchGetItem",
            {"things": {"Keys": [{"pk": {"S": str(n)}} for n in range(101)]}},
            "1 validation error detected: Value at 'RequestItems.things.member.Keys' failed to satisfy "
            "constraint: Member must have length less than or equal to 100",
        ),
        (
            "BatchGetItem",
            {t: {"Keys": [{"pk": {"S": str(n)}} for n in range(60)]} for t in ("things", "other")},
            TOO_MANY_GETS,
        ),
    ],
)
def test_batch_lists_are_checked_before_the_model_and_the_table(
    operation: str, items: dict[str, Any], message: str
) -> None:
    # No table exists: these answers come before the lookup, as DynamoDB Local gives them.
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch(operation, {"RequestItems": items})
    assert (caught.value.code, caught.value.message) == ("ValidationException", message)


def test_more_than_25_writes_for_a_table_echo_the_whole_map() -> None:
    """SERVICE-FACTS D2: the model's limit on each table's list, with the map in Java's rendering."""
    writes = [{"PutRequest": {"Item": {"pk": {"S": f"bw-{n}"}}}} for n in range(26)]
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch("BatchWriteItem", {"RequestItems": {"things": writes}})
    shown = ", ".join(
        f"WriteRequest(putRequest=PutRequest(item={{pk=AttributeValue(s=bw-{n}, n=null, b=null, iNT=null, "
        "dECIMAL=null, dOUBLE=null, sS=null, nS=null, bS=null, iNTSET=null, dECIMALSET=null, dOUBLESET=null, "
        "m=null, l=null, nULL=null, bOOL=null)}, workloadProfileName=null), deleteRequest=null)"
        for n in range(26)
    )
    assert caught.value.message == (
        f"1 validation error detected: Value '{{things=[{shown}]}}' at 'requestItems' failed to satisfy "
        "constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, "
        "Member must have length greater than or equal to 1]"
    )


def test_the_java_rendering_of_every_attribute_type() -> None:
    """Each type fills its own field of the service's AttributeValue (the other fields print null)."""
    item = {
        "n": {"N": "5"},
        "b": {"B": b"ab"},
        "ss": {"SS": ["x", "y"]},
        "m": {"M": {"k": {"BOOL": True}}},
        "l": {"L": [{"NULL": True}]},
    }
    writes = [{"DeleteRequest": {"Key": item}}] * 26
    with pytest.raises(DynamoDBError) as caught:
        DynamoDBEmulator().dispatch("BatchWriteItem", {"RequestItems": {"t1": writes}})
    message = caught.value.message
    assert (
        "WriteRequest(putRequest=null, deleteRequest=DeleteRequest(key={n=AttributeValue(s=null, n=5,"
        in message
    )
    assert "b=java.nio.HeapByteBuffer[pos=0 lim=2 cap=2]" in message
    assert "sS=[x, y]" in message
    assert "m={k=AttributeValue(s=null" in message and "bOOL=true)}" in message
    assert "l=[AttributeValue(s=null" in message and "nULL=true" in message


def test_the_client_fast_paths_run_the_checks_made_before_the_model() -> None:
    """An empty key passes the model's shapes: the direct client and a routed client must not skip the
    batch-list checks when their fast predicate vouches for the rest."""
    emu = DynamoDBEmulator()
    for client in (emu.client(), emu.boto3_client()):
        with pytest.raises(ClientError) as caught:
            client.batch_get_item(RequestItems={"things": {"Keys": [{}]}})
        assert caught.value.response["Error"]["Message"] == BATCH_GET_KEY_NULL.format(table="things")


def test_a_batch_list_of_the_wrong_type_is_still_a_serialization_error() -> None:
    assert error_of("BatchWriteItem", {"RequestItems": {"things": "x"}})[0] == "SerializationException"
    assert error_of("BatchGetItem", {"RequestItems": {"things": [1]}})[0] == "SerializationException"


def test_a_null_top_level_member_is_absent() -> None:
    emu = DynamoDBEmulator()
    emu.dispatch("CreateTable", table_request("things", ranged=False))
    request: dict[str, Any] = {"TableName": "things", "Item": {"pk": {"S": "a"}}, "ReturnValues": None}
    assert emu.dispatch("PutItem", request) == {}
    assert "ReturnValues" not in request
    assert error_of("GetItem", {"TableName": "things", "Key": None}) == one(
        "Value null at 'key' failed to satisfy constraint: Member must not be null"
    )
