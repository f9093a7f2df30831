"""Short strings (notifications, the byline) as the screen shows them, through the layout engine.

In `app` mode Arabic is shaped and put in visual order by `reader.text.layout`, the engine the
article body uses; a widget that printed logical Arabic would show isolated letters
left-to-right. In `terminal` mode the terminal does that job, so the text is left as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual.notifications import Notification

from reader.text.layout import layout
from reader.text.modes import BidiMode
from reader.text.sanitize import printable

#: Characters the layout engine changes in app mode: right-to-left letters and Arabic digits
#: (bidi classes R, AL and AN) and the presentation-form blocks. Text without any is shown as
#: given, so a plain message keeps its natural wrapping by the widget.
_NEEDS_LAYOUT_RE = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]"
)

#: A width no one-line string reaches: `width=None` lays out without wrapping.
_UNWRAPPED = 100_000


def display_lines(text: str, width: int, mode: BidiMode, *, harakat: bool = True) -> list[str]:
    """Short text (a title, a query) as screen lines: shaped and in visual order in app mode.

    The text is neutralised first (`printable`): a bidi override in a title must not
    reverse it, nor an escape sequence reach the terminal."""
    text = " ".join(printable(text, line=True).split())
    lines = layout(text, max(1, width), mode, harakat=harakat)
    return [" " * line.indent + line.text for line in lines] or [""]


def shaped(text: str, mode: BidiMode, width: int | None = None, *, harakat: bool = True) -> str:
    """`text` (logical order, may hold newlines) as app mode draws it, or unchanged in
    terminal mode.

    With `width` each paragraph is wrapped to that many cells and right-to-left lines are
    right-aligned in it (the caller must show the result exactly that wide, so the widget
    does not wrap the visual lines again); without it each paragraph stays on one line.
    Controls, escape sequences and bidi controls are removed first (`printable`).
    """
    if mode == "terminal" or _NEEDS_LAYOUT_RE.search(text) is None:
        return text
    lines: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = printable(paragraph, line=True)
        if width is None:
            lines.extend(line.text for line in layout(paragraph, _UNWRAPPED, mode, harakat=harakat))
        else:
            laid = layout(paragraph, max(1, width), mode, harakat=harakat)
            lines.extend((" " * line.indent + line.text).rstrip() for line in laid)
    return "\n".join(lines)


def needs_layout(text: str) -> bool:
    """True if app mode draws `text` differently from its logical characters (it holds
    right-to-left letters, Arabic digits or presentation forms)."""
    return _NEEDS_LAYOUT_RE.search(text) is not None


def shaped_cell(text: str, width: int, mode: BidiMode, memo: dict[str, str] | None = None) -> Text:
    """A one-line table cell exactly `width` cells wide, as the screen shows it: shaped and in
    visual order in app mode, right-aligned when right-to-left, cut at its logical end with
    "…" on the side where that end is (the visual left for right-to-left text). The same
    cell the command line prints (`reader.commands.output.fit_visual`); `memo` (one per
    table, same width and mode) keeps each text's cell, so a source on many rows is laid out
    once. Never read as markup."""
    shown = None if memo is None else memo.get(text)
    if shown is None:
        from reader.commands.output import fit_visual

        shown = fit_visual(printable(text, line=True), width, mode)
        if memo is not None:
            memo[text] = shown
    return Text(shown, no_wrap=True, end="")


def shaped_parts(
    parts: list[str], mode: BidiMode, separator: str = " · ", *, harakat: bool = True
) -> str:
    """Fields shown side by side, left to right (source · author · date): each one laid out on
    its own, so a date after an Arabic name is not pulled into the name's right-to-left run."""
    return separator.join(shaped(part, mode, harakat=harakat) for part in parts if part)


@dataclass
class ShapedNotification(Notification):
    """A notification whose `message` and `title` are what the toast draws (shaped in app
    mode), keeping the text as it was raised."""

    logical: str = ""
    """The message in logical order, neutralised (what was said, for the record and tests)."""


def logical_message(notification: Notification) -> str:
    """What a notification says, in logical order (its `message` may be shaped for the screen)."""
    if isinstance(notification, ShapedNotification):
        return notification.logical
    return notification.message
