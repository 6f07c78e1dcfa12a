"""The shipped farm panel bundle is built from the sources beside it (scripts/build-panel).

The bundle's first line holds the sha256 of its sources, computed as frontend/build.mjs does:
in sorted path order every file under frontend/src plus frontend/package.json,
frontend/package-lock.json and frontend/build.mjs as ``<path>\\0<content>\\0``, then the panel
section of translations/en.json (bundled as the English strings) as canonical JSON.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
import re

REPO = Path(__file__).parents[2]
FRONTEND = REPO / "frontend"
BUNDLE = REPO / "custom_components/ottoengine/frontend/ottoengine-panel.js"
TRANSLATIONS = "custom_components/ottoengine/translations/en.json"
FIRST_LINE = re.compile(r"// sources-sha256: ([0-9a-f]{64})")


def sources_hash() -> str:
    files = sorted(
        [
            *(path for path in (FRONTEND / "src").rglob("*") if path.is_file()),
            FRONTEND / "package.json",
            FRONTEND / "package-lock.json",
            FRONTEND / "build.mjs",
        ],
        key=lambda path: path.relative_to(REPO).as_posix(),
    )
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    panel = json.loads((REPO / TRANSLATIONS).read_text(encoding="utf-8"))["panel"]
    canonical = json.dumps(panel, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest.update(f"{TRANSLATIONS}#panel\0{canonical}\0".encode())
    return digest.hexdigest()


def test_the_shipped_bundle_is_built_from_the_current_sources() -> None:
    first_line = BUNDLE.read_text(encoding="utf-8").split("\n", 1)[0]
    match = FIRST_LINE.fullmatch(first_line)
    assert match, f"{BUNDLE.name} does not start with its sources' hash: {first_line[:80]!r}"
    assert match.group(1) == sources_hash(), (
        "the farm panel's bundle is older than its sources: run scripts/build-panel and commit "
        "custom_components/ottoengine/frontend/ottoengine-panel.js"
    )


def test_the_bundle_defines_the_panel_element() -> None:
    bundle = BUNDLE.read_text(encoding="utf-8")
    assert '"ottoengine-farm-panel"' in bundle


def test_every_string_key_the_sources_use_has_english_text() -> None:
    panel = json.loads((REPO / TRANSLATIONS).read_text(encoding="utf-8"))["panel"]

    def flat(tree: dict[str, object], prefix: str = "") -> set[str]:
        keys: set[str] = set()
        for key, value in tree.items():
            if isinstance(value, dict):
                keys |= flat(value, f"{prefix}{key}.")
            else:
                keys.add(f"{prefix}{key}")
        return keys

    known = flat(panel)
    used: set[str] = set()
    for path in (FRONTEND / "src").glob("*.ts"):
        # Literal keys: t("a.b"), localize("a.b"), t(`a.b`) without placeholders.
        used |= set(
            re.findall(r"""\b(?:t|localize)\(\s*["`]([a-z_]+\.[a-z_.]+)["`]""", path.read_text())
        )
    assert used, "no localised string found in the sources"
    assert used <= known, sorted(used - known)
