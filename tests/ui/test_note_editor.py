"""The note editor: Arabic typed into it is drawn shaped and right-to-left, the cursor moves in
logical order, and a note written in the dialog is saved and read back exactly."""

from __future__ import annotations

from pathlib import Path

from helpers.arabic import keys_handled
from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from reader.models import Annotation, Article, Block
from reader.notes.anchors import make_annotation
from reader.store.database import Store
from reader.text.layout import layout
from reader.ui.messages import NoteEdited, NoteResult
from reader.ui.screens.note import DiscardScreen, NoteScreen, parse_tags
from reader.ui.widgets.colour_picker import CELLS, ColourPicker
from reader.ui.widgets.highlight_view import apply_note_result
from reader.ui.widgets.note_editor import NoteEditor
from reader.ui.widgets.shaped_text import ShapedText

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_23062d0d2c77e25f.txt"

WIDTH = 40  # app width; the editor's content is 36 cells (border 2, padding 2)
NOTE = "هذا خبر مهم عن OpenAI"


class EditorApp(App[None]):
    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text

    def compose(self) -> ComposeResult:
        yield NoteEditor(self.initial, id="editor")

    def on_mount(self) -> None:
        self.query_one(NoteEditor).focus()


async def _type(pilot: Pilot[None], text: str) -> None:
    """Type `text` as a terminal would send it: one key event per character, sent at once as
    fast typing is (Enter through `pilot.press`)."""
    for char in text:
        if char == "\n":
            await pilot.press("enter")
        elif char == " " or char.isalnum():
            pilot.app.post_message(events.Key("space" if char == " " else char, char))
        else:  # harakat and punctuation: the key event carries the character itself
            pilot.app.post_message(events.Key(f"char_{ord(char):x}", char))
    await keys_handled(pilot)
    await pilot.pause()


def _cursor_cells(editor: NoteEditor, row: int) -> list[int]:
    """Columns of screen row `row` of the editor drawn with the cursor style (reverse)."""
    strip = editor.render_line(row)
    cells: list[int] = []
    x = 0
    for segment in strip:
        if segment.style is not None and segment.style.reverse:
            cells.extend(range(x, x + len(segment.text)))
        x += len(segment.text)
    return cells


async def test_typed_arabic_is_kept_logical_and_drawn_shaped_right_to_left() -> None:
    app = EditorApp()
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        await _type(pilot, NOTE)
        assert editor.text == NOTE
        assert editor.cursor == len(NOTE)
        width = editor.content_size.width - 1
        (line,) = layout(NOTE, width, "app")
        row = editor.render_line(0).text
        # Drawn exactly as the layout engine lays the note out, right-aligned.
        assert row.rstrip() == " " * (line.indent + 1) + line.text
        assert row.rstrip().endswith(line.text)
        assert line.text != NOTE  # shaped and reordered, not the logical string
        assert "OpenAI" in row  # the Latin run still reads left to right
        # At the end of the note the cursor is one cell past the paragraph's end, which in a
        # right-to-left line is just left of its leftmost glyph.
        assert _cursor_cells(editor, 0) == [line.indent]


async def test_cursor_is_drawn_on_the_cell_of_its_logical_offset() -> None:
    app = EditorApp(NOTE)
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        width = editor.content_size.width - 1
        (line,) = layout(NOTE, width, "app")
        x0 = line.indent + 1
        for offset in (0, NOTE.index("خبر"), NOTE.index("OpenAI"), NOTE.index("AI")):
            editor.cursor = offset
            editor.refresh()
            await pilot.pause()
            expected = [x0 + cell for cell in line.logical_to_cells(offset)]
            assert expected
            assert _cursor_cells(editor, 0) == expected[:1]


async def test_left_moves_forward_in_a_right_to_left_line() -> None:
    app = EditorApp("عربي\nEnglish")
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        editor.cursor = 0
        await pilot.press("left")
        assert editor.cursor == 1
        await pilot.press("right")
        assert editor.cursor == 0
        editor.cursor = len("عربي\n")
        await pilot.press("right")
        assert editor.cursor == len("عربي\n") + 1  # left-to-right line: right is forward
        await pilot.press("left", "left")
        assert editor.cursor == len("عربي")
        await pilot.press("home")
        assert editor.cursor == 0
        await pilot.press("end")
        assert editor.cursor == len("عربي")


