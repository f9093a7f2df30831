"""Plain-text articles: optional front matter, lines or hard-wrapped paragraphs, sub-headings."""

from __future__ import annotations

from reader.ingest.blocks import (
    HEADING_MAX_CHARS,
    Unit,
    blocks_from_units,
    clean_text,
    line_units,
)
from reader.ingest.formats.frontmatter import front_matter_meta, split_front_matter
from reader.ingest.metadata import finish_article
from reader.models import Article


def _text_units(body: str) -> list[Unit]:
    """Lines are paragraphs, unless the text is hard-wrapped in blank-line separated blocks."""
    chunks: list[list[str]] = []
    current: list[str] = []
    for line in body.split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            chunks.append(current)
            current = []
    if current:
        chunks.append(current)
    lengths = sorted(len(line) for chunk in chunks for line in chunk)
    wrapped = (
        len(chunks) > 1
        and any(len(chunk) > 1 for chunk in chunks)
        and lengths[(len(lengths) * 3) // 4] <= HEADING_MAX_CHARS
    )
    if not wrapped:
        return line_units(line for chunk in chunks for line in chunk)
    units: list[Unit] = []
    for chunk in chunks:
        pieces = line_units(chunk)
        merged: list[Unit] = []
        for piece in pieces:
            if merged and piece.kind == "paragraph" and merged[-1].kind == "paragraph":
                merged[-1] = Unit("paragraph", merged[-1].text + " " + piece.text)
            else:
                merged.append(piece)
        units.extend(merged)
    return units


def parse_text(text: str, *, source: str, label: str) -> Article:
    """A plain-text article: optional front matter, paragraphs, detected sub-headings."""
    fields, body = split_front_matter(clean_text(text), label)
    blocks = blocks_from_units(_text_units(body))
    return finish_article(
        blocks, source=source, id_source=source, label=label, meta=front_matter_meta(fields)
    )
