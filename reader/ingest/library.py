"""The library: bringing articles in from files, folders, web pages and feeds.

Everything goes through the store. A target is parsed whole before anything is
saved, so a bad file leaves no half of itself behind; a folder import reports
each bad file and imports the rest. Ids derive from the source, so adding the
same thing twice changes nothing, and adding a changed version of a source
replaces its text in place and re-anchors its annotations.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.errors import ReaderError
from reader.ingest.articles import parse_bytes, parse_path
from reader.ingest.decode import decode_text
from reader.ingest.fetch import FetchResult, fetch, is_url
from reader.ingest.formats.feed import (
    ParsedFeed,
    discover_feed_links,
    entry_keys,
    looks_like_feed,
    parse_feed,
)
from reader.ingest.formats.json import PartlyRead
from reader.ingest.metadata import article_id_for, text_fingerprint
from reader.ingest.sniff import SUPPORTED_SUFFIXES, detect_kind, iter_supported_files
from reader.ingest.teaser import word_count
from reader.ingest.urls import canonical_url
from reader.models import Annotation, Article, ArticleSummary, Feed, now_iso
from reader.paths import seeds_dir
from reader.store.database import ArticleIdentity, RemovedArticle, Store
from reader.store.records import body_payload
from reader.text.sanitize import clean_article, clean_feed

SEEDED_SETTING = "library.seeded"
"""Set once the seed articles were imported, so deleting them later is final."""

SEEN_LIMIT = 5000
"""Entry ids and links remembered per feed (newest kept)."""

Progress = Callable[[int, int, str], None]
"""`progress(done, total, label)`: called as each target or feed is finished."""


# ------------------------------------------------------------------------ reports


@dataclass(slots=True)
class FeedOffer:
    """A feed found while adding a URL: the command offers to subscribe to it."""

    url: str
    title: str
    entry_keys: list[str] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An article that arrived again under another id (another address of the same page, the
    same story in a second feed): the library keeps the one it has, `existing_id`."""

    article: Article
    """What arrived (not saved)."""
    existing_id: str
    existing_title: str

    def sentence(self) -> str:
        """One sentence saying so."""
        where = self.article.source or self.article.title
        return (
            f"{where} is already in the library as '{self.existing_title}' (id {self.existing_id})."
        )


@dataclass(slots=True)
class AddReport:
    """What `add_targets` did, target by target."""

    added: list[Article] = field(default_factory=list)
    updated: list[Article] = field(default_factory=list)
    unchanged: list[Article] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(target or file, one-sentence reason) for everything that could not be imported."""
    feeds: list[FeedOffer] = field(default_factory=list)
    """Feeds among the URLs that are not subscribed yet."""
    orphaned: int = 0
    """Annotations that could not be re-anchored in changed articles."""
    duplicates: list[Duplicate] = field(default_factory=list)
    """Articles the library already held under another id; nothing of them was saved."""

    @property
    def articles(self) -> list[Article]:
        """Every article the targets resolved to, new or not."""
        return [*self.added, *self.updated, *self.unchanged]


@dataclass(slots=True)
class FeedResult:
    """One feed's refresh: how many new entries, or why it failed."""

    url: str
    title: str = ""
    new: int = 0
    duplicates: int = 0
    """Entries the library already held (from another feed, a file or a page)."""
    not_modified: bool = False
    unsubscribed: bool = False
    """The feed was removed while it was being refreshed; it stays removed."""
    error: str = ""


@dataclass(slots=True)
class RefreshReport:
    """Every feed's outcome and the articles that arrived."""

    results: list[FeedResult] = field(default_factory=list)
    new_articles: list[Article] = field(default_factory=list)

    @property
    def failed(self) -> list[FeedResult]:
        """The feeds that could not be refreshed."""
        return [result for result in self.results if result.error]


# ------------------------------------------------------------------------- saving


