"""QueryOptimizer: TableTheory's hint strings, plan ids and parallel-scan suggestions."""

from __future__ import annotations

import dataclasses

import pytest

from theorydb_py import (
    ModelDefinition,
    QueryOptimizer,
    QueryPlan,
    QueryShape,
    ScanShape,
    gsi,
    lsi,
    theorydb_field,
)
from theorydb_py.optimizer import describe_query, describe_scan


def test_a_well_shaped_query_has_no_hints() -> None:
    shape = QueryShape(
        model_name="User",
        table_name="users",
        has_sort_key=True,
        has_sort_condition=True,
        projections=("sk", "pk"),
    )
    plan = QueryOptimizer().explain(shape)
    assert plan == QueryPlan(
        "query|User|users|idx=|it=|proj=pk,sk|filter=0|cr=0|pk=1|sk=1|skc=1|sf=1",
        "Query",
        None,
        ("pk", "sk"),
        0,
        (),
    )


def test_query_hints_in_order() -> None:
    shape = QueryShape(
        model_name="User",
        table_name="users",
        index_name="gsi-email",
        index_type="GSI",
        has_partition_key=False,
        has_sort_key=True,
        has_filter=True,
        consistent_read=True,
        scan_forward=False,
    )
    plan = QueryOptimizer().explain(shape)
    assert plan.optimization_hints == (
        "ERROR: Consistent reads are not supported on GSIs",
        "ERROR: partition key is not set (query will fail)",
        "TIP: Add a sort key condition for more efficient queries when possible",
        "INFO: Filters are applied after retrieval; prefer key conditions when possible",
        "TIP: Use projection to select only needed attributes and reduce transfer",
    )
    assert plan.index_name == "gsi-email"
    assert plan.id.endswith("|pk=0|sk=1|skc=0|sf=0") and "|it=GSI|" in plan.id


def test_consistent_reads_on_an_lsi_are_fine() -> None:
    plan = QueryOptimizer().explain(QueryShape(index_type="LSI", consistent_read=True, projections=("a",)))
    assert plan.optimization_hints == ()


def test_scan_hints_and_segments() -> None:
    plan = QueryOptimizer(max_parallelism=40).explain(ScanShape(has_filter=True, projections=("a",)))
    assert plan.optimization_hints == (
        "WARNING: Scan reads the full table/index; prefer Query when possible",
        "INFO: Filters are applied after retrieval; consider narrowing with keys or indexes",
        "TIP: Use parallel scan with 16 segments for large scans",
    )
    assert plan.parallel_segments == 16
    configured = QueryOptimizer().explain(ScanShape(parallel_scan_configured=True, total_segments=8))
    assert configured.parallel_segments == 8 and not any(
        "parallel" in h for h in configured.optimization_hints
    )
    assert configured.id.endswith("|psc=1|ts=8")
    serial = QueryOptimizer(enable_parallel=False).explain(ScanShape())
    assert serial.parallel_segments == 0 and len(serial.optimization_hints) == 2
    single = QueryOptimizer(max_parallelism=1).explain(ScanShape())
    assert single.parallel_segments == 0


def test_equal_shapes_have_equal_ids() -> None:
    optimizer = QueryOptimizer()
    assert (
        optimizer.explain(QueryShape(projections=("b", "a"))).id
        == optimizer.explain(QueryShape(projections=("a", "b"))).id
    )


def test_bad_input() -> None:
    with pytest.raises(TypeError):
        QueryOptimizer().explain("query")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        QueryOptimizer(max_parallelism=0)


@dataclasses.dataclass
class Order:
    customer: str = theorydb_field(roles=["pk"])
    placed: str = theorydb_field(roles=["sk"])
    status: str = ""
    total: int = 0


ORDERS = ModelDefinition.from_dataclass(
    Order, table_name="orders", indexes=[gsi("by-status", partition="status"), lsi("by-total", sort="total")]
)


def test_describe_query_shapes() -> None:
    shape = describe_query(ORDERS, "orders-prod", "c1", sort=object(), projection=["customer", "placed"])
    assert shape == QueryShape(
        model_name="Order",
        table_name="orders-prod",
        has_partition_key=True,
        has_sort_key=True,
        has_sort_condition=True,
        projections=("customer", "placed"),
    )
    on_gsi = describe_query(ORDERS, "orders", index_name="by-status", consistent_read=True, filter=object())
    assert (on_gsi.index_type, on_gsi.has_sort_key, on_gsi.has_partition_key, on_gsi.has_filter) == (
        "GSI",
        False,
        False,
        True,
    )
    assert QueryOptimizer().explain(on_gsi).optimization_hints[:2] == (
        "ERROR: Consistent reads are not supported on GSIs",
        "ERROR: partition key is not set (query will fail)",
    )
    assert describe_query(ORDERS, "orders", "c1", index_name="by-total").index_type == "LSI"
    unknown = describe_query(ORDERS, "orders", "c1", index_name="nope")  # described, not validated
    assert (unknown.index_name, unknown.index_type) == ("nope", None)


def test_describe_scan_shapes() -> None:
    assert describe_scan(ORDERS, "orders") == ScanShape(model_name="Order", table_name="orders")
    parallel = describe_scan(
        ORDERS, "orders", index_name="by-status", total_segments=4, projection=["status"]
    )
    assert (parallel.index_type, parallel.parallel_scan_configured, parallel.total_segments) == (
        "GSI",
        True,
        4,
    )
    assert QueryOptimizer().explain(parallel).parallel_segments == 4
