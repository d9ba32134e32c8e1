"""The testing kit's public names are a tested list (DESIGN.md: other tools rely on them)."""

from __future__ import annotations

import importlib

import pytest

import theorydb_mocks
import theorydb_mocks.emulator

PUBLIC = {
    "theorydb_mocks": ["ANY", "DynamoDBEmulator", "FakeDynamoDBClient", "FakeKmsClient", "mock_dynamodb"],
    "theorydb_mocks.emulator": ["Clock", "DynamoDBEmulator", "DynamoDBError", "Snapshot"],
    "theorydb_mocks.emulator.vectors": [
        "F32_MAX",
        "Query",
        "VectorIndex",
        "backend",
        "better_first",
        "score",
        "set_backend",
        "to_float32",
        "vector_values",
    ],
}


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_all_is_the_sorted_documented_list(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == PUBLIC[module_name]
    for name in module.__all__:
        value = getattr(module, name)
        assert value is not None
        if isinstance(value, type) or callable(value):
            assert getattr(value, "__doc__", None), f"{module_name}.{name} has no docstring"


def test_design_md_import_line_works() -> None:
    from theorydb_mocks import ANY, DynamoDBEmulator, FakeDynamoDBClient, FakeKmsClient, mock_dynamodb

    emu = DynamoDBEmulator()
    assert emu.client().list_tables()["TableNames"] == []
    assert repr(ANY) == "<ANY>"
    with mock_dynamodb() as routed:
        assert isinstance(routed, DynamoDBEmulator)
    assert FakeDynamoDBClient().meta.service_model.service_name == "dynamodb"
    assert (
        FakeKmsClient(plaintext_key=b"k" * 32, ciphertext_blob=b"blob").generate_data_key(
            KeyId="key", KeySpec="AES_256"
        )["Plaintext"]
        == b"k" * 32
    )


def test_emulator_takes_a_clock_it_exports() -> None:
    clock = theorydb_mocks.emulator.Clock()
    clock.set(1_700_000_000.0)
    emu = theorydb_mocks.DynamoDBEmulator(clock=clock)
    assert emu.clock is clock and emu.clock.now() == 1_700_000_000.0
    assert isinstance(emu.snapshot(), theorydb_mocks.emulator.Snapshot)
