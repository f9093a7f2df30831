"""Who and what an article mentions: people, organisations, places, money, dates.

The neural tagger (`tools/tagger_train.py`, a BiLSTM-CRF run in numpy by
`reader.entities.tagger`) tags the article's sentences: on ANERcorp's held-out tenth it scores
0.781 alone and 0.784 with the word lists over it, against the CRF's 0.750 and the CRF
extractor's 0.736 (`benchmarks/bench_entities.py`). The CRF (`tools/ner_train.py`) tags
instead when the tagger's files are absent or when asked for (`tagger_folder=None`). Word
lists and context rules add what the 2007 corpus cannot know (Latin-script companies, recent
names); regular expressions find money, dates and percentages. Then every name found once is
found everywhere in the article, mentions of one entity are grouped (إيلون ماسك, ماسك and a
misspelt مسك), proclitics stay out of mention spans, and the reader's corrections are applied.
Offsets are logical indices into the text given.
"""

from __future__ import annotations

import re
import struct
import threading
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
import pycrfsuite

from reader.entities.features import (
    Lexicon,
    Token,
    _word_features,
    _WordFeatures,
    gazetteer_tags,
    sentence_features,
    sentences,
    stem_variants,
    tokenize,
)
from reader.entities.tagger import WEIGHTS_FILE, NeuralTagger
from reader.entities.wordlists import Gazetteers
from reader.errors import ReaderError
from reader.models import EntityCorrection
from reader.text.arabic import (
    ARTICLE,
    ARTICLE_PROCLITICS,
    LAM_ARTICLE,
    NAME_PROCLITICS,
    PROCLITIC_LETTERS,
    find_all,
    fold,
    fold_plain,
    is_mark,
)

DATA_FOLDER = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA_FOLDER / "ner.crfsuite"


ENTITY_TYPES = ("PERSON", "ORG", "LOC", "MONEY", "DATE", "MISC")
#: ANERcorp's labels and ours.
_FROM_CORPUS = {"PERS": "PERSON", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}
_TO_CORPUS = {"PERSON": "PERS", "ORG": "ORG", "LOC": "LOC", "MISC": "MISC"}


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention: logical offsets into the text and the text between them."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Entity:
    """An entity with its canonical name, type and every mention in the article."""

    name: str
    type: str
    mentions: list[Mention] = field(default_factory=list)


Span = tuple[int, int, str]
"""Token range [start, end) and a type, inside the extractor."""


def bio_spans(tags: Sequence[str]) -> list[Span]:
    """Entity spans (start, end, type) from BIO tags; a stray I- starts a span."""
    spans: list[Span] = []
    if tags.count("O") == len(tags):
        return spans  # most sentences, and most layers' passes over them
    start: int | None = None
    kind = ""
    for index, tag in enumerate(tags):
        if tag == "O":
            if start is not None:
                spans.append((start, index, kind))
                start = None
            continue
        if start is not None:
            if tag[2:] == kind and tag.startswith("I-"):
                continue
            spans.append((start, index, kind))
            start = None
        if tag.startswith(("B-", "I-")):
            start, kind = index, tag[2:]
    if start is not None:
        spans.append((start, len(tags), kind))
    return spans


def _write_span(tags: list[str], start: int, end: int, kind: str) -> None:
    tags[start] = "B-" + kind
    for index in range(start + 1, end):
        tags[index] = "I-" + kind


def _is_latin_name(word: str) -> bool:
    """A Latin-script word shaped like a brand: inner capitals (OpenAI, xAI) or an acronym.

    Plain capitalised words (Insulin, Healthy) are glosses as often as names in Arabic
    text, so they count only next to an organisation word or from the gazetteer.
    """
    core = word.strip("-'")
    if len(core) < 2 or not core.isascii() or not core[0].isalnum() or core.isdigit():
        return False
    if core.isupper():
        return 2 <= sum(c.isalpha() for c in core) <= 6
    return any(c.isupper() for c in core[1:]) and any(c.islower() for c in core)


def _is_capitalised(word: str) -> bool:
    core = word.strip("-'")
    return len(core) >= 2 and core.isascii() and core[0].isupper()


def _latin_stem(word: str) -> tuple[int, str]:
    """(clitic length, Latin part) for وSoftBank-style tokens; (0, word) otherwise."""
    for cut in (1, 2):
        if (
            len(word) > cut
            and all(c in PROCLITIC_LETTERS for c in word[:cut])
            and word[cut].isascii()
            and word[cut].isalnum()
        ):
            return cut, word[cut:]
    return 0, word


def _base(folded: str) -> str:
    """A folded word without its definite article, the key names are grouped by."""
    if folded.startswith(ARTICLE) and len(folded) > 4:
        return folded[2:]
    return folded


def _skeleton(folded: str) -> str:
    """The word without long vowels, so ماسك and a misspelt مسك compare equal."""
    return folded[0] + "".join(c for c in folded[1:] if c not in "اوي")


#: Words that make a lone capital letter a platform's name ("على X، شبكة التواصل").
_PLATFORM_CUES = frozenset({"شبكه", "منصه", "تطبيق", "موقع", "شبكة", "منصة"})

#: Words before a product's model (من طراز A350، رقاقة H20): what follows is not a company.
_MODEL_CUES = frozenset({"طراز", "طرازات", "موديل", "رقاقه", "رقائق", "طائره", "طائرات"})
#: The word for company, left out of the front of a company's name (شركة أرامكو).
_COMPANY_WORDS = frozenset({"شركه", "لشركه", "بشركه", "وشركه"})
#: Particles that never begin or end a name ("أعلنت شركة تسلا أن": not "تسلا أن"), as written
#: (harakat aside), not folded: folded, على is the name علي and أن is ان, the N of سي ان ان.
_EDGE_PARTICLES = frozenset(
    {"في", "على", "إلى", "الى", "عن", "مع", "أن", "إن", "أو", "او", "ثم", "لا", "لم", "لن"}
)
#: "that he/she" (إنه, أنها...): what follows says what the person is or does, not who
#: ("قال إنه سعيد", he said he was happy). In ANERcorp no entity follows one (375 of them).
_THAT_HE = frozenset({"إنه", "إنها", "أنه", "أنها", "انه", "انها"})

