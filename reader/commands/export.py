"""`reader export` (notes as Markdown, annotations as Web Annotation JSON) and `reader import`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.commands import tell_stderr
from reader.commands.output import Out, isolate
from reader.errors import ReaderError
from reader.paths import resolve_db_path

if TYPE_CHECKING:  # the store, exporters and extractor load only when a command runs
    from reader.entities.extractor import Extractor
    from reader.models import Annotation, Article
    from reader.notes.importer import ImportReport
    from reader.notes.markdown import EntityLike
    from reader.store.database import Store


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add the `export` and `import` subcommands."""
    export = subparsers.add_parser(
        "export",
        parents=[common],
        help="export notes as Markdown or annotations as Web Annotation JSON",
        description=(
            "Write the highlights and notes of the given articles (or --all) as Markdown, one "
            "document per article, or as W3C Web Annotation JSON-LD. Without -o, files go to "
            "the export folder (setting export_dir, else Documents/reader) and their paths are "
            "printed. With -o a folder (existing, or ending in /), one file per article goes "
            "there; with -o FILE, one document holds them all; -o - writes to standard output."
        ),
    )
    export.add_argument(
        "articles", nargs="*", metavar="ARTICLE_ID", help="article ids (or unique prefixes)"
    )
    export.add_argument("--all", action="store_true", help="every article that has highlights")
    export.add_argument(
        "--format",
        choices=("md", "json"),
        default="md",
        help="md (default) or json (Web Annotation)",
    )
    export.add_argument("-o", "--output", metavar="PATH", help="a file, a folder, or - for stdout")
    export.add_argument(
        "--with-entities", action="store_true", help="add an Entities section (Markdown only)"
    )
    export.set_defaults(func=run_export)

    imp = subparsers.add_parser(
        "import",
        parents=[common],
        help="import annotations from Web Annotation JSON",
        description=(
            "Read W3C Web Annotation JSON(-LD) (from 'reader export --format json' or another "
            "tool: one annotation, a list, a page or a collection), match each target source to "
            "an article in the library and place its quote there. An annotation already in the "
            "library (same id, same article) is updated when its note, tags, colour or quote "
            "differ, so notes edited elsewhere come back; importing a file twice changes "
            "nothing. Prints how many were placed, updated, unchanged, orphaned (kept, but the "
            "quote was not found) and skipped, and why."
        ),
    )
    imp.add_argument("files", nargs="+", metavar="FILE", help="JSON files to import")
    imp.set_defaults(func=run_import)


# --- export ----------------------------------------------------------------------


def _resolve_ids(store: Store, requested: Sequence[str], everything: bool) -> list[str]:
    summaries = store.list_articles()
    if everything:
        if requested:
            raise ReaderError("Give article ids or --all, not both.")
        annotated = {annotation.article_id for annotation in store.all_annotations()}
        with_notes = [s.id for s in summaries if s.id in annotated]
        if not with_notes:
            raise ReaderError("No article in the library has highlights to export.")
        return with_notes
    if not requested:
        raise ReaderError("Name the articles to export (ids from 'reader list'), or use --all.")
    known = [s.id for s in summaries]
    ids: list[str] = []
    for wanted in requested:
        if wanted in known:
            ids.append(wanted)
            continue
        matches = [article_id for article_id in known if article_id.startswith(wanted)]
        if len(matches) != 1:
            problem = "No article" if not matches else f"{len(matches)} articles"
            raise ReaderError(f"{problem} in the library with an id starting {wanted}.")
        ids.append(matches[0])
    return list(dict.fromkeys(ids))


def _entities_for(store: Store, article: Article, extractor: Extractor) -> list[EntityLike]:
    return list(extractor.extract(article.text, store.entity_corrections()))


def _is_folder(output: str) -> bool:
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def _write_stdout(text: str) -> None:
    """An export on standard output: already free of raw controls (Markdown writes them as
    character references, JSON as escapes); `printable` makes sure of it."""
    from reader.text.sanitize import printable

    text = printable(text)
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


