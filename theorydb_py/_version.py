"""The package's version: ``__repo_version__`` as released, ``__version__`` in PEP 440 form.

As in TableTheory, ``X.Y.Z-rc.N`` and ``X.Y.Z-rcN`` become ``X.Y.ZrcN``; anything else passes through, and a
missing or unreadable version is ``"0.0.0"``.

>>> pep440("1.3.0-rc.2"), pep440("1.3.0-rc2"), pep440("1.3.0-rc"), pep440("1.2.1")
('1.3.0rc2', '1.3.0rc2', '1.3.0-rc', '1.2.1')
"""

from __future__ import annotations

import re
from importlib import metadata

__all__ = ["__repo_version__", "__version__", "pep440"]

_RC = re.compile(r"^(\d+\.\d+\.\d+)-rc\.?(\d+)$")


def pep440(version: str) -> str:
    """``X.Y.Z-rc.N``/``X.Y.Z-rcN`` as ``X.Y.ZrcN``; any other string unchanged."""
    match = _RC.match(version)
    return f"{match.group(1)}rc{match.group(2)}" if match else version


def _release() -> str:
    try:
        return metadata.version("tabletheory") or "0.0.0"
    except metadata.PackageNotFoundError:
        return "0.0.0"


__repo_version__: str = _release()
__version__: str = pep440(__repo_version__)