_LATIN_LETTER = re.compile("[A-Za-z]")


#: Facilities named after a king, prince or sheikh (مطار الملك سلمان الدولي, جامعة الملك
#: سعود): the name is the facility's, not the person's. Places, then organisations.
_FACILITY_PLACES = frozenset(
    {"مطار", "ميناء", "شارع", "ملعب", "استاد", "جسر", "مسجد", "قصر", "مدينه", "قاعده", "طريق"}
)
_FACILITY_ORGS = frozenset({"جامعه", "مستشفي", "مركز", "كليه"})
_FACILITIES = _FACILITY_PLACES | _FACILITY_ORGS
_ROYAL_TITLES = frozenset({"الملك", "الامير", "الاميره", "الشيخ", "الشيخه", "السلطان"})


def _name_after_facility(tags: list[str], folded: Sequence[str]) -> None:
    """A facility word, a royal title and a person's name is the facility's name: a place
    (مطار الملك سلمان الدولي) or an organisation (جامعة الملك سعود), with a nisba after it.
    The name may have been tagged as anything (the neural tagger: سلمان الدولي as an
    organisation)."""
    for start, end, _ in bio_spans(tags):
        first = start - 1 if start and folded[start - 1] in _ROYAL_TITLES else start
        if first == start and folded[start] not in _ROYAL_TITLES:
            continue
        if not first:
            continue
        word = folded[first - 1]
        if word[:1] in PROCLITIC_LETTERS and word[1:] in _FACILITIES:
            word = word[1:]  # لمطار، بجامعة
        if word not in _FACILITIES:
            continue
        bare = word
        last = end
        if last < len(folded) and _is_nisba(folded[last]) and tags[last] == "O":
            last += 1
        for index in range(first - 1, last):
            tags[index] = "O"
        _write_span(tags, first - 1, last, "LOC" if bare in _FACILITY_PLACES else "ORG")


def _bare(word: str) -> str:
    """`word` as written, without harakat and tatweel (not folded: على stays على)."""
    return "".join(c for c in word if not is_mark(c))


def _not_in_names(word: str) -> bool:
    """Punctuation, or a particle that never begins or ends a name."""
    return not any(c.isalnum() for c in word) or _bare(word) in _EDGE_PARTICLES


def _is_nisba(folded: str) -> bool:
    """An Arabic relative adjective with the article: الهولندية, التايواني, الأمريكيين."""
    return (
        folded.startswith(ARTICLE)
        and len(folded) > 5
        and folded.endswith(("يه", "ي", "يين", "يون"))
        and not _LATIN_LETTER.search(folded)
    )


_NUM = r"[0-9]+(?:[.,٫٬][0-9]+)*"
_LETTER = r"\u0621-\u064A"


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@dataclass(frozen=True, slots=True)
class _Patterns:
    """Compiled patterns for numbers, over folded text."""

    money_number: re.Pattern[str]
    money_vague: re.Pattern[str]
    bare_amount: re.Pattern[str]
    percent: re.Pattern[str]
    date: re.Pattern[str]
    year: re.Pattern[str]

    @classmethod
    def build(cls, lexicon: Lexicon) -> _Patterns:
        cur_words = [c for c in lexicon.currencies if c[0].isalpha()]
        cur_signs = [c for c in lexicon.currencies if not c[0].isalpha()]
        currency = f"(?:ال)?(?:{_alternation(cur_words)})(?![{_LETTER}])|{_alternation(cur_signs)}"
        scale = f"(?:{_alternation(list(lexicon.scales))})(?![{_LETTER}])"
        number = f"(?<![0-9.,٫٬]){_NUM}"
        months = _alternation(
            [fold_plain(m) for m in _month_names(lexicon.lists)],
        )
        return cls(
            money_number=re.compile(
                f"(?:(?:{_alternation(cur_signs)})\\s?{number}(?:\\s?{scale})?"
                f"|{number}\\s?(?:{scale}\\s?)?(?:{currency}))"
            ),
            money_vague=re.compile(
                f"(?<![{_LETTER}])[وفبل]?((?:{scale})\\s+(?:ال)?(?:{currency}))"
            ),
            bare_amount=re.compile(f"{number}\\s?{scale}"),
            percent=re.compile(f"{number}\\s?(?:[%٪]|(?:في|ب)\\s?ال(?:مئه|مائه)(?![{_LETTER}]))"),
            date=re.compile(
                f"(?:(?<![0-9])[0-9]{{1,2}}\\s+(?:من\\s+)?(?:{months})(?![{_LETTER}])"
                f"(?:\\s+(?:عام\\s+|سنه\\s+)?[0-9]{{4}}(?:\\s?[هم](?![{_LETTER}]))?)?"
                f"|(?<![{_LETTER}])(?:{months})\\s+(?:عام\\s+|سنه\\s+)?[0-9]{{4}}"
                f"(?:\\s?[هم](?![{_LETTER}]))?"
                f"|(?<![0-9/])[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}(?![0-9])"
                f"|(?<![0-9-])[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?![0-9]))"
            ),
            year=re.compile(
                f"(?<![{_LETTER}])[وف]?(?:(?:ال)?(?:عام|سنه|اعوام)|في|منذ|حتي|بحلول|قبل|بعد|خلال)"
                f"\\s+([0-9]{{4}}(?:\\s?[هم](?![{_LETTER}]))?)(?![0-9])"
                f"|(?<![0-9.,])([0-9]{{4}}\\s?[هم])(?![{_LETTER}0-9])"
            ),
        )


def _month_names(lists: Gazetteers) -> list[str]:
    return [*lists.gregorian_months, *lists.levantine_months, *lists.hijri_months]


def _valid_year(text: str) -> bool:
    digits = "".join(c for c in text if c.isdigit())[:4]
    if len(digits) != 4:
        return False
    value = int(digits)
    hijri = text.rstrip().endswith("ه")
    return 1300 <= value <= 1500 if hijri else 1800 <= value <= 2100


@dataclass(slots=True)
class _Found:
    """A mention in the making: character span, type, grouping key and display text."""

    start: int
    end: int
    type: str
    key: tuple[str, ...]
    display: str
    tokens: int = 1


