"""Themes as data: `themes/NAME.toml` Textual theme definitions plus optional `NAME.tcss`.

Each TOML file holds the fields of `textual.theme.Theme` and a `[variables]` table with the
reader's own colours (`reader-heading`, `reader-highlight-1` .. `-5`, `reader-find`, ...; each
mark colour `X` has a text colour `X-text` chosen to stay readable on it). A broken file is
skipped and reported, so the app can fall back to a safe theme with a notification.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from textual.color import Color, ColorParseError
from textual.theme import Theme

from reader.paths import themes_dir

#: The theme used when none is chosen or the chosen one is missing or broken.
DEFAULT_THEME = "dark"

#: Variables every reader theme must define (each mark colour also has an `-text` partner).
MARK_VARIABLES: tuple[str, ...] = (
    "reader-highlight-1",
    "reader-highlight-2",
    "reader-highlight-3",
    "reader-highlight-4",
    "reader-highlight-5",
    "reader-find",
    "reader-find-current",
    "reader-entity",
    "reader-selection",
    "reader-cursor",
)
REQUIRED_VARIABLES: tuple[str, ...] = (
    "reader-heading",
    "reader-meta",
    *MARK_VARIABLES,
    *(f"{name}-text" for name in MARK_VARIABLES),
)

_THEME_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)


@dataclass(slots=True)
class ThemeSet:
    """The themes found in a folder, their extra stylesheets, and why any were skipped."""

    themes: dict[str, Theme] = field(default_factory=dict)
    css_paths: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """One sentence per theme file that could not be used."""


def load_theme_file(path: Path) -> Theme:
    """Read one theme definition; raises ValueError with a plain sentence when it is unusable."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"The theme file {path} could not be read ({error}).") from error
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise ValueError(f"The theme file {path} has no name.")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"The theme file {path} has a [variables] that is not a table.")
    missing = [key for key in REQUIRED_VARIABLES if key not in variables]
    if missing:
        raise ValueError(f"The theme file {path} lacks the colours {', '.join(missing)}.")
    colours: dict[str, str] = {}
    for key in _THEME_FIELDS:
        if key in data:
            colours[key] = str(data[key])
    if "primary" not in colours:
        raise ValueError(f"The theme file {path} has no primary colour.")
    for key, value in [*colours.items(), *((k, str(v)) for k, v in variables.items())]:
        try:
            Color.parse(value)
        except ColorParseError as error:
            raise ValueError(
                f"The theme file {path} has a bad colour for {key}: {value}."
            ) from error
    return Theme(
        name=name,
        primary=colours["primary"],
        secondary=colours.get("secondary"),
        warning=colours.get("warning"),
        error=colours.get("error"),
        success=colours.get("success"),
        accent=colours.get("accent"),
        foreground=colours.get("foreground"),
        background=colours.get("background"),
        surface=colours.get("surface"),
        panel=colours.get("panel"),
        boost=colours.get("boost"),
        dark=bool(data.get("dark", True)),
        variables={str(k): str(v) for k, v in variables.items()},
    )


def load_themes(folder: Path | None = None) -> ThemeSet:
    """Every `*.toml` theme in `folder` (default: the shipped themes) and its `.tcss`, if any."""
    folder = themes_dir() if folder is None else folder
    found = ThemeSet()
    for path in sorted(folder.glob("*.toml")):
        try:
            theme = load_theme_file(path)
        except ValueError as error:
            found.problems.append(str(error))
            continue
        found.themes[theme.name] = theme
        css = path.with_suffix(".tcss")
        if css.is_file():
            found.css_paths.append(css)
    return found


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21); used to keep highlights readable."""

    def luminance(value: str) -> float:
        colour = Color.parse(value)

        def channel(c: int) -> float:
            s = c / 255
            return s / 12.92 if s <= 0.03928 else float(((s + 0.055) / 1.055) ** 2.4)

        return 0.2126 * channel(colour.r) + 0.7152 * channel(colour.g) + 0.0722 * channel(colour.b)

    first, second = luminance(foreground), luminance(background)
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)
