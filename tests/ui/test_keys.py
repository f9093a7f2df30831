"""Focus and keys never trap the reader (Escape never drops a typed note, help and the README
name the reader's keys); mouse selection snaps to words. Pilot tests through the real app on a
database in tmp_path."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.apps import make_app
from helpers.arabic import type_text
from helpers.screen import screen_lines
from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.keys import format_key
from textual.pilot import Pilot
from textual.widgets import Input, Label, ListView

from reader.store.database import Store
from reader.ui.app import ReaderApp
from reader.ui.screens.article import ArticleScreen
from reader.ui.screens.help import HelpScreen, binding_rows
from reader.ui.screens.library import LibraryScreen
from reader.ui.screens.note import DiscardScreen, NoteScreen
from reader.ui.widgets.entities_pane import EntitiesPane, EntityItem
from reader.ui.widgets.highlight_view import ReadingView
from reader.ui.widgets.note_editor import NoteEditor
from reader.ui.widgets.side_pane import SidePane

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_23062d0d2c77e25f.txt"
SIZE = (100, 40)


def _app(tmp_path: Path) -> ReaderApp:
    return make_app(tmp_path / "db.json", target=str(SEED), bidi="app", theme="dark")


def _view(app: ReaderApp) -> ReadingView:
    return app.screen.query_one(ReadingView)


def _footer_keys(app: ReaderApp) -> dict[str, str]:
    """What the footer offers now: description -> key, from the screen's active bindings
    (the footer shows exactly the enabled bindings with show=True)."""
    shown: dict[str, str] = {}
    for key, (_node, binding, enabled, _tooltip) in app.screen.active_bindings.items():
        if binding.show and enabled:
            shown[binding.description] = key
    return shown


async def test_closing_the_side_pane_gives_the_keys_back_to_the_article(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        pane = app.screen.query_one(SidePane)
        await pilot.press("i")  # Entities
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("tab", "down")  # the reader works in the Entities list
        await pilot.pause()
        assert app.screen.focused is not None and pane in app.screen.focused.ancestors
        await pilot.press("i")  # closed at once, from the Entities tab
        await pilot.pause()
        assert not pane.is_open
        # At once, without Tab: j scrolls, arrows move the cursor, v selects, 1 highlights.
        await pilot.press("j")
        assert view.scroll_offset.y == 1
        await pilot.press("left")
        assert view.cursor is not None
        await pilot.press("v", "left")
        assert view.selection is not None
        await pilot.press("1")
        await pilot.pause()
        assert view.selection is None
        assert len(view.highlight_marks()) == 1


async def test_escape_ends_the_find_and_n_opens_the_note_again(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        await pilot.press("left", "v", "2")  # a highlight on the first word, cursor on it
        await pilot.pause()
        assert len(view.highlight_marks()) == 1
        await pilot.press("slash", *"openai", "enter")
        await pilot.pause()
        assert view.marks("find")
        assert _footer_keys(app).get("Next match") == "n"
        await pilot.press("escape")
        await pilot.pause()
        assert view.marks("find") == [] and view.marks("find-current") == []
        assert "Next match" not in _footer_keys(app)
        assert _footer_keys(app).get("Note") == "n"
        assert isinstance(app.screen, ArticleScreen)
        view.move_cursor(view.highlight_marks()[0][0])
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)


async def test_enter_opens_the_note_while_find_marks_are_shown(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        await pilot.press("left", "v", "2")
        await pilot.pause()
        await pilot.press("slash", *"openai", "enter")
        await pilot.pause()
        assert view.marks("find") and view.has_focus
        view.move_cursor(view.highlight_marks()[0][0])
        await pilot.press("n")  # the footer says n is the next match
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
        assert view.marks("find-current")[0][:2] == view.marks("find")[1][:2]
        await pilot.press("enter")  # and Enter still opens the note
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)


async def test_escape_in_the_find_box_ends_the_find(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        await pilot.press("slash", *"openai")
        await pilot.pause()
        assert view.marks("find")
        await pilot.press("escape")
        await pilot.pause()
        assert view.marks("find") == [] and view.has_focus
        assert (
            not app.screen.query_one("#find-input", Input).display
            or not app.screen.query_one("#find-bar").display
        )
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_switching_tabs_from_the_entities_list_keeps_keys_working(tmp_path: Path) -> None:
    """I from inside the Entities list shows Notes; the focus does not stay in the hidden tab."""
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        pane = app.screen.query_one(SidePane)
        await pilot.press("i")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("tab", "down")
        await pilot.pause()
        entities = app.screen.query_one(EntitiesPane)
        assert app.screen.focused is not None and entities in app.screen.focused.ancestors
        await pilot.press("I")
        await pilot.pause()
        await pilot.pause()
        assert pane.is_open and pane.active_tab == "notes"
        focused = app.screen.focused
        assert focused is not None and entities not in focused.ancestors
        top = view.scroll_offset.y
        await pilot.press("j")
        assert view.scroll_offset.y == top + 1


async def _open_entities(app: ReaderApp, pilot: object) -> EntitiesPane:
    await pilot.press("i")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    pane = app.screen.query_one(EntitiesPane)
    assert pane.loaded and pane.entities
    return pane


async def test_first_down_in_the_entities_tab_lands_on_an_entry(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        pane = await _open_entities(app, pilot)
        entities_list = pane.query_one("#entities-list", ListView)
        entities_list.focus()
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        item = entities_list.highlighted_child
        assert isinstance(item, EntityItem)
        first = pane.query(EntityItem).first()
        assert item is first
        # The cursor is visible: the row is drawn in another background than the next entry.
        rows = list(pane.query(EntityItem))
        assert rows[0].styles.background != rows[1].styles.background
        await pilot.press("up")  # nothing above but a heading: stays on the entry
        assert entities_list.highlighted_child is first
        await pilot.press("down")
        assert entities_list.highlighted_child is rows[1]


async def test_n_in_the_entities_tab_says_which_mention(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        pane = await _open_entities(app, pilot)
        entities_list = pane.query_one("#entities-list", ListView)
        entities_list.focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        entity = pane.selected
        assert entity is not None
        total = len(entity.mentions)
        assert total >= 3
        mention = pane.query_one("#entities-mention", Label)
        assert f"1/{total}" in str(mention.render())
        await pilot.press("n", "n")
        await pilot.pause()
        assert f"3/{total}" in str(mention.render())
        third = entity.mentions[2]
        start, end = view.visible_range()
        assert start <= third.start < end
        await pilot.press("N")
        assert f"2/{total}" in str(mention.render())


def _screen_cell(view: ReadingView, offset: int) -> tuple[int, int]:
    """A widget cell (x, y) that draws article offset `offset` (found through offset_at)."""
    for y in range(view.size.height):
        for x in range(view.size.width):
            if view.offset_at(x, y) == offset:
                return x, y
    raise AssertionError(f"offset {offset} is not on screen")


async def test_a_drag_from_inside_a_word_selects_whole_words(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        number = text.index("97.400")
        million = text.index("مليون", number)
        # Press one cell inside "97.400", release inside "مليون" (between joined letters).
        await pilot.mouse_down(view, offset=_screen_cell(view, number + 1))
        await pilot.hover(view, offset=_screen_cell(view, million + 2))
        assert view.selection == (number, million + len("مليون"))  # already while dragging
        await pilot.mouse_up(view, offset=_screen_cell(view, million + 2))
        assert view.selection == (number, million + len("مليون"))
        await pilot.press("3")
        await pilot.pause()
        (annotation,) = app.store.annotations_for(view.article.id)  # type: ignore[union-attr]
        assert annotation.quote == "97.400 مليون"
        assert (annotation.start, annotation.end) == (number, million + len("مليون"))
        assert view.highlight_marks() == [(number, million + 5, "$reader-highlight-3")]


async def test_a_drag_backwards_from_inside_a_word_keeps_that_word_whole(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        million = text.index("مليون")
        number = text.rindex("97.400", 0, million)
        await pilot.mouse_down(view, offset=_screen_cell(view, million + 3))
        await pilot.mouse_up(view, offset=_screen_cell(view, number + 4))
        assert view.selection == (number, million + len("مليون"))


async def test_double_click_selects_a_word_and_shift_click_extends(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        view = _view(app)
        text = view.text
        million = text.index("مليون")
        await pilot.double_click(view, offset=_screen_cell(view, million + 2))
        assert view.selection == (million, million + len("مليون"))
        control = text.index("للسيطرة", million)
        end = control + len("للسيطرة")
        await pilot.click(view, offset=_screen_cell(view, control + 3), shift=True)
        assert view.selection == (million, end)
        # Shift+click before the selection extends it backwards, keeping what was chosen.
        number = text.rindex("97.400", 0, million)
        await pilot.click(view, offset=_screen_cell(view, number + 2), shift=True)
        assert view.selection == (number, end)
        await pilot.press("2")
        await pilot.pause()
        assert view.highlight_marks() == [(number, end, "$reader-highlight-2")]
        # A plain click still only moves the cursor and drops a selection.
        await pilot.double_click(view, offset=_screen_cell(view, million + 1))
        assert view.selection == (million, million + len("مليون"))
        await pilot.click(view, offset=_screen_cell(view, control + 1))
        assert view.selection is None and view.cursor == control + 1


# --- Escape in the note editor asks before a typed note is lost -----------------------------

NOTE = "ملاحظة طويلة كتبتها عن هذا الخبر"


async def _type_note(pilot: Pilot[None], text: str) -> None:
    """Type `text` one key event per character, as a terminal sends it."""
    await type_text(pilot, text)


def _stored_notes(tmp_path: Path) -> list[str]:
    """The notes of every highlight, read back from the database on disk."""
    with Store.open(tmp_path / "db.json") as store:
        return [a.note for a in store.all_annotations()]


async def test_escape_in_the_note_editor_asks_before_dropping_a_typed_note(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("left", "v", "2", "enter")  # highlight the first word, open its note
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await _type_note(pilot, NOTE)
        editor = app.screen.query_one("#note-text", NoteEditor)
        assert editor.text == NOTE
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardScreen)  # asked, nothing dropped yet
        await pilot.press("escape")  # Escape again keeps editing
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        assert app.screen.query_one("#note-text", NoteEditor).text == NOTE
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
    assert _stored_notes(tmp_path) == [NOTE]


async def test_discarding_a_typed_note_keeps_the_old_one(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("left", "v", "2", "enter")
        await pilot.pause()
        await _type_note(pilot, "اول")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")  # the note again
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await _type_note(pilot, " ثم")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DiscardScreen)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)
    assert _stored_notes(tmp_path) == ["اول"]


async def test_escape_closes_an_unchanged_note_at_once(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("left", "v", "2", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NoteScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ArticleScreen)


# --- help and README list the reader's keys ---------------------------------------------------

README = ROOT / "README.md"
_README_NAMES = {
    "↑": "up",
    "↓": "down",
    "←": "left",
    "→": "right",
    "PgUp": "pageup",
    "PgDn": "pagedown",
    "Enter": "enter",
    "Escape": "escape",
    "Home": "home",
    "End": "end",
}


def _canonical(key: str) -> str:
    """One spelling for a key, as Textual displays it: 'shift+←', '?', '⏎', 'pgup'. A README
    name ('shift+←', 'PgUp', 'Enter') and a binding's key ('shift+left', 'pageup', 'enter',
    'question_mark') meet here."""
    *modifiers, base = key.split("+")
    return "+".join([*modifiers, format_key(_README_NAMES.get(base, base))])


def _readme_keys() -> dict[str, set[str]]:
    """The keys each row of the README's Keys table names (in backticks; `1`–`5` is a range)."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("### Keys") :]
    table = table[: table.index("\n## ")]
    rows: dict[str, set[str]] = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells[0] in ("Where", "---"):
            continue
        keys = {_canonical(token) for token in re.findall(r"`([^`]+)`", cells[1])}
        for first, last in re.findall(r"`(\d)`–`(\d)`", cells[1]):
            keys.update(str(n) for n in range(int(first), int(last) + 1))
        rows[cells[0]] = keys
    return rows


