"""Every command's output: shaped Arabic on a terminal, logical text on a pipe.

Each command runs as `python -m reader` twice: with stdout and stderr on a pseudo-terminal
(a real one, 100 or 50 columns wide) and on pipes. On the terminal no Arabic letter that has
presentation forms may appear in its logical form; on a pipe no presentation form may appear.
Feeds come from a loopback HTTP server, the database is a real TinyDB file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from helpers.loopback import QuietHandler, Serve
from helpers.terminal import run_on_terminal

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"

#: Arabic letters that have presentation forms (hamza to yeh, without tatweel): on a terminal
#: in app mode each must be drawn as one of its forms, never as itself.
LOGICAL_LETTER = re.compile("[\u0621-\u063a\u0641-\u064a]")
#: Arabic presentation forms A and B: what a pipe must never carry.
PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]")
SGR = re.compile(r"\x1b\[[0-9;]*m")

TITLE = "أخبار محلية"
#: TITLE as a screen shows it, written out by hand from the Unicode joining forms, right to
#: left read as cells left to right: teh marbuta final, yeh medial, lam medial, hah medial,
#: meem initial; space; reh isolated (alef does not join left), alef final, beh medial,
#: khah initial, alef with hamza above isolated.
TITLE_SHAPED = "\ufe94\ufef4\ufee0\ufea4\ufee3 \ufead\ufe8e\ufe92\ufea7\ufe83"
LONG_TITLE = "نشرة الأخبار المحلية والدولية على مدار الساعة من القاهرة"
SHORT_TITLE = "عاجل"
#: "عاجل" shaped, cells left to right: lam final, jeem initial, alef final, ain initial.
SHORT_SHAPED = "\ufede\ufe9f\ufe8e\ufecb"


def assert_shaped(label: str, text: str) -> None:
    bad = LOGICAL_LETTER.search(text)
    assert bad is None, f"{label}: unshaped {bad.group()!r} in {text!r}"
    assert PRESENTATION.search(text), f"{label}: no Arabic at all in {text!r}"


def assert_logical(label: str, text: str) -> None:
    bad = PRESENTATION.search(text)
    assert bad is None, f"{label}: presentation form {bad.group()!r} on a pipe in {text!r}"
    assert LOGICAL_LETTER.search(text), f"{label}: no Arabic at all in {text!r}"


def _env(db: Path) -> dict[str, str]:
    env = {**os.environ, "READER_DB": str(db), "TERM": "xterm-256color"}
    for name in ("NO_COLOR", "COLUMNS", "LINES", "READER_BIDI"):
        env.pop(name, None)
    return env


def run_tty(db: Path, *args: str, columns: int = 100) -> str:
    """`reader ARGS` with stdout and stderr on a pseudo-terminal `columns` wide."""
    return SGR.sub("", run_on_terminal(args, _env(db), columns=columns, timeout=120).text)


def run_pipe(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args],
        capture_output=True,
        text=True,
        env=_env(db),
        timeout=120,
        check=False,
    )


@dataclass
class Site:
    routes: dict[str, bytes] = field(default_factory=dict)
    base: str = ""


@pytest.fixture
def site(serve: Serve) -> Site:
    state = Site()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            body = state.routes.get(self.path)
            status = 200 if body is not None else 404
            self.reply(status, body or b"", {"Content-Type": "application/rss+xml"})

    state.base = serve(Handler)
    return state


def rss(title: str, items: list[str]) -> bytes:
    body = "".join(
        f"<item><title>خبر {guid}</title><link>https://example.com/{guid}</link>"
        f"<guid>{guid}</guid><description>نص الخبر {guid}.</description></item>"
        for guid in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.com/</link>{body}</channel></rss>"
    ).encode()


def test_entities_is_shaped_on_a_terminal_and_logical_on_a_pipe(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    shown = run_tty(db, "entities", str(SEED))
    assert "People" in shown and "Mentions" in shown
    assert_shaped("entities on a terminal", shown)
    piped = run_pipe(db, "entities", str(SEED))
    assert piped.returncode == 0, piped.stderr
    assert "إيلون ماسك" in piped.stdout
    assert_logical("entities on a pipe", piped.stdout)


def test_feed_commands_are_shaped_on_a_terminal_and_logical_on_a_pipe(
    tmp_path: Path, site: Site
) -> None:
    db = tmp_path / "db" / "reader.json"
    url = f"{site.base}/feed"
    site.routes["/feed"] = rss(TITLE, ["a"])
    added = run_tty(db, "feed", "add", url)
    assert f"Subscribed to {TITLE_SHAPED} ({url})." in added
    assert_shaped("feed add on a terminal", added)

    listed = run_tty(db, "feed", "list")
    [row] = [line for line in listed.splitlines() if url in line]
    assert row.startswith(TITLE_SHAPED + "  ")  # the title column is as wide as the title
    assert_shaped("feed list on a terminal", listed)

    site.routes["/feed"] = rss(TITLE, ["a", "b"])
    refreshed = run_tty(db, "refresh")
    # The title is isolated: its number stays with the English words, not pulled into it.
    assert f"{TITLE_SHAPED}: 1 new article." in refreshed
    assert_shaped("refresh on a terminal", refreshed)

    site.routes["/feed"] = rss(TITLE, ["a", "b", "c"])
    for args in (("feed", "list"), ("refresh",), ("feed", "add", url)):
        piped = run_pipe(db, *args)
        assert piped.returncode == 0, piped.stderr
        assert TITLE in piped.stdout
        assert_logical(f"{' '.join(args)} on a pipe", piped.stdout)


def test_cut_rtl_titles_end_at_the_visual_left_and_short_ones_are_right_aligned(
    tmp_path: Path, site: Site
) -> None:
    db = tmp_path / "db" / "reader.json"
    site.routes["/long"] = rss(LONG_TITLE, ["l"])
    site.routes["/short"] = rss(SHORT_TITLE, ["s"])
    for path in ("/long", "/short"):
        assert run_pipe(db, "feed", "add", site.base + path).returncode == 0
    listed = run_tty(db, "feed", "list", columns=50)
    assert_shaped("feed list at 50 columns", listed)
    rows = {
        path: line
        for line in listed.splitlines()
        for path in ("/long", "/short")
        if line.endswith(path)
    }
    title_width = (50 - 16 - 4) // 2
    long_cell, short_cell = rows["/long"][:title_width], rows["/short"][:title_width]
    # Cut at its logical end: the reader meets "…" last, on the left of a right-to-left cell;
    # what is kept is the title's logical start, drawn at the cell's right edge.
    # (cut at a word's end, so the cell is right-aligned like any right-to-left cell).
    assert long_cell.lstrip().startswith("…"), long_cell
    # نشرة at the right edge: teh marbuta isolated, reh final, sheen medial, noon initial.
    assert long_cell.endswith(" \ufe93\ufeae\ufeb8\ufee7"), long_cell
    assert "…" not in rows["/long"][title_width:]
    assert short_cell == " " * (title_width - len(SHORT_SHAPED)) + SHORT_SHAPED

    piped = run_pipe(db, "feed", "list").stdout
    assert_logical("feed list on a pipe", piped)
    assert SHORT_TITLE in piped


def test_errors_and_import_reports_are_shaped_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "db" / "reader.json"
    missing = tmp_path / f"{TITLE}.txt"
    shown = run_tty(db, "render", str(missing))
    assert shown.startswith("reader: ") and " ".join(shown.split()).endswith("does not exist.")
    assert_shaped("render error on a terminal", shown)
    piped = run_pipe(db, "render", str(missing))
    assert piped.returncode == 1 and f"{TITLE}.txt" in piped.stderr
    assert_logical("render error on a pipe", piped.stderr)

    refused = tmp_path / f"{TITLE}.json"
    refused.write_text("[1, 2", encoding="utf-8")
    shown = run_tty(db, "import", str(refused))
    assert "nothing was imported from it." in shown
    assert_shaped("import on a terminal", shown)
    assert_logical("import on a pipe", run_pipe(db, "import", str(refused)).stderr)


def test_no_command_prints_around_the_output_helper() -> None:
    """Messages go through `Out` (reader/commands/output.py), so a new command cannot print
    unshaped or unneutralised text: no bare `print(` in the command modules, and in cli.py
    only of a literal."""
    import ast

    commands = ROOT / "reader" / "commands"
    offenders: list[str] = []
    for path in [*commands.glob("*.py"), ROOT / "reader" / "cli.py"]:
        if path.name == "output.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "print"
                and not (
                    path.name == "cli.py"
                    and all(isinstance(arg, ast.Constant) for arg in node.args)
                )
            ):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