def reanchor_annotations(store: Store, old: Article, new: Article) -> list[Annotation]:
    """Move the annotations of a changed article onto its new text (reader.notes.anchors)."""
    from reader.notes.anchors import reanchor_article

    report = reanchor_article(store, old, new)
    return list(report.annotations)


def save_articles(
    store: Store,
    articles: Sequence[Article],
    report: AddReport,
    known: KnownArticles | None = None,
) -> None:
    """Insert new articles, replace changed ones (keeping `added`), skip identical ones and
    ones the library holds under another id (`report.duplicates`).

    One write of the library index for the whole batch; annotations of articles
    whose text changed are re-anchored afterwards. Callers saving several batches (a
    refresh, a big folder) pass one `known` for all of them: it is read once.
    """
    unique: dict[str, Article] = {}
    for article in articles:
        unique[article.id] = clean_article(article)
    added: list[Article] = []
    updated: list[Article] = []
    changed_text: list[tuple[Article, Article]] = []
    now = now_iso()
    if known is None:
        known = KnownArticles(store.article_identities)
    for article in unique.values():
        old = store.get_article(article.id)
        if old is None:
            existing = known.match(article)
            if existing is not None:
                report.duplicates.append(Duplicate(article, existing.id, existing.title))
                continue
            known.add(article)
            article.added = article.added or now
            added.append(article)
            continue
        if article.feed_url and article.feed_url != old.feed_url:
            # A feed carrying a story the library got elsewhere (a page, another feed):
            # the entry must not replace that text (and move its notes onto a teaser).
            report.duplicates.append(Duplicate(article, old.id, old.title))
            continue
        article.added = old.added or now
        if text_fingerprint(old) == text_fingerprint(article) and _same_metadata(old, article):
            report.unchanged.append(old)
            continue
        updated.append(article)
        if old.text != article.text:
            changed_text.append((old, article))
    store.put_articles([*added, *updated])
    # Counted only once written: a failed write (full disk, read-only) reports nothing added.
    report.added.extend(added)
    report.updated.extend(updated)
    for old, new in changed_text:
        if store.annotations_for(old.id):
            moved = reanchor_annotations(store, old, new)
            report.orphaned += sum(1 for annotation in moved if annotation.orphan)
    if added or updated:
        from reader.search.index import try_update_index

        try_update_index(store)


TEXT_MATCH_MIN = 200
"""Characters of text an article needs before the same text alone makes it the same article
(two feeds' one-line entries "Breaking" are not one story)."""


def identity_keys(
    source: str, entry_id: str, canonical: str, body: str, long_text: bool
) -> list[str]:
    """The keys under which an article is the same as another: its canonical addresses (the
    page's own, its source, its entry id when that is a URL) and its body hash when its text is
    long enough to tell (see TEXT_MATCH_MIN)."""
    keys = [
        f"url:{url}" for url in dict.fromkeys(map(canonical_url, (canonical, source, entry_id)))
    ]
    keys = [key for key in keys if key != "url:"]
    if long_text and body:
        keys.append(f"text:{body}")
    return keys


class KnownArticles:
    """The library's articles by every key that identifies them (`identity_keys`), to tell an
    article arriving again under another id: another address of a page, the same story in
    two feeds, a saved page and its feed entry. Built from the library index alone, when the
    first article is looked up (`identities` reads it), and kept up to date with `add`."""

    def __init__(self, identities: Callable[[], Sequence[ArticleIdentity]]) -> None:
        self._identities = identities
        self._keys_read: dict[str, ArticleIdentity] | None = None

    @property
    def _by_key(self) -> dict[str, ArticleIdentity]:
        if self._keys_read is None:
            self._keys_read = {}
            for known in self._identities():
                for key in identity_keys(
                    known.source, known.entry_id, known.canonical_url, known.body, True
                ):
                    self._keys_read.setdefault(key, known)
        return self._keys_read

    @staticmethod
    def _keys(article: Article) -> list[str]:
        long_text = len(article.text) >= TEXT_MATCH_MIN
        body = body_payload(article.blocks)[0] if long_text else ""
        return identity_keys(
            article.source, article.entry_id, article.canonical_url, body, long_text
        )

    def match(self, article: Article) -> ArticleIdentity | None:
        """The article the library holds that `article` is another arrival of, if any."""
        for key in self._keys(article):
            found = self._by_key.get(key)
            if found is not None and found.id != article.id:
                return found
        return None

    def add(self, article: Article) -> None:
        """Count `article` as held (one batch may carry a story twice)."""
        known = ArticleIdentity(article.id, article.title, article.source, article.entry_id, "", "")
        for key in self._keys(article):
            self._by_key.setdefault(key, known)


