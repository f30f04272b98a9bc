"""The entity ids a Lovelace configuration mentions (used by tests and scripts/e2e)."""

from __future__ import annotations

from typing import Any


def referenced_entities(node: Any) -> set[str]:
    """Return every entity id a Lovelace configuration mentions."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("entity", "entity_id") and isinstance(value, str):
                found.add(value)
            elif key == "entities" and isinstance(value, list):
                found.update(item for item in value if isinstance(item, str))
            found |= referenced_entities(value)
    elif isinstance(node, list):
        for item in node:
            found |= referenced_entities(item)
    return found
