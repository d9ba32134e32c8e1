"""The Python blocks of README.md and docs/*.md, with what the HTML comment before each says about running it.

A block is run as written, in a fresh module namespace, unless the comment just before it says otherwise
(the comment may sit anywhere in the blank lines or prose between the previous block and this one, as long as
it is the last ``<!-- run: ... -->`` before the block)::

    <!-- run: prelude NAME [NAME ...] -->   first run docs/preludes/NAME.py (imports, a model, a client...)
    <!-- run: continue -->                  run in the namespace the previous Python block of the file left
    <!-- run: pytest -->                    the block is a test file: save it and run pytest on it
    <!-- run: needs MODULE [MODULE ...] -->  skipped, naming the module, where an optional extra is missing
    <!-- run: no, REASON -->                deliberately not runnable (pseudo-code, needs AWS...): counted

Directives combine with ``;``: ``<!-- run: continue; prelude orders -->``. Blocks tagged ``python`` only;
shell, text and JSON blocks are prose. Preludes are ordinary Python files in ``docs/preludes/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["REPO", "Block", "BlockSyntaxError", "doc_files", "python_blocks"]

REPO = Path(__file__).resolve().parents[2]
PRELUDES = REPO / "docs" / "preludes"

_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[A-Za-z0-9_+-]*)[^\n]*$")
_DIRECTIVE = re.compile(r"<!--\s*run:\s*(?P<body>.*?)\s*-->", re.S)


class BlockSyntaxError(ValueError):
    """A ``<!-- run: ... -->`` comment that does not parse, or names a prelude that does not exist."""


@dataclass(frozen=True, slots=True)
class Block:
    """One fenced Python block and how to run it."""

    path: Path
    line: int  # 1-based line of the opening fence
    code: str
    preludes: tuple[str, ...] = ()
    continues: bool = False
    pytest: bool = False
    not_run: str | None = None  # the reason, for a block deliberately not run
    needs: tuple[str, ...] = ()  # modules of optional extras the block imports
    previous: Block | None = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"{_shown(self.path)}:{self.line}"


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def doc_files() -> list[Path]:
    """README.md and every Markdown file under docs/."""
    return [REPO / "README.md", *sorted((REPO / "docs").glob("**/*.md"))]


@dataclass(slots=True)
class _Directives:
    preludes: tuple[str, ...] = ()
    continues: bool = False
    pytest: bool = False
    not_run: str | None = None
    needs: tuple[str, ...] = ()


def _parse_directive(body: str, where: str) -> _Directives:
    found = _Directives()
    for part in (p.strip() for p in body.split(";")):
        if not part:
            continue
        word, _, rest = part.partition(" ")
        if word == "no" or word.startswith("no,"):
            reason = part[2:].lstrip(" ,").strip()
            if not reason:
                raise BlockSyntaxError(f"{where}: '<!-- run: no, REASON -->' needs a reason")
            found.not_run = reason
        elif word == "continue" and not rest:
            found.continues = True
        elif word == "pytest" and not rest:
            found.pytest = True
        elif word == "needs" and rest.split():
            found.needs = tuple(rest.split())
        elif word == "prelude" and rest.split():
            names = tuple(rest.split())
            for name in names:
                if not (PRELUDES / f"{name}.py").is_file():
                    raise BlockSyntaxError(f"{where}: no prelude docs/preludes/{name}.py")
            found.preludes = names
        else:
            raise BlockSyntaxError(
                f"{where}: unknown run directive {part!r} "
                "(prelude NAME..., continue, pytest, needs MODULE..., or no, REASON)"
            )
    return found


def python_blocks(path: Path) -> list[Block]:
    """The ``python`` blocks of one Markdown file, in order, each with its directives."""
    lines = path.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    previous: Block | None = None
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            prose.append(lines[i])
            i += 1
            continue
        indent, lang = opening.group("indent"), opening.group("lang")
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].startswith(f"{indent}```"):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1  # the closing fence
        directives = _DIRECTIVE.findall("\n".join(prose))
        prose = []
        if lang != "python":
            continue
        where = f"{_shown(path)}:{start + 1}"
        options = _parse_directive(directives[-1], where) if directives else _Directives()
        if options.continues and previous is None:
            raise BlockSyntaxError(f"{where}: 'continue' on the first Python block of the file")
        block = Block(
            path=path,
            line=start + 1,
            code="\n".join(body) + "\n",
            preludes=options.preludes,
            continues=options.continues,
            pytest=options.pytest,
            not_run=options.not_run,
            needs=options.needs,
            previous=previous,
        )
        blocks.append(block)
        previous = block
    return blocks
