"""`reader add`, `reader list`, `reader feed add|list|remove` and `reader refresh`.

Handlers stay thin: they open the store, call `reader.ingest.library`, and print with
rich. Heavy imports (parsers, HTTP, rich) happen inside the handlers so that
`reader --help` and `reader list` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from reader.commands import tell_stderr
from reader.commands.output import Out, cell, cells, fit, isolate
from reader.text.sanitize import json_safe, printable

if TYPE_CHECKING:
    from rich.console import Console

    from reader.ingest.library import AddReport, FoundFeed, Progress
    from reader.store.database import Store


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
        description=(
            "Show the library as a table: title, source, date, number of highlights and the "
            "start of each id (what 'reader remove' and 'reader archive' take); "
            "unread articles are marked with a dot. Archived articles are left out unless "
            "--archived or --all asks for them."
        ),
    )
    listing.add_argument("--json", action="store_true", help="print a JSON list of objects")
    listing.add_argument(
        "--unread", action="store_true", help="only articles not yet opened (or marked read)"
    )
    shown = listing.add_mutually_exclusive_group()
    shown.add_argument(
        "--archived", action="store_true", help="only archived articles (hidden otherwise)"
    )
    shown.add_argument(
        "--all", action="store_true", help="every article, archived ones too (marked in --json)"
    )
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
        description=(
            "Show every subscribed feed, how many of its articles are unread and when it "
            "was last checked."
        ),
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
    feed_import = feed_commands.add_parser(
        "import",
        parents=[common],
        help="subscribe to every feed an OPML file lists",
        description=(
            "Subscribe to the feeds listed in an OPML file, as newsboat, NetNewsWire, Feedly, "
            "Inoreader and most feed readers export them; folders (categories) are kept. "
            "Feeds already subscribed are left as they are. Nothing is fetched: 'reader "
            "refresh' fetches the new feeds' articles."
        ),
    )
    feed_import.add_argument("file", metavar="FILE", help="the OPML file (- for stdin)")
    feed_import.set_defaults(func=run_feed_import)
    feed_export = feed_commands.add_parser(
        "export",
        parents=[common],
        help="write the subscriptions as an OPML file",
        description=(
            "Write every subscribed feed as OPML 2.0, folders as nested outlines, for "
            "another feed reader (or 'reader feed import') to read."
        ),
    )
    feed_export.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="where to write (default: - for stdout)"
    )
    feed_export.set_defaults(func=run_feed_export)

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

    fulltext = subparsers.add_parser(
        "fulltext",
        parents=[common],
        help="fetch the full article for a feed entry that carries only a teaser",
        description=(
            "Fetch the page an article links to and replace its teaser with the full text "
            "(read as 'reader add URL' reads a page). Highlights move to the full text; any "
            "that cannot be placed are kept as orphans. On failure the teaser stays."
        ),
    )
    fulltext.add_argument("id", help="the article's id (or its first characters)")
    fulltext.set_defaults(func=run_fulltext)


# ------------------------------------------------------------------------ helpers


@contextmanager
def _open_store(args: argparse.Namespace) -> Iterator[Store]:
    from reader.paths import resolve_db_path
    from reader.store.database import Store

    store = Store.open(resolve_db_path(getattr(args, "db", None)))
    out = Out.of(args)
    try:
        for message in store.messages:
            out.say(f"reader: {message}", err=True)
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


_DUPLICATES_NAMED = 5
"""Articles found already in the library under another id that `add` names one by one."""


def _print_add_summary(report: AddReport, out: Out) -> None:
    parts = [f"Added {_plural(len(report.added), 'article')}"]
    if report.updated:
        parts.append(f"updated {len(report.updated)}")
    known = len(report.unchanged) + len(report.duplicates)
    if known:
        parts.append(f"{known} already in the library")
    out.say(", ".join(parts) + ".")
    for duplicate in report.duplicates[:_DUPLICATES_NAMED]:
        out.say(duplicate.sentence())
    hidden = len(report.duplicates) - _DUPLICATES_NAMED
    if hidden > 0:
        out.say(f"{_plural(hidden, 'more article')} already in the library under another address.")
    if report.orphaned:
        out.say(
            f"{_plural(report.orphaned, 'highlight')} could not be placed in the changed text "
            "and are kept as orphans."
        )


def _ask(question: str, out: Out) -> bool:
    out.write(question)  # input() would send it to stderr when readline is active
    sys.stdout.flush()
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


# ----------------------------------------------------------------------- handlers


def run_add(args: argparse.Namespace) -> int:
    """`reader add PATH|URL...`."""
    from reader.ingest.library import add_targets, subscribe

    out = Out.of(args)
    with _open_store(args) as store:
        with _progress_bar("Adding") as progress:
            report = add_targets(store, args.targets, progress)
        _print_add_summary(report, out)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        for offer in report.feeds:
            url, title = isolate(offer.url), isolate(offer.title)
            if args.subscribe or (
                interactive and _ask(f"{url} is a feed ({title}). Subscribe? [y/N] ", out)
            ):
                subscribe(store, offer)
                out.say(f"Subscribed to {title} ({url}).")
            else:
                out.say(
                    f"{url} is a feed; 'reader feed add {url}' "
                    "(or 'reader add --subscribe') subscribes to it."
                )
    for _target, reason in report.failed:
        out.say(f"reader: {reason}", err=True)
    return 1 if report.failed else 0


_SUMMARY_FIELDS = (
    "id",
    "title",
    "source",
    "published",
    "added",
    "highlights",
    "direction",
    "read",
    "read_at",
    "archived",
    "archived_at",
)
_DATE_WIDTH = 10
_HIGHLIGHTS_HEADER = "Highlights"
_UNREAD_MARK = "• "
"""What starts the title cell of an unread article in `reader list`."""
_ID_WIDTH = 8
"""Characters of each article's id the table shows: enough to be unique in a big library, and
what 'reader remove', 'archive' and 'unarchive' take (a unique start of an id)."""
_BORDERS = 16
"""Cells the five-column box takes besides the cells: "│ " + 4 × " │ " + " │"."""


def table_lines(summaries: list[Any], total_width: int, visual_mode: str | None) -> Iterator[str]:
    """The library as a box-drawn table, one line per article (rich's heavy-head look).

    Drawn directly with rich's cell measures rather than `rich.table.Table`, which takes
    seconds for thousands of rows; `visual_mode` (on a terminal) shapes and reorders titles.
    """
    free = max(20, total_width - _BORDERS - _DATE_WIDTH - len(_HIGHLIGHTS_HEADER) - _ID_WIDTH)
    title_width = max(10, free * 3 // 5)
    source_width = max(10, free - title_width)
    widths = (title_width, source_width, _DATE_WIDTH, len(_HIGHLIGHTS_HEADER), _ID_WIDTH)

    def rule(left: str, fill: str, cross: str, right: str) -> str:
        return left + cross.join(fill * (width + 2) for width in widths) + right

    unread = sum(1 for summary in summaries if not summary.read)
    heading = f"Library ({_plural(len(summaries), 'article')}, {unread} unread)"
    yield heading.center(sum(widths) + _BORDERS).rstrip()
    yield rule("┏", "━", "┳", "┓")
    names = ("Title", "Source", "Date", _HIGHLIGHTS_HEADER, "Id")
    yield "┃ " + " ┃ ".join(fit(n, w) for n, w in zip(names, widths, strict=True)) + " ┃"
    yield rule("┡", "━", "╇", "┩")
    memo: dict[tuple[str, bool], str] = {}
    for summary in summaries:
        mark = "  " if summary.read else _UNREAD_MARK
        title = mark + cell(summary.title, title_width - 2, visual_mode, memo)
        date = (summary.published or summary.added)[:10]
        count = str(summary.highlights) if summary.highlights else ""
        cells = (
            title,
            fit(printable(summary.source, line=True), source_width, keep_end=True),
            fit(printable(date, line=True), _DATE_WIDTH),
            count.rjust(len(_HIGHLIGHTS_HEADER)),
            fit(printable(summary.id[:_ID_WIDTH], line=True), _ID_WIDTH),
        )
        yield "│ " + " │ ".join(cells) + " │"
    yield rule("└", "─", "┴", "┘")


def run_list(args: argparse.Namespace) -> int:
    """`reader list [--json] [--unread]`."""
    with _open_store(args) as store:
        summaries = store.list_articles()
    hidden = 0 if args.archived or args.all else sum(1 for s in summaries if s.archived)
    if args.archived:
        summaries = [summary for summary in summaries if summary.archived]
    elif not args.all:
        summaries = [summary for summary in summaries if not summary.archived]
    if args.unread:
        summaries = [summary for summary in summaries if not summary.read]
    out = sys.stdout
    if args.json:
        import json

        rows = [{key: getattr(s, key) for key in _SUMMARY_FIELDS} for s in summaries]
        out.write(json_safe(json.dumps(rows, ensure_ascii=False)) + "\n")
        return 0
    if not summaries:
        if args.archived:
            out.write("No article is archived.\n")
            return 0
        if args.unread:
            out.write("Every article in the library has been read.\n")
            return 0
        if hidden:
            out.write(
                f"Every article in the library is archived ({hidden}); "
                "'reader list --archived' lists them.\n"
            )
            return 0
        out.write("The library is empty; add articles with 'reader add PATH|URL'.\n")
        return 0
    import shutil

    width = shutil.get_terminal_size((100, 24)).columns
    visual = Out.of(args).visual_mode(out)
    out.write("\n".join(table_lines(summaries, width, visual)) + "\n")
    return 0


_OTHERS_LISTED = 5
"""Further feeds a page links that `feed add` names; beyond these it gives a count."""


def found_sentence(found: FoundFeed, name: str) -> str:
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
    from reader.ingest.library import add_found_feed, find_feed

    found = find_feed(args.url)
    with _open_store(args) as store:
        feed, report = add_found_feed(store, found)
    out = Out.of(args)
    name = isolate(feed.title or feed.url)
    if found.page:
        out.say(found_sentence(found, name))
    else:
        out.say(f"Subscribed to {name} ({isolate(feed.url)}).")
    _print_add_summary(report, out)
    return 0


def run_feed_list(args: argparse.Namespace) -> int:
    """`reader feed list`."""
    with _open_store(args) as store:
        feeds = store.list_feeds()
        unread = store.unread_by_feed() if feeds else {}
    if args.json:
        import json

        rows = [
            {
                "url": f.url,
                "title": f.title,
                "last_checked": f.last_checked,
                "folder": f.folder,
                "html_url": f.html_url,
                "unread": unread.get(f.url, 0),
                "last_error": f.last_error,
            }
            for f in feeds
        ]
        sys.stdout.write(json_safe(json.dumps(rows, ensure_ascii=False)))
        sys.stdout.write("\n")
        return 0
    if not feeds:
        Out.of(args).say("No feeds yet; subscribe with 'reader feed add URL'.")
        return 0
    import shutil

    width = shutil.get_terminal_size((100, 24)).columns
    visual = Out.of(args).visual_mode(sys.stdout)
    sys.stdout.write("\n".join(_feed_lines(feeds, unread, width, visual)) + "\n")
    return 0


_CHECKED_WIDTH = 16
"""Cells of "Last checked": a date and a time to the minute."""
_UNREAD_HEADER = "Unread"


def _feed_lines(
    feeds: list[Any], unread: dict[str, int], total_width: int, visual_mode: str | None
) -> Iterator[str]:
    """The feeds as columns: title, unread articles, last checked, then the URL whole (it is what
    'reader feed remove' takes). Titles are cut to their column (at the logical end, "…" on
    the side the text ends) and, on a terminal, shaped and right-aligned when right-to-left."""
    titles = [printable(feed.title, line=True) for feed in feeds]
    longest = max([cells(title) for title in titles] + [len("Title")])
    title_width = max(10, min(longest, (total_width - _CHECKED_WIDTH - 4) // 2))
    yield f"Feeds ({len(feeds)})"
    names = (fit("Title", title_width), _UNREAD_HEADER, fit("Last checked", _CHECKED_WIDTH), "URL")
    yield "  ".join(names)
    memo: dict[tuple[str, bool], str] = {}
    for feed, title in zip(feeds, titles, strict=True):
        checked = printable(feed.last_checked.replace("T", " ")[:16], line=True)
        row = (
            cell(title, title_width, visual_mode, memo),
            str(unread.get(feed.url, 0)).rjust(len(_UNREAD_HEADER)),
            fit(checked, _CHECKED_WIDTH),
            printable(feed.url, line=True),
        )
        yield "  ".join(row).rstrip()


def run_feed_remove(args: argparse.Namespace) -> int:
    """`reader feed remove URL`."""
    from reader.ingest.library import remove_feed

    with _open_store(args) as store:
        remove_feed(store, args.url)
    Out.of(args).say(f"Unsubscribed from {isolate(args.url)}; its articles stay in the library.")
    return 0


def _read_input(path: str) -> bytes:
    """The bytes of `path` ('-' is stdin), or a `ReaderError` in one sentence."""
    from pathlib import Path

    from reader.errors import ReaderError

    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise ReaderError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise ReaderError(f"{path} is a folder, not a file.") from None
    except OSError as error:
        raise ReaderError(f"Could not read {path}: {error.strerror or error}.") from None


def run_feed_import(args: argparse.Namespace) -> int:
    """`reader feed import FILE`: subscribe to an OPML file's feeds (nothing is fetched)."""
    from reader.ingest.opml import import_subscriptions, parse_opml

    label = "stdin" if args.file == "-" else args.file
    listed = parse_opml(_read_input(args.file), label)
    with _open_store(args) as store:
        report = import_subscriptions(store, listed)
    out = Out.of(args)
    details: list[str] = []
    if report.existing:
        details.append(f"{_plural(len(report.existing), 'feed')} already subscribed")
    if report.skipped:
        example = isolate(report.skipped[0])
        details.append(f"{len(report.skipped)} skipped (not an http or https address: {example})")
    if not report.added:
        out.say(f"Nothing new in {isolate(label)}: " + ", ".join(details) + ".")
        return 0
    sentence = f"Subscribed to {_plural(len(report.added), 'feed')}"
    if report.folders:
        sentence += f" in {_plural(report.folders, 'folder')}"
    sentence += f" from {isolate(label)}"
    for detail in details:
        sentence += f", {detail}"
    sentence += "; nothing was fetched yet: 'reader refresh' fetches their articles."
    out.say(sentence)
    return 0


def run_feed_export(args: argparse.Namespace) -> int:
    """`reader feed export [-o FILE|-]`: the subscriptions as OPML."""
    from pathlib import Path

    from reader.errors import ReaderError
    from reader.files import write_text_atomic
    from reader.ingest.opml import opml_document

    with _open_store(args) as store:
        feeds = store.list_feeds()
    document = opml_document(feeds)
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(document.encode("utf-8"))
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output)
    if target.is_dir():
        raise ReaderError(f"{args.output} is a folder; give a file name such as feeds.opml.")
    try:
        write_text_atomic(target, document)
    except OSError as error:
        raise ReaderError(f"Could not write {args.output}: {error.strerror or error}.") from None
    Out.of(args).say(f"Wrote {_plural(len(feeds), 'feed')} to {isolate(args.output)}.")
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    """`reader refresh`."""
    from reader.ingest.library import refresh_feeds

    out = Out.of(args)
    with _open_store(args) as store:
        if not store.list_feeds():
            out.say("No feeds to refresh; subscribe with 'reader feed add URL'.")
            return 0
        with _progress_bar("Refreshing") as progress:
            report = refresh_feeds(store, progress)
    for result in report.results:
        name = isolate(result.title or result.url)
        if result.error:
            continue
        if result.unsubscribed:
            out.say(
                f"{name}: unsubscribed while it was being refreshed, so it stays unsubscribed "
                f"({_plural(result.new, 'new article')} kept)."
            )
        elif result.not_modified:
            out.say(f"{name}: not modified.")
        else:
            known = f", {result.duplicates} already in the library" if result.duplicates else ""
            out.say(f"{name}: {_plural(result.new, 'new article')}{known}.")
    for result in report.failed:
        out.say(f"reader: {result.error}", err=True)
    total = len(report.new_articles)
    out.say(f"{_plural(total, 'new article')} from {_plural(len(report.results), 'feed')}.")
    return 1 if report.failed else 0


def run_fulltext(args: argparse.Namespace) -> int:
    """`reader fulltext ID`."""
    from reader.ingest.library import fetch_full_text, resolve_articles

    out = Out.of(args)
    with _open_store(args) as store:
        (summary,) = resolve_articles(store, [args.id])
        report = fetch_full_text(store, summary.id)
    out.say(f"{isolate(report.article.title)}: {report.sentence()}")
    return 0