def _same_metadata(old: Article, new: Article) -> bool:
    keys = ("source", "author", "published", "language", "direction", "feed_url", "entry_id")
    return all(getattr(old, key) == getattr(new, key) for key in keys)


# ------------------------------------------------------------------------- adding


def _expand(targets: Sequence[str], report: AddReport) -> list[tuple[str, str]]:
    """Targets to work items ("url"|"file", value); folders become their files."""
    items: list[tuple[str, str]] = []
    for target in targets:
        if is_url(target):
            items.append(("url", target))
            continue
        path = Path(target).expanduser()
        if path.is_dir():
            files = list(iter_supported_files(path))
            if not files:
                kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
                report.failed.append(
                    (target, f"{target} holds no files reader can import ({kinds}).")
                )
            items.extend(("file", str(file)) for file in files)
        elif path.exists():
            items.append(("file", str(path)))
        elif "://" in target:
            report.failed.append((target, f"{target} is not an http or https URL."))
        else:
            report.failed.append((target, f"{target} does not exist."))
    return items


def _articles_from_url(
    store: Store, url: str, report: AddReport
) -> tuple[list[Article], FetchResult]:
    result = fetch(url)
    if looks_like_feed(result.content, result.content_type, url):
        parsed = parse_feed(result.content, url=url)
        if store.get_feed(url) is None and all(offer.url != url for offer in report.feeds):
            keys = [key for article in parsed.articles for key in entry_keys(article)]
            report.feeds.append(
                FeedOffer(
                    url=url,
                    title=parsed.title or url,
                    entry_keys=keys,
                    etag=result.etag,
                    last_modified=result.last_modified,
                )
            )
        return parsed.articles, result
    return parse_bytes(result.content, source=url, content_type=result.content_type), result


SAVE_BATCH = 500
"""Articles parsed before one store write: a folder of small files costs few index writes."""


def add_targets(
    store: Store, targets: Sequence[str], progress: Progress | None = None
) -> AddReport:
    """Add files, folders (recursively), web pages and feeds; report each outcome.

    Each file or URL is parsed whole before anything is saved (all-or-nothing);
    one failing does not stop the others. Parsed articles are saved in batches.
    """
    report = AddReport()
    items = _expand(targets, report)
    total = len(items)
    pending: list[tuple[str, list[Article]]] = []
    known = KnownArticles(store.article_identities)

    def flush() -> None:
        batch = [article for _, articles in pending for article in articles]
        try:
            save_articles(store, batch, report, known)
        except ReaderError as error:
            report.failed.extend((value, str(error)) for value, _ in pending)
        pending.clear()

    for done, (kind, value) in enumerate(items, start=1):
        try:
            if kind == "url":
                articles, _ = _articles_from_url(store, value, report)
            else:
                articles = parse_path(Path(value))
            pending.append((value, articles))
        except PartlyRead as error:  # a JSON Lines file with bad lines: save the good ones
            pending.append((value, error.articles))
            report.failed.append((value, str(error)))
        except ReaderError as error:
            report.failed.append((value, str(error)))
        except Exception as error:  # a third-party parser's bug must not stop a folder import
            report.failed.append((value, f"Could not import {value}: {error}."))
        if sum(len(articles) for _, articles in pending) >= SAVE_BATCH:
            flush()
        if progress is not None:
            progress(done, total, value)
    if pending:
        flush()
    return report


