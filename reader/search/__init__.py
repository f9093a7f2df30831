"""Search across the library: an inverted index beside the database and the queries on it.

`search(store, query)` answers a query with ranked results (article, snippet, match
offsets); `update_index(store)` brings the index up to date with the store (the library
calls it after adding articles; a search calls it first, so changes made elsewhere count).
"""

from __future__ import annotations

from reader.search.index import INDEX_NAME, SearchIndex, update_index
from reader.search.query import Match, Query, SearchResult, parse_query, search

__all__ = [
    "INDEX_NAME",
    "Match",
    "Query",
    "SearchIndex",
    "SearchResult",
    "parse_query",
    "search",
    "update_index",
]
