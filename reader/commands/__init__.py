"""Subcommands of the `reader` command line, one module each.

Each module has `register(subparsers, common)` that adds its parser(s) and sets
`func` to a handler `(args) -> int`. The handlers stay thin: they call the pure
core modules and print.
"""

from __future__ import annotations


def say(text: str, *, err: bool = False) -> None:
    """Print one message line the way every command prints (`reader.commands.output.Out`,
    bidi mode from $READER_BIDI): through `printable`, so no escape sequence, control or
    bidi control from a feed or a file reaches the terminal; shaped and reordered on a
    terminal, logical text on a pipe."""
    from reader.commands.output import Out

    Out.of().say(text, err=err)


def tell_stderr(message: str) -> None:
    """Print a store notice that came up after opening (damage found on a later read)."""
    say(f"reader: {message}", err=True)