@dataclass(frozen=True, slots=True)
class _Strip:
    """How a name's first word loses its proclitic: `fixed`, or the first of `if_known`
    whose stem the article knows as a name, else `other`."""

    fixed: tuple[int, str, str] | None
    if_known: tuple[tuple[str, tuple[int, str, str]], ...] = ()
    other: tuple[int, str, str] = (0, "", "")


@dataclass(slots=True)
class _Doc:
    """Per-article token data the article-level steps share."""

    tokens: Sequence[Token]
    folded: Sequence[str]
    firsts: list[tuple[int, str, str]]
    """Per token: (proclitic length, key word, display prefix) if it starts a name."""
    bases: list[str]
    """Per token: folded, without the definite article."""
    cuts: dict[int, int] = field(default_factory=dict)
    """Token index -> proclitic length decided by a later step, overriding `firsts`."""

    def key(self, start: int, end: int) -> tuple[str, ...]:
        """The grouping key of tokens [start, end)."""
        return (self.firsts[start][1], *self.bases[start + 1 : end])


def _split_people(doc: _Doc, spans: list[Span], names: frozenset[str]) -> list[Span]:
    """Split a PERSON span that is two people side by side ("اتهم ماسك ألتمان").

    A span splits when every word of it is, elsewhere in the article, the surname of a full
    name (not just a one-word mention: هيلاري alone and كلينتون alone do not make هيلاري
    كلينتون two people); and before a word starting with و whose rest is, elsewhere, a
    surname or a one-word person mention. A word starting with و before such a surname,
    whose rest is no known name (`names`) nor any person's first word, is left out: a verb
    opening the sentence ("وأشاد سلوت"), not a first name.
    """
    people = [(s, e) for s, e, k in spans if k == "PERSON"]
    singles: Counter[str] = Counter()
    surnames: Counter[str] = Counter()
    firsts = {doc.bases[s] for s, e in people if e - s > 1 and not doc.folded[s].startswith("و")}
    for start, end in people:
        singles[doc.bases[end - 1]] += 1
        if end - start > 1:
            surnames[doc.bases[end - 1]] += 1
    out: list[Span] = []
    for start, end, kind in spans:
        if kind != "PERSON" or end - start < 2:
            out.append((start, end, kind))
            continue
        words = doc.bases[start:end]
        own = Counter(words[-1:])
        opener = doc.folded[start]
        if (
            end - start == 2
            and opener.startswith("و")
            and opener[1:] not in names
            and _base(opener[1:]) not in firsts
            and surnames[words[-1]] - own[words[-1]] > 0
        ):
            out.append((start + 1, end, kind))
            continue
        if all(surnames[w] - own[w] > 0 for w in words):
            out.extend((i, i + 1, kind) for i in range(start, end))
            continue
        cut = start
        for index in range(start + 1, end):
            word = doc.folded[index]
            if word.startswith("و") and singles[_base(word[1:])] - own[_base(word[1:])] > 0:
                out.append((cut, index, kind))
                cut = index
        out.append((cut, end, kind))
    return out


def _found(doc: _Doc, span: Span) -> _Found:
    """A token span as a mention: proclitic left out, key and display text."""
    start, end, kind = span
    cut, first_key, restore = doc.firsts[start]
    if start in doc.cuts:
        cut = doc.cuts[start]
        first_key, restore = _base(doc.folded[start][cut:]), ""
    tokens = doc.tokens
    offset = _char_offset(tokens[start].text, cut)
    display = restore + " ".join(
        [_tidy(tokens[start].text[offset:])] + [_tidy(t.text) for t in tokens[start + 1 : end]]
    )
    key = (first_key, *doc.bases[start + 1 : end])
    return _Found(
        tokens[start].start + offset, tokens[end - 1].end, kind, key, display, end - start
    )


@dataclass(frozen=True, slots=True)
class Layers:
    """Which steps correct the model's tags in `tag_words` (all on for the CRF)."""

    gazetteer: bool = True
    """Known people and organisations from the word lists override the model."""
    gazetteer_latin_only: bool = False
    """...but only names in Latin script, which ANERcorp's model never saw, and the names of
    `arabic_lists`."""
    people: bool = True
    """...people in Arabic script included (off: the model's own people stand)."""
    latin: bool = True
    """Latin-script brand-shaped words become organisations."""
    junk: bool = True
    """Titles, stop words and punctuation alone are not entities."""
    arabic_lists: tuple[str, ...] = ()
    """With `gazetteer_latin_only`: the word lists (file names) whose Arabic-script names
    override the model all the same."""


#: The layers kept over the CRF: all of them. Measured (benchmarks/bench_entities.py --layers):
#: the word lists' Arabic-script organisations overriding the CRF cost 1.1 points of F1 on the
#: held-out part (0.750 -> 0.736 with every layer) and gain 1.1 on the development part; people
#: change nothing on either; the junk filter costs 0.4 on held-out. They stay: the seed article
#: needs تويتر from the company list, and titles alone must stay out of real articles.
CRF_LAYERS = Layers()

#: The layers kept over the neural tagger: those that cost on neither of two development parts
#: (taggers trained without them, two seeds each; benchmarks/bench_entities.py --layers with
#: --dev and --dev-tenth 2). The last tenth of the training part, the usual development part,
#: is the one the word lists cover best (58% of its people and organisations, against 39% over
#: the training part): there all the lists' Arabic-script names gain 1 point of F1, on tenth 2
#: (41%) they cost 0.5, as on new text. By list, the companies (+0.2 on both) and the sports
#: clubs (+0.6 to +1.2) gain on both, the international bodies and other organisations cost up
#: to 0.8 on tenth 2, the media 0.3 on the last tenth: companies and clubs win over the tagger
#: in Arabic script too (0.790 / 0.795 -> 0.801 / 0.806, mean of two seeds), every list in Latin
#: script, which the 2007 corpus never has. The junk filter gains 0.1-0.2; the Latin-script brand
#: rule costs one span on the last tenth but finds the seed article's X.
NEURAL_LAYERS = Layers(gazetteer_latin_only=True, arabic_lists=("companies", "sports_clubs"))


#: The CRF's share when its tag probabilities are mixed with the neural tagger's: none. Mixed at
#: 0.5 the development part gains 1 point (0.790 -> 0.800) but an 834-word article takes 35 ms
#: against 21 (a CRF marginal per tag and word), over the 30 ms allowed.
CRF_SHARE = 0.0


