"""One regular expression for the compact export lines of every item shape a load has seen.

Exports and dumps write each item as one compact line, ``{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}``, its
attributes in the item's order. A load sees few shapes (attribute names, types and order), so the lines of
the shapes seen so far are recognized by a single pattern built as a tree of their attributes: shapes that
share their leading attributes share that part of the pattern, so a line is matched once however many shapes
there are, and each shape's branch ends in an empty group whose number (``Match.lastindex``) says which
shape matched.

Each value's text is a group whose characters the pattern has already checked: strings are printable ASCII
without a quote or a backslash (anything else is escaped or non-ASCII, and left to the JSON decoder),
numbers are in canonical form, binaries are base64 characters, booleans ``true`` or ``false``. A line of
another form (spaces, escapes, another order, a new shape) does not match.

>>> shapes = LineShapes()
>>> shapes.add(("pk", "n"), ("S", "N"), lambda groups: groups)
>>> shapes.add(("pk",), ("S",), lambda groups: groups)
>>> reader, found = shapes.read('{"Item":{"pk":{"S":"a"},"n":{"N":"12"}}}')
>>> reader, [found[group] for group in reader]
((1, 2), ['a', '12'])
>>> shapes.read('{"Item":{"pk":{"S":"a"}}}')[0]
(1,)
>>> shapes.read('{"Item": {"pk": {"S": "a"}}}') is None
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from theorydb_mocks.emulator.values import CANONICAL_NUMBER

__all__ = ["MAX_SHAPES", "LineShapes"]

MAX_SHAPES = 16  # beyond these, lines of new shapes are decoded as JSON (a pattern is rebuilt per shape)
MAX_ATTRIBUTES = 64

_TEXT = r"[ !#-\[\]-~]*"
VALUE_PATTERNS = {
    "S": f'"({_TEXT})"',
    "N": f'"({CANONICAL_NUMBER})"',
    "B": r'"([A-Za-z0-9+/]*={0,2})"',
    "SS": f'\\[("{_TEXT}"(?:,"{_TEXT}")*)\\]',
    "BOOL": "(true|false)",
}

Shape = tuple[tuple[str, ...], tuple[str, ...]]
# Given the group numbers of a shape's values (in its attribute order), the reader of its matches.
MakeReader = Callable[[tuple[int, ...]], Any]


class LineShapes:
    """The shapes whose lines are recognized, and the pattern that recognizes them."""

    def __init__(self) -> None:
        self._shapes: list[tuple[Shape, MakeReader]] = []
        self._readers: dict[int | None, Any] = {}  # by the end group (a match always has one)
        self._match: Callable[[str], re.Match[str] | None] | None = None

    @property
    def full(self) -> bool:
        return len(self._shapes) >= MAX_SHAPES

    @staticmethod
    def covers(names: tuple[str, ...], kinds: tuple[str, ...]) -> bool:
        """Whether lines of this shape can be recognized (value kinds the pattern knows; not too many)."""
        return len(names) <= MAX_ATTRIBUTES and all(kind in VALUE_PATTERNS for kind in kinds)

    def add(self, names: tuple[str, ...], kinds: tuple[str, ...], make_reader: MakeReader) -> None:
        """Recognize lines of this shape from now on. The pattern is rebuilt, so every shape's group
        numbers may change: each reader is made again by its ``make_reader``."""
        if self.full or not self.covers(names, kinds):
            raise ValueError(f"lines of this shape cannot be recognized: {names}")
        self._shapes.append(((names, kinds), make_reader))
        self._build()

    def read(self, text: str) -> tuple[Any, re.Match[str]] | None:
        """The reader of the shape ``text`` is a line of, and the match; None when it is none of them."""
        if self._match is None:
            return None
        found = self._match(text)
        if found is None:
            return None
        return self._readers[found.lastindex], found

    def _build(self) -> None:
        tree: dict[Any, Any] = {}
        for number, ((names, kinds), _) in enumerate(self._shapes):
            node = tree
            for member in zip(names, kinds, strict=True):
                node = node.setdefault(member, {})
            node[None] = number
        groups = 0
        values: list[tuple[int, ...]] = [() for _ in self._shapes]
        ends: dict[int, int] = {}

        def pattern(node: dict[Any, Any], first: bool, path: tuple[int, ...]) -> str:
            # Groups are numbered by where they open in the text: built left to right, counted in step.
            nonlocal groups
            branches = []
            for key, child in node.items():
                groups += 1
                if key is None:
                    ends[groups] = child
                    values[child] = path
                    branches.append(r"\}\}()")
                    continue
                name, kind = key
                member = f'{"" if first else ","}{re.escape(json.dumps(name))}:\\{{"{kind}":'
                member += VALUE_PATTERNS[kind] + r"\}"
                branches.append(member + pattern(child, False, (*path, groups)))
            return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

        compiled = re.compile(r'\{"Item":\{' + pattern(tree, True, ()))
        self._readers = {end: self._shapes[number][1](values[number]) for end, number in ends.items()}
        self._match = compiled.fullmatch
