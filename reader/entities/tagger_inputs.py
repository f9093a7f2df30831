"""What the neural entity tagger reads of a word: shared by its training script and run time.

`tools/entity_tables.py` learns word vectors and Brown clusters over `word_key`s of unlabelled
news; `tools/tagger_train.py` and `reader.entities.tagger` turn a sentence into the same
arrays with `encode_sentence`. Keep the three in step: this file is hashed into the tagger's
signature (`tagger_signature`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reader.entities.features import (
    Lexicon,
    _shape,
    _word_cues,
    base_form,
    feature_signature,
    gazetteer_tags,
    stem_variants,
)
from reader.errors import ReaderError
from reader.text.arabic import ARTICLE, fold_plain

_DIGITS = str.maketrans(dict.fromkeys("0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0"))

#: The table files, in `reader/entities/data/`.
VECTORS_FILE = "w2v.npy"
VOCAB_FILE = "w2v.vocab.txt"
CLUSTERS_FILE = "brown.tsv"
#: Brown-cluster bit-string prefixes the tagger sees, by length (a full path is the last).
BROWN_PREFIXES = (4, 6, 10, 20)
#: The cue sets of `Lexicon.cues`, each as the word itself and as its clitic-free stem (~).
CUE_NAMES = (
    "given",
    "given_amb",
    "surname",
    "surname_amb",
    "title",
    "orgtrig",
    "loctrig",
    "say",
    "month",
    "link",
    "currency",
    "misctrig",
)
GAZ_TAGS = tuple(f"{p}-{k}" for k in ("PERSON", "ORG", "LOC", "MISC", "BODY") for p in "BI")
SHAPES = ("digit", "alnum", "LATIN_UPPER", "Latin_cap", "latin_lower", "laTin_mixed", "punct")
#: Per-word binary inputs: cues, gazetteer tag, shape, definite article, how the vector was found.
FLAGS = (
    *CUE_NAMES,
    *(c + "~" for c in CUE_NAMES),
    *GAZ_TAGS,
    *SHAPES,
    "al",
    "vector_of_stem",
    "no_vector",
)
_FLAG_INDEX = {name: index for index, name in enumerate(FLAGS)}
#: Characters of a word the character CNN reads (a longer word keeps its first ones).
MAX_CHARS = 24


def word_key(folded: str) -> str:
    """The key a folded word has in the word-vector and cluster tables: digits become 0."""
    return folded.translate(_DIGITS)


@dataclass(frozen=True, slots=True)
class Tables:
    """Word vectors and Brown clusters learnt from unlabelled news (`tools/entity_tables.py`)."""

    vocab: dict[str, int]
    """Word key -> row of `vectors` + 1 (0 is a word without a vector)."""
    vectors: npt.NDArray[np.float16]
    clusters: dict[str, str]
    """Word key -> Brown bit string."""
    prefix_ids: tuple[dict[str, int], ...]
    """Per prefix length of `BROWN_PREFIXES`: bit-string prefix -> id + 1 (0 is no cluster)."""

    @classmethod
    def load(cls, folder: Path) -> Tables:
        """Read the tables from `folder`; a missing or damaged file is a ReaderError."""
        try:
            vectors = np.load(folder / VECTORS_FILE)
            vocab_text = (folder / VOCAB_FILE).read_text(encoding="utf-8")
            cluster_text = (folder / CLUSTERS_FILE).read_text(encoding="utf-8")
        except (OSError, ValueError, UnicodeDecodeError) as error:
            raise ReaderError(
                f"The entity tagger's tables in {folder} cannot be read ({error}); "
                "reinstall reader."
            ) from None
        # One word a line, row by row (a word may be empty: harakat alone fold to nothing).
        words = vocab_text.split("\n")
        if words and words[0].startswith("# "):
            words = words[1:]
        if vocab_text.endswith("\n"):
            words = words[:-1]  # the last line's end, not an empty word
        if len(words) != vectors.shape[0]:
            raise ReaderError(
                f"The entity tagger's tables in {folder} do not match ({len(words)} words, "
                f"{vectors.shape[0]} vectors); reinstall reader."
            )
        vocab = {w: i + 1 for i, w in enumerate(words)}
        clusters: dict[str, str] = {}
        for line in cluster_text.split("\n"):
            if line and not line.startswith("# "):
                bits, _, word = line.partition("\t")
                clusters[word] = bits
        prefix_ids = tuple(
            {p: i + 1 for i, p in enumerate(sorted({b[:n] for b in clusters.values()}))}
            for n in BROWN_PREFIXES
        )
        return cls(vocab, vectors, clusters, prefix_ids)


@dataclass(frozen=True, slots=True)
class Encoded:
    """One sentence as the tagger's inputs."""

    words: npt.NDArray[np.int64]
    """(T,) row of the word vector + 1; 0 is none."""
    brown: npt.NDArray[np.int64]
    """(T, len(BROWN_PREFIXES)) cluster-prefix ids + 1; 0 is none."""
    flags: npt.NDArray[np.float32]
    """(T, len(FLAGS)) binary inputs."""
    folded: list[str]
    """The folded words, whose characters the character CNN reads."""