def model_attributes(path: Path) -> frozenset[str]:
    """Every attribute (feature string) a CRFsuite model has weights for, read from the
    model file's attribute dictionary (a CQDB chunk: a header, 256 hash tables, records of
    (id, key size, key) and an array from id to record). CRFsuite drops the attributes it
    does not know when a sequence is set, so leaving them out first tags the same."""
    data = path.read_bytes()
    magic, _, kind, _, *counts = struct.unpack_from("<4sI4sI8I", data, 0)
    if magic != b"lCRF" or kind != b"FOMC":
        raise ValueError(f"{path} is not a CRFsuite CRF1d model")
    count, at = counts[2], counts[5]  # num_attrs, off_attrs
    chunk, _, _, _, size, backward = struct.unpack_from("<4s5I", data, at)
    if chunk != b"CQDB" or size != count:
        raise ValueError(f"{path}: unexpected attribute dictionary")
    records = at + np.frombuffer(data, "<u4", size, at + backward).astype(np.int64)
    raw = np.frombuffer(data, np.uint8)
    sizes = raw[records + 4].astype(np.int64) | raw[records + 5].astype(np.int64) << 8
    sizes |= raw[records + 6].astype(np.int64) << 16 | raw[records + 7].astype(np.int64) << 24
    if size and bool(np.all(records[1:] == records[:-1] + 8 + sizes[:-1])):
        # Records follow each other (as CRFsuite writes them): drop each one's 8-byte
        # header and what is left is the keys, each ending with a NUL, decoded at once.
        keep = np.ones(int(records[-1] + 8 + sizes[-1] - records[0]), dtype=bool)
        keep[((records - records[0])[:, None] + np.arange(8)).ravel()] = False
        keys = raw[int(records[0]) : int(records[0]) + len(keep)][keep].tobytes()
        return frozenset(keys.decode("utf-8").split("\0")[:-1])
    return frozenset(
        data[int(r) + 8 : int(r) + 7 + int(n)].decode("utf-8")
        for r, n in zip(records, sizes, strict=True)
    )


#: Distinct words whose CRF features an Extractor keeps between articles (about 1 KB each).
WORD_CACHE_SIZE = 1 << 16


def _bio_transitions(tags: Sequence[str]) -> tuple[Any, Any, Any]:
    """(tag -> tag, start, end) scores allowing exactly the valid BIO sequences."""
    kinds = len(tags)
    trans = np.zeros((kinds, kinds), dtype=np.float32)
    start = np.zeros(kinds, dtype=np.float32)
    for j, tag in enumerate(tags):
        if tag.startswith("I-"):
            start[j] = -1e4
            for i, before in enumerate(tags):
                if before[2:] != tag[2:]:
                    trans[i, j] = -1e4
    return trans, start, np.zeros(kinds, dtype=np.float32)


