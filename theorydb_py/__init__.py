"""TableTheory for Python: a DynamoDB ORM for dataclass models."""

from __future__ import annotations
