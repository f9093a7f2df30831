"""Themes as data: every shipped theme loads, has every colour, and its marks stay readable."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.apps import make_app
from helpers.waits import search_palette, settle
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.style import Style

from reader.ingest.library import add_targets
from reader.notes.anchors import make_annotation
from reader.paths import themes_dir
from reader.store.database import Store
from reader.ui.themes import (
    MARK_VARIABLES,
    REQUIRED_VARIABLES,
    contrast_ratio,
    load_theme_file,
    load_themes,
)
from reader.ui.widgets.highlight_view import ReadingView

SHIPPED = load_themes()
ROOT = Path(__file__).resolve().parents[2]
SEED_TEXT = (ROOT / "seeds" / "000_23062d0d2c77e25f.txt").read_text(encoding="utf-8")


def test_at_least_the_four_themes_ship_with_stylesheets() -> None:
    assert not SHIPPED.problems
    assert {"dark", "light", "sepia", "high-contrast"} <= set(SHIPPED.themes)
    assert {path.stem for path in SHIPPED.css_paths} >= {"dark", "light", "sepia", "high-contrast"}
    assert all(path.parent == themes_dir() for path in SHIPPED.css_paths)


@pytest.mark.parametrize("name", sorted(SHIPPED.themes))
def test_text_and_marks_are_readable(name: str) -> None:
    theme = SHIPPED.themes[name]
    assert set(REQUIRED_VARIABLES) <= set(theme.variables)
    assert theme.foreground and theme.background
    # Body text: WCAG AAA (7:1); marks and headings: at least AA (4.5:1).
    assert contrast_ratio(theme.foreground, theme.background) >= 7
    assert contrast_ratio(theme.variables["reader-heading"], theme.background) >= 4.5
    for mark in MARK_VARIABLES:
        ratio = contrast_ratio(theme.variables[f"{mark}-text"], theme.variables[mark])
        assert ratio >= 4.5, f"{name}: {mark} text is hard to read ({ratio:.1f}:1)"


def test_contrast_ratio_extremes() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)


def test_broken_theme_files_are_reported_not_fatal(tmp_path: Path) -> None:
    good = (themes_dir() / "dark.toml").read_text(encoding="utf-8")
    (tmp_path / "ok.toml").write_text(good.replace('name = "dark"', 'name = "ok"'), "utf-8")
    (tmp_path / "bad.toml").write_text("name = [unclosed", encoding="utf-8")
    (tmp_path / "missing.toml").write_text('name = "missing"\nprimary = "#fff"\n', "utf-8")
    (tmp_path / "colour.toml").write_text(good.replace("#1b1e24", "not-a-colour"), "utf-8")
    found = load_themes(tmp_path)
    assert list(found.themes) == ["ok"]
    assert len(found.problems) == 3
    assert any("bad.toml" in p and "could not be read" in p for p in found.problems)
    assert any("missing.toml" in p and "lacks the colours" in p for p in found.problems)
    assert any("colour.toml" in p and "not-a-colour" in p for p in found.problems)
    with pytest.raises(ValueError, match=r"bad\.toml"):
        load_theme_file(tmp_path / "bad.toml")


# ---------------------------------------------------------------- every theme, every mark

#: Marks drawn by the screens, by layer, with the style each screen gives them.
MARK_LAYERS: dict[str, str] = {
    "find": "$reader-find",
    "find-current": "$reader-find-current",
    "entity": "$reader-entity",
    "selection": "$reader-selection",
    "cursor": "$reader-cursor",
}
HIGHLIGHTS = (1, 2, 3, 4, 5)
SYSTEMS = (ColorSystem.EIGHT_BIT, ColorSystem.STANDARD)


@dataclass(frozen=True, slots=True)
class Look:
    """What a terminal shows for one cell in one colour system."""

    background: str
    foreground: str
    attributes: frozenset[str]

    @property
    def seen(self) -> tuple[str, frozenset[str]]:
        """What tells marks apart: the cell's colour and its attributes (text colour aside)."""
        return self.background, self.attributes


def _terminal_colour(colour: RichColor | None, system: ColorSystem, default: str) -> str:
    if colour is None or colour.is_default:
        return default
    down = colour.downgrade(system)
    if down.number is not None:  # standard colours 0-15 are the 256-colour table's 0-15
        return f"#{down.number}"
    return down.get_truecolor().hex


def _look(style: Style, system: ColorSystem) -> Look:
    background = _terminal_colour(style.bgcolor, system, "default background")
    foreground = _terminal_colour(style.color, system, "default text")
    if style.reverse:
        background, foreground = foreground, background
    attributes = frozenset(
        name for name in ("bold", "italic", "underline", "strike", "blink") if getattr(style, name)
    )
    return Look(background, foreground, attributes)


def _mark_article(path: Path) -> tuple[Path, list[str]]:
    """An Arabic article file whose words each carry one mark or one mark over a highlight."""
    seed_words = SEED_TEXT.split()
    words = list(dict.fromkeys(w for w in seed_words if w.isalpha() and len(w) >= 4))
    needed = 1 + len(HIGHLIGHTS) + len(MARK_LAYERS) + len(HIGHLIGHTS) * len(MARK_LAYERS)
    assert len(words) >= needed
    file = path / "marks.txt"
    file.write_text("ألوان\n\n" + " ".join(words[:needed]) + "\n", encoding="utf-8")
    return file, words[:needed]