class Extractor:
    """The loaded model and gazetteers.

    `extract` has no side effects and may be called from several threads (the app's Entities
    pane and its background indexer share one model): the CRF tagger and the word caches keep
    state during a call, so one extraction runs at a time. The lower-level tagging methods
    take no lock: call them from one thread at a time.
    """

    def __init__(
        self,
        tagger: pycrfsuite.Tagger,
        lexicon: Lexicon,
        neural: NeuralTagger | None = None,
        layers: Layers | None = None,
        crf_share: float = CRF_SHARE,
        attributes: frozenset[str] | None = None,
    ) -> None:
        self._tagger = tagger
        self._attributes = (
            {a: cast(str, a.encode("utf-8")) for a in attributes}
            if attributes is not None
            else None
        )
        """The CRF's attributes, each to its UTF-8 bytes (pycrfsuite takes bytes as they are
        and encodes every str on every call): the features it has no weight for are left out
        before tagging (`None`: all are passed, as str)."""
        self._word_cache: dict[str, _WordFeatures] = {}
        """Per distinct word, the features it brings (only those the CRF knows), kept across
        articles: most words of an article were in earlier ones."""
        self._strip_cache: dict[str, _Strip] = {}
        """Per distinct word, how a name starting with it loses its proclitic (`_strip`)."""
        self._skeleton_cache: dict[str, tuple[tuple[int, str], ...]] = {}
        """Per folded word, the (proclitic length, skeleton) readings `_misspelt` tries."""
        self._listed_cache: dict[tuple[str, ...], frozenset[tuple[str, ...]]] = {}
        """Per tuple of word-list names, their folded entries (`_listed_names`)."""
        self._neural = neural
        self.crf_share = crf_share
        """With the neural tagger: the CRF's share of the per-word tag probabilities the two
        models' tags are decoded from (0: the neural tagger alone)."""
        self._lexicon = lexicon
        self.layers = layers or (NEURAL_LAYERS if neural is not None else CRF_LAYERS)
        self._patterns = _Patterns.build(lexicon)
        self._known_first = frozenset(key[0] for key in lexicon.entries) | lexicon.given
        surnames = frozenset(w for w, cues in lexicon.cues.items() if "surname" in cues)
        self._whole_names = self._known_first | surnames
        """Words that are names as they stand, never a proclitic and a name."""
        self._extracting = threading.Lock()
        """Held by `extract` (see the class doc)."""

    @classmethod
    def load(
        cls,
        model_path: Path | None = None,
        lists: Gazetteers | None = None,
        tagger_folder: Path | None = DATA_FOLDER,
        layers: Layers | None = None,
    ) -> Extractor:
        """Load the models and fold the word lists (by default the shipped CRF and lists).

        `model_path` is the CRF's. The neural tagger is read from `tagger_folder` (the shipped
        one by default) when its weights are there, and tags (with the CRF's probabilities
        mixed in if `crf_share` is set); without them, or with `tagger_folder=None`, the CRF
        tags.
        """
        path = model_path or MODEL_PATH
        if not path.is_file():
            raise ReaderError(
                f"The entity model {path} is missing; reinstall reader, "
                "or rebuild it with 'python tools/ner_train.py'."
            )
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        lexicon = Lexicon.build(lists)
        neural = None
        if tagger_folder is not None and (tagger_folder / WEIGHTS_FILE).is_file():
            neural = NeuralTagger.load(tagger_folder, lexicon)
        return cls(tagger, lexicon, neural, layers, attributes=model_attributes(path))

    @property
    def neural(self) -> bool:
        """True when the neural tagger tags (not the CRF)."""
        return self._neural is not None

    # -- sentence level -----------------------------------------------------------------

    def tag_words(self, words: Sequence[str]) -> list[str]:
        """BIO tags over ANERcorp's PERS/ORG/LOC/MISC for one tokenized sentence.

        The model's tags, corrected by the `layers`; the benchmark scores exactly this.
        """
        return self.tag_sentences([words])[0]

    def tag_sentences(self, sentences: Sequence[Sequence[str]]) -> list[list[str]]:
        """`tag_words` for many sentences at once (the neural tagger batches them)."""
        return self._tag_folded(sentences, [[fold_plain(w) for w in words] for words in sentences])

    def _tag_folded(
        self, sentences: Sequence[Sequence[str]], folded: Sequence[Sequence[str]]
    ) -> list[list[str]]:
        """`tag_sentences` with the words folded already."""
        lexicon = self._lexicon
        gaz = [gazetteer_tags(lexicon, f) for f in folded]
        out = self._model(sentences, folded, gaz)
        layers = self.layers
        arabic = self._listed_names(layers.arabic_lists)
        for tags, words, f, g in zip(out, sentences, folded, gaz, strict=True):
            if layers.gazetteer:
                self._apply_gazetteer(
                    tags, f, g, layers.gazetteer_latin_only, layers.people, arabic
                )
            if layers.latin:
                self._apply_rules(tags, words, f)
            if layers.junk:
                self._drop_junk(tags, words, f)
                _name_after_facility(tags, f)
        return out

    def model_tags(self, words: Sequence[str]) -> list[str]:
        """The model's own BIO tags for one tokenized sentence, before any layer."""
        folded = [fold_plain(w) for w in words]
        return self._model([words], [folded], [gazetteer_tags(self._lexicon, folded)])[0]

    def _model(
        self,
        sentences: Sequence[Sequence[str]],
        folded: Sequence[Sequence[str]],
        gaz: Sequence[Sequence[str]],
    ) -> list[list[str]]:
        """The neural tagger's tags for every sentence, or the CRF's without it."""
        neural = self._neural
        if neural is None:
            return [
                self._crf(w, f, g) if w else []
                for w, f, g in zip(sentences, folded, gaz, strict=True)
            ]
        present = [k for k, w in enumerate(sentences) if w]
        encoded = [neural.encode(sentences[k], folded[k], gaz[k]) for k in present]
        if not self.crf_share:
            tagged = iter(neural.tag(encoded))
            return [next(tagged) if w else [] for w in sentences]
        share = self.crf_share
        mixed = []
        for k, own in zip(present, neural.marginals(neural.emissions(encoded)), strict=True):
            crf = self._crf_marginals(sentences[k], folded[k], gaz[k], neural.tags)
            mixed.append(np.log((1 - share) * own + share * crf + 1e-6))
        paths = iter(neural.decode(mixed, _bio_transitions(neural.tags)))
        return [[neural.tags[i] for i in next(paths)] if w else [] for w in sentences]

    def _crf_marginals(
        self,
        words: Sequence[str],
        folded: Sequence[str],
        gaz: Sequence[str],
        tags: Sequence[str],
    ) -> Any:
        """The CRF's (T, tags) probability of each tag at each word."""
        self._tagger.set(self._features(words, folded, gaz))
        known = set(self._tagger.labels())
        out = np.zeros((len(words), len(tags)), dtype=np.float32)
        for j, tag in enumerate(tags):
            if tag in known:
                out[:, j] = [self._tagger.marginal(tag, i) for i in range(len(words))]
        return out

    def crf_tags(self, words: Sequence[str]) -> list[str]:
        """The CRF's own BIO tags for one tokenized sentence, before gazetteers and rules."""
        folded = [fold_plain(w) for w in words]
        return self._crf(words, folded, gazetteer_tags(self._lexicon, folded))

    def _crf(
        self,
        words: Sequence[str],
        folded: Sequence[str],
        gaz: Sequence[str],
    ) -> list[str]:
        return list(self._tagger.tag(self._features(words, folded, gaz)))

    def _features(
        self, words: Sequence[str], folded: Sequence[str], gaz: Sequence[str]
    ) -> list[list[str]]:
        """`sentence_features` through the word cache: each word's own and neighbour
        features are built once and kept without the strings the CRF has no weight for
        (about a third, and turning strings into CRFsuite's items is most of tagging)."""
        cache = self._word_cache
        if len(cache) + len(words) > WORD_CACHE_SIZE:
            cache.clear()
        known = self._attributes
        for word, f in zip(words, folded, strict=True):
            if word in cache:
                continue
            info = _word_features(self._lexicon, word, f)
            if known is not None:
                info = _WordFeatures(
                    [known[a] for a in info.own if a in known],
                    {k: [known[a] for a in v if a in known] for k, v in info.around.items()},
                )
            cache[word] = info
        return sentence_features(self._lexicon, words, folded, gaz, cache)

    def _listed_names(self, names: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
        """The folded entries of the word lists called `names` (kept for the next call)."""
        found = self._listed_cache.get(names)
        if found is None:
            lists = self._lexicon.lists
            found = frozenset(
                tuple(fold_plain(t.text) for t in tokenize(entry))
                for name in names
                for entry in getattr(lists, name)
            )
            self._listed_cache[names] = found
        return found

    def _apply_gazetteer(
        self,
        tags: list[str],
        folded: Sequence[str],
        gaz: Sequence[str],
        latin_only: bool = False,
        people: bool = True,
        arabic: frozenset[tuple[str, ...]] = frozenset(),
    ) -> None:
        """Known names win where the CRF found nothing or only part of them.

        With `latin_only`, only names in Latin script (which ANERcorp's models never saw) and
        the entries in `arabic`; without `people`, no people in Arabic script.

        People and organisations only: the CRF tags places better than a list does (on the
        development part, overriding it with the place list added 14 wrong places for 5).
        """
        lexicon = self._lexicon
        for start, end, kind in bio_spans(gaz):
            conjunction = folded[start].startswith("و") and folded[start] not in lexicon.lengths
            if conjunction and tags[start].startswith("I-"):
                tags[start] = "B-" + tags[start][2:]  # "X وY": two names, not one
            latin = any(c.isascii() and c.isalpha() for f in folded[start:end] for c in f)
            if latin_only and not latin:
                rest = tuple(folded[start + 1 : end])
                readings = lexicon.first_token_readings(folded[start])
                if not any((reading, *rest) in arabic for reading, _ in readings):
                    continue
            if kind == "PERSON" and not latin and not people:
                continue
            if kind == "BODY" or (kind in ("LOC", "MISC") and not latin):
                # Government bodies (وزارة الخارجية), events and products (كأس العالم) are
                # names to some readers and common nouns to others, ANERcorp's taggers
                # included: the CRF weighs the gazetteer cue in context instead.
                continue
            overlapping = [s for s in bio_spans(tags) if s[0] < end and start < s[1]]
            if not latin and any(s[0] == start and s[1] == end for s in overlapping):
                # Same words: keep the CRF's type, its context tells a club from its city.
                # (Not for Latin script, which the CRF never saw in training.)
                continue
            if all(start <= s[0] and s[1] <= end for s in overlapping):
                for index in range(start, end):
                    tags[index] = "O"
                _write_span(tags, start, end, _TO_CORPUS[kind])

    def _apply_rules(self, tags: list[str], words: Sequence[str], folded: Sequence[str]) -> None:
        """Latin-script names become organisations: the 2007 corpus holds almost none.

        (A given-name rule used to live here; the CRF's given-name cue does that job better:
        on the development part the rule added 13 wrong names for 1 right one.)
        """
        lexicon = self._lexicon
        n = len(words)
        index = 0
        while index < n:
            if tags[index] != "O" or _LATIN_LETTER.search(words[index]) is None:
                index += 1
                continue
            latin = _latin_stem(words[index])[1]
            if len(latin) == 1 and latin.isupper():
                # A one-letter name (X, the network) only with a platform word beside it.
                near = {f for f in folded[max(0, index - 1) : index + 4] if f}
                if near & _PLATFORM_CUES:
                    _write_span(tags, index, index + 1, "ORG")
                index += 1
                continue
            after_trigger = (
                any(
                    f in lexicon.org_triggers or f in _PLATFORM_CUES
                    for f in (*folded[max(0, index - 2) : index], *stem_variants(folded[index - 1]))
                )
                if index
                else False
            )
            model = index and any(f in _MODEL_CUES for f in folded[max(0, index - 2) : index])
            if model:
                index += 1  # من طراز GB300: a product's model, not its maker
                continue
            if _is_latin_name(latin) or (after_trigger and _is_capitalised(latin)):
                end = index + 1
                while (
                    end < n
                    and tags[end] == "O"
                    and (_is_latin_name(words[end]) or _is_capitalised(words[end]))
                ):
                    end += 1
                _write_span(tags, index, end, "ORG")
                index = end
                continue
            index += 1

        # A Latin-script name followed by an Arabic nisba adjective (TSMC التايوانية): the
        # adjective says where the company is from and is not part of its name.
        for start, end, kind in bio_spans(tags):
            if kind != "ORG" or not _LATIN_LETTER.search(words[start]):
                continue
            last = end
            while last - 1 > start and _is_nisba(folded[last - 1]):
                last -= 1
            for index in range(last, end):
                tags[index] = "O"

    def _drop_junk(self, tags: list[str], words: Sequence[str], folded: Sequence[str]) -> None:
        """Titles, common nouns and function words alone are not entities."""
        lexicon = self._lexicon
        for start, end, kind in bio_spans(tags):
            # Punctuation and particles at either end are not part of a name ("إس ." -> "إس").
            first, last = start, end
            while first < last and _not_in_names(words[first]):
                first += 1
            while last > first and _not_in_names(words[last - 1]):
                last -= 1
            if (first, last) != (start, end):
                for index in range(start, end):
                    tags[index] = "O"
                if first == last:
                    continue
                _write_span(tags, first, last, kind)
                start, end = first, last
            if start and _bare(words[start - 1]) in _THAT_HE:
                for index in range(start, end):
                    tags[index] = "O"
                continue
            if kind == "ORG" and end - start > 1 and _base(folded[start]) in _COMPANY_WORDS:
                # "شركة أرامكو": the word for company is not part of the name (nor is it in
                # ANERcorp, which tags it O before the name).
                tags[start] = "O"
                start += 1
                tags[start] = "B-ORG"
            text = " ".join(folded[start:end])
            stems = [text, *(stem_variants(text) if end - start == 1 else [])]
            junk = any(
                s in lexicon.not_entities
                or s in lexicon.stopwords
                or (end - start == 1 and s in lexicon.titles)
                for s in stems
            ) or (end - start == 1 and len(folded[start]) < 2 and not words[start].isupper())
            if junk:
                for index in range(start, end):
                    tags[index] = "O"

    # -- article level ------------------------------------------------------------------

    def extract(self, text: str, corrections: Sequence[EntityCorrection] = ()) -> list[Entity]:
        """Entities of `text`, most mentioned first, with the reader's corrections applied."""
        with self._extracting:
            return self._extract(text, corrections)

    def _extract(self, text: str, corrections: Sequence[EntityCorrection]) -> list[Entity]:
        tokens = tokenize(text)
        folded = [fold_plain(t.text) for t in tokens]
        numeric = self._numeric(text)
        spans: list[Span] = []
        ranges = sentences(text, tokens)
        tagged = self._tag_folded(
            [[t.text for t in tokens[a:b]] for a, b in ranges], [folded[a:b] for a, b in ranges]
        )
        for (first, _), tags in zip(ranges, tagged, strict=True):
            for start, end, kind in bio_spans(tags):
                spans.append((first + start, first + end, _FROM_CORPUS[kind]))
        spans = [s for s in spans if not _covers_numeric(tokens, s, numeric)]
        known = self._known_first | frozenset(folded[s[0]] for s in spans)
        doc = _Doc(
            tokens,
            folded,
            self._strip_all(tokens, folded, known),
            [_base(f) for f in folded],
        )
        spans = self._propagate(doc, spans, numeric)
        found = [_found(doc, span) for span in spans] + numeric
        return apply_corrections(_group(found, text), corrections, text)

    def _strip_all(
        self, tokens: Sequence[Token], folded: Sequence[str], known: frozenset[str]
    ) -> list[tuple[int, str, str]]:
        """(folded proclitic length to leave out, key word, display prefix) for every token
        as the first of a name, once per distinct word: the article's `known` names decide
        whether a letter before one is a proclitic (لماسك) or part of the word."""
        cache = self._strip_cache
        if len(cache) + len(tokens) > WORD_CACHE_SIZE:
            cache.clear()
        done: dict[str, tuple[int, str, str]] = {}
        out: list[tuple[int, str, str]] = []
        for token, word in zip(tokens, folded, strict=True):
            text = token.text
            result = done.get(text)
            if result is None:
                strip = cache.get(text)
                if strip is None:
                    strip = cache[text] = self._strip(text, word)
                result = strip.fixed
                if result is None:
                    result = next((r for stem, r in strip.if_known if stem in known), strip.other)
                done[text] = result
            out.append(result)
        return out

    def _strip(self, text: str, folded: str) -> _Strip:
        """How a name starting with the word `text` (folded: `folded`) loses its proclitic."""
        cut, latin = _latin_stem(text)
        if cut:
            return _Strip((cut, fold_plain(latin), ""))
        if folded in self._whole_names:
            # A listed name that starts like a proclitic: كاليفورنيا, فالنسيا, ليانغ.
            return _Strip((0, _base(folded), ""))
        for prefix in ARTICLE_PROCLITICS:  # the mention keeps the article: و|السعودية
            cut = len(prefix) - len(ARTICLE)
            if folded.startswith(prefix) and len(folded) > len(prefix) + 1:
                return _Strip((cut, _base(folded[cut:]), ""))
        if folded.startswith(LAM_ARTICLE) and len(folded) > 4:
            return _Strip((2, folded[2:], ARTICLE))
        if_known = tuple(
            (stem, (len(clitic), _base(stem), ""))
            for clitic in NAME_PROCLITICS
            if folded.startswith(clitic) and len(stem := folded[len(clitic) :]) >= 2
        )
        return _Strip(None, if_known, (0, _base(folded), ""))

    def _propagate(self, doc: _Doc, spans: list[Span], numeric: Sequence[_Found]) -> list[Span]:
        """Tag every occurrence of a name found once, and surnames of full names.

        A name's type is its majority type in the article, so it is tagged the same way
        everywhere; a surname (or a misspelling of it missing a long vowel) after a full
        name is the same person.
        """
        stopwords = self._lexicon.stopwords
        spans = _split_people(doc, spans, self._whole_names)
        votes: dict[tuple[str, ...], Counter[str]] = {}
        for start, end, kind in spans:
            votes.setdefault(doc.key(start, end), Counter())[kind] += 1
        surnames: set[str] = set()
        for key, counter in list(votes.items()):
            if len(key) >= 2 and counter.most_common(1)[0][0] == "PERSON":
                last = key[-1]
                if len(last) >= 3 and last not in stopwords:
                    surnames.add(last)
                    votes.setdefault((last,), Counter())["PERSON"] += 1
        decided = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
        skeletons = {_skeleton(s) for s in surnames if len(s) >= 4}
        max_len = max((len(k) for k in decided), default=0)
        starts = frozenset(k[0] for k in decided)
        covered = [False] * len(doc.tokens)
        for start, end, _ in spans:
            for index in range(start, end):
                covered[index] = True
        if numeric:
            token_starts = [t.start for t in doc.tokens]
            token_ends = [t.end for t in doc.tokens]
            for item in numeric:  # the tokens overlapping a number, date or amount
                first = bisect_right(token_ends, item.start)
                for index in range(first, bisect_left(token_starts, item.end)):
                    covered[index] = True
        out = [(s, e, decided.get(doc.key(s, e), k)) for s, e, k in spans]
        index = 0
        while index < len(doc.tokens):
            hit = (
                None if covered[index] else self._hit(doc, index, decided, max_len, covered, starts)
            )
            if hit is None and not covered[index] and skeletons:
                hit = self._misspelt(doc, index, skeletons)
            if hit is None:
                index += 1
                continue
            out.append(hit)
            index = hit[1]
        out.sort()
        return out

    @staticmethod
    def _hit(
        doc: _Doc,
        index: int,
        decided: dict[tuple[str, ...], str],
        max_len: int,
        covered: Sequence[bool],
        starts: frozenset[str],
    ) -> Span | None:
        """The longest known name starting at token `index`, if any."""
        if doc.firsts[index][1] not in starts:
            return None  # no known name starts with this word
        for length in range(min(max_len, len(doc.tokens) - index), 0, -1):
            if any(covered[index : index + length]):
                continue
            kind = decided.get(doc.key(index, index + length))
            if kind is not None:
                return (index, index + length, kind)
        return None

    def _misspelt(self, doc: _Doc, index: int, skeletons: set[str]) -> Span | None:
        """A one-word mention spelling a known surname without a long vowel (مسك for ماسك)."""
        word = doc.folded[index]
        readings = self._skeleton_cache.get(word)
        if readings is None:
            if len(self._skeleton_cache) >= WORD_CACHE_SIZE:
                self._skeleton_cache.clear()
            stopwords = self._lexicon.stopwords
            readings = self._skeleton_cache[word] = tuple(
                (cut, _skeleton(stem))
                for cut, stem in [(0, word)]
                + [
                    (len(word) - len(v), v)
                    for v in stem_variants(word)
                    if not v.startswith(ARTICLE)
                ]
                if len(stem) >= 3 and stem not in stopwords
            )
        for cut, skeleton in readings:
            if skeleton in skeletons:
                doc.cuts[index] = cut
                return (index, index + 1, "PERSON")
        return None

    def _numeric(self, text: str) -> list[_Found]:
        """Money amounts, dates, years and percentages, found in folded text."""
        folded, index_map = fold(text)
        patterns = self._patterns
        found: list[_Found] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, kind: str) -> None:
            if any(start < e and s < end for s, e in taken):
                return
            taken.append((start, end))
            real_start = index_map[start]
            real_end = _end_with_marks(text, index_map[end - 1])
            display = text[real_start:real_end].strip()
            found.append(_Found(real_start, real_end, kind, (folded[start:end],), display))

        for match in patterns.money_number.finditer(folded):
            add(match.start(), match.end(), "MONEY")
        for match in patterns.percent.finditer(folded):
            add(match.start(), match.end(), "MISC")
        for match in patterns.bare_amount.finditer(folded):
            before = folded[max(0, match.start() - 40) : match.start()].split()[-4:]
            if any(
                any(r in self._lexicon.money_context for r in (w, *stem_variants(w)))
                for w in before
            ):
                add(match.start(), match.end(), "MONEY")
        for match in patterns.money_vague.finditer(folded):
            add(match.start(1), match.end(1), "MONEY")
        for match in patterns.date.finditer(folded):
            add(match.start(), match.end(), "DATE")
        for match in patterns.year.finditer(folded):
            group = 1 if match.group(1) else 2
            if _valid_year(match.group(group)):
                add(match.start(group), match.end(group), "DATE")
        return found


