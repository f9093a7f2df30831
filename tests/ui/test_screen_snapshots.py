"""SVG snapshots of every screen and dialog at 130x45 and 80x24, with Arabic content.

The library, the article and the article with its Entities tab are in test_small_terminals.py;
here: the Notes tab, the note editor, the tag editor, an entity's rename dialog, all notes, help,
the command palette, the find bar and the Entities screen (the names; one name's mentions).
Regenerate with `--snapshot-update` and look at them (`rsvg-convert X.svg -o X.png`): Arabic
joined and right-to-left.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from helpers.arabic import keys_handled
from helpers.screen import steady_cursors
from helpers.waits import entities_final, entities_listed, search_palette, settle
from textual import events
from textual.pilot import Pilot
from textual.widgets import ListView

from reader.ui.app import ReaderApp

SIZES = [(130, 45), (80, 24)]
SIZE_IDS = ["130x45", "80x24"]
Factory = Callable[..., ReaderApp]
SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[None]], Awaitable[None]]
NOTE = "ملاحظة: عرض ماسك مثير للجدل"


async def _type(pilot: Pilot[None], text: str) -> None:
    """Type `text` as a terminal sends fast typing: one key event per character, at once."""
    for char in text:
        if char == " " or char.isalnum():
            pilot.app.post_message(events.Key("space" if char == " " else char, char))
        else:  # punctuation: the key event carries the character itself
            pilot.app.post_message(events.Key(f"char_{ord(char):x}", char))
    await keys_handled(pilot)
    await pilot.pause()


async def _article(pilot: Pilot[None]) -> None:
    await pilot.press("enter")
    await settle(pilot)


async def _sentence_highlighted(pilot: Pilot[None]) -> None:
    """The seed's first sentence, highlighted in colour 2."""
    await _article(pilot)
    await pilot.press("s", "2")
    await settle(pilot)


async def _note_editor(pilot: Pilot[None]) -> None:
    await _sentence_highlighted(pilot)
    await pilot.press("n")
    await settle(pilot)
    await _type(pilot, NOTE)
    await settle(pilot)


async def _noted(pilot: Pilot[None]) -> None:
    await _note_editor(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def _tag_editor(pilot: Pilot[None]) -> None:
    await _noted(pilot)
    await pilot.press("t")
    await settle(pilot)
    await _type(pilot, "اقتصاد")
    await settle(pilot)


async def _notes_tab(pilot: Pilot[None]) -> None:
    await _noted(pilot)
    await pilot.press("i")
    await entities_listed(pilot)
    await pilot.press("I")
    await settle(pilot)


async def _all_notes(pilot: Pilot[None]) -> None:
    await _noted(pilot)
    await pilot.press("A")
    await settle(pilot)


async def _entity_rename(pilot: Pilot[None]) -> None:
    await _article(pilot)
    await pilot.press("i")
    pane = await entities_listed(pilot)
    musk = pane.find("إيلون ماسك")
    assert musk is not None
    pane.select(musk)
    pane.query_one(ListView).focus()
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)


async def _help(pilot: Pilot[None]) -> None:
    await _article(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


async def _palette(pilot: Pilot[None]) -> None:
    await _article(pilot)
    await search_palette(pilot, "theme")


async def _find_bar(pilot: Pilot[None]) -> None:
    await _article(pilot)
    await pilot.press("slash")
    await settle(pilot)
    await _type(pilot, "ماسك")
    await settle(pilot)


async def _entities(pilot: Pilot[None]) -> None:
    """The Entities screen from the library, once the index is built and read."""
    await settle(pilot)
    await pilot.press("E")
    await entities_final(pilot)


async def _entity_mentions(pilot: Pilot[None]) -> None:
    """The first name (OpenAI) chosen: its mentions with snippets, the mention marked."""
    await _entities(pilot)
    await pilot.press("enter")
    await settle(pilot)


SCREENS: dict[str, Steps] = {
    "notes_tab": _notes_tab,
    "note_editor": _note_editor,
    "tag_editor": _tag_editor,
    "entity_rename": _entity_rename,
    "all_notes": _all_notes,
    "help": _help,
    "palette": _palette,
    "find_bar": _find_bar,
    "entities": _entities,
    "entity_mentions": _entity_mentions,
}


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(
    snap_compare: SnapCompare, app_factory: Factory, screen: str, size: tuple[int, int]
) -> None:
    steps = SCREENS[screen]

    async def run_before(pilot: Pilot[None]) -> None:
        await steps(pilot)
        steady_cursors(pilot.app)

    assert snap_compare(app_factory(), terminal_size=size, run_before=run_before)
