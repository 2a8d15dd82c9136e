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


def module_name(path: Path) -> str:
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return name.removesuffix(".__init__")


def runtime_imports(path: Path, modules: set[str]) -> set[str]:
    """Our modules a module imports when it runs (not under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    typing_only = {id(node) for branch in ast.walk(tree) if isinstance(branch, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(branch.test)
                   for node in ast.walk(branch)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = {f"{node.module}.{a.name}" for a in node.names} & modules
            # (`from package import module` needs the module, not what else the package holds)
            found |= submodules or {node.module}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return found & modules


def test_no_module_imports_itself_round_a_cycle() -> None:
    paths = {module_name(p): p for package in OURS for p in (ROOT / package).rglob("*.py")}
    graph = {name: runtime_imports(path, set(paths)) - {name} for name, path in paths.items()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in visiting:
            cycle = [*visiting[visiting.index(name):], name]
            pytest.fail("import cycle: " + " → ".join(cycle))
        if name in done:
            return
        visiting.append(name)
        for imported in sorted(graph[name]):
            visit(imported)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)


# app/graphql: the kit, then feature packages, each importing (at run time) only the kit and
# the packages before it. `schema.py` assembles them all.
GRAPHQL = ROOT / "app" / "graphql"
FEATURE_ORDER = ["kit", "core", "assessment", "accountability", "life", "standards", "members",
                 "pioneer", "member_record", "audit"]


def test_graphql_feature_packages_import_only_the_kit_and_the_packages_below() -> None:
    packages = {p.name for p in GRAPHQL.iterdir() if (p / "__init__.py").exists()}
    assert packages == set(FEATURE_ORDER), "a new package needs its place in FEATURE_ORDER"
    assert {p.name for p in GRAPHQL.glob("*.py")} == {"__init__.py", "schema.py"}
    modules = {module_name(p) for p in (ROOT / "app").rglob("*.py")}
    for rank, package in enumerate(FEATURE_ORDER):
        below = {f"app.graphql.{name}" for name in FEATURE_ORDER[:rank + 1]}
        for path in (GRAPHQL / package).glob("*.py"):
            for imported in runtime_imports(path, modules):
                if imported.startswith("app.graphql."):
                    owner = ".".join(imported.split(".")[:3])
                    assert owner in below, f"{path.relative_to(ROOT)} imports {imported}"


def test_every_mutation_is_declared_through_the_kits_write_helper() -> None:
    """A mutation is a plan for `kit.writes.write` (ids parsed once, one policy question, one
    use case), never a hand-written resolver that could forget the policy or the receipt."""
    from app.graphql.schema import Mutation

    definition = Mutation.__strawberry_definition__  # type: ignore[attr-defined]
    hand_written = [field.name for field in definition.fields
                    if field.base_resolver is None
                    or field.base_resolver.wrapped_func.__module__ != "app.graphql.kit.writes"]
    assert len(definition.fields) >= 50
    assert hand_written == []
