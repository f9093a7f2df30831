"""The bidi-aware input (library filter, find box): typed Arabic is drawn joined and right to
left, the caret moves in screen terms, and the value stays logical text.

Expected pictures come from the reference reshaper (arabic-reshaper), not from our layout
engine, and are written out by hand for the order of mixed runs."""

from __future__ import annotations

from collections.abc import Callable

from helpers.arabic import letters_with_forms, type_text, visual
from rich.style import Style
from textual.app import App, ComposeResult
from textual.strip import Strip

from reader.ui.app import ReaderApp
from reader.ui.widgets.shaped_input import ShapedInput

Factory = Callable[..., ReaderApp]


def caret_columns(box: ShapedInput, strip: Strip) -> list[int]:
    """Columns of the strip drawn in the input's cursor style."""
    cursor: Style = box.get_component_rich_style("input--cursor")
    columns: list[int] = []
    x = 0
    for segment in strip:
        if segment.style is not None and segment.style.bgcolor == cursor.bgcolor:
            columns.extend(range(x, x + len(segment.text)))
        x += len(segment.text)
    return columns


def caret(box: ShapedInput) -> int:
    """The one column the caret is drawn on."""
    columns = caret_columns(box, box.render_line(0))
    assert len(columns) == 1, columns
    return columns[0]


class BoxApp(App[None]):
    """One input, 30 cells of content (border 2 and padding 4 of the 36-cell app)."""

    def __init__(self, mode: str = "app") -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        yield ShapedInput(id="box", mode=self.mode)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        box = self.query_one(ShapedInput)
        box.cursor_blink = False
        box.focus()


async def test_typed_arabic_is_joined_right_aligned_and_stays_logical() -> None:
    app = BoxApp()
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, "مكتبة عامة")
        box = app.query_one(ShapedInput)
        text = box.render_line(0).text
        assert box.value == "مكتبة عامة"
        assert box.cursor_position == len("مكتبة عامة")
        assert len(text) == 30
        assert text.endswith(visual("مكتبة عامة")), repr(text)
        assert not set(text) & letters_with_forms()
        # The caret after the last (leftmost) letter stands just left of it.
        assert caret(box) == 30 - len("مكتبة عامة") - 1


async def test_mixed_arabic_english_and_numbers() -> None:
    app = BoxApp()
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, "عدد 12 OpenAI")
        box = app.query_one(ShapedInput)
        text = box.render_line(0).text
        assert box.value == "عدد 12 OpenAI"
        # A right-to-left field: the Latin word and the number keep their own order.
        assert text.endswith(f"OpenAI 12 {visual('عدد')}"), repr(text)
        # After the last letter (a Latin "I") the caret is on its right.
        assert text[caret(box) - 1] == "I"


async def test_arrows_move_the_caret_on_screen_home_and_end_are_logical() -> None:
    app = BoxApp()
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, "سلام abc")
        box = app.query_one(ShapedInput)
        assert box.render_line(0).text.endswith(f"abc {visual('سلام')}")
        right = 29  # the first letter, at the right edge
        await pilot.press("home")
        assert box.cursor_position == 0
        assert caret(box) == right
        columns = [caret(box)]
        positions = [box.cursor_position]
        for _ in range(12):
            await pilot.press("left")
            columns.append(caret(box))
            positions.append(box.cursor_position)
        # Left walks leftwards cell by cell over every glyph and stops at the edge.
        assert columns == sorted(columns, reverse=True)
        assert set(range(columns[-1], right + 1)) <= set(columns)
        assert box.render_line(0).text[columns[-1]] == "a"
        # ...and passes every logical place on the way (the end too: after "c"), but for the
        # one inside the lam-alef ligature (one glyph for two letters).
        assert set(positions) == set(range(len(box.value) + 1)) - {2}
        for _ in range(12):
            await pilot.press("right")
        assert caret(box) == right
        await pilot.press("end")
        assert box.cursor_position == len(box.value)
        assert box.render_line(0).text[caret(box) - 1] == "c"


async def test_shift_arrows_select_logical_text() -> None:
    app = BoxApp()
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, "مرحبا بكم")
        box = app.query_one(ShapedInput)
        await pilot.press("home", "shift+left", "shift+left", "shift+left")
        # In right-to-left text, left is forward: the first three letters are selected.
        assert box.selected_text == "مرح"
        await pilot.press("left")  # collapses to the selection's left end
        assert box.selection.is_empty
        assert box.cursor_position == 3


async def test_long_value_scrolls_with_the_caret() -> None:
    app = BoxApp()
    long_text = "هذا نص طويل جدا لا يتسع في مربع الكتابة الضيق أبدا"
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, long_text)
        box = app.query_one(ShapedInput)
        assert box.value == long_text
        text = box.render_line(0).text
        assert len(text) == 30
        # The end of the value (its last words, at the left) is in view with the caret.
        assert visual("الضيق أبدا") in text, repr(text)
        assert caret(box) == text.index(visual("أبدا")) - 1
        await pilot.press("home")
        text = box.render_line(0).text
        assert visual("هذا نص طويل") in text, repr(text)
        assert caret(box) == 29


async def test_terminal_mode_draws_the_logical_value() -> None:
    app = BoxApp(mode="terminal")
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, "مكتبة عامة")
        box = app.query_one(ShapedInput)
        text = box.render_line(0).text
        assert "مكتبة عامة" in text
        assert not [char for char in text if "\ufb50" <= char <= "\ufeff"]


async def test_library_filter_box_shapes_what_is_typed(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "الرياض")
        box = app.screen.query_one("#filter", ShapedInput)
        assert box.value == "الرياض"
        text = box.render_line(0).text
        assert text.rstrip().endswith(visual("الرياض")), repr(text)
        assert not set(text) & letters_with_forms()
        app.set_bidi_mode("terminal")
        await pilot.pause()
        assert "الرياض" in box.render_line(0).text


async def test_find_box_shapes_what_is_typed(app_factory: Factory) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("slash")
        await type_text(pilot, "الذكاء")
        box = app.screen.query_one("#find-input", ShapedInput)
        assert box.value == "الذكاء"
        text = box.render_line(0).text
        assert visual("الذكاء") in text, repr(text)
        assert not set(text) & letters_with_forms()


async def test_a_click_puts_the_caret_on_the_letter_clicked() -> None:
    app = BoxApp()
    async with app.run_test(size=(36, 3)) as pilot:
        await type_text(pilot, "مرحبا")
        box = app.query_one(ShapedInput)
        text = box.render_line(0).text
        # Right-aligned: the letters take the last five of the 30 content cells, the first
        # letter rightmost; the content starts after the border (1) and padding (2).
        assert text.endswith(visual("مرحبا"))
        await pilot.click(ShapedInput, offset=(3 + 27, 0))
        assert box.cursor_position == 2  # the third letter, ح
        assert caret(box) == 27
        await pilot.click(ShapedInput, offset=(3 + 10, 0))  # left of the text: its end
        assert box.cursor_position == 5
