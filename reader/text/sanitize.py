"""Keep terminal control out of everything reader stores and prints.

Text comes from the web, from files and from other tools' annotation files; printed raw, an
escape sequence could write the clipboard (OSC 52), retitle the window or clear the screen,
and a bidi override could reverse our own layout ("rev" shown as "ver").

On the way in: article text is cleaned by the parsers (`sanitize`), and every record is
cleaned before it is saved (`clean_article`, `clean_feed`, `clean_annotation`,
`clean_correction`): one-line fields with `clean_line` (no controls, no bidi controls),
URLs, sources and ids with `clean_url` (controls percent-encoded, so the address keeps its
meaning), notes and quotes with `clean_multiline`. Bidi formatting characters stay in
article bodies and notes: they steer the bidi algorithm, and the layout engine never draws
them.

On the way out: every message, table cell and render goes through `printable`; JSON text
through `json_safe`; Markdown writes such characters as character references
(`reader.notes.markdown`). The layout engine hides the same characters without changing offsets
(`neutralize`), so stored offsets stay valid even for text stored before cleaning.
"""

from __future__ import annotations

import dataclasses
import re

from reader.models import Annotation, Article, Block, EntityCorrection, Feed

TAB_SIZE = 4

#: Whole escape sequences: CSI, OSC/DCS/SOS/PM/APC strings (to BEL or ST, or the end of text),
#: two-byte and nF escapes, their 8-bit C1 forms, and a lone ESC.
_ESCAPE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
#: The 8-bit C1 characters that start an escape sequence (`_ESCAPE_RE`), as ESC does.
_C1_ESCAPE_RE = re.compile("[\x90\x98\x9b\x9d-\x9f]")
#: C0 and C1 controls other than tab and newline, plus DEL.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What the layout engine hides: escapes, every control but tab, and line/paragraph separators.
_HIDDEN_RE = re.compile(_ESCAPE_RE.pattern + r"|[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")

#: Drawn in place of a hidden character by `neutralize`: zero width, bidi class BN.
HIDDEN = "\u200b"


def _blank(match: re.Match[str]) -> str:
    return HIDDEN * len(match.group())


def neutralize(text: str) -> str:
    """`text` with every escape sequence and control character (but tab) replaced by a
    zero-width, bidi-neutral placeholder: same length, so offsets are unchanged."""
    if text.isprintable():  # (every match starts with a character that is not: most text)
        return text
    return _HIDDEN_RE.sub(_blank, text)


def has_hidden(text: str) -> bool:
    """True if `neutralize` would change `text`."""
    return _HIDDEN_RE.search(text) is not None


def sanitize(text: str, tab_size: int = TAB_SIZE) -> str:
    """Text safe to store and print: escape sequences removed whole, controls other than
    newline and tab dropped, tabs expanded to `tab_size` columns, CRLF/CR made newlines."""
    if text.isprintable():  # no control, escape, tab or line break to deal with: most text
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Looking first: each pass is a search far cheaper than the substitution (an article
    # with one stray control needs no escape pass over its megabyte).
    if "\x1b" in text or _C1_ESCAPE_RE.search(text) is not None:
        text = _ESCAPE_RE.sub("", text)
    if _CONTROL_RE.search(text) is not None:
        text = _CONTROL_RE.sub("", text)
    if "\t" in text:
        text = "\n".join(line.expandtabs(tab_size) for line in text.split("\n"))
    return text


# ------------------------------------------------------------------ fields on the way in

#: Unicode's Bidi_Control characters: ALM, LRM, RLM, the embeddings and overrides
#: (LRE, RLE, PDF, LRO, RLO) and the isolates (LRI, RLI, FSI, PDI). In a one-line field
#: (a title, a source, a feed's name) an override reverses the letters around it ("rev"
#: shown as "ver") and an unclosed one spills into whatever is printed next.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_RE = re.compile(f"[{BIDI_CONTROLS}]")
#: Every kind of line break, and vertical tab / form feed, which separate words too.
_BREAK_RE = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
#: What a URL may not carry raw: C0 and C1 controls, DEL, bidi controls, line separators.
_URL_UNSAFE_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI_CONTROLS}]")


def clean_line(text: str) -> str:
    """A one-line field (title, author, feed title, tag, entity name) safe to store and show:
    line breaks become spaces, escape sequences and controls go (`sanitize`), and so do bidi
    controls and byte-order marks; leading and trailing spaces are trimmed."""
    if not text:
        return ""
    text = _BREAK_RE.sub(" ", text)
    text = sanitize(text).replace("\ufeff", "")
    return _BIDI_RE.sub("", text).strip()


def clean_multiline(text: str) -> str:
    """Multi-line text (a note, a quote) safe to store: `sanitize`, tabs kept as they are.

    Bidi controls stay, as in article bodies: the layout engine runs the bidi algorithm on
    them and never draws them, and every output path below neutralises them."""
    if not text:
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_RE.sub("", text)
    return _CONTROL_RE.sub("", text)


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def clean_url(url: str) -> str:
    """A URL (or file path) safe to store and show, meaning kept: each control character,
    bidi control and line separator is percent-encoded (ESC as %1B, U+202E as %E2%80%AE)
    rather than dropped, so the address still names the same resource."""
    if not url or _URL_UNSAFE_RE.search(url) is None:
        return url
    return _URL_UNSAFE_RE.sub(_percent, url)


