"""What the UI tests need to say whether Arabic on screen is drawn right."""

from __future__ import annotations

import unicodedata
from functools import cache

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


async def type_text(pilot: Pilot[None], text: str) -> None:
    """One key event per character, as a terminal sends them."""
    for char in text:
        await pilot.press("space" if char == " " else char)
    await pilot.pause()