def open_target(store: Store, target: str) -> Article:
    """`reader PATH|URL`: the article for it, added (or updated from the file) if needed."""
    if is_url(target):
        found = store.get_article(article_id_for(target)) or store.find_article(source=target)
        if found is not None:
            return found
    else:
        path = Path(target).expanduser()
        if path.is_dir():
            raise ReaderError(f"{target} is a folder; use 'reader add {target}' to import it.")
    report = add_targets(store, [target])
    if report.failed:
        raise ReaderError(report.failed[0][1])
    if not report.articles and report.duplicates:
        found = store.get_article(report.duplicates[0].existing_id)
        if found is not None:
            return found
    if not report.articles:
        raise ReaderError(f"{target} holds no articles.")
    first = report.articles[0]
    return store.get_article(first.id) or first


def ensure_seeded(store: Store) -> list[Article]:
    """On first run, import the shipped sample articles once; later runs do nothing."""
    if store.read_only or store.get_setting(SEEDED_SETTING, False):
        return []  # a read-only library (full disk, newer schema) is shown as it is
    folder = seeds_dir()
    report = AddReport()
    if folder.is_dir():
        articles = [
            article for path in iter_supported_files(folder) for article in parse_path(path)
        ]
        save_articles(store, articles, report)
    store.set_setting(SEEDED_SETTING, True)
    return report.added


# -------------------------------------------------------------------------- feeds


def _remember(feed: Feed, keys: Sequence[str]) -> None:
    """Add entry keys to the feed's seen list, newest last, bounded in size."""
    seen = dict.fromkeys(feed.seen)
    for key in keys:
        seen.pop(key, None)
        seen[key] = None
    feed.seen = list(seen)[-SEEN_LIMIT:]


def subscribe(store: Store, offer: FeedOffer) -> Feed:
    """Subscribe to a feed already fetched by `add_targets` (its entries count as seen)."""
    checked = now_iso()

    def subscribed(feed: Feed) -> None:
        feed.title = offer.title or feed.title
        feed.etag = offer.etag
        feed.modified = offer.last_modified
        feed.last_checked = checked
        _remember(feed, offer.entry_keys)
        clean_feed(feed)

    # Already subscribed: change the feed as saved now (a refresh may be running).
    saved = store.update_feed(offer.url, subscribed)
    if saved is not None:
        return saved
    feed = Feed(url=offer.url)
    subscribed(feed)
    store.put_feed(feed)
    return feed


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """The feed `reader feed add URL` subscribes to, fetched.

    `url` is the feed's own URL; when the URL given was a web page rather than a
    feed, `page` is that page and `others` the further feeds it links (in order).
    """

    url: str
    result: FetchResult
    page: str = ""
    others: tuple[str, ...] = ()


def find_feed(url: str) -> FoundFeed:
    """Fetch `url`; a feed is taken as is, a web page for the first feed it links.

    Users paste a site's home page as often as its feed URL, so a page that
    advertises feeds (`<link rel="alternate" type="application/rss+xml">`) leads
    to the first one; a page advertising none is refused in one sentence.
    """
    result = fetch(url)
    if looks_like_feed(result.content, result.content_type, url):
        return FoundFeed(url, result)
    if detect_kind(result.content, content_type=result.content_type, name=url) != "html":
        raise ReaderError(f"{url} is not an RSS or Atom feed.")
    links = discover_feed_links(decode_text(result.content, url), result.url)
    if not links:
        raise ReaderError(f"{url} is a web page with no RSS or Atom feed link; nothing was saved.")
    first, *others = links
    linked = fetch(first)
    if not looks_like_feed(linked.content, linked.content_type, first):
        raise ReaderError(f"{url} links {first} as its feed, but that is not an RSS or Atom feed.")
    return FoundFeed(first, linked, page=url, others=tuple(others))