async def test_cursor_steps_over_harakat_and_backspace_removes_one_mark() -> None:
    app = EditorApp()
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        await _type(pilot, "كَتَبَ")
        assert editor.text == "كَتَبَ"
        await pilot.press("backspace")
        assert editor.text == "كَتَب"
        await pilot.press("right")  # backward in an RTL line: over ب
        assert editor.cursor == 4
        await pilot.press("right")  # over تَ as one step
        assert editor.cursor == 2
        await pilot.press("delete")  # deletes تَ with its mark
        assert editor.text == "كَب"


async def test_pasted_escape_sequences_go_whole_and_tabs_become_spaces() -> None:
    """What a note may hold is what the store keeps (`clean_multiline`): a colour sequence
    pasted from a terminal leaves no "[31m" behind, before or after saving."""
    app = EditorApp()
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        editor.post_message(events.Paste("\x1b[31mأحمر\x1b[0m\tred\x07\r\nok"))
        await pilot.pause()
        assert editor.text == "أحمر red\nok"
        assert editor.cursor == len(editor.text)


async def test_cursor_steps_over_latin_accents_as_one_character() -> None:
    app = EditorApp("e\u0301te\u0301")
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        editor.cursor = 0
        await pilot.press("right")
        assert editor.cursor == 2
        await pilot.press("end", "left")
        assert editor.cursor == 3
        await pilot.press("delete")
        assert editor.text == "e\u0301t"


async def test_enter_backspace_delete_and_wrapping() -> None:
    long_note = " ".join(["كلمة"] * 20)
    app = EditorApp()
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        await _type(pilot, "سطر\nثان")
        assert editor.text == "سطر\nثان"
        await pilot.press("up")
        assert editor.cursor <= len("سطر")
        editor.text = long_note
        editor.cursor = len(long_note)
        await pilot.pause()
        width = editor.content_size.width - 1
        lines = layout(long_note, width, "app")
        assert len(lines) > 1
        for y, line in enumerate(lines):
            assert editor.render_line(y).text.rstrip() == " " * (line.indent + 1) + line.text
        await pilot.press("up")
        row, _ = editor.cursor_position()
        assert row == len(lines) - 2
        await pilot.press("ctrl+home")
        assert editor.cursor == 0
        await pilot.press("delete")
        assert editor.text == long_note[1:]


async def test_shaped_text_draws_through_the_layout_engine() -> None:
    class ShapedApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ShapedText(NOTE + "\nسطر ثان")

    app = ShapedApp()
    async with app.run_test(size=(WIDTH, 8)):
        shaped = app.query_one(ShapedText)
        assert shaped.size.height == 2
        (line,) = layout(NOTE, WIDTH, "app")
        assert shaped.render_line(0).text.rstrip() == " " * line.indent + line.text


def test_tags_split_on_latin_and_arabic_commas() -> None:
    assert parse_tags("سياسة، تقنية, economy\n سياسة ,,") == ["سياسة", "تقنية", "economy"]


class DialogApp(App[None]):
    def __init__(self, annotation: Annotation) -> None:
        super().__init__()
        self.annotation = annotation
        self.results: list[NoteResult | None] = []

    def on_mount(self) -> None:
        self.push_screen(NoteScreen(self.annotation), self.results.append)


def _seed_article() -> Article:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Article(
        id="seed", title=lines[0], source=str(SEED), blocks=[Block("paragraph", x) for x in lines]
    )


def _annotation(**changes: object) -> Annotation:
    fields: dict[str, object] = {
        "id": "a" * 32,
        "article_id": "art",
        "start": 0,
        "end": 4,
        "quote": "نص مقتبس",
        "color": 2,
    }
    fields.update(changes)
    return Annotation(**fields)  # type: ignore[arg-type]


async def test_dialog_returns_note_tags_and_colour() -> None:
    app = DialogApp(_annotation(tags=["قديم"]))
    async with app.run_test(size=(100, 40)) as pilot:
        await _type(pilot, "ملاحظتي: الرقم 97.400 مهم")
        await pilot.press("tab")  # to the tags editor
        await pilot.press("end")
        await _type(pilot, "، جديد")
        # The fourth swatch: padding 1, then CELLS cells a colour (" ○ 4 " and a gap).
        await pilot.click("#note-colour", offset=(1 + 3 * CELLS + 3, 0))
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.results == [
        NoteResult(action="save", note="ملاحظتي: الرقم 97.400 مهم", tags=["قديم", "جديد"], color=4)
    ]


