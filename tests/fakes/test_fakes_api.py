"""The public names of the fakes, the ``theorydb_py.mocks`` re-export, and the docstring examples."""

from __future__ import annotations

import doctest
import importlib
import pathlib
import re
import subprocess
import sys

import pytest

import theorydb_mocks.fakes as fakes

IMPORTS_KIT = re.compile(r"^\s*(from|import)\s+theorydb_mocks\b", re.MULTILINE)
MODULES = [
    "theorydb_mocks.fakes",
    "theorydb_mocks._kms",
    "theorydb_mocks._matchers",
    "theorydb_mocks._service",
    "theorydb_mocks._errors",
]


def test_the_documented_import_works() -> None:
    from theorydb_py.mocks import ANY, FakeDynamoDBClient, FakeKmsClient

    assert ANY is fakes.ANY
    assert FakeDynamoDBClient is fakes.FakeDynamoDBClient
    assert FakeKmsClient is fakes.FakeKmsClient


def test_the_kit_exports_the_same_objects() -> None:
    import theorydb_mocks

    assert theorydb_mocks.ANY is fakes.ANY
    assert theorydb_mocks.FakeDynamoDBClient is fakes.FakeDynamoDBClient
    assert theorydb_mocks.FakeKmsClient is fakes.FakeKmsClient


def test_public_lists_are_sorted_and_complete() -> None:
    mocks = importlib.import_module("theorydb_py.mocks")
    for module in (fakes, mocks):
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            assert getattr(module, name) is getattr(fakes, name)
    assert {"ANY", "FakeDynamoDBClient", "FakeKmsClient"} <= set(mocks.__all__)


def test_public_classes_live_in_the_public_module() -> None:
    for name in fakes.__all__:
        value = getattr(fakes, name)
        owner = value if isinstance(value, type) else type(value)
        assert owner.__module__ == "theorydb_mocks.fakes", name


def test_theorydb_py_imports_the_kit_only_in_mocks() -> None:
    root = pathlib.Path(fakes.__file__).resolve().parent.parent / "theorydb_py"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "mocks.py" and IMPORTS_KIT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_importing_the_orm_does_not_load_the_kit() -> None:
    code = "import sys, theorydb_py; print('theorydb_mocks' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name in ("theorydb_mocks.fakes", "theorydb_mocks._kms", "theorydb_mocks._matchers"):
        assert result.attempted > 0
