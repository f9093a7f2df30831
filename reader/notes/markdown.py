"""Notes as Markdown: one document per article, for Obsidian, a notes folder or a report.

The document is YAML front matter, `# Title`, a source line and `## Highlights` in
reading order; each highlight is a `###` line with its location, colour and tags,
the exact quote as a block quote and the note under it. Text is written as logical
Unicode exactly as stored (Markdown renderers lay Arabic out themselves): nothing is
shaped, reordered or wrapped in bidi controls.

User text never breaks the document: every character Markdown (or Obsidian/GitHub)
could read as syntax is backslash-escaped, whitespace at line edges (which
CommonMark strips) is written as a numeric character reference, and line breaks
inside a quote or note are hard breaks, so a CommonMark parser gives back each quote
and note exactly. No control character (but newline and tab) and no bidi control is
ever written raw, so `cat` of an export cannot drive the terminal: they are numeric
character references. Bidi controls parse back exactly; the other controls, which the
store never holds, would parse as U+FFFD.

With entities, an `## Entities` section lists each as a wiki-link (`[[إيلون ماسك]]`, the
name made safe for a vault's file name by `vault_name`), so a vault of exports links every
article to a note per person, organisation and place.

Everything here is pure: records in, text out. Where the documents go (file names,
the export folder, writing) is `reader.notes.export`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol
from urllib.parse import urlsplit

from reader.models import ENTITY_TYPE_LABELS, Annotation, Article
from reader.text.sanitize import BIDI_CONTROLS, clean_url

ENTITY_HEADINGS: Mapping[str, str] = ENTITY_TYPE_LABELS
"""Section names for entity types, in the order they are written."""


class EntityLike(Protocol):
    """What the Markdown export needs of `reader.entities.extractor.Entity`."""

    @property
    def name(self) -> str: ...

    @property
    def type(self) -> str: ...

    @property
    def mentions(self) -> Sequence[object]: ...


# --- escaping -----------------------------------------------------------------

# Whitespace CommonMark strips at the edges of a paragraph or line (mdTrim's set).
_EDGE_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_EDGE_CHARS = frozenset(
    "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000"
    + "".join(map(chr, range(0x2000, 0x200B)))
)
_LEADING_RE = re.compile(f"^[{_EDGE_SPACE}]+")
_TRAILING_RE = re.compile(f"[{_EDGE_SPACE}]+$")
# Inline syntax of CommonMark, GFM and Obsidian: emphasis, code, links, HTML, entities,
# tags (#), math ($), strikethrough (~), tables (|); CR is kept as a reference because
# CommonMark turns a raw CR into a line ending.
_INLINE_RE = re.compile(r"[\\`*_\[\]<>&#$~|\r]")
_INLINE_MAP = {c: "\\" + c for c in "\\`*_[]<>&#$~|"} | {"\r": "&#13;"}
# Controls (but tab and newline) and bidi controls are never written raw: `cat` of a note
# must not drive the terminal, nor an override reverse the lines after it. They become
# numeric character references (bidi controls parse back exactly; a parser turns a
# control's reference into U+FFFD, and the store never holds one).
_RAW_RE = re.compile(f"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")
# Obsidian highlights (==) and comments (%%): escaped only when doubled.
_DOUBLED_RE = re.compile(r"={2,}|%{2,}")
# What could open a block at the start of a line: headings, quotes, lists, thematic
# breaks, setext underlines, fences, HTML blocks, tables, ordered lists (1. or 1)).
_LINE_START_RE = re.compile(r"^(?:[-+=]|([0-9]{1,9})([.)]))")


def _reference(char: str) -> str:
    """`char` as a numeric character reference, or as itself when CommonMark has none."""
    return f"&#{ord(char)};"


def _escape_inline(text: str) -> str:
    """Backslash-escape inline syntax (and write CR as a reference)."""
    escaped = _INLINE_RE.sub(lambda m: _INLINE_MAP[m.group()], text)
    if _RAW_RE.search(escaped) is not None:
        escaped = _RAW_RE.sub(lambda m: _reference(m.group()), escaped)
    if "==" in escaped or "%%" in escaped:
        escaped = _DOUBLED_RE.sub(lambda m: "".join("\\" + c for c in m.group()), escaped)
    return escaped


def _escape_line(line: str) -> str:
    """One line of user text, safe anywhere a line of paragraph text may stand."""
    if not line:
        return ""
    if line[0] in _EDGE_CHARS or line[-1] in _EDGE_CHARS:
        lead = _LEADING_RE.match(line)
        head = lead.group() if lead else ""
        trail = _TRAILING_RE.search(line, len(head))
        tail = trail.group() if trail else ""
        core = line[len(head) : len(line) - len(tail)]
    else:
        head = tail = ""
        core = line
    escaped = _escape_inline(core)
    if not head and (core[:1] in "-+=" or "0" <= core[:1] <= "9") and not escaped.startswith("\\"):
        start = _LINE_START_RE.match(core)
        if start and start.group(1):  # "1." or "1)": escape the delimiter
            cut = len(start.group(1))
            escaped = escaped[:cut] + "\\" + escaped[cut:]
        elif start:
            escaped = "\\" + escaped
    if not head and not tail:
        return escaped
    return "".join(map(_reference, head)) + escaped + "".join(map(_reference, tail))


def escape_text(text: str) -> list[str]:
    """Multi-line user text as the Markdown lines of one paragraph that parses back to `text`.

    Each newline becomes a hard break (a backslash ending the line; an empty line of
    text becomes a line holding just that backslash, so no line is ever blank and the
    paragraph goes on). Newlines at the very end cannot be hard breaks, so they are
    written as `&#10;`.
    """
    body = text.rstrip("\n")
    trailing = "&#10;" * (len(text) - len(body))
    lines = [_escape_line(line) for line in body.split("\n")]
    lines[-1] += trailing
    return [line + "\\" for line in lines[:-1]] + [lines[-1]]


def escape_inline_line(text: str) -> str:
    """User text for a single line (a heading, a list item): newlines become references."""
    return "&#10;".join(_escape_line(line) for line in text.split("\n")) if text else ""


# Characters a YAML double-quoted scalar must escape: quote, backslash, everything YAML
# does not count as printable, and the line breaks YAML 1.1 would fold (NEL, LS, PS).
_YAML_ESCAPE_RE = re.compile(
    '[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff' + BIDI_CONTROLS + "]"
)
_YAML_NAMED = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t"}


def _yaml_escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _YAML_NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"


def yaml_string(value: str) -> str:
    """`value` as a YAML double-quoted scalar that any YAML 1.1/1.2 parser reads back exactly."""
    return '"' + _YAML_ESCAPE_RE.sub(_yaml_escape, value) + '"'


# --- the document --------------------------------------------------------------


def _is_web(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def article_url(article: Article) -> str:
    """The web address of an article, if it has one (its source, else its feed entry id)."""
    for candidate in (article.source, article.entry_id):
        if _is_web(candidate):
            return candidate
    return ""


def _source_name(article: Article) -> str:
    """The site for web articles, else the file path it came from."""
    url = article_url(article)
    if url:
        return urlsplit(url).hostname or url
    return article.source


def reading_order(annotations: Iterable[Annotation]) -> list[Annotation]:
    """Placed highlights by position, then orphans (they have no place in the text)."""
    return sorted(annotations, key=lambda a: (a.orphan, a.start, a.end, a.created, a.id))


def _unique_tags(annotations: Iterable[Annotation]) -> list[str]:
    seen: dict[str, None] = {}
    for annotation in annotations:
        for tag in annotation.tags:
            seen.setdefault(tag, None)
    return list(seen)


def front_matter(fields: Sequence[tuple[str, str | Sequence[str]]]) -> str:
    """YAML front matter from (key, value) pairs; lists become flow sequences of strings."""
    lines = ["---"]
    for key, value in fields:
        if isinstance(value, str):
            lines.append(f"{key}: {yaml_string(value)}")
        else:
            lines.append(f"{key}: [{', '.join(yaml_string(item) for item in value)}]")
    lines.append("---")
    return "\n".join(lines) + "\n"


def _location(annotation: Annotation, starts: Sequence[int]) -> str:
    if annotation.orphan:
        return "not found in the current text"
    first = bisect.bisect_right(starts, annotation.start)
    last = bisect.bisect_right(starts, max(annotation.start, annotation.end - 1))
    return f"paragraph {first}" if first == last else f"paragraphs {first}–{last}"


def _highlight_markdown(number: int, annotation: Annotation, starts: Sequence[int]) -> str:
    meta = [_location(annotation, starts), f"colour {annotation.color}"]
    if annotation.tags:
        meta.append("tags: " + ", ".join(escape_inline_line(tag) for tag in annotation.tags))
    parts = [f"### {number}. " + " · ".join(meta), ""]
    parts.extend(("> " + line) if line else ">" for line in escape_text(annotation.quote))
    if annotation.note:
        parts.append("")
        parts.extend(escape_text(annotation.note))
    return "\n".join(parts) + "\n"


# Characters no vault file name may hold (Windows, macOS, Linux), Obsidian's link syntax
# (# heading, ^ block, | alias, [ ] brackets), what a CommonMark parser would read as code,
# math, strikethrough or emphasis around the link (` $ ~ _), controls and bidi controls.
_VAULT_UNSAFE_RE = re.compile('[/\\\\:*?"<>|#^\\[\\]`$~_\x00-\x1f\x7f-\x9f' + BIDI_CONTROLS + "]")


_ALIAS_UNSAFE_RE = re.compile("[\\[\\]|\x00-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")


def vault_name(name: str) -> str:
    """`name` as a note vault's file name and wiki-link target: without the characters a file
    name or a wiki-link cannot hold, whitespace runs as one space, no dot or space at either
    end ("entity" when nothing is left). Arabic is kept as it is."""
    cleaned = " ".join(_VAULT_UNSAFE_RE.sub(" ", name).split()).strip(" .")
    return cleaned or "entity"


def wiki_link(name: str) -> str:
    """`[[name]]` for a note vault (Obsidian, Logseq, Foam): the link resolves to the note
    called `vault_name(name)`; a name that had to change keeps its own text (escaped like
    any user text) as the alias."""
    target = vault_name(name)
    shown = " ".join(_ALIAS_UNSAFE_RE.sub(" ", name).split())
    if shown == target or not shown:
        return f"[[{target}]]"
    return f"[[{target}|{escape_inline_line(shown)}]]"


def _entities_markdown(entities: Sequence[EntityLike]) -> str:
    groups: dict[str, list[EntityLike]] = {}
    for entity in entities:
        groups.setdefault(entity.type, []).append(entity)
    order = [t for t in ENTITY_HEADINGS if t in groups] + sorted(
        t for t in groups if t not in ENTITY_HEADINGS
    )
    parts = ["## Entities", ""]
    for kind in order:
        parts.append(f"### {escape_inline_line(ENTITY_HEADINGS.get(kind, kind))}")
        parts.append("")
        for entity in groups[kind]:
            count = len(entity.mentions)
            label = "mention" if count == 1 else "mentions"
            parts.append(f"- {wiki_link(entity.name)} ({count} {label})")
        parts.append("")
    return "\n".join(parts)


def article_body(
    article: Article,
    annotations: Iterable[Annotation],
    *,
    entities: Sequence[EntityLike] | None = None,
) -> str:
    """The article's section without front matter: title, source line, highlights, entities."""
    ordered = reading_order(annotations)
    starts = article.block_starts()
    title = article.title or article.id
    source_bits = [f"Source: {escape_inline_line(_source_name(article))}"]
    url = clean_url(article_url(article))
    if url and not re.search(r"[\s<>]", url):
        source_bits.append(f"<{url}>")
    if article.author:
        source_bits.append(f"by {escape_inline_line(article.author)}")
    if article.published:
        source_bits.append(escape_inline_line(article.published))
    parts = [f"# {escape_inline_line(title)}", "", " · ".join(source_bits), "", "## Highlights", ""]
    if not ordered:
        parts.append("No highlights yet.")
        parts.append("")
    for number, annotation in enumerate(ordered, 1):
        parts.append(_highlight_markdown(number, annotation, starts))
    text = "\n".join(parts)
    if entities:
        text += "\n" + _entities_markdown(entities)
    return text


