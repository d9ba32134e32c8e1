"""The one tokenizer of DynamoDB expressions: tokens are ``(kind, text, pos)``, with no whitespace tokens.

Kinds: ``NAME`` (``[A-Za-z][A-Za-z0-9_]*``), ``NAME_REF`` (``#x``), ``VALUE_REF`` (``:x``), ``INDEX``
(``0`` or ``[1-9][0-9]*``: DynamoDB reads ``01`` as two tokens), the keywords (``AND``, ``OR``, ``NOT``,
``BETWEEN``, ``IN``, ``SET``, ``REMOVE``, ``ADD``, ``DELETE``, any case), punctuation (its own text as
kind), ``UNKNOWN`` for any other character (DynamoDB reports it as the syntax error's token), and ``EOF``.

>>> [t.kind for t in tokenize("a.b[1] <> :v")]
['NAME', '.', 'NAME', '[', 'INDEX', ']', '<>', 'VALUE_REF', 'EOF']
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["KEYWORDS", "Token", "tokenize"]

KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"})


class Token(NamedTuple):
    """One token: its kind, its text as written, and its offset in the expression."""

    kind: str
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<NAME>[A-Za-z][A-Za-z0-9_]*)
  | (?P<NAME_REF>\#[A-Za-z0-9_]+)
  | (?P<VALUE_REF>:[A-Za-z0-9_]+)
  | (?P<INDEX>0|[1-9][0-9]*)
  | (?P<op><>|<=|>=|[=<>()\[\],.+-])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    """Split an expression into tokens, ending with an ``EOF`` token at ``len(text)``."""
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    end = len(text)
    match_at = _TOKEN_RE.match
    while pos < end:
        found = match_at(text, pos)
        if found is None:
            append(Token("UNKNOWN", text[pos], pos))
            pos += 1
            continue
        group = found.lastgroup
        value = found.group()
        if group == "NAME":
            upper = value.upper()
            append(Token(upper if upper in KEYWORDS else "NAME", value, pos))
        elif group == "op":
            append(Token(value, value, pos))
        elif group != "ws":
            assert group is not None
            append(Token(group, value, pos))
        pos = found.end()
    append(Token("EOF", "<EOF>", end))
    return tokens
