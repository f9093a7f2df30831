"""Subcommands of the `reader` command line, one module each.

Each module has `register(subparsers, common)` that adds its parser(s) and sets
`func` to a handler `(args) -> int`. The handlers stay thin: they call the pure
core modules and print.
"""

from __future__ import annotations

import sys

from reader.sanitize import printable


def say(text: str, *, err: bool = False) -> None:
    """Print one message line through `printable`, the one neutralising function every
    command's output goes through: titles, URLs and file names in it come from feeds and
    files, and none of their escape sequences, controls or bidi controls reach the terminal."""
    print(printable(text), file=sys.stderr if err else sys.stdout)


def tell_stderr(message: str) -> None:
    """Print a store notice that came up after opening (damage found on a later read)."""
    say(f"reader: {message}", err=True)
