"""Canonical URLs: one spelling for the many addresses a story is shared under.

The same article arrives as `https://Site.example:443/news/1/?utm_source=rss#top` from one feed
and `https://site.example/news/1` from another; `canonical_url` turns both into the second, so
the library can tell it already holds the story (reader.ingest.library). It is a key, never
shown or fetched: the article keeps the address it came from.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Query parameters that only say where a link was shared (analytics), not what it shows.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "ref_src",
    }
)
#: Prefixes of tracking parameters (Google Analytics' utm_source, utm_medium, ...).
TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SLASHES_RE = re.compile(r"/{2,}")


def _tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


@functools.lru_cache(maxsize=65536)
def canonical_url(url: str) -> str:
    """`url` normalised for comparison, or "" when it is not an http(s) URL.

    Scheme and host lower-cased and `http` taken as `https` (sites serve both), the default
    port dropped, the fragment dropped, repeated and trailing slashes of the path dropped,
    tracking parameters (utm_*, fbclid, gclid, ...) dropped and the rest sorted."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    path = _SLASHES_RE.sub("/", parts.path).rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


_LINK_UNSAFE_RE = re.compile(
    r"[\x00-\x20\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def web_link(url: str) -> str:
    """`url` when it is an http(s) address safe to hand to a browser or a clipboard, else "".

    Only http and https with a host pass: never `file:`, `javascript:` or `data:`, and never an
    address holding spaces, control characters or bidi controls (which could make it open or
    read as something other than what the reader sees)."""
    if not url or _LINK_UNSAFE_RE.search(url):
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return url


def original_link(source: str, canonical: str = "", entry_id: str = "") -> str:
    """The web address an article came from: its source when that is a web page or a feed
    entry's link, else the page's canonical address or the entry id when either is a link;
    "" for an article read from a file with no address."""
    for candidate in (source, canonical, entry_id):
        link = web_link(candidate)
        if link:
            return link
    return ""
