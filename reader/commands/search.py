"""`reader search QUERY [--json] [--limit N]`: the library's articles that match, best first."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from reader.commands.output import Out, isolate
from reader.text.sanitize import json_safe

#: Marks around each match in a snippet printed as text.
MARK_OPEN, MARK_CLOSE = "[", "]"


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add `reader search`."""
    parser = subparsers.add_parser(
        "search",
        parents=[common],
        help="find articles by words in their title, source, text, notes or tags",
        description=(
            "Find the articles that hold every word of QUERY, in their title, source, text, "
            "notes or tags; put words in quotes for a phrase. Like find, it ignores harakat "
            "and tatweel and folds alef forms, taa marbuta and alef maqsura; a word also "
            "matches behind a proclitic (و ف ب ل ك ال): كتاب finds والكتاب, and a query word "
            "loses its proclitics ending in the article: بالرياض finds الرياض."
        ),
    )
    parser.add_argument("query", nargs="+", metavar="QUERY", help='words and "quoted phrases"')
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    parser.add_argument(
        "--limit", type=int, default=20, metavar="N", help="show at most N articles (default 20)"
    )
    parser.set_defaults(func=run_search)


def _marked(snippet: str, spans: list[tuple[int, int]]) -> str:
    parts: list[str] = []
    last = 0
    for start, end in spans:
        if start < last:
            continue
        parts.extend((snippet[last:start], MARK_OPEN, snippet[start:end], MARK_CLOSE))
        last = end
    parts.append(snippet[last:])
    return "".join(parts)


def run_search(args: argparse.Namespace) -> int:
    """`reader search QUERY...`."""
    from reader.commands.library import _open_store
    from reader.search import search
    from reader.search.query import PLACES

    query = " ".join(args.query)
    with _open_store(args) as store:
        results = search(store, query, limit=max(1, args.limit), extractor=args.extractor)
    if args.json:
        import json

        rows = [
            {
                "id": r.article_id,
                "title": r.title,
                "source": r.source,
                "score": round(r.score, 4),
                "position": r.position,
                "archived": r.archived,
                "snippet": r.snippet,
                "snippet_field": r.snippet_field,
                "where": r.where,
                **({"snippet_annotation": r.snippet_annotation} if r.snippet_annotation else {}),
                "snippet_matches": [list(span) for span in r.snippet_matches],
                "matches": [
                    {
                        "field": m.field,
                        "where": m.place,
                        "start": m.start,
                        "end": m.end,
                        **({"annotation": m.annotation_id} if m.annotation_id else {}),
                    }
                    for m in r.matches
                ],
            }
            for r in results
        ]
        sys.stdout.write(json_safe(json.dumps(rows, ensure_ascii=False)) + "\n")
        return 0 if results else 1
    out = Out.of(args)
    if not results:
        out.say(f"No article matches {isolate(query)}.")
        return 1
    for result in results:
        archived = ", archived" if result.archived else ""
        out.say(f"{isolate(result.title or result.source)} (id {result.article_id}{archived})")
        if result.snippet:
            marked = isolate(_marked(result.snippet, result.snippet_matches))
            out.say(f"    {PLACES[result.where]}: {marked}")
    return 0
