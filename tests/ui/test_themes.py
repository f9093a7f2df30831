"""Themes as data: every shipped theme loads, has every colour, and its marks stay readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.paths import themes_dir
from reader.ui.themes import (
    MARK_VARIABLES,
    REQUIRED_VARIABLES,
    contrast_ratio,
    load_theme_file,
    load_themes,
)

SHIPPED = load_themes()


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
