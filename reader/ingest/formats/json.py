"""JSON and JSON Lines files of article objects (the SaudiNewsNet shape and similar)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from reader.errors import ReaderError
from reader.ingest.formats.html import content_blocks
from reader.ingest.jsonread import MAX_DEPTH, loads
from reader.ingest.metadata import finish_article, scoped_entry_id
from reader.models import Article

_TITLE_KEYS = ("title", "headline", "name")
_CONTENT_KEYS = ("content", "text", "body", "article", "content_html", "description", "summary")
_URL_KEYS = ("url", "link", "href", "source_url", "canonical_url")
_AUTHOR_KEYS = ("author", "authors", "byline", "creator")
_DATE_KEYS = (
    "date",
    "published",
    "date_published",
    "published_at",
    "pubDate",
    "pub_date",
    "datetime",
    "created_at",
    "updated",
    "date_modified",
    "date_extracted",
)
_ID_KEYS = ("id", "guid", "entry_id")


def _first(record: Mapping[str, Any], keys: Sequence[str]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_as_text(item) for item in value if _as_text(item))
    if isinstance(value, dict):
        return _as_text(_first(value, ("name", "title", "text", "value")))
    return str(value)


class PartlyRead(ReaderError):
    """Some lines of a JSON Lines file could not be read; `articles` are the other lines'.

    `str()` is the sentence naming the skipped lines, for the caller to show after it
    saves `articles`.
    """

    def __init__(self, message: str, articles: list[Article]) -> None:
        super().__init__(message)
        self.articles = articles


def _record_article(
    record: Any, *, source: str, label: str, index: int, feed_url: str = "", where: str = ""
) -> Article:
    where = where or f"{label} (entry {index + 1})"
    if not isinstance(record, dict):
        raise ReaderError(f"{where} is not a JSON object.")
    content = _as_text(_first(record, _CONTENT_KEYS))
    if not content.strip():
        raise ReaderError(f"{where} has no content or text field.")
    url = _as_text(_first(record, _URL_KEYS)).strip()
    own_id = scoped_entry_id(_as_text(_first(record, _ID_KEYS)).strip(), source)
    entry_id = url or own_id or f"{source}#{index + 1}"
    meta = {
        "title": _as_text(_first(record, _TITLE_KEYS)),
        "author": _as_text(_first(record, _AUTHOR_KEYS)),
        "date": _as_text(_first(record, _DATE_KEYS)),
        "language": _as_text(_first(record, ("language", "lang"))),
    }
    meta = {key: value for key, value in meta.items() if value}
    meta["source"] = url or source
    return finish_article(
        content_blocks(content),
        source=url or source,
        id_source=url or source,
        label=where,
        meta=meta,
        entry_id=entry_id,
        feed_url=feed_url,
    )


def _json_records(text: str, label: str) -> list[Any]:
    try:
        document = loads(text, label)
    except json.JSONDecodeError as error:
        raise ReaderError(f"{label} is not valid JSON (line {error.lineno}).") from None
    if isinstance(document, dict):
        for key in ("articles", "items", "entries", "data", "results"):
            if isinstance(document.get(key), list):
                return list(document[key])
        return [document]
    if isinstance(document, list):
        return document
    raise ReaderError(f"{label} holds no article objects.")


BAD_LINES_NAMED = 10
"""How many skipped line numbers a JSON Lines message names for each reason."""


def _line_problem(error: ReaderError) -> str:
    """`line 9 has no content or text field.` -> `no content or text field`."""
    rest = str(error).split(" ", 2)[2].rstrip(".")
    if rest.startswith("nests "):
        return f"nested more than {MAX_DEPTH} levels deep"
    for verb in ("is ", "has "):
        if rest.startswith(verb):
            return rest[len(verb) :]
    return rest


def _bad_lines_sentence(bad: Sequence[tuple[int, str]]) -> str:
    """`not valid JSON on lines 2, 5; no content or text field on line 9`."""
    by_problem: dict[str, list[int]] = {}
    for number, problem in bad:
        by_problem.setdefault(problem, []).append(number)
    parts = []
    for problem, numbers in by_problem.items():
        named = ", ".join(str(n) for n in numbers[:BAD_LINES_NAMED])
        if len(numbers) > BAD_LINES_NAMED:
            named += f" and {len(numbers) - BAD_LINES_NAMED} more"
        parts.append(f"{problem} on {'lines' if len(numbers) > 1 else 'line'} {named}")
    return "; ".join(parts)


def _parse_json_lines(text: str, *, source: str, label: str) -> list[Article]:
    """Each line an article; bad lines are skipped and named (`PartlyRead`), not fatal."""
    articles: list[Article] = []
    bad: list[tuple[int, str]] = []
    index = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = loads(line, where)
            articles.append(
                _record_article(record, source=source, label=label, index=index, where=where)
            )
        except json.JSONDecodeError:
            bad.append((number, "not valid JSON"))
        except ReaderError as error:
            bad.append((number, _line_problem(error)))
        index += 1
    if not bad:
        if not articles:
            raise ReaderError(f"{label} holds no article objects.")
        return articles
    sentence = _bad_lines_sentence(bad)
    if not articles:
        raise ReaderError(f"{label} holds no article that reader can read: {sentence}.")
    rest = "line was" if len(articles) == 1 else f"{len(articles)} lines were"
    raise PartlyRead(
        f"{label}: skipped {len(bad)} of its {len(bad) + len(articles)} lines ({sentence}); "
        f"the other {rest} read.",
        articles,
    )


def parse_json(text: str, *, source: str, label: str, lines: bool) -> list[Article]:
    """JSON or JSON Lines article objects (the SaudiNewsNet shape and similar).

    A JSON file is read whole or refused; a JSON Lines file keeps its good lines and
    raises `PartlyRead` (carrying them) when some lines cannot be read.
    """
    text = text.lstrip("\ufeff")
    if lines:
        return _parse_json_lines(text, source=source, label=label)
    records = _json_records(text, label)
    if not records:
        raise ReaderError(f"{label} holds no article objects.")
    return [
        _record_article(record, source=source, label=label, index=index)
        for index, record in enumerate(records)
    ]
