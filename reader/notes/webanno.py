"""Annotations as W3C Web Annotation JSON-LD: records out as JSON, JSON back in as records.

Export writes an `AnnotationCollection` whose first (only) `AnnotationPage` holds
every annotation: a `TextualBody` for the note (`purpose: commenting`), one per tag
(`purpose: tagging`), the colour as a `styleClass` on the target (with a stylesheet
defining it, as the model intends), and a target naming the article's source with
a `TextQuoteSelector` (exact, prefix, suffix) and a `TextPositionSelector` (start,
end in code points of the logical text).

Reading accepts that back, and what other tools write following the model: a single
annotation, a list, a page, or a collection with embedded `items`/`first.items`,
each item becoming an `Incoming` annotation or a `Skipped` one with a reason. Quotes,
notes and tags are kept as logical Unicode: Arabic presentation forms (what copying
from shaped text gives) are folded back to the letters they show.

Everything here is pure (records and JSON values in, JSON values and records out;
`stream_items` reads from a `JsonStream` it is handed). Matching items to articles,
placing their quotes and saving them is `reader.notes.importer`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from reader import __version__
from reader.errors import ReaderError
from reader.ingest.jsonread import JsonStream
from reader.models import Annotation, Article
from reader.text.arabic import logical
from reader.text.sanitize import clean_line, clean_multiline, clean_url

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
COLOUR_CLASS = "reader-colour-{}"
_COLOUR_RE = re.compile(r"^reader-colou?r-([1-5])$")
#: CSS for the five highlight colours, so other tools can show them (themes may differ).
STYLESHEET = " ".join(
    f".{COLOUR_CLASS.format(n)} {{ background-color: {css}; }}"
    for n, css in enumerate(("#fff176", "#a5d6a7", "#90caf9", "#f48fb1", "#ffcc80"), 1)
)
_NAMESPACE = uuid.UUID("8e3f5d1c-59a4-4c39-9a43-1f0f3a3a4c11")
"""Namespace for ids derived from content (annotations without an id, collections)."""


# --- export --------------------------------------------------------------------


def annotation_iri(annotation_id: str) -> str:
    """The annotation's id as an IRI: `urn:uuid:` for our uuid4 hex ids."""
    try:
        return uuid.UUID(hex=annotation_id).urn
    except ValueError:
        return f"urn:reader:annotation:{annotation_id}"


