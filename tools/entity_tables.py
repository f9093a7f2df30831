"""Word vectors and Brown clusters for the neural entity tagger, from unlabelled news.

    nice -n 10 python tools/entity_tables.py [--corpus PATH] [--articles N]

Reads `../shared/corpus/saudinewsnet-unlabelled.jsonl.gz` (SaudiNewsNet, M. Alhagri 2015,
CC BY-NC-SA 4.0), tokenises every article as the extractor does (`reader.entities.features`),
folds each word and keys it with `reader.entities.tagger_inputs.word_key`, then writes into
`reader/entities/data/`:

- `w2v.npy` (float16, one row a word) and `w2v.vocab.txt` (the words, most frequent first):
  skip-gram word2vec (gensim, one worker) restricted to the most frequent words;
- `brown.tsv`: Brown clusters (`brown-clustering`, MIT) of the most frequent words,
  `bits<TAB>word` a line.

Both files carry the corpus licence (they are derived from it) in `data/README.md` and
`tables.json`. A development tool: needs the `train` extra (gensim, brown-clustering).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")  # the machine is shared; brown uses numba

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reader.entities.features import sentences, tokenize  # noqa: E402
from reader.entities.tagger_inputs import word_key  # noqa: E402
from reader.text.arabic import fold_plain  # noqa: E402

DATA = ROOT / "reader" / "entities" / "data"
DEFAULT_CORPUS = ROOT / ".." / "shared" / "corpus" / "saudinewsnet-unlabelled.jsonl.gz"
UNKNOWN = "<unk>"
SOURCE = (
    "SaudiNewsNet (github.com/inparallel/SaudiNewsNet, M. Alhagri 2015), "
    "licensed CC BY-NC-SA 4.0 for research use"
)
#: The header line of each table: where it comes from, its licence, what rebuilds it.
PROVENANCE = f"derived from {SOURCE}; rebuilt by tools/entity_tables.py"


def read_sentences(corpus: Path, articles: int | None) -> Iterator[list[str]]:
    """Keyed words of every sentence of the corpus (or of its first `articles` articles)."""
    with gzip.open(corpus, "rt", encoding="utf-8") as stream:
        for number, line in enumerate(stream):
            if articles is not None and number >= articles:
                return
            if not line.strip():
                continue
            text = json.loads(line).get("content") or ""
            tokens = tokenize(text)
            keys = [word_key(fold_plain(t.text)) for t in tokens]
            for first, last in sentences(text, tokens):
                if last > first:
                    yield keys[first:last]


def train_vectors(
    corpus: list[list[str]], counts: Counter[str], size: int, dims: int, epochs: int
) -> tuple[list[str], np.ndarray]:
    """Skip-gram vectors of the `size` most frequent words, unit length, float16."""
    from gensim.models import Word2Vec

    began = time.perf_counter()
    model = Word2Vec(vector_size=dims, window=5, min_count=5, sg=1, negative=5, workers=1, seed=15)
    model.build_vocab(corpus)
    model.train(corpus, total_examples=len(corpus), epochs=epochs)
    words = [w for w, _ in counts.most_common() if w in model.wv.key_to_index][:size]
    vectors = np.stack([model.wv[w] for w in words]).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8
    print(f"word2vec: {len(words)} words x {dims} in {time.perf_counter() - began:.0f} s")
    return words, vectors.astype(np.float16)


def train_clusters(
    corpus: list[list[str]], counts: Counter[str], size: int, m: int
) -> dict[str, str]:
    """Brown cluster bit strings of the `size` most frequent words (others count as <unk>)."""
    from brown_clustering import BigramCorpus, BrownClustering
    from brown_clustering.helper import ClusteringHelper, _update_heuristic

    keep = {w for w, _ in counts.most_common(size)}
    began = time.perf_counter()
    capped = [[w if w in keep else UNKNOWN for w in s] for s in corpus]
    bigrams = BigramCorpus(capped, alpha=0.5, min_count=1)
    # The package sums a new word's bigram counts over every word of every cluster (quadratic
    # in the vocabulary); the same sums from the word's own neighbours, in linear time.
    right: dict[str, Counter[str]] = {}
    left: dict[str, Counter[str]] = {}
    alpha = bigrams.alpha
    for (w1, w2), count in bigrams.bigrams.items():
        right.setdefault(w1, Counter())[w2] += count - alpha
        left.setdefault(w2, Counter())[w1] += count - alpha
    cluster_of: dict[str, int] = {}

    def append_cluster(self: ClusteringHelper, words: list[str]) -> None:
        (word,) = words
        new_i = int(self.used.argmin())
        self.clusters[new_i] = words
        cluster_of[word] = new_i
        self.p1[new_i] = bigrams.unigram_propa(words)
        sizes = np.array([len(c) for c in self.clusters], dtype=float)
        self.p2[new_i, :] = alpha * sizes
        self.p2[:, new_i] = alpha * sizes
        for other, count in right.get(word, Counter()).items():
            if other in cluster_of:
                self.p2[new_i, cluster_of[other]] += count
        for other, count in left.get(word, Counter()).items():
            if other in cluster_of and other != word:
                self.p2[cluster_of[other], new_i] += count
        self.p2[new_i, :] /= bigrams.n
        self.p2[:, new_i] /= bigrams.n
        self.p2[new_i, new_i] = bigrams.bigram_propa(words, words)
        self.used[new_i] = True
        _update_heuristic(self.used, self.l2, self.p1, self.p2, self.q2, new_i)
        self.m += 1

    original_merge = ClusteringHelper.merge_clusters

    def merge_clusters(self: ClusteringHelper, i: int, j: int) -> None:
        for word in self.clusters[j]:
            cluster_of[word] = i
        original_merge(self, i, j)

    ClusteringHelper.append_cluster = append_cluster  # type: ignore[method-assign]
    ClusteringHelper.merge_clusters = merge_clusters  # type: ignore[method-assign]
    clustering = BrownClustering(bigrams, m=m)
    # BrownClustering.train, except that a word's code is only the path of its cluster in the
    # final tree (as in Liang's wcluster): the bits of merges inside the window of m clusters
    # would make every word's code unique.
    for word, _ in bigrams.ranks():
        clustering.helper.append_cluster([word])
        if clustering.helper.m > m:
            clustering.merge_best()
    inside = {w: len(c) for w, c in clustering.codes().items()}
    for _ in range(int(clustering.helper.used.sum()) - 1):
        clustering.merge_best()
    codes = {w: c[: len(c) - inside.get(w, 0)] for w, c in clustering.codes().items()}
    print(f"brown: {len(codes)} words, {m} clusters in {time.perf_counter() - began:.0f} s")
    return codes


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--articles", type=int, default=None, help="only the first N articles")
    parser.add_argument("--vocab", type=int, default=60000, help="words with a vector")
    parser.add_argument("--dims", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--brown-vocab", type=int, default=20000)
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--skip", choices=("vectors", "clusters"), default=None)
    args = parser.parse_args(argv)

    began = time.perf_counter()
    corpus = list(read_sentences(args.corpus, args.articles))
    counts = Counter(w for s in corpus for w in s)
    tokens = sum(counts.values())
    print(
        f"{len(corpus)} sentences, {tokens} tokens, {len(counts)} distinct words "
        f"read in {time.perf_counter() - began:.0f} s"
    )
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    info: dict[str, object] = {
        "source": SOURCE,
        "corpus_sha256": hashlib.sha256(args.corpus.read_bytes()).hexdigest(),
        "articles": args.articles or "all",
        "sentences": len(corpus),
        "tokens": tokens,
        "rebuild": "python tools/entity_tables.py",
    }
    if args.skip != "vectors":
        words, vectors = train_vectors(corpus, counts, args.vocab, args.dims, args.epochs)
        np.save(out / "w2v.npy", vectors)
        header = f"# word2vec vocabulary, one word a line (row of w2v.npy); {PROVENANCE}\n"
        (out / "w2v.vocab.txt").write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        info["word2vec"] = {
            "words": len(words),
            "dims": args.dims,
            "epochs": args.epochs,
            "sg": 1,
            "window": 5,
            "negative": 5,
            "seed": 15,
        }
    if args.skip != "clusters":
        codes = train_clusters(corpus, counts, args.brown_vocab, args.clusters)
        rows = sorted(codes.items(), key=lambda kv: (-counts.get(kv[0], 0), kv[0]))
        header = f"# Brown clusters: bits<TAB>word; {PROVENANCE}\n"
        lines = [f"{bits}\t{word}" for word, bits in rows]
        (out / "brown.tsv").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        info["brown"] = {"words": len(codes), "clusters": args.clusters, "alpha": 0.5}
    previous = out / "tables.json"
    if previous.is_file() and args.skip:
        old = json.loads(previous.read_text(encoding="utf-8"))
        old.update(info)
        info = old
    previous.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
