"""AWS Signature Version 4 verification, for an HTTP server shared by several people.

``SigV4Verifier(credentials)`` checks that a request was signed with the secret key of one of the
configured access key ids, and answers as DynamoDB does when it was not:

- no ``Authorization`` header (or an unsigned presigned query): ``MissingAuthenticationTokenException``;
- a header missing ``Credential``, ``SignedHeaders`` or ``Signature``: ``IncompleteSignatureException``;
- an access key id that is not configured: ``UnrecognizedClientException``;
- a signature that does not match (wrong secret, changed body or header): ``InvalidSignatureException``;
- a signing time more than ``max_skew`` seconds (15 minutes, as AWS) away from now:
  ``InvalidSignatureException`` "Signature expired" (or "not yet current").

Only ``AWS4-HMAC-SHA256`` is understood. The session token, when sent, is signed like any header but not
checked against anything. The implementation follows the published algorithm:
https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html

>>> verifier = SigV4Verifier({"AKID": "secret"})
>>> try:
...     verifier.verify("POST", "/", "", {"host": "x"}, b"{}")
... except DynamoDBError as err:
...     print(err.code)
MissingAuthenticationTokenException
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
import posixpath
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote

from theorydb_mocks.emulator import messages as M
from theorydb_mocks.emulator.errors import DynamoDBError, ddb_error

__all__ = ["ALGORITHM", "MAX_SKEW_SECONDS", "SigV4Verifier", "SignedIdentity"]

ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW_SECONDS = 15 * 60


class SignedIdentity(tuple[str, str]):
    """(access key id, region) of a verified request."""

    __slots__ = ()

    @property
    def access_key(self) -> str:
        return self[0]

    @property
    def region(self) -> str:
        return self[1]


def _missing() -> DynamoDBError:
    return ddb_error("MissingAuthenticationTokenException", M.MISSING_TOKEN)


def _amz_time(text: str) -> float | None:
    try:
        return float(calendar.timegm(time.strptime(text, "%Y%m%dT%H%M%SZ")))
    except (ValueError, OverflowError):
        return None


def _fmt(epoch: float) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(epoch))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


class SigV4Verifier:
    """Verifies SigV4 signatures against ``credentials`` (access key id -> secret access key)."""

    def __init__(self, credentials: Mapping[str, str], *, max_skew: float = MAX_SKEW_SECONDS) -> None:
        if not credentials:
            raise ValueError("credentials must name at least one access key id and its secret")
        self.credentials = dict(credentials)
        self.max_skew = max_skew

    def __repr__(self) -> str:
        return f"<SigV4Verifier keys={sorted(self.credentials)}>"

    def verify(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        now: float | None = None,
    ) -> SignedIdentity:
        """The (access key, region) of a correctly signed request; raises the service's error otherwise.

        ``headers`` maps lower-case names to values (repeated headers joined with ``,``).
        """
        authorization = headers.get("authorization")
        if authorization:
            fields = self._parse_header(authorization)
            amz_date = headers.get("x-amz-date") or ""
            query_pairs = parse_qsl(query, keep_blank_values=True)
            payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
        else:
            query_pairs = parse_qsl(query, keep_blank_values=True)
            params = dict(query_pairs)
            if "X-Amz-Signature" not in params or "X-Amz-Credential" not in params:
                raise _missing()
            fields = {
                "Credential": params["X-Amz-Credential"],
                "SignedHeaders": params.get("X-Amz-SignedHeaders", ""),
                "Signature": params["X-Amz-Signature"],
            }
            if params.get("X-Amz-Algorithm") != ALGORITHM:
                raise ddb_error("IncompleteSignatureException", M.SIGNATURE_UNSUPPORTED_ALGORITHM)
            amz_date = params.get("X-Amz-Date", "")
            query_pairs = [(k, v) for k, v in query_pairs if k != "X-Amz-Signature"]
            payload_hash = headers.get("x-amz-content-sha256") or hashlib.sha256(body).hexdigest()
        scope = fields["Credential"].split("/")
        if len(scope) != 5 or scope[4] != "aws4_request":
            raise ddb_error(
                "IncompleteSignatureException", M.SIGNATURE_SCOPE.format(region="/".join(scope[2:3]))
            )
        access_key, day, region, service, _ = scope
        secret = self.credentials.get(access_key)
        if secret is None:
            raise ddb_error("UnrecognizedClientException", M.INVALID_TOKEN)
        signed_at = _amz_time(amz_date)
        if signed_at is None:
            raise ddb_error("IncompleteSignatureException", M.SIGNATURE_DATE)
        clock = time.time() if now is None else now
        if signed_at < clock - self.max_skew:
            raise ddb_error(
                "InvalidSignatureException",
                M.SIGNATURE_EXPIRED.format(
                    signed=amz_date,
                    earliest=_fmt(clock - self.max_skew),
                    now=_fmt(clock),
                    minutes=int(self.max_skew // 60),
                ),
            )
        if signed_at > clock + self.max_skew:
            raise ddb_error(
                "InvalidSignatureException",
                M.SIGNATURE_NOT_YET_CURRENT.format(
                    signed=amz_date,
                    latest=_fmt(clock + self.max_skew),
                    now=_fmt(clock),
                    minutes=int(self.max_skew // 60),
                ),
            )
        if day != amz_date[:8]:
            raise ddb_error("InvalidSignatureException", M.SIGNATURE_MISMATCH)
        signed_headers = fields["SignedHeaders"].split(";") if fields["SignedHeaders"] else []
        if "host" not in signed_headers:
            raise ddb_error("InvalidSignatureException", M.SIGNATURE_MISMATCH)
        canonical = "\n".join(
            [
                method,
                _canonical_path(path),
                _canonical_query(query_pairs),
                "".join(f"{name}:{_canonical_value(headers.get(name, ''))}\n" for name in signed_headers),
                fields["SignedHeaders"],
                payload_hash,
            ]
        )
        string_to_sign = "\n".join(
            [
                ALGORITHM,
                amz_date,
                "/".join(scope[1:]),
                hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
            ]
        )
        key = _hmac(("AWS4" + secret).encode("utf-8"), day)
        for part in (region, service, "aws4_request"):
            key = _hmac(key, part)
        expected = hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, fields["Signature"]):
            raise ddb_error("InvalidSignatureException", M.SIGNATURE_MISMATCH)
        return SignedIdentity((access_key, region))

    @staticmethod
    def _parse_header(authorization: str) -> dict[str, str]:
        algorithm, _, rest = authorization.strip().partition(" ")
        if algorithm != ALGORITHM:
            raise ddb_error(
                "IncompleteSignatureException",
                M.SIGNATURE_ALGORITHM.format(algorithm=ALGORITHM, authorization=authorization),
            )
        fields: dict[str, Any] = {}
        for part in rest.split(","):
            name, equals, value = part.strip().partition("=")
            if equals:
                fields[name] = value
        missing = [name for name in ("Credential", "SignedHeaders", "Signature") if name not in fields]
        if missing:
            raise ddb_error(
                "IncompleteSignatureException",
                " ".join(M.AUTHORIZATION_PARAMETER.format(parameter=name) for name in missing)
                + f" Authorization={authorization}",
            )
        return fields


def _canonical_path(path: str) -> str:
    """The URI path as AWS signs it (non-S3 services): dot segments removed, then encoded once more."""
    normalized = posixpath.normpath(path) if path not in ("", "/") else "/"
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return quote(normalized, safe="/~")


def _canonical_query(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def _canonical_value(value: str) -> str:
    return " ".join(value.split())
