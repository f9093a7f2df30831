"""`reader remove ID...`, `reader archive ID...` and `reader unarchive ID...`.

Ids are the ones `reader list --json` and `reader search` print, or a unique start of one (at
least four characters). Removing an article that has highlights asks first on a terminal (its
notes go with it); `--yes` skips the question, and on a pipe the command refuses without it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from reader.commands.output import Out, isolate

if TYPE_CHECKING:
    from reader.models import ArticleSummary


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add `remove`, `archive` and `unarchive`."""
    remove = subparsers.add_parser(
        "remove",
        parents=[common],
        help="remove articles from the library, with their highlights and notes",
        description=(
            "Remove articles (by id, or a unique start of one) with their highlights and "
            "notes; they also leave the search index. An article with highlights is removed "
            "only after you confirm, or with --yes."
        ),
    )
    remove.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    remove.add_argument(
        "-y", "--yes", action="store_true", help="remove articles with notes without asking"
    )
    remove.set_defaults(func=run_remove)

    archive = subparsers.add_parser(
        "archive",
        parents=[common],
        help="archive articles: hidden from the library, still searchable",
        description=(
            "Archive articles (by id, or a unique start of one): 'reader list' and the app's "
            "library no longer show them (unless asked: --archived), 'reader search' still "
            "finds them. --undo (or 'reader unarchive') brings them back."
        ),
    )
    archive.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    archive.add_argument(
        "--undo", action="store_true", help="unarchive: show the articles in the library again"
    )
    archive.set_defaults(func=run_archive, archived=True)

    unarchive = subparsers.add_parser(
        "unarchive",
        parents=[common],
        help="show archived articles in the library again",
        description="Unarchive articles: the same as 'reader archive --undo ID...'.",
    )
    unarchive.add_argument("ids", nargs="+", metavar="ID", help="article ids (or unique prefixes)")
    unarchive.set_defaults(func=run_archive, archived=False, undo=False)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _named(summaries: list[ArticleSummary]) -> str:
    """'Title' (id ...) for one article, "N articles" for more."""
    if len(summaries) == 1:
        only = summaries[0]
        return f"'{isolate(only.title or only.source)}' (id {only.id})"
    return _plural(len(summaries), "article")


def run_remove(args: argparse.Namespace) -> int:
    """`reader remove ID... [--yes]`."""
    from reader.commands.library import _ask, _open_store
    from reader.errors import ReaderError
    from reader.ingest.library import remove_articles, resolve_articles

    out = Out.of(args)
    with _open_store(args) as store:
        chosen = resolve_articles(store, args.ids)
        annotated = [summary for summary in chosen if summary.highlights]
        if annotated and not args.yes:
            highlights = sum(summary.highlights for summary in annotated)
            notes = sum(1 for s in annotated for a in store.annotations_for(s.id) if a.note.strip())
            what = _plural(highlights, "highlight")
            if notes:
                what += f" ({_plural(notes, 'note')})"
            holder = _named(annotated)
            if not (sys.stdin.isatty() and sys.stdout.isatty()):
                raise ReaderError(
                    f"{holder} has {what}, which would be removed with it; nothing was "
                    "removed: run 'reader remove --yes ...' to remove them too."
                )
            if not _ask(f"{holder} has {what}, which go with it. Remove? [y/N] ", out):
                out.say("Nothing was removed.")
                return 1
        removed = remove_articles(store, [summary.id for summary in chosen])
    lost = sum(len(item.annotations) for item in removed)
    sentence = f"Removed {_named(chosen)}"
    if lost:
        sentence += f" and {_plural(lost, 'highlight')}"
    out.say(sentence + ".")
    return 0


def run_archive(args: argparse.Namespace) -> int:
    """`reader archive ID... [--undo]` and `reader unarchive ID...`."""
    from reader.commands.library import _open_store
    from reader.ingest.library import archive_articles, resolve_articles

    archived = bool(args.archived) and not args.undo
    out = Out.of(args)
    with _open_store(args) as store:
        chosen = resolve_articles(store, args.ids)
        archive_articles(store, [summary.id for summary in chosen], archived)
    if archived:
        out.say(
            f"Archived {_named(chosen)}: hidden from the library, still found by 'reader "
            "search'; 'reader list --archived' lists archived articles and 'reader unarchive "
            "ID' brings one back."
        )
    else:
        out.say(f"Unarchived {_named(chosen)}: it is in the library's list again.")
    return 0
