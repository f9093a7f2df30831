"""Queries on the search index: parse, look up, rank, and say where each match is.

A query is words and quoted phrases; an article matches when it holds every one of them,
each anywhere in its title, source, text, notes, tags or highlighted passages (a phrase's
words in order, within one block, note or tag). Words are folded as find folds them, and a
word also matches itself behind a proclitic (و ف ب ل ك, the article ال and their
combinations, the one table in `reader.text.arabic`): كتاب finds والكتاب and بكتاب, الأمم
finds للأمم; and proclitics that end in the article come off the query's words too
(`query_stem`): بالرياض finds الرياض and والرياض.

`search(store, query)` updates the index, then returns `SearchResult`s best first: the
article, a one-line snippet of logical text around the first match with the matches' spans
in it, every match's offsets in its field, and the offset in the article's text to open at.

`person:NAME`, `org:NAME` and `place:NAME` (NAME a word or a quoted phrase) ask for the
articles that mention such an entity, as the library's entity index
(`reader.entities.index`) knows it: an entity of that type whose name holds NAME's words as
whole words (person:ماسك finds إيلون ماسك). With words too, an article must hold both; its
mentions of the entity are matches like the words'. Without words, the articles that
mention the entity most come first.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from reader.search.index import WORD_RE, SearchError, SearchIndex
from reader.store.database import StoreError
from reader.text.arabic import (
    ARTICLE,
    CONJUNCTION_LAM_ARTICLE,
    LAM_ARTICLE,
    PROCLITICS,
    fold_lazily,
    fold_plain,
    is_mark,
    strip_article,
)

if TYPE_CHECKING:
    from reader.entities.extractor import Extractor
    from reader.entities.index import EntityIndex
    from reader.models import Annotation, Article
    from reader.store.database import Store

Field = Literal["title", "source", "text", "note", "tag", "highlight"]

#: Ranking weight of each indexed column (title, source, body, notes, tags, highlights) for
#: FTS5's bm25: a word in a title, a note, a tag or a highlighted passage counts for more.
WEIGHTS = (4.0, 1.0, 1.0, 2.0, 2.0, 2.0)
#: How each place a match can be in is named to the reader.
PLACES: dict[Field, str] = {
    "title": "in the title",
    "source": "in the source",
    "text": "in the text",
    "highlight": "in a highlight",
    "note": "in a note",
    "tag": "in a tag",
}
#: Characters of text a snippet shows (about two lines).
SNIPPET_CHARS = 160
#: Characters of a snippet before its first match.
SNIPPET_LEAD = 50
#: Characters of an article's text folded first when looking for its first match (then up
#: to the next newline, doubled until a match and the snippet after it are in).
LEADING_CHARS = 2048
ELLIPSIS = "…"
#: Letters a query word keeps when its proclitics and article come off (`query_stem`).
QUERY_STEM_MIN = 3

#: Entity prefixes of a query and the entity type each asks for.
ENTITY_PREFIXES = {"person": "PERSON", "org": "ORG", "place": "LOC"}

_QUOTES = '"“”«»'
_PART_RE = re.compile(f"[{_QUOTES}]([^{_QUOTES}]*)(?:[{_QUOTES}]|$)|([^\\s{_QUOTES}]+)")
_ENTITY_RE = re.compile(
    f"(?<!\\S)({'|'.join(ENTITY_PREFIXES)}):"
    f"(?:[{_QUOTES}]([^{_QUOTES}]*)(?:[{_QUOTES}]|$)|([^\\s{_QUOTES}]+))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Term:
    """One thing an article must hold: a word, or a phrase of several words in order."""

    words: tuple[str, ...]
    """Folded words."""


@dataclass(frozen=True, slots=True)
class EntityTerm:
    """`person:NAME`, `org:NAME` or `place:NAME`: the article mentions such an entity."""

    type: str
    """PERSON, ORG or LOC."""
    name: str
    """The name as typed."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every term must match."""

    terms: tuple[Term, ...]
    entities: tuple[EntityTerm, ...] = ()

    @property
    def empty(self) -> bool:
        """True when there is nothing to search for."""
        return not self.terms and not self.entities


@dataclass(frozen=True, slots=True)
class Match:
    """Where one match is: `start`/`end` index the field's text (the article's title, source
    or `Article.text`, or an annotation's note, its tags joined by newlines, or the quote of
    an orphan highlight, whose text is no longer in the article)."""

    field: Field
    start: int
    end: int
    annotation_id: str = ""
    """The annotation whose note, tags or quote matched; for a match in the text, the
    highlight it falls in (if any)."""

    @property
    def place(self) -> Field:
        """Where the match is for the reader: a match in the text inside a highlight is in
        the highlight."""
        return "highlight" if self.field == "text" and self.annotation_id else self.field