def _lookup(tables: Tables, folded: str) -> tuple[int, str | None, bool]:
    """(vector id, cluster bits, found only for a clitic-free reading) of a folded word."""
    key = word_key(folded)
    vector = tables.vocab.get(key, 0)
    bits = tables.clusters.get(key)
    if vector and bits is not None:
        return vector, bits, False
    stem = False
    for reading in (*stem_variants(key), base_form(key)):
        if not vector and reading in tables.vocab:
            vector, stem = tables.vocab[reading], True
        if bits is None:
            bits = tables.clusters.get(reading)
    return vector, bits, stem


@dataclass(frozen=True, slots=True)
class WordInputs:
    """What the tagger reads of one word whatever its sentence: all but the gazetteer flag."""

    vector: int
    brown: npt.NDArray[np.int64]
    flags: npt.NDArray[np.float32]


def word_inputs(lexicon: Lexicon, tables: Tables, word: str, folded: str) -> WordInputs:
    """One word's vector id, cluster-prefix ids and flags (the gazetteer's left out)."""
    vector, bits, stem = _lookup(tables, folded)
    brown = np.zeros(len(BROWN_PREFIXES), dtype=np.int64)
    if bits is not None:
        for k, length in enumerate(BROWN_PREFIXES):
            brown[k] = tables.prefix_ids[k].get(bits[:length], 0)
    row = np.zeros(len(FLAGS), dtype=np.float32)
    for cue in _word_cues(lexicon, folded, stem_variants(folded)):
        row[_FLAG_INDEX[cue]] = 1.0
    shape = _shape(word)
    if shape in _FLAG_INDEX:
        row[_FLAG_INDEX[shape]] = 1.0
    if folded.startswith(ARTICLE):
        row[_FLAG_INDEX["al"]] = 1.0
    if stem:
        row[_FLAG_INDEX["vector_of_stem"]] = 1.0
    if not vector:
        row[_FLAG_INDEX["no_vector"]] = 1.0
    return WordInputs(vector, brown, row)


def encode_sentence(
    lexicon: Lexicon,
    tables: Tables,
    words: Sequence[str],
    folded: Sequence[str] | None = None,
    gaz: Sequence[str] | None = None,
    cache: dict[str, WordInputs] | None = None,
) -> Encoded:
    """The tagger's inputs for one tokenized sentence (`folded`, `gaz` if the caller has them).

    `cache` keeps each word's `word_inputs` between calls (the caller bounds its size).
    """
    if folded is None:
        folded = [fold_plain(w) for w in words]
    if gaz is None:
        gaz = gazetteer_tags(lexicon, folded)
    n = len(words)
    ids = np.zeros(n, dtype=np.int64)
    brown = np.zeros((n, len(BROWN_PREFIXES)), dtype=np.int64)
    flags = np.zeros((n, len(FLAGS)), dtype=np.float32)
    for i, (word, f) in enumerate(zip(words, folded, strict=True)):
        found = cache.get(word) if cache is not None else None
        if found is None:
            found = word_inputs(lexicon, tables, word, f)
            if cache is not None:
                cache[word] = found
        ids[i] = found.vector
        brown[i] = found.brown
        flags[i] = found.flags
        if gaz[i] != "O":
            flags[i, _FLAG_INDEX[gaz[i]]] = 1.0
    return Encoded(ids, brown, flags, list(folded))


def lexical_ids(vocab: dict[str, int], folded: Sequence[str]) -> npt.NDArray[np.int64]:
    """Ids of the words in the tagger's own trained vocabulary (0 for any other word)."""
    return np.array([vocab.get(word_key(f), 0) for f in folded], dtype=np.int64)


def char_ids(alphabet: dict[str, int], folded: str) -> list[int]:
    """Ids of a word's first `MAX_CHARS` characters (1 is a character not in `alphabet`)."""
    return [alphabet.get(c, 1) for c in folded[:MAX_CHARS]]


def tagger_signature(lexicon: Lexicon, folder: Path, hyper: dict[str, Any]) -> str:
    """A hash of everything the tagger's weights depend on.

    The CRF feature signature (features.py, the proclitic tables, the word lists), this
    file, the bytes of the three table files, and the training hyper-parameters. Stored
    beside the weights; a mismatch means `python tools/tagger_train.py` must be rerun.
    """
    digest = hashlib.sha256(feature_signature(lexicon).encode("ascii"))
    digest.update(Path(__file__).read_bytes())
    for name in (VECTORS_FILE, VOCAB_FILE, CLUSTERS_FILE):
        digest.update(hashlib.sha256((folder / name).read_bytes()).digest())
    digest.update(json.dumps(hyper, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()[:16]
