"""`reader entities PATH [--json]`: the people, places, organisations, money and dates named;
`reader entities --all [--json]`: the same across the whole library, from its entity index."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.commands.output import Out, cell, cells, isolate
from reader.errors import ReaderError
from reader.models import ENTITY_TYPE_LABELS
from reader.paths import resolve_db_path
from reader.text.sanitize import json_safe, printable

if TYPE_CHECKING:  # the extractor and its model load only when the command runs
    from reader.entities.extractor import Entity
    from reader.entities.index import IndexedEntity
    from reader.models import Article, EntityCorrection

TYPE_HEADINGS = ENTITY_TYPE_LABELS


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the `entities` subcommand."""
    parser = subparsers.add_parser(
        "entities",
        parents=[common],
        help="list the entities an article names",
        description=(
            "Print the people, organisations, places, money amounts, dates and other names an "
            "article mentions, grouped by type with mention counts, most mentioned first. "
            "Corrections saved in the database (from the Entities tab) are applied when the "
            "database exists. With --json, print a list of objects with type, name and "
            "mentions (start and end offsets into the article text, and the text); a file "
            "holding several articles adds an 'article' id to each object. With --all instead "
            "of PATH, print the entities of every article in the library with how many "
            "articles and mentions name each, most articles first (indexing the articles "
            "not indexed yet first, with progress on stderr); --json then prints objects with "
            "key, type, name, articles, mentions, first and last (the dates of the oldest and "
            "newest article naming it)."
        ),
    )
    parser.add_argument(
        "path", nargs="?", metavar="PATH", help="article file (text, Markdown, HTML, JSON)"
    )
    parser.add_argument(
        "--all", action="store_true", help="every article in the library, from its entity index"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


def _articles(path: Path) -> list[Article]:
    """The articles in `path`, parsed the way the library imports them."""
    from reader.ingest.articles import parse_path

    return parse_path(path)


def _corrections(args: argparse.Namespace) -> list[EntityCorrection]:
    """The reader's saved corrections; none when there is no database yet (never create one)."""
    db = resolve_db_path(getattr(args, "db", None))
    if not db.is_file():
        return []
    from reader.store.database import Store

    store = Store.open(db)
    try:
        return store.entity_corrections()
    finally:
        store.close()


def entity_json(entity: Entity) -> dict[str, Any]:
    """The JSON shape of one entity."""
    return {
        "type": entity.type,
        "name": entity.name,
        "mentions": [{"start": m.start, "end": m.end, "text": m.text} for m in entity.mentions],
    }


def _table_lines(entities: list[Entity], total_width: int, visual_mode: str | None) -> list[str]:
    """Entities grouped by type, each group a heading then "Mentions  Name" rows; names
    (logical on a pipe, shaped and right-aligned on a terminal) cut to what the width leaves."""
    if not entities:
        return ["No entities found."]
    from reader.entities.extractor import ENTITY_TYPES

    order = {kind: index for index, kind in enumerate(ENTITY_TYPES)}
    groups: dict[str, list[Entity]] = {}
    for entity in entities:
        groups.setdefault(entity.type, []).append(entity)
    count_width = len("Mentions")
    names = [printable(entity.name, line=True) for entity in entities]
    longest = max([cells(shown) for shown in names] + [len("Name")])
    name_width = max(10, min(longest, total_width - count_width - 2))
    lines: list[str] = []
    memo: dict[tuple[str, bool], str] = {}
    for kind in sorted(groups, key=lambda k: order.get(k, len(order))):
        lines.append(printable(TYPE_HEADINGS.get(kind, kind), line=True))
        lines.append(f"{'Mentions'}  {'Name'}")
        for entity in groups[kind]:
            count = str(len(entity.mentions)).rjust(count_width)
            lines.append(f"{count}  {cell(entity.name, name_width, visual_mode, memo)}".rstrip())
        lines.append("")
    return lines


def _print_table(entities: list[Entity], out: Out) -> None:
    import shutil

    width = shutil.get_terminal_size((100, 24)).columns
    lines = _table_lines(entities, width, out.visual_mode(sys.stdout))
    sys.stdout.write("\n".join(lines) + "\n")


def _library_lines(
    entities: list[IndexedEntity], total_width: int, visual_mode: str | None
) -> list[str]:
    """The library's entities grouped by type, each group a heading then
    "Articles  Mentions  Name" rows, most articles first; names as in `_table_lines`."""
    if not entities:
        return ["No entities in the library."]
    from reader.entities.extractor import ENTITY_TYPES

    order = {kind: index for index, kind in enumerate(ENTITY_TYPES)}
    groups: dict[str, list[IndexedEntity]] = {}
    for entity in entities:
        groups.setdefault(entity.type, []).append(entity)
    counts = f"{'Articles'}  {'Mentions'}"
    longest = max([cells(printable(e.name, line=True)) for e in entities] + [len("Name")])
    name_width = max(10, min(longest, total_width - len(counts) - 2))
    lines: list[str] = []
    memo: dict[tuple[str, bool], str] = {}
    for kind in sorted(groups, key=lambda k: order.get(k, len(order))):
        lines.append(printable(TYPE_HEADINGS.get(kind, kind), line=True))
        lines.append(f"{counts}  Name")
        for entity in groups[kind]:
            numbers = f"{str(entity.articles).rjust(8)}  {str(entity.mentions).rjust(8)}"
            lines.append(f"{numbers}  {cell(entity.name, name_width, visual_mode, memo)}".rstrip())
        lines.append("")
    return lines


def run_all(args: argparse.Namespace) -> int:
    """`reader entities --all`: bring the library's entity index up to date (progress on
    stderr), then print its table."""
    import shutil

    from reader.commands.library import _open_store, _progress_bar
    from reader.entities.index import EntityIndex

    out = Out.of(args)
    with _open_store(args) as store, EntityIndex.open(store, args.extractor) as index:
        stale = index.stale()
        if stale and not index.is_current():
            if not sys.stderr.isatty():
                count = len(stale)
                noun = "article" if count == 1 else "articles"
                out.say(f"reader: indexing the entities of {count} {noun} first.", err=True)
            with _progress_bar("Indexing entities") as bar:
                index.update(lambda done, total: bar(done, total, ""))
        else:
            index.update()
        entities = index.entities()
    if args.json:
        payload = [
            {
                "key": e.key,
                "type": e.type,
                "name": e.name,
                "articles": e.articles,
                "mentions": e.mentions,
                "first": e.first,
                "last": e.last,
            }
            for e in entities
        ]
        sys.stdout.write(json_safe(json.dumps(payload, ensure_ascii=False, indent=2)) + "\n")
        return 0
    width = shutil.get_terminal_size((100, 24)).columns
    lines = _library_lines(entities, width, out.visual_mode(sys.stdout))
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def run(args: argparse.Namespace) -> int:
    """Extract and print; bad paths raise `ReaderError`."""
    if args.all:
        if args.path:
            raise ReaderError("Give a PATH or --all, not both.")
        return run_all(args)
    if not args.path:
        raise ReaderError("Name an article file, or use --all for the whole library.")
    path = Path(args.path).expanduser()
    articles = _articles(path)
    if not articles:
        raise ReaderError(f"{path} holds no article.")
    from reader.entities.extractor import Extractor

    extractor = args.extractor or Extractor.load()
    corrections = _corrections(args)
    results = [(article, extractor.extract(article.text, corrections)) for article in articles]
    if args.json:
        if len(results) == 1:
            payload: list[dict[str, Any]] = [entity_json(e) for e in results[0][1]]
        else:
            payload = [
                {"article": article.id, **entity_json(e)}
                for article, found in results
                for e in found
            ]
        sys.stdout.write(json_safe(json.dumps(payload, ensure_ascii=False, indent=2)))
        sys.stdout.write("\n")
        return 0
    out = Out.of(args)
    for article, found in results:
        if len(results) > 1:
            out.say(f"# {isolate(article.title or article.id)}")
        _print_table(found, out)
    return 0
