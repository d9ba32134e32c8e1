"""The local S3 stand-in: the objects that export, import and bulk operations read and write.

No S3 API is emulated; only the files DynamoDB itself reads and writes. An object ``s3://bucket/key`` is
``<root>/bucket/key`` on disk when the emulator has an ``s3_root`` (``DynamoDBEmulator(s3_root=PATH)``,
``theorydb-emulator serve --s3-dir PATH``), or an entry in memory otherwise, so tests leave no files.
Either way ``emu.s3`` reads back what was written (``read``, ``open``, ``list``) and lets a test put source
files in place (``put``) before an ``ImportTable``.

Keys are S3 keys: ``/``-separated, listed in byte order. A key that would leave the bucket's folder
(``..``, an absolute part, a NUL) is refused with ``S3KeyError``; on disk, a key ending in ``/`` (a folder
marker) holds no data and is not listed.

>>> s3 = LocalS3()
>>> s3.put("bucket", "in/a.json", b"hello")
'5d41402abc4b2a76b9719d911017c592'
>>> s3.list("bucket", "in/"), s3.read("bucket", "in/a.json")
(['in/a.json'], b'hello')
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["LocalS3", "S3KeyError", "parse_s3_url"]


class S3KeyError(ValueError):
    """A bucket or key the stand-in cannot hold (it would leave the root), or an object that is not there."""


def parse_s3_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")``.

    >>> parse_s3_url("s3://exports/2026/AWSDynamoDB")
    ('exports', '2026/AWSDynamoDB')
    >>> parse_s3_url("s3://exports")
    ('exports', '')
    """
    if not url.startswith("s3://"):
        raise S3KeyError(f"not an s3:// URL: {url!r}")
    bucket, _, key = url[len("s3://") :].partition("/")
    _check_bucket(bucket)
    return bucket, key


def _check_bucket(bucket: str) -> None:
    if not bucket or "/" in bucket or bucket in (".", "..") or "\x00" in bucket:
        raise S3KeyError(f"invalid bucket name: {bucket!r}")


def _check_key(key: str) -> None:
    parts = key.split("/")
    if not key or "\x00" in key or any(part in (".", "..") for part in parts) or key.startswith("/"):
        raise S3KeyError(f"invalid object key: {key!r}")


class LocalS3:
    """Objects by bucket and key, in a folder (``root``) or in memory (``root=None``). Thread-safe."""

    def __init__(self, root: str | os.PathLike[str] | None = None) -> None:
        self.root: Path | None = None if root is None else Path(root)
        self._objects: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)

    def __repr__(self) -> str:
        where = "memory" if self.root is None else str(self.root)
        return f"<LocalS3 {where}>"

    def path_of(self, bucket: str, key: str) -> Path:
        """Where ``s3://bucket/key`` lives on disk (only with a root)."""
        _check_bucket(bucket)
        _check_key(key)
        if self.root is None:
            raise S3KeyError("this S3 stand-in keeps its objects in memory (no s3_root)")
        return self.root / bucket / key

    # --- writing ----------------------------------------------------------------------------------------

    def put(self, bucket: str, key: str, data: bytes) -> str:
        """Store ``data`` as ``s3://bucket/key`` (replacing it); returns its ETag (the MD5 hex digest)."""
        with self.writer(bucket, key) as out:
            out.write(data)
        return hashlib.md5(data).hexdigest()

    @contextmanager
    def writer(self, bucket: str, key: str) -> Iterator[BinaryIO]:
        """A binary file to write ``s3://bucket/key`` through; the object appears whole when the block ends
        (never half-written), and not at all if the block raises."""
        _check_bucket(bucket)
        _check_key(key)
        if self.root is None:
            buffer = io.BytesIO()
            yield buffer
            with self._lock:
                self._objects[bucket, key] = buffer.getvalue()
            return
        target = self.path_of(bucket, key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                yield out
            os.replace(temporary, target)
        except BaseException:
            with _ignored():
                os.unlink(temporary)
            raise

    def delete(self, bucket: str, key: str) -> None:
        """Remove one object (nothing happens if it is not there)."""
        if self.root is None:
            with self._lock:
                self._objects.pop((bucket, key), None)
            return
        with _ignored():
            self.path_of(bucket, key).unlink()

    def clear(self) -> None:
        """Remove every object (and, with a root, every bucket folder under it)."""
        with self._lock:
            self._objects.clear()
        if self.root is not None:
            for child in self.root.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()

    # --- reading ----------------------------------------------------------------------------------------

    def exists(self, bucket: str, key: str) -> bool:
        if self.root is None:
            return (bucket, key) in self._objects
        try:
            return self.path_of(bucket, key).is_file()
        except S3KeyError:
            return False

    def read(self, bucket: str, key: str) -> bytes:
        """The whole object; ``S3KeyError`` if there is none."""
        with self.open(bucket, key) as stream:
            return stream.read()

    def open(self, bucket: str, key: str) -> BinaryIO:
        """The object as a binary stream, for reading it without holding it all (with a root)."""
        if self.root is None:
            with self._lock:
                data = self._objects.get((bucket, key))
            if data is None:
                raise S3KeyError(f"no object s3://{bucket}/{key}")
            return io.BytesIO(data)
        try:
            return self.path_of(bucket, key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise S3KeyError(f"no object s3://{bucket}/{key}") from None

    def size(self, bucket: str, key: str) -> int:
        """The object's size in bytes."""
        if self.root is None:
            with self._lock:
                data = self._objects.get((bucket, key))
            if data is None:
                raise S3KeyError(f"no object s3://{bucket}/{key}")
            return len(data)
        try:
            return self.path_of(bucket, key).stat().st_size
        except FileNotFoundError:
            raise S3KeyError(f"no object s3://{bucket}/{key}") from None

    def etag(self, bucket: str, key: str) -> str:
        """The object's ETag as S3 gives it for a single-part upload: the MD5 hex digest of its bytes."""
        digest = hashlib.md5()
        with self.open(bucket, key) as stream:
            for chunk in iter(lambda: stream.read(1 << 20), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def bucket_exists(self, bucket: str) -> bool:
        """Whether the bucket is there: with a root, its folder; in memory, whether it holds an object."""
        if self.root is None:
            with self._lock:
                return any(b == bucket for b, _ in self._objects)
        try:
            _check_bucket(bucket)
        except S3KeyError:
            return False
        return (self.root / bucket).is_dir()

    def buckets(self) -> list[str]:
        """The buckets that hold objects (with a root: the folders under it), sorted."""
        if self.root is None:
            with self._lock:
                return sorted({bucket for bucket, _ in self._objects})
        return sorted(child.name for child in self.root.iterdir() if child.is_dir())

    def list(self, bucket: str, prefix: str = "") -> list[str]:
        """The keys in ``bucket`` that start with ``prefix``, in S3's order (by UTF-8 bytes)."""
        _check_bucket(bucket)
        if self.root is None:
            with self._lock:
                keys = [key for b, key in self._objects if b == bucket and key.startswith(prefix)]
        else:
            base = self.root / bucket
            keys = []
            if base.is_dir():
                for folder, _dirs, files in os.walk(base):
                    for name in files:
                        if name.startswith(".part-"):
                            continue  # a write in progress
                        key = Path(folder, name).relative_to(base).as_posix()
                        if key.startswith(prefix):
                            keys.append(key)
        return sorted(keys, key=lambda key: key.encode("utf-8", "surrogatepass"))


def _ignored() -> contextlib.suppress:
    return contextlib.suppress(OSError)
