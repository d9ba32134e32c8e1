"""The PartiQL tokenizer: tokens are ``(kind, text, pos)``, with no whitespace or comment tokens.

Kinds: ``IDENT`` (a bare name or keyword, any case), ``QIDENT`` (a ``"quoted"`` name, ``""`` escapes a
quote), ``STRING`` (``'text'``, ``''`` escapes a quote), ``NUMBER``, ``ION`` (a backquoted Ion literal,
which DynamoDB refuses), ``?`` for a parameter, punctuation as its own text (``<<`` and ``>>`` for bags),
``UNKNOWN`` for anything else, and ``EOF``. ``text`` of a QIDENT or STRING is its unescaped value.

>>> [t.kind for t in tokenize("SELECT a.b FROM \\"t\\" WHERE x = ?")]
['IDENT', 'IDENT', '.', 'IDENT', 'IDENT', 'QIDENT', 'IDENT', 'IDENT', '=', '?', 'EOF']
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Token", "tokenize"]


class Token(NamedTuple):
    """One token: its kind, its text (unescaped for names and strings), its offset and its source length."""

    kind: str
    text: str
    pos: int
    length: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+|--[^\n]*)
  | (?P<IDENT>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<QIDENT>"(?:[^"]|"")*")
  | (?P<STRING>'(?:[^']|'')*')
  | (?P<ION>`[^`]*`)
  | (?P<NUMBER>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<op><<|>>|<>|!=|<=|>=|[=<>()\[\]{},.:*+\-;?])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    """Split a statement into tokens, ending with an ``EOF`` token at ``len(text)``."""
    tokens: list[Token] = []
    append = tokens.append
    pos = 0
    end = len(text)
    while pos < end:
        found = _TOKEN_RE.match(text, pos)
        if found is None:
            append(Token("UNKNOWN", text[pos], pos, 1))
            pos += 1
            continue
        group = found.lastgroup
        value = found.group()
        if group == "QIDENT":
            append(Token("QIDENT", value[1:-1].replace('""', '"'), pos, len(value)))
        elif group == "STRING":
            append(Token("STRING", value[1:-1].replace("''", "'"), pos, len(value)))
        elif group == "op":
            append(Token(value, value, pos, len(value)))
        elif group != "ws":
            assert group is not None
            append(Token(group, value, pos, len(value)))
        pos = found.end()
    append(Token("EOF", "", end, 0))
    return tokens
