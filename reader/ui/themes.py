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

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.errors import StyleSyntaxError
from rich.style import Style
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


# ---------------------------------------------------------------- marks on any theme

#: Text attributes of each mark, used when a theme does not set `<mark>-style`. Entity and find
#: marks lie *under* highlights, so their colour is hidden there: the underline keeps them seen.
MARK_STYLE_DEFAULTS: dict[str, str] = {
    "reader-highlight-1-style": "none",
    "reader-highlight-2-style": "none",
    "reader-highlight-3-style": "none",
    "reader-highlight-4-style": "none",
    "reader-highlight-5-style": "none",
    "reader-find-style": "bold underline",
    "reader-find-current-style": "bold",
    "reader-entity-style": "underline",
    "reader-selection-style": "none",
    "reader-cursor-style": "none",
}

#: Colour systems a mark must stay distinct in (besides true colour): 256 and 16 colours.
DOWNGRADES: tuple[ColorSystem, ...] = (ColorSystem.EIGHT_BIT, ColorSystem.STANDARD)

#: For each mark, in the order derived themes choose them: the colours it leans toward (tried
#: in order) and how far from the page background toward them it goes (first try, last try).
_MARK_PLAN: tuple[tuple[str, tuple[str, ...], float, float], ...] = (
    ("reader-highlight-1", ("#f0c000", "#d7af00", "#ffff55"), 0.35, 1.0),
    ("reader-highlight-2", ("#20b040", "#00aa00", "#55ff55"), 0.35, 1.0),
    ("reader-highlight-3", ("#2f7fff", "#0000aa", "#5555ff"), 0.35, 1.0),
    ("reader-highlight-4", ("#ff3f8f", "#aa0000", "#ff5555"), 0.35, 1.0),
    ("reader-highlight-5", ("#9f50ff", "#aa00aa", "#ff55ff"), 0.35, 1.0),
    ("reader-cursor", ("$foreground", "#ffffff", "#000000"), 1.0, 0.7),
    ("reader-find-current", ("#ff9f1a", "#ffd000", "#ff5f00"), 0.85, 1.0),
    ("reader-selection", ("$primary", "#5f87ff", "#2040b0", "#00aaaa", "#a080c0"), 0.35, 1.0),
    ("reader-find", ("#00b0b0", "#00aaaa", "#55ffff"), 0.35, 1.0),
    ("reader-entity", ("#8090a8", "#555555", "#aaaaaa"), 0.25, 1.0),
)

#: Marks drawn above highlights: their colour must differ from every highlight's to be seen.
_ABOVE_HIGHLIGHTS = frozenset({"reader-cursor", "reader-find-current", "reader-selection"})

#: The sixteen colours Rich downgrades to in a 16-colour terminal: the last resort for a mark.
_STANDARD_COLOURS: tuple[str, ...] = (
    "#000000",
    "#aa0000",
    "#00aa00",
    "#aa5500",
    "#0000aa",
    "#aa00aa",
    "#00aaaa",
    "#aaaaaa",
    "#555555",
    "#ff5555",
    "#55ff55",
    "#ffff55",
    "#5555ff",
    "#ff55ff",
    "#55ffff",
    "#ffffff",
)

#: Marks for themes drawn in the terminal's own ANSI colours (Textual's ansi-dark, ansi-light).
_ANSI_MARKS: dict[str, tuple[str, str]] = {
    "reader-highlight-1": ("ansi_yellow", "ansi_black"),
    "reader-highlight-2": ("ansi_green", "ansi_black"),
    "reader-highlight-3": ("ansi_blue", "ansi_bright_white"),
    "reader-highlight-4": ("ansi_red", "ansi_bright_white"),
    "reader-highlight-5": ("ansi_magenta", "ansi_bright_white"),
    "reader-find": ("ansi_cyan", "ansi_black"),
    "reader-find-current": ("ansi_bright_yellow", "ansi_black"),
    "reader-entity": ("ansi_bright_black", "ansi_bright_white"),
    "reader-selection": ("ansi_bright_blue", "ansi_black"),
    "reader-cursor": ("ansi_white", "ansi_black"),
}

_STEPS = 14


def colour_key(value: Color, system: ColorSystem) -> int:
    """The terminal colour `value` becomes in `system` (Rich's own downgrade), as a number."""
    rich = value.rich_color.downgrade(system)
    if rich.number is not None:
        return rich.number
    triplet = rich.get_truecolor()
    return -1 - (triplet.red << 16 | triplet.green << 8 | triplet.blue)