def source_iri(source: str) -> str:
    """An article source as an IRI: URLs as they are, absolute file paths as file: URIs."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", source) and not re.match(r"^[A-Za-z]:[\\/]", source):
        return source
    path = PurePath(source)
    return path.as_uri() if path.is_absolute() else source


def annotation_json(annotation: Annotation, source: str) -> dict[str, Any]:
    """One annotation in the Web Annotation model (with its own `@context`)."""
    body: list[dict[str, Any]] = []
    if annotation.note:
        body.append(
            {
                "type": "TextualBody",
                "value": annotation.note,
                "format": "text/plain",
                "purpose": "commenting",
            }
        )
    body.extend(
        {"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in annotation.tags
    )
    selectors: list[dict[str, Any]] = [
        {
            "type": "TextQuoteSelector",
            "exact": annotation.quote,
            "prefix": annotation.prefix,
            "suffix": annotation.suffix,
        }
    ]
    if not annotation.orphan:  # an orphan's old offsets point at nothing
        selectors.append(
            {"type": "TextPositionSelector", "start": annotation.start, "end": annotation.end}
        )
    record: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": annotation_iri(annotation.id),
        "type": "Annotation",
        "motivation": "commenting" if annotation.note else "highlighting",
    }
    if annotation.created:
        record["created"] = annotation.created
    if annotation.updated:
        record["modified"] = annotation.updated
    if body:
        record["body"] = body
    record["target"] = {
        "type": "SpecificResource",
        "source": source_iri(source),
        "selector": selectors,
        "styleClass": COLOUR_CLASS.format(annotation.color),
    }
    record["stylesheet"] = {"type": "CssStylesheet", "value": STYLESHEET}
    return record


def collection_json(
    items: Sequence[tuple[Article, Sequence[Annotation]]], *, exported_at: str
) -> dict[str, Any]:
    """An `AnnotationCollection` with one embedded page holding every annotation."""
    annotations = [
        annotation_json(annotation, article.source)
        for article, notes in items
        for annotation in sorted(notes, key=lambda a: (a.orphan, a.start, a.end, a.id))
    ]
    seed = ",".join(str(a["id"]) for a in annotations)
    collection_id = uuid.uuid5(_NAMESPACE, "collection:" + seed)
    return {
        "@context": ANNO_CONTEXT,
        "id": collection_id.urn,
        "type": "AnnotationCollection",
        "label": "Notes from reader",
        "total": len(annotations),
        "generated": exported_at,
        "generator": {"type": "Software", "name": f"reader {__version__}"},
        "first": {
            "id": uuid.uuid5(collection_id, "page:0").urn,
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": annotations,
        },
    }


def collection_text(
    items: Sequence[tuple[Article, Sequence[Annotation]]], *, exported_at: str
) -> str:
    """`collection_json` as JSON text: Arabic written as itself, one annotation per line.

    (json's C encoder only runs without `indent`, so the page's items are encoded one by
    one and laid out by hand: ten times faster than `indent=2` for big libraries.)
    """
    data = collection_json(items, exported_at=exported_at)
    annotations = data["first"].pop("items")
    head = json.dumps(data, ensure_ascii=False, indent=2)
    page_end = head.rindex("}", 0, head.rindex("}"))  # the closing brace of "first"
    lines = ",\n".join("      " + json.dumps(a, ensure_ascii=False) for a in annotations)
    body = f',\n    "items": [\n{lines}\n    ]\n  ' if annotations else ',\n    "items": []\n  '
    before = head[:page_end].rstrip()
    return before + body + head[page_end:]


# --- reading the model ---------------------------------------------------------


@dataclass(slots=True)
class Incoming:
    """One annotation read from a file, before it is matched to an article."""

    id: str
    source: str
    exact: str | None = None
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    note: str = ""
    tags: list[str] = field(default_factory=list)
    color: int | None = None
    """The reader colour class on the target; None when the file names none."""
    created: str = ""
    modified: str = ""


@dataclass(slots=True)
class Skipped:
    """An item of the file that was not imported, and why (one plain sentence)."""

    label: str
    reason: str


def _get(obj: dict[str, Any], key: str) -> Any:
    """A JSON-LD property under its compact name or its `@` keyword form."""
    return obj.get(key, obj.get("@" + key))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _types(obj: dict[str, Any]) -> set[str]:
    return {
        t.rsplit("#", 1)[-1].rsplit(":", 1)[-1]
        for t in _as_list(_get(obj, "type"))
        if isinstance(t, str)
    }


def _is_annotation(obj: Any) -> bool:
    return isinstance(obj, dict) and ("Annotation" in _types(obj) or "target" in obj)


def _walk(data: Any, depth: int = 0) -> Iterator[Any]:
    """Annotations (and non-annotations, to be reported) inside a document of any accepted shape."""
    if depth > 8:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
        return
    if not isinstance(data, dict) or _is_annotation(data):
        yield data
        return
    if "items" in data:
        yield from _walk(data["items"], depth + 1)
    elif isinstance(data.get("first"), dict):
        page: Any = data["first"]
        seen = 0
        while isinstance(page, dict) and seen < 10_000:
            yield from _walk(page.get("items", []), depth + 1)
            page = page.get("next")
            seen += 1
        if isinstance(page, str):
            raise _next_by_address(page)
    elif isinstance(data.get("first"), str):
        raise ReaderError(
            f"The collection's pages are only named by their address ({data['first']}); "
            "reader imports pages written into the file."
        )
    else:
        yield data


def _purposes(body: dict[str, Any]) -> set[str]:
    return {p.rsplit(":", 1)[-1] for p in _as_list(body.get("purpose")) if isinstance(p, str)}


def _text_value(body: dict[str, Any]) -> str | None:
    value = _get(body, "value")
    if isinstance(value, str):
        return value
    chars = body.get("chars")  # the older Open Annotation spelling
    return chars if isinstance(chars, str) else None


def _derived_id(obj: dict[str, Any]) -> str:
    """A stable id for an annotation the file gives none, so importing it twice is a no-op."""
    canonical = json.dumps(obj, sort_keys=True, ensure_ascii=False)
    return uuid.uuid5(_NAMESPACE, canonical).hex


def local_id(iri: str) -> str:
    """Our annotation id for an annotation IRI: the uuid hex when it is one, else derived."""
    text = iri.strip()
    tail = text[len("urn:uuid:") :] if text.lower().startswith("urn:uuid:") else text
    try:
        return uuid.UUID(tail).hex
    except ValueError:
        pass
    if text.startswith("urn:reader:annotation:"):
        return text[len("urn:reader:annotation:") :]
    return uuid.uuid5(_NAMESPACE, "iri:" + text).hex


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _read_selectors(target: dict[str, Any], incoming: Incoming) -> bool:
    """Fill quote and position from a target's selectors; True when one was usable."""
    found = False
    for selector in _as_list(target.get("selector")):
        if not isinstance(selector, dict):
            continue
        kinds = _types(selector)
        if "TextQuoteSelector" in kinds and isinstance(selector.get("exact"), str):
            incoming.exact = logical(selector["exact"])
            prefix, suffix = selector.get("prefix"), selector.get("suffix")
            incoming.prefix = logical(prefix) if isinstance(prefix, str) else ""
            incoming.suffix = logical(suffix) if isinstance(suffix, str) else ""
            found = True
        elif "TextPositionSelector" in kinds:
            start, end = _int_or_none(selector.get("start")), _int_or_none(selector.get("end"))
            if start is not None and end is not None and 0 <= start <= end:
                incoming.start, incoming.end = start, end
                found = True
    return found


