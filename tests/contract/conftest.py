"""The contract scenarios run on every backend: the integration suite's fixtures, reused."""

from __future__ import annotations

from tests.integration.conftest import backend_client, emulator, emulator_client

__all__ = ["backend_client", "emulator", "emulator_client"]
