"""The Unicode Bidirectional Algorithm (UAX #9, Unicode 15) resolving levels, not just a string.

python-bidi 0.6 reorders whole strings but exposes no levels, and the layout engine must
reorder each wrapped line with the levels of its paragraph (rules L1, L2), mirror brackets
(N0, L4) and keep combining marks after their base. So this module implements P2-P3, X1-X10
(with isolates), W1-W7, N0-N2, I1-I2, L1-L2 and L4; the layout engine reorders every line
with `line_levels`, `mirror` and `reorder`, the functions the conformance test runs.

Speed: bidi classes are one-letter codes in a string (one `str.translate`), and the W and N
rules run as regular-expression and `str.replace` passes over that string, so the common
paragraph (one isolating run sequence, no explicit embeddings) costs a few C-level passes.

Class codes: L R A(=AL) E(=EN) s(=ES) t(=ET) N(=AN) c(=CS) m(=NSM) b(=BN) B S w(=WS) o(=ON),
1 LRE, 2 LRO, 3 RLE, 4 RLO, 5 PDF, 6 LRI, 7 RLI, 8 FSI, 9 PDI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

#: Level value marking a character removed by rule X9 (embeddings, overrides, PDF, BN).
REMOVED = 255
MAX_DEPTH = 125

_CODES = {
    "L": "L", "R": "R", "AL": "A", "EN": "E", "ES": "s", "ET": "t", "AN": "N", "CS": "c",
    "NSM": "m", "BN": "b", "B": "B", "S": "S", "WS": "w", "ON": "o", "LRE": "1", "LRO": "2",
    "RLE": "3", "RLO": "4", "PDF": "5", "LRI": "6", "RLI": "7", "FSI": "8", "PDI": "9",
}  # fmt: skip

# Default Bidi_Class of unassigned code points (DerivedBidiClass.txt header), for text newer
# than Python's Unicode database.
_DEFAULT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "R"), (0x0600, 0x07BF, "AL"), (0x07C0, 0x085F, "R"),
    (0x0860, 0x08FF, "AL"), (0x20A0, 0x20CF, "ET"), (0xFB1D, 0xFB4F, "R"),
    (0xFB50, 0xFDCF, "AL"), (0xFDF0, 0xFDFF, "AL"), (0xFE70, 0xFEFF, "AL"),
    (0x10800, 0x10CFF, "R"), (0x10D00, 0x10D3F, "AL"), (0x10D40, 0x10EBF, "R"),
    (0x10EC0, 0x10EFF, "AL"), (0x10F00, 0x10F2F, "R"), (0x10F30, 0x10F6F, "AL"),
    (0x10F70, 0x10FFF, "R"), (0x1E800, 0x1EC6F, "R"), (0x1EC70, 0x1ECBF, "AL"),
    (0x1ECC0, 0x1ECFF, "R"), (0x1ED00, 0x1ED4F, "AL"), (0x1ED50, 0x1EDFF, "R"),
    (0x1EE00, 0x1EEFF, "AL"), (0x1EF00, 0x1EFFF, "R"),
)  # fmt: skip


def _default_class(cp: int) -> str:
    """Bidi_Class of a code point Python's database does not know."""
    if (cp & 0xFFFE) == 0xFFFE or 0xFDD0 <= cp <= 0xFDEF or 0xE0000 <= cp <= 0xE0FFF:
        return "BN"
    for low, high, name in _DEFAULT_RANGES:
        if low <= cp <= high:
            return name
    return "L"


def _class_of(char: str) -> str:
    """Class code of one character."""
    return _CODES[unicodedata.bidirectional(char) or _default_class(ord(char))]


#: The BMP table as data (`tools/bidi_table.py` writes it): its first line names the Unicode
#: version it was made from, the second has the 65,536 class codes.
BMP_CLASSES_FILE = Path(__file__).parent / "data" / "bidi_classes.txt"


def bmp_classes_header() -> str:
    """The first line of `BMP_CLASSES_FILE` for this Python's Unicode database."""
    return (
        f"# Bidi_Class codes of U+0000..U+FFFF (bidi.py's one-letter codes), Unicode "
        f"{unicodedata.unidata_version}, unassigned code points by DerivedBidiClass.txt's "
        "defaults; written by tools/bidi_table.py"
    )


