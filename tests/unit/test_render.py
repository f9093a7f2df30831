"""`reader render` and render_lines: the article as the terminal shows it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from reader.text.layout import layout
from reader.text.render import paragraphs_of, render_lines

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"


def run_reader(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m reader ...` in a real subprocess."""
    environment = {key: value for key, value in os.environ.items() if key != "READER_BIDI"}
    environment.update({"READER_DB": "/nonexistent/reader.json", **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        timeout=60,
        check=False,
    )


def test_render_lines_layout_and_blank_line_between_paragraphs() -> None:
    paragraphs = ["مرحبا بالعالم", "", "hello world"]
    lines = render_lines(paragraphs, 20)
    first = layout("مرحبا بالعالم", 20)[0]
    assert lines == [" " * first.indent + first.text, "", "hello world"]
    assert all(line == line.rstrip() for line in lines)


def test_paragraphs_are_non_blank_lines() -> None:
    assert paragraphs_of("a\n\n  \nb\r\nc") == ["a", "b", "c"]


def test_render_command_matches_render_lines(tmp_path: Path) -> None:
    result = run_reader("render", str(SEED), "--width", "40")
    assert result.returncode == 0, result.stderr
    text = SEED.read_text(encoding="utf-8")
    expected = render_lines(paragraphs_of(text), 40)
    assert result.stdout.decode("utf-8").splitlines() == expected
    assert max(cell_len(line) for line in expected) <= 40


def test_render_reads_stdin_with_bom_and_modes() -> None:
    data = "\ufeffمرحبا (عالم)\nabc\n".encode()
    result = run_reader("render", "-", "--width", "20", stdin=data)
    assert result.returncode == 0
    assert result.stdout.decode("utf-8").splitlines() == render_lines(["مرحبا (عالم)", "abc"], 20)
    terminal = run_reader("render", "-", "--width", "20", "--bidi", "terminal", stdin=data)
    assert terminal.stdout.decode("utf-8").splitlines()[0] == " " * 8 + "مرحبا (عالم)"
    via_env = run_reader(
        "render", "-", "--width", "20", stdin=data, env={"READER_BIDI": "terminal"}
    )
    assert via_env.stdout == terminal.stdout
    global_flag = run_reader("--bidi", "terminal", "render", "-", "--width", "20", stdin=data)
    assert global_flag.stdout == terminal.stdout
    no_harakat = run_reader("render", "-", "--no-harakat", stdin="عَلَمٌ\n".encode())
    assert no_harakat.stdout.decode("utf-8").strip() == "\ufee2\ufee0\ufecb"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"\xff\xfe\x00bad", "is not UTF-8 text")],
)
def test_bad_input_is_one_sentence(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "article.txt"
    if content is not None:
        path.write_bytes(content)
    result = run_reader("render", str(path))
    assert result.returncode == 1
    error = result.stderr.decode("utf-8")
    assert error.startswith("reader: ") and message in error
    assert "Traceback" not in error and error.count("\n") == 1


def test_escape_sequences_in_a_file_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "evil.txt"
    path.write_text("خبر \x1b]0;pwned\x07عاجل\x1b[2J\x00 done\n", encoding="utf-8")
    result = run_reader("render", str(path), "--width", "30")
    assert result.returncode == 0
    assert b"\x1b" not in result.stdout and b"\x00" not in result.stdout
    assert b"pwned" not in result.stdout


def test_help_mentions_options() -> None:
    result = run_reader("render", "--help")
    assert result.returncode == 0
    for option in (b"--width", b"--bidi", b"--no-harakat"):
        assert option in result.stdout


def test_bad_bidi_environment_value_is_a_friendly_error() -> None:
    result = run_reader("render", "-", stdin=b"abc\n", env={"READER_BIDI": "sideways"})
    assert result.returncode == 1
    assert result.stderr.decode("utf-8").startswith("reader: READER_BIDI must be 'app' or")
