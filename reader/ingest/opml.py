"""OPML subscription lists in and out: what newsboat, NetNewsWire, Feedly and Inoreader write.

An OPML file is an outline: every `<outline>` with an `xmlUrl` is a feed (its name in `text`
or `title`, its site in `htmlUrl`); an outline without one is a folder (Feedly and Inoreader
call them categories) holding the outlines inside it. A feed's folder is kept as the folder
names from the outside in, joined with "/" (as newsboat's tags and OPML 2.0's `category` do;
a "/" inside one name becomes a look-alike, so that the name stays one folder on export).

Parsed with the standard library's expat, event by event, with every kind of entity refused:
a file that declares an entity (the billion laughs, an external file or URL) or uses one it
does not declare is refused whole in one sentence, before anything is imported. No
dependency is needed for that: expat reports each declaration to a handler, and ours stops
the parse (what defusedxml does, without the rest of defusedxml).

Importing subscribes and fetches nothing: `reader refresh` fetches the new feeds' articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from xml.parsers import expat

from reader.errors import ReaderError
from reader.ingest.decode import MAX_BYTES
from reader.models import Feed
from reader.text.sanitize import clean_feed, clean_line, clean_url

if TYPE_CHECKING:
    from reader.store.database import Store

FOLDER_SEPARATOR = "/"
"""Between the folder names of a nested folder, outermost first ("News/Arabic")."""

MAX_DEPTH = 64
"""Elements nested deeper than this are refused: real lists nest two or three levels."""

NAME_SLASH = "\u2215"
"""A "/" inside one folder's name becomes this look-alike (DIVISION SLASH), so that the name
stays one folder rather than two when the subscriptions are exported again."""

EXPORT_TITLE = "reader subscriptions"


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed an OPML file lists, cleaned (`clean_url`, `clean_line`)."""

    url: str
    title: str = ""
    folder: str = ""
    html_url: str = ""


@dataclass(slots=True)
class SubscriptionList:
    """What an OPML file holds: its feeds (each URL once, first place wins) and the outlines
    whose `xmlUrl` is not an http(s) address (skipped, cleaned for showing)."""

    feeds: list[Subscription] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class _Refused(Exception):
    """Raised inside an expat handler to stop the parse with a sentence for the user."""


def _entities_refused(label: str) -> str:
    return (
        f"{label} declares XML entities or an outside DTD, which OPML files have no need of "
        "(XML bombs and file-reading attacks are made of them); nothing was imported."
    )


def _feed_address(raw: str) -> str | None:
    """The http(s) URL an `xmlUrl` names (feed: URLs as the http URLs they stand for)."""
    url = raw.strip()
    lowered = url.lower()
    if lowered.startswith("feed://"):
        url = "http://" + url[len("feed://") :]
    elif lowered.startswith("feed:"):
        url = url[len("feed:") :]
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return clean_url(url)


