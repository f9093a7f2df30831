"""Records as the database files hold them: one JSON object per record, and back.

Files from other versions may carry fields a record does not know; they are dropped
on the way in. Nothing here touches the disk.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

from reader.models import Annotation, Article, ArticleSummary, Block, EntityCorrection, Feed
from reader.store.storage import encode_json

ARTICLE_FIELDS = frozenset(f.name for f in fields(Article)) - {"blocks"}
ANNOTATION_FIELDS = frozenset(f.name for f in fields(Annotation))
FEED_FIELDS = frozenset(f.name for f in fields(Feed))
CORRECTION_FIELDS = frozenset(f.name for f in fields(EntityCorrection))
_ANNOTATION_ORDER = tuple(f.name for f in fields(Annotation))


def pick(doc: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    """Only the fields a record knows (files from other versions may carry more)."""
    return {key: value for key, value in doc.items() if key in allowed}


def annotation_doc(annotation: Annotation) -> dict[str, Any]:
    """`asdict(annotation)` without its generic deep copy (a tenth of the time, for imports)."""
    doc = {name: getattr(annotation, name) for name in _ANNOTATION_ORDER}
    doc["tags"] = list(annotation.tags)
    return doc


def annotation_from(doc: dict[str, Any]) -> Annotation:
    """The annotation a stored document holds."""
    values = pick(doc, ANNOTATION_FIELDS)
    values.setdefault("id", "")
    values.setdefault("quote", "")
    values["tags"] = list(values.get("tags", []))
    return Annotation(**values)


def feed_from(doc: dict[str, Any]) -> Feed:
    """The feed a stored document holds."""
    values = pick(doc, FEED_FIELDS)
    values.setdefault("url", "")
    values["seen"] = list(values.get("seen", []))
    return Feed(**values)


def correction_from(doc: dict[str, Any]) -> EntityCorrection:
    """The entity correction a stored document holds."""
    return EntityCorrection(**pick(doc, CORRECTION_FIELDS))


def summary_from(key: str, doc: dict[str, Any], highlights: int) -> ArticleSummary:
    """An article's library line from its stored document (no body read)."""
    return ArticleSummary(
        id=key,
        title=doc.get("title", ""),
        source=doc.get("source", ""),
        published=doc.get("published", ""),
        added=doc.get("added", ""),
        highlights=highlights,
        direction=doc.get("direction", "rtl"),
        feed_url=doc.get("feed_url", ""),
        read_at=doc.get("read_at", ""),
        archived_at=doc.get("archived_at", ""),
    )


def article_doc(article: Article, body_hash: str) -> dict[str, Any]:
    """An article's library document: its fields, and its body by hash."""
    doc = {name: getattr(article, name) for name in ARTICLE_FIELDS}
    doc["body"] = body_hash
    return doc


def article_values(doc: dict[str, Any]) -> dict[str, Any]:
    """The fields of an Article (all but its blocks) from a library document."""
    values = pick(doc, ARTICLE_FIELDS)
    for name in ("id", "title", "source"):
        values.setdefault(name, "")
    return values


def body_payload(blocks: list[Block]) -> tuple[str, bytes]:
    """A body file's bytes and the hash that names it."""
    payload = encode_json([[block.kind, block.text] for block in blocks])
    return hashlib.sha256(payload).hexdigest(), payload
