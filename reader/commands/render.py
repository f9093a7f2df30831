"""`reader render PATH|-`: print an article laid out for the terminal (shaped, RTL, wrapped)."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from reader.errors import ReaderError
from reader.text.modes import BIDI_MODES, BidiMode
from reader.text.sanitize import printable

BIDI_ENV = "READER_BIDI"
DEFAULT_WIDTH = 80


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the `render` subcommand."""
    parser = subparsers.add_parser(
        "render",
        parents=[common],
        help="print an article laid out for the terminal",
        description=(
            "Print PATH (or stdin for '-') as the terminal should show it: Arabic shaped, "
            "right-to-left paragraphs right-aligned and wrapped in reading order, one screen "
            "line per output line, paragraphs (the input's non-blank lines) separated by a "
            "blank line. A correct replacement for 'fribidi --width N'."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="UTF-8 text file, or - for stdin")
    parser.add_argument(
        "--width",
        type=_width,
        default=None,
        metavar="N",
        help=f"line width in cells (default: the terminal's width, else {DEFAULT_WIDTH})",
    )
    parser.add_argument(
        "--bidi",
        choices=BIDI_MODES,
        default=argparse.SUPPRESS,
        help="'app' shapes and reorders (default); 'terminal' leaves that to a terminal "
        f"that does its own bidi (default: the global --bidi, then ${BIDI_ENV})",
    )
    parser.add_argument(
        "--no-harakat",
        dest="harakat",
        action="store_false",
        help="hide Arabic vowel marks (harakat)",
    )
    parser.set_defaults(func=run)


def _width(value: str) -> int:
    """argparse type for --width: a positive integer."""
    try:
        width = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if width < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return width


def bidi_mode(cli_value: str | None) -> BidiMode:
    """--bidi wins, then $READER_BIDI, then 'app'."""
    value = cli_value or os.environ.get(BIDI_ENV) or "app"
    if value not in BIDI_MODES:
        raise ReaderError(f"{BIDI_ENV} must be 'app' or 'terminal', not {value!r}.")
    return value


def read_text(path: str) -> str:
    """The UTF-8 text of `path` ('-' is stdin), a leading BOM dropped."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise ReaderError(f"Cannot read {path}: no such file.") from None
    except IsADirectoryError:
        raise ReaderError(f"Cannot read {path}: it is a folder.") from None
    except OSError as error:
        raise ReaderError(f"Cannot read {path}: {error.strerror or error}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        name = "stdin" if path == "-" else path
        raise ReaderError(f"{name} is not UTF-8 text.") from None


def run(args: argparse.Namespace) -> int:
    """Handler: lay the article out and print it."""
    from reader.text.render import paragraphs_of, render_lines

    mode = bidi_mode(getattr(args, "bidi", None))
    width = args.width
    if width is None:
        width = (
            shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
            if sys.stdout.isatty()
            else DEFAULT_WIDTH
        )
    text = read_text(args.path)
    lines = render_lines(paragraphs_of(text), width, mode, harakat=args.harakat)
    # Neutralised like every output: a terminal-mode line keeps the file's own characters.
    output = printable("".join(line + "\n" for line in lines))
    sys.stdout.flush()
    sys.stdout.buffer.write(output.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
