"""Fetching web pages and feeds politely and safely.

One GET under one wall-clock deadline per URL that covers the name lookup, the
connection, the response headers, every redirect and the body together (a server
trickling headers or body cannot hold us past it; see `reader.ingest.fetch_net`), a size
cap enforced while streaming, a bounded number of redirects, none of which may
lead from a public address to a loopback, private or link-local one, an honest
User-Agent, and conditional GET (ETag / Last-Modified) so a refresh of an
unchanged feed costs a 304. Every failure is a `ReaderError` naming the URL in one
sentence.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from reader import __version__
from reader.errors import ReaderError
from reader.ingest.decode import MAX_BYTES

USER_AGENT = f"reader/{__version__} (+terminal news reader)"
TIMEOUT_SECONDS = 30.0
"""Longest one URL may take, name lookup and connection to last byte, redirects included."""
TIMEOUT_ENV = "READER_FETCH_TIMEOUT"
"""Environment variable that changes `TIMEOUT_SECONDS` (seconds; tests use a fraction of one)."""
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


def fetch_timeout() -> float:
    """The deadline for one URL: $READER_FETCH_TIMEOUT seconds if set, else `TIMEOUT_SECONDS`."""
    value = os.environ.get(TIMEOUT_ENV, "").strip()
    if not value:
        return TIMEOUT_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86_400:
        raise ReaderError(f"{TIMEOUT_ENV} must be a number of seconds, not {value!r}.")
    return seconds


def _size_label(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


def fetch(
    url: str,
    *,
    etag: str = "",
    modified: str = "",
    timeout: float | None = None,
    max_bytes: int = MAX_BYTES,
    max_redirects: int = MAX_REDIRECTS,
    classify: Callable[[str], str] | None = None,
) -> FetchResult:
    """GET `url` (conditionally when `etag`/`modified` are given) within every limit.

    `timeout` defaults to `fetch_timeout()`; `classify` (an IP address to its class, see
    `reader.ingest.fetch_net.address_class`) is there for tests that need a "public" address.
    """
    # httpx (and the ssl stack it loads) costs 30-40 ms to import: paid here, when something
    # is fetched, not by every command and screen that only needs `is_url` or `FetchResult`.
    import httpx

    from reader.ingest.fetch_net import (
        AddressRefused,
        Deadline,
        GuardedBackend,
        GuardedTransport,
        address_class,
    )

    check_url(url)
    seconds = fetch_timeout() if timeout is None else timeout
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    deadline = Deadline(seconds)
    backend = GuardedBackend(deadline, classify or address_class)
    answered = False
    try:
        with (
            httpx.Client(
                follow_redirects=True,
                max_redirects=max_redirects,
                timeout=httpx.Timeout(seconds),
                headers=headers,
                transport=GuardedTransport(backend),
            ) as client,
            client.stream("GET", url) as response,
        ):
            answered = True
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
                if time.monotonic() > deadline.at:
                    raise httpx.ReadTimeout("the deadline passed")
                chunks.append(chunk)
            return FetchResult(
                url=final_url,
                status=response.status_code,
                content=b"".join(chunks),
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
    except AddressRefused as refused:
        where = (
            refused.host
            if refused.host == refused.address
            else (f"{refused.host} ({refused.address})")
        )
        raise ReaderError(
            f"{url} redirects to {where}, a {refused.kind} address; "
            f"a redirect from a {refused.origin} address is not followed there."
        ) from None
    except httpx.TooManyRedirects:
        raise ReaderError(f"{url} redirects more than {max_redirects} times.") from None
    except httpx.TimeoutException:
        if answered:
            raise ReaderError(f"{url} took longer than {seconds:g} seconds to download.") from None
        raise ReaderError(f"{url} did not answer within {seconds:g} seconds.") from None
    except httpx.InvalidURL:
        raise ReaderError(f"{url} is not a valid URL.") from None
    except httpx.UnsupportedProtocol:  # `url` itself passed check_url: a redirect's target
        raise ReaderError(f"{url} redirects to a URL that is not http or https.") from None
    except httpx.RemoteProtocolError as error:
        if "Receive buffer too long" in str(error):  # h11's limit on a response's headers
            raise ReaderError(f"{url} sent response headers longer than 100 KB.") from None
        raise ReaderError(f"Could not fetch {url}: {error}.") from None
    except httpx.HTTPError as error:
        detail = str(error) or type(error).__name__
        raise ReaderError(f"Could not fetch {url}: {detail}.") from None
