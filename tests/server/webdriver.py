"""A headless Chromium driven through chromedriver's W3C WebDriver HTTP protocol, with nothing but urllib.

The console tests need a real browser (its JavaScript, its CORS rules) but no new Python dependency:
chromedriver speaks JSON over HTTP, and the few commands used here (navigate, find, click, type, run a
script, take a screenshot) are a handful of requests. ``browser_or_skip`` says why there is none (Debian:
``apt-get install chromium chromium-driver``; ``.ci/run`` installs them).

Protocol: https://www.w3.org/TR/webdriver2/
"""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["Browser", "Element", "browser_missing", "start_browser"]

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)
T = TypeVar("T")


def _binaries() -> tuple[str | None, str | None]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    return chromium, shutil.which("chromedriver")


def browser_missing() -> str | None:
    """Why no browser can run here (None when Chromium and chromedriver are both installed)."""
    chromium, driver = _binaries()
    if chromium is None or driver is None:
        missing = " and ".join(n for n, p in (("chromium", chromium), ("chromedriver", driver)) if p is None)
        return f"{missing} not installed (Debian: apt-get install chromium chromium-driver; .ci/run does)"
    return None


def _reference(found: dict[str, str]) -> str:
    """An element's reference: the one value of the object WebDriver answers (its key is a fixed UUID)."""
    (reference,) = found.values()
    return reference


class WebDriverError(AssertionError):
    """A command the browser refused (its error and message)."""


class Element:
    """One element of the page, by its WebDriver reference."""

    def __init__(self, browser: Browser, reference: str) -> None:
        self.browser = browser
        self.reference = reference

    def __repr__(self) -> str:
        return f"<Element {self.reference}>"

    def _path(self, command: str) -> str:
        return f"element/{self.reference}/{command}"

    def click(self) -> None:
        self.browser.command("POST", self._path("click"), {})

    def clear(self) -> None:
        self.browser.command("POST", self._path("clear"), {})

    def type(self, text: str) -> None:
        self.browser.command("POST", self._path("value"), {"text": text})

    @property
    def text(self) -> str:
        return str(self.browser.command("GET", self._path("text")))

    def property(self, name: str) -> Any:
        return self.browser.command("GET", self._path(f"property/{name}"))


class Browser:
    """A WebDriver session on a running chromedriver."""

    def __init__(self, driver_url: str, session: str) -> None:
        self.driver_url = driver_url
        self.session = session

    def __repr__(self) -> str:
        return f"<Browser {self.driver_url} session={self.session}>"

    def command(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.driver_url}/session/{self.session}/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.load(answer)["value"]
        except urllib.error.HTTPError as exc:
            value = json.load(exc)["value"]
            raise WebDriverError(f"{path}: {value.get('error')}: {value.get('message')}") from None

    def open(self, url: str) -> None:
        self.command("POST", "url", {"url": url})

    def find(self, css: str) -> Element:
        found = self.command("POST", "element", {"using": "css selector", "value": css})
        return Element(self, _reference(found))

    def find_all(self, css: str) -> list[Element]:
        found = self.command("POST", "elements", {"using": "css selector", "value": css})
        return [Element(self, _reference(f)) for f in found]

    def run(self, script: str, *args: Any) -> Any:
        """The value of a synchronous script (``return ...``)."""
        return self.command("POST", "execute/sync", {"script": script, "args": list(args)})

    def run_async(self, script: str, *args: Any) -> Any:
        """The value a script passes to its callback, ``arguments[arguments.length - 1]``."""
        return self.command("POST", "execute/async", {"script": script, "args": list(args)})

    def wait(self, condition: Callable[[], T], timeout: float = 15.0, what: str = "the page") -> T:
        """Poll ``condition`` until it returns something true; its value."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                value = condition()
            except WebDriverError as exc:
                last, value = exc, None
            if value:
                return value
            time.sleep(0.05)
        status = self.run("return document.getElementById('status')?.textContent || ''")
        raise AssertionError(f"timed out waiting for {what} (status: {status!r}; last error: {last})")

    def screenshot(self, path: Path) -> Path:
        path.write_bytes(base64.b64decode(self.command("GET", "screenshot")))
        return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(url: str, body: Any = None, method: str = "GET") -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


@contextlib.contextmanager
def start_browser() -> Iterator[Browser]:
    """chromedriver and a headless Chromium with a fresh profile, for the ``with`` block."""
    chromium, driver = _binaries()
    if chromium is None or driver is None:
        raise RuntimeError(browser_missing())
    port = _free_port()
    process = subprocess.Popen(
        [driver, f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    driver_url = f"http://127.0.0.1:{port}"
    session: str | None = None
    with tempfile.TemporaryDirectory(prefix="theorydb-chromium-") as profile:
        try:
            deadline = time.monotonic() + 20
            while True:
                try:
                    if _request(f"{driver_url}/status")["value"]["ready"]:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("chromedriver did not start")
                time.sleep(0.05)
            options = {"binary": chromium, "args": [*CHROMIUM_ARGS, f"--user-data-dir={profile}"]}
            capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
            created = _request(f"{driver_url}/session", {"capabilities": capabilities}, "POST")
            session = str(created["value"]["sessionId"])
            yield Browser(driver_url, session)
        finally:
            if session is not None:
                with contextlib.suppress(OSError):
                    _request(f"{driver_url}/session/{session}", method="DELETE")
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