def computed_bmp_classes() -> str:
    """The class code of every BMP code point, from Python's Unicode database, with C-level
    loops (`map`, `join`) but for the ~1,500 code points the database does not know."""
    codes = {**_CODES, "": "?"}  # "?": a code point Python's database does not know
    joined = "".join(
        map(codes.__getitem__, map(unicodedata.bidirectional, map(chr, range(0x10000))))
    )
    table = list(joined)
    for unknown in re.finditer(r"\?", joined):
        cp = unknown.start()
        table[cp] = _CODES[_default_class(cp)]
    return "".join(table)


@lru_cache(maxsize=1)
def _bmp_table() -> list[str]:
    """`str.translate` table: class code of every BMP code point, indexed by code point.

    A list lookup is the fastest mapping `translate` accepts; code points above the BMP raise
    IndexError there, which `translate` answers by keeping the character (fixed up below).
    Read from `BMP_CLASSES_FILE` when it was made from this Python's Unicode version (a
    tenth of a millisecond, where computing it costs ~7 ms of every process's start),
    else computed.
    """
    try:
        header, codes = BMP_CLASSES_FILE.read_text(encoding="ascii").split("\n")[:2]
    except (OSError, ValueError):
        header = codes = ""
    if header != bmp_classes_header() or len(codes) != 0x10000:
        codes = computed_bmp_classes()
    return list(codes)


_UNMAPPED_RE = re.compile("[^LRAEstNcmbBSwo1-9]")


def _unmapped(match: re.Match[str]) -> str:
    return _class_of(match.group())


def bidi_classes(text: str) -> str:
    """One class code per character of `text` (same length)."""
    codes = text.translate(_bmp_table())
    if not codes.isascii():  # (known without a pass) a character beyond the BMP kept as is
        codes = _UNMAPPED_RE.sub(_unmapped, codes)
    return codes