def derive_reader_variables(base: dict[str, str], *, ansi: bool = False) -> dict[str, str]:
    """The reader's colours for a theme that does not define them, from its base colours.

    `base` holds Textual's generated colour system (`background`, `foreground`, `primary`, ...).
    Each mark starts near the page colour and moves toward its hue until it differs from the
    page and every mark before it in 256 colours, and in 16 colours by colour or attributes
    (marks drawn above highlights by colour), with text readable on it (4.5:1, and not the
    same colour after either downgrade).
    """
    if ansi:
        variables = {"reader-heading": "ansi_bright_blue", "reader-meta": "ansi_bright_black"}
        for name, (ansi_colour, ansi_text) in _ANSI_MARKS.items():
            variables[name] = ansi_colour
            variables[f"{name}-text"] = ansi_text
        return variables
    background = _solid(base.get("background"), "#000000")
    foreground = _solid(base.get("foreground"), "#ffffff")
    named = {
        "$foreground": foreground,
        "$primary": _solid(base.get("primary"), "#5f87ff"),
    }
    variables = {
        "reader-heading": _readable(
            [base.get(key) for key in ("accent", "primary", "secondary", "warning")],
            background,
            foreground,
        ),
        "reader-meta": _readable(
            [foreground.blend(background, 0.35).hex, foreground.blend(background, 0.2).hex],
            background,
            foreground,
        ),
    }
    # What each system already shows: the colour of the page and of each chosen mark (in 16
    # colours with its attributes, which may tell two marks of one colour apart), and the
    # colours of the highlights, which marks drawn above them must avoid.
    taken = {system: {(colour_key(background, system), "")} for system in DOWNGRADES}
    highlights: dict[ColorSystem, set[int]] = {system: set() for system in DOWNGRADES}
    seen_true = {background.hex}
    for name, anchors, first, last in _MARK_PLAN:
        style = MARK_STYLE_DEFAULTS[f"{name}-style"]
        attributes = {
            s: style if s == ColorSystem.STANDARD and style != "none" else "" for s in DOWNGRADES
        }
        candidates = [
            background.blend(
                named.get(anchor) or Color.parse(anchor), first + (last - first) * i / _STEPS
            )
            for anchor in anchors
            for i in range(_STEPS + 1)
        ]
        hue = named.get(anchors[0]) or Color.parse(anchors[0])
        candidates += sorted(
            (Color.parse(value) for value in _STANDARD_COLOURS),
            key=lambda colour: _distance(colour, hue),
        )
        for colour in candidates:
            keys = {system: colour_key(colour, system) for system in DOWNGRADES}
            if colour.hex in seen_true or any(
                (keys[s], attributes[s]) in taken[s]
                or (name in _ABOVE_HIGHLIGHTS and keys[s] in highlights[s])
                for s in DOWNGRADES
            ):
                continue
            text = _text_on(colour, foreground, background)
            if text is not None:
                break
        else:  # pragma: no cover - the sixteen standard colours always leave one free
            colour, text = foreground, background
            keys = {system: colour_key(colour, system) for system in DOWNGRADES}
        for system in DOWNGRADES:
            taken[system].add((keys[system], attributes[system]))
            if name.startswith("reader-highlight-"):
                highlights[system].add(keys[system])
        seen_true.add(colour.hex)
        variables[name] = colour.hex
        variables[f"{name}-text"] = text.hex
    return variables


def mark_style(variables: dict[str, str], name: str) -> Style:
    """How mark `name` (e.g. `reader-entity`) is drawn: its colour as background, `<name>-text`
    as text colour and `<name>-style` attributes (bold, underline, reverse, ...)."""
    style = Style(
        bgcolor=_rich_colour(variables.get(name)),
        color=_rich_colour(variables.get(f"{name}-text")),
    )
    attributes = variables.get(f"{name}-style", MARK_STYLE_DEFAULTS.get(f"{name}-style", "none"))
    try:
        return style + Style.parse(attributes)
    except StyleSyntaxError:
        return style


def _rich_colour(value: str | None) -> RichColor | None:
    """A theme colour string as a Rich colour (None when absent or unparseable)."""
    if not value:
        return None
    try:
        return Color.parse(value).rich_color
    except ColorParseError:
        return None


def _solid(value: str | None, fallback: str) -> Color:
    """A theme colour without transparency (ANSI `default` and bad values give `fallback`)."""
    try:
        colour = Color.parse(value or fallback)
    except ColorParseError:
        colour = Color.parse(fallback)
    if colour.ansi is not None:
        colour = Color.parse(fallback)
    return (
        colour.clamped
        if colour.a == 1
        else Color.parse(fallback).blend(colour.with_alpha(1), colour.a)
    )


def _distance(first: Color, second: Color) -> float:
    """How far apart two colours look (weighted RGB, as Rich's palette matching does)."""
    red_mean = (first.r + second.r) / 2
    red, green, blue = first.r - second.r, first.g - second.g, first.b - second.b
    return float(
        (512 + red_mean) * red * red / 256
        + 4 * green * green
        + (767 - red_mean) * blue * blue / 256
    )


def _readable(choices: list[str | None], background: Color, foreground: Color) -> str:
    """The first of `choices` readable on `background` (4.5:1), else the text colour."""
    for value in choices:
        if not value:
            continue
        try:
            colour = Color.parse(value)
        except ColorParseError:
            continue
        if colour.ansi is None and contrast_ratio(colour.hex, background.hex) >= 4.5:
            return colour.hex
    return foreground.hex


def _text_on(colour: Color, foreground: Color, background: Color) -> Color | None:
    """A text colour readable on `colour` in true colour and after each downgrade, or None."""
    options = sorted(
        (foreground, background),
        key=lambda text: -contrast_ratio(text.hex, colour.hex),
    )
    for text in [*options, Color(0, 0, 0), Color(255, 255, 255)]:
        if contrast_ratio(text.hex, colour.hex) < 4.5:
            continue
        if all(colour_key(text, s) != colour_key(colour, s) for s in DOWNGRADES):
            return text
    return None
