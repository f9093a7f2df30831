"""ruff (lint and format) and strict mypy stay clean: one suite runs them with the tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    on_path = shutil.which(name)
    if on_path is None:
        pytest.fail(f"{name} is not installed; it is in the project's test extra")
    return on_path


@pytest.mark.parametrize(
    "command",
    [
        ("ruff", "check", "."),
        ("ruff", "format", "--check", "."),
        # Strict mypy from cold (as on a fresh clone) takes 7 CPU-s, 12 s beside the other
        # workers: marked slow so it starts early in a run instead of holding up its end.
        pytest.param(("mypy",), marks=pytest.mark.slow),
    ],
    ids=["ruff-check", "ruff-format", "mypy-strict"],
)
def test_tool_is_clean(command: tuple[str, ...]) -> None:
    result = subprocess.run(
        [_tool(command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("tool", ["ruff", "mypy", "types-PyYAML"])
def test_the_checks_run_with_the_pinned_versions(tool: str) -> None:
    """The test extra pins each checker exactly, and the one installed is that one: a release
    with new rules cannot turn an unchanged tree red, and a stale install cannot hide one."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]["test"]
    pins = [
        match.group(1)
        for spec in extra
        if (match := re.fullmatch(rf"{re.escape(tool)}==([\w.]+)", spec)) is not None
    ]
    assert len(pins) == 1, f"{tool} is not pinned with == in the test extra: {extra}"
    assert version(tool) == pins[0], (
        f"{tool} {version(tool)} is installed, the extra pins {pins[0]}"
    )
