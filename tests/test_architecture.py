"""Import rules of CONTRIBUTING.md: data flows one way, no cycles, nothing outside the repo.

Every import in ``src/tradelever`` counts (module level, inside functions, under
``if TYPE_CHECKING:``), parsed with :mod:`ast` by ``tools/import_graph.py`` (the script
that also measures the graph).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The pipeline, lowest layer first: a module may import its own layer and those below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "base",
        (
            "tradelever",
            "tradelever.errors",
            "tradelever.checksums",
            "tradelever.schema",
            "tradelever.formatting",
            "tradelever.config",
            "tradelever.options",
            "tradelever.labels",
            "tradelever.data",
            "tradelever.sql",
        ),
    ),
    ("reference", ("tradelever.reference",)),
    ("sources", ("tradelever.sources",)),
    ("store", ("tradelever.store",)),
    ("analysis", ("tradelever.analysis",)),
    ("brief", ("tradelever.brief",)),
    ("api", ("tradelever.session", "tradelever.api")),
    ("interfaces", ("tradelever.interfaces", "tradelever.__main__")),
)

#: Cycles left to the work that owns the modules; each entry must disappear, not grow.
KNOWN_CYCLES = {
    # Brief.to_html()/to_markdown()/to_pdf() import the renderers, which import the model:
    # goes when the brief is split into one module per section (issue 10, item 8).
    frozenset(
        {
            "tradelever.brief.model",
            "tradelever.brief.render_html",
            "tradelever.brief.render_markdown",
            "tradelever.brief.render_pdf",
        }
    ),
}


def _load_tool() -> ModuleType:
    path = ROOT / "tools" / "import_graph.py"
    spec = importlib.util.spec_from_file_location("import_graph", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building
    spec.loader.exec_module(module)
    return module


TOOL = _load_tool()
GRAPH = TOOL.build()


def layer_of(module: str) -> int:
    """Index in LAYERS of a module (the longest matching prefix wins)."""
    best, length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    assert best is not None, f"{module} is in no layer of tests/test_architecture.py"
    return best


def test_every_module_has_a_layer() -> None:
    for module in GRAPH.modules:
        layer_of(module)


def test_no_import_up_the_pipeline() -> None:
    upward = [
        f"{e.source} ({LAYERS[layer_of(e.source)][0]}) imports {e.target} "
        f"({LAYERS[layer_of(e.target)][0]}) at line {e.line}"
        for e in GRAPH.edges
        if (e.source, e.target) not in TOOL.FACADE and layer_of(e.target) > layer_of(e.source)
    ]
    assert upward == []


def test_no_import_cycles() -> None:
    found = {frozenset(c) for c in TOOL.cycles(GRAPH, set(TOOL.FACADE))}
    assert found - KNOWN_CYCLES == set(), "new import cycle"
    assert KNOWN_CYCLES - found == set(), "a known cycle is gone: remove it from KNOWN_CYCLES"


def test_the_rules_catch_what_they_should(tmp_path: Path) -> None:
    # A synthetic package: an upward import, a function-level one, and a two-module cycle.
    pkg = tmp_path / "tradelever"
    (pkg / "analysis").mkdir(parents=True)
    (pkg / "store").mkdir()
    for folder in (pkg, pkg / "analysis", pkg / "store"):
        (folder / "__init__.py").write_text("")
    (pkg / "store" / "a.py").write_text("def f():\n    from tradelever.analysis import b\n")
    (pkg / "analysis" / "b.py").write_text("from tradelever.store import a\n")
    graph = TOOL.build(pkg)
    edges = {(e.source, e.target, e.toplevel) for e in graph.edges}
    assert ("tradelever.store.a", "tradelever.analysis.b", False) in edges
    assert ("tradelever.analysis.b", "tradelever.store.a", True) in edges
    assert TOOL.cycles(graph) == [["tradelever.analysis.b", "tradelever.store.a"]]
    assert layer_of("tradelever.analysis.b") > layer_of("tradelever.store.a")


# -- nothing outside the repository -------------------------------------------------------
# "/work/" followed by a name: a developer's path (a test may assert the bare prefix is absent).
_ABSOLUTE = re.compile(r"/work/\w")
# A relative path to a folder beside the repository (reference material on a developer's
# machine) points at files users do not have; a path that names a file next to the one
# naming it (``../SOURCES.json`` in a packaged list) is inside the package, and hostile
# inputs in tests (``../x``, ``../datasets/x``) name no folder's content that exists.
_CLIMB = re.compile(r"(?:\.\./)+[\w.-]+/[\w.-]+")
# The same folder named without the climb (``<folder>/<file>`` of a sibling of the repository).
# The second part starts with a letter or digit: ``deals/.`` names a folder, not its content.
_TWO_PARTS = re.compile(r"(?<![\w./-])([\w.-]+)/(\w[\w.-]*)")


def _outside(path: Path, line: str) -> bool:
    if _ABSOLUTE.search(line):
        return True
    for match in _CLIMB.finditer(line):
        target = match.group(0)
        if (path.parent / target).exists():
            continue
        beside = (ROOT / target).resolve()
        if beside.parent.parent == ROOT.parent and beside.parent != ROOT and beside.exists():
            return True
    for folder, name in _TWO_PARTS.findall(line):
        if folder not in (ROOT.name, ".", "..") and (ROOT.parent / folder / name).exists():
            return True
    return False


@pytest.mark.parametrize("folder", ["src", "tests"])
def test_no_reference_to_files_outside_the_repository(folder: str) -> None:
    hits = []
    for path in sorted((ROOT / folder).rglob("*")):
        if not path.is_file() or path.suffix in (".pyc", ".png", ".pdf", ".npz", ".parquet"):
            continue
        if path == Path(__file__):
            continue  # this test describes the paths it looks for
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if _outside(path, line):
                hits.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert hits == []
