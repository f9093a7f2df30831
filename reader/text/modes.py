"""The two ways reader can show right-to-left text, and how a run picks one: the one
definition every layer imports.

`app`: the layout engine shapes Arabic and reorders each line itself, for terminals that do
neither. `terminal`: it leaves shaping and reordering to a terminal that does its own bidi.
This module imports nothing, so the command line can offer the choices without loading the
layout engine.
"""

from __future__ import annotations

from typing import Literal

BidiMode = Literal["app", "terminal"]
BIDI_MODES: tuple[BidiMode, ...] = ("app", "terminal")
DEFAULT_BIDI_MODE: BidiMode = "app"
BIDI_ENV = "READER_BIDI"
"""The environment variable that picks the mode when --bidi does not."""


def as_bidi_mode(value: object) -> BidiMode | None:
    """`value` if it names a mode, else None."""
    for mode in BIDI_MODES:
        if value == mode:
            return mode
    return None


def resolve_bidi_mode(
    cli_value: str | None, env_value: str | None, saved: object = None
) -> tuple[BidiMode, str | None]:
    """The mode a run draws in: --bidi wins, then $READER_BIDI, then the saved setting (the
    app's), then `app`.

    Also returns the sentence to warn with when $READER_BIDI is set to something that names
    no mode (it is then ignored, as if unset), else None. Every command and the app resolve
    through here, so a bad value is treated, and said, the same way everywhere.
    """
    warning = None
    if env_value and as_bidi_mode(env_value) is None:
        warning = (
            f"{BIDI_ENV} is {env_value!r}, which is neither 'app' nor 'terminal'; it is ignored."
        )
    for value in (cli_value, env_value, saved):
        mode = as_bidi_mode(value)
        if mode is not None:
            return mode, warning
    return DEFAULT_BIDI_MODE, warning
