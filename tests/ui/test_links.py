"""The original article from the app: `o` opens its web page in the browser, `y` copies its
address; an article read from a file says it has none, and only http(s) links leave the app."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers.apps import make_app
from helpers.told import Told
from textual.pilot import Pilot

from reader.models import Article, Block
from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen

Factory = Callable[..., ReaderApp]
SIZE = (100, 30)
MARKETS = "https://example.com/news/markets"


class RecordingBrowser(webbrowser.BaseBrowser):
    """A browser registered through the standard library's own extension point: it records
    the addresses it is asked to open instead of starting a program."""

    def __init__(self) -> None:
        super().__init__("recording")
        self.opened: list[str] = []

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        self.opened.append(url)
        return True


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingBrowser]:
    recording = RecordingBrowser()
    monkeypatch.setenv("BROWSER", "")
    webbrowser.register("recording", None, recording, preferred=True)
    try:
        yield recording
    finally:
        webbrowser._browsers.pop("recording", None)  # the registry has no public "unregister"
        if "recording" in webbrowser._tryorder:
            webbrowser._tryorder.remove("recording")


async def open_row(pilot: Pilot[object], app: ReaderApp, row: int) -> ArticleScreen:
    await pilot.pause()
    for _ in range(row):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, ArticleScreen)
    return screen


async def test_o_opens_the_web_page_and_y_copies_it(
    app_factory: Factory, browser: RecordingBrowser
) -> None:
    told = Told()
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        screen = await open_row(pilot, app, 1)
        assert screen.article.source == MARKETS
        await pilot.press("o")
        await pilot.pause()
        assert browser.opened == [MARKETS]
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == MARKETS
    assert any(MARKETS in said for said in told.messages)


async def test_an_article_from_a_file_has_no_link(
    app_factory: Factory, browser: RecordingBrowser
) -> None:
    told = Told()
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        screen = await open_row(pilot, app, 0)  # the seed, read from a file
        assert not screen.article.source.startswith("http")
        await pilot.press("o", "y")
        await pilot.pause()
        assert browser.opened == []
        assert app.clipboard == ""
    assert "This article has no web address to open." in told.messages
    assert "This article has no web address to copy." in told.messages


@pytest.mark.parametrize(
    "source",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<b>x</b>",
        "https://example.com/a b",
        "https://example.com/\u202eexe.txt",
        "https://example.com/\x1b[31m",
        "https://",
    ],
)
async def test_only_safe_web_links_leave_the_app(
    tmp_path: Path, source: str, browser: RecordingBrowser
) -> None:
    path = tmp_path / "links.json"
    with Store.open(path) as store:
        store.put_article(
            Article(
                id="link0000000000001",
                title="رابط",
                source=source,
                blocks=[Block("paragraph", "نص قصير.")],
                added="2025-01-01T00:00:00",
            )
        )
    app = make_app(path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_row(pilot, app, 0)
        await pilot.press("o", "y")
        await pilot.pause()
        assert browser.opened == []
        assert app.clipboard == ""


async def test_the_palette_offers_the_link_commands(
    app_factory: Factory, browser: RecordingBrowser
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_row(pilot, app, 1)
        names = [command.title for command in app.get_system_commands(screen)]
        assert "Open the original in the browser" in names
        assert "Copy the link" in names
        await pilot.press("escape", "up")
        seed = await open_row(pilot, app, 0)
        assert seed.article.id != screen.article.id
        names = [command.title for command in app.get_system_commands(seed)]
        assert "Copy the link" not in names
