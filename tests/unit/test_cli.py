"""The command line: --help and --version everywhere, paths, friendly errors."""

from __future__ import annotations

import argparse
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from reader import __version__
from reader.cli import COMMANDS, build_parser, command_of, split_open_target, subcommands

ROOT = Path(__file__).resolve().parents[2]


def _subcommand_paths(
    parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []
    for name, sub in subcommands(parser).items():
        paths.append((*prefix, name))
        paths.extend(_subcommand_paths(sub, (*prefix, name)))
    return paths


SUBCOMMANDS = _subcommand_paths(build_parser())


def _run(*args: str, env_db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = None
    if env_db is not None:
        import os

        env = {**os.environ, "READER_DB": str(env_db)}
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


def test_version_top_level() -> None:
    result = _run("--version")
    assert result.returncode == 0
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    # The command's name, its version, and the name to install it by (not `reader`, which on
    # the package index is another project).
    assert project["name"] != "reader"
    assert result.stdout.strip() == f"reader {__version__} ({project['name']})"


def test_help_says_where_the_database_is(tmp_path: Path) -> None:
    result = _run("--help")
    assert result.returncode == 0
    assert "READER_DB" in result.stdout
    assert "--db" in result.stdout


@pytest.mark.parametrize("path", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_has_help_and_version(path: tuple[str, ...]) -> None:
    parser = build_parser()
    for flag in ("--help", "--version"):
        with pytest.raises(SystemExit) as exit_info:
            parser.parse_args([*path, flag])
        assert exit_info.value.code == 0, (path, flag)


def test_resolve_db_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reader.paths import default_db_path, resolve_db_path

    monkeypatch.delenv("READER_DB", raising=False)
    assert resolve_db_path(None) == default_db_path()
    monkeypatch.setenv("READER_DB", str(tmp_path / "env.json"))
    assert resolve_db_path(None) == tmp_path / "env.json"
    assert resolve_db_path(str(tmp_path / "cli.json")) == tmp_path / "cli.json"


def test_shipped_folders_exist() -> None:
    from reader.paths import seeds_dir, themes_dir

    assert (seeds_dir() / "000_23062d0d2c77e25f.txt").is_file()
    assert themes_dir().is_dir()


@pytest.mark.parametrize(
    ("argv", "rest", "target"),
    [
        (["list"], ["list"], None),
        (["--db", "x.json", "list", "--json"], ["--db", "x.json", "list", "--json"], None),
        (["seeds/a.txt"], [], "seeds/a.txt"),
        (
            ["--db", "x.json", "--bidi", "terminal", "a.txt"],
            ["--db", "x.json", "--bidi", "terminal"],
            "a.txt",
        ),
        (
            ["https://example.com/feed", "--theme", "light"],
            ["--theme", "light"],
            "https://example.com/feed",
        ),
        ([], [], None),
    ],
)
def test_open_target_shorthand(argv: list[str], rest: list[str], target: str | None) -> None:
    assert split_open_target(argv, build_parser()) == (rest, target)


def test_unknown_subcommand_like_word_is_a_target_and_missing_file_is_one_sentence(
    tmp_path: Path,
) -> None:
    result = _run("--db", str(tmp_path / "db.json"), str(tmp_path / "missing.txt"))
    assert result.returncode == 1
    assert result.stderr.startswith("reader: ")
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_each_command_is_registered_by_the_module_named_for_it() -> None:
    """`main` registers only the module of the command it runs: the map must name every
    subcommand the full parser has, each with the module that registers it."""
    assert list(subcommands(build_parser())) == list(COMMANDS)
    for command in COMMANDS:
        alone = subcommands(build_parser(command))
        assert command in alone
        assert {COMMANDS[name] for name in alone} == {COMMANDS[command]}


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        (["render", "a.txt"], "render"),
        (["--db", "x.json", "--bidi", "app", "list"], "list"),
        (["--version"], None),
        (["-h", "render"], None),
        (["--help", "add"], None),
        (["render", "--help"], "render"),
        (["article.txt"], None),
        (["--theme", "render", "search", "q"], "search"),
        ([], None),
    ],
)
def test_the_command_run_is_found_before_parsing(argv: list[str], command: str | None) -> None:
    assert command_of(argv) == command


def test_help_before_a_command_still_lists_every_command() -> None:
    result = _run("--help", "render")
    assert result.returncode == 0, result.stderr
    listed = result.stdout.split("positional arguments:")[1]
    for command in COMMANDS:
        assert f"    {command} " in listed or f"    {command}\n" in listed
