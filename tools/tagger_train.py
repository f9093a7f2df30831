"""Train the neural entity tagger (BiLSTM-CRF, character CNN) on ANERcorp: needs torch.

    nice -n 10 python tools/tagger_train.py [--dev] [--epochs 20] [--out DIR] [--checkpoints DIR]

Reads `../shared/anercorp/ANERcorp_train.txt`, holds out its last tenth exactly as
`tools/ner_train.py` and `benchmarks/bench_entities.py` do, and trains on the rest (without
its own last tenth, the development part, with `--dev`, to tune without the held-out part).
Each word brings its frozen word2vec vector and its Brown-cluster prefixes
(`tools/entity_tables.py`), its characters, and the cue flags of the CRF's word lists
(`reader.entities.tagger_inputs`). Trained with packed sequences and word dropout (a fifth of
the training words, drawn afresh each epoch, are seen as unknown: most names of a new text
have no vector and were never trained on); the weights of the last ten of 20 epochs are
averaged; the result is written as float16 arrays (`tagger.npz`, read by
`reader.entities.tagger` in plain numpy) with `tagger.json` (alphabet, tags, hyper-parameters,
signature). At the end the numpy forward pass is checked against torch's on the dev sentences.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from ner_train import (  # noqa: E402
    DEFAULT_CORPUS,
    read_conll,
    split_dev,
    split_holdout,
    split_tenth,
)

from reader.entities.extractor import bio_spans  # noqa: E402
from reader.entities.features import Lexicon  # noqa: E402
from reader.entities.tagger import CONFIG_FILE, WEIGHTS_FILE, NeuralTagger  # noqa: E402
from reader.entities.tagger_inputs import (  # noqa: E402
    BROWN_PREFIXES,
    FLAGS,
    GAZ_TAGS,
    MAX_CHARS,
    Encoded,
    Tables,
    char_ids,
    encode_sentence,
    lexical_ids,
    tagger_signature,
    word_key,
)
from reader.text.arabic import fold_plain  # noqa: E402

DATA = ROOT / "reader" / "entities" / "data"
TAGS = ("O", "B-PERS", "I-PERS", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
HYPER: dict[str, Any] = {
    "brown_dim": 8,
    "lexical_dim": 32,
    "vector_scale": 3.0,
    "lexical_min_count": 2,
    "char_dim": 20,
    "char_filters": 32,
    "hidden": 96,
    "dropout": 0.3,
    "gazetteer_dropout": 0.0,
    "word_dropout": 0.2,
    "weight_decay": 0.0,
    "reshuffle": False,
    "optimiser": "adam",
    "lr": 0.003,
    "lr_decay": 0.0,
    "batch": 16,
    "clip": 5.0,
    "epochs": 20,
    "average_last": 10,
    "min_char_count": 2,
    "seed": 15,
}


class Net(nn.Module):
    """Word vector + cluster embeddings + character CNN + flags -> BiLSTM -> CRF scores."""

    def __init__(self, vectors: np.ndarray, n_brown: list[int], n_chars: int, n_words: int) -> None:
        super().__init__()
        hp = HYPER
        table = np.concatenate([np.zeros((1, vectors.shape[1])), vectors.astype(np.float32)])
        self.words = nn.Embedding.from_pretrained(torch.tensor(table, dtype=torch.float32))
        self.scale = float(hp["vector_scale"])
        # The tagger's own trained embedding of frequent training words (none when 0).
        self.lexical = nn.Embedding(n_words + 1, hp["lexical_dim"]) if hp["lexical_dim"] else None
        self.brown = nn.ModuleList(nn.Embedding(n + 1, hp["brown_dim"]) for n in n_brown)
        self.chars = nn.Embedding(n_chars, hp["char_dim"], padding_idx=0)
        self.conv = nn.Conv1d(hp["char_dim"], hp["char_filters"], 3, padding=1)
        width = vectors.shape[1] + hp["lexical_dim"] + len(n_brown) * hp["brown_dim"]
        width += hp["char_filters"] + len(FLAGS)
        self.drop = nn.Dropout(hp["dropout"])
        self.gazetteer_dropout = float(hp["gazetteer_dropout"])
        self.word_dropout = float(hp["word_dropout"])
        self.register_buffer(
            "unknown_columns",
            torch.tensor([float(f == "no_vector") - float(f == "vector_of_stem") for f in FLAGS]),
        )
        self.register_buffer(
            "gazetteer_columns", torch.tensor([float(f in GAZ_TAGS) for f in FLAGS])
        )
        self.lstm = nn.LSTM(width, hp["hidden"], batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hp["hidden"], len(TAGS))
        self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
        self.start = nn.Parameter(torch.zeros(len(TAGS)))
        self.end = nn.Parameter(torch.zeros(len(TAGS)))

    def emissions(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        words, lengths = batch["words"], batch["lengths"]
        b, t = words.shape
        chars = batch["chars"]  # (B, T, L)
        e = self.chars(chars.view(b * t, -1)).transpose(1, 2)  # (BT, C, L)
        conv = torch.relu(self.conv(e)) * (chars.view(b * t, 1, -1) > 0)
        char_features = conv.max(dim=2).values.view(b, t, -1)
        lexical, flags = batch["lexical"], batch["flags"]
        if self.training and self.word_dropout:
            # Words seen as if unknown (no vector, not in the own vocabulary), as most of a new
            # text's names are: the tagger learns to tag them from context and characters.
            unknown = torch.rand(b, t) < self.word_dropout
            words = words.masked_fill(unknown, 0)
            lexical = lexical.masked_fill(unknown, 0)
            # Their flags say so too: no vector, none found through a stem.
            flags = (flags + unknown[:, :, None] * self.unknown_columns).clamp(0, 1)
        pieces = [self.words(words) * self.scale]
        if self.lexical is not None:
            pieces.append(self.lexical(lexical))
        pieces += [emb(batch["brown"][:, :, k]) for k, emb in enumerate(self.brown)]
        if self.training and self.gazetteer_dropout:
            # Whole sentences without their word-list hits: the lists name fewer of a new
            # text's people and organisations than of the training part's.
            lost = (torch.rand(b, 1, 1) < self.gazetteer_dropout).float()
            flags = flags * (1 - lost * self.gazetteer_columns)
        pieces += [char_features, flags]
        x = self.drop(torch.cat(pieces, dim=2))
        packed = nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        hidden, _ = self.lstm(packed)
        hidden, _ = nn.utils.rnn.pad_packed_sequence(hidden, batch_first=True, total_length=t)
        scores: torch.Tensor = self.out(self.drop(hidden))
        return scores

    def loss(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Negative log-likelihood of the gold tags under the CRF, summed over the batch."""
        scores = self.emissions(batch)
        tags, mask = batch["tags"], batch["mask"]
        b, t, _ = scores.shape
        rows = torch.arange(b)
        gold = self.start[tags[:, 0]] + scores[rows, 0, tags[:, 0]]
        alpha = self.start + scores[:, 0]
        for i in range(1, t):
            step = mask[:, i]
            gold = gold + step * (
                self.trans[tags[:, i - 1], tags[:, i]] + scores[rows, i, tags[:, i]]
            )
            nxt = torch.logsumexp(
                alpha[:, :, None] + self.trans[None] + scores[:, i, None, :], dim=1
            )
            alpha = torch.where(step[:, None] > 0, nxt, alpha)
        last = tags[rows, batch["lengths"] - 1]
        gold = gold + self.end[last]
        log_z = torch.logsumexp(alpha + self.end, dim=1)
        return (log_z - gold).sum()