def _source_of(target: Any) -> str:
    if isinstance(target, str):
        return target
    if not isinstance(target, dict):
        return ""
    source = target.get("source")
    if isinstance(source, dict):
        source = _get(source, "id")
    if isinstance(source, str):
        return source
    own = _get(target, "id")
    return own if isinstance(own, str) else ""


def parse_annotation(obj: Any, position: int) -> Incoming | Skipped:
    """One item of a file as an `Incoming` annotation, or why it cannot be one."""
    label = f"item {position}"
    if not isinstance(obj, dict):
        return Skipped(label, "it is not a JSON object")
    raw_id = _get(obj, "id")
    if isinstance(raw_id, str) and raw_id.strip():
        label = raw_id
        annotation_id = local_id(raw_id)
    else:
        annotation_id = _derived_id(obj)
    if not _is_annotation(obj):
        return Skipped(label, "it is not an annotation (no type Annotation and no target)")
    targets = _as_list(obj.get("target"))
    if not targets:
        return Skipped(label, "it has no target")
    incoming: Incoming | None = None
    source = ""
    for target in targets:
        source = source or _source_of(target)
        candidate = Incoming(id=annotation_id, source=_source_of(target))
        if isinstance(target, dict) and _read_selectors(target, candidate) and candidate.source:
            incoming = candidate
            classes = _as_list(target.get("styleClass"))
            for style in classes:
                match = _COLOUR_RE.match(style) if isinstance(style, str) else None
                if match:
                    incoming.color = int(match.group(1))
            break
    if incoming is None:
        if not source:
            return Skipped(label, "its target names no source document")
        return Skipped(label, "its target has no text quote or text position selector")
    notes: list[str] = []
    motivations = {m for m in _as_list(obj.get("motivation")) if isinstance(m, str)}
    body_value = obj.get("bodyValue")
    if isinstance(body_value, str) and body_value:
        notes.append(logical(body_value))
    for body in _as_list(obj.get("body")):
        if not isinstance(body, dict):
            continue  # an external body (an IRI) carries no text to keep
        value = _text_value(body)
        if value is None:
            continue
        value = logical(value)
        purposes = _purposes(body) or ({"tagging"} if motivations == {"tagging"} else set())
        if "tagging" in purposes:
            if value and value not in incoming.tags:
                incoming.tags.append(value)
        elif value:
            notes.append(value)
    incoming.note = "\n\n".join(notes)
    created, modified = obj.get("created"), obj.get("modified")
    incoming.created = created if isinstance(created, str) else ""
    incoming.modified = modified if isinstance(modified, str) else ""
    return _cleaned(incoming)


