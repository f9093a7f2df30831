"""The README's set-up stays true: CI runs exactly its test command, and its paths exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "README's Set up section has no sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_setup_is_two_commands() -> None:
    assert len(_setup_commands()) == 2


def test_ci_runs_the_readme_test_command() -> None:
    test_command = _setup_commands()[1]
    ci_lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert ci_lines[-1] == test_command


def test_first_command_opens_the_seed_article() -> None:
    first = _setup_commands()[0]
    seed = re.search(r"seeds/\S+", first)
    assert seed is not None
    assert (ROOT / seed.group(0)).is_file()


def test_readme_screenshot_exists() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", readme)
    assert images
    for image in images:
        assert (ROOT / image).is_file(), image