def parse_opml(data: bytes, label: str) -> SubscriptionList:
    """The feeds an OPML document lists; a `ReaderError` (one sentence naming `label`) for
    anything that is not well-formed OPML, declares or uses entities, or lists no feed."""
    if len(data) > MAX_BYTES:
        raise ReaderError(f"{label} is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise ReaderError(f"{label} is empty.")
    found = SubscriptionList()
    seen: set[str] = set()
    # One entry per open element: the folder name an outline adds ("" for anything else).
    open_elements: list[str] = []
    in_body = 0

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse_entities(*_args: object) -> None:
        raise _Refused(_entities_refused(label))

    def refuse_external(
        _context: str, _base: str | None, _system: str | None, _public: str | None
    ) -> int:
        raise _Refused(_entities_refused(label))

    def doctype(_name: str, system_id: str | None, public_id: str | None, internal: int) -> None:
        # A bare <!DOCTYPE opml> is harmless; a DTD to load or declarations are not.
        if system_id or public_id or internal:
            raise _Refused(_entities_refused(label))

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal in_body
        if not open_elements and name.lower() != "opml":
            raise _Refused(
                f"{label} is not an OPML file (its root element is <{name}>, not <opml>); "
                "nothing was imported."
            )
        if len(open_elements) >= MAX_DEPTH:
            raise _Refused(
                f"{label} nests outlines more than {MAX_DEPTH} deep; nothing was imported."
            )
        if name == "body" and len(open_elements) == 1:
            in_body += 1
        if name != "outline" or not in_body:
            open_elements.append("")
            return
        attrs = {key.lower(): value for key, value in attributes.items()}
        name_text = clean_line(attrs.get("text", "") or attrs.get("title", ""))
        raw_url = attrs.get("xmlurl", "")
        if not raw_url.strip():
            open_elements.append(name_text.replace(FOLDER_SEPARATOR, NAME_SLASH))
            return
        open_elements.append("")
        url = _feed_address(raw_url)
        if url is None:
            found.skipped.append(clean_line(raw_url))
            return
        if url in seen:
            return
        seen.add(url)
        folder = FOLDER_SEPARATOR.join(part for part in open_elements if part)
        html_url = _feed_address(attrs.get("htmlurl", "")) or ""
        title = "" if name_text in (url, raw_url.strip()) else name_text
        found.feeds.append(Subscription(url, title, folder, html_url))

    def end(name: str) -> None:
        nonlocal in_body
        open_elements.pop()
        if name == "body" and len(open_elements) == 1:
            in_body -= 1

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = refuse_entities
    parser.UnparsedEntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_external
    parser.SkippedEntityHandler = refuse_entities
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        raise ReaderError(str(refused)) from None
    except expat.ExpatError as error:
        if error.code == expat.errors.codes[expat.errors.XML_ERROR_UNDEFINED_ENTITY]:
            raise ReaderError(_entities_refused(label)) from None
        problem = expat.errors.messages[error.code] if error.code else str(error)
        raise ReaderError(
            f"{label} is not a well-formed OPML file ({problem} on line {error.lineno}); "
            "nothing was imported."
        ) from None
    if not found.feeds:
        why = "only addresses that are not http(s) URLs" if found.skipped else "no feeds"
        raise ReaderError(f"{label} lists {why} (outlines with an xmlUrl); nothing was imported.")
    return found


# ------------------------------------------------------------------------------ importing


@dataclass(slots=True)
class ImportReport:
    """What `import_subscriptions` did: feeds subscribed, and feeds already subscribed."""

    added: list[Feed] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def folders(self) -> int:
        """Folders the new subscriptions sit in (a nested folder counts once)."""
        return len({feed.folder for feed in self.added if feed.folder})


def import_subscriptions(store: Store, listed: SubscriptionList) -> ImportReport:
    """Subscribe to every listed feed not subscribed already; fetches nothing (the first
    `reader refresh` imports their entries). A feed already subscribed is left as it is."""
    wanted = [
        clean_feed(Feed(url=item.url, title=item.title, folder=item.folder, html_url=item.html_url))
        for item in listed.feeds
    ]
    added = store.add_feeds(wanted)
    fresh = {feed.url for feed in added}
    existing = [feed.url for feed in wanted if feed.url not in fresh]
    return ImportReport(added=added, existing=existing, skipped=list(listed.skipped))


# ------------------------------------------------------------------------------ exporting

#: What XML 1.0 cannot hold at all, not even as a character reference.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: What an attribute keeps only as a reference: markup, whitespace that attribute
#: normalisation would turn into spaces, and what a terminal must not see raw (C1 controls,
#: DEL, bidi controls, line separators).
_ATTRIBUTE_ESCAPE_RE = re.compile(
    '[&<>"\t\n\r\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]'
)
_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _escape_one(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or f"&#x{ord(char):X};"


def xml_attribute(value: str) -> str:
    """`value` as the inside of a double-quoted XML attribute: every value comes back whole
    from a conforming parser (characters XML cannot carry at all are dropped)."""
    return _ATTRIBUTE_ESCAPE_RE.sub(_escape_one, _XML_ILLEGAL_RE.sub("", value))


def _outline(attributes: Iterable[tuple[str, str]], depth: int, close: bool = True) -> str:
    pairs = " ".join(f'{name}="{xml_attribute(value)}"' for name, value in attributes if value)
    return "  " * depth + f"<outline {pairs}" + ("/>" if close else ">")


@dataclass(slots=True)
class _Folder:
    feeds: list[Feed] = field(default_factory=list)
    folders: dict[str, _Folder] = field(default_factory=dict)


def _feed_lines(feed: Feed, depth: int) -> str:
    name = feed.title or feed.url
    return _outline(
        (
            ("type", "rss"),
            ("text", name),
            ("title", feed.title),
            ("xmlUrl", feed.url),
            ("htmlUrl", feed.html_url),
        ),
        depth,
    )


def _folder_lines(folder: _Folder, depth: int) -> list[str]:
    lines = [_feed_lines(feed, depth) for feed in folder.feeds]
    for name in sorted(folder.folders, key=lambda name: (name.casefold(), name)):
        lines.append(_outline((("text", name), ("title", name)), depth, close=False))
        lines.extend(_folder_lines(folder.folders[name], depth + 1))
        lines.append("  " * depth + "</outline>")
    return lines


def opml_document(feeds: Sequence[Feed], created: datetime | None = None) -> str:
    """The subscriptions as an OPML 2.0 document (UTF-8 text), folders as nested outlines;
    feeds at each level in the order given, then the folders by name."""
    root = _Folder()
    for feed in feeds:
        place = root
        for name in (part for part in feed.folder.split(FOLDER_SEPARATOR) if part.strip()):
            place = place.folders.setdefault(name, _Folder())
        place.feeds.append(feed)
    when = format_datetime(created or datetime.now(UTC), usegmt=True)
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        "  <head>",
        f"    <title>{EXPORT_TITLE}</title>",
        f"    <dateCreated>{when}</dateCreated>",
        "  </head>",
        "  <body>",
    ]
    tail = ["  </body>", "</opml>"]
    return "\n".join([*head, *_folder_lines(root, 2), *tail]) + "\n"