def _cells_of_offsets(view: ReadingView) -> dict[int, tuple[int, int]]:
    """The first cell (x, y) of the view drawing each article offset on show."""
    where: dict[int, tuple[int, int]] = {}
    for y in range(view.size.height):
        for x in range(view.size.width):
            offset = view.offset_at(x, y)
            if offset is not None:
                where.setdefault(offset, (x, y))
    return where


def _geometry(view: ReadingView) -> tuple[object, ...]:
    """What `_cells_of_offsets` depends on: the view's size, scroll and reading column."""
    return (
        view.size,
        view.scroll_offset,
        view.wrap_width,
        view.column_left,
        tuple(view.line_texts()),
    )


async def _cells(
    view: ReadingView, spans: dict[str, tuple[int, int]], where: dict[int, tuple[int, int]]
) -> dict[str, Style]:
    """The style drawn on a cell inside each named span (not at its edges), read from the
    rendered lines (`where`: `_cells_of_offsets`)."""
    styles: dict[str, Style] = {}
    for name, (start, end) in spans.items():
        x, y = next(where[offset] for offset in range(start + 1, end - 1) if offset in where)
        cell = 0
        for segment in view.render_line(y):
            width = cell_len(segment.text)
            if cell <= x < cell + width:
                styles[name] = segment.style or Style()
                break
            cell += width
    return styles


async def test_every_theme_draws_every_mark_distinctly_in_256_and_16_colours(
    tmp_path: Path,
) -> None:
    file, words = _mark_article(tmp_path)
    db = tmp_path / "db.json"
    store = Store.open(db)
    report = add_targets(store, [str(file)])
    article = report.added[0]
    text = article.text

    def span(word: str) -> tuple[int, int]:
        start = text.index(word)
        return start, start + len(word)

    queue = iter(words)
    plain = next(queue)
    alone = {f"highlight-{colour}": span(next(queue)) for colour in HIGHLIGHTS}
    alone |= {layer: span(next(queue)) for layer in MARK_LAYERS}
    over = {(colour, layer): span(next(queue)) for colour in HIGHLIGHTS for layer in MARK_LAYERS}
    store.add_annotations(
        [make_annotation(article, *alone[f"highlight-{c}"], color=c) for c in HIGHLIGHTS]
        + [make_annotation(article, *where, color=c) for (c, _), where in over.items()]
    )
    store.close()

    app = make_app(db, target=str(file), seed=False, theme="dark")
    failures: list[str] = []
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(ReadingView)
        for layer, spec in MARK_LAYERS.items():
            spans = [alone[layer]] + [where for (_, name), where in over.items() if name == layer]
            view.set_marks(layer, [(start, end, spec) for start, end in spans])
        cells = {"plain": span(plain), **alone}
        cells |= {f"{colour}+{layer}": where for (colour, layer), where in over.items()}
        # Where each offset is drawn depends on the view's geometry, which most themes leave
        # as it is (the ANSI ones do not): the cells are found again only when it changed.
        where: dict[tuple[object, ...], dict[int, tuple[int, int]]] = {}
        themes = sorted(app.available_themes)
        assert {"dark", "light", "sepia", "high-contrast", "nord", "gruvbox"} <= set(themes)
        for name in themes:
            app.theme = name
            await pilot.pause()
            assert app.theme == name
            app.save_screenshot(str(tmp_path / f"{name}.svg"))  # the whole screen draws
            geometry = _geometry(view)
            if geometry not in where:
                where[geometry] = _cells_of_offsets(view)
            styles = await _cells(view, cells, where[geometry])
            marks = ["plain", *alone]
            for system in SYSTEMS:
                looks = {mark: _look(styles[mark], system) for mark in styles}
                for index, first in enumerate(marks):
                    if looks[first].background == looks[first].foreground and first != "plain":
                        failures.append(f"{name} {system.name}: {first} text is invisible")
                    for second in marks[index + 1 :]:
                        # 256 colours are enough for ten colours; 16 need attributes too.
                        if looks[first].seen == looks[second].seen or (
                            system == ColorSystem.EIGHT_BIT
                            and looks[first].background == looks[second].background
                        ):
                            failures.append(f"{name} {system.name}: {first} = {second}")
                for colour, layer in over:
                    if looks[f"{colour}+{layer}"].seen == looks[f"highlight-{colour}"].seen:
                        failures.append(
                            f"{name} {system.name}: {layer} vanishes in highlight {colour}"
                        )
    assert not failures, "\n".join(failures)


async def test_a_textual_theme_chosen_in_the_palette_works_and_is_remembered(
    tmp_path: Path,
) -> None:
    db = tmp_path / "db.json"
    app = make_app(db, target=str(ROOT / "seeds" / "000_23062d0d2c77e25f.txt"), theme="dark")
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await search_palette(pilot, "Theme")
        await pilot.press("enter")  # Textual's "Change the current theme"
        await settle(pilot)
        await pilot.press(*"gruvbox")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "gruvbox"
        assert app.theme_variables["background"] == "#282828"
        await pilot.press("j")  # still running and responding
        await pilot.pause()
    again = make_app(db, seed=False)
    async with again.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert again.theme == "gruvbox"
    chosen = make_app(db, seed=False, theme="nord")
    async with chosen.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert chosen.theme == "nord"
