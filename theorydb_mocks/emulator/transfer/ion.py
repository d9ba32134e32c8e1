"""The Amazon Ion text that DynamoDB exports and imports: items as Ion values, one line each.

DynamoDB writes each item on its own line as ``$ion_1_0 {Item:{...}}`` and maps types as its developer
guide's table says: S -> string, N -> decimal, B -> blob, BOOL -> bool, NULL -> null, L -> list,
M -> struct, and the sets SS, NS, BS -> lists annotated ``$dynamodb_SS``, ``$dynamodb_NS`` and
``$dynamodb_BS``. Decimals are written in Ion's exact notation with the number's digits as DynamoDB
keeps them: ``103.`` (exponent 0), ``6d2`` (600), ``1.5``.

The reader takes the Ion text subset any writer produces for such data, not only DynamoDB's: comments,
the version marker, symbols quoted or not, strings with every escape and long strings (``'''...'''``),
ints in decimal, hex or binary with underscores, floats, typed nulls, blobs; annotations other than the
three set types are ignored, and a symbol value reads as a string. Timestamps, clobs and s-expressions have
no DynamoDB type: ``IonError`` (the import counts the line as an error).

Docs: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html
and https://amazon-ion.github.io/ion-docs/docs/spec.html

>>> line = item_line({"pk": {"S": "a"}, "n": {"N": "600"}, "tags": {"SS": ["x", "y"]}})
>>> line
'$ion_1_0 {Item:{pk:"a",n:6d2,tags:$dynamodb_SS::["x","y"]}}'
>>> read_values(line)
[{'Item': {'M': {'pk': {'S': 'a'}, 'n': {'N': '600'}, 'tags': {'SS': ['x', 'y']}}}}]
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from theorydb_mocks.emulator.errors import DynamoDBError
from theorydb_mocks.emulator.values import canonical_number

__all__ = ["IonError", "av_text", "decimal_text", "item_line", "read_values", "record_line"]

VERSION_MARKER = "$ion_1_0"
SET_ANNOTATIONS = {"$dynamodb_SS": "SS", "$dynamodb_NS": "NS", "$dynamodb_BS": "BS"}
_SET_OF_TYPE = {kind: annotation for annotation, kind in SET_ANNOTATIONS.items()}
_RESERVED_SYMBOLS = frozenset({"null", "true", "false", "nan"})


class IonError(ValueError):
    """Ion text that is malformed or has a value DynamoDB cannot hold (``offset`` says where)."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} at offset {offset}")
        self.offset = offset


# --- writing -------------------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_SYMBOL_ID = re.compile(r"\$[0-9]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "'": "\\'"}
_NEEDS_ESCAPE = re.compile(r"[\x00-\x1f\"\\'\x7f]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\x{ord(char):02x}"


def _string(text: str) -> str:
    return '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'


def _symbol(name: str) -> str:
    """A field name: bare when it is an identifier that cannot be read as anything else, quoted otherwise."""
    if _IDENTIFIER.fullmatch(name) and name not in _RESERVED_SYMBOLS and not _SYMBOL_ID.fullmatch(name):
        return name
    return "'" + _NEEDS_ESCAPE.sub(_escape, name) + "'"


def decimal_text(number: str) -> str:
    """A DynamoDB number as an exact Ion decimal.

    >>> [decimal_text(n) for n in ("103", "600", "1.5", "-0.05", "0", "0.0000001")]
    ['103.', '6d2', '1.5', '-0.05', '0.', '1d-7']
    """
    sign, digits, exponent = Decimal(number).normalize().as_tuple()
    assert isinstance(exponent, int)
    coefficient = "".join(map(str, digits)) or "0"
    minus = "-" if sign and coefficient != "0" else ""
    if coefficient == "0":
        return "0."
    if exponent == 0:
        return f"{minus}{coefficient}."
    if exponent > 0:
        return f"{minus}{coefficient}d{exponent}"
    adjusted = exponent + len(coefficient) - 1
    if adjusted < -6:
        return f"{minus}{coefficient}d{exponent}"
    point = len(coefficient) + exponent
    if point > 0:
        return f"{minus}{coefficient[:point]}.{coefficient[point:]}"
    return f"{minus}0.{'0' * -point}{coefficient}"


def _blob(data: bytes) -> str:
    return "{{" + base64.b64encode(data).decode("ascii") + "}}"


def av_text(av: dict[str, Any]) -> str:
    """One attribute value (boto3 shape: ``B`` as bytes) as Ion text."""
    ((kind, value),) = av.items()
    if kind == "S":
        return _string(value)
    if kind == "N":
        return decimal_text(value)
    if kind == "M":
        return "{" + ",".join(f"{_symbol(name)}:{av_text(member)}" for name, member in value.items()) + "}"
    if kind == "L":
        return "[" + ",".join(map(av_text, value)) + "]"
    if kind == "BOOL":
        return "true" if value else "false"
    if kind == "NULL":
        return "null"
    if kind == "B":
        return _blob(value)
    if kind == "SS":
        members = ",".join(map(_string, value))
    elif kind == "NS":
        members = ",".join(map(decimal_text, value))
    elif kind == "BS":
        members = ",".join(map(_blob, value))
    else:
        raise ValueError(f"not an attribute value: {av!r}")
    return f"{_SET_OF_TYPE[kind]}::[{members}]"


def _struct_text(item: dict[str, Any]) -> str:
    return "{" + ",".join(f"{_symbol(name)}:{av_text(member)}" for name, member in item.items()) + "}"


def item_line(item: dict[str, Any]) -> str:
    """An item as one line of an Ion export (without the newline)."""
    return f"{VERSION_MARKER} {{Item:{_struct_text(item)}}}"


def record_line(members: dict[str, dict[str, Any] | None]) -> str:
    """A record of several item-shaped members (an incremental export's ``Keys``, ``NewImage``...) as one
    line; ``None`` members are left out."""
    body = ",".join(f"{name}:{_struct_text(value)}" for name, value in members.items() if value is not None)
    return f"{VERSION_MARKER} {{{body}}}"


# --- reading -------------------------------------------------------------------------------------------

_SKIP = re.compile(r"(?:\s|//[^\n]*(?:\n|$)|/\*.*?\*/)*", re.S)
_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|(?:\d[\d_]*)(?:\.[\d_]*)?(?:[dDeE][+-]?\d+)?|\.\d+)"
    r"|[+-]inf|nan"
)
_TIMESTAMP = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?T")
_SHORT_STRING = re.compile(r'"((?:[^"\\\n]|\\.|\\\n)*)"', re.S)
_QUOTED_SYMBOL = re.compile(r"'((?:[^'\\\n]|\\.|\\\n)*)'", re.S)
_LONG_STRING = re.compile(r"'''((?:[^'\\]|\\.|'(?!''))*)'''", re.S)
_BLOB = re.compile(r"\{\{\s*([A-Za-z0-9+/=\s]*)\}\}")
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "v": "\v",
    '"': '"', "'": "'", "?": "?", "\\": "\\", "/": "/", "\n": "", "\r\n": "", "\r": "",
}  # fmt: skip