async def _help_bindings(app: ReaderApp, pilot: Pilot[None]) -> list[tuple[str, Binding]]:
    """(section, binding) for every key the help screen lists, with the side pane open."""
    await _open_entities(app, pilot)
    return [
        (title, binding)
        for title, bindings in binding_rows(app.help_sections())
        for binding in bindings
    ]


async def test_help_lists_the_readers_keys_not_textuals_scrolling(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await _open_entities(app, pilot)
        ours = {
            (binding.description, binding.id or "")
            for _, cls in app.help_sections()
            for klass in cls.__mro__
            if klass.__module__.startswith("reader.")
            for bindings in BindingsMap(klass.__dict__.get("BINDINGS", [])).key_to_bindings.values()
            for binding in bindings
        }
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = {(description, binding_id) for _, _, description, binding_id in app.screen.rows}
        sections = {section for section, _, _, _ in app.screen.rows}
        assert {"Everywhere", "Library", "Article", "Reading", "Entities tab"} <= sections
        assert listed - ours == set(), "help lists keys the reader does not bind"


async def test_help_shows_keys_and_what_they_do_not_binding_ids(tmp_path: Path) -> None:
    app = _app(tmp_path)
    async with app.run_test(size=(130, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = "\n".join(screen_lines(app))
        assert re.search(r"\bq\s+Quit\b", shown)
        assert re.search(r"\bKey\s+Does\s+│", shown)  # two columns, no "Id"
        ids = {binding_id for _, _, _, binding_id in app.screen.rows if binding_id}
        assert "app.quit" in ids
        assert not [binding_id for binding_id in ids if binding_id in shown]


async def test_the_readme_keys_table_and_the_bindings_agree(tmp_path: Path) -> None:
    rows = _readme_keys()
    assert {"Everywhere", "Library", "Reading", "Highlights", "Entity corrections"} <= set(rows)
    readme = set().union(*rows.values())
    app = _app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        listed = await _help_bindings(app, pilot)
    bound = {_canonical(binding.key) for _, binding in listed}
    missing = sorted(
        f"{title}: {binding.key} ({binding.description})"
        for title, binding in listed
        if _canonical(binding.key) not in readme
    )
    assert not missing, f"bound keys the README's Keys table does not name: {missing}"
    unbound = sorted(readme - bound - {_canonical(App.COMMAND_PALETTE_BINDING)})
    assert not unbound, f"keys in the README's Keys table that nothing binds: {unbound}"
