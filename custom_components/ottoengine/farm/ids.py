"""Integer ids that are never reused, one sequence per kind of record (as the seed API expects)."""

from __future__ import annotations

from collections.abc import Mapping


class IdAllocator:
    """Hands out 1, 2, 3, ... per kind; a deleted record's id is never handed out again."""

    def __init__(self, next_ids: Mapping[str, int] | None = None) -> None:
        self._next: dict[str, int] = {k: int(v) for k, v in (next_ids or {}).items()}

    def allocate(self, kind: str) -> int:
        value = self._next.get(kind, 1)
        self._next[kind] = value + 1
        return value

    def reserve(self, kind: str, used: int) -> None:
        """Make sure ``used`` (an id already in use, e.g. from an import) is never handed out."""
        if used >= self._next.get(kind, 1):
            self._next[kind] = used + 1

    def as_dict(self) -> dict[str, int]:
        return dict(self._next)
