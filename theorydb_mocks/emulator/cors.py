"""Cross-origin answers (``--cors ORIGIN``), so SDK code running in a browser page can be tested.

A browser lets a page on ``http://localhost:5173`` call the emulator on ``http://localhost:8000`` only when
the server says so: it first sends a preflight (``OPTIONS`` with ``Origin``, ``Access-Control-Request-Method``
and ``Access-Control-Request-Headers``: the SDK's ``x-amz-target``, ``authorization``, ...), then the
request, and hands the answer to the page only when it names the page's origin. ``CorsPolicy`` holds the
origins allowed (``*``: any) and writes those headers; answers also expose ``x-amzn-RequestId`` and
``x-amz-crc32``, which the JavaScript SDK reads. Without a policy the server sends no CORS header at all.

Docs: https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS

>>> policy = CorsPolicy(["http://localhost:5173"])
>>> policy.answer_headers("http://localhost:5173")
'Access-Control-Allow-Origin: http://localhost:5173\\r\\nAccess-Control-Expose-Headers: x-amzn-RequestId, \
x-amz-crc32\\r\\nVary: Origin\\r\\n'
>>> policy.answer_headers("http://elsewhere.example")
''
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["CorsPolicy"]

ALLOWED_METHODS = ("GET", "HEAD", "POST")
EXPOSED_HEADERS = "x-amzn-RequestId, x-amz-crc32"
MAX_AGE = 600  # seconds a browser may keep a preflight's answer


class CorsPolicy:
    """The origins allowed to call the server from a browser (``"*"`` allows every origin)."""

    __slots__ = ("any_origin", "origins")

    def __init__(self, origins: Iterable[str]) -> None:
        cleaned = [origin.strip().rstrip("/") for origin in origins]
        if not cleaned or any(not origin for origin in cleaned):
            raise ValueError("--cors needs an origin such as http://localhost:5173, or *")
        for origin in cleaned:
            if origin != "*" and "://" not in origin:
                raise ValueError(f"a CORS origin is scheme://host[:port], not {origin!r}")
        self.any_origin = "*" in cleaned
        self.origins = frozenset(cleaned)

    def __repr__(self) -> str:
        return f"<CorsPolicy {' '.join(sorted(self.origins))}>"

    def allows(self, origin: str | None) -> bool:
        return origin is not None and (self.any_origin or origin in self.origins)

    def _allow_origin(self, origin: str) -> str:
        if self.any_origin:
            return "Access-Control-Allow-Origin: *\r\n"
        return f"Access-Control-Allow-Origin: {origin}\r\n"

    def answer_headers(self, origin: str | None) -> str:
        """The headers an answer to a request from ``origin`` carries ('' when it is not allowed)."""
        if origin is None or not self.allows(origin):
            return ""
        vary = "" if self.any_origin else "Vary: Origin\r\n"
        return f"{self._allow_origin(origin)}Access-Control-Expose-Headers: {EXPOSED_HEADERS}\r\n{vary}"

    def preflight(self, headers: Mapping[str, str]) -> tuple[int, str]:
        """The status and headers answering an ``OPTIONS`` request: 204 with the permissions when the
        origin and method are allowed (every requested header is), 403 without them otherwise."""
        origin = headers.get("origin")
        method = (headers.get("access-control-request-method") or "").strip().upper()
        if origin is None or not self.allows(origin) or method not in ALLOWED_METHODS:
            return 403, ""
        requested = headers.get("access-control-request-headers")
        allow_headers = f"Access-Control-Allow-Headers: {requested}\r\n" if requested else ""
        vary = "" if self.any_origin else "Vary: Origin, Access-Control-Request-Headers\r\n"
        return 204, (
            f"{self._allow_origin(origin)}Access-Control-Allow-Methods: {', '.join(ALLOWED_METHODS)}\r\n"
            f"{allow_headers}Access-Control-Max-Age: {MAX_AGE}\r\n{vary}"
        )
