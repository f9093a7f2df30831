"""Work the UI must not do twice: what made opening the note editor and switching the theme slow
(benchmarks/bench_ui.py has the figures). Pilot tests through the real app in tmp_path."""

from __future__ import annotations

from pathlib import Path

from helpers.apps import make_app
from helpers.arabic import visual

from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.note import NoteScreen
from reader.ui.widgets.entities_pane import EntityItem, HeadingItem
from reader.ui.widgets.footer import FittingFooter, FooterKey

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SIZE = (120, 40)
NAME = "إيلون ماسك"


def _app(tmp_path: Path) -> ReaderApp:
    return make_app(tmp_path / "db.json", target=str(SEED), bidi="app", theme="dark")


async def test_a_dialog_over_the_article_leaves_its_footer_as_it_is(tmp_path: Path) -> None:
    """Opening and closing the note editor does not build the article's footer keys again
    (each rebuild mounted every key and laid the whole article screen out once more)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "1")
        await pilot.pause()
        article = app.screen
        assert isinstance(article, ArticleScreen)
        footer = article.query_one(FittingFooter)
        keys = list(footer.query(FooterKey))
        assert keys
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert list(footer.query(FooterKey)) == keys


async def test_only_the_article_screen_has_width_classes(tmp_path: Path) -> None:
    """The -narrow/-wide classes (the side pane's overlay) are set on the article screen only:
    on a dialog the class arriving after its first layout restyled and laid it out again."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen.has_class("-wide")
        await pilot.press("s", "1", "n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        assert not app.screen.has_class("-wide") and not app.screen.has_class("-narrow")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert app.screen.has_class("-narrow")


async def test_a_theme_chosen_is_saved_after_the_screen_shows_it(tmp_path: Path) -> None:
    """Switching the theme repaints first and writes the setting after (still saved)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        assert app.store.get_setting("theme") != "nord"  # not written inside the switch
        await pilot.pause()
        await pilot.pause()
    app.store.close()
    with Store.open(tmp_path / "db.json") as store:
        assert store.get_setting("theme") == "nord"


async def test_the_note_dialog_is_a_few_widgets(tmp_path: Path) -> None:
    """The five colours are one widget (a RadioSet of five RadioButtons was six, each
    styled, laid out and drawn every time the dialog opens)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s", "1", "n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        nodes = list(app.screen.walk_children(with_self=True))
        assert len(nodes) <= 13, [type(node).__name__ for node in nodes]


async def test_the_entities_list_is_one_node_an_entry(tmp_path: Path) -> None:
    """Each entity and heading draws itself: the hidden pane's nodes are restyled on every theme
    switch, and an article lists tens of entities."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        items = list(app.screen.query(EntityItem)) + list(app.screen.query(HeadingItem))
        assert len(items) > 10
        assert all(not item.children for item in items)
        musk = next(item for item in app.screen.query(EntityItem) if item.entity.name == NAME)
        row = "".join(segment.text for segment in musk.render_line(0))
        assert row.split()[0] == str(len(musk.entity.mentions))
        assert row.rstrip().endswith(visual(NAME))  # right-aligned after the count


async def test_footer_keys_are_reused_when_the_reading_cursor_changes_them(tmp_path: Path) -> None:
    """Selecting and highlighting change the footer's keys: the key widgets on screen take the
    new bindings (a full recompose unmounted and mounted every key on each highlight key)."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        footer = app.screen.query_one(FittingFooter)
        before = list(footer.query(FooterKey))
        shown_before = [key.description for key in before]
        await pilot.press("s")  # a selection: "n Note" appears, "Back" leaves
        await pilot.pause()
        await pilot.press("1")  # a highlight under the cursor
        await pilot.pause()
        after = list(footer.query(FooterKey))
        shown_after = [key.description for key in after]
        assert shown_after != shown_before
        assert "Note" in shown_after
        kept = [key for key in after if key in before]
        assert len(kept) >= len(after) - 2, (shown_before, shown_after)
        # Each key drawn is a binding the screen has now, enabled or not as the binding is.
        bound = {
            binding.action: enabled
            for _node, binding, enabled, _tip in app.screen.active_bindings.values()
            if binding.show or binding.key == app.COMMAND_PALETTE_BINDING
        }
        assert {key.action: not key.has_class("-disabled") for key in after}.items() <= (
            bound.items()
        )
        drawn = "".join(
            segment.text for key in after for segment in key.render_line(0) if key.size.width
        )
        assert "Note" in drawn


async def test_a_screen_hidden_during_a_theme_switch_shows_the_new_theme_on_return(
    tmp_path: Path,
) -> None:
    """The library under the article is not restyled on every theme switch, but has the new
    theme's colours as soon as it is back on screen."""
    from textual.color import Color
    from textual.widgets import DataTable

    app = make_app(tmp_path / "db.json", bidi="app", theme="dark")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        dark_background = table.styles.background
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        app.theme = "light"
        await pilot.pause()
        assert table.styles.background == dark_background  # not restyled while hidden
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one(DataTable) is table
        assert table.styles.background != dark_background
        assert table.styles.background == Color.parse(app.theme_variables["background"])


def _pane_colours(app: ReaderApp) -> list[tuple[str, str, str]]:
    from reader.ui.widgets.side_pane import SidePane

    pane = app.screen.query_one(SidePane)
    return [
        (type(node).__name__, str(node.styles.background), str(node.styles.color))
        for node in pane.walk_children(with_self=True)
    ]


async def test_a_pane_closed_during_a_theme_switch_opens_in_the_new_theme(tmp_path: Path) -> None:
    """The inside of the closed side pane is not restyled on a theme switch (most of the
    article screen's nodes), but opening it shows every part in the new theme's colours, as in
    an app started in that theme."""
    fresh = make_app(tmp_path / "fresh.json", target=str(SEED), bidi="app", theme="light")
    async with fresh.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await fresh.workers.wait_for_complete()
        await pilot.pause()
        expected = _pane_colours(fresh)
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await app.workers.wait_for_complete()
        await pilot.pause()
        dark = _pane_colours(app)
        await pilot.press("i")  # closed
        await pilot.pause()
        app.theme = "light"
        await pilot.pause()
        assert _pane_colours(app)[1:] == dark[1:]  # the inside left as it was while closed
        await pilot.press("i")
        await pilot.pause()
        assert _pane_colours(app) == expected
        assert expected != dark


async def test_a_click_on_a_tab_name_shows_that_tab(tmp_path: Path) -> None:
    """The pane's tab bar is one widget; clicking "Notes" and "Entities" switches the tabs."""
    from reader.ui.widgets.entities_pane import EntitiesPane
    from reader.ui.widgets.notes_pane import NotesPane
    from reader.ui.widgets.side_pane import SidePane, TabBar

    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await app.workers.wait_for_complete()
        await pilot.pause()
        pane = app.screen.query_one(SidePane)
        bar = pane.query_one(TabBar)
        drawn = bar.render_line(0).text
        notes_x = drawn.index("Notes")
        assert drawn.index("Entities") < notes_x
        await pilot.click(TabBar, offset=(notes_x + 1, 0))
        await pilot.pause()
        assert pane.active_tab == "notes"
        assert pane.query_one(NotesPane).display and not pane.query_one(EntitiesPane).display
        await pilot.click(TabBar, offset=(drawn.index("Entities") + 1, 0))
        await pilot.pause()
        assert pane.active_tab == "entities"
        assert pane.query_one(EntitiesPane).display
        depth = len(next(iter(pane.query(EntityItem))).ancestors_with_self)
        assert depth <= len(pane.ancestors_with_self) + 4  # pane > switcher > tab > list > row


def _pane_drawn(app: ReaderApp) -> list[list[tuple[str, str]]]:
    """Each side pane widget's lines as the compositor gets them (text and style of every
    segment, background and colours included), from the widget's own cache where it has one."""
    from textual.geometry import Region
    from textual.widget import Widget

    from reader.ui.widgets.side_pane import SidePane

    pane = app.screen.query_one(SidePane)
    return [
        [
            (segment.text, str(segment.style))
            for strip in node.render_lines(Region(0, 0, node.size.width, node.size.height))
            for segment in strip
        ]
        for node in pane.walk_children(with_self=True)
        if isinstance(node, Widget) and node.size.area
    ]


async def test_a_theme_switch_refreshes_each_pane_row_once_and_draws_it_new(
    tmp_path: Path,
) -> None:
    """With the side pane open, a theme switch refreshes each entity row once, not once for
    every colour that changed on each of its ancestors (Textual refreshes all descendants of a
    node per changed colour: ~86 times a row), and the pane draws exactly as in an app started
    in the new theme."""
    fresh = make_app(tmp_path / "fresh.json", target=str(SEED), bidi="app", theme="light")
    async with fresh.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await fresh.workers.wait_for_complete()
        await pilot.pause()
        expected = _pane_drawn(fresh)
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("i")
        await app.workers.wait_for_complete()
        await pilot.pause()
        dark = _pane_drawn(app)
        row = next(iter(app.screen.query(EntityItem)))
        refreshes = 0
        refresh = row.refresh

        def counted(*args: object, **kwargs: object) -> object:
            nonlocal refreshes
            refreshes += 1
            return refresh(*args, **kwargs)  # type: ignore[arg-type]

        row.refresh = counted  # type: ignore[method-assign,assignment]
        app.theme = "light"
        await pilot.pause()
        del row.refresh
        assert 1 <= refreshes <= 3
        assert _pane_drawn(app) == expected
        assert expected != dark
