"""Random values survive a put and a get on the backend exactly (hypothesis, modest example counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from tests.integration.conftest import MakeTable
from theorydb_mocks.strategies import model_instances
from theorydb_py import ModelDefinition, Table, theorydb_field


@dataclass
class Sample:
    id: str = theorydb_field(roles="pk")
    text: str = ""
    whole: int = 0
    real: float = 0.0
    exact: Decimal = Decimal("0")
    raw: bytes = b""
    when: dt.datetime | None = None
    words: set[str] = field(default_factory=set)
    numbers: set[int] = field(default_factory=set)
    nested: dict[str, list[int]] = field(default_factory=dict)


SAMPLES = ModelDefinition.from_dataclass(Sample, table_name="samples")

# Numbers to 38 digits and DynamoDB's whole range, UTC datetimes, sets, non-empty map keys: the same
# strategy users get (theorydb_mocks.strategies.model_instances).
samples = model_instances(SAMPLES)


@pytest.fixture
def samples_table(make_table: MakeTable) -> Table[Sample]:
    table: Table[Sample] = make_table(SAMPLES)
    return table


# One table serves all the examples of a test: an example overwrites any earlier item with its key.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=samples)
def test_put_then_get_gives_back_the_same_values(samples_table: Table[Sample], sample: Sample) -> None:
    samples_table.put(sample)
    assert samples_table.get(sample.id, consistent_read=True) == sample
