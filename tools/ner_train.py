"""Train the shipped CRF entity model from ANERcorp: `python tools/ner_train.py`.

Reads `../shared/anercorp/ANERcorp_train.txt` (or `--corpus PATH`), keeps the last tenth of
its sentences out of training (the benchmark scores on them), trains a CRF with
python-crfsuite on the rest and writes `reader/entities/data/ner.crfsuite`. The corpus itself never
enters the repository; only this model, which this script rebuilds. A development tool:
it lives outside the `reader` package, which only loads the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import pycrfsuite

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's reader package, whose model this rebuilds

from reader.entities.features import Lexicon, feature_signature, sentence_features  # noqa: E402

MODEL_PATH = ROOT / "reader" / "entities" / "data" / "ner.crfsuite"
#: Beside the model: where it came from and the feature signature it was trained with.
PROVENANCE_SUFFIX = ".json"
DEFAULT_CORPUS = ROOT / ".." / "shared" / "anercorp" / "ANERcorp_train.txt"
#: How the provenance file says to rebuild the model.
REBUILD = "python tools/ner_train.py"
HOLDOUT_FRACTION = 0.1

Sentence = list[tuple[str, str]]


def read_conll(path: Path) -> list[Sentence]:
    """Sentences of (word, tag) from a `WORD TAG` file with blank lines between sentences."""
    out: list[Sentence] = []
    current: Sentence = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if current:
                out.append(current)
                current = []
            continue
        if len(parts) >= 2:
            current.append((parts[0], parts[-1]))
    if current:
        out.append(current)
    return out


def split_holdout(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(training part, held-out part): the held-out part is the last tenth, in order."""
    cut = len(sentences) - round(len(sentences) * HOLDOUT_FRACTION)
    return sentences[:cut], sentences[cut:]


def split_dev(training: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    """(fit part, development part) of the training part, for tuning without the held-out."""
    cut = len(training) - round(len(training) * HOLDOUT_FRACTION)
    return training[:cut], training[cut:]


def split_tenth(training: list[Sentence], tenth: int) -> tuple[list[Sentence], list[Sentence]]:
    """(the rest, tenth `tenth` of ten) of the training part: a second development part, to
    check on text whose names the word lists cover as little as a new text's (the last tenth,
    the development part, is the best covered)."""
    n = len(training)
    start, end = tenth * n // 10, (tenth + 1) * n // 10
    return training[:start] + training[end:], training[start:end]


def train(
    corpus: Path, model: Path, c1: float, c2: float, iterations: int, dev: bool = False
) -> None:
    """Train on the training part of `corpus` (without its dev part if `dev`); write the model."""
    training, held_out = split_holdout(read_conll(corpus))
    if dev:
        training, _ = split_dev(training)
    lexicon = Lexicon.build()
    trainer = pycrfsuite.Trainer(verbose=False)
    for sentence in training:
        words = [w for w, _ in sentence]
        trainer.append(sentence_features(lexicon, words), [t for _, t in sentence])
    trainer.set_params(
        {
            "c1": c1,
            "c2": c2,
            "max_iterations": iterations,
            "feature.possible_transitions": True,
        }
    )
    model.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    trainer.train(str(model))
    write_provenance(model, corpus, len(training), len(held_out), c1, c2, iterations, lexicon)
    print(
        f"trained on {len(training)} sentences (held out {len(held_out)}) in "
        f"{time.perf_counter() - began:.0f} s -> {model} ({model.stat().st_size // 1024} KB)"
    )


def write_provenance(
    model: Path,
    corpus: Path,
    trained: int,
    held_out: int,
    c1: float,
    c2: float,
    iterations: int,
    lexicon: Lexicon,
) -> None:
    """Record beside the model what it was trained on and with which features."""
    info = {
        "corpus": "ANERcorp training part, CAMeL Lab split (Benajiba et al. 2007; CC BY-SA 4.0)",
        "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest(),
        "trained_sentences": trained,
        "held_out_sentences": held_out,
        "held_out": "the last tenth of the sentences, never trained on",
        "c1": c1,
        "c2": c2,
        "iterations": iterations,
        "feature_signature": feature_signature(lexicon),
        "rebuild": REBUILD,
    }
    path = model.with_name(model.name + PROVENANCE_SUFFIX)
    path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--c1", type=float, default=0.05)
    parser.add_argument("--c2", type=float, default=0.01)
    parser.add_argument("--iterations", type=int, default=250)
    parser.add_argument(
        "--dev", action="store_true", help="also leave out the dev part (for feature tuning)"
    )
    args = parser.parse_args(argv)
    train(args.corpus, args.model, args.c1, args.c2, args.iterations, args.dev)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