# --- Mirroring (BidiMirroring-15.0) and paired brackets (BidiBrackets-15.0) ----------------
# Pairs of characters (from, to), generated from the Unicode Character Database files of the
# same names (© Unicode, Inc., Unicode License v3). Brackets: opening then closing bracket.
_MIRROR_PAIRS = (
    "\u0028\u0029\u0029\u0028\u003c\u003e\u003e\u003c\u005b\u005d\u005d\u005b\u007b\u007d\u007d\u007b"
    "\u00ab\u00bb\u00bb\u00ab\u0f3a\u0f3b\u0f3b\u0f3a\u0f3c\u0f3d\u0f3d\u0f3c\u169b\u169c\u169c\u169b"
    "\u2039\u203a\u203a\u2039\u2045\u2046\u2046\u2045\u207d\u207e\u207e\u207d\u208d\u208e\u208e\u208d"
    "\u2208\u220b\u2209\u220c\u220a\u220d\u220b\u2208\u220c\u2209\u220d\u220a\u2215\u29f5\u221f\u2bfe"
    "\u2220\u29a3\u2221\u299b\u2222\u29a0\u2224\u2aee\u223c\u223d\u223d\u223c\u2243\u22cd\u2245\u224c"
    "\u224c\u2245\u2252\u2253\u2253\u2252\u2254\u2255\u2255\u2254\u2264\u2265\u2265\u2264\u2266\u2267"
    "\u2267\u2266\u2268\u2269\u2269\u2268\u226a\u226b\u226b\u226a\u226e\u226f\u226f\u226e\u2270\u2271"
    "\u2271\u2270\u2272\u2273\u2273\u2272\u2274\u2275\u2275\u2274\u2276\u2277\u2277\u2276\u2278\u2279"
    "\u2279\u2278\u227a\u227b\u227b\u227a\u227c\u227d\u227d\u227c\u227e\u227f\u227f\u227e\u2280\u2281"
    "\u2281\u2280\u2282\u2283\u2283\u2282\u2284\u2285\u2285\u2284\u2286\u2287\u2287\u2286\u2288\u2289"
    "\u2289\u2288\u228a\u228b\u228b\u228a\u228f\u2290\u2290\u228f\u2291\u2292\u2292\u2291\u2298\u29b8"
    "\u22a2\u22a3\u22a3\u22a2\u22a6\u2ade\u22a8\u2ae4\u22a9\u2ae3\u22ab\u2ae5\u22b0\u22b1\u22b1\u22b0"
    "\u22b2\u22b3\u22b3\u22b2\u22b4\u22b5\u22b5\u22b4\u22b6\u22b7\u22b7\u22b6\u22b8\u27dc\u22c9\u22ca"
    "\u22ca\u22c9\u22cb\u22cc\u22cc\u22cb\u22cd\u2243\u22d0\u22d1\u22d1\u22d0\u22d6\u22d7\u22d7\u22d6"
    "\u22d8\u22d9\u22d9\u22d8\u22da\u22db\u22db\u22da\u22dc\u22dd\u22dd\u22dc\u22de\u22df\u22df\u22de"
    "\u22e0\u22e1\u22e1\u22e0\u22e2\u22e3\u22e3\u22e2\u22e4\u22e5\u22e5\u22e4\u22e6\u22e7\u22e7\u22e6"
    "\u22e8\u22e9\u22e9\u22e8\u22ea\u22eb\u22eb\u22ea\u22ec\u22ed\u22ed\u22ec\u22f0\u22f1\u22f1\u22f0"
    "\u22f2\u22fa\u22f3\u22fb\u22f4\u22fc\u22f6\u22fd\u22f7\u22fe\u22fa\u22f2\u22fb\u22f3\u22fc\u22f4"
    "\u22fd\u22f6\u22fe\u22f7\u2308\u2309\u2309\u2308\u230a\u230b\u230b\u230a\u2329\u232a\u232a\u2329"
    "\u2768\u2769\u2769\u2768\u276a\u276b\u276b\u276a\u276c\u276d\u276d\u276c\u276e\u276f\u276f\u276e"
    "\u2770\u2771\u2771\u2770\u2772\u2773\u2773\u2772\u2774\u2775\u2775\u2774\u27c3\u27c4\u27c4\u27c3"
    "\u27c5\u27c6\u27c6\u27c5\u27c8\u27c9\u27c9\u27c8\u27cb\u27cd\u27cd\u27cb\u27d5\u27d6\u27d6\u27d5"
    "\u27dc\u22b8\u27dd\u27de\u27de\u27dd\u27e2\u27e3\u27e3\u27e2\u27e4\u27e5\u27e5\u27e4\u27e6\u27e7"
    "\u27e7\u27e6\u27e8\u27e9\u27e9\u27e8\u27ea\u27eb\u27eb\u27ea\u27ec\u27ed\u27ed\u27ec\u27ee\u27ef"
    "\u27ef\u27ee\u2983\u2984\u2984\u2983\u2985\u2986\u2986\u2985\u2987\u2988\u2988\u2987\u2989\u298a"
    "\u298a\u2989\u298b\u298c\u298c\u298b\u298d\u2990\u298e\u298f\u298f\u298e\u2990\u298d\u2991\u2992"
    "\u2992\u2991\u2993\u2994\u2994\u2993\u2995\u2996\u2996\u2995\u2997\u2998\u2998\u2997\u299b\u2221"
    "\u29a0\u2222\u29a3\u2220\u29a4\u29a5\u29a5\u29a4\u29a8\u29a9\u29a9\u29a8\u29aa\u29ab\u29ab\u29aa"
    "\u29ac\u29ad\u29ad\u29ac\u29ae\u29af\u29af\u29ae\u29b8\u2298\u29c0\u29c1\u29c1\u29c0\u29c4\u29c5"
    "\u29c5\u29c4\u29cf\u29d0\u29d0\u29cf\u29d1\u29d2\u29d2\u29d1\u29d4\u29d5\u29d5\u29d4\u29d8\u29d9"
    "\u29d9\u29d8\u29da\u29db\u29db\u29da\u29e8\u29e9\u29e9\u29e8\u29f5\u2215\u29f8\u29f9\u29f9\u29f8"
    "\u29fc\u29fd\u29fd\u29fc\u2a2b\u2a2c\u2a2c\u2a2b\u2a2d\u2a2e\u2a2e\u2a2d\u2a34\u2a35\u2a35\u2a34"
    "\u2a3c\u2a3d\u2a3d\u2a3c\u2a64\u2a65\u2a65\u2a64\u2a79\u2a7a\u2a7a\u2a79\u2a7b\u2a7c\u2a7c\u2a7b"
    "\u2a7d\u2a7e\u2a7e\u2a7d\u2a7f\u2a80\u2a80\u2a7f\u2a81\u2a82\u2a82\u2a81\u2a83\u2a84\u2a84\u2a83"
    "\u2a85\u2a86\u2a86\u2a85\u2a87\u2a88\u2a88\u2a87\u2a89\u2a8a\u2a8a\u2a89\u2a8b\u2a8c\u2a8c\u2a8b"
    "\u2a8d\u2a8e\u2a8e\u2a8d\u2a8f\u2a90\u2a90\u2a8f\u2a91\u2a92\u2a92\u2a91\u2a93\u2a94\u2a94\u2a93"
    "\u2a95\u2a96\u2a96\u2a95\u2a97\u2a98\u2a98\u2a97\u2a99\u2a9a\u2a9a\u2a99\u2a9b\u2a9c\u2a9c\u2a9b"
    "\u2a9d\u2a9e\u2a9e\u2a9d\u2a9f\u2aa0\u2aa0\u2a9f\u2aa1\u2aa2\u2aa2\u2aa1\u2aa6\u2aa7\u2aa7\u2aa6"
    "\u2aa8\u2aa9\u2aa9\u2aa8\u2aaa\u2aab\u2aab\u2aaa\u2aac\u2aad\u2aad\u2aac\u2aaf\u2ab0\u2ab0\u2aaf"
    "\u2ab1\u2ab2\u2ab2\u2ab1\u2ab3\u2ab4\u2ab4\u2ab3\u2ab5\u2ab6\u2ab6\u2ab5\u2ab7\u2ab8\u2ab8\u2ab7"
    "\u2ab9\u2aba\u2aba\u2ab9\u2abb\u2abc\u2abc\u2abb\u2abd\u2abe\u2abe\u2abd\u2abf\u2ac0\u2ac0\u2abf"
    "\u2ac1\u2ac2\u2ac2\u2ac1\u2ac3\u2ac4\u2ac4\u2ac3\u2ac5\u2ac6\u2ac6\u2ac5\u2ac7\u2ac8\u2ac8\u2ac7"
    "\u2ac9\u2aca\u2aca\u2ac9\u2acb\u2acc\u2acc\u2acb\u2acd\u2ace\u2ace\u2acd\u2acf\u2ad0\u2ad0\u2acf"
    "\u2ad1\u2ad2\u2ad2\u2ad1\u2ad3\u2ad4\u2ad4\u2ad3\u2ad5\u2ad6\u2ad6\u2ad5\u2ade\u22a6\u2ae3\u22a9"
    "\u2ae4\u22a8\u2ae5\u22ab\u2aec\u2aed\u2aed\u2aec\u2aee\u2224\u2af7\u2af8\u2af8\u2af7\u2af9\u2afa"
    "\u2afa\u2af9\u2bfe\u221f\u2e02\u2e03\u2e03\u2e02\u2e04\u2e05\u2e05\u2e04\u2e09\u2e0a\u2e0a\u2e09"
    "\u2e0c\u2e0d\u2e0d\u2e0c\u2e1c\u2e1d\u2e1d\u2e1c\u2e20\u2e21\u2e21\u2e20\u2e22\u2e23\u2e23\u2e22"
    "\u2e24\u2e25\u2e25\u2e24\u2e26\u2e27\u2e27\u2e26\u2e28\u2e29\u2e29\u2e28\u2e55\u2e56\u2e56\u2e55"
    "\u2e57\u2e58\u2e58\u2e57\u2e59\u2e5a\u2e5a\u2e59\u2e5b\u2e5c\u2e5c\u2e5b\u3008\u3009\u3009\u3008"
    "\u300a\u300b\u300b\u300a\u300c\u300d\u300d\u300c\u300e\u300f\u300f\u300e\u3010\u3011\u3011\u3010"
    "\u3014\u3015\u3015\u3014\u3016\u3017\u3017\u3016\u3018\u3019\u3019\u3018\u301a\u301b\u301b\u301a"
    "\ufe59\ufe5a\ufe5a\ufe59\ufe5b\ufe5c\ufe5c\ufe5b\ufe5d\ufe5e\ufe5e\ufe5d\ufe64\ufe65\ufe65\ufe64"
    "\uff08\uff09\uff09\uff08\uff1c\uff1e\uff1e\uff1c\uff3b\uff3d\uff3d\uff3b\uff5b\uff5d\uff5d\uff5b"
    "\uff5f\uff60\uff60\uff5f\uff62\uff63\uff63\uff62"
)
_BRACKET_PAIRS = (
    "\u0028\u0029\u005b\u005d\u007b\u007d\u0f3a\u0f3b\u0f3c\u0f3d\u169b\u169c\u2045\u2046\u207d\u207e"
    "\u208d\u208e\u2308\u2309\u230a\u230b\u2329\u232a\u2768\u2769\u276a\u276b\u276c\u276d\u276e\u276f"
    "\u2770\u2771\u2772\u2773\u2774\u2775\u27c5\u27c6\u27e6\u27e7\u27e8\u27e9\u27ea\u27eb\u27ec\u27ed"
    "\u27ee\u27ef\u2983\u2984\u2985\u2986\u2987\u2988\u2989\u298a\u298b\u298c\u298d\u2990\u298f\u298e"
    "\u2991\u2992\u2993\u2994\u2995\u2996\u2997\u2998\u29d8\u29d9\u29da\u29db\u29fc\u29fd\u2e22\u2e23"
    "\u2e24\u2e25\u2e26\u2e27\u2e28\u2e29\u2e55\u2e56\u2e57\u2e58\u2e59\u2e5a\u2e5b\u2e5c\u3008\u3009"
    "\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\u3014\u3015\u3016\u3017\u3018\u3019\u301a\u301b"
    "\ufe59\ufe5a\ufe5b\ufe5c\ufe5d\ufe5e\uff08\uff09\uff3b\uff3d\uff5b\uff5d\uff5f\uff60\uff62\uff63"
)

