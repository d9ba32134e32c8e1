"""Property: any item, as a Lambda event (base64 binary) or a boto3 record (bytes), unmarshals to itself."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import given, settings

from tests.integration.test_round_trip_properties import SAMPLES, Sample, samples
from theorydb_py import Table, unmarshal_stream_change

TABLE = Table(SAMPLES, client=object())


def as_lambda(av: dict[str, Any]) -> dict[str, Any]:
    ((tag, value),) = av.items()
    if tag == "B":
        return {"B": base64.b64encode(value).decode()}
    if tag == "BS":
        return {"BS": [base64.b64encode(v).decode() for v in value]}
    if tag == "L":
        return {"L": [as_lambda(v) for v in value]}
    if tag == "M":
        return {"M": {k: as_lambda(v) for k, v in value.items()}}
    return av


@settings(max_examples=60, deadline=None)
@given(samples, samples)
def test_images_round_trip_in_both_record_shapes(old: Sample, new: Sample) -> None:
    old_item, new_item = TABLE.to_item(old), TABLE.to_item(new)
    boto3_record = {"eventName": "MODIFY", "dynamodb": {"OldImage": old_item, "NewImage": new_item}}
    lambda_record = {
        "eventName": "MODIFY",
        "dynamodb": {
            "OldImage": {k: as_lambda(v) for k, v in old_item.items()},
            "NewImage": {k: as_lambda(v) for k, v in new_item.items()},
        },
    }
    for record in (boto3_record, lambda_record):
        change = unmarshal_stream_change(SAMPLES, record)
        assert (change.old, change.new) == (TABLE.from_item(old_item), TABLE.from_item(new_item))