@dataclass(slots=True)
class SearchResult:
    """One article that matches, with what to show and where to open it."""

    article_id: str
    title: str
    source: str
    score: float
    """Higher is better (FTS5's bm25 with titles weighted most, negated)."""
    snippet: str
    """One line of logical text around the first match (ends cut show "…")."""
    snippet_field: Field
    snippet_matches: list[tuple[int, int]]
    """The matches' spans in `snippet`."""
    snippet_annotation: str = ""
    """The annotation whose note, tags or quote the snippet shows, or the highlight its first
    match in the text falls in; empty for none."""
    position: int = 0
    """Offset in `Article.text` to open at: the first match in the text, else the start of the
    first annotation whose note, tags or quote matched, else 0."""
    archived: bool = False
    """The article is archived (hidden from the library's default view, still found here)."""
    title_matches: list[tuple[int, int]] = field(default_factory=list)
    """The matches' spans in `title`."""
    found: list[Match] | None = field(default=None, repr=False)
    """Every match, once found (see `matches`)."""
    find_all: Callable[[], list[Match]] | None = field(default=None, repr=False, compare=False)
    """Finds every match when `matches` is first asked for."""

    @property
    def matches(self) -> list[Match]:
        """Every match in the article's text, title and source and in its annotations' notes,
        tags and orphans' quotes. Found when first asked for (`reader search --json` asks, a
        list of results shows only the snippet and the title): a long article is folded whole
        only then."""
        if self.found is None:
            self.found = self.find_all() if self.find_all is not None else []
        return self.found

    @property
    def where(self) -> Field:
        """Where the snippet's match is: `text`, `highlight` (a passage of the text that is
        highlighted, or an orphan's quote), `note`, `tag`, `title` or `source`."""
        if self.snippet_field == "text" and self.snippet_annotation:
            return "highlight"
        return self.snippet_field

    @property
    def in_notes(self) -> bool:
        """True when the hit shown is in the reader's own notes (a note, a tag or a
        highlight), not only in the article."""
        return self.where in ("note", "tag", "highlight")


def parse_query(text: str) -> Query:
    """Words and quoted phrases ("..." or «...» or “...”); a word that folds to several words
    (U.S, co-op) is a phrase of them. An unclosed quote runs to the end. `person:`, `org:`
    and `place:` before a word or a quoted phrase make an entity term."""
    entities: list[EntityTerm] = []
    for found in _ENTITY_RE.finditer(text):
        name = " ".join((found.group(2) if found.group(3) is None else found.group(3)).split())
        entity = EntityTerm(ENTITY_PREFIXES[found.group(1).lower()], name)
        if WORD_RE.search(fold_plain(name)) and entity not in entities:
            entities.append(entity)
    text = _ENTITY_RE.sub(" ", text)
    terms: list[Term] = []
    for found in _PART_RE.finditer(text):
        quoted, bare = found.group(1), found.group(2)
        words = tuple(WORD_RE.findall(fold_plain(quoted if bare is None else bare)))
        if words and Term(words) not in terms:
            terms.append(Term(words))
    return Query(tuple(terms), tuple(entities))


def query_stem(word: str) -> str:
    """A folded query word without the proclitics that end in the article (بالرياض ->
    رياض, للأمم -> أمم, الوزير -> وزير), when at least QUERY_STEM_MIN letters are left (الله
    keeps its ال). A lone و ف ب ل ك is left on: it is as often the word's own first letter
    (فكرة is not ف + كرة, لجنة is not ل + جنة), and only the article makes the split sure."""
    stem = strip_article(word)
    return stem if len(stem) >= QUERY_STEM_MIN else word


def forms(word: str) -> tuple[str, ...]:
    """The folded words that `word` matches: its stem (`query_stem`) and the stem behind each
    proclitic, so proclitics come off both sides: بالرياض finds الرياض and والرياض, وزير
    finds الوزير, الأمم finds للأمم."""
    stem = query_stem(word)
    found = [word, stem, *(clitic + stem for clitic in PROCLITICS)]
    if stem.startswith(ARTICLE) and len(stem) > len(ARTICLE) + 1:
        bare = stem[len(ARTICLE) :]  # ل and the article make لل: الله finds لله
        found.extend(lam + bare for lam in (LAM_ARTICLE, *CONJUNCTION_LAM_ARTICLE))
    return tuple(dict.fromkeys(fold_plain(form) for form in found))