#: Bidi_Mirroring_Glyph: the character drawn for a mirrored character at an odd level (L4).
MIRRORS: dict[str, str] = {
    _MIRROR_PAIRS[i]: _MIRROR_PAIRS[i + 1] for i in range(0, len(_MIRROR_PAIRS), 2)
}
_OPENERS: dict[str, str] = {
    _BRACKET_PAIRS[i]: _BRACKET_PAIRS[i + 1] for i in range(0, len(_BRACKET_PAIRS), 2)
}
_CLOSERS = frozenset(_OPENERS.values())
#: Canonical equivalents that must pair with each other (BD16 compares canonical forms).
_CANONICAL = {"\u2329": "\u3008", "\u232a": "\u3009"}
_BRACKET_RE = re.compile("[" + re.escape("".join(_OPENERS) + "".join(_CLOSERS)) + "]")


# --- P2, P3 -----------------------------------------------------------------------------
_STRONG_OR_ISOLATE_RE = re.compile("[LRA6789]")
_ISOLATE_RE = re.compile("[6789]")


def first_strong(classes: str, start: int = 0, end: int | None = None) -> int | None:
    """P2: 1 if the first strong class (skipping isolates) is R/AL, 0 if L, None if none."""
    stop = len(classes) if end is None else end
    pos = start
    while True:
        found = _STRONG_OR_ISOLATE_RE.search(classes, pos, stop)
        if found is None:
            return None
        code = found.group()
        if code == "L":
            return 0
        if code in "RA":
            return 1
        pos = found.end()
        if code == "9":
            continue
        depth = 1
        while depth:
            inner = _ISOLATE_RE.search(classes, pos, stop)
            if inner is None:
                return None
            depth += -1 if inner.group() == "9" else 1
            pos = inner.end()


