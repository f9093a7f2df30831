"""Waiting in pilot tests with the pilot's own waits, never by polling a condition: what keys
start runs as messages, as workers (the palette's search, the Entities tab's extraction) and as
the messages those workers post, and `settle` waits for all three in that order."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from reader.ui.base import ReaderBase, RefreshState
from reader.ui.screens.entities import EntitiesScreen
from reader.ui.screens.search import SearchScreen
from reader.ui.widgets.entities_pane import EntitiesPane


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the work the last keys started is done and on screen."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def entities_listed(pilot: Pilot[Any]) -> EntitiesPane:
    """The Entities tab of the screen on show, once it lists its article's entities (the
    extraction thread hands its result to the UI before its worker ends)."""
    await settle(pilot)
    pane = pilot.app.screen.query_one(EntitiesPane)
    assert pane.loaded, "the Entities tab did not list the article's entities"
    return pane


async def search_palette(pilot: Pilot[Any], words: str) -> None:
    """Open the command palette and type `words`; returns once its matches are listed."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*words)
    await settle(pilot)


async def search_answered(pilot: Pilot[Any]) -> SearchScreen:
    """The search screen on show, once the results of the query typed in it are listed (its
    debounce timer and search thread done), without sleeping past the debounce."""
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen)
    await screen.answered()
    await settle(pilot)
    return screen


async def entities_final(pilot: Pilot[Any], timeout: float = 30) -> EntitiesScreen:
    """The Entities screen on show, once its list is final (the index brought up to date and
    read, the filter typed applied) and drawn, without sleeping past its debounce or its look
    at the background indexer."""
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, EntitiesScreen)
    await asyncio.wait_for(screen.listed(), timeout)
    await settle(pilot)
    return screen


async def feeds_refresh_reaches(
    pilot: Pilot[Any], reached: Callable[[RefreshState], bool], timeout: float = 20
) -> None:
    """Wait until the app's feed refresh state (`feeds_refresh`, a reactive) satisfies
    `reached`, watching it rather than polling; then until the screens have drawn it."""
    app = pilot.app
    assert isinstance(app, ReaderBase)
    seen = asyncio.Event()

    def check(state: RefreshState) -> None:
        if reached(state):
            seen.set()

    app.screen.watch(app, "feeds_refresh", check, init=True)
    await asyncio.wait_for(seen.wait(), timeout)
    await pilot.pause()