def _word_patterns(term: Term) -> list[str]:
    """Regular expressions for a term's words in folded text: the first word in any of its
    forms, the words after it of a phrase as they are (a proclitic belongs to the phrase's
    front: «وزارة الصحة» finds بوزارة الصحة, not وزارة والصحة)."""
    first, *rest = term.words
    return [
        "(?:" + "|".join(re.escape(form) for form in forms(first)) + ")",
        *(re.escape(word) for word in rest),
    ]


def _fts_query(query: Query) -> str:
    """The FTS5 query: every term (AND); a word as any of its forms, a phrase as an FTS5
    phrase behind each form of its first word (FTS5 phrases are exact token sequences)."""
    groups = []
    for term in query.terms:
        tail = "".join(" " + word for word in term.words[1:])
        groups.append("(" + " OR ".join(f'"{form}{tail}"' for form in forms(term.words[0])) + ")")
    return " AND ".join(groups)


def _phrase_re(term: Term) -> re.Pattern[str]:
    """A phrase in an indexed column (folded words, a space between words of one line): FTS5
    phrases run across the newlines between blocks, notes and tags, this does not."""
    return re.compile("(?<![^ \n])" + " ".join(_word_patterns(term)) + "(?![^ \n])")


class _Matcher:
    """Finds a query's matches in a field's text: one regular expression over the folded
    text (each term's words in their forms, a phrase's words apart only by what is not a
    letter or digit, within one line), its hits mapped back to the logical text."""

    def __init__(self, query: Query) -> None:
        terms = []
        for term in query.terms:
            terms.append("(?:[^\\w\\n]|_)+".join(_word_patterns(term)))
        self.pattern = re.compile("(?<![^\\W_])(?:" + "|".join(terms) + ")(?![^\\W_])")

    def spans(self, text: str) -> list[tuple[int, int]]:
        if not text:
            return []
        # The map back to logical offsets is built from the dropped marks alone, and only
        # looked at for the hits: a result's every field is asked, few hold a match.
        folded, original = fold_lazily(text)
        found: list[tuple[int, int]] = []
        for hit in self.pattern.finditer(folded):
            start = original(hit.start())
            end = original(hit.end() - 1) + 1
            while end < len(text) and is_mark(text[end]):
                end += 1
            found.append((start, end))
        return found

    def leading_spans(self, text: str, reach: int) -> list[tuple[int, int]]:
        """The matches in `text` from its start to at least `reach` characters past the first
        one (what a snippet shows), folding only whole blocks as far as that takes: no match
        runs across a newline, so the blocks before one hold exactly the matches they hold in
        the whole text."""
        size = LEADING_CHARS
        while True:
            cut = text.find("\n", size)
            if cut < 0:
                return self.spans(text)
            found = self.spans(text[:cut])
            if found and cut >= found[0][0] + reach:
                return found
            size = max(cut + 1, size * 2)


def text_matches(text: str, query: Query | str) -> list[tuple[int, int]]:
    """Every match of `query`'s terms in `text` (logical offsets, in order), as a search
    finds them: what the app marks in an article opened from a search result."""
    if isinstance(query, str):
        query = parse_query(query)
    return _Matcher(query).spans(text) if query.terms else []