def paragraph_level(classes: str, direction: int | None = None) -> int:
    """P3: the paragraph embedding level; `direction` 0/1 forces it, None means auto."""
    if direction is not None:
        return direction
    return first_strong(classes) or 0


# --- W1-W7, N0-N2, I1-I2 on one isolating run sequence ------------------------------------
_W2_RE = re.compile("A[^LRAE]*E[^LRA]*")
_NSM_RUN_RE = re.compile("m+")
#: W4 as replacements: a single ES or CS between two ENs, a single CS between two ANs.
_W4_REPLACEMENTS = (("EsE", "EEE"), ("EcE", "EEE"), ("NcN", "NNN"))
_W5_RE = re.compile("t+(?=E)|(?<=E)t+")
_W6_TABLE = str.maketrans("stc", "ooo")
_W7_RE = re.compile("L[^LRE]*E[^LR]*")
_N1_R_RE = re.compile("(?<=[REN])[BSwo6789](?=[REN])")
_N1_L_RE = re.compile("(?<=L)[BSwo6789](?=L)")
_NI_RUN_RE = re.compile("[BSwo6789]+")
_ALL_R_TABLE = str.maketrans("BSwo6789", "RRRRRRRR")
_ALL_L_TABLE = str.maketrans("BSwo6789", "LLLLLLLL")


def _level_table(level: int) -> bytes:
    """I1/I2 as a bytes.translate table from final class code to level."""
    if level & 1:
        values = bytes([level + 1, level, level + 1, level + 1])
    else:
        values = bytes([level, level + 1, level + 2, level + 2])
    return bytes.maketrans(b"LREN", values)


