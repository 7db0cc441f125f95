"""World objects of the recruit concept for the authorization matrix and the isolation crawler."""

from __future__ import annotations

from tests.world_objects import factory  # noqa: F401  (used as @factory("kind") by this concept)