async def test_the_colour_is_chosen_by_keys_and_shown() -> None:
    """Tab reaches the colours after the tags; Right and a number key choose; the chosen one
    is marked ● on screen."""
    app = DialogApp(_annotation())
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("tab", "tab")  # note -> tags -> colours
        picker = app.screen.query_one(ColourPicker)
        assert picker.has_focus and picker.value == 2
        await pilot.press("right", "right")
        assert picker.value == 4
        await pilot.press("right")
        assert picker.value == 5  # the last colour stays the last
        line = "".join(segment.text for segment in picker.render_line(0))
        assert line.split().index("●") == 2 * 4  # "● 5" after four "○ N" pairs
        await pilot.press("1", "ctrl+s")
        await pilot.pause()
    assert [result.color for result in app.results] == [1]


async def test_dialog_cancel_and_delete() -> None:
    app = DialogApp(_annotation(note="باقية"))
    async with app.run_test(size=(100, 40)) as pilot:
        await _type(pilot, "لن تحفظ")
        await pilot.press("escape")  # asks first: the typed note would be lost
        await pilot.pause()
        assert isinstance(app.screen, DiscardScreen)
        await pilot.press("d")
        await pilot.pause()
        app.push_screen(NoteScreen(app.annotation), app.results.append)
        await pilot.pause()
        await pilot.click("#note-delete")
        await pilot.pause()
    assert app.results == [None, NoteResult(action="delete", color=2)]


async def test_arabic_note_is_saved_to_the_store_and_read_back(tmp_path: Path) -> None:
    article = _seed_article()
    start = article.text.index("OpenAI")
    note = "ملاحظة عربية: يريد ماسك شراء OpenAI\nسطر ثانٍ"
    db = tmp_path / "db.json"
    with Store.open(db) as store:
        store.put_article(article)
        annotation = make_annotation(article, start, start + 6)
        store.add_annotation(annotation)
        app = DialogApp(annotation)
        async with app.run_test(size=(100, 40)) as pilot:
            await _type(pilot, note)
            await pilot.press("ctrl+s")
            await pilot.pause()
        (result,) = app.results
        assert result is not None
        apply_note_result(store, annotation, result)
    with Store.open(db) as store:
        (saved,) = store.annotations_for(article.id)
    assert saved.note == note
    assert saved.quote == "OpenAI"


async def test_long_notes_scroll_to_keep_the_cursor_visible() -> None:
    app = EditorApp()
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        lines = [f"سطر رقم {n}" for n in range(12)]
        await _type(pilot, "\n".join(lines))
        height = editor.content_size.height
        assert height < len(lines)
        row, x = editor.cursor_position()
        assert row == len(lines) - 1
        # The last row is drawn at the bottom of the editor, with the cursor on it.
        assert _cursor_cells(editor, height - 1) == [x]
        width = editor.content_size.width - 1
        assert (
            editor.render_line(height - 1).text.strip() == layout(lines[-1], width, "app")[0].text
        )
        await pilot.press("ctrl+home")
        assert editor.cursor_position()[0] == 0
        assert _cursor_cells(editor, 0) != []


async def test_a_click_puts_the_cursor_on_the_clicked_character() -> None:
    app = EditorApp(NOTE)
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        editor = app.query_one(NoteEditor)
        (line,) = layout(NOTE, editor.content_size.width - 1, "app")
        target = NOTE.index("OpenAI") + 1
        cell = line.logical_to_cells(target)[0]
        # Content starts after the border (1) and padding (1); RTL rows keep column 0 free.
        await pilot.click(editor, offset=(2 + line.indent + 1 + cell, 1))
        assert editor.cursor == target


class ListeningApp(EditorApp):
    """Counts the typed `NoteEdited` messages the editor posts (messages up)."""

    def __init__(self) -> None:
        super().__init__()
        self.edited: list[str] = []

    def on_note_edited(self, message: NoteEdited) -> None:
        assert message.control is self.query_one(NoteEditor)
        self.edited.append(message.text)


async def test_the_editor_posts_a_typed_note_edited_message() -> None:
    app = ListeningApp()
    async with app.run_test(size=(WIDTH, 12)) as pilot:
        await _type(pilot, "خبر")
        await pilot.press("backspace")
        await pilot.pause()
    assert app.edited == ["خ", "خب", "خبر", "خب"]