def article_markdown(
    article: Article,
    annotations: Iterable[Annotation],
    *,
    entities: Sequence[EntityLike] | None = None,
    exported_at: str,
) -> str:
    """One article's notes as a Markdown document with YAML front matter."""
    annotations = reading_order(annotations)
    matter = front_matter(
        [
            ("title", article.title),
            ("source", _source_name(article)),
            ("url", article_url(article)),
            ("author", article.author),
            ("date", article.published),
            ("exported-at", exported_at),
            ("tags", _unique_tags(annotations)),
            ("reader-id", article.id),
        ]
    )
    return matter + "\n" + article_body(article, annotations, entities=entities)


def combined_markdown(
    items: Sequence[tuple[Article, Sequence[Annotation], Sequence[EntityLike] | None]],
    *,
    exported_at: str,
) -> str:
    """Several articles' notes in one document (`reader export --all -o notes.md`)."""
    matter = front_matter(
        [
            ("title", "Notes from reader"),
            ("exported-at", exported_at),
            ("articles", str(len(items))),
            ("tags", _unique_tags(a for _, notes, _ in items for a in reading_order(notes))),
        ]
    )
    bodies = [article_body(article, notes, entities=ents) for article, notes, ents in items]
    return matter + "\n" + "\n".join(bodies)
