"""The neural entity tagger's forward pass in numpy: character CNN, BiLSTM, CRF (Viterbi).

Weights come from `tools/tagger_train.py` (torch, at training time only) as float16 arrays
in `data/tagger.npz`, with `data/tagger.json` (alphabet, tags, hyper-parameters, signature);
inputs come from `reader.entities.tagger_inputs`. `tag` takes a whole article's sentences at
once: the LSTMs step over the batch, so an article costs about as many steps as its longest
sentence has words. Its matrices are small: BLAS runs on one thread for it (several threads
cost more in waking each other than they save, the more so on a busy machine).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

from reader.entities.features import Lexicon
from reader.entities.tagger_inputs import (
    BROWN_PREFIXES,
    MAX_CHARS,
    Encoded,
    Tables,
    WordInputs,
    char_ids,
    encode_sentence,
    lexical_ids,
)
from reader.errors import ReaderError

Array = npt.NDArray[np.float32]

WEIGHTS_FILE = "tagger.npz"
CONFIG_FILE = "tagger.json"
#: Words whose inputs a tagger keeps between articles (then it starts afresh).
_WORD_CACHE = 50_000


def _logsumexp(x: Array, axis: int) -> Array:
    top = x.max(axis=axis, keepdims=True)
    out: Array = np.log(np.exp(x - top).sum(axis=axis)) + top.squeeze(axis)
    return out


def _sigmoid(x: Array) -> Array:
    out: Array = 0.5 * (np.tanh(0.5 * x) + 1.0)
    return out


@dataclass(frozen=True, slots=True)
class _Lstm:
    """One direction: input weights (D, 4H), recurrent weights (H, 4H), bias (4H,)."""

    w_in: Array
    w_rec: Array
    bias: Array

    def run(
        self, gates_in: Array, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
    ) -> Array:
        """Hidden states (N, H) from the input's share of the gates (N, 4H).

        The N words are sentences one after another, sentence k from `starts[k]` for
        `lengths[k]` words, longest first; each step gathers the words at that position of
        the sentences still running (no padding). A backward LSTM gets each sentence's
        positions counted from its end (negative `lengths`).
        """
        hidden = self.w_rec.shape[0]
        batch = len(starts)
        h = np.zeros((batch, hidden), dtype=np.float32)
        c = np.zeros((batch, hidden), dtype=np.float32)
        out = np.empty((gates_in.shape[0], hidden), dtype=np.float32)
        size = np.abs(lengths)
        backward = bool(batch) and int(lengths[0]) < 0
        live = batch
        for t in range(int(size[0]) if batch else 0):
            while live and size[live - 1] <= t:
                live -= 1  # rows are sorted longest first: only the first `live` still run
            where = starts[:live] + (size[:live] - 1 - t if backward else t)
            gates = gates_in[where] + h[:live] @ self.w_rec
            i = _sigmoid(gates[:, :hidden])
            f = _sigmoid(gates[:, hidden : 2 * hidden])
            g = np.tanh(gates[:, 2 * hidden : 3 * hidden])
            o = _sigmoid(gates[:, 3 * hidden :])
            c[:live] = f * c[:live] + i * g
            h[:live] = o * np.tanh(c[:live])
            out[where] = h[:live]
        return out


class NeuralTagger:
    """The loaded weights; `tag` gives BIO tags over ANERcorp's PERS/ORG/LOC/MISC."""

    def __init__(
        self, weights: dict[str, Array], config: dict[str, Any], tables: Tables, lexicon: Lexicon
    ) -> None:
        self.config = config
        self.tags: list[str] = list(config["tags"])
        self._alphabet: dict[str, int] = {c: i + 2 for i, c in enumerate(config["alphabet"])}
        self._vocab: dict[str, int] = {w: i + 1 for i, w in enumerate(config["vocabulary"])}
        self._tables = tables
        self._lexicon = lexicon
        self._words: dict[str, WordInputs] = {}
        self._chars: dict[str, Array] = {}
        """Folded word -> its character CNN features, kept between articles."""
        self._w = weights
        self._blas = ThreadpoolController()
        self._brown = [weights[f"brown.{k}"] for k in range(len(BROWN_PREFIXES))]
        self._forward = _Lstm(weights["lstm.f.w_in"], weights["lstm.f.w_rec"], weights["lstm.f.b"])
        self._backward = _Lstm(weights["lstm.b.w_in"], weights["lstm.b.w_rec"], weights["lstm.b.b"])

    @classmethod
    def load(cls, folder: Path, lexicon: Lexicon, tables: Tables | None = None) -> NeuralTagger:
        """Read the weights, configuration and tables from `folder` (`data/` when shipped)."""
        tables = tables or Tables.load(folder)
        try:
            config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS_FILE) as stored:
                weights = {name: stored[name].astype(np.float32) for name in stored.files}
            return cls(weights, config, tables, lexicon)
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
            raise ReaderError(
                f"The entity tagger in {folder} cannot be read ({error!r}); reinstall reader."
            ) from None

    def encode(
        self,
        words: Sequence[str],
        folded: Sequence[str] | None = None,
        gaz: Sequence[str] | None = None,
    ) -> Encoded:
        """One sentence's inputs (each distinct word's computed once, and kept for the next)."""
        if len(self._words) > _WORD_CACHE:
            self._words.clear()
        return encode_sentence(self._lexicon, self._tables, words, folded, gaz, self._words)

    def emissions(self, sentences: Sequence[Encoded]) -> list[Array]:
        """Per sentence, the (T, tags) scores the CRF reads."""
        if not any(len(s.words) for s in sentences):
            return [np.zeros((0, len(self.tags)), dtype=np.float32) for _ in sentences]
        with self._blas.limit(limits=1, user_api="blas"):
            return self._emissions(sentences)

    def _emissions(self, sentences: Sequence[Encoded]) -> list[Array]:
        order = sorted(range(len(sentences)), key=lambda k: -len(sentences[k].words))
        batch = [sentences[k] for k in order]
        lengths = [len(s.words) for s in batch]
        x = self._inputs(batch)  # (N, D): the words of every sentence, one after another
        sizes = np.array(lengths, dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        hidden = [
            self._forward.run(x @ self._forward.w_in + self._forward.bias, starts, sizes),
            # The backward LSTM reads each sentence from its own last word.
            self._backward.run(x @ self._backward.w_in + self._backward.bias, starts, -sizes),
        ]
        scores = np.concatenate(hidden, axis=1) @ self._w["out.w"] + self._w["out.b"]
        out: list[Array] = [scores[:0]] * len(sentences)
        offset = 0
        for position, k in enumerate(order):
            out[k] = scores[offset : offset + lengths[position]]
            offset += lengths[position]
        return out

    def _inputs(self, batch: Sequence[Encoded]) -> Array:
        """The (N, D) input of the batch's words: vector, own embedding, clusters, characters,
        flags."""
        tables = self._tables
        known = self._chars
        if len(known) > _WORD_CACHE:
            known.clear()
        new = list({f: None for s in batch for f in s.folded if f not in known})
        if new:
            known.update(zip(new, self._char_features(new), strict=True))
        chars = np.stack([known[f] for s in batch for f in s.folded])
        ids = np.concatenate([s.words for s in batch])
        vectors = tables.vectors[np.maximum(ids - 1, 0)].astype(np.float32)
        vectors[ids == 0] = 0.0
        brown = np.concatenate([s.brown for s in batch])
        own = self._w["lexical"][lexical_ids(self._vocab, [f for s in batch for f in s.folded])]
        pieces = [vectors, own, *(table[brown[:, k]] for k, table in enumerate(self._brown))]
        pieces.append(chars)
        pieces.append(np.concatenate([s.flags for s in batch]))
        x: Array = np.concatenate(pieces, axis=1)
        return x

    def _char_features(self, words: Sequence[str]) -> Array:
        """Character CNN over each distinct word: embed, convolve (width 3), ReLU, max."""
        embed = self._w["char.embed"]
        kernel = self._w["char.w"]  # (3 * C, F)
        width = max([1, *(min(len(w), MAX_CHARS) for w in words)])
        ids = np.zeros((len(words), width + 2), dtype=np.int64)
        mask = np.zeros((len(words), width), dtype=bool)
        for row, word in enumerate(words):
            found = char_ids(self._alphabet, word)
            ids[row, 1 : 1 + len(found)] = found
            mask[row, : len(found)] = True
        e = embed[ids]  # (N, W + 2, C); id 0 embeds as zeros, the convolution's padding
        windows = np.concatenate([e[:, :-2], e[:, 1:-1], e[:, 2:]], axis=2)  # (N, W, 3C)
        conv = np.maximum(windows @ kernel + self._w["char.b"], 0.0)
        conv[~mask] = 0.0
        out: Array = conv.max(axis=1)
        return out

    def viterbi(self, scores: Array) -> list[int]:
        """The best tag sequence for one sentence's emission scores."""
        return self.decode([scores])[0]

    def transitions(self) -> tuple[Array, Array, Array]:
        """The CRF's (tag -> tag, start -> tag, tag -> end) scores."""
        return self._w["crf.trans"], self._w["crf.start"], self._w["crf.end"]

    def decode(
        self, scores: Sequence[Array], transitions: tuple[Array, Array, Array] | None = None
    ) -> list[list[int]]:
        """Viterbi over many sentences at once: each one's best tag sequence (under the CRF's
        transitions, or the (tag -> tag, start, end) scores given)."""
        order = sorted(range(len(scores)), key=lambda k: -len(scores[k]))
        lengths = [len(scores[k]) for k in order]
        out: list[list[int]] = [[] for _ in scores]
        if not lengths or lengths[0] == 0:
            return out
        steps, kinds = lengths[0], len(self.tags)
        padded = np.zeros((len(order), steps, kinds), dtype=np.float32)
        for row, k in enumerate(order):
            padded[row, : lengths[row]] = scores[k]
        trans, start, end = transitions or self.transitions()
        best = start + padded[:, 0]
        back = np.zeros((len(order), steps, kinds), dtype=np.int64)
        live = len(order)
        for t in range(1, steps):
            while live and lengths[live - 1] <= t:
                live -= 1  # longest first: only the first `live` rows are this long
            candidates = best[:live, :, None] + trans
            back[:live, t] = candidates.argmax(axis=1)
            best[:live] = candidates.max(axis=1) + padded[:live, t]
        final = (best + end).argmax(axis=1).tolist()
        for row, k in enumerate(order):
            if not lengths[row]:
                continue
            pointers = back[row, : lengths[row]].tolist()
            path = [final[row]]
            for t in range(lengths[row] - 1, 0, -1):
                path.append(pointers[t][path[-1]])
            path.reverse()
            out[k] = path
        return out

    def marginals(self, scores: Sequence[Array]) -> list[Array]:
        """Per sentence, the (T, tags) probability of each tag at each word (forward-backward
        over the CRF, all sentences at once)."""
        order = sorted(range(len(scores)), key=lambda k: -len(scores[k]))
        lengths = np.array([len(scores[k]) for k in order], dtype=np.int64)
        out: list[Array] = [np.zeros((0, len(self.tags)), dtype=np.float32) for _ in scores]
        if not len(lengths) or lengths[0] == 0:
            return out
        steps, kinds = int(lengths[0]), len(self.tags)
        padded = np.zeros((len(order), steps, kinds), dtype=np.float32)
        for row, k in enumerate(order):
            padded[row, : lengths[row]] = scores[k]
        trans, start, end = self.transitions()
        alpha = np.zeros_like(padded)
        beta = np.zeros_like(padded)
        alpha[:, 0] = start + padded[:, 0]
        for t in range(1, steps):
            n = int((lengths > t).sum())
            alpha[:n, t] = _logsumexp(alpha[:n, t - 1, :, None] + trans, 1) + padded[:n, t]
        live = lengths > 0
        rows = np.arange(len(order))[live]
        last = lengths[live] - 1
        beta[rows, last] = end
        for t in range(steps - 2, -1, -1):
            n = int((lengths > t + 1).sum())
            beta[:n, t] = _logsumexp(trans + (padded[:n, t + 1] + beta[:n, t + 1])[:, None, :], 2)
        log_z = _logsumexp(alpha[rows, last] + end, 1)
        for row, k in zip(rows.tolist(), [order[r] for r in rows.tolist()], strict=True):
            n = int(lengths[row])
            out[k] = np.exp(alpha[row, :n] + beta[row, :n] - log_z[row]).astype(np.float32)
        return out

    def tag(self, sentences: Sequence[Encoded]) -> list[list[str]]:
        """BIO tags for each encoded sentence."""
        return [[self.tags[i] for i in path] for path in self.decode(self.emissions(sentences))]