def add_found_feed(store: Store, found: FoundFeed) -> tuple[Feed, AddReport]:
    """Import a found feed's entries and subscribe to it (its entries count as seen)."""
    result = found.result
    parsed: ParsedFeed = parse_feed(result.content, url=found.url)
    report = AddReport()
    save_articles(store, parsed.articles, report)
    keys = [key for article in parsed.articles for key in entry_keys(article)]
    offer = FeedOffer(found.url, parsed.title or found.url, keys, result.etag, result.last_modified)
    return subscribe(store, offer), report


def add_feed(store: Store, url: str) -> tuple[Feed, AddReport]:
    """`reader feed add URL`: find the feed (see `find_feed`), import its entries, subscribe."""
    return add_found_feed(store, find_feed(url))


def remove_feed(store: Store, url: str) -> None:
    """Unsubscribe (its articles stay in the library)."""
    if not store.remove_feed(url):
        raise ReaderError(f"You are not subscribed to {url}.")


def _refresh_one(
    store: Store, feed: Feed, report: RefreshReport, result: FetchResult, known: KnownArticles
) -> FeedResult:
    outcome = FeedResult(url=feed.url, title=feed.title)
    checked = now_iso()
    if result.not_modified:
        outcome.not_modified = True

        def unchanged(saved: Feed) -> None:
            saved.last_checked = checked
            saved.last_error = ""

        if store.update_feed(feed.url, unchanged):
            return outcome
        outcome.unsubscribed = True
        return outcome
    parsed = parse_feed(result.content, url=feed.url)
    seen = set(feed.seen)
    fresh: list[Article] = []
    for article in parsed.articles:
        keys = entry_keys(article)
        if seen.intersection(keys) or store.get_article(article.id) is not None:
            continue
        seen.update(keys)
        fresh.append(article)
    added = AddReport()
    save_articles(store, fresh, added, known)
    keys = [key for article in parsed.articles for key in entry_keys(article)]

    def refreshed(saved: Feed) -> None:
        # Applied to the feed as saved now (see Store.update_feed), not to our old copy.
        _remember(saved, keys)
        saved.title = parsed.title or saved.title
        saved.etag = result.etag
        saved.modified = result.last_modified
        saved.last_checked = checked
        saved.last_error = ""
        clean_feed(saved)

    if store.update_feed(feed.url, refreshed) is None:
        outcome.unsubscribed = True
    outcome.title = parsed.title or feed.title
    outcome.new = len(added.added)
    outcome.duplicates = len(added.duplicates)
    report.new_articles.extend(added.added)
    return outcome


def _record_error(store: Store, url: str, error: str) -> None:
    """Keep why a feed failed on the feed (shown in the app's feeds list); a store that cannot
    be written (read-only) loses only this note, the report still says it."""

    def failed(saved: Feed) -> None:
        saved.last_error = error
        clean_feed(saved)

    with contextlib.suppress(ReaderError):
        store.update_feed(url, failed)


REFRESH_WORKERS = 4
"""Feeds fetched at once: a slow feed delays nobody, and no site sees a burst from us."""


def _fetch_feeds(
    feeds: Sequence[Feed], workers: int
) -> Iterator[tuple[int, FetchResult | Exception]]:
    """(index, result or error) for each feed as its fetch ends, `workers` fetching at once.

    The threads are daemons, so an interrupted refresh exits at once rather than
    waiting out each stalled server's deadline.
    """
    import queue
    import threading

    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(feeds)):
        todo.put(index)
    done: queue.SimpleQueue[tuple[int, FetchResult | Exception]] = queue.SimpleQueue()

    def work() -> None:
        while True:
            try:
                index = todo.get_nowait()
            except queue.Empty:
                return
            feed = feeds[index]
            try:
                done.put((index, fetch(feed.url, etag=feed.etag, modified=feed.modified)))
            except Exception as error:  # handed to the caller, who reports it with its feed
                done.put((index, error))

    for _ in range(max(1, min(workers, len(feeds)))):
        threading.Thread(target=work, name="reader-refresh", daemon=True).start()
    for _ in feeds:
        yield done.get()


