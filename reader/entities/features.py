"""Tokens and CRF features shared by the entity extractor and its training script.

The training script (`tools/ner_train.py`) and the run-time extractor must compute
exactly the same features, so both import them from here. Tokens follow ANERcorp's
convention: words keep their clitics, punctuation is split off.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reader.entities.wordlists import Gazetteers, shipped_gazetteers
from reader.text.arabic import (
    ARTICLE,
    ARTICLE_PROCLITICS,
    LAM_ARTICLE,
    NAME_PROCLITICS,
    PROCLITIC_LETTERS,
    fold_plain,
)

#: Numbers with decimal/thousands separators, words (letters, digits, marks, tatweel), or
#: one other non-space character.
_TOKEN_RE = re.compile(
    r"[0-9\u0660-\u0669\u06F0-\u06F9]+(?:[.,\u066B\u066C][0-9\u0660-\u0669\u06F0-\u06F9]+)*"
    r"|[^\W_]+(?:[\u064B-\u065F\u0670\u0640\w]|[-'’](?=\w))*"
    r"|[\u064B-\u065F\u0670]+"
    r"|\S",
)


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the text with its logical offsets."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Split `text` into word, number and punctuation tokens with their offsets."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


_SENTENCE_END = frozenset(".!?؟\n")


def sentences(text: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token index ranges of sentences: cut after . ! ? ؟ tokens and at line breaks."""
    out: list[tuple[int, int]] = []
    first = 0
    for index, token in enumerate(tokens):
        if index > first and "\n" in text[tokens[index - 1].end : token.start]:
            out.append((first, index))
            first = index
        if token.text in _SENTENCE_END:
            out.append((first, index + 1))
            first = index + 1
    if first < len(tokens):
        out.append((first, len(tokens)))
    return out


@functools.lru_cache(maxsize=1 << 16)
def stem_variants(folded: str) -> tuple[str, ...]:
    """Readings of a folded word without its proclitics; the definite article is kept.

    والسعوديه -> [السعوديه]; للامم -> [الامم]; بمايكروسوفت -> [مايكروسوفت]. A bare
    "ال" is never stripped: a name written without the article never takes it. Memoised:
    every step of the extractor asks it of the same words (a pure function, so a cache).
    """
    if not folded or folded[0] not in PROCLITIC_LETTERS:
        return ()
    out: list[str] = []
    for prefix in ARTICLE_PROCLITICS:
        if folded.startswith(prefix) and len(folded) - len(prefix) >= 2:
            out.append(ARTICLE + folded[len(prefix) :])
            break
    if folded.startswith(LAM_ARTICLE) and len(folded) > 4:
        out.append(ARTICLE + folded[2:])
    for clitic in NAME_PROCLITICS:
        if folded.startswith(clitic) and len(folded) - len(clitic) >= 3:
            out.append(folded[len(clitic) :])
    return tuple(out)


@functools.lru_cache(maxsize=1 << 16)
def base_form(folded: str) -> str:
    """A folded word without proclitics and article: the part names and nouns share."""
    variants = stem_variants(folded)
    stem = variants[0] if variants else folded
    if stem.startswith(ARTICLE) and len(stem) > 4:
        return stem[2:]
    return stem