def _cleaned(incoming: Incoming) -> Incoming:
    """`incoming` with every text it will store cleaned, as the library cleans articles:
    escape sequences and controls out of quote, context and note, bidi controls out of
    tags and dates too, controls in the id percent-encoded."""
    incoming.id = clean_url(incoming.id)
    incoming.source = clean_url(incoming.source)  # as the library stores sources
    if incoming.exact is not None:
        incoming.exact = clean_multiline(incoming.exact)
    incoming.prefix = clean_multiline(incoming.prefix)
    incoming.suffix = clean_multiline(incoming.suffix)
    incoming.note = clean_multiline(incoming.note)
    tags = (clean_line(tag) for tag in incoming.tags)
    incoming.tags = list(dict.fromkeys(tag for tag in tags if tag))
    incoming.created = clean_line(incoming.created)
    incoming.modified = clean_line(incoming.modified)
    return incoming


def parse_document(data: Any) -> list[Incoming | Skipped]:
    """Every item of a Web Annotation document: annotations to import, or skips with reasons."""
    return [parse_annotation(item, n) for n, item in enumerate(_walk(data), 1)]


def _stream_walk(stream: JsonStream, depth: int, nest: int) -> Iterator[Any]:
    """`_walk` over the value the stream is at, `nest` arrays and objects deep.

    Arrays, and the objects holding `items` or `first`/`next` pages, are stepped
    through; every other value (an annotation) is decoded whole and walked in memory.
    """
    if depth > 8:
        stream.value(nest)  # `_walk` ignores what is this deep; read past it
        return
    char = stream.peek()
    if char == "[":
        for _ in stream.elements(nest):
            if stream.peek() == "[":
                yield from _stream_walk(stream, depth + 1, nest + 1)
            else:
                yield from _walk(stream.value(nest + 1), depth + 1)
    elif char == "{":
        yield from _stream_object(stream, depth, nest, page=False)
    else:
        yield stream.value(nest)


def _stream_object(stream: JsonStream, depth: int, nest: int, *, page: bool) -> Iterator[Any]:
    """An object met at the top or as a page: its `items`, pages and `next` pages walked
    as they come; an object with none of those (an annotation) is walked whole."""
    rest: dict[str, Any] = {}
    stepped = False
    for key in stream.members(nest):
        char = stream.peek()
        if key == "items" and char == "[":
            stepped = True
            yield from _stream_walk(stream, depth + 1, nest + 1)
        elif key == ("next" if page else "first") and char == "{":
            stepped = True  # pages are walked at the collection's depth, as `_walk` does
            yield from _stream_object(stream, depth, nest + 1, page=True)
        else:
            rest[key] = stream.value(nest + 1)
    if not stepped:
        yield from (_walk_page(rest, depth) if page else _walk(rest, depth))
    elif page and isinstance(rest.get("next"), str):
        raise _next_by_address(rest["next"])


def _walk_page(page: dict[str, Any], depth: int) -> Iterator[Any]:
    """A page with no `items` array and no embedded `next` page, as `_walk` reads pages."""
    yield from _walk(page.get("items", []), depth + 1)
    if isinstance(page.get("next"), str):
        raise _next_by_address(page["next"])


def _next_by_address(address: str) -> ReaderError:
    return ReaderError(
        f"The collection's next page is only named by its address ({address}); "
        "reader imports pages written into the file."
    )


def document_items(data: Any) -> Iterator[Any]:
    """The items of a Web Annotation document held in memory (see the module doc)."""
    return _walk(data)


def stream_items(stream: JsonStream) -> Iterator[Any]:
    """The items of a Web Annotation document, as `document_items` finds them, decoded from
    `stream` as they come (only one annotation at a time is held whole)."""
    return _stream_walk(stream, 0, 0)