def refresh_feeds(
    store: Store,
    progress: Progress | None = None,
    *,
    workers: int = REFRESH_WORKERS,
    urls: Collection[str] | None = None,
) -> RefreshReport:
    """Fetch every subscribed feed (or those at `urls`), conditionally, and import entries
    not seen before.

    Up to `workers` feeds are fetched at once, each within its own deadline (see
    reader.ingest.fetch); parsing and saving stay on this thread, each feed as soon as it
    arrives. Results and new articles are reported in subscription order, whatever
    order they arrived in. A failing feed is recorded in its result and on the feed
    (`Feed.last_error`, cleared by its next good refresh) and does not stop the others.
    """
    feeds = store.list_feeds()
    if urls is not None:
        feeds = [feed for feed in feeds if feed.url in urls]
    known = KnownArticles(store.article_identities)  # one read for every feed's new entries
    outcomes: dict[int, FeedResult] = {}
    parts = [RefreshReport() for _ in feeds]
    for done, (index, fetched) in enumerate(_fetch_feeds(feeds, workers), start=1):
        feed = feeds[index]
        try:
            if isinstance(fetched, Exception):
                raise fetched
            outcome = _refresh_one(store, feed, parts[index], fetched, known)
        except ReaderError as error:
            outcome = FeedResult(url=feed.url, title=feed.title, error=str(error))
        except Exception as error:  # one broken feed must not stop the rest
            outcome = FeedResult(
                url=feed.url, title=feed.title, error=f"Could not refresh {feed.url}: {error}."
            )
        if outcome.error:
            _record_error(store, feed.url, outcome.error)
        outcomes[index] = outcome
        if progress is not None:
            progress(done, len(feeds), feed.url)
    report = RefreshReport()
    for index, part in enumerate(parts):
        report.results.append(outcomes[index])
        report.new_articles.extend(part.new_articles)
    return report


# ----------------------------------------------------------- removing and archiving

ID_PREFIX_MIN = 4
"""The shortest id prefix taken for an article id (`reader remove 1a2b`)."""


def resolve_articles(store: Store, given: Sequence[str]) -> list[ArticleSummary]:
    """The articles that ids (or unique prefixes of at least ID_PREFIX_MIN characters) name,
    in the order given, each once; a ReaderError in one sentence for an id that names none or
    several."""
    summaries = store.list_articles()
    by_id = {summary.id: summary for summary in summaries}
    found: dict[str, ArticleSummary] = {}
    for raw in given:
        wanted = raw.strip().lower()
        exact = by_id.get(wanted)
        if exact is not None:
            found.setdefault(exact.id, exact)
            continue
        matches = (
            [s for s in summaries if s.id.startswith(wanted)]
            if len(wanted) >= ID_PREFIX_MIN
            else []
        )
        if not matches:
            raise ReaderError(
                f"There is no article with id {raw} in the library "
                "('reader list --json' and 'reader search' show ids)."
            )
        if len(matches) > 1:
            listed = ", ".join(s.id for s in matches[:3])
            raise ReaderError(
                f"{raw} is the start of {len(matches)} article ids ({listed}); give more of it."
            )
        found.setdefault(matches[0].id, matches[0])
    return list(found.values())


def remove_articles(store: Store, article_ids: Sequence[str]) -> list[RemovedArticle]:
    """Take articles out of the library with their annotations, and out of the search index;
    what was removed, to put back with `restore_articles` (the caller keeps it)."""
    removed = store.remove_articles(article_ids)
    if removed:
        from reader.search.index import try_update_index

        try_update_index(store)
    return removed


