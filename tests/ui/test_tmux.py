"""The real app in a real terminal (tmux): the article lines on screen are `reader render`'s."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from rich.cells import get_character_cell_size

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"
WIDTH, HEIGHT = 120, 50
READING_WIDTH = 80

pytestmark = pytest.mark.slow


UTF8 = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _tmux(socket: str, *args: str) -> str:
    result = subprocess.run(
        ["tmux", "-u", "-L", socket, *args],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
        env={**os.environ, **UTF8},
    )
    return result.stdout


def _cells(row: str, start: int, end: int) -> str:
    """The characters of `row` drawn in cells [start, end) (combining marks take no cell)."""
    out: list[str] = []
    cell = 0
    for char in row:
        width = get_character_cell_size(char)
        if start <= cell < end:
            out.append(char)
        cell += width
    return "".join(out)


def _render(env: dict[str, str]) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-m", "reader", "render", str(SEED), "--width", str(READING_WIDTH)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    lines = result.stdout.rstrip("\n").split("\n")
    # The body: what follows the header (title and byline), which the app draws above the view.
    return lines[lines.index("") + 1 :]


def test_screen_lines_equal_reader_render(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    env = {**os.environ, **UTF8}
    env.pop("READER_BIDI", None)
    env.pop("READER_DB", None)
    expected = _render(env)
    first = expected[0].strip()
    socket = f"reader-test-{uuid.uuid4().hex[:8]}"
    command = (
        # COLUMNS/LINES (set by other tests in this worker, say) would override the pane size.
        f"env -u READER_BIDI -u COLUMNS -u LINES LANG=C.UTF-8 LC_ALL=C.UTF-8 "
        f"{sys.executable} -m reader --db {tmp_path / 'reader.json'} {SEED}"
    )
    size = ("-x", str(WIDTH), "-y", str(HEIGHT))
    # Size the window again once the app runs (a SIGWINCH): on a loaded machine the app can
    # start before tmux applies -x/-y and stay drawn for the 80x24 default.
    _tmux(socket, "new-session", "-d", *size, command)
    _tmux(socket, "resize-window", "-t", "0", *size)
    try:
        # The column's left edge: the view's left padding, then the column centred in what the
        # padding and the scrollbar leave (see ArticleView in app.tcss: padding 0 1 0 2, one
        # cell of scrollbar).
        margin = 2 + (WIDTH - 2 - 1 - 1 - READING_WIDTH) // 2
        rows: list[str] = []
        body: list[str] = []
        polls = 0
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            rows = _tmux(socket, "capture-pane", "-p").split("\n")
            # The article's first line, then every row down to the footer, is an article line.
            # (Poll: under load the first frames may still be drawn for tmux's default size.)
            top = next((index for index, row in enumerate(rows) if first in row), None)
            if top is not None:
                body = [
                    _cells(row, margin, margin + READING_WIDTH).rstrip()
                    for row in rows[top : HEIGHT - 1]
                ]
                if len(body) >= 40 and body == expected[: len(body)]:
                    break
            polls += 1
            if polls % 5 == 0:
                # Still not right: the app may have missed the resize while starting up; wiggle
                # the window so it gets a SIGWINCH now that it is listening.
                _tmux(socket, "resize-window", "-t", "0", "-x", str(WIDTH - 1), "-y", str(HEIGHT))
                _tmux(socket, "resize-window", "-t", "0", *size)
            time.sleep(0.3)
        else:
            shown = "\n".join(rows)
            diff = next(
                (i for i, (a, b) in enumerate(zip(body, expected, strict=False)) if a != b), None
            )
            if diff is not None:
                pytest.fail(
                    f"row {diff} of the article differs:\n{body[diff]!r}\n{expected[diff]!r}\n"
                    f"last capture:\n{shown}"
                )
            pytest.fail(f"the article did not appear on screen:\n{shown}")
        _tmux(socket, "send-keys", "q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(
                ["tmux", "-L", socket, "has-session"], capture_output=True, timeout=10
            ).returncode:
                break
            time.sleep(0.2)
        else:
            pytest.fail("q did not quit the app")
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=10)
