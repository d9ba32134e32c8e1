"""Every file or folder that README.md and docs/*.md name is in the repository.

What counts as naming a path: a Markdown link target; a word with a ``/`` whose first part is a top-level
entry of the repository (``tests/...``, ``docs/...``) or a folder found in it (``operations/tags.py``,
then any file ending so will do); a bare ``NAME.md``. Words a reader is told to create (``quickstart.py``)
have no ``/`` and are not ``.md``, so they are left alone.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest

from tests.docs._blocks import REPO, doc_files

_SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
_LINK = re.compile(r"\]\(([^)\s]+)\)")
_WORD = re.compile(r"(?<![\w/.~:$@-])(\.?[A-Za-z_][\w.-]*(?:/[\w.-]+)*/?)")


@cache
def _tree() -> tuple[frozenset[str], frozenset[str]]:
    """Every file and folder of the repository, as paths relative to its root."""
    files: set[str] = set()
    folders: set[str] = set()
    for root, dirs, names in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".venv")]
        here = Path(root).relative_to(REPO).as_posix()
        if here != ".":
            folders.add(here)
        files.update(name if here == "." else f"{here}/{name}" for name in names)
    return frozenset(files), frozenset(folders)


def _exists(path: str, doc: Path) -> bool:
    files, folders = _tree()
    path = path.rstrip("/")
    relative = (doc.parent / path).resolve()
    if relative.exists() or (REPO / path).exists():
        return True
    return any(f.endswith("/" + path) for f in files) or any(d.endswith("/" + path) for d in folders)


def _named_paths(doc: Path) -> list[tuple[int, str]]:
    files, folders = _tree()
    top = {p.split("/", 1)[0] for p in files | folders}
    folder_names = {d.rsplit("/", 1)[-1] for d in folders}
    text = doc.read_text(encoding="utf-8")
    found: list[tuple[int, str]] = []
    for match in _LINK.finditer(text):
        target = match.group(1).split("#", 1)[0]
        if target and not re.match(r"^[a-z]+:", target):
            found.append((text.count("\n", 0, match.start()) + 1, target))
    for match in _WORD.finditer(text):
        word = match.group(1).rstrip(".")
        if text[match.end() : match.end() + 1] in ("*", "<", "{"):  # a pattern, not a path
            continue
        first = word.split("/", 1)[0]
        if "/" in word.rstrip("/") or word.endswith("/"):
            if first not in top and first not in folder_names:
                continue
        elif not word.endswith(".md"):
            continue
        found.append((text.count("\n", 0, match.start()) + 1, word))
    return found


@pytest.mark.parametrize("doc", doc_files(), ids=lambda doc: str(doc.relative_to(REPO)))
def test_paths_named_in_docs_exist(doc: Path) -> None:
    missing = [
        f"{doc.relative_to(REPO)}:{line}: {path}"
        for line, path in _named_paths(doc)
        if not _exists(path, doc)
    ]
    assert missing == [], "docs name files that are not in the repository:\n" + "\n".join(missing)


def test_the_check_sees_paths() -> None:
    """A guard against a pattern that silently matches nothing."""
    named = {path for _, path in _named_paths(REPO / "README.md")}
    assert {"docs/testing.md", "examples/local_crud.py"} <= named
