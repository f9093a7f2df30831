"""One reader's morning in the real app, in a real terminal (tmux), checked screen by screen.

Library, an Arabic filter, the article, find, a sentence highlighted with an Arabic note, the
side pane and an entity, a built-in Textual theme from the palette, export, quit, reopen: after
every step the captured pane must show the expected state and no logical (unshaped) Arabic
letter, since the app draws Arabic shaped and in visual order.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import unicodedata
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.arabic import letters_with_forms

pytestmark = pytest.mark.slow

WIDTH, HEIGHT = 130, 45
UTF8 = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TERM": "xterm-256color"}
NOTE = "تعليق على عرض ماسك"


def logical(row: str) -> str:
    """A captured row of shaped right-to-left Arabic read back in logical order, base letters."""
    return unicodedata.normalize("NFKC", row[::-1])


class Terminal:
    """A tmux server of our own running one window."""

    def __init__(self, env: dict[str, str]) -> None:
        self.socket = f"reader-morning-{uuid.uuid4().hex[:8]}"
        self.env = env
        self.screen = ""

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-u", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
            env=self.env,
        )
        return result.stdout

    def start(self, command: str) -> None:
        size = ("-x", str(WIDTH), "-y", str(HEIGHT))
        self.tmux("new-session", "-d", *size, command)
        self.tmux("resize-window", "-t", "0", *size)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "0", *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", "0", "-l", text)

    def capture(self) -> str:
        self.screen = self.tmux("capture-pane", "-p", "-t", "0")
        return self.screen

    def alive(self) -> bool:
        return not subprocess.run(
            ["tmux", "-L", self.socket, "has-session"],
            capture_output=True,
            timeout=10,
            env=self.env,
        ).returncode

    def wait(self, step: str, ready: Callable[[str], bool], timeout: float = 30) -> str:
        """Poll the pane until `ready(screen)`; then check that no Arabic is unshaped."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                pytest.fail(f"{step}: the app exited; last screen:\n{self.screen}")
            screen = self.capture()
            if ready(screen):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{step}: not on screen after {timeout} s:\n{screen}")
            time.sleep(0.2)
        unshaped = sorted({char for char in screen if char in letters_with_forms()})
        assert not unshaped, f"{step}: logical Arabic letters on screen {unshaped}:\n{screen}"
        return screen

    def wait_for(self, step: str, *words: str, timeout: float = 30) -> str:
        """Wait until each of `words` is on screen (Arabic ones read back from their shapes)."""

        def ready(screen: str) -> bool:
            text = screen + "\n" + "\n".join(logical(row) for row in screen.split("\n"))
            return all(word in text for word in words)

        return self.wait(step, ready, timeout)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=10)


def test_a_readers_morning(db_path: Path, tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, **UTF8, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    for name in ("READER_BIDI", "READER_DB", "COLUMNS", "LINES", "XDG_DOCUMENTS_DIR"):
        env.pop(name, None)
    exports = home / "Documents" / "reader"
    command = (
        f"env -u READER_BIDI -u COLUMNS -u LINES HOME={home} LANG=C.UTF-8 LC_ALL=C.UTF-8 "
        f"TERM=xterm-256color {sys.executable} -m reader --db {db_path}"
    )
    term = Terminal(env)
    term.start(command)
    try:
        term.wait_for("library", "Library — 3 articles", "الطقس في الرياض", "سام ألتمان")

        term.keys("/")
        term.type("ماسك")  # at once: keys queued behind "/" must land in the filter too
        screen = term.wait_for("Arabic filter", "1 shown for", "ماسك")
        assert "الرياض" not in logical(screen), f"the filter kept other articles:\n{screen}"

        term.keys("Enter")
        term.wait_for("article", "Entities/Notes", "OpenAI")

        term.keys("/")
        term.type("ماسك")
        term.keys("Enter")
        term.wait("find", lambda s: "Next match" in s and any(f"1/{n}" in s for n in range(2, 99)))
        term.keys("Escape")
        term.wait("find ended", lambda s: "Next match" not in s)

        term.keys("s")
        term.wait("sentence selected", lambda s: "Highlight" in s or "1-5" in s)
        term.keys("1")
        term.keys("n")
        term.wait_for("note editor", "Save")
        term.type(NOTE)
        term.wait_for("Arabic note typed", NOTE)
        term.keys("C-s")
        term.wait("note saved", lambda s: "Save" not in s or "Entities/Notes" in s)

        term.keys("i")
        term.wait_for("pane open", "Entities  Notes", "People (3)")
        term.keys("Tab")  # from the article to the entity list
        term.wait_for("entity list focused", "Rename entity")
        term.keys("Down")
        time.sleep(0.5)  # the cursor is not in the text tmux captures: give it time to move
        term.keys("Enter")  # the first entity: إيلون ماسك
        term.wait_for("entity picked", "1/14", "n/N next/previous")
        term.keys("I")
        term.wait_for("Notes tab", NOTE)
        term.keys("i")
        term.wait("pane closed", lambda s: "Entities  Notes" not in s and "OpenAI" in s)

        term.keys("C-p")
        term.wait_for("palette", "Search for commands")
        term.type("theme")
        term.wait_for("palette theme command", "Change the current theme")
        term.keys("Enter")
        term.type("nord")
        term.wait_for("theme list", "nord")
        term.keys("Enter")
        # The footer shows under the palette too: wait for the theme list to close, or the next
        # key goes to it.
        term.wait(
            "nord theme", lambda s: "OpenAI" in s and "Entities/Notes" in s and "nord" not in s
        )

        term.keys("e")
        term.wait_for("export", "Exported to")
        written = list(exports.glob("*.md"))
        assert len(written) == 1, f"exports: {written}"
        assert NOTE in written[0].read_text(encoding="utf-8")

        term.keys("q")
        deadline = time.monotonic() + 10
        while term.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not term.alive(), "q did not quit the app"

        term.start(command)
        term.wait_for("library again", "Library — 3 articles", "سام ألتمان")
        term.keys("Enter")
        term.wait_for("article again", "Entities/Notes", "OpenAI")  # OpenAI is in its title too
        term.keys("i")
        term.wait_for("the pane again", "Entities  Notes", "People (3)")
        term.keys("I")
        term.wait_for("the note after reopening", NOTE)
    finally:
        term.close()
