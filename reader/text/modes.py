"""The two ways reader can show right-to-left text: the one definition every layer imports.

`app`: the layout engine shapes Arabic and reorders each line itself, for terminals that do
neither. `terminal`: it leaves shaping and reordering to a terminal that does its own bidi.
This module imports nothing, so the command line can offer the choices without loading the
layout engine.
"""

from __future__ import annotations

from typing import Literal

BidiMode = Literal["app", "terminal"]
BIDI_MODES: tuple[BidiMode, ...] = ("app", "terminal")