def _end_with_marks(text: str, last: int) -> int:
    end = last + 1
    while end < len(text) and (
        text[end] == "\u0640" or "\u064b" <= text[end] <= "\u065f" or text[end] == "\u0670"
    ):
        end += 1
    return end


def _char_offset(word: str, folded_cut: int) -> int:
    """Characters of `word` that fold to its first `folded_cut` folded characters."""
    if folded_cut == 0:
        return 0
    folded, index_map = fold(word)
    return index_map[folded_cut] if folded_cut < len(folded) else len(word)


def _tidy(word: str) -> str:
    """A word for display: without tatweel."""
    return word.replace("\u0640", "")


def _covers_numeric(tokens: Sequence[Token], span: Span, numeric: Sequence[_Found]) -> bool:
    start, end = tokens[span[0]].start, tokens[span[1] - 1].end
    return any(item.start < end and start < item.end for item in numeric)


def _group(found: Sequence[_Found], text: str) -> list[Entity]:
    """Group mentions into entities: same key, and for people a name inside a longer one."""
    groups: dict[tuple[str, tuple[str, ...]], list[_Found]] = {}
    for item in found:
        groups.setdefault((item.type, item.key), []).append(item)
    person_keys = sorted(
        (key for key in groups if key[0] == "PERSON"), key=lambda k: -len(groups[k])
    )
    longer = sorted(person_keys, key=lambda k: (-len(k[1]), -len(groups[k])))
    for key in person_keys:
        words = key[1]
        for other in longer:
            if other == key or len(other[1]) <= len(words) or other not in groups:
                continue
            if _person_part(words, other[1]) and key in groups:
                groups[other].extend(groups.pop(key))
                break
    entities: list[Entity] = []
    for (kind, _), items in groups.items():
        best = max(
            items,
            key=lambda f: (
                f.tokens,
                sum(1 for g in items if g.display == f.display),
                -f.start,
            ),
        )
        mentions = sorted(
            {Mention(f.start, f.end, text[f.start : f.end]) for f in items},
            key=lambda m: (m.start, m.end),
        )
        entities.append(Entity(best.display, kind, mentions))
    return entities


