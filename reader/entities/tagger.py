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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import ThreadpoolController

from reader.entities.features import Lexicon
from reader.entities.tagger_inputs import BROWN_PREFIXES, Encoded, Tables, char_ids, encode_sentence
from reader.errors import ReaderError

Array = npt.NDArray[np.float32]

WEIGHTS_FILE = "tagger.npz"
CONFIG_FILE = "tagger.json"


def _sigmoid(x: Array) -> Array:
    out: Array = 0.5 * (np.tanh(0.5 * x) + 1.0)
    return out


@dataclass(frozen=True, slots=True)
class _Lstm:
    """One direction: input weights (D, 4H), recurrent weights (H, 4H), bias (4H,)."""

    w_in: Array
    w_rec: Array
    bias: Array

    def run(self, x: Array, lengths: npt.NDArray[np.int64]) -> Array:
        """Hidden states (B, T, H) over `x` (B, T, D); steps past a row's length are junk."""
        batch, steps, _ = x.shape
        hidden = self.w_rec.shape[0]
        gates_in = x @ self.w_in + self.bias
        h = np.zeros((batch, hidden), dtype=np.float32)
        c = np.zeros((batch, hidden), dtype=np.float32)
        out = np.zeros((batch, steps, hidden), dtype=np.float32)
        live = batch
        order = np.argsort(-lengths, kind="stable")
        if not np.array_equal(order, np.arange(batch)):
            raise ValueError("rows must come longest first")
        for t in range(steps):
            while live and lengths[live - 1] <= t:
                live -= 1  # rows are sorted longest first: only the first `live` still run
            gates = gates_in[:live, t] + h[:live] @ self.w_rec
            i = _sigmoid(gates[:, :hidden])
            f = _sigmoid(gates[:, hidden : 2 * hidden])
            g = np.tanh(gates[:, 2 * hidden : 3 * hidden])
            o = _sigmoid(gates[:, 3 * hidden :])
            c[:live] = f * c[:live] + i * g
            h[:live] = o * np.tanh(c[:live])
            out[:live, t] = h[:live]
        return out


class NeuralTagger:
    """The loaded weights; `tag` gives BIO tags over ANERcorp's PERS/ORG/LOC/MISC."""

    def __init__(
        self, weights: dict[str, Array], config: dict[str, Any], tables: Tables, lexicon: Lexicon
    ) -> None:
        self.config = config
        self.tags: list[str] = list(config["tags"])
        self._alphabet: dict[str, int] = {c: i + 2 for i, c in enumerate(config["alphabet"])}
        self._tables = tables
        self._lexicon = lexicon
        self._w = weights
        self._blas = ThreadpoolController()
        self._brown = [weights[f"brown.{k}"] for k in range(len(BROWN_PREFIXES))]
        self._forward = _Lstm(weights["lstm.f.w_in"], weights["lstm.f.w_rec"], weights["lstm.f.b"])
        self._backward = _Lstm(weights["lstm.b.w_in"], weights["lstm.b.w_rec"], weights["lstm.b.b"])

    @classmethod
    def load(cls, folder: Path, lexicon: Lexicon, tables: Tables | None = None) -> NeuralTagger:
        """Read the weights, configuration and tables from `folder` (`data/` when shipped)."""
        try:
            config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS_FILE) as stored:
                weights = {name: stored[name].astype(np.float32) for name in stored.files}
        except (OSError, ValueError, KeyError) as error:
            raise ReaderError(
                f"The entity tagger in {folder} cannot be read ({error}); reinstall reader."
            ) from None
        return cls(weights, config, tables or Tables.load(folder), lexicon)

    def encode(
        self,
        words: Sequence[str],
        folded: Sequence[str] | None = None,
        gaz: Sequence[str] | None = None,
    ) -> Encoded:
        """One sentence's inputs."""
        return encode_sentence(self._lexicon, self._tables, words, folded, gaz)

    def emissions(self, sentences: Sequence[Encoded]) -> list[Array]:
        """Per sentence, the (T, tags) scores the CRF reads."""
        if not sentences:
            return []
        with self._blas.limit(limits=1, user_api="blas"):
            return self._emissions(sentences)

    def _emissions(self, sentences: Sequence[Encoded]) -> list[Array]:
        order = sorted(range(len(sentences)), key=lambda k: -len(sentences[k].words))
        batch = [sentences[k] for k in order]
        lengths = np.array([len(s.words) for s in batch], dtype=np.int64)
        steps = int(lengths.max())
        x = self._inputs(batch, steps)
        forward = self._forward.run(x, lengths)
        # The backward LSTM reads each sentence from its own last word.
        rows = np.arange(len(batch))[:, None]
        back_index = np.clip(lengths[:, None] - 1 - np.arange(steps)[None, :], 0, None)
        backward = self._backward.run(x[rows, back_index], lengths)[rows, back_index]
        hidden = np.concatenate([forward, backward], axis=2)
        scores = hidden @ self._w["out.w"] + self._w["out.b"]
        out: list[Array] = [scores[0, :0]] * len(sentences)
        for position, k in enumerate(order):
            out[k] = scores[position, : lengths[position]]
        return out

    def _inputs(self, batch: Sequence[Encoded], steps: int) -> Array:
        """The (B, T, D) input: word vector, cluster embeddings, characters, flags."""
        tables = self._tables
        parts_width = (
            tables.vectors.shape[1]
            + sum(b.shape[1] for b in self._brown)
            + self._w["char.b"].shape[0]
            + batch[0].flags.shape[1]
        )
        x = np.zeros((len(batch), steps, parts_width), dtype=np.float32)
        words: dict[str, int] = {}
        for sentence in batch:
            for f in sentence.folded:
                words.setdefault(f, len(words))
        chars = self._char_features(list(words))
        for row, sentence in enumerate(batch):
            n = len(sentence.words)
            ids = sentence.words
            vectors = tables.vectors[np.maximum(ids - 1, 0)].astype(np.float32)
            vectors[ids == 0] = 0.0
            pieces = [vectors]
            for k, table in enumerate(self._brown):
                pieces.append(table[sentence.brown[:, k]])
            pieces.append(chars[[words[f] for f in sentence.folded]])
            pieces.append(sentence.flags)
            x[row, :n] = np.concatenate(pieces, axis=1)
        return x

    def _char_features(self, words: Sequence[str]) -> Array:
        """Character CNN over each distinct word: embed, convolve (width 3), ReLU, max."""
        embed = self._w["char.embed"]
        kernel = self._w["char.w"]  # (3 * C, F)
        width = max(1, *(len(w) for w in words)) if words else 1
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
        out: Array = conv.max(axis=1) if width else conv.sum(axis=1)
        return out

    def viterbi(self, scores: Array) -> list[int]:
        """The best tag sequence for one sentence's emission scores."""
        if len(scores) == 0:
            return []
        trans = self._w["crf.trans"]
        best = self._w["crf.start"] + scores[0]
        back = np.zeros(scores.shape, dtype=np.int64)
        for t in range(1, len(scores)):
            candidates = best[:, None] + trans
            back[t] = candidates.argmax(axis=0)
            best = candidates.max(axis=0) + scores[t]
        path = [int((best + self._w["crf.end"]).argmax())]
        for t in range(len(scores) - 1, 0, -1):
            path.append(int(back[t, path[-1]]))
        path.reverse()
        return path

    def tag(self, sentences: Sequence[Encoded]) -> list[list[str]]:
        """BIO tags for each encoded sentence."""
        return [[self.tags[i] for i in self.viterbi(s)] for s in self.emissions(sentences)]