def make_batch(
    encoded: list[Encoded],
    tags: list[list[int]],
    alphabet: dict[str, int],
    vocab: dict[str, int],
) -> dict[str, torch.Tensor]:
    b = len(encoded)
    t = max(len(e.words) for e in encoded)
    width = max(1, *(min(len(f), MAX_CHARS) for e in encoded for f in e.folded))
    words = np.zeros((b, t), dtype=np.int64)
    lexical = np.zeros((b, t), dtype=np.int64)
    brown = np.zeros((b, t, len(BROWN_PREFIXES)), dtype=np.int64)
    flags = np.zeros((b, t, len(FLAGS)), dtype=np.float32)
    chars = np.zeros((b, t, width), dtype=np.int64)
    gold = np.zeros((b, t), dtype=np.int64)
    mask = np.zeros((b, t), dtype=np.float32)
    for row, (e, y) in enumerate(zip(encoded, tags, strict=True)):
        n = len(e.words)
        words[row, :n] = e.words
        lexical[row, :n] = lexical_ids(vocab, e.folded)
        brown[row, :n] = e.brown
        flags[row, :n] = e.flags
        gold[row, :n] = y
        mask[row, :n] = 1.0
        for col, f in enumerate(e.folded):
            ids = char_ids(alphabet, f)
            chars[row, col, : len(ids)] = ids
    return {
        "words": torch.from_numpy(words),
        "lexical": torch.from_numpy(lexical),
        "brown": torch.from_numpy(brown),
        "flags": torch.from_numpy(flags),
        "chars": torch.from_numpy(chars),
        "tags": torch.from_numpy(gold),
        "mask": torch.from_numpy(mask),
        "lengths": torch.tensor([len(e.words) for e in encoded], dtype=torch.int64),
    }


