"""Matchers for strict fakes, and the one diff that explains a mismatch.

An expectation is plain data (dicts, lists, scalars) in which any value may be a ``Matcher``. Dicts match as
subsets (every expected key must be present and match; extra received keys are fine), lists match exactly
(same length, element by element), everything else by equality of the same kind (``True`` is not ``1``).
``diff`` returns only the differing paths, one line each, in the form ``Item.email.S: 'a' != 'b'``
(expected on the left, received on the right).

>>> diff({"Item": {"email": {"S": "a"}}}, {"Item": {"email": {"S": "b"}, "pk": {"S": "1"}}})
["Item.email.S: 'a' != 'b'"]
>>> diff({"TableName": ANY, "Limit": 10}, {"TableName": "t", "Limit": 10})
[]
>>> ANY
<ANY>
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

__all__ = [
    "ANY",
    "AnyString",
    "Exact",
    "Matcher",
    "Predicate",
    "Regex",
    "Validator",
    "diff",
    "join_path",
    "short_repr",
]

_MAX_REPR: Final = 120
_PLAIN_KEY = re.compile(r"^[^.\[\]\s'\"]+$")


def short_repr(value: Any, limit: int = _MAX_REPR) -> str:
    """``repr`` cut to ``limit`` characters, so a report about a 25-item batch stays readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def join_path(path: str, key: object) -> str:
    """``Item`` + ``email`` -> ``Item.email``; a list index -> ``Items[0]``; odd keys are quoted."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = key if isinstance(key, str) and _PLAIN_KEY.match(key) else f"[{key!r}]"
    if name.startswith("["):
        return f"{path}{name}"
    return f"{path}.{name}" if path else name


def _label(path: str) -> str:
    return path or "(request)"


class Matcher:
    """Base class of the matchers: subclass and override ``matches`` (and ``__repr__``) for a custom one.

    Matchers compare equal to what they match, so they also work inside ``==`` comparisons and botocore's
    ``Stubber``.
    """

    __slots__ = ()

    def matches(self, actual: Any) -> bool:
        """Whether ``actual`` (a received value) satisfies this matcher."""
        raise NotImplementedError(f"{type(self).__name__} must implement matches()")

    def diff(self, actual: Any, path: str) -> list[str]:
        """The differing paths below ``path``; one line saying expected != received by default."""
        return [] if self.matches(actual) else [f"{_label(path)}: {self!r} != {short_repr(actual)}"]

    def __eq__(self, other: object) -> bool:
        return self.matches(other)

    def __ne__(self, other: object) -> bool:
        return not self.matches(other)

    __hash__ = None  # type: ignore[assignment]  # equal to many values: not hashable


class _Any(Matcher):
    """Matches any value at all, including ``None``."""

    __slots__ = ()

    def matches(self, actual: Any) -> bool:
        return True

    def __repr__(self) -> str:
        return "<ANY>"


ANY: Final[Matcher] = _Any()
"""Matches any value, at any depth: ``{"Item": {"createdAt": ANY}}``."""


class AnyString(Matcher):
    """Matches any ``str`` (optionally non-empty only), for generated ids and timestamps.

    >>> AnyString().matches("x"), AnyString().matches(1), AnyString(non_empty=True).matches("")
    (True, False, False)
    """

    __slots__ = ("non_empty",)

    def __init__(self, *, non_empty: bool = False) -> None:
        self.non_empty = non_empty

    def matches(self, actual: Any) -> bool:
        return isinstance(actual, str) and (bool(actual) or not self.non_empty)

    def __repr__(self) -> str:
        return "<AnyString non_empty>" if self.non_empty else "<AnyString>"


class Regex(Matcher):
    """Matches a ``str`` that the pattern matches in full (``re.fullmatch``), e.g. ``Regex(r"USER#\\d+")``.

    >>> Regex(r"USER#\\d+").matches("USER#12"), Regex(r"USER#\\d+").matches("USER#12x")
    (True, False)
    """

    __slots__ = ("pattern",)

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        self.pattern = re.compile(pattern) if isinstance(pattern, str) else pattern

    def matches(self, actual: Any) -> bool:
        return isinstance(actual, str) and self.pattern.fullmatch(actual) is not None

    def __repr__(self) -> str:
        return f"<Regex {self.pattern.pattern!r}>"


class Predicate(Matcher):
    """Matches a value for which ``predicate(value)`` is true; an exception in the predicate is a mismatch.

    >>> Predicate(lambda n: int(n) > 3, "more than 3").matches("5")
    True
    >>> Predicate(lambda n: int(n) > 3, "more than 3")
    <Predicate more than 3>
    """

    __slots__ = ("description", "predicate")

    def __init__(self, predicate: Callable[[Any], object], description: str | None = None) -> None:
        self.predicate = predicate
        self.description = description or getattr(predicate, "__name__", repr(predicate))

    def matches(self, actual: Any) -> bool:
        try:
            return bool(self.predicate(actual))
        except Exception:  # a predicate that cannot judge a value rejects it
            return False

    def __repr__(self) -> str:
        return f"<Predicate {self.description}>"


class Validator(Matcher):
    """A function of the whole request that rejects it by raising (``assert``) or returning ``False``:
    TableTheory's callable expectations, ``fake.expect("put_item", check)``. The report names the error.

    >>> def check(request):
    ...     assert request["TableName"] == "users", "wrong table"
    >>> diff(Validator(check), {"TableName": "orders"})
    ['(request): check rejected it: AssertionError: wrong table']
    """

    __slots__ = ("validator",)

    def __init__(self, validator: Callable[[Any], object]) -> None:
        self.validator = validator

    def _problem(self, actual: Any) -> str | None:
        try:
            verdict = self.validator(actual)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return "it returned False" if verdict is False else None

    def matches(self, actual: Any) -> bool:
        return self._problem(actual) is None

    def diff(self, actual: Any, path: str) -> list[str]:
        problem = self._problem(actual)
        if problem is None:
            return []
        return [f"{_label(path)}: {self._name} rejected it: {problem}"]

    @property
    def _name(self) -> str:
        return getattr(self.validator, "__name__", None) or repr(self.validator)

    def __repr__(self) -> str:
        return f"<Validator {self._name}>"


class Exact(Matcher):
    """Matches only a value equal in full: dicts inside may not carry extra keys (matchers still apply).

    >>> diff(Exact({"a": 1}), {"a": 1, "b": 2})
    ['b: unexpected key (received 2)']
    """

    __slots__ = ("expected",)

    def __init__(self, expected: Any) -> None:
        self.expected = expected

    def matches(self, actual: Any) -> bool:
        return not self.diff(actual, "")

    def diff(self, actual: Any, path: str) -> list[str]:
        out: list[str] = []
        _diff(self.expected, actual, path, out, exact=True)
        return out

    def __repr__(self) -> str:
        return f"<Exact {short_repr(self.expected)}>"


def _same_scalar(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, (bytes, bytearray)) or isinstance(actual, (bytes, bytearray)):
        return (
            isinstance(actual, (bytes, bytearray))
            and isinstance(expected, (bytes, bytearray))
            and (bytes(expected) == bytes(actual))
        )
    if isinstance(expected, str) or isinstance(actual, str):
        return isinstance(expected, str) and isinstance(actual, str) and expected == actual
    try:
        return bool(expected == actual)
    except Exception:  # an exotic value whose == raises is a mismatch, never a crash
        return False


def _diff(expected: Any, actual: Any, path: str, out: list[str], *, exact: bool) -> None:
    if isinstance(expected, Matcher):
        out.extend(expected.diff(actual, path))
    elif isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            out.append(f"{_label(path)}: {short_repr(expected)} != {short_repr(actual)}")
            return
        for key, value in expected.items():
            where = join_path(path, key)
            if key not in actual:
                out.append(f"{where}: missing (expected {short_repr(value)})")
            else:
                _diff(value, actual[key], where, out, exact=exact)
        if exact:
            for key in actual:
                if key not in expected:
                    out.append(f"{join_path(path, key)}: unexpected key (received {short_repr(actual[key])})")
    elif isinstance(expected, Sequence) and not isinstance(expected, (str, bytes, bytearray)):
        if not isinstance(actual, Sequence) or isinstance(actual, (str, bytes, bytearray)):
            out.append(f"{_label(path)}: {short_repr(expected)} != {short_repr(actual)}")
            return
        if len(expected) != len(actual):
            out.append(f"{_label(path)}: {len(expected)} items != {len(actual)} items")
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            _diff(want, got, join_path(path, index), out, exact=exact)
    elif not _same_scalar(expected, actual):
        out.append(f"{_label(path)}: {short_repr(expected)} != {short_repr(actual)}")


def diff(expected: Any, actual: Any, path: str = "") -> list[str]:
    """The differences between an expectation and a received value, one ``path: expected != received`` each.

    Runtime: O(size of the expectation) for subset matching; ``Exact`` also walks the received value.
    """
    out: list[str] = []
    _diff(expected, actual, path, out, exact=False)
    return out


for _public in (Matcher, _Any, AnyString, Regex, Predicate, Validator, Exact):
    _public.__module__ = "theorydb_mocks.fakes"
