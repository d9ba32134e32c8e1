"""Every public name of TableTheory for Python 1.2.1 is importable from its module, with its parameters.

The names are data (``tests/upstream/names.toml``, from UPSTREAM-API.md sections 1-8). For each row the name
must import; a callable must take the documented positional parameters in the documented order and the
documented keyword parameters by name; a class must have the documented attributes and bases; a constant
its value.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import tomllib
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parents[1] / "upstream" / "names.toml"
ROWS: list[dict[str, Any]] = tomllib.loads(DATA.read_text(encoding="utf-8"))["names"]
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_MISSING = object()


def resolve(module_name: str, dotted: str) -> Any:
    """``module.A.b``: the object, or ``_MISSING`` when the module or a part of the name is absent."""
    try:
        found: Any = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return _MISSING
    for part in dotted.split("."):
        found = getattr(found, part, _MISSING)
        if found is _MISSING:
            return _MISSING
    return found


def parameters(obj: Any) -> list[inspect.Parameter]:
    signature = inspect.signature(obj)
    params = list(signature.parameters.values())
    if params and params[0].name in ("self", "cls") and not inspect.isclass(obj):
        params = params[1:]
    return params


def row_id(row: dict[str, Any]) -> str:
    return f"{row['module']}.{row['name']}"


def test_the_data_covers_the_contract() -> None:
    """No duplicate rows, every row known to its owner, and the top-level names all there."""
    ids = [row_id(r) for r in ROWS]
    assert len(ids) == len(set(ids))
    assert {r.get("owner", "core") for r in ROWS} <= {"core", "extras"}
    assert {r.get("pending") for r in ROWS} <= {None, "extras"}
    top = {r["name"] for r in ROWS if r["module"] == "theorydb_py" and "." not in r["name"]}
    assert len(top) >= 83  # TableTheory's 83 top-level names


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_name_is_importable_with_its_parameters(row: dict[str, Any]) -> None:
    obj = resolve(row["module"], row["name"])
    if obj is _MISSING and row.get("pending"):
        pytest.skip(f"{row_id(row)} lands with the {row['pending']} modules")
    assert obj is not _MISSING, f"{row_id(row)} is missing"
    if row["module"] == "theorydb_py" and "." not in row["name"]:
        import theorydb_py

        assert row["name"] in theorydb_py.__all__, f"{row['name']} is not in theorydb_py.__all__"
    if "value" in row:
        assert obj == row["value"]
    for attribute in row.get("attributes", []):
        assert hasattr(obj, attribute), f"{row_id(row)} has no attribute {attribute}"
    if "example" in row:
        kwargs = {k: v.encode() if row["name"] == "FakeKmsClient" else v for k, v in row["example"].items()}
        if "reason_codes" in kwargs:
            kwargs["reason_codes"] = tuple(kwargs["reason_codes"])
        instance = obj(**kwargs)
        for attribute in row.get("instance_attributes", []):
            assert hasattr(instance, attribute), f"{row_id(row)}() has no attribute {attribute}"
        if "message" in row:
            assert str(instance) == row["message"]
    for base in row.get("bases", []):
        expected = getattr(builtins, base, None) or resolve("theorydb_py", base)
        assert inspect.isclass(obj) and issubclass(obj, expected), f"{row_id(row)} is not a {base}"
    positional, keyword = row.get("positional", []), row.get("keyword", [])
    if not positional and not keyword:
        return
    params = parameters(obj)
    by_name = {p.name: p for p in params}
    leading = [p.name for p in params if p.kind in _POSITIONAL][: len(positional)]
    assert leading == positional, f"{row_id(row)}: positional parameters {leading} != {positional}"
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
    for name in keyword:
        param = by_name.get(name)
        if param is None:
            assert takes_any, f"{row_id(row)} has no parameter {name}"
        else:
            assert param.kind is not inspect.Parameter.POSITIONAL_ONLY, (
                f"{row_id(row)}: {name} is positional-only"
            )


def test_no_row_is_pending() -> None:
    """Every module has landed: the whole table is checked, nothing is skipped."""
    assert [row_id(r) for r in ROWS if r.get("pending")] == []
