"""The import graph of the tradelever package: modules, edges, cycles, largest files.

Every ``import`` statement in ``src/tradelever`` counts, wherever it is (module level,
inside a function, under ``if TYPE_CHECKING:``), because a function-level import ties two
modules together as surely as a top-level one. An edge ``a -> b`` means module ``a``
imports module ``b`` (``from tradelever.x import name`` counts as an edge to
``tradelever.x.name`` when that is a module, else to ``tradelever.x``). Only imports of
tradelever's own modules count; the implicit import of a parent package does not.

Cycles are reported as strongly connected components of more than one module (every module
of a component can reach every other through imports), plus the mutual pairs. Imports under
``if TYPE_CHECKING:`` never run, so they count as edges (a dependency all the same) but not
towards cycles.

Usage::

    python tools/import_graph.py            # summary
    python tools/import_graph.py --json     # the same as JSON
    python tools/import_graph.py --edges    # also list every edge with its line numbers

``tests/test_architecture.py`` loads this file to check the import rules of CONTRIBUTING.md.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "tradelever"
SOURCE = ROOT / "src" / PACKAGE
#: The package root re-exports the public API lazily (``tradelever.leverage``): that edge
#: runs only when a user asks for the name, and no module depends on it.
FACADE = frozenset({(PACKAGE, f"{PACKAGE}.api")})


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line``.

    ``toplevel``: at module level (not inside a function); ``type_only``: under
    ``if TYPE_CHECKING:`` (never executed).
    """

    source: str
    target: str
    line: int
    toplevel: bool
    type_only: bool = False


@dataclass
class Graph:
    """Modules (name -> file) and the import edges between them."""

    files: dict[str, Path] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    @property
    def modules(self) -> list[str]:
        """Module names, sorted."""
        return sorted(self.files)

    def adjacency(self, *, runtime: bool = False) -> dict[str, set[str]]:
        """Module -> modules it imports (self-imports dropped; ``runtime``: no type-only)."""
        out: dict[str, set[str]] = {m: set() for m in self.files}
        for e in self.edges:
            if e.source != e.target and not (runtime and e.type_only):
                out[e.source].add(e.target)
        return out

    def edge_pairs(self) -> set[tuple[str, str]]:
        """Distinct (importer, imported) pairs."""
        return {(e.source, e.target) for e in self.edges if e.source != e.target}


