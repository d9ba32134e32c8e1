"""The compressions of import and bulk-put sources (``InputCompressionType``): NONE, GZIP and ZSTD.

GZIP comes with Python. ZSTD needs the optional ``zstandard`` package (``pip install 'tabletheory[zstd]'``)
until Python's own ``compression.zstd`` (3.14) is there; without either, a ZSTD source fails the job with
a message saying what to install, as a bad source would, and never crashes the emulator.

Every reader streams: a source is never held whole in memory.

>>> import gzip, io
>>> stream = decompressed(io.BytesIO(gzip.compress(b"line 1\\nline 2\\n")), "GZIP")
>>> stream.read()
b'line 1\\nline 2\\n'
"""

from __future__ import annotations

import gzip
import importlib
import io
from typing import Any, BinaryIO

__all__ = ["CompressionUnavailable", "decompressed", "zstd_available"]


class CompressionUnavailable(RuntimeError):
    """ZSTD was asked for but no ZSTD library is installed."""


class _ZstdRaw(io.RawIOBase):
    """A zstandard stream reader whose errors are ``OSError`` (a damaged source, as a bad gzip is)."""

    def __init__(self, reader: Any, error: type[Exception]) -> None:
        self._reader = reader
        self._error = error

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._reader.read(len(buffer))
        except self._error as exc:
            raise OSError(f"invalid ZSTD data: {exc}") from exc
        buffer[: len(data)] = data
        return len(data)


def _zstd_module() -> Any:
    for name in ("compression.zstd", "zstandard"):
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    return None


def zstd_available() -> bool:
    """Whether ZSTD sources can be read here (Python 3.14's ``compression.zstd`` or ``zstandard``)."""
    return _zstd_module() is not None


def decompressed(stream: BinaryIO, compression: str | None) -> BinaryIO:
    """``stream`` read through the decompressor ``compression`` names (``None`` or ``"NONE"``: as is)."""
    if compression in (None, "NONE"):
        return stream
    if compression == "GZIP":
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    if compression == "ZSTD":
        module = _zstd_module()
        if module is None:
            raise CompressionUnavailable(
                "ZSTD input needs the zstandard package: pip install 'tabletheory[zstd]'"
            )
        if module.__name__ == "zstandard":
            reader = module.ZstdDecompressor().stream_reader(stream, read_across_frames=True)
            return io.BufferedReader(_ZstdRaw(reader, module.ZstdError))
        return module.ZstdFile(stream, mode="rb")  # type: ignore[no-any-return]
    raise ValueError(f"unknown compression {compression!r}")