_LEVEL_TABLES: tuple[bytes, ...] = tuple(_level_table(level) for level in range(MAX_DEPTH + 2))


def _to_en(match: re.Match[str]) -> str:
    return "E" * len(match.group())


def _w2(match: re.Match[str]) -> str:
    return match.group().replace("E", "N")


def _w7(match: re.Match[str]) -> str:
    return match.group().replace("E", "L")


def bracket_pairs(
    chars: str, keep: Callable[[int, str], bool]
) -> tuple[list[tuple[int, int]], bool]:
    """BD16: the bracket pairs (sorted indices into `chars`) among the brackets `keep(index,
    char)` accepts, and whether the stack overflowed (63 open brackets), where pairing stops."""
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    overflow = False
    for found in _BRACKET_RE.finditer(chars):
        index = found.start()
        char = found.group()
        if not keep(index, char):
            continue
        if char in _OPENERS:
            if len(stack) == 63:
                overflow = True
                break
            closer = _OPENERS[char]
            stack.append((_CANONICAL.get(closer, closer), index))
        else:
            want = _CANONICAL.get(char, char)
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth][0] == want:
                    pairs.append((stack[depth][1], index))
                    del stack[depth:]
                    break
    pairs.sort()
    return pairs, overflow


def _pair_brackets(chars: str, types: list[str]) -> list[tuple[int, int]]:
    """BD16 among the brackets still typed ON."""
    return bracket_pairs(chars, lambda index, _char: types[index + 1] == "o")[0]


def _n0(classes: str, chars: str, s: str, level: int) -> str:
    """N0: paired brackets take the embedding direction, or the context's opposite one."""
    types = list(s)
    pairs = _pair_brackets(chars, types)
    if not pairs:
        return s
    embedding = "R" if level & 1 else "L"
    opposite = "L" if embedding == "R" else "R"
    for open_at, close_at in pairs:
        found_embedding = found_opposite = False
        for code in types[open_at + 2 : close_at + 1]:
            strong = "R" if code in "REN" else code
            if strong == embedding:
                found_embedding = True
                break
            if strong == opposite:
                found_opposite = True
        if found_embedding:
            direction = embedding
        elif found_opposite:
            context = embedding
            for k in range(open_at, -1, -1):
                code = types[k]
                if code == "L":
                    context = "L"
                    break
                if code in "REN":
                    context = "R"
                    break
            direction = opposite if context == opposite else embedding
        else:
            continue
        for index in (open_at, close_at):
            types[index + 1] = direction
            k = index + 1
            while k < len(classes) and classes[k] == "m":
                types[k + 1] = direction
                k += 1
    return "".join(types)


def resolve_sequence(classes: str, chars: str, level: int, sos: str, eos: str) -> str:
    """W1-W7 and N0-N2 on one isolating run sequence: its final types, each L, R, E or N."""
    s = sos + classes + eos
    if "m" in s:  # W1: a run of NSMs takes the type before it (ON after an isolate's ends)
        before = s

        def w1(match: re.Match[str]) -> str:
            code = before[match.start() - 1]  # (never the first: that is sos)
            return ("o" if code in "6789" else code) * (match.end() - match.start())

        s = _NSM_RUN_RE.sub(w1, before)
    if "A" in s:
        if "E" in s:  # W2
            if s.find("L", 1, -1) < 0 and s.find("R", 1, -1) < 0:
                # AL is the only strong type inside: every EN after the first AL is AN
                first = s.index("A")
                s = s[:first] + s[first:].replace("E", "N")
            else:
                s = _W2_RE.sub(_w2, s)
        s = s.replace("A", "R")  # W3
    if "s" in s or "c" in s:  # W4: twice, as a separator's right neighbour may be the next
        for separated, joined in _W4_REPLACEMENTS:  # one's left (the passes do not overlap)
            if separated in s:
                s = s.replace(separated, joined).replace(separated, joined)
    if "t" in s and "E" in s:  # W5
        s = _W5_RE.sub(_to_en, s)
    s = s.translate(_W6_TABLE)  # W6
    if "E" in s and "L" in s:  # W7
        s = _W7_RE.sub(_w7, s)
    if "o" in s and _BRACKET_RE.search(chars):  # N0
        s = _n0(classes, chars, s, level)
    if "L" not in s:  # N1: only R-like strong types (EN and AN count as R), sos/eos R too
        return s[1:-1].translate(_ALL_R_TABLE)
    if "R" not in s and "E" not in s and "N" not in s:
        return s[1:-1].translate(_ALL_L_TABLE)
    s = _N1_R_RE.sub("R", s)  # N1 for the common single neutral
    s = _N1_L_RE.sub("L", s)
    if _NI_RUN_RE.search(s):  # N1 for longer runs, N2
        embedding = "R" if level & 1 else "L"
        current = s

        def fill(match: re.Match[str]) -> str:
            before = current[match.start() - 1]
            after = current[match.end()]
            before = "R" if before in "REN" else before
            after = "R" if after in "REN" else after
            return (before if before == after else embedding) * len(match.group())

        s = _NI_RUN_RE.sub(fill, current)
    return s[1:-1]