def _unescape_one(match: re.Match[str]) -> str:
    escape = match.group()[1:]
    if escape[0] in "xuU" and len(escape) > 1:
        return chr(int(escape[1:], 16))
    found = _SIMPLE_ESCAPES.get(escape)
    if found is None:
        raise ValueError(f"invalid escape \\{escape}")
    return found


def _unescape(text: str, offset: int) -> str:
    if "\\" not in text:
        return text
    try:
        return _ESCAPE.sub(_unescape_one, text)
    except ValueError as exc:
        raise IonError(str(exc), offset) from None


class _Reader:
    """A recursive-descent reader over one text; values come out as DynamoDB attribute values."""

    __slots__ = ("pos", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def skip(self) -> None:
        self.pos = _SKIP.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def fail(self, message: str) -> IonError:
        if self.pos >= len(self.text):
            return IonError("unexpected end of input", self.pos)  # more text may complete the value
        return IonError(message, self.pos)

    def value(self) -> dict[str, Any] | None:
        """The next value (``None`` for the version marker, which is not data)."""
        self.skip()
        annotations: list[str] = []
        while True:
            start = self.pos
            symbol = self._symbol_token()
            if symbol is None:
                break
            self.skip()
            if self.text.startswith("::", self.pos):
                self.pos += 2
                self.skip()
                annotations.append(symbol[0])
                continue
            self.pos = start
            break
        return self._bare_value(annotations)

    def _symbol_token(self) -> tuple[str, bool] | None:
        """An identifier or a quoted symbol at the position, with whether it was quoted; else None."""
        text, pos = self.text, self.pos
        if text.startswith("'''", pos):
            return None
        if pos < len(text) and text[pos] == "'":
            match = _QUOTED_SYMBOL.match(text, pos)
            if match is None:
                raise self.fail("unterminated quoted symbol")
            self.pos = match.end()
            return _unescape(match.group(1), pos), True
        match = _IDENTIFIER.match(text, pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group(), False

    def _bare_value(self, annotations: list[str]) -> dict[str, Any] | None:
        text, pos = self.text, self.pos
        if pos >= len(text):
            raise self.fail("unexpected end of input")
        char = text[pos]
        if char == "{":
            if text.startswith("{{", pos):
                return self._lob()
            return {"M": self._struct()}
        if char == "[":
            return self._list(annotations)
        if char == '"' or text.startswith("'''", pos):
            return {"S": self._string()}
        if char == "(":
            raise self.fail("s-expressions have no DynamoDB type")
        symbol = self._symbol_token()
        if symbol is not None:
            name, quoted = symbol
            if quoted:
                return {"S": name}
            return self._keyword(name, annotations)
        return self._number()

    def _keyword(self, name: str, annotations: list[str]) -> dict[str, Any] | None:
        if name == "true" or name == "false":
            return {"BOOL": name == "true"}
        if name == "null":
            if self.text.startswith(".", self.pos):
                match = _IDENTIFIER.match(self.text, self.pos + 1)
                if match is None:
                    raise self.fail("invalid typed null")
                self.pos = match.end()
            return {"NULL": True}
        if name == "nan":
            raise self.fail("nan is not a DynamoDB number")
        if name == VERSION_MARKER and not annotations:
            return None
        return {"S": name}  # a symbol value

    def _number(self) -> dict[str, Any]:
        text, start = self.text, self.pos
        if _TIMESTAMP.match(text, start):
            raise self.fail("timestamps have no DynamoDB type")
        match = _NUMBER.match(text, start)
        if match is None:
            raise self.fail(f"unexpected character {text[start]!r}")
        self.pos = match.end()
        token = match.group().replace("_", "")
        if token.endswith("inf") or token == "nan":
            raise IonError(f"{token} is not a DynamoDB number", start)
        try:
            if token.lstrip("+-")[:2].lower() == "0x":
                number = Decimal(int(token, 16))
            elif token.lstrip("+-")[:2].lower() == "0b":
                number = Decimal(int(token, 2))
            else:
                number = Decimal(token.replace("d", "e").replace("D", "e"))
            return {"N": canonical_number(number)}
        except (InvalidOperation, ValueError):
            raise IonError(f"invalid number {match.group()!r}", start) from None
        except DynamoDBError as err:
            raise IonError(err.message, start) from None

    def _string(self) -> str:
        """One short string, or adjacent long strings (concatenated, as Ion reads them)."""
        text, start = self.text, self.pos
        if text[start] == '"':
            match = _SHORT_STRING.match(text, start)
            if match is None:
                raise self.fail("unterminated string")
            self.pos = match.end()
            return _unescape(match.group(1), start)
        parts: list[str] = []
        while text.startswith("'''", self.pos):
            at = self.pos
            match = _LONG_STRING.match(text, at)
            if match is None:
                raise self.fail("unterminated long string")
            parts.append(_unescape(match.group(1), at))
            self.pos = match.end()
            self.skip()
        return "".join(parts)

    def _lob(self) -> dict[str, Any]:
        start = self.pos
        match = _BLOB.match(self.text, start)
        if match is None:
            raise self.fail("clobs and malformed blobs have no DynamoDB type")
        self.pos = match.end()
        try:
            return {"B": base64.b64decode("".join(match.group(1).split()), validate=True)}
        except (binascii.Error, ValueError):
            raise IonError("invalid base64 in blob", start) from None

    def _struct(self) -> dict[str, Any]:
        self.pos += 1
        members: dict[str, Any] = {}
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return members
            if self.text.startswith('"', self.pos) or self.text.startswith("'''", self.pos):
                name = self._string()
            else:
                symbol = self._symbol_token()
                if symbol is None:
                    raise self.fail("expected a field name")
                name = symbol[0]
            self.skip()
            if not self.text.startswith(":", self.pos) or self.text.startswith("::", self.pos):
                raise self.fail("expected ':' after a field name")
            self.pos += 1
            value = self.value()
            if value is None:
                raise self.fail("a version marker is not a value")
            members[name] = value
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith("}", self.pos):
                raise self.fail("expected ',' or '}'")

    def _list(self, annotations: list[str]) -> dict[str, Any]:
        self.pos += 1
        values: list[dict[str, Any]] = []
        while True:
            self.skip()
            if self.text.startswith("]", self.pos):
                self.pos += 1
                break
            value = self.value()
            if value is None:
                raise self.fail("a version marker is not a value")
            values.append(value)
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
            elif not self.text.startswith("]", self.pos):
                raise self.fail("expected ',' or ']'")
        set_kind = next((SET_ANNOTATIONS[a] for a in annotations if a in SET_ANNOTATIONS), None)
        if set_kind is None:
            return {"L": values}
        member = set_kind[0]
        if any(next(iter(value)) != member for value in values):
            raise self.fail(f"a {set_kind} holds only {member} values")
        return {set_kind: [value[member] for value in values]}


def read_values(text: str) -> list[dict[str, Any]]:
    """Every top-level value of ``text`` as an attribute value (version markers skipped); a top-level
    struct comes out as ``{"M": ...}`` unwrapped one level: ``{"Item": {"M": ...}}``."""
    reader = _Reader(text)
    values: list[dict[str, Any]] = []
    while not reader.at_end():
        value = reader.value()
        if value is None:
            continue
        if "M" in value:
            values.append(value["M"])
        else:
            values.append(value)
    return values
