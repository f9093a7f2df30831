"""`reader add`, `reader list`, `reader feed add|list|remove` and `reader refresh`.

Handlers stay thin: they open the store, call `reader.library`, and print with
rich. Heavy imports (parsers, HTTP, rich) happen inside the handlers so that
`reader --help` and `reader list` start fast.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from reader.commands import say, tell_stderr
from reader.sanitize import json_safe, printable

if TYPE_CHECKING:
    from rich.console import Console

    from reader.library import AddReport, FoundFeed, Progress
    from reader.store import Store


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the library subcommands."""
    add = subparsers.add_parser(
        "add",
        parents=[common],
        help="add files, folders, web pages or feeds to the library",
        description=(
            "Add articles to the library: text (.txt, with optional front matter), Markdown, "
            "HTML, JSON/JSONL and RSS/Atom files, folders (recursively), web pages and feed "
            "URLs. Adding the same thing again changes nothing; a changed file updates its "
            "article. A feed URL is offered as a subscription."
        ),
    )
    add.add_argument("targets", nargs="+", metavar="PATH|URL", help="files, folders or URLs")
    add.add_argument(
        "--subscribe",
        action="store_true",
        help="subscribe to feed URLs without asking",
    )
    add.set_defaults(func=run_add)

    listing = subparsers.add_parser(
        "list",
        parents=[common],
        help="list the articles in the library",
        description="Show the library as a table: title, source, date and number of highlights.",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list of objects")
    listing.set_defaults(func=run_list)

    feed = subparsers.add_parser(
        "feed",
        parents=[common],
        help="subscribe to, list and remove RSS/Atom feeds",
        description="Manage feed subscriptions; 'reader refresh' fetches new entries.",
    )
    feed_commands = feed.add_subparsers(dest="feed_command", metavar="ACTION", required=True)
    feed_add = feed_commands.add_parser(
        "add",
        parents=[common],
        help="subscribe to a feed and import its entries",
        description=(
            "Fetch an RSS or Atom feed, import its entries and subscribe to it. Given a web "
            "page instead, subscribe to the first feed the page links."
        ),
    )
    feed_add.add_argument("url", metavar="URL", help="the feed's URL, or a page linking it")
    feed_add.set_defaults(func=run_feed_add)
    feed_list = feed_commands.add_parser(
        "list",
        parents=[common],
        help="list subscribed feeds",
        description="Show every subscribed feed and when it was last checked.",
    )
    feed_list.add_argument("--json", action="store_true", help="print a JSON list of objects")
    feed_list.set_defaults(func=run_feed_list)
    feed_remove = feed_commands.add_parser(
        "remove",
        parents=[common],
        help="unsubscribe from a feed (its articles stay)",
        description="Unsubscribe from a feed; articles already imported stay in the library.",
    )
    feed_remove.add_argument("url", metavar="URL", help="the feed's URL")
    feed_remove.set_defaults(func=run_feed_remove)

    refresh = subparsers.add_parser(
        "refresh",
        parents=[common],
        help="fetch new entries from every subscribed feed",
        description=(
            "Fetch every subscribed feed (conditionally, so unchanged feeds cost little) and "
            "import entries not seen before. A failing feed is reported and the others go on."
        ),
    )
    refresh.set_defaults(func=run_refresh)


# ------------------------------------------------------------------------ helpers


@contextmanager
def _open_store(args: argparse.Namespace) -> Iterator[Store]:
    from reader.paths import resolve_db_path
    from reader.store import Store

    store = Store.open(resolve_db_path(getattr(args, "db", None)))
    try:
        for message in store.messages:
            say(f"reader: {message}", err=True)
        store.on_message = tell_stderr
        yield store
    finally:
        store.close()


def _err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


@contextmanager
def _progress_bar(description: str) -> Iterator[Progress]:
    """A rich progress bar on stderr, drawn only once there is more than one step."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as RichProgress

    console = _err_console()
    bar = RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task(description, total=None)
    started = False

    def update(done: int, total: int, label: str) -> None:
        nonlocal started
        if total > 1 and not started:
            bar.start()
            started = True
        bar.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        if started:
            bar.stop()


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _print_add_summary(report: AddReport) -> None:
    parts = [f"Added {_plural(len(report.added), 'article')}"]
    if report.updated:
        parts.append(f"updated {len(report.updated)}")
    if report.unchanged:
        parts.append(f"{len(report.unchanged)} already in the library")
    say(", ".join(parts) + ".")
    if report.orphaned:
        say(
            f"{_plural(report.orphaned, 'highlight')} could not be placed in the changed text "
            "and are kept as orphans."
        )


def _ask(question: str) -> bool:
    sys.stdout.write(printable(question))  # input() would send it to stderr when readline is active
    sys.stdout.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


# ----------------------------------------------------------------------- handlers


def run_add(args: argparse.Namespace) -> int:
    """`reader add PATH|URL...`."""
    from reader.library import add_targets, subscribe

    with _open_store(args) as store:
        with _progress_bar("Adding") as progress:
            report = add_targets(store, args.targets, progress)
        _print_add_summary(report)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        for offer in report.feeds:
            if args.subscribe or (
                interactive and _ask(f"{offer.url} is a feed ({offer.title}). Subscribe? [y/N] ")
            ):
                subscribe(store, offer)
                say(f"Subscribed to {offer.title} ({offer.url}).")
            else:
                say(
                    f"{offer.url} is a feed; 'reader feed add {offer.url}' "
                    "(or 'reader add --subscribe') subscribes to it."
                )
    for _target, reason in report.failed:
        say(f"reader: {reason}", err=True)
    return 1 if report.failed else 0


_SUMMARY_FIELDS = ("id", "title", "source", "published", "added", "highlights", "direction")
_DATE_WIDTH = 10
_HIGHLIGHTS_HEADER = "Highlights"
_BORDERS = 13
"""Cells the four-column box takes besides the cells: "│ " + 3 × " │ " + " │"."""


def _bidi_mode(args: argparse.Namespace) -> str:
    mode = getattr(args, "bidi", None) or os.environ.get("READER_BIDI", "") or "app"
    return mode if mode in ("app", "terminal") else "app"


_ZERO_WIDTH = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf-\u05c7\u0610-\u061a\u061c"
    "\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed"
    "\u08d3-\u08e1\u08e3-\u08ff\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufe00-\ufe0f"
    "\ufe20-\ufe2f\ufeff"
)
_WIDE = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
    "\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd"
)


@dataclass(frozen=True)
class _Patterns:
    """Character classes for cell widths; compiled on first use so `reader list --json`
    and the other commands do not pay for them at start-up."""

    zero: re.Pattern[str]
    wide: re.Pattern[str]
    special: re.Pattern[str]
    strong: re.Pattern[str]
    """A strong letter: the first one gives a title's direction (UAX #9 P2, no isolates)."""


@cache
def _patterns() -> _Patterns:
    return _Patterns(
        zero=re.compile(f"[{_ZERO_WIDTH}]"),
        wide=re.compile(f"[{_WIDE}]"),
        special=re.compile(f"[{_ZERO_WIDTH}{_WIDE}]"),
        strong=re.compile(
            "[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]"
        ),
    )


def _char_cells(char: str) -> int:
    patterns = _patterns()
    return 0 if patterns.zero.match(char) else 2 if patterns.wide.match(char) else 1


def _cells(text: str) -> int:
    """Terminal cells `text` takes: combining marks and bidi controls 0, East Asian wide 2.

    A regex count rather than `rich.cells.cell_len`, which costs ~0.1 ms per Arabic string
    and made a 5,000-row list miss its half-second target.
    """
    patterns = _patterns()
    if not patterns.special.search(text):
        return len(text)
    return len(text) - len(patterns.zero.findall(text)) + len(patterns.wide.findall(text))


def _cut(text: str, width: int) -> str:
    """The longest start of `text` within `width` cells (marks stay with their letter)."""
    if not _patterns().special.search(text):
        return text[:width]
    used = 0
    for index, char in enumerate(text):
        cells = _char_cells(char)
        if used + cells > width:
            return text[:index]
        used += cells
    return text


def _fit(text: str, width: int, *, keep_end: bool = False) -> str:
    """Logical text cut (with "…") and padded to exactly `width` cells."""
    cells = _cells(text)
    if cells > width:
        if keep_end:
            tail = _cut(text[::-1], width - 1)[::-1]
            text = "…" + tail
        else:
            text = _cut(text, width - 1) + "…"
        cells = _cells(text)
    return text + " " * (width - cells)


def _fit_visual(
    text: str, width: int, mode: str, memo: dict[tuple[str, bool], str] | None = None
) -> str:
    """A title as the screen shows it: shaped and reordered by the layout engine (app mode),
    right-aligned when right-to-left, cut with "…" at its logical end.

    `memo` (one per table, same width and mode) keeps the result per cut title: titles
    that differ only past the cut are laid out once."""
    cut = _cells(text) > width
    if cut:
        text = _cut(text, width - 1)
        space = text.rfind(" ")
        if space > width // 3:
            text = text[:space]
    if memo is not None:
        known = memo.get((text, cut))
        if known is None:
            known = memo[(text, cut)] = _fit_visual_cut(text, width, mode, cut)
        return known
    return _fit_visual_cut(text, width, mode, cut)


def _fit_visual_cut(text: str, width: int, mode: str, cut: bool) -> str:
    """`_fit_visual` of a title already cut (`cut`: "…" goes at its end)."""
    if mode == "terminal":
        # The terminal shapes and reorders itself: only right-align right-to-left titles.
        strong = _patterns().strong.search(text)
        rtl = strong is not None and strong.group() >= "\u0590"
        if cut:
            text += "…"
        padding = " " * (width - _cells(text))
        return padding + text if rtl else text + padding
    from reader.layout_text import layout_text

    bidi: Any = mode
    # Strings only: the first line's text, cells and direction, without building glyphs.
    lines = layout_text(text, width - 1 if cut else width, bidi)
    if not lines:
        return " " * width
    _indent, body, used, rtl = lines[0]
    if cut or len(lines) > 1:
        body = "…" + body if rtl else body + "…"
        used += 1
    indent = width - used if rtl else 0
    return " " * indent + body + " " * (width - indent - used)


def _table_lines(summaries: list[Any], total_width: int, visual_mode: str | None) -> Iterator[str]:
    """The library as a box-drawn table, one line per article (rich's heavy-head look).

    Drawn directly with rich's cell measures rather than `rich.table.Table`, which takes
    seconds for thousands of rows; `visual_mode` (on a terminal) shapes and reorders titles.
    """
    free = max(20, total_width - _BORDERS - _DATE_WIDTH - len(_HIGHLIGHTS_HEADER))
    title_width = max(10, free * 3 // 5)
    source_width = max(10, free - title_width)
    widths = (title_width, source_width, _DATE_WIDTH, len(_HIGHLIGHTS_HEADER))

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (width + 2) for width in widths) + right

    heading = f"Library ({_plural(len(summaries), 'article')})"
    yield heading.center(sum(widths) + _BORDERS).rstrip()
    yield rule("┏", "━", "┳", "┓")
    names = ("Title", "Source", "Date", _HIGHLIGHTS_HEADER)
    yield "┃ " + " ┃ ".join(_fit(n, w) for n, w in zip(names, widths, strict=True)) + " ┃"
    yield rule("┡", "━", "╇", "┩")
    memo: dict[tuple[str, bool], str] = {}
    for summary in summaries:
        shown = printable(summary.title, line=True)
        if visual_mode is not None:
            title = _fit_visual(shown, title_width, visual_mode, memo)
        else:
            title = _fit(shown, title_width)
        date = (summary.published or summary.added)[:10]
        count = str(summary.highlights) if summary.highlights else ""
        cells = (
            title,
            _fit(printable(summary.source, line=True), source_width, keep_end=True),
            _fit(printable(date, line=True), _DATE_WIDTH),
            count.rjust(len(_HIGHLIGHTS_HEADER)),
        )
        yield "│ " + " │ ".join(cells) + " │"
    yield rule("└", "─", "┴", "┘")


def run_list(args: argparse.Namespace) -> int:
    """`reader list [--json]`."""
    with _open_store(args) as store:
        summaries = store.list_articles()
    out = sys.stdout
    if args.json:
        import json

        rows = [{key: getattr(s, key) for key in _SUMMARY_FIELDS} for s in summaries]
        out.write(json_safe(json.dumps(rows, ensure_ascii=False)) + "\n")
        return 0
    if not summaries:
        out.write("The library is empty; add articles with 'reader add PATH|URL'.\n")
        return 0
    import shutil

    width = shutil.get_terminal_size((100, 24)).columns
    visual = _bidi_mode(args) if out.isatty() else None
    out.write("\n".join(_table_lines(summaries, width, visual)) + "\n")
    return 0


_OTHERS_LISTED = 5
"""Further feeds a page links that `feed add` names; beyond these it gives a count."""


def _found_sentence(found: FoundFeed, name: str) -> str:
    """One sentence: the page's feed that was subscribed to, and the others it links."""
    if not found.others:
        return f"{found.page} is a web page; subscribed to the feed it links, {name} ({found.url})."
    total = len(found.others) + 1
    listed = ", ".join(found.others[:_OTHERS_LISTED])
    hidden = len(found.others) - _OTHERS_LISTED
    if hidden > 0:
        listed += f" and {hidden} more"
    others = f"the other is {listed}" if total == 2 else f"the others are {listed}"
    return (
        f"{found.page} is a web page linking {total} feeds; subscribed to the first, "
        f"{name} ({found.url}); {others}."
    )


def run_feed_add(args: argparse.Namespace) -> int:
    """`reader feed add URL` (a feed, or a web page that links one)."""
    from reader.library import add_found_feed, find_feed

    found = find_feed(args.url)
    with _open_store(args) as store:
        feed, report = add_found_feed(store, found)
    name = feed.title or feed.url
    if found.page:
        say(_found_sentence(found, name))
    else:
        say(f"Subscribed to {name} ({feed.url}).")
    _print_add_summary(report)
    return 0


def run_feed_list(args: argparse.Namespace) -> int:
    """`reader feed list`."""
    with _open_store(args) as store:
        feeds = store.list_feeds()
    if args.json:
        import json

        rows = [{"url": f.url, "title": f.title, "last_checked": f.last_checked} for f in feeds]
        sys.stdout.write(json_safe(json.dumps(rows, ensure_ascii=False)))
        sys.stdout.write("\n")
        return 0
    if not feeds:
        print("No feeds yet; subscribe with 'reader feed add URL'.")
        return 0
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Feeds ({len(feeds)})")
    table.add_column("Title", overflow="fold")
    table.add_column("URL", overflow="fold", style="dim")
    table.add_column("Last checked", no_wrap=True)
    for feed in feeds:
        # Text, not markup: a feed's title is not allowed to style (or link) anything.
        cells = (feed.title, feed.url, feed.last_checked.replace("T", " ")[:16])
        table.add_row(*(Text(printable(cell, line=True)) for cell in cells))
    Console(highlight=False).print(table)
    return 0


def run_feed_remove(args: argparse.Namespace) -> int:
    """`reader feed remove URL`."""
    from reader.library import remove_feed

    with _open_store(args) as store:
        remove_feed(store, args.url)
    say(f"Unsubscribed from {args.url}; its articles stay in the library.")
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    """`reader refresh`."""
    from reader.library import refresh_feeds

    with _open_store(args) as store:
        if not store.list_feeds():
            print("No feeds to refresh; subscribe with 'reader feed add URL'.")
            return 0
        with _progress_bar("Refreshing") as progress:
            report = refresh_feeds(store, progress)
    for result in report.results:
        name = result.title or result.url
        if result.error:
            continue
        if result.unsubscribed:
            say(
                f"{name}: unsubscribed while it was being refreshed, so it stays unsubscribed "
                f"({_plural(result.new, 'new article')} kept)."
            )
        elif result.not_modified:
            say(f"{name}: not modified.")
        else:
            say(f"{name}: {_plural(result.new, 'new article')}.")
    for result in report.failed:
        say(f"reader: {result.error}", err=True)
    total = len(report.new_articles)
    print(f"{_plural(total, 'new article')} from {_plural(len(report.results), 'feed')}.")
    return 1 if report.failed else 0
