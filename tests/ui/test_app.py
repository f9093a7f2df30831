"""Pilot tests of the reader app: library, navigation, find, pane, themes, bidi, positions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.apps import make_app
from helpers.arabic import type_text
from helpers.told import Told
from helpers.waits import entities_listed, search_palette, settle
from rich.cells import cell_len
from textual import events
from textual.widgets import DataTable, Input

from reader.entities.extractor import Extractor
from reader.errors import ReaderError
from reader.models import Article, Block
from reader.store.database import Store
from reader.text.layout import layout
from reader.ui.app import ReaderApp
from reader.ui.app import make_app as build_app
from reader.ui.screens.article import ArticleScreen, FindBar
from reader.ui.screens.help import HelpScreen
from reader.ui.screens.library import LibraryScreen
from reader.ui.themes import mark_style
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.side_pane import SidePane

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"

SIZE = (100, 40)
Factory = Callable[..., ReaderApp]


def row_titles(app: ReaderApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def open_seed(app: ReaderApp, pilot: object) -> ArticleView:
    """From the library (seed is the newest, so first), open it."""
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, ArticleScreen)
    return app.screen.query_one(ArticleView)


async def test_library_lists_newest_first_and_filters_as_you_type(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one(DataTable)
        assert [key.value for key in table.rows] == [
            app.store.list_articles()[0].id,
            "english0000000001",
            "arabic0000000002",
        ]
        assert str(table.get_row_at(1)[1]).strip() == "example.com"  # a Text cell, padded
        assert table.get_row_at(1)[2] == "2025-01-05"
        # Typing Arabic on the list starts the filter; harakat and alef forms are folded.
        await type_text(pilot, "الرياض")
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "الرياض"
        assert [key.value for key in table.rows] == ["arabic0000000002"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert app.screen.article.id == "arabic0000000002"
        # Back on the list, keys go to the list again: q quits rather than typing a "q".
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.focused, DataTable)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_escape_clears_filter(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"markets")
        await pilot.pause()
        assert len(app.screen.query_one(DataTable).rows) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert len(app.screen.query_one(DataTable).rows) == 3


async def test_keys_typed_right_after_slash_land_in_the_filter(app_factory: Factory) -> None:
    """A fast typist, a paste or a busy app has the next keys queued before "/" is handled:
    they go to the filter box, not to the list's key bindings (a, m, r, k and s are bound)."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("slash", *"markets"):
            app.post_message(events.Key(key, "/" if key == "slash" else key))
        await pilot.pause()
        assert app.screen.query_one("#filter", Input).value == "markets"
        assert len(app.screen.query_one(DataTable).rows) == 1
        assert isinstance(app.screen, LibraryScreen)


async def test_scroll_keys(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 24)) as pilot:
        view = await open_seed(app, pilot)
        height = view.scrollable_content_region.height
        assert view.scroll_offset.y == 0
        await pilot.press("j", "down")
        assert view.scroll_offset.y == 2
        await pilot.press("k")
        assert view.scroll_offset.y == 1
        await pilot.press("pagedown")
        assert view.scroll_offset.y == 1 + height
        await pilot.press("pageup")
        assert view.scroll_offset.y == 1
        await pilot.press("space")
        assert view.scroll_offset.y == 1 + height
        await pilot.press("G")
        assert view.scroll_offset.y == view.max_scroll_y > 0
        # The last line on screen is the article's last text.
        assert view.visible_range()[1] == len(app.screen.article.text)
        await pilot.press("g")
        assert view.scroll_offset.y == 0
        await pilot.press("end")
        assert view.scroll_offset.y == view.max_scroll_y
        await pilot.press("home")
        assert view.visible_range()[0] == 0