def _person_part(words: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """True when `words` name the same person as `full` (its surname, or a misspelling)."""
    if len(words) == 1:
        word = words[0]
        if word in full:
            return True
        return len(word) >= 3 and _skeleton(word) == _skeleton(full[-1])
    it = iter(full)
    return all(any(w == f for f in it) for w in words)


def _matches(entity: Entity, name: str, text: str) -> bool:
    key = fold_plain(name).strip()
    if fold_plain(entity.name) == key:
        return True
    return any(fold_plain(text[m.start : m.end]) == key for m in entity.mentions)


def _word_spans(text: str, name: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of `name`, allowing one proclitic letter before it."""
    out: list[tuple[int, int]] = []
    for start, end in find_all(text, name):
        before = text[start - 1] if start > 0 else " "
        if before.isalnum() and before in PROCLITIC_LETTERS:
            before = text[start - 2] if start > 1 else " "
        after = text[end] if end < len(text) else " "
        if not before.isalnum() and not after.isalnum():
            out.append((start, end))
    return out


def apply_corrections(
    entities: list[Entity], corrections: Sequence[EntityCorrection], text: str
) -> list[Entity]:
    """The reader's corrections applied, in order, to entities found in `text` (changing
    them in place), most mentioned first: `extract(text, corrections)` is
    `apply_corrections(extract(text), corrections, text)`, so an index can keep what the
    model found and apply changed corrections without running it again."""
    for correction in corrections:
        entities = _apply_correction(entities, correction, text)
    entities = [e for e in entities if e.mentions]
    for entity in entities:
        entity.mentions.sort(key=lambda m: m.start)
    entities.sort(key=lambda e: (-len(e.mentions), e.mentions[0].start))
    return entities


def _apply_correction(
    entities: list[Entity], correction: EntityCorrection, text: str
) -> list[Entity]:
    """One reader correction: add, retype, merge, rename or hide."""
    action = correction.action
    targets = [e for e in entities if _matches(e, correction.name, text)]
    if action == "hide":
        return [e for e in entities if e not in targets]
    if action == "retype" and correction.type:
        for entity in targets:
            entity.type = correction.type
    elif action == "rename" and correction.target:
        for entity in targets:
            entity.name = correction.target
    elif action == "merge" and correction.target:
        into = [e for e in entities if _matches(e, correction.target, text) and e not in targets]
        if not into:
            for entity in targets:
                entity.name = correction.target
            return entities
        keep = into[0]
        for entity in targets:
            keep.mentions = sorted(
                set(keep.mentions) | set(entity.mentions), key=lambda m: (m.start, m.end)
            )
        return [e for e in entities if e not in targets]
    elif action == "add":
        spans = _word_spans(text, correction.name)
        if not spans:
            return entities
        for entity in entities:
            entity.mentions = [
                m for m in entity.mentions if not any(m.start < e and s < m.end for s, e in spans)
            ]
        entities = [e for e in entities if e.mentions]
        added = Entity(
            correction.name,
            correction.type or "MISC",
            [Mention(s, e, text[s:e]) for s, e in spans],
        )
        entities.append(added)
    return entities
