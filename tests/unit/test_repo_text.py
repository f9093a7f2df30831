"""Comments, docstrings and documents say what the code does, not which issue asked for it:
an issue number (or a section of one) means nothing to a reader of the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("reader", "tests", "tools", "benchmarks", "themes", "seeds")
FILES = ("README.md", "pyproject.toml")
SUFFIXES = frozenset({".py", ".md", ".toml", ".tcss", ".txt", ".cfg", ".ini"})
SKIPPED = ("__snapshots__", "__pycache__")

ISSUE_REFERENCE = re.compile(r"\bissues?\s*#?\d+|\bissue\s+§|§\s*\d+", re.IGNORECASE)


def _texts() -> list[Path]:
    found = [ROOT / name for name in FILES if (ROOT / name).is_file()]
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*")):
            if (
                path.suffix in SUFFIXES
                and path.is_file()
                and not any(part in SKIPPED for part in path.parts)
            ):
                found.append(path)
    return found


def test_the_walk_finds_the_sources() -> None:
    """Guard against the check below covering nothing."""
    names = {path.relative_to(ROOT).as_posix() for path in _texts()}
    assert {"README.md", "reader/cli.py", "tests/unit/test_repo_text.py"} <= names


def test_no_text_points_at_an_issue_number() -> None:
    found = []
    for path in _texts():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if ISSUE_REFERENCE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "say what it covers instead:\n" + "\n".join(found)
