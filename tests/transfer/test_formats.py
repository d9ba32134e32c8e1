"""The local S3 stand-in, the Ion text codec and the compressions."""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theorydb_mocks.emulator.transfer import ion
from theorydb_mocks.emulator.transfer.compression import decompressed, zstd_available
from theorydb_mocks.emulator.transfer.s3 import LocalS3, S3KeyError, parse_s3_url
from theorydb_mocks.emulator.values import canonical_number


@pytest.mark.parametrize("on_disk", [False, True])
def test_s3_store_round_trips_objects(tmp_path: Path, on_disk: bool) -> None:
    s3 = LocalS3(tmp_path if on_disk else None)
    s3.put("bk", "a/2.json", b"two")
    s3.put("bk", "a/1.json", b"one")
    s3.put("bk", "b.json", b"bee")
    assert s3.list("bk", "a/") == ["a/1.json", "a/2.json"]
    assert s3.read("bk", "a/1.json") == b"one" and s3.size("bk", "b.json") == 3
    assert s3.buckets() == ["bk"] and s3.exists("bk", "b.json") and not s3.exists("bk", "c")
    with pytest.raises(S3KeyError):
        s3.read("bk", "missing")
    with pytest.raises(ZeroDivisionError), s3.writer("bk", "half") as out:
        out.write(b"partial")
        raise ZeroDivisionError
    assert not s3.exists("bk", "half")
    s3.delete("bk", "b.json")
    assert s3.list("bk") == ["a/1.json", "a/2.json"]
    if on_disk:
        assert (tmp_path / "bk" / "a" / "1.json").read_bytes() == b"one"


@pytest.mark.parametrize("key", ["../escape", "a/../../b", "/abs", "", "a\x00b"])
def test_s3_store_refuses_keys_that_leave_the_bucket(tmp_path: Path, key: str) -> None:
    with pytest.raises(S3KeyError):
        LocalS3(tmp_path).put("bk", key, b"x")


def test_parse_s3_url() -> None:
    assert parse_s3_url("s3://b/k/l") == ("b", "k/l")
    with pytest.raises(S3KeyError):
        parse_s3_url("http://b/k")


_names = st.text(min_size=1, max_size=8)
_numbers = st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9)
_scalars = st.one_of(
    st.text(max_size=10).map(lambda s: {"S": s}),
    _numbers.map(lambda d: {"N": canonical_number(d)}),
    st.binary(max_size=10).map(lambda b: {"B": b}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(st.text(max_size=5), min_size=1, max_size=3, unique=True).map(lambda v: {"SS": v}),
    st.lists(st.integers(-1000, 1000).map(str), min_size=1, max_size=3, unique=True).map(lambda v: {"NS": v}),
    st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=3, unique=True).map(lambda v: {"BS": v}),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        st.dictionaries(_names, inner, max_size=3).map(lambda v: {"M": v}),
    ),
    max_leaves=8,
)


@given(st.dictionaries(_names, _values, min_size=1, max_size=5))
def test_ion_item_lines_read_back_exactly(item: dict[str, Any]) -> None:
    line = ion.item_line(item)
    assert "\n" not in line
    assert ion.read_values(line) == [{"Item": {"M": item}}]


def test_ion_reader_takes_the_documented_export_example() -> None:
    text = """$ion_1_0 {
        Item:{
            Authors:$dynamodb_SS::["Author1","Author2"],
            Dimensions:"8.5 x 11.0 x 1.5",
            Id:103., // a comment
            InPublication:false,
            PageCount:6d2,
            Price:2d3, /* block */ Cover: {{aGVsbG8=}}, Note: '''long ''' '''string''', Gone: null.string,
            Ratio: 1.5e-1, Hex: 0x1F, Big: 1_000, 'odd name': 'a symbol'
        }
    }"""
    ((record,),) = [ion.read_values(text)]
    assert record["Item"]["M"] == {
        "Authors": {"SS": ["Author1", "Author2"]},
        "Dimensions": {"S": "8.5 x 11.0 x 1.5"},
        "Id": {"N": "103"},
        "InPublication": {"BOOL": False},
        "PageCount": {"N": "600"},
        "Price": {"N": "2000"},
        "Cover": {"B": b"hello"},
        "Note": {"S": "long string"},
        "Gone": {"NULL": True},
        "Ratio": {"N": "0.15"},
        "Hex": {"N": "31"},
        "Big": {"N": "1000"},
        "odd name": {"S": "a symbol"},
    }


@pytest.mark.parametrize(
    "text",
    [
        "{a: 2020-01-01T}",
        "{a: (x y)}",
        "{a: nan}",
        "{a: +inf}",
        '{a: "unterminated}',
        "{a: $dynamodb_SS::[1.]}",
        "{a: {{ not base64! }}}",
        "{a 1}",
        "{a: 1e200}",
    ],
)
def test_ion_reader_refuses_what_dynamodb_cannot_hold(text: str) -> None:
    with pytest.raises(ion.IonError):
        ion.read_values(text)


def test_gzip_and_none_decompress() -> None:
    assert decompressed(io.BytesIO(b"plain"), "NONE").read() == b"plain"
    assert decompressed(io.BytesIO(gzip.compress(b"zipped")), "GZIP").read() == b"zipped"


@pytest.mark.skipif(not zstd_available(), reason="no zstd library installed")
def test_zstd_decompresses() -> None:
    import zstandard

    data = zstandard.ZstdCompressor().compress(b"squeezed")
    assert decompressed(io.BytesIO(data), "ZSTD").read() == b"squeezed"
