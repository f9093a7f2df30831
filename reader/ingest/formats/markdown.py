"""Markdown articles through markdown-it-py: headings, paragraphs, quotes, list items."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reader.ingest.blocks import clean_text, text_block
from reader.ingest.formats.frontmatter import front_matter_meta, split_front_matter
from reader.ingest.formats.html import html_to_blocks
from reader.ingest.metadata import finish_article
from reader.models import Article, Block, BlockKind


def _inline_text(token: Any) -> str:
    """Text of an inline token: link text kept, images as their alt text, breaks as spaces."""
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child) or child.content)
    return "".join(parts)


def parse_markdown(text: str, *, source: str, label: str) -> Article:
    """A Markdown article through markdown-it-py: headings, paragraphs, quotes, list items."""
    from markdown_it import MarkdownIt

    fields, body = split_front_matter(clean_text(text), label)
    tokens = MarkdownIt("commonmark").parse(body)
    blocks: list[Block] = []
    containers: list[str] = []
    for token in tokens:
        if token.type in ("blockquote_open", "list_item_open", "heading_open"):
            containers.append(token.type)
        elif token.type in ("blockquote_close", "list_item_close", "heading_close"):
            if containers:
                containers.pop()
        elif token.type == "inline":
            kind: BlockKind = "paragraph"
            for container in reversed(containers):
                if container == "heading_open":
                    kind = "heading"
                    break
                if container == "list_item_open":
                    kind = "list_item"
                    break
                if container == "blockquote_open":
                    kind = "quote"
                    break
            block = text_block(kind, _inline_text(token))
            if block is not None:
                if (
                    kind == "list_item"
                    and blocks
                    and blocks[-1].kind == "list_item"
                    and token.level > 0
                    and _continues_item(tokens, token)
                ):
                    blocks[-1] = Block("list_item", blocks[-1].text + " " + block.text)
                else:
                    blocks.append(block)
        elif token.type in ("fence", "code_block"):
            kind = "quote" if "blockquote_open" in containers else "paragraph"
            for line in token.content.split("\n"):
                block = text_block(kind, line)
                if block is not None:
                    blocks.append(block)
        elif token.type == "html_block":
            blocks.extend(html_to_blocks(token.content))
    meta = front_matter_meta(fields)
    return finish_article(blocks, source=source, id_source=source, label=label, meta=meta)


def _continues_item(tokens: Sequence[Any], token: Any) -> bool:
    """True when an inline token is a second paragraph of the same list item."""
    index = next(i for i, candidate in enumerate(tokens) if candidate is token)
    # paragraph_open precedes the inline; before it, a paragraph_close means same item.
    return index >= 2 and tokens[index - 2].type == "paragraph_close"