def run_export(args: argparse.Namespace) -> int:
    """Handler for `reader export`."""
    from reader.files import write_text_atomic
    from reader.models import now_iso
    from reader.notes.export import (
        default_export_dir,
        export_markdown_files,
        safe_filename,
        target_path,
    )
    from reader.notes.markdown import article_markdown, combined_markdown
    from reader.notes.webanno import collection_text
    from reader.store.database import Store
    from reader.text.sanitize import json_safe

    if args.with_entities and args.format != "md":
        raise ReaderError("--with-entities applies to Markdown export only.")
    out = Out.of(args)
    with Store.open(resolve_db_path(getattr(args, "db", None))) as store:
        for message in store.messages:
            out.say(f"reader: {message}", err=True)
        store.on_message = tell_stderr
        ids = _resolve_ids(store, args.articles, args.all)
        extractor: Extractor | None = None
        if args.with_entities:
            from reader.entities.extractor import (
                Extractor,  # loaded only when asked for: it reads a model
            )

            extractor = args.extractor or Extractor.load()
        items: list[tuple[Article, list[Annotation], list[EntityLike] | None]] = []
        for article_id in ids:
            article = store.get_article(article_id)
            if article is None:
                raise ReaderError(f"No article with id {article_id} in the library.")
            entities = _entities_for(store, article, extractor) if extractor else None
            items.append((article, store.annotations_for(article_id), entities))
        exported_at = now_iso()
        output: str | None = args.output
        written: list[Path] = []
        if args.format == "json":
            text = json_safe(
                collection_text([(a, notes) for a, notes, _ in items], exported_at=exported_at)
            )
            if output == "-":
                _write_stdout(text + "\n")
                return 0
            if output is None or _is_folder(output):
                folder = Path(output) if output else default_export_dir(store)
                if len(items) == 1:
                    path = target_path(folder, items[0][0], ".json")
                else:
                    path = folder / f"{safe_filename('reader annotations')}.json"
            else:
                path = Path(output)
            write_text_atomic(path, text + "\n")
            written.append(path)
        elif output == "-" or (output is not None and not _is_folder(output)):
            if len(items) == 1:
                article, notes, entities = items[0]
                text = article_markdown(article, notes, entities=entities, exported_at=exported_at)
            else:
                text = combined_markdown(items, exported_at=exported_at)
            if output == "-":
                _write_stdout(text)
                return 0
            path = Path(output)
            write_text_atomic(path, text)
            written.append(path)
        else:
            folder = Path(output) if output else default_export_dir(store)
            written = export_markdown_files(folder, items, exported_at=exported_at)
    for path in written:
        out.say(str(path))
    return 0


# --- import ----------------------------------------------------------------------


def _print_report(path: str, report: ImportReport, out: Out) -> None:
    out.say(
        f"{isolate(path)}: {report.placed} placed, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.orphaned} orphaned, "
        f"{len(report.skipped)} skipped."
    )
    if report.orphaned:
        out.say(
            f"  {report.orphaned} orphaned: kept with their notes, but the quote was not found "
            "in the article's current text."
        )
    for reason, count in report.reasons().most_common():
        examples = [s.label for s in report.skipped if s.reason == reason][:3]
        more = ", ..." if count > len(examples) else ""
        out.say(f"  {count} skipped because {reason} ({', '.join(examples)}{more})")


def run_import(args: argparse.Namespace) -> int:
    """Handler for `reader import`."""
    from reader.notes.importer import import_file
    from reader.store.database import Store, StoreError

    failed = False
    out = Out.of(args)
    with Store.open(resolve_db_path(getattr(args, "db", None))) as store:
        for message in store.messages:
            out.say(f"reader: {message}", err=True)
        store.on_message = tell_stderr
        for name in args.files:
            try:
                report = import_file(store, Path(name))
            except StoreError:
                raise  # the database cannot take any file: say so once
            except ReaderError as error:  # this file is refused whole; go on with the next
                sentence = str(error).rstrip(".")
                out.say(f"reader: {sentence}; nothing was imported from it.", err=True)
                failed = True
                continue
            _print_report(name, report, out)
    return 1 if failed else 0
