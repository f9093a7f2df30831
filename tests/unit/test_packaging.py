"""The wheel is named as reader is installed, and ships the seeds and themes, so an installed
`reader` finds them from any folder."""

from __future__ import annotations

import ast
import tomllib
import zipfile
from pathlib import Path

from reader import DISTRIBUTION, __version__

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_seeds_and_themes(wheel: Path) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert wheel.name.startswith(project["name"].replace("-", "_") + "-")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        seed = "reader/_data/seeds/000_23062d0d2c77e25f.txt"
        assert seed in names
        shipped = archive.read(seed)
        entry_points = next(n for n in names if n.endswith("entry_points.txt"))
        launcher = archive.read(entry_points).decode()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        headers = archive.read(metadata).decode().split("\n\n")[0].splitlines()
    assert shipped == (ROOT / "seeds" / "000_23062d0d2c77e25f.txt").read_bytes()
    theme_files = {n for n in names if n.startswith("reader/_data/themes/")}
    assert theme_files, "no themes in the wheel"
    assert "reader/cli.py" in names
    assert "reader = reader.cli:main" in launcher
    assert f"Name: {DISTRIBUTION}" in headers
    assert f"Version: {__version__}" in headers


def test_python_bidi_is_a_test_dependency_only() -> None:
    """reader implements the bidi algorithm itself; python-bidi is the tests' oracle."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = [requirement.split(">")[0].split("=")[0] for requirement in project["dependencies"]]
    assert "python-bidi" not in names
    assert any(r.startswith("python-bidi") for r in project["optional-dependencies"]["test"])
    for path in (ROOT / "reader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                assert all(alias.name.split(".")[0] != "bidi" for alias in node.names), path
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                assert (node.module or "").split(".")[0] != "bidi", path
