"""The package's dependencies point one way: LAYERS below is the rule, read from the source.

Every import of a `reader` module is found by walking each file's syntax tree: at the top,
inside functions (lazy imports), under `TYPE_CHECKING`, and `importlib.import_module` of a
literal name. A module may import modules of its own layer or of a layer below it, never
above; there is no import cycle between modules; the pure serialisers touch neither the
store nor files; and the core never imports Textual (checked in a fresh interpreter too).
"""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import reader

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # layer       modules and packages (a package holds every module under it)
    (
        "entry",
        ("reader.__main__", "reader.cli"),
    ),  # reads the command line, runs a command or the app
    ("ui", ("reader.ui",)),  # the Textual app: screens, widgets
    ("commands", ("reader.commands",)),  # one module per subcommand: arguments in, lines out
    (
        "services",
        ("reader.ingest", "reader.notes", "reader.entities", "reader.search", "reader.store"),
    ),
    ("text", ("reader.text",)),  # bidi, shaping, layout, sanitising: nothing of the folders above
    ("core", ("reader", "reader.models", "reader.errors", "reader.paths", "reader.files")),
)
"""Top first. Imports go down the table or stay in their row, never up."""

KNOWN_CYCLES: dict[str, str] = {}
"""Folders whose import cycles are known and being removed: their cycle check is a strict
xfail, so it fails the suite as soon as the cycle is gone and the entry is still here."""

PURE_MODULES = ("reader.notes.anchors", "reader.notes.markdown", "reader.notes.webanno")
"""Serialisers and anchoring: records in, text or JSON values out; no store, no files."""

IMPURE_IMPORTS = frozenset(
    {"io", "os", "shutil", "tempfile", "platformdirs", "reader.store", "reader.ingest.library"}
)
"""What a pure module must not import (pathlib only for its Pure* classes)."""

PACKAGE_ROOT = Path(reader.__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Import:
    """One import of a module by a module: `source` imports `target` at `where` (file:line)."""

    source: str
    target: str
    where: str


def _module_files() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its `__init__.py`)."""
    files: dict[str, Path] = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


MODULES = _module_files()


def _known(name: str) -> str | None:
    """The deepest module of the package that `name` (a module or a name in one) lies in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _literal_prefix(node: ast.expr) -> str | None:
    """A literal module name, or the literal start of an f-string naming one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value.rstrip(".")
    return None


@functools.cache
def _imported_names(module: str, path: Path) -> tuple[tuple[str, int], ...]:
    """Every dotted name `module` imports (of any package), with its line (each file is read
    once per process)."""
    return tuple(_walk_imported_names(module, path))


def _walk_imported_names(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """The syntax-tree walk behind `_imported_names`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parents = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parents, base] if base else parents)
            for alias in node.names:
                yield f"{base}.{alias.name}", node.lineno
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            literal = _literal_prefix(node.args[0])
            if name in ("import_module", "__import__") and literal:
                yield literal, node.lineno


@functools.cache
def imports() -> list[Import]:
    """Every import of one of the package's modules by another (read once per process, when a
    test first asks: parsing every module is a test's work, not collection's)."""
    found: list[Import] = []
    for module, path in MODULES.items():
        where = path.relative_to(PACKAGE_ROOT.parent)
        for name, line in _imported_names(module, path):
            target = _known(name) if name == "reader" or name.startswith("reader.") else None
            if target is not None and target != module:
                found.append(Import(module, target, f"{where}:{line}"))
    return found


def layer_of(module: str) -> int | None:
    """The row of LAYERS `module` belongs to (0 is the top), by its longest listed prefix."""
    best: tuple[int, int] | None = None
    for rank, (_, entries) in enumerate(LAYERS):
        for entry in entries:
            inside = module == entry or (entry != "reader" and module.startswith(entry + "."))
            if inside and (best is None or len(entry) > best[1]):
                best = (rank, len(entry))
    return None if best is None else best[0]