# --- X1-X10 and the whole paragraph --------------------------------------------------------
#: Explicit formatting codes and BN, which X1-X9 act on.
_EXPLICIT_CODES = "b123456789"


def resolve_levels(text: str, classes: str, para_level: int) -> bytearray:
    """Embedding levels of every character of one paragraph (before L1); REMOVED for X9."""
    if not any(code in classes for code in _EXPLICIT_CODES):  # (ten memchr: most text)
        sos = "R" if para_level & 1 else "L"
        final = resolve_sequence(classes, text, para_level, sos, sos)
        return bytearray(final.encode("ascii").translate(_LEVEL_TABLES[para_level]))
    return _resolve_explicit(text, classes, para_level)


def _matching_pdis(classes: str) -> dict[int, int]:
    """BD9: isolate initiator index -> its matching PDI index."""
    matches: dict[int, int] = {}
    stack: list[int] = []
    for found in _ISOLATE_RE.finditer(classes):
        index = found.start()
        if found.group() == "9":
            if stack:
                matches[stack.pop()] = index
        else:
            stack.append(index)
    return matches


def _resolve_explicit(text: str, classes: str, para_level: int) -> bytearray:
    """The general path: explicit embeddings, overrides, isolates, BN."""
    n = len(classes)
    types = list(classes)
    levels = bytearray(n)
    matches = _matching_pdis(classes)
    stack: list[tuple[int, str, bool]] = [(para_level, "", False)]
    overflow_isolates = overflow_embeddings = valid_isolates = 0
    for i, code in enumerate(classes):
        level, override, _isolate = stack[-1]
        if code in "1234":  # X2-X5
            levels[i] = REMOVED
            new = (level + 1) | 1 if code in "34" else (level + 2) & ~1
            if new <= MAX_DEPTH and overflow_isolates == 0 and overflow_embeddings == 0:
                stack.append((new, "R" if code == "4" else "L" if code == "2" else "", False))
            elif overflow_isolates == 0:
                overflow_embeddings += 1
        elif code in "678":  # X5a-X5c
            levels[i] = level
            if override:
                types[i] = override
            if code == "8":
                inner = first_strong(classes, i + 1, matches.get(i, n))
                code = "7" if inner == 1 else "6"
            new = (level + 1) | 1 if code == "7" else (level + 2) & ~1
            if new <= MAX_DEPTH and overflow_isolates == 0 and overflow_embeddings == 0:
                valid_isolates += 1
                stack.append((new, "", True))
            else:
                overflow_isolates += 1
        elif code == "9":  # X6a
            if overflow_isolates > 0:
                overflow_isolates -= 1
            elif valid_isolates:
                overflow_embeddings = 0
                while not stack[-1][2]:
                    stack.pop()
                stack.pop()
                valid_isolates -= 1
            level, override, _isolate = stack[-1]
            levels[i] = level
            if override:
                types[i] = override
        elif code == "5":  # X7
            levels[i] = REMOVED
            if overflow_isolates > 0:
                pass
            elif overflow_embeddings > 0:
                overflow_embeddings -= 1
            elif not stack[-1][2] and len(stack) >= 2:
                stack.pop()
        elif code == "B":  # X8
            levels[i] = para_level
            stack = [(para_level, "", False)]
            overflow_isolates = overflow_embeddings = valid_isolates = 0
        elif code == "b":  # X9
            levels[i] = REMOVED
        else:  # X6
            levels[i] = level
            if override:
                types[i] = override
    kept = [i for i in range(n) if levels[i] != REMOVED]
    if not kept:
        return levels
    # X10: level runs, chained into isolating run sequences through matched isolates.
    runs: list[list[int]] = []
    previous = -1
    for i in kept:
        if runs and levels[i] == previous:
            runs[-1].append(i)
        else:
            runs.append([i])
            previous = levels[i]
    embedding = bytes(levels)  # X10 compares embedding levels, not resolved ones
    run_at = {run[0]: run for run in runs}
    matched_pdis = set(matches.values())
    position = {index: k for k, index in enumerate(kept)}
    for run in runs:
        if classes[run[0]] == "9" and run[0] in matched_pdis:
            continue
        sequence = list(run)
        while classes[sequence[-1]] in "678" and sequence[-1] in matches:
            following = run_at.get(matches[sequence[-1]])
            if following is None:
                break
            sequence.extend(following)
        level = embedding[sequence[0]]
        k = position[sequence[0]]
        before = embedding[kept[k - 1]] if k > 0 else para_level
        last = sequence[-1]
        k = position[last]
        ends_open = classes[last] in "678" or k + 1 == len(kept)
        after = para_level if ends_open else embedding[kept[k + 1]]
        sos = "R" if max(level, before) & 1 else "L"
        eos = "R" if max(level, after) & 1 else "L"
        final = resolve_sequence(
            "".join(types[i] for i in sequence),
            "".join(text[i] for i in sequence),
            level,
            sos,
            eos,
        )
        table = _LEVEL_TABLES[level]
        for index, value in zip(sequence, final.encode("ascii").translate(table), strict=True):
            levels[index] = value
    return levels


