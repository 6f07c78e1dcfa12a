"""The layers hold: HA-free packages import no Home Assistant, and no module import cycles.

The walk reads every module's imports as Python runs them (imports under ``TYPE_CHECKING`` are
for the type checker only and are left out) and fails on any cycle; the modules the runtime is
built from are also imported alone, each in a fresh interpreter.
"""

from __future__ import annotations

import ast
from pathlib import Path
import subprocess
import sys

import pytest

PACKAGE = Path(__file__).parents[2] / "custom_components" / "ottoengine"
ROOT = "custom_components.ottoengine"
HA_FREE = ("farm", "bambu", "moonraker", "printfile")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def _runtime_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it runs (not those under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text())
    package = _module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    base = f"{anchor}.{base}" if base else anchor
                found.add(base)
                found.update(f"{base}.{alias.name}" for alias in node.names)
            for field in ("body", "orelse", "finalbody", "handlers"):
                child = getattr(node, field, None)
                if isinstance(child, list) and child and isinstance(child[0], ast.stmt):
                    visit(child)

    visit(tree.body)
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


@pytest.mark.parametrize("package", HA_FREE)
def test_ha_free_packages_import_no_home_assistant(package: str) -> None:
    offenders = {
        name: sorted(i for i in _runtime_imports(path) | _all_imports(path) if _is_ha(i))
        for name, path in MODULES.items()
        if name == f"{ROOT}.{package}" or name.startswith(f"{ROOT}.{package}.")
    }
    assert offenders, package
    assert {name: found for name, found in offenders.items() if found} == {}


def _is_ha(module: str) -> bool:
    return module == "homeassistant" or module.startswith("homeassistant.")


def _all_imports(path: Path) -> set[str]:
    """Every import, including those for type checking only."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_no_import_cycle() -> None:
    graph = {
        name: sorted(
            {
                target
                for target in _runtime_imports(path)
                if target in MODULES and target != name and not name.startswith(f"{target}.")
            }
        )
        for name, path in MODULES.items()
    }
    assert graph[f"{ROOT}.runtime"], "the walk found no imports of runtime.py"
    state: dict[str, str] = {}
    cycles: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in graph[name]:
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in graph:
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize(
    "module",
    [
        "runtime",
        "device_sync",
        "printers.manager",
        "printers.commands",
        "ottoeject.manager",
        "racks.manager",
        "farm.ports",
    ],
)
def test_each_module_imports_alone(module: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", f"import {ROOT}.{module}"],
        cwd=PACKAGE.parents[1],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
