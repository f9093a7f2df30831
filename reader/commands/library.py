"""`reader add`, `reader list`, `reader feed add|list|remove` and `reader refresh`.

Handlers stay thin: they open the store, call `reader.library`, and print with
rich. Heavy imports (parsers, HTTP, rich) happen inside the handlers so that
`reader --help` and `reader list` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from reader.library import AddReport, Progress
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
        description="Fetch an RSS or Atom feed, import its entries and subscribe to it.",
    )
    feed_add.add_argument("url", metavar="URL", help="the feed's URL")
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
            print(f"reader: {message}", file=sys.stderr)
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
    print(", ".join(parts) + ".")
    if report.orphaned:
        print(
            f"{_plural(report.orphaned, 'highlight')} could not be placed in the changed text "
            "and are kept as orphans."
        )


def _ask(question: str) -> bool:
    try:
        answer = input(question)
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
                print(f"Subscribed to {offer.title} ({offer.url}).")
            else:
                print(
                    f"{offer.url} is a feed; 'reader feed add {offer.url}' "
                    "(or 'reader add --subscribe') subscribes to it."
                )
    for _target, reason in report.failed:
        print(f"reader: {reason}", file=sys.stderr)
    return 1 if report.failed else 0


def _date(value: str) -> str:
    return value[:10]


def run_list(args: argparse.Namespace) -> int:
    """`reader list [--json]`."""
    with _open_store(args) as store:
        summaries = store.list_articles()
    if args.json:
        import json
        from dataclasses import asdict

        json.dump([asdict(summary) for summary in summaries], sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not summaries:
        console.print("The library is empty; add articles with 'reader add PATH|URL'.")
        return 0
    table = Table(title=f"Library ({_plural(len(summaries), 'article')})", expand=False)
    table.add_column("Title", overflow="fold", ratio=3)
    table.add_column("Source", overflow="fold", ratio=2, style="dim")
    table.add_column("Date", no_wrap=True)
    table.add_column("Highlights", justify="right", no_wrap=True)
    for summary in summaries:
        table.add_row(
            summary.title,
            summary.source,
            _date(summary.published or summary.added),
            str(summary.highlights) if summary.highlights else "",
        )
    console.print(table)
    return 0


def run_feed_add(args: argparse.Namespace) -> int:
    """`reader feed add URL`."""
    from reader.library import add_feed

    with _open_store(args) as store:
        feed, report = add_feed(store, args.url)
    print(f"Subscribed to {feed.title or feed.url} ({feed.url}).")
    _print_add_summary(report)
    return 0


def run_feed_list(args: argparse.Namespace) -> int:
    """`reader feed list`."""
    with _open_store(args) as store:
        feeds = store.list_feeds()
    if args.json:
        import json

        rows = [{"url": f.url, "title": f.title, "last_checked": f.last_checked} for f in feeds]
        json.dump(rows, sys.stdout, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not feeds:
        print("No feeds yet; subscribe with 'reader feed add URL'.")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Feeds ({len(feeds)})")
    table.add_column("Title", overflow="fold")
    table.add_column("URL", overflow="fold", style="dim")
    table.add_column("Last checked", no_wrap=True)
    for feed in feeds:
        table.add_row(feed.title, feed.url, feed.last_checked.replace("T", " ")[:16])
    Console(highlight=False).print(table)
    return 0


def run_feed_remove(args: argparse.Namespace) -> int:
    """`reader feed remove URL`."""
    from reader.library import remove_feed

    with _open_store(args) as store:
        remove_feed(store, args.url)
    print(f"Unsubscribed from {args.url}; its articles stay in the library.")
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
        if result.not_modified:
            print(f"{name}: not modified.")
        else:
            print(f"{name}: {_plural(result.new, 'new article')}.")
    for result in report.failed:
        print(f"reader: {result.error}", file=sys.stderr)
    total = len(report.new_articles)
    print(f"{_plural(total, 'new article')} from {_plural(len(report.results), 'feed')}.")
    return 1 if report.failed else 0
