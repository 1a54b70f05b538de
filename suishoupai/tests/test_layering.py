"""The layering, checked on the source: interfaces above the core, no cycles.

Every `import` and `from … import` in the package (also inside functions, also
relative ones) is read with the ast module, so the rules need no tool beyond the
standard library and see the lazy imports a runtime check would miss. Tests,
migrations and the project wiring (settings, urls, wsgi) are left out.

    interfaces   api/, web/ (citizen, console, …), open311/, wechat/: each audience's
                 way in. They import the core, never each other; web/ never api/.
    demo/        demo data for every app: imports the core, is imported by nobody.
    the core     every other app (cases, catalog, city, org, places, photos, notify,
                 timelimits, and the shared errors/ratelimit/encoders modules):
                 never imports an interface or demo/.
    no cycles    between apps. A `signals` module is its own node: it is a contract
                 without dependencies that listeners import to subscribe (photos and
                 notify connect to cases.signals; cases imports none of its listeners).
"""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = "suishoupai"
ROOT = Path(__file__).resolve().parents[1]
INTERFACES = {"api", "web", "open311", "wechat"}
# Web pages are interfaces of their own (citizen, console, public, …): web.<name>.
SPLIT = {"web"}
WIRING = {"settings", "urls", "wsgi", "conftest", "factories", "pytest_env"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_checked(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    return not ({"tests", "migrations"} & set(parts)) and parts[0].removesuffix(".py") not in WIRING


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".")
    package = package[: len(package) - node.level + (1 if _is_package(module) else 0)]
    return ".".join(package + ([node.module] if node.module else []))


def _is_package(module: str) -> bool:
    return (ROOT.parent / module.replace(".", "/") / "__init__.py").exists()


def _exists(module: str) -> bool:
    base = ROOT.parent / module.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of a module of the package."""
    module = _module_name(path)
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module, node)
            # `from x import y` imports the module x.y when there is one.
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.append((node.lineno, sub if _exists(sub) else target))
    return [(line, name) for line, name in found if name.split(".")[0] == PACKAGE]


def unit(module: str) -> str:
    """The node a module belongs to: its app, web.<audience>, or <app>.signals."""
    parts = module.split(".")[1:]
    if not parts:
        return PACKAGE
    if parts[0] in SPLIT and len(parts) > 1 and _is_package(f"{PACKAGE}.{parts[0]}.{parts[1]}"):
        return f"{parts[0]}.{parts[1]}"
    if len(parts) > 1 and parts[1] == "signals":
        return f"{parts[0]}.signals"
    return parts[0]


def kind(node: str) -> str:
    top = node.split(".")[0]
    if top in INTERFACES:
        return "interface"
    return "demo" if top == "demo" else "core"


def edges() -> dict[tuple[str, str], list[str]]:
    """(from node, to node) → where: "module.py:line imports target"."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(ROOT.rglob("*.py")):
        if not _is_checked(path):
            continue
        source = unit(_module_name(path))
        for line, target in imports_of(path):
            dest = unit(target)
            if dest not in (source, PACKAGE):
                where = f"{path.relative_to(ROOT.parent)}:{line} imports {target}"
                found[(source, dest)].append(where)
    return found


def broken_rules(graph: dict[tuple[str, str], list[str]]) -> list[str]:
    wrong = []
    for (source, dest), where in graph.items():
        if kind(source) == "core" and kind(dest) != "core":
            wrong += [f"the core imports {kind(dest)} {dest}: {w}" for w in where]
        if kind(source) == "interface" and kind(dest) != "core":
            wrong += [f"interface {source} imports {kind(dest)} {dest}: {w}" for w in where]
        if dest == "demo":
            wrong += [f"{source} imports demo data: {w}" for w in where]
    return wrong


def cycles(graph: dict[tuple[str, str], list[str]]) -> list[list[str]]:
    """Groups of nodes that import each other, directly or around a loop (Tarjan)."""
    following: dict[str, set[str]] = defaultdict(set)
    for source, dest in graph:
        following[source].add(dest)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(following[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(set(following) | {d for targets in following.values() for d in targets}):
        if node not in index:
            visit(node)
    return groups


@pytest.fixture(scope="module")
def graph():
    return edges()


def test_it_reads_the_imports_of_the_whole_package(graph):
    # A guard for the guard: the walk must see the layers it checks.
    assert "api.staff" not in {s for s, _d in graph}  # api is one node
    assert ("web.console", "cases") in graph
    assert ("api", "cases") in graph
    assert ("photos", "cases.signals") in graph and ("notify", "cases.signals") in graph


def test_the_core_never_imports_an_interface_and_interfaces_never_import_each_other(graph):
    assert broken_rules(graph) == []


def test_no_two_apps_import_each_other(graph):
    loops = cycles(graph)
    where = {
        f"{a} -> {b}": graph[(a, b)][:3]
        for group in loops
        for a in group
        for b in group
        if (a, b) in graph
    }
    assert loops == [], where


def test_cases_imports_none_of_its_listeners_and_photos_only_its_signals(graph):
    assert ("cases", "notify") not in graph
    assert ("photos", "cases") not in graph
    assert ("notify", "cases.signals") in graph  # notify listens; it is never called


def test_the_rules_catch_a_core_app_importing_an_interface():
    graph = {("cases", "api"): ["suishoupai/cases/x.py:1 imports suishoupai.api.staff"]}
    assert broken_rules(graph) == [
        "the core imports interface api: suishoupai/cases/x.py:1 imports suishoupai.api.staff"
    ]
    assert cycles({("cases", "photos"): [], ("photos", "cases"): []}) == [["cases", "photos"]]