async def test_mouse_wheel_scrolls(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        for _ in range(3):
            view.post_message(events.MouseScrollDown(view, 5, 5, 0, 1, 0, False, False, False))
        await pilot.pause()
        assert view.scroll_offset.y > 0


async def test_previous_next_article_and_escape_back(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        await pilot.press("right_square_bracket")
        assert screen.article.id == "english0000000001"
        await pilot.press("right_square_bracket")
        assert screen.article.id == "arabic0000000002"
        await pilot.press("right_square_bracket")  # already the last: stays
        assert screen.article.id == "arabic0000000002"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert screen.article.id == app.store.list_articles()[0].id
        assert screen.article.title == "سام ألتمان يرفض عرض ماسك لشراء OpenAI بسخرية"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_find_is_arabic_aware_and_n_moves(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        text = app.screen.article.text
        await pilot.press("slash", *"openai", "enter")
        await pilot.pause()
        found = view.marks("find")
        assert len(found) == text.count("OpenAI")
        assert all(text[start:end] == "OpenAI" for start, end, _ in found)
        current = view.marks("find-current")
        assert len(current) == 1 and current[0][:2] == found[0][:2]
        await pilot.press("n")
        assert view.marks("find-current")[0][:2] == found[1][:2]
        await pilot.press("N", "N")
        assert view.marks("find-current")[0][:2] == found[-1][:2]
        # The current match is on screen after jumping to the last one.
        start = found[-1][0]
        visible = view.visible_range()
        assert visible[0] <= start < visible[1]
        # Without harakat, the search still finds the word written with tanween (اقتراحًا).
        await pilot.press("slash")
        search = app.screen.query_one("#find-input", Input)
        search.value = "اقتراحا"
        await pilot.pause()
        spans = view.marks("find")
        assert [text[s:e] for s, e, _ in spans] == ["اقتراحًا"]
        # Escape ends the find (bar and marks), then goes back.
        await pilot.press("escape")
        assert view.marks("find") == [] and view.marks("find-current") == []
        assert not app.screen.query_one(FindBar).display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_i_toggles_the_side_pane_from_either_tab(app_factory: Factory) -> None:
    """i shows and hides the pane whichever tab is on show; I switches tabs."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        pane = app.screen.query_one(SidePane)
        full_width = view.size.width
        assert not pane.is_open
        await pilot.press("i")
        await pilot.pause()
        assert pane.is_open and pane.active_tab == "entities"
        assert view.size.width < full_width  # the pane takes room beside the text
        await pilot.press("i")
        await pilot.pause()
        assert not pane.is_open
        assert view.size.width == full_width
        await pilot.press("I")
        await pilot.pause()
        assert pane.is_open and pane.active_tab == "notes"
        await pilot.press("i")
        await pilot.pause()
        assert not pane.is_open
        await pilot.press("i")  # back on the tab it showed last
        await pilot.pause()
        assert pane.is_open and pane.active_tab == "notes"
        await pilot.press("I")
        await pilot.pause()
        assert pane.is_open and pane.active_tab == "entities"


async def test_theme_switching_is_remembered(app_factory: Factory, db_path: Path) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "dark"
        assert app.has_class("-theme-dark")
        await pilot.press("ctrl+t")
        await pilot.pause()
        second = app.theme
        assert second != "dark" and second in app.reader_themes
        assert app.has_class(f"-theme-{second}") and not app.has_class("-theme-dark")
        # The palette offers every theme: Textual's Theme command lists them.
        await search_palette(pilot, "Theme")
        await pilot.press("enter")
        await settle(pilot)
        await type_text(pilot, "sepia")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "sepia"
        assert app.theme_variables["reader-highlight-1"] == "#f2d675"
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        assert again.theme == "sepia"
    overridden = app_factory(theme="high-contrast")
    async with overridden.run_test(size=SIZE) as pilot:
        assert overridden.theme == "high-contrast"


def test_unknown_theme_is_a_plain_error(db_path: Path) -> None:
    with pytest.raises(ReaderError, match="no theme called 'neon'"):
        make_app(db_path, seed=False, theme="neon")


async def test_broken_saved_theme_falls_back_with_a_notice(db_path: Path, told: Told) -> None:
    with Store.open(db_path) as store:
        store.set_setting("theme", "vanished")
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
        assert app.theme == "dark"
        assert any("vanished" in message for message in told.messages)


async def test_bidi_mode_switch_and_precedence(
    app_factory: Factory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        first = view.line_texts()[0].strip()
        logical = app.screen.article.blocks[0].text
        assert view.mode == "app"
        assert first.split()[0] != logical.split()[0]  # shaped and reordered
        await pilot.press("b")
        await pilot.pause()
        assert view.mode == "terminal"
        # Terminal mode: the logical text itself, for a terminal that does its own bidi.
        assert logical.startswith(view.line_texts()[0].strip())
    with Store.open(db_path) as store:
        assert store.get_setting("bidi_mode") == "terminal"
    assert app_factory().bidi_mode == "terminal"
    monkeypatch.setenv("READER_BIDI", "app")
    assert app_factory().bidi_mode == "app"
    assert app_factory(bidi="terminal").bidi_mode == "terminal"


async def test_display_settings_are_reactives_every_screen_follows(
    app_factory: Factory, db_path: Path
) -> None:
    """Setting the app's bidi mode, reading width or harakat re-lays every screen on the
    stack (the library under the article too) and is remembered."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        library = app.screen_stack[-2]
        assert isinstance(library, LibraryScreen)
        article = app.screen.article
        assert isinstance(article, Article)
        app.bidi_mode = "terminal"
        await pilot.pause()
        assert view.mode == "terminal"
        assert article.blocks[0].text.startswith(view.line_texts()[0].strip())
        title = str(library.query_one(DataTable).get_row_at(0)[0]).rstrip(" …")
        assert article.title.startswith(title)  # logical order: no longer shaped
        app.reading_width = 5  # narrower than any setting may be
        await pilot.pause()
        assert app.reading_width == 20
        assert max(cell_len(line) for line in view.line_texts()) <= 20
    with Store.open(db_path) as store:
        assert store.get_setting("bidi_mode") == "terminal"
        assert store.get_setting("reading_width") == 20


async def test_reading_position_is_remembered(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        await pilot.press("pagedown", "j", "j")
        position = view.top_offset()
        assert position > 0
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(ArticleView).top_offset() == position
    again = app_factory()
    async with again.run_test(size=SIZE) as pilot:
        view = await open_seed(again, pilot)
        assert view.top_offset() == position


async def test_opening_a_target_skips_the_library(app_factory: Factory) -> None:
    app = app_factory(target=str(SEED))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert "ماسك" in app.screen.article.text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_help_lists_every_binding(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 60)) as pilot:
        await open_seed(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {(description, binding_id) for _, _, description, binding_id in app.screen.rows}
        for cls in (ReaderApp, ArticleScreen, ArticleView, LibraryScreen):
            for binding in cls.BINDINGS:
                assert (binding.description, binding.id) in listed  # type: ignore[union-attr]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)


async def test_palette_offers_every_bound_action(app_factory: Factory) -> None:
    from reader.ui.commands import BindingCommands

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        provider = BindingCommands(app.screen)
        names = [name for name, _, _ in provider.commands()]
        for binding in ArticleScreen.BINDINGS + ArticleView.BINDINGS + ReaderApp.BINDINGS:
            if binding.action in ("find_next", "find_previous"):  # type: ignore[union-attr]
                continue  # offered only while there are matches
            assert binding.description in names  # type: ignore[union-attr]
        system = [command.title for command in app.get_system_commands(app.screen)]
        # Textual's own Theme and Keys commands, extended by the reader's, not repeated.
        assert {"Theme", "Keys", "Bidi mode: terminal", "All notes", "Hide entity"} <= set(system)
        assert len(system) == len(set(system))
        assert not [name for name in names + system if name.startswith("Theme:")]


async def test_store_messages_become_notifications(tmp_path: Path, told: Told) -> None:
    db = tmp_path / "reader.json"
    db.write_text("{ this is not json", encoding="utf-8")
    app = make_app(db, seed=False)
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await pilot.pause()
    [kept] = tmp_path.glob("reader.json.corrupt-*")  # what the store said at open
    assert any(str(db) in message and kept.name in message for message in told.messages), (
        told.messages
    )


async def test_export_key_names_the_file(
    app_factory: Factory, db_path: Path, tmp_path: Path, told: Told
) -> None:
    out = tmp_path / "exports"
    with Store.open(db_path) as store:
        store.set_setting("export_dir", str(out))
    app = app_factory()
    async with app.run_test(size=SIZE, message_hook=told.hook) as pilot:
        await open_seed(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        files = list(out.glob("*.md"))
        assert len(files) == 1
        assert any(str(files[0]) in message for message in told.messages)


async def test_fast_typing_after_slash_lands_in_the_find_box(app_factory: Factory) -> None:
    """Keys sent in one burst (a fast typist, tmux send-keys) must not run the view's bindings."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        await pilot.pause(0.2)
        for key, character in [("slash", "/"), ("O", "O"), ("p", "p"), ("e", "e"), ("n", "n")]:
            app.post_message(events.Key(key, character))
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause(0.3)
        assert app.screen.query_one("#find-input", Input).value == "Open"
        assert len(view.marks("find")) == app.screen.article.text.count("OpenAI")
        assert app.focused is view
        assert isinstance(app.screen, ArticleScreen)  # no dialog opened by "n" or "enter"


async def test_reading_width_and_harakat_from_the_palette(
    app_factory: Factory, db_path: Path
) -> None:
    app = app_factory()
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_seed(app, pilot)
        commands = {
            command.title: command.callback for command in app.get_system_commands(app.screen)
        }
        commands["Reading width: 60"]()
        await pilot.pause()
        assert view.wrap_width == 60
        assert max(cell_len(line) for line in view.line_texts()) == 60
        assert any("\u064b" <= ch <= "\u0652" for ch in "".join(view.line_texts()))
        commands["Harakat: hide"]()
        await pilot.pause()
        assert not any("\u064b" <= ch <= "\u0652" for ch in "".join(view.line_texts()))
    with Store.open(db_path) as store:
        assert store.get_setting("reading_width") == 60
        assert store.get_setting("harakat") is False


async def test_entity_chosen_in_the_side_pane_is_marked(app_factory: Factory) -> None:
    from reader.entities.extractor import Entity, Mention
    from reader.ui.messages import EntitySelected, MentionJump

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        text = app.screen.article.text
        spans = [(i, i + len("ألتمان")) for i in range(len(text)) if text.startswith("ألتمان", i)]
        entity = Entity("سام ألتمان", "PERSON", [Mention(s, e, text[s:e]) for s, e in spans])
        app.screen.post_message(EntitySelected(entity, spans))
        await pilot.pause()
        assert [(s, e) for s, e, _ in view.marks("entity")] == spans
        last = spans[-1][0]
        app.screen.post_message(MentionJump(last, last + 6))
        await pilot.pause()
        start, end = view.visible_range()
        assert start <= last < end
        await pilot.press("escape")  # clears the entity marks before leaving
        assert view.marks("entity") == []
        assert isinstance(app.screen, ArticleScreen)


async def test_switching_theme_redraws_marks_in_the_new_colours(app_factory: Factory) -> None:
    from rich.color import Color

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        view = await open_seed(app, pilot)
        view.set_marks("find", [(0, 5, "$reader-find")])
        await pilot.pause()

        def first_mark_colour() -> Color | None:
            page = view.rich_style.bgcolor
            for segment in view.render_line(0):
                style = segment.style
                if style and segment.text.strip() and style.bgcolor and style.bgcolor != page:
                    return style.bgcolor
            return None

        assert first_mark_colour() == Color.parse(
            app.reader_themes["dark"].variables["reader-find"]
        )
        app.theme = "light"
        await pilot.pause()
        assert first_mark_colour() == Color.parse(
            app.reader_themes["light"].variables["reader-find"]
        )


async def test_a_file_already_in_the_library_opens_from_the_store_then_refreshes(
    app_factory: Factory, tmp_path: Path
) -> None:
    """`reader FILE` shows the stored copy at once and picks up an edited file just after."""
    article_file = tmp_path / "note.txt"
    article_file.write_text("عنوان أول\n\nنص المقالة الأول.\n", encoding="utf-8")
    first = app_factory(target=str(article_file))  # not stored yet: imported before showing
    async with first.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "نص المقالة الأول." in first.screen.article.text
    article_file.write_text("عنوان أول\n\nنص المقالة بعد التعديل.\n", encoding="utf-8")
    again = app_factory(target=str(article_file))
    assert again.pending_refresh == str(article_file)  # opened from the store, refresh pending
    assert again.first_article is not None
    assert "نص المقالة الأول." in again.first_article.text
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        screen = again.screen
        assert isinstance(screen, ArticleScreen)
        assert "نص المقالة بعد التعديل." in screen.article.text
        assert screen.view.article is not None
        assert "نص المقالة بعد التعديل." in screen.view.article.text


async def test_find_in_a_long_paragraph_marks_and_reaches_every_match(db_path: Path) -> None:
    """One paragraph of 150,000 characters, laid out lazily: find counts every match, marks
    exactly their characters, and jumping to the last one lays out only up to it."""
    words = SEED.read_text(encoding="utf-8").split()
    text = " ".join(words * (150_000 // len(" ".join(words)) + 1))
    article = Article(
        id="long0000000000001",
        title="فقرة طويلة",
        source="https://example.com/long",
        blocks=[Block("paragraph", text)],
        added="2099-01-01T00:00:00",
    )
    with Store.open(db_path) as store:
        store.put_article(article)
    app = make_app(db_path, seed=False)
    async with app.run_test(size=SIZE) as pilot:
        app.open_article(article.id)
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        await pilot.press("slash", *"openai", "enter")
        await pilot.pause()
        found = view.marks("find")
        assert len(found) == text.count("OpenAI") > 100
        assert all(text[start:end] == "OpenAI" for start, end, _ in found)
        await pilot.press("N")  # from the first match back to the last one, near the end
        await pilot.pause()
        start, end, _ = view.marks("find-current")[0]
        assert (start, end) == found[-1][:2]
        visible = view.visible_range()
        assert visible[0] <= start < visible[1]
        # The match is drawn where the whole paragraph's layout puts it.
        y = view.line_of_offset(start) - int(view.scroll_offset.y)
        line = next(
            line for line in layout(text, view.wrap_width) if line.start <= start < line.end
        )
        row = view.render_line(y)
        drawn = row.text[view.column_left + line.indent :]
        assert drawn.rstrip() == line.text.rstrip()
        colour = mark_style(app.theme_variables, "reader-find-current").bgcolor
        painted: set[int] = set()
        x = 0
        for segment in row:
            if segment.style is not None and segment.style.bgcolor == colour:
                painted.update(range(x, x + segment.cell_length))
            x += segment.cell_length
        wanted = {
            view.column_left + line.indent + cell
            for offset in range(start, end)
            for cell in line.logical_to_cells(offset)
        }
        assert wanted and painted == wanted


async def test_article_replaced_while_the_find_bar_is_still_mounting(
    app_factory: Factory,
) -> None:
    """The find bar is kept as soon as its mount starts; a refreshed article arriving before
    the bar has its box must not crash the app (it did, under load)."""
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_seed(app, pilot)
        screen = app.screen
        assert isinstance(screen, ArticleScreen)
        # A bar built whose children are not composed yet: no public step leaves the screen
        # in that state deterministically (it lasts one mount), so the test puts it there.
        screen._find_bar = FindBar(id="find-bar-mounting")
        screen.replace_article(screen.article)
        await pilot.pause()
        assert screen.find_query() == ""


async def test_every_entities_pane_of_an_app_shares_one_entity_model(
    db_path: Path, extractor: Extractor
) -> None:
    """The model given to the app (or loaded by its first Entities pane) serves the panes of
    every article opened after: opening the side pane never loads it again."""
    app = make_app(db_path, seed=False, extractor=extractor)
    async with app.run_test(size=SIZE) as pilot:
        for row in (0, 2):  # the seed article and the Arabic one (the English one names none)
            await pilot.press(*["down"] * row, "enter")
            await pilot.pause()
            await pilot.press("i")
            pane = await entities_listed(pilot)
            assert pane.entities, "the Entities tab listed this article's entities"
            assert app.entity_extractor() is extractor
            await pilot.press("escape", "escape")
            await pilot.pause()
    bare = build_app(db_path, seed=False)  # the factory itself: no model given
    try:
        assert bare.entity_extractor() is bare.entity_extractor()  # loaded once, then kept
    finally:
        bare.store.close()
