"""The dependency rule: domain ← store ← projections ← app, and nothing imports app."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"domain", "store", "projections", "app"}
MAY_IMPORT = {
    "domain": set(),
    "store": {"domain"},
    "projections": {"domain", "store"},
    "app": {"domain", "store", "projections"},
}
DOMAIN_THIRD_PARTY = {"eventsourcing"}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(OURS))
def test_each_layer_imports_only_the_layers_below_it(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        ours = (imports(path) & OURS) - {package}
        assert ours <= MAY_IMPORT[package], f"{path.relative_to(ROOT)} imports {ours}"


def test_the_domain_imports_only_the_standard_library_and_eventsourcing() -> None:
    for path in (ROOT / "domain").rglob("*.py"):
        outside = imports(path) - OURS - set(sys.stdlib_module_names) - DOMAIN_THIRD_PARTY
        assert not outside, f"{path.relative_to(ROOT)} imports {outside}"
