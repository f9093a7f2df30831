"""The pure core never imports Textual: checked in a fresh interpreter per module."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import reader

CORE_MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(reader.__path__, prefix="reader.")
    if not info.name.startswith("reader.ui") and info.name != "reader.__main__"
)


def test_core_modules_are_found() -> None:
    """Guard against the check silently covering nothing."""
    assert "reader.models" in CORE_MODULES
    assert "reader.cli" in CORE_MODULES


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import sys, importlib\n"
        f"importlib.import_module({module!r})\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"
