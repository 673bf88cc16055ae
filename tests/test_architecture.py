"""The shape of the code: the import graph has no cycle, and layers import only downward.

Layers, bottom to top: the core (reading, the model, the catalogs, the engine, the report
model, ...), then the renderers (`threatmodel.render`), then the application service
(`threatmodel.run`), then the commands and the command line. Every import counts, those inside
functions too (they still run); imports only for type checkers do not.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "threatmodel"
TOP = ("threatmodel.run", "threatmodel.commands", "threatmodel.cli", "threatmodel.__main__")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def _type_checking_only(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def imports_of(name: str) -> set[str]:
    """The threatmodel modules `name` imports at run time."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node, parents):
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target.startswith("threatmodel") and target != name:
                found.add(target)
    return found


GRAPH = {name: imports_of(name) for name in MODULES}


def is_package_of(parent: str, child: str) -> bool:
    return child.startswith(parent + ".")


def test_no_import_cycles():
    """No module reaches itself through imports (a package importing its own submodule, or a
    submodule its package, is not a cycle of responsibility and is left out)."""
    edges = {
        name: {t for t in targets if not is_package_of(t, name) and not is_package_of(name, t)}
        for name, targets in GRAPH.items()
    }
    cycles = []
    for start in edges:
        stack, seen = [(start, (start,))], set()
        while stack:
            node, path = stack.pop()
            for nxt in edges[node]:
                if nxt == start:
                    cycles.append(" -> ".join((*path, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    assert not cycles, "\n".join(sorted(set(cycles)))


def test_layers_import_only_downward():
    """The core never imports the renderers, the service or the commands; the renderers
    never import the service or the commands."""
    wrong = []
    for name, targets in GRAPH.items():
        in_render = name == "threatmodel.render" or name.startswith("threatmodel.render.")
        in_top = any(name == t or name.startswith(t + ".") for t in TOP)
        for target in targets:
            target_top = any(target == t or target.startswith(t + ".") for t in TOP)
            target_render = target == "threatmodel.render" or target.startswith(
                "threatmodel.render."
            )
            if (not in_top and target_top) or (not in_top and not in_render and target_render):
                wrong.append(f"{name} imports {target}")
    assert not wrong, "\n".join(sorted(wrong))