# ----------------------------------------------------------------- text on the way out

#: What `printable` removes: whole escape sequences, controls other than tab and newline
#: (CR too), and bidi controls.
_UNPRINTABLE_RE = re.compile(
    _ESCAPE_RE.pattern + f"|[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]"
)
_LINE_SPACE_RE = re.compile(r"[\n\t\u2028\u2029]")
#: One character class covering the start of everything the two above act on (every escape
#: sequence starts with ESC or a C1 control): most text has none, and one class search is
#: ten times cheaper than the alternation (`reader list` calls this 15,000 times).
_SUSPECT_RE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI_CONTROLS}]")
#: The same without newline, tab and the line separators, which only `line` changes: for
#: many lines at once (a whole render), where the first newline would end the search above.
_REMOVED_RE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{BIDI_CONTROLS}]")


def printable(text: str, *, line: bool = False) -> str:
    """`text` neutralised for a terminal or a pipe: the one function every output path uses.

    Escape sequences go whole, controls other than newline and tab go, bidi controls go (our
    own layout has already ordered the text; a raw override would reverse what follows it
    on the user's terminal). With `line`, newlines and tabs become spaces too (table cells,
    one-line messages)."""
    if not line:
        if _REMOVED_RE.search(text) is None:  # a class search, no alternation, over it all
            return text
        return _UNPRINTABLE_RE.sub("", text)
    if _SUSPECT_RE.search(text) is None:
        return text
    if _UNPRINTABLE_RE.search(text) is not None:
        text = _UNPRINTABLE_RE.sub("", text)
    if line:
        text = _LINE_SPACE_RE.sub(" ", text)
    return text


#: Characters JSON text may hold raw but a terminal must not see: C1 controls, DEL, bidi
#: controls, line separators (`json.dumps` escapes C0 controls itself).
_JSON_RAW_RE = re.compile(f"[\\x7f-\\x9f\\u2028\\u2029{BIDI_CONTROLS}]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_safe(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with C1 controls, DEL, bidi
    controls and line separators written as \\u escapes: the same JSON value, nothing raw.
    Such characters can only stand inside JSON strings, where \\u escapes mean the same."""
    if _JSON_RAW_RE.search(text) is None:
        return text
    return _JSON_RAW_RE.sub(_json_escape, text)


# ------------------------------------------------------------------------ whole records

_DIRTY_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_article(article: Article) -> Article:
    """`article` with every field safe to store (in place; returned for convenience).

    One-line fields through `clean_line`, the source, feed URL and entry id through
    `clean_url`; body blocks (already cleaned by the parsers) only when they hold a control.
    The id is left alone: it is a hash, and it must not change under an old record."""
    article.title = clean_line(article.title)
    article.source = clean_url(article.source)
    article.author = clean_line(article.author)
    article.published = clean_line(article.published)
    article.language = clean_line(article.language)
    article.added = clean_line(article.added)
    article.feed_url = clean_url(article.feed_url)
    article.entry_id = clean_url(article.entry_id)
    article.canonical_url = clean_url(article.canonical_url)
    if any(_DIRTY_RE.search(block.text) for block in article.blocks):
        article.blocks = [
            Block(block.kind, clean_multiline(block.text).replace("\n", " "))
            for block in article.blocks
        ]
    return article


def clean_feed(feed: Feed) -> Feed:
    """`feed` with its URL, title and remembered entry keys safe to store (in place).

    The ETag and Last-Modified validators are kept byte for byte: they are only ever sent
    back to the server, never shown."""
    feed.url = clean_url(feed.url)
    feed.title = clean_line(feed.title)
    feed.last_checked = clean_line(feed.last_checked)
    feed.folder = clean_line(feed.folder)
    feed.html_url = clean_url(feed.html_url)
    feed.last_error = clean_line(feed.last_error)
    feed.seen = [clean_url(key) for key in feed.seen]
    return feed


def clean_annotation(annotation: Annotation) -> Annotation:
    """A copy of `annotation` safe to store: note, quote and context through
    `clean_multiline`, tags through `clean_line` (empty ones dropped), ids through `clean_url`."""
    tags = [tag for tag in (clean_line(tag) for tag in annotation.tags) if tag]
    return dataclasses.replace(
        annotation,
        id=clean_url(annotation.id),
        article_id=clean_url(annotation.article_id),
        quote=clean_multiline(annotation.quote),
        prefix=clean_multiline(annotation.prefix),
        suffix=clean_multiline(annotation.suffix),
        text_hash=clean_line(annotation.text_hash),
        note=clean_multiline(annotation.note),
        tags=list(dict.fromkeys(tags)),
        created=clean_line(annotation.created),
        updated=clean_line(annotation.updated),
    )


def clean_correction(correction: EntityCorrection) -> EntityCorrection:
    """A copy of an entity correction with its names and type through `clean_line`."""
    return dataclasses.replace(
        correction,
        name=clean_line(correction.name),
        type=clean_line(correction.type),
        target=clean_line(correction.target),
        id=clean_line(correction.id),
        created=clean_line(correction.created),
    )