def module_name(path: Path, source: Path = SOURCE) -> str:
    """``src/tradelever/a/b.py`` -> ``tradelever.a.b``; a package's ``__init__`` -> the package."""
    parts = list(path.relative_to(source.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _type_only_nodes(tree: ast.Module) -> set[int]:
    """ids of import nodes inside ``if TYPE_CHECKING:`` blocks."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        found.add(id(sub))
    return found


def _toplevel_nodes(tree: ast.Module) -> set[int]:
    """ids of import nodes executed when the module is imported (not inside a function)."""
    found: set[int] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.add(id(child))
            visit(child)

    visit(tree)
    return found


def _targets(
    node: ast.Import | ast.ImportFrom, module: str, is_package: bool, modules: set[str]
) -> Iterable[str]:
    """Modules an import statement loads: per name, the submodule if it is one, else its parent."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    base = node.module or ""
    if node.level:
        anchor = module.split(".") if is_package else module.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        yield sub if sub in modules else base


def build(source: Path = SOURCE) -> Graph:
    """Parse every module under ``source`` and collect its imports of the package."""
    graph = Graph()
    trees: dict[str, tuple[ast.Module, bool]] = {}
    for path in sorted(source.rglob("*.py")):
        name = module_name(path, source)
        graph.files[name] = path
        trees[name] = (ast.parse(path.read_text("utf-8"), str(path)), path.name == "__init__.py")
    modules = set(graph.files)
    for name, (tree, is_package) in trees.items():
        toplevel = _toplevel_nodes(tree)
        type_only = _type_only_nodes(tree)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target in dict.fromkeys(_targets(node, name, is_package, modules)):
                if target in modules:
                    graph.edges.append(
                        Edge(name, target, node.lineno, id(node) in toplevel, id(node) in type_only)
                    )
    return graph


def strongly_connected(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components (iterative), each sorted, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(adjacency):
        if root in index:
            continue
        work = [(root, iter(sorted(adjacency[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency[child]))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                out.append(sorted(component))
    return sorted(out, key=lambda c: (-len(c), c))


def cycles(graph: Graph, ignore: set[tuple[str, str]] | None = None) -> list[list[str]]:
    """Strongly connected components of more than one module (runtime imports only).

    ``ignore``: edges left out (the package root's lazy re-export of its public API).
    """
    adjacency = graph.adjacency(runtime=True)
    for source, target in ignore or set():
        adjacency.get(source, set()).discard(target)
    return [c for c in strongly_connected(adjacency) if len(c) > 1]


def mutual_pairs(graph: Graph) -> list[tuple[str, str]]:
    """Pairs of modules that import each other (runtime imports only)."""
    pairs = {(e.source, e.target) for e in graph.edges if not e.type_only}
    return sorted((a, b) for a, b in pairs if a < b and (b, a) in pairs)


def largest(graph: Graph, n: int = 10) -> list[tuple[str, int]]:
    """The ``n`` longest modules by line count."""
    sizes = [(m, len(p.read_text("utf-8").splitlines())) for m, p in graph.files.items()]
    return sorted(sizes, key=lambda s: (-s[1], s[0]))[:n]


def summary(graph: Graph) -> dict[str, object]:
    """Counts, cycles and largest files as a JSON-ready dict."""
    pairs = graph.edge_pairs()
    function_level = {(e.source, e.target) for e in graph.edges if not e.toplevel} - {
        (e.source, e.target) for e in graph.edges if e.toplevel
    }
    comps = cycles(graph, set(FACADE))
    return {
        "modules": len(graph.files),
        "lines": sum(len(p.read_text("utf-8").splitlines()) for p in graph.files.values()),
        "edges": len(pairs),
        "edges_function_level_only": len(function_level),
        "import_statements": len(graph.edges),
        "cycles": len(comps),
        "modules_in_cycles": sum(len(c) for c in comps),
        "cycle_components": comps,
        "mutual_pairs": [list(p) for p in mutual_pairs(graph)],
        "largest_files": [
            {"module": m, "lines": n, "path": str(graph.files[m].relative_to(ROOT))}
            for m, n in largest(graph)
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--edges", action="store_true", help="also list every edge")
    args = parser.parse_args(argv)
    graph = build()
    data = summary(graph)
    if args.json:
        if args.edges:
            data["edge_list"] = [e.__dict__ for e in graph.edges]
        print(json.dumps(data, indent=2))
        return 0
    print(f"modules: {data['modules']} ({data['lines']} lines)")
    print(
        f"import edges (distinct module pairs): {data['edges']}, of which "
        f"{data['edges_function_level_only']} only inside functions; "
        f"{data['import_statements']} import statements"
    )
    print(
        f"cycles (strongly connected components, runtime imports, the root's lazy re-export "
        f"of the API left out): {data['cycles']}"
    )
    for comp in data["cycle_components"]:  # type: ignore[union-attr]
        print(f"  {len(comp)} modules: {', '.join(comp)}")
    for a, b in data["mutual_pairs"]:  # type: ignore[union-attr]
        print(f"  mutual: {a} <-> {b}")
    print("largest files:")
    for item in data["largest_files"]:  # type: ignore[union-attr]
        print(f"  {item['lines']:5d}  {item['path']}")
    if args.edges:
        for e in graph.edges:
            where = "" if e.toplevel else " (in a function)"
            print(f"{e.source} -> {e.target} line {e.line}{where}")
    print("reproduce: python tools/import_graph.py [--json] [--edges]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
