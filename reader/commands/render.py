"""`reader render PATH|-`: print an article as the app shows it, laid out for the terminal.

The file is read as `reader add` reads it (text with front matter, Markdown, HTML, JSON, a
feed; `reader.ingest.articles`), and each article is printed as the article screen shows it:
the title, the byline (source · author · date), then the body's blocks, Arabic shaped and
right-to-left paragraphs right-aligned and wrapped in reading order. `--plain` lays the
input's lines out as they are instead (a correct replacement for `fribidi --width N`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from reader.errors import ReaderError
from reader.models import Article
from reader.text.modes import BIDI_ENV, BIDI_MODES, BidiMode, resolve_bidi_mode
from reader.text.sanitize import printable

DEFAULT_WIDTH = 80


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the `render` subcommand."""
    parser = subparsers.add_parser(
        "render",
        parents=[common],
        help="print an article as the app shows it, laid out for the terminal",
        description=(
            "Read PATH (or stdin for '-') as 'reader add' does (text with front matter, "
            "Markdown, HTML, JSON, RSS/Atom) and print each article as the app shows it: "
            "title, byline (source, author, date), then the body, Arabic shaped, "
            "right-to-left paragraphs right-aligned and wrapped in reading order, one screen "
            "line per output line, paragraphs separated by a blank line. With --plain, the "
            "input's non-blank lines are laid out as they are (a correct replacement for "
            "'fribidi --width N')."
        ),
    )
    parser.add_argument("path", metavar="PATH", help="a file 'reader add' reads, or - for stdin")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="lay out the UTF-8 text's lines as they are, without reading it as an article",
    )
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


_LRM = "\u200e"
_FSI = "\u2068"
_PDI = "\u2069"
BYLINE_SEPARATOR = " · "
"""Between the byline's fields, as the article header shows them."""


def read_articles(path: str) -> list[Article]:
    """The articles in `path` ('-' is stdin), read as `reader add` reads a file."""
    from reader.ingest.articles import parse_bytes, parse_path

    if path != "-":
        return parse_path(Path(path))
    data = sys.stdin.buffer.read()
    return parse_bytes(data, source="stdin", name="stdin")


def article_lines(article: Article, width: int, mode: BidiMode, *, harakat: bool) -> list[str]:
    """`article` as the article screen shows it at `width`: the title (right-aligned for a
    right-to-left article, as the header is), the byline, a blank line, then the body."""
    from reader.ingest.metadata import byline_parts
    from reader.text.layout import layout_text
    from reader.text.render import render_lines

    title = " ".join(printable(article.title or "(untitled)", line=True).split())
    if article.direction == "rtl":  # the header right-aligns the title of such an article
        # by the cells the layout drew it in (no second measure of the printed text)
        lines = [
            " " * (width - cells) + text if cells < width else text
            for _indent, text, cells, _rtl in layout_text(title, width, mode, harakat=harakat)
        ]
    else:
        lines = render_lines([title], width, mode, harakat=harakat)
    parts = byline_parts(article)
    if parts:
        # A left-to-right line, each field isolated so an Arabic author does not pull the
        # date into its run (what the header's shaped_parts does field by field).
        byline = _LRM + BYLINE_SEPARATOR.join(_FSI + part + _PDI for part in parts)
        lines.extend(render_lines([byline], width, mode, harakat=harakat))
    lines.append("")
    body = [block.text for block in article.blocks]
    lines.extend(render_lines(body, width, mode, harakat=harakat))
    return lines


def run(args: argparse.Namespace) -> int:
    """Handler: read the article(s), lay them out and print them."""
    from reader.text.render import paragraphs_of, render_lines

    mode, _warning = resolve_bidi_mode(getattr(args, "bidi", None), os.environ.get(BIDI_ENV))
    width = args.width
    if width is None:
        width = DEFAULT_WIDTH
        if sys.stdout.isatty():
            import shutil  # (only for a terminal: a render to a pipe or file does without)

            width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    if args.plain:
        lines = render_lines(paragraphs_of(read_text(args.path)), width, mode, harakat=args.harakat)
    else:
        lines = []
        for article in read_articles(args.path):
            if lines:
                lines.extend(["", "─" * width, ""])
            lines.extend(article_lines(article, width, mode, harakat=args.harakat))
    # Neutralised like every output: a terminal-mode line keeps the file's own characters.
    lines.append("")
    output = printable("\n".join(lines))
    sys.stdout.flush()
    sys.stdout.buffer.write(output.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
