"""Random values survive a put and a get on the backend exactly (hypothesis, modest example counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import MakeTable
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

# DynamoDB numbers: up to 38 significant digits, magnitudes from 1e-130 to below 1e126.
_reals = st.one_of(
    st.just(0.0),
    st.floats(min_value=1e-128, max_value=1e125),
    st.floats(min_value=-1e125, max_value=-1e-128),
)
_decimals = st.decimals(
    allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20
)
samples = st.builds(
    Sample,
    id=st.uuids().map(str),
    text=st.text(max_size=40),
    whole=st.integers(min_value=-(10**30), max_value=10**30),
    real=_reals,
    exact=_decimals,
    raw=st.binary(max_size=40),
    when=st.none() | st.datetimes(timezones=st.just(dt.UTC)),
    words=st.sets(st.text(max_size=8), max_size=4),
    numbers=st.sets(st.integers(min_value=-(10**12), max_value=10**12), max_size=4),
    nested=st.dictionaries(
        st.text(min_size=1, max_size=5),
        st.lists(st.integers(min_value=-1000, max_value=1000), max_size=3),
        max_size=3,
    ),
)


@pytest.fixture
def samples_table(make_table: MakeTable) -> Table[Sample]:
    table: Table[Sample] = make_table(SAMPLES)
    return table


# One table serves all the examples of a test: each example writes its own uuid key.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sample=samples)
def test_put_then_get_gives_back_the_same_values(samples_table: Table[Sample], sample: Sample) -> None:
    samples_table.put(sample)
    assert samples_table.get(sample.id, consistent_read=True) == sample