def _cycles() -> list[list[str]]:
    """The import graph's strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for edge in imports():
        graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _folder(module: str) -> str:
    """`reader.ui` for `reader.ui.screens.help`; `reader` for top-level modules."""
    head = ".".join(module.split(".")[:2])
    return head if head in FOLDERS else "reader"


FOLDERS = sorted(
    {".".join(m.split(".")[:2]) for m in MODULES if MODULES[m].name == "__init__.py"} - {"reader"}
)
CYCLE_CASES = [
    pytest.param(
        folder,
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_CYCLES[folder])]
        if folder in KNOWN_CYCLES
        else [],
        id=folder,
    )
    for folder in ["reader", *FOLDERS]
]


def test_the_walk_finds_the_package_and_its_imports() -> None:
    """Guard against the checks silently covering nothing."""
    assert {"reader.models", "reader.cli", "reader.ui.app", "reader.notes.markdown"} <= set(MODULES)
    edges = {(edge.source, edge.target) for edge in imports()}
    assert ("reader.notes.importer", "reader.notes.anchors") in edges  # a top-level import
    assert ("reader.cli", "reader.ui.app") in edges  # a lazy import inside a function
    assert (
        "reader.cli",
        "reader.commands",
    ) in edges  # importlib.import_module(f"reader.commands.")
    assert set(KNOWN_CYCLES) <= set(FOLDERS)


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(module for module in MODULES if layer_of(module) is None)
    assert not unplaced, f"add these to LAYERS at the top of this file: {unplaced}"


def test_imports_never_point_up() -> None:
    upward = []
    for edge in imports():
        source, target = layer_of(edge.source), layer_of(edge.target)
        if source is not None and target is not None and target < source:
            upward.append(
                f"{edge.where}: {edge.source} ({LAYERS[source][0]}) imports "
                f"{edge.target} ({LAYERS[target][0]})"
            )
    assert not upward, "imports pointing up the layers:\n" + "\n".join(upward)


@pytest.mark.parametrize("folder", CYCLE_CASES)
def test_no_import_cycles(folder: str) -> None:
    """No module reaches itself through imports (cycles within one folder are reported under
    that folder; cycles that cross folders, or among top-level modules, under `reader`)."""
    cycles = []
    for component in _cycles():
        folders = {_folder(module) for module in component}
        if (folders == {folder}) or (folder == "reader" and len(folders) > 1):
            members = set(component)
            lines = sorted(
                {
                    f"  {edge.where}: {edge.source} -> {edge.target}"
                    for edge in imports()
                    if edge.source in members and edge.target in members
                }
            )
            cycles.append(f"{component}:\n" + "\n".join(lines))
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_serialisers_are_pure(module: str) -> None:
    """No store, no file system: records in, text out (the services do the rest)."""
    bad = []
    path = MODULES[module]
    for name, line in _imported_names(module, path):
        impure = any(name == f or name.startswith(f + ".") for f in IMPURE_IMPORTS)
        if impure or name == "pathlib" or name.startswith("pathlib.Path"):
            bad.append(f"{path.name}:{line}: imports {name}")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "open"
        ):
            bad.append(f"{path.name}:{node.lineno}: calls open()")
    assert not bad, "\n".join(bad)


CORE_MODULES = sorted(
    module
    for module in MODULES
    if module != "reader" and not module.startswith("reader.ui") and module != "reader.__main__"
)


def test_core_modules_are_found() -> None:
    """Guard against the check silently covering nothing."""
    assert "reader.models" in CORE_MODULES
    assert "reader.cli" in CORE_MODULES


def test_only_the_ui_imports_textual() -> None:
    """The static half of the check below: no `import textual` outside reader.ui."""
    bad = [
        f"{path.relative_to(PACKAGE_ROOT.parent)}:{line}: imports {name}"
        for module, path in MODULES.items()
        if not module.startswith("reader.ui")
        for name, line in _imported_names(module, path)
        if name == "textual" or name.startswith("textual.")
    ]
    assert not bad, "\n".join(bad)


_TEXTUAL_PULLED_IN_BY = """
import importlib, sys
for module in sys.argv[1:]:
    importlib.import_module(module)
    loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
    if loaded:
        print(module, ",".join(loaded))
        break
"""


def _textual_importers(modules: list[str]) -> list[str]:
    """Each module of `modules` whose import loads Textual, with what it loads. One fresh
    interpreter imports them in turn and stops at the first that loads Textual (it was not
    loaded before, so that import pulled it in); the next interpreter goes on after it."""
    found: list[str] = []
    rest = modules
    while rest:
        result = subprocess.run(
            [sys.executable, "-c", _TEXTUAL_PULLED_IN_BY, *rest],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        if not result.stdout.strip():
            break
        module, loaded = result.stdout.split()
        found.append(f"{module} pulls in {loaded}")
        rest = rest[rest.index(module) + 1 :]
    return found


def test_core_modules_do_not_import_textual() -> None:
    """The dynamic half: importing any core module in a fresh interpreter loads no Textual
    (not even through a third-party package)."""
    bad = _textual_importers(CORE_MODULES)
    assert not bad, "\n".join(bad)


def test_the_store_stands_below_the_other_services() -> None:
    """The services use the store (through Protocols of what they need); the store uses none of
    them, so what it needs of theirs (the text hash recovery matches bodies by) lives in the
    core beside the records."""
    sideways = [
        f"{edge.where}: {edge.source} imports {edge.target}"
        for edge in imports()
        if edge.source.startswith("reader.store.")
        and layer_of(edge.target) == layer_of("reader.store")
        and not edge.target.startswith("reader.store")
    ]
    assert not sideways, "the store imports other services:\n" + "\n".join(sideways)