def export(net: Net, state: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """The numpy runtime's arrays (float16) from a state dict."""
    s = {k: v.detach().float().numpy() for k, v in state.items()}
    if "lexical.weight" not in s:  # no own embedding: a (1, 0) table the runtime reads as none
        s["lexical.weight"] = np.zeros((1, 0), dtype=np.float32)
    conv = s["conv.weight"]  # (F, C, 3) -> (3C, F): window [t-1, t, t+1] by channel
    out = {
        "lexical": s["lexical.weight"],
        "char.embed": s["chars.weight"],
        "char.w": conv.transpose(2, 1, 0).reshape(-1, conv.shape[0]),
        "char.b": s["conv.bias"],
        "out.w": s["out.weight"].T,
        "out.b": s["out.bias"],
        "crf.trans": s["trans"],
        "crf.start": s["start"],
        "crf.end": s["end"],
    }
    for k in range(len(BROWN_PREFIXES)):
        out[f"brown.{k}"] = s[f"brown.{k}.weight"]
    for name, suffix in (("f", ""), ("b", "_reverse")):
        w_in = s[f"lstm.weight_ih_l0{suffix}"].T.copy()
        # The word vectors' scale, folded into their rows of the input weights: the runtime
        # reads the table's unit vectors as they are.
        w_in[: net.words.weight.shape[1]] *= net.scale
        out[f"lstm.{name}.w_in"] = w_in
        out[f"lstm.{name}.w_rec"] = s[f"lstm.weight_hh_l0{suffix}"].T
        out[f"lstm.{name}.b"] = s[f"lstm.bias_ih_l0{suffix}"] + s[f"lstm.bias_hh_l0{suffix}"]
    return {k: np.ascontiguousarray(v).astype(np.float16) for k, v in out.items()}


def f1(gold: list[list[str]], predicted: list[list[str]]) -> float:
    tp = fp = fn = 0
    for g, p in zip(gold, predicted, strict=True):
        gs, ps = set(bio_spans(g)), set(bio_spans(p))
        tp += len(gs & ps)
        fp += len(ps - gs)
        fn += len(gs - ps)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--tables", type=Path, default=DATA, help="folder of the tables")
    parser.add_argument("--out", type=Path, default=DATA)
    parser.add_argument("--dev", action="store_true", help="leave out the development part too")
    parser.add_argument(
        "--dev-tenth",
        type=int,
        help="leave out this tenth (0-9) of the training part instead, as the development part",
    )
    parser.add_argument("--epochs", type=int, default=HYPER["epochs"])
    parser.add_argument(
        "--average",
        type=int,
        default=HYPER["average_last"],
        help="average the weights of this many last epochs",
    )
    parser.add_argument("--dropout", type=float, default=HYPER["dropout"])
    parser.add_argument(
        "--gazetteer-dropout",
        type=float,
        default=HYPER["gazetteer_dropout"],
        help="share of training sentences seen without their word-list hits, each epoch",
    )
    parser.add_argument(
        "--word-dropout",
        type=float,
        default=HYPER["word_dropout"],
        help="share of training words seen as unknown (no vector, no own embedding), each epoch",
    )
    parser.add_argument(
        "--weight-decay",
        type=float,
        default=HYPER["weight_decay"],
        help="AdamW's decoupled weight decay on the trained weights (0: plain Adam)",
    )
    parser.add_argument(
        "--reshuffle",
        action="store_true",
        help="regroup the batches each epoch (by length, ties in random order)",
    )
    parser.add_argument(
        "--checkpoints",
        type=Path,
        help="save each epoch's weights here (epoch-NN.pt, config.json), to try averaging windows",
    )
    parser.add_argument("--batch", type=int, default=HYPER["batch"])
    parser.add_argument("--lr", type=float, default=HYPER["lr"])
    parser.add_argument(
        "--optimiser",
        choices=("adam", "sgd"),
        default=HYPER["optimiser"],
        help="Adam, or SGD with momentum 0.9",
    )
    parser.add_argument(
        "--lr-decay", type=float, default=HYPER["lr_decay"], help="lr / (1 + decay * epoch)"
    )
    parser.add_argument("--hidden", type=int, default=HYPER["hidden"], help="LSTM units a way")
    parser.add_argument("--char-filters", type=int, default=HYPER["char_filters"])
    parser.add_argument(
        "--lexical-dim",
        type=int,
        default=HYPER["lexical_dim"],
        help="size of the tagger's own embedding of training words (0: none)",
    )
    parser.add_argument(
        "--vector-scale",
        type=float,
        default=HYPER["vector_scale"],
        help="multiply the (unit-length) word vectors by this",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=HYPER["seed"])
    args = parser.parse_args(argv)
    HYPER["epochs"] = args.epochs
    HYPER["seed"] = args.seed
    HYPER["dropout"] = args.dropout
    HYPER["gazetteer_dropout"] = args.gazetteer_dropout
    HYPER["word_dropout"] = args.word_dropout
    HYPER["weight_decay"] = args.weight_decay
    HYPER["reshuffle"] = args.reshuffle
    HYPER["batch"] = args.batch
    HYPER["lr"] = args.lr
    HYPER["optimiser"] = args.optimiser
    HYPER["lr_decay"] = args.lr_decay
    HYPER["hidden"] = args.hidden
    HYPER["char_filters"] = args.char_filters
    HYPER["lexical_dim"] = args.lexical_dim
    HYPER["vector_scale"] = args.vector_scale
    HYPER["average_last"] = min(args.average, args.epochs)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)

    training, held_out = split_holdout(read_conll(args.corpus))
    fit, dev = (
        split_dev(training) if args.dev_tenth is None else split_tenth(training, args.dev_tenth)
    )
    if args.dev or args.dev_tenth is not None:
        training = fit
    lexicon = Lexicon.build()
    tables = Tables.load(args.tables)
    # Characters of the folded words: count them as the model will see them.
    char_counts = Counter(
        c for s in training for w, _ in s for c in encode_sentence(lexicon, tables, [w]).folded[0]
    )
    alphabet_list = sorted(c for c, n in char_counts.items() if n >= HYPER["min_char_count"])
    alphabet = {c: i + 2 for i, c in enumerate(alphabet_list)}
    tag_index = {t: i for i, t in enumerate(TAGS)}
    # The tagger's own embeddings, for words seen at least twice in training (the others
    # share id 0, which so learns what an unseen word looks like).
    word_counts = Counter(word_key(fold_plain(w)) for s in training for w, _ in s)
    vocabulary = sorted(w for w, n in word_counts.items() if n >= HYPER["lexical_min_count"])
    if not HYPER["lexical_dim"]:
        vocabulary = []
    vocab = {w: i + 1 for i, w in enumerate(vocabulary)}

    def encode(part: list[list[tuple[str, str]]]) -> tuple[list[Encoded], list[list[int]]]:
        return (
            [encode_sentence(lexicon, tables, [w for w, _ in s]) for s in part],
            [[tag_index[t] for _, t in s] for s in part],
        )

    began = time.perf_counter()
    train_x, train_y = encode(training)
    dev_x, _ = encode(dev)
    print(
        f"encoded {len(train_x)} training, {len(dev_x)} dev sentences in "
        f"{time.perf_counter() - began:.0f} s; alphabet {len(alphabet)}",
        flush=True,
    )
    net = Net(tables.vectors, [len(p) for p in tables.prefix_ids], len(alphabet) + 2, len(vocab))
    trained = [p for p in net.parameters() if p.requires_grad]
    optimiser: torch.optim.Optimizer
    if HYPER["optimiser"] == "sgd":
        optimiser = torch.optim.SGD(
            trained, lr=HYPER["lr"], momentum=0.9, weight_decay=HYPER["weight_decay"]
        )
    elif HYPER["weight_decay"]:
        optimiser = torch.optim.AdamW(trained, lr=HYPER["lr"], weight_decay=HYPER["weight_decay"])
    else:
        optimiser = torch.optim.Adam(trained, lr=HYPER["lr"])

    def make_batches(order: list[int]) -> list[dict[str, torch.Tensor]]:
        """Batches of sentences of similar lengths (less padding), in `order` within a length."""
        by_length = sorted(order, key=lambda k: len(train_x[k].words))
        size = HYPER["batch"]
        chunks = [by_length[i : i + size] for i in range(0, len(by_length), size)]
        return [
            make_batch([train_x[k] for k in c], [train_y[k] for k in c], alphabet, vocab)
            for c in chunks
        ]

    # The batches are shuffled each epoch (and with --reshuffle regrouped first).
    batches = make_batches(list(range(len(train_x))))
    averaged: dict[str, torch.Tensor] = {}
    first_averaged = args.epochs - HYPER["average_last"] + 1
    config = {
        "tags": list(TAGS),
        "alphabet": alphabet_list,
        "vocabulary": vocabulary,
        "hyper": HYPER,
    }
    dev_gold = [[t for _, t in s] for s in dev]
    if args.checkpoints:
        args.checkpoints.mkdir(parents=True, exist_ok=True)
        (args.checkpoints / "config.json").write_text(
            json.dumps(config, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    for epoch in range(1, args.epochs + 1):
        began = time.perf_counter()
        for group in optimiser.param_groups:
            group["lr"] = HYPER["lr"] / (1 + HYPER["lr_decay"] * (epoch - 1))
        net.train()
        if HYPER["reshuffle"] and epoch > 1:
            order = list(range(len(train_x)))
            random.shuffle(order)
            batches = make_batches(order)
        random.shuffle(batches)
        total = 0.0
        for batch in batches:
            optimiser.zero_grad()
            loss = net.loss(batch)
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), HYPER["clip"])
            optimiser.step()
            total += float(loss.detach())
        if args.checkpoints:
            torch.save(net.state_dict(), args.checkpoints / f"epoch-{epoch:02d}.pt")
        if epoch >= first_averaged:
            for k, v in net.state_dict().items():
                averaged[k] = averaged.get(k, 0) + v.detach().clone() / HYPER["average_last"]
        tagger = NeuralTagger(
            {k: v.astype(np.float32) for k, v in export(net, net.state_dict()).items()},
            config,
            tables,
            lexicon,
        )
        dev_f1 = f1(dev_gold, tagger.tag(dev_x))
        print(
            f"epoch {epoch}: loss {total / len(train_x):.3f}  dev F1 {dev_f1:.3f}"
            f"{'' if training is fit else ' (trained on)'}  {time.perf_counter() - began:.0f} s",
            flush=True,
        )

    net.load_state_dict(averaged)
    arrays = export(net, averaged)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / WEIGHTS_FILE, **arrays)  # type: ignore[arg-type]
    info = {
        **config,
        "corpus": "ANERcorp training part, CAMeL Lab split (Benajiba et al. 2007; CC BY-SA 4.0)",
        "corpus_sha256": hashlib.sha256(args.corpus.read_bytes()).hexdigest(),
        "trained_sentences": len(training),
        "held_out_sentences": len(held_out),
        "held_out": "the last tenth of the sentences, never trained on",
        "development_part_left_out": training is fit,
        "signature": tagger_signature(lexicon, args.tables, HYPER),
        "rebuild": "python tools/tagger_train.py",
    }
    (out / CONFIG_FILE).write_text(
        json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    # The numpy forward pass against torch's, on the dev sentences.
    shipped = NeuralTagger.load(out, lexicon, tables)
    net.load_state_dict({k: v.half().float() for k, v in averaged.items()})
    net.eval()
    worst = 0.0
    with torch.no_grad():
        for start in range(0, len(dev_x), 32):
            part = dev_x[start : start + 32]
            batch = make_batch(part, [[0] * len(e.words) for e in part], alphabet, vocab)
            reference = net.emissions(batch).numpy()
            for row, scores in enumerate(shipped.emissions(part)):
                diff = np.abs(scores - reference[row, : len(scores)]).max()
                worst = max(worst, float(diff))
    print(
        f"dev F1 of the averaged float16 model: {f1(dev_gold, shipped.tag(dev_x)):.3f}; "
        f"numpy vs torch (same float16 weights): max score difference {worst:.4f}"
    )
    size_mb = sum((out / n).stat().st_size for n in (WEIGHTS_FILE, CONFIG_FILE)) / 1e6
    print(f"wrote {out / WEIGHTS_FILE} ({size_mb:.1f} MB with its config)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
