"""SVG snapshots of the library, the seed article, its Entities tab, the help screen and themes.

Baselines live in tests/ui/__snapshots__/; regenerate with `pytest tests/ui --snapshot-update`
and look at them (they render Arabic in visual order: `rsvg-convert X.svg -o X.png`).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers.waits import entities_listed
from textual.pilot import Pilot

from reader.ui.app import ReaderApp
from reader.ui.themes import load_themes
from reader.ui.widgets.article_view import ArticleView

SIZE = (110, 34)
Factory = Callable[..., ReaderApp]
SnapCompare = Callable[..., bool]
THEMES = sorted(load_themes().themes)


def test_library(snap_compare: SnapCompare, app_factory: Factory) -> None:
    assert snap_compare(app_factory(), terminal_size=SIZE)


def test_seed_article(snap_compare: SnapCompare, app_factory: Factory) -> None:
    assert snap_compare(app_factory(), press=["enter"], terminal_size=(120, 40))


def test_help_screen(snap_compare: SnapCompare, app_factory: Factory) -> None:
    assert snap_compare(app_factory(), press=["enter", "question_mark"], terminal_size=SIZE)


def test_seed_article_terminal_bidi(snap_compare: SnapCompare, app_factory: Factory) -> None:
    assert snap_compare(app_factory(bidi="terminal"), press=["enter"], terminal_size=SIZE)


async def _marks_in_every_colour(pilot: Pilot[None]) -> None:
    """Find 'OpenAI' and draw the five highlight colours, so each theme shows its marks."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("slash", *"OpenAI", "enter")
    await pilot.pause()
    view = pilot.app.screen.query_one(ArticleView)
    text = view.article.text if view.article else ""
    words = ["التكنولوجيا", "المستثمرين", "الطاولة", "الأخبار", "الرئيس"]
    spans = []
    for colour, word in enumerate(words, start=1):
        start = text.index(word)
        spans.append((start, start + len(word), f"$reader-highlight-{colour}"))
    view.set_marks("highlight", spans)
    await pilot.pause()


@pytest.mark.parametrize("theme", THEMES)
def test_theme(snap_compare: SnapCompare, app_factory: Factory, theme: str) -> None:
    assert snap_compare(
        app_factory(theme=theme), terminal_size=SIZE, run_before=_marks_in_every_colour
    )


async def _entities_of_the_seed(pilot: Pilot[None]) -> None:
    """Open the seed's Entities tab, wait for the worker, and choose إيلون ماسك."""
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press("i")
    pane = await entities_listed(pilot)
    musk = pane.find("إيلون ماسك")
    assert musk is not None
    pane.select(musk)
    await pilot.pause()


def test_entities_pane(snap_compare: SnapCompare, app_factory: Factory) -> None:
    assert snap_compare(app_factory(), terminal_size=(120, 40), run_before=_entities_of_the_seed)
