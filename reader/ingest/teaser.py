"""Feed entries that are only teasers: which ones the app fetches the full article of when
they are opened, and which it has tried already.

Light on purpose (the article screen asks on every open); the fetching itself is
`reader.ingest.library.fetch_full_text`, the same for key F, the palette and
`reader fulltext ID`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reader.ingest.urls import original_link

if TYPE_CHECKING:
    from reader.models import Article
    from reader.store.database import Store

#: A feed entry with fewer words than this is taken for a teaser: the app fetches its full
#: article when it is opened (unless AUTO_FULL_TEXT_SETTING is false).
AUTO_FULL_TEXT_WORDS = 60
#: The setting that turns fetching on opening on (true, the default) or off (false).
AUTO_FULL_TEXT_SETTING = "fulltext.auto"
#: The setting that keeps the ids of the entries fetched on opening: each is tried once,
#: whatever came of it, so an offline failure is not tried again on every open (F still is).
FULL_TEXT_TRIED_SETTING = "fulltext.tried"
#: Ids kept in FULL_TEXT_TRIED_SETTING (the newest).
FULL_TEXT_TRIED_LIMIT = 2000


def word_count(article: Article) -> int:
    """Words in the article's body (runs of non-space)."""
    return sum(len(block.text.split()) for block in article.blocks)


def wants_full_text(article: Article) -> bool:
    """Whether `article` is a feed entry short enough to be a teaser (fewer than
    AUTO_FULL_TEXT_WORDS words) with a web page to fetch the rest from."""
    return (
        bool(article.feed_url)
        and word_count(article) < AUTO_FULL_TEXT_WORDS
        and bool(original_link(article.source, article.canonical_url, article.entry_id))
    )


def _valid(saved: Any) -> list[str]:
    return [item for item in saved if isinstance(item, str)] if isinstance(saved, list) else []


def _tried(store: Store) -> list[str]:
    return _valid(store.get_setting(FULL_TEXT_TRIED_SETTING, []))


def full_text_tried(store: Store, article_id: str) -> bool:
    """Whether the full article of `article_id` was fetched (or tried) on opening before."""
    return article_id in _tried(store)


def remember_full_text_try(store: Store, article_id: str) -> None:
    """Note that `article_id` was tried on opening (the newest FULL_TEXT_TRIED_LIMIT are kept)."""

    def add(saved: Any) -> list[str]:
        kept = _valid(saved)
        if article_id not in kept:
            kept.append(article_id)
        return kept[-FULL_TEXT_TRIED_LIMIT:]

    store.update_setting(FULL_TEXT_TRIED_SETTING, add, [])
