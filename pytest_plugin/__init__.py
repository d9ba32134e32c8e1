"""TableTheory's pytest plugin, registered through the ``pytest11`` entry point.

Thin by design: fixtures that wire the fakes and the emulator of ``theorydb_mocks`` to tests.
"""

from __future__ import annotations
