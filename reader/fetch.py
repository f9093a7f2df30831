"""Fetching web pages and feeds politely and safely.

One GET with a timeout over the whole download (not only between bytes, so a
server trickling data cannot hang us), a size cap enforced while streaming, a
bounded number of redirects, an honest User-Agent, and conditional GET
(ETag / Last-Modified) so a refresh of an unchanged feed costs a 304. Every
failure is a `ReaderError` naming the URL in one sentence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from reader import __version__
from reader.articles import MAX_BYTES
from reader.errors import ReaderError

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"reader/{__version__} (+terminal news reader)"
TIMEOUT_SECONDS = 20.0
"""Longest a whole fetch may take, connection to last byte."""
MAX_REDIRECTS = 5
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What came back: the final URL after redirects, the body and the caching headers."""

    url: str
    status: int
    content: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET: nothing new to read."""
        return self.status == 304


def is_url(target: str) -> bool:
    """True for an http(s) URL (what `reader add` fetches rather than opens as a path)."""
    return target.lower().startswith(("http://", "https://"))


def check_url(url: str) -> str:
    """The URL if it is an http(s) URL with a host, else a ReaderError naming it."""
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ReaderError(f"{url} is not a valid URL.") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ReaderError(f"{url} is not an http or https URL.")
    return url


def _size_label(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def fetch(
    url: str,
    *,
    etag: str = "",
    modified: str = "",
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    transport: httpx.BaseTransport | None = None,
) -> FetchResult:
    """GET `url` (conditionally when `etag`/`modified` are given) within every limit."""
    # httpx (and the ssl stack it loads) costs 30-40 ms to import: paid here, when something
    # is fetched, not by every command and screen that only needs `is_url` or `FetchResult`.
    import httpx

    check_url(url)
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    deadline = time.monotonic() + timeout
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=max_redirects,
                timeout=httpx.Timeout(timeout),
                headers=headers,
                transport=transport,
            ) as client,
            client.stream("GET", url) as response,
        ):
            final_url = str(response.url)
            if response.status_code == 304:
                return FetchResult(
                    url=final_url,
                    status=304,
                    etag=response.headers.get("etag", etag),
                    last_modified=response.headers.get("last-modified", modified),
                )
            if response.status_code >= 400:
                reason = response.reason_phrase or "error"
                raise ReaderError(f"{url} answered {response.status_code} {reason}.")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ReaderError(f"{url} is larger than {_size_label(max_bytes)}.")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ReaderError(f"{url} is larger than {_size_label(max_bytes)}.")
                if time.monotonic() > deadline:
                    raise ReaderError(f"{url} took longer than {timeout:g} seconds to download.")
                chunks.append(chunk)
            return FetchResult(
                url=final_url,
                status=response.status_code,
                content=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
    except httpx.TooManyRedirects:
        raise ReaderError(f"{url} redirects more than {max_redirects} times.") from None
    except httpx.TimeoutException:
        raise ReaderError(f"{url} did not answer within {timeout:g} seconds.") from None
    except httpx.InvalidURL:
        raise ReaderError(f"{url} is not a valid URL.") from None
    except httpx.UnsupportedProtocol:
        raise ReaderError(f"{url} is not an http or https URL.") from None
    except httpx.HTTPError as error:
        detail = str(error) or type(error).__name__
        raise ReaderError(f"Could not fetch {url}: {detail}.") from None