# --- L1, L2, L4 --------------------------------------------------------------------------
#: Classes L1 resets when they trail a line or precede a separator: whitespace, isolate
#: formatting characters, and (with their levels kept as REMOVED) what X9 removed.
_L1_RESET = frozenset("w6789b12345")


def line_levels(classes: str, levels: Sequence[int], start: int, end: int, para: int) -> bytearray:
    """L1 for the line [start, end) of a paragraph: its levels, with segment and paragraph
    separators, and the whitespace and isolate formatting characters before them or at the
    end of the line, reset to the paragraph level `para` (REMOVED stays REMOVED).

    The one L1 of the package: the layout engine calls it for every line it reorders, and the
    conformance test (BidiCharacterTest.txt) checks it. `classes` and `levels` may cover a
    window of the paragraph: `start` and `end` index them."""
    out = bytearray(levels[start:end])
    reset = _L1_RESET
    for code in "SB":  # (each separator resets only back to the one before it: any order)
        separator = classes.find(code, start, end)
        while separator >= 0:
            out[separator - start] = para
            k = separator - 1
            while k >= start and classes[k] in reset:
                if out[k - start] != REMOVED:
                    out[k - start] = para
                k -= 1
            separator = classes.find(code, separator + 1, end)
    k = end - 1
    while k >= start and classes[k] in reset:
        if out[k - start] != REMOVED:
            out[k - start] = para
        k -= 1
    return out


_MIRROR_TABLE = str.maketrans(MIRRORS)


def mirror(text: str) -> str:
    """L4: what glyphs draw at an odd (right-to-left) level: `text` with each character that
    has a Bidi_Mirroring_Glyph replaced by it. One glyph or a whole line of them: only a
    glyph's base can have one (never its marks, which stay after it)."""
    return text.translate(_MIRROR_TABLE)


@lru_cache(maxsize=MAX_DEPTH + 2)
def _run_re(floor: int) -> re.Pattern[bytes]:
    """Runs of levels at or above `floor` (compiled on first use): L2 finds them at C speed."""
    return re.compile(b"[" + re.escape(bytes([floor])) + b"-\xfe]+")


def reorder(items: Sequence[T], levels: Sequence[int]) -> list[T]:
    """L2: `items` (one line, logical order) in visual order given their levels."""
    result = list(items)
    if not result:
        return result
    high = max(levels)
    low = min(levels)
    if high == low:
        if low & 1:
            result.reverse()
        return result
    current = bytearray(levels)
    for floor in range(high, low - 1 if low & 1 else low, -1):  # down to the lowest odd level
        for start, end in [match.span() for match in _run_re(floor).finditer(current)]:
            result[start:end] = result[start:end][::-1]
            current[start:end] = current[start:end][::-1]
    return result


def visual_order(levels: Sequence[int]) -> list[int]:
    """Indices of the non-removed characters of one line in visual order."""
    kept = [i for i, level in enumerate(levels) if level != REMOVED]
    return reorder(kept, [levels[i] for i in kept])
