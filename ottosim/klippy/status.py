"""What a Klippy subscription pushes: the fields that changed since the last push."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def status_changes(
    previous: Mapping[str, Mapping[str, Any]], current: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Fields of ``current`` that differ from ``previous`` (what a subscription pushes)."""
    changes: dict[str, dict[str, Any]] = {}
    for name, fields in current.items():
        before = previous.get(name, {})
        changed = {key: value for key, value in fields.items() if before.get(key) != value}
        if changed:
            changes[name] = changed
    return changes