def _snippet(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """A line of `text` around `spans[0]`, cut at spaces, with the spans that fall in it."""
    first_start = spans[0][0]
    start = max(0, first_start - SNIPPET_LEAD)
    if start > 0:
        space = text.find(" ", start, first_start)
        start = space + 1 if space >= 0 else start
    end = min(len(text), max(start + SNIPPET_CHARS, spans[0][1]))
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    lead = ELLIPSIS if start > 0 else ""
    shown = lead + text[start:end].replace("\n", " ")
    inside = [
        (s - start + len(lead), e - start + len(lead)) for s, e in spans if s >= start and e <= end
    ]
    if end < len(text):
        shown += ELLIPSIS
    return shown, inside


def _highlight_at(anchored: list[Annotation], start: int, end: int) -> str:
    """The id of the first highlight (in reading order) that the span overlaps, or ""."""
    for annotation in anchored:
        if annotation.start < end and start < annotation.end:
            return annotation.id
    return ""


def _source_key(match: Match) -> tuple[Field, str]:
    """Which text a match indexes: the article's fields are one each, notes, tags and
    quotes one per annotation."""
    return (match.field, "" if match.field in ("text", "title", "source") else match.annotation_id)


def _result(
    article: Article,
    annotations: list[Annotation],
    matcher: _Matcher | None,
    score: float,
    mentions: list[tuple[int, int]] | None = None,
) -> SearchResult:
    """The result for one article: snippet and position from the first match in the text
    (found folding as few blocks as that takes), every match left for `matches` to find; an
    article matched only in its notes, title or source is looked at whole at once."""
    anchored = sorted((a for a in annotations if not a.orphan), key=lambda a: (a.start, a.end))
    if matcher is None or mentions is not None:
        # Entity prefixes: their mentions join the text's matches; looked at whole.
        in_text = set(matcher.spans(article.text) if matcher is not None else [])
        in_text |= {(s, e) for s, e in mentions or [] if e <= len(article.text)}
        return _whole_result(article, annotations, anchored, matcher, score, sorted(in_text))
    leading = matcher.leading_spans(article.text, SNIPPET_CHARS)
    if not leading:
        return _whole_result(article, annotations, anchored, matcher, score, [])
    start, end = leading[0]
    snippet, snippet_matches = _snippet(article.text, leading)
    return SearchResult(
        article_id=article.id,
        title=article.title,
        source=article.source,
        score=score,
        snippet=snippet,
        snippet_field="text",
        snippet_matches=snippet_matches,
        snippet_annotation=_highlight_at(anchored, start, end),
        position=start,
        archived=article.archived,
        title_matches=matcher.spans(article.title),
        find_all=lambda: _every_match(article, annotations, anchored, matcher, None),
    )


def _every_match(
    article: Article,
    annotations: list[Annotation],
    anchored: list[Annotation],
    matcher: _Matcher | None,
    text_spans: list[tuple[int, int]] | None,
    texts: dict[tuple[Field, str], str] | None = None,
) -> list[Match]:
    """Every match in the article and its annotations, in order: the text (`text_spans` when
    they are known already), title, source, then each annotation's note, tags and orphan
    quote. `texts` collects each matched field's text by `_source_key`."""
    if texts is None:
        texts = {}
    if text_spans is None:
        text_spans = matcher.spans(article.text) if matcher is not None else []
    matches = [Match("text", s, e, _highlight_at(anchored, s, e)) for s, e in text_spans]
    texts[("text", "")] = article.text
    fields: tuple[tuple[Field, str], ...] = (("title", article.title), ("source", article.source))
    for name, text in fields:
        texts[(name, "")] = text
        if matcher is not None:
            matches.extend(Match(name, s, e) for s, e in matcher.spans(text))
    for annotation in annotations:
        tags = "\n".join(annotation.tags)
        places: list[tuple[Field, str]] = [("note", annotation.note), ("tag", tags)]
        if annotation.orphan:  # its quote is no longer in the text: searched on its own
            places.append(("highlight", annotation.quote))
        for name, text in places:
            texts[(name, annotation.id)] = text
            if matcher is not None:
                matches.extend(Match(name, s, e, annotation.id) for s, e in matcher.spans(text))
    return matches


def _whole_result(
    article: Article,
    annotations: list[Annotation],
    anchored: list[Annotation],
    matcher: _Matcher | None,
    score: float,
    text_spans: list[tuple[int, int]] | None,
) -> SearchResult:
    texts: dict[tuple[Field, str], str] = {}
    matches = _every_match(article, annotations, anchored, matcher, text_spans, texts)
    by_id = {a.id: a for a in annotations}
    first_text = next((m for m in matches if m.field == "text"), None)
    first_note = next((m for m in matches if m.field in ("note", "tag", "highlight")), None)
    position = 0
    if first_text is not None:
        position = first_text.start
    elif first_note is not None:
        position = min(by_id[first_note.annotation_id].start, len(article.text))
    shown = first_text or first_note or (matches[0] if matches else None)
    snippet = ""
    snippet_matches: list[tuple[int, int]] = []
    snippet_field: Field = "text"
    snippet_annotation = ""
    if shown is not None:
        snippet_field = shown.field
        snippet_annotation = shown.annotation_id
        key = _source_key(shown)
        spans = [
            (m.start, m.end) for m in matches if _source_key(m) == key and m.start >= shown.start
        ]
        snippet, snippet_matches = _snippet(texts[key], spans)
    elif article.text:
        snippet, _ = _snippet(article.text, [(0, 0)])
    return SearchResult(
        article_id=article.id,
        title=article.title,
        source=article.source,
        score=score,
        snippet=snippet,
        snippet_field=snippet_field,
        snippet_matches=snippet_matches,
        snippet_annotation=snippet_annotation,
        position=position,
        archived=article.archived,
        title_matches=[(m.start, m.end) for m in matches if m.field == "title"],
        found=matches,
    )


def _candidates(
    index: SearchIndex, query: Query, limit: int, allowed: Collection[str] | None = None
) -> list[tuple[str, float]]:
    """(article id, score) of the best `limit` articles holding every term (and among
    `allowed` when given), best first."""
    phrases = [(term, _phrase_re(term)) for term in query.terms if len(term.words) > 1]
    sql = (
        "SELECT a.id, -bm25(docs, ?, ?, ?, ?, ?, ?) AS score, docs.title, docs.source, "
        "docs.body, docs.notes, docs.tags, docs.highlights FROM docs "
        "JOIN articles a ON a.rowid = docs.rowid "
        "WHERE docs MATCH ? ORDER BY bm25(docs, ?, ?, ?, ?, ?, ?)"
    )
    if not phrases:
        sql = sql.replace(
            ", docs.title, docs.source, docs.body, docs.notes, docs.tags, docs.highlights", ""
        )
        if allowed is None:
            sql += f" LIMIT {int(limit)}"
    found: list[tuple[str, float]] = []
    rows = index.connection.execute(sql, (*WEIGHTS, _fts_query(query), *WEIGHTS))
    for row in rows:
        if allowed is not None and row[0] not in allowed:
            continue
        if phrases and not all(
            any(pattern.search(column) for column in row[2:]) for _term, pattern in phrases
        ):
            continue
        found.append((row[0], row[1]))
        if len(found) >= limit:
            break
    rows.close()
    return found


def search_index(
    index: SearchIndex,
    query: Query | str,
    limit: int = 20,
    entity_index: EntityIndex | None = None,
) -> list[SearchResult]:
    """The best `limit` matches of `query` in an open, up-to-date index, best first."""
    if isinstance(query, str):
        query = parse_query(query)
    if query.empty:
        raise SearchError("Nothing to search for: the query has no letters or digits.")
    mentions: dict[str, list[tuple[int, int]]] | None = None
    if query.entities:
        mentions = entity_mentions(index.store, query.entities, entity_index)
    matcher = _Matcher(query) if query.terms else None
    if query.terms:
        candidates = _candidates(index, query, limit, mentions)
    else:
        assert mentions is not None
        ranked = sorted(mentions.items(), key=lambda item: (-len(item[1]), item[0]))
        candidates = [(key, float(len(spans))) for key, spans in ranked[:limit]]
    results: list[SearchResult] = []
    for article_id, score in candidates:
        try:
            article = index.store.get_article(article_id)
        except StoreError:
            continue
        if article is not None:
            found = None if mentions is None else mentions.get(article_id, [])
            annotations = index.store.annotations_for(article_id)
            results.append(_result(article, annotations, matcher, score, found))
    return results


def entity_mentions(
    store: Store, entities: Sequence[EntityTerm], index: EntityIndex | None = None
) -> dict[str, list[tuple[int, int]]]:
    """Per article mentioning every one of `entities` (as the entity index beside `store`,
    or `index`, has them now), the mentions of them, in reading order."""
    from reader.entities.index import EntityIndex

    found: dict[str, list[tuple[int, int]]] | None = None
    with contextlib.nullcontext(index) if index else EntityIndex.open(store) as index:
        for term in entities:
            keys = [e.key for e in index.matching(term.type, term.name)]
            these = index.mentions(keys)
            if found is None:
                found = these
            else:
                found = {k: sorted(found[k] + these[k]) for k in found.keys() & these.keys()}
    return found or {}


def search(
    store: Store, query: Query | str, limit: int = 20, extractor: Extractor | None = None
) -> list[SearchResult]:
    """The articles of `store` that match `query`, best first (at most `limit`): the index
    beside the store is brought up to date first, so changes from any process count. A query
    naming entities brings the entity index up to date too, with `extractor` (default: the
    shipped model, loaded only if an article needs extracting)."""
    if isinstance(query, str):
        query = parse_query(query)
    with contextlib.ExitStack() as stack:
        entity_index = None
        if query.entities:
            from reader.entities.index import EntityIndex

            entity_index = stack.enter_context(EntityIndex.open(store, extractor))
            entity_index.update()
        index = stack.enter_context(SearchIndex.open(store))
        index.update()
        return search_index(index, query, limit, entity_index)
