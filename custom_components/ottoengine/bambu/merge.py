"""Deep merge of Bambu Lab delta reports into one cached printer state.

P1/A1 (and newer firmware on every model) send only the keys that changed, sometimes as partial
nested objects. Dicts merge recursively, the AMS unit list (``ams.ams``) and each unit's ``tray``
list merge element-wise by ``id``, every other list (``hms``, ``stg``, ``lights_report``...)
replaces the cached one.
"""

from __future__ import annotations

from collections.abc import Mapping
import copy
from typing import Any

# Lists whose elements are objects identified by their "id" and updated piecewise.
ID_MERGED_LISTS = frozenset({"ams", "tray"})


def merge_report(state: dict[str, Any], delta: Mapping[str, Any]) -> None:
    """Merge ``delta`` into ``state`` in place (values are copied, never shared)."""
    for key, new in delta.items():
        old = state.get(key)
        if isinstance(new, Mapping) and isinstance(old, dict):
            merge_report(old, new)
        elif key in ID_MERGED_LISTS and isinstance(new, list) and isinstance(old, list):
            _merge_by_id(old, new)
        else:
            state[key] = copy.deepcopy(new)


def _merge_by_id(old: list[Any], new: list[Any]) -> None:
    """Merge a list of ``{"id": ...}`` objects element-wise; unmatched new elements are added."""
    index = {str(item["id"]): item for item in old if isinstance(item, dict) and "id" in item}
    for item in new:
        if not isinstance(item, Mapping) or "id" not in item:
            old.append(copy.deepcopy(item))
            continue
        existing = index.get(str(item["id"]))
        if existing is None:
            fresh: dict[str, Any] = {}
            merge_report(fresh, item)
            old.append(fresh)
            index[str(item["id"])] = fresh
        else:
            merge_report(existing, item)
