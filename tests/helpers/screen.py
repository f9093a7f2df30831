"""The app's screen as text: what a terminal would show, one string a row."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input


def screen_lines(app: App[Any]) -> list[str]:
    """The screen as composed (every layer: dialogs and toasts too), one string a row.

    Textual 8 has no public read of the composed screen as text (`export_screenshot` gives an
    SVG of it, from this same compositor), so the one private read of the suite is here."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def steady_cursors(app: App[Any]) -> None:
    """Stop the text cursors of the screen on show from blinking, shown: a snapshot taken more
    than half a second after the last key (a loaded machine) would otherwise catch a cursor
    blinked off and differ from the saved picture."""
    for box in app.screen.query(Input):
        box.cursor_blink = False
