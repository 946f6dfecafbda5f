"""The library's modules import one way: no module imports a module that imports it back.

Every import counts, also one inside a function (it runs when the function does); only
``if TYPE_CHECKING:`` blocks are left out, since they never run. Importing ``a.b.c`` also
runs the package ``a.b`` (its ``__init__``), so that counts as an import of ``a.b`` too,
unless the importing module lives in ``a.b`` itself (then it is already running). The top
package ``chaingraph`` (the public API, which re-exports everything) is left out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parent.parent / "src"
TOP = "chaingraph"


def module_names() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted((SRC / TOP).rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    out: list[ast.Import | ast.ImportFrom] = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            out.extend(_imports(ast.Module(body=node.orelse, type_ignores=[])))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            out.append(node)
        out.extend(_imports(node))
    return out


def imported_by(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports (with the subpackages that run)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = package
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        stem = node.module or ""
        origin = (f"{base}.{stem}" if stem else base) if node.level else stem
        for alias in node.names:
            sub = f"{origin}.{alias.name}"
            targets.add(sub if sub in modules else origin)
    # a package the module itself lives in is already running: importing it is no new edge
    own = {name.rsplit(".", i)[0] for i in range(name.count(".") + 1)}
    found = set()
    for target in targets:
        while target and target != TOP:
            if target in modules and target not in own:
                found.add(target)
            target = target.rpartition(".")[0]
    return found


def import_graph() -> nx.DiGraph[str]:
    modules = module_names()
    G: nx.DiGraph[str] = nx.DiGraph()
    G.add_nodes_from(modules)
    for name, path in modules.items():
        G.add_edges_from((name, target) for target in imported_by(name, path, modules))
    return G


def test_the_import_graph_is_read_right() -> None:
    G = import_graph()
    assert G.has_edge("chaingraph.store.neo4j_store", "chaingraph.store.neo4j_sync")
    assert G.has_edge("chaingraph.cli._analysis", "chaingraph.analysis.leaders")  # in a function
    assert G.has_edge("chaingraph.cli._analysis", "chaingraph.analysis")  # the package runs
    code = "if TYPE_CHECKING:\n    import a\nelse:\n    import b\ndef f():\n    import c\n"
    assert [n.names[0].name for n in _imports(ast.parse(code))] == ["b", "c"]  # type-only: no


def test_no_module_imports_a_module_that_imports_it_back() -> None:
    G = import_graph()
    cycles = sorted(sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1)
    assert cycles == []


def test_the_package_map_lists_every_module_once() -> None:
    """src/chaingraph/__init__.py maps the layout, one line a module: keep it whole."""
    import chaingraph

    doc = chaingraph.__doc__ or ""
    listed = [line.split()[0] for line in doc.splitlines() if line.startswith("    ")]
    files = sorted(str(p.relative_to(SRC / TOP)) for p in (SRC / TOP).rglob("*.py"))
    files.remove("__init__.py")  # the map itself
    assert sorted(listed) == files


def test_every_import_points_down_the_package_map() -> None:
    """The map in chaingraph/__init__.py is in import order: a module imports only modules
    listed below it, so the layers of the package read top to bottom."""
    import chaingraph

    doc = chaingraph.__doc__ or ""
    listed = [line.split()[0] for line in doc.splitlines() if line.startswith("    ")]
    names = [TOP + "." + f.removesuffix(".py").replace("/", ".") for f in listed]
    position = {n.removesuffix(".__init__"): i for i, n in enumerate(names)}
    upward = [
        f"{u} imports {v}"
        for u, v in import_graph().edges()
        if u in position and v in position and position[v] < position[u]
    ]
    assert upward == []
