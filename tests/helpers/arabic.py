"""What the UI tests need to say whether Arabic on screen is drawn right."""

from __future__ import annotations

import asyncio
import unicodedata
from functools import cache
from typing import Any

from textual import events
from textual.pilot import Pilot

from reader.text.shaping import reference_reshaper


def visual(arabic: str) -> str:
    """Arabic words as drawn left to right, by the reference reshaper (not our layout engine)."""
    shaped = reference_reshaper().reshape(arabic)
    return " ".join(word[::-1] for word in reversed(shaped.split(" ")))


@cache
def letters_with_forms() -> frozenset[str]:
    """Arabic letters Unicode gives presentation forms (their logical form must not be drawn)."""
    letters: set[str] = set()
    for code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and parts[0] in ("<isolated>", "<initial>", "<medial>", "<final>"):
            letters.add(chr(int(parts[1], 16)))
    return frozenset(letters)


async def keys_handled(pilot: Pilot[Any]) -> None:
    """Wait until the keys sent so far have reached the focused widget and it has handled
    them: the app forwards each key it takes to the widget with focus, so a callback queued
    behind the keys at the app, then one queued behind them at that widget, runs last."""
    app = pilot.app
    done = asyncio.Event()

    def forwarded() -> None:
        (app.focused or app.screen).call_later(done.set)

    app.call_later(forwarded)
    await done.wait()


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """One key event per character, sent as a terminal sends fast typing or a paste: letters,
    digits and spaces at once, without the pilot's idle waits between them (two waits of at
    least 20 ms a key); other characters through `pilot.press`, which names their keys."""
    app = pilot.app
    for char in text:
        if char == " " or char.isalnum():
            key = events.Key("space" if char == " " else char, char)
            key.set_sender(app)
            app.post_message(key)
        else:
            await pilot.press(char)
    await keys_handled(pilot)
    await pilot.pause()