def _fold_set(*groups: Sequence[str]) -> frozenset[str]:
    return frozenset(fold_plain(entry) for group in groups for entry in group)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Folded gazetteers: multiword entries by type, plus single-word cue sets."""

    entries: dict[tuple[str, ...], str]
    """Folded token tuple -> type: PERSON, ORG, LOC, MISC, or BODY (government bodies, which
    are a CRF cue but never override it)."""
    lengths: dict[str, tuple[int, ...]]
    """First folded token of an entry -> the entry lengths starting with it, longest first."""
    max_len: int
    given: frozenset[str]
    titles: frozenset[str]
    org_triggers: frozenset[str]
    currencies: frozenset[str]
    scales: frozenset[str]
    not_entities: frozenset[str]
    stopwords: frozenset[str]
    money_context: frozenset[str]
    cues: dict[str, tuple[str, ...]]
    """Folded word -> the names of the cue sets holding it (given, title, ...), for features."""
    lists: Gazetteers
    """The word lists this lexicon was folded from."""

    @classmethod
    def build(cls, lists: Gazetteers | None = None) -> Lexicon:
        """Fold the word lists (the shipped ones unless given) into lookup tables."""
        gz = shipped_gazetteers() if lists is None else lists
        entries: dict[tuple[str, ...], str] = {}
        # Lowest priority first: later groups overwrite an ambiguous entry.
        for group, kind in (
            (gz.media, "ORG"),
            (gz.sports_clubs, "ORG"),
            (gz.places_more, "LOC"),
            (gz.regions, "LOC"),
            (gz.cities, "LOC"),
            (gz.countries, "LOC"),
            (gz.misc_more, "MISC"),
            (gz.misc_names, "MISC"),
            (gz.orgs_more, "ORG"),
            (gz.government_bodies, "BODY"),
            (gz.international_bodies, "ORG"),
            (gz.companies, "ORG"),
            (gz.people, "PERSON"),
        ):
            for entry in group:
                key = tuple(fold_plain(t.text) for t in tokenize(entry))
                entries[key] = kind
        months = _fold_set(gz.gregorian_months, gz.hijri_months) | {
            fold_plain(m).split()[0] for m in gz.levantine_months
        }
        lengths: dict[str, set[int]] = {}
        for key in entries:
            lengths.setdefault(key[0], set()).add(len(key))
        given = _fold_set(gz.given_names)
        titles = frozenset(fold_plain(t).split()[-1] for t in gz.person_titles)
        org_triggers = _fold_set(gz.org_triggers)
        currencies = _fold_set(gz.currencies)
        return cls(
            entries=entries,
            lengths={k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
            max_len=max(len(key) for key in entries),
            given=given,
            titles=titles,
            org_triggers=org_triggers,
            currencies=currencies,
            scales=_fold_set(gz.scales),
            not_entities=_fold_set(gz.not_entities),
            stopwords=_fold_set(gz.stopwords),
            money_context=_fold_set(gz.money_context),
            cues=_cue_index(
                ("given", given),
                ("given_amb", _fold_set(gz.ambiguous_given)),
                ("surname", _single_words(gz.surnames)),
                ("surname_amb", _single_words(gz.ambiguous_surnames)),
                ("title", titles),
                ("orgtrig", org_triggers),
                ("loctrig", _fold_set(gz.loc_triggers)),
                ("say", _fold_set(gz.say_verbs)),
                ("month", months),
                ("link", _fold_set(gz.name_links)),
                ("currency", currencies),
                ("misctrig", _fold_set(gz.misc_triggers)),
            ),
            lists=gz,
        )

    def first_token_readings(self, folded: str) -> list[tuple[str, bool]]:
        """The word itself, then its clitic-free readings; flag says a clitic was removed."""
        return [(folded, False)] + [(v, True) for v in stem_variants(folded)]

    def match(self, folded: Sequence[str], index: int) -> tuple[int, str, bool] | None:
        """Longest gazetteer entry starting at `folded[index]`: (length, type, clitic?)."""
        best: tuple[int, str, bool] | None = None
        available = len(folded) - index
        for reading, clitic in self.first_token_readings(folded[index]):
            for length in self.lengths.get(reading, ()):
                if length > available or (best is not None and length <= best[0]):
                    continue
                kind = self.entries.get((reading, *folded[index + 1 : index + length]))
                if kind is not None:
                    best = (length, kind, clitic)
                    break
        return best


def gazetteer_tags(lexicon: Lexicon, folded: Sequence[str]) -> list[str]:
    """BIO tags from the longest gazetteer matches, e.g. B-LOC, I-LOC, O."""
    tags = ["O"] * len(folded)
    index = 0
    while index < len(folded):
        found = lexicon.match(folded, index)
        if found is None:
            index += 1
            continue
        length, kind, _ = found
        tags[index] = "B-" + kind
        for k in range(index + 1, index + length):
            tags[k] = "I-" + kind
        index += length
    return tags


def _shape(word: str) -> str:
    """Coarse script/shape class of a token."""
    if word.isdigit():
        return "digit"
    if any(c.isdigit() for c in word):
        return "alnum"
    if word.isascii() and word.isalpha():
        if word.isupper():
            return "LATIN_UPPER"
        if word[0].isupper():
            return "Latin_cap"
        return "latin_lower" if word.islower() else "laTin_mixed"
    if all(not c.isalnum() for c in word):
        return "punct"
    return "arabic"


def _single_words(group: Sequence[str]) -> frozenset[str]:
    """The one-word entries of a list, folded (a per-word cue cannot use the others)."""
    return frozenset(f for f in (fold_plain(entry) for entry in group) if " " not in f)


def _cue_index(*groups: tuple[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for name, words in groups:
        for word in words:
            index.setdefault(word, []).append(name)
    return {word: tuple(names) for word, names in index.items()}


def _word_cues(lexicon: Lexicon, folded: str, variants: Sequence[str]) -> list[str]:
    """Cue sets holding a folded word ("given"), or only its clitic-free stem ("given~")."""
    cues = lexicon.cues
    exact = cues.get(folded, ())
    out = list(exact)
    for reading in (*variants, base_form(folded)):
        for name in cues.get(reading, ()):
            if name not in exact and name + "~" not in out:
                out.append(name + "~")
    return out


_OFFSETS = (-2, -1, 1, 2)


@dataclass(frozen=True, slots=True)
class _WordFeatures:
    """The features a word brings by itself, and as each neighbour of another word."""

    own: list[str]
    around: dict[int, list[str]]


def _word_features(lexicon: Lexicon, word: str, folded: str) -> _WordFeatures:
    stem = base_form(folded)
    cues = _word_cues(lexicon, folded, stem_variants(folded))
    shape = _shape(word)
    own = [
        "bias",
        "w=" + folded,
        "stem=" + stem,
        "shape=" + shape,
        "len=" + str(min(len(folded), 8)),
    ]
    for k in (1, 2, 3, 4):
        if len(folded) > k:
            own.append(f"s{k}=" + folded[-k:])
        if len(stem) > k:
            own.append(f"p{k}=" + stem[:k])
    if folded.startswith(ARTICLE):
        own.append("al")
    own.extend("cue=" + c for c in cues)
    around: dict[int, list[str]] = {}
    for offset in _OFFSETS:
        feats = [f"w{offset}=" + folded, f"shape{offset}=" + shape]
        feats.extend(f"cue{offset}=" + c for c in cues)
        feats.append(f"stem{offset}=" + stem)
        if offset in (-1, 1):
            feats.append(f"s2{offset}=" + folded[-2:])
        around[offset] = feats
    return _WordFeatures(own, around)


def sentence_features(
    lexicon: Lexicon,
    words: Sequence[str],
    folded: Sequence[str] | None = None,
    gaz: Sequence[str] | None = None,
    cache: dict[str, _WordFeatures] | None = None,
) -> list[list[str]]:
    """CRF features (as 'name=value' strings) for every word of one sentence.

    `folded` and `gaz` (the words folded, their gazetteer tags) may be passed when the
    caller has them already; `cache` (a dict the caller keeps for one article) saves
    recomputing a repeated word's own features.
    """
    if folded is None:
        folded = [fold_plain(w) for w in words]
    if gaz is None:
        gaz = gazetteer_tags(lexicon, folded)
    if cache is None:
        cache = {}
    infos: list[_WordFeatures] = []
    for word, f in zip(words, folded, strict=True):
        info = cache.get(word)
        if info is None:
            info = cache[word] = _word_features(lexicon, word, f)
        infos.append(info)
    n = len(words)
    out: list[list[str]] = []
    for i in range(n):
        f = folded[i]
        feats = [*infos[i].own, "gaz=" + gaz[i]]
        for offset in _OFFSETS:
            j = i + offset
            if 0 <= j < n:
                feats.extend(infos[j].around[offset])
                feats.append(f"gaz{offset}=" + gaz[j])
            else:
                feats.append(f"w{offset}=<pad>")
        if i > 0:
            feats.append("bi-1=" + folded[i - 1] + "|" + f)
        if i + 1 < n:
            feats.append("bi+1=" + f + "|" + folded[i + 1])
        out.append(feats)
    return out


def feature_signature(lexicon: Lexicon) -> str:
    """A hash of everything the CRF features depend on: this module, the proclitic tables
    (`reader.text.arabic`) and the word lists.

    The word lists are hashed as data (every list's entries), and as folded into the
    lexicon (which also changes when folding does). Stored beside the model when it is
    trained; a mismatch means the model must be rebuilt (`python tools/ner_train.py`).
    """
    digest = hashlib.sha256(Path(__file__).read_bytes())
    proclitics = (PROCLITIC_LETTERS, ARTICLE, LAM_ARTICLE, ARTICLE_PROCLITICS, NAME_PROCLITICS)
    digest.update(repr(proclitics).encode("utf-8"))
    digest.update(lexicon.lists.digest().encode("ascii"))
    for part in (sorted(lexicon.entries.items()), sorted(lexicon.cues.items())):
        digest.update(repr(part).encode("utf-8"))
    return digest.hexdigest()[:16]