def restore_articles(store: Store, removed: Sequence[RemovedArticle]) -> None:
    """Undo `remove_articles`: the articles, their state, bodies and annotations are back,
    and searchable again."""
    store.restore_articles(removed)
    if removed:
        from reader.search.index import try_update_index

        try_update_index(store)


def archive_articles(store: Store, article_ids: Sequence[str], archived: bool = True) -> list[str]:
    """Archive (or unarchive) articles: hidden from the library's default view, still
    searchable; the ids that were in the library."""
    return store.set_archived(article_ids, archived)


# --------------------------------------------------------------------- full text


@dataclass(slots=True)
class FullText:
    """What `fetch_full_text` did: the article with its new body, the words before and after,
    and how its highlights fared on the new text."""

    article: Article
    url: str
    """The address the page was read from (after redirects)."""
    old_words: int
    new_words: int
    moved: int = 0
    """Highlights and notes placed on the full text."""
    orphaned: int = 0
    """Highlights and notes that could not be placed: kept as orphans."""

    def sentence(self) -> str:
        """One sentence for the command line and the app."""
        said = f"Fetched the full article ({self.old_words} words before, {self.new_words} now)"
        placed = self.moved
        if placed or self.orphaned:
            said += f"; {_count(placed, 'highlight')} placed on the full text"
        if self.orphaned:
            said += (
                f", {_count(self.orphaned, 'highlight')} could not be placed and "
                f"{'is' if self.orphaned == 1 else 'are'} kept as "
                f"{'an orphan' if self.orphaned == 1 else 'orphans'}"
            )
        return said + "."


def _count(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def article_link(article: Article) -> str:
    """The web address an article's full text lives at: its page, else its entry's link; empty
    when it came from a file."""
    for candidate in (article.canonical_url, article.source, article.entry_id):
        if is_url(candidate):
            return candidate
    return ""


def fetch_full_text(store: Store, article_id: str) -> FullText:
    """Replace a feed entry's teaser with the article its link serves (through trafilatura,
    as `reader add URL` reads a page), keeping the id, reading state and feed; highlights are
    re-anchored to the new text (those that cannot be are kept as orphans).

    A ReaderError in one sentence, the teaser untouched, when the page cannot be fetched, is not
    a web page, or gives no more words than the teaser already has.
    """
    old = store.get_article(article_id)
    if old is None:
        raise ReaderError(f"There is no article with id {article_id} in the library.")
    url = article_link(old)
    if not url:
        raise ReaderError(f"'{old.title}' came from a file, so it has no web page to fetch.")
    result = fetch(url)
    kind = detect_kind(result.content, content_type=result.content_type, name=result.url)
    if kind != "html":
        shown = result.content_type.split(";")[0].strip() or kind
        raise ReaderError(f"{result.url} is not a web page (it serves {shown}).")
    parsed = parse_bytes(result.content, source=result.url, content_type=result.content_type)
    if not parsed:
        raise ReaderError(f"{result.url} has no article text.")
    page = clean_article(parsed[0])
    old_words, new_words = word_count(old), word_count(page)
    if new_words <= old_words:
        raise ReaderError(
            f"{result.url} gave {new_words} words of article text, no more than the "
            f"{old_words} already here, so the entry is kept as it was."
        )
    new = dataclasses.replace(
        old,
        blocks=page.blocks,
        author=old.author or page.author,
        published=old.published or page.published,
        canonical_url=old.canonical_url or page.canonical_url,
    )
    store.put_articles([new])
    report = FullText(new, result.url, old_words, new_words)
    if store.annotations_for(old.id):
        moved = reanchor_annotations(store, old, new)
        report.orphaned = sum(1 for annotation in moved if annotation.orphan)
        report.moved = len(moved) - report.orphaned
    from reader.search.index import try_update_index

    try_update_index(store)
    return report
