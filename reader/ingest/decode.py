"""Bytes to text: the size cap, byte-order marks, strict UTF-8, then charset-normalizer.

Binary data and bytes no encoding explains are refused with one sentence naming the file
or URL.
"""

from __future__ import annotations

import codecs
import re

from reader.errors import ReaderError

MAX_BYTES = 50 * 1024 * 1024
"""Files and downloads larger than this are refused (50 MB)."""

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` names, if there is one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def decode_text(data: bytes, label: str) -> str:
    """Bytes to text: BOMs first, then strict UTF-8, then charset-normalizer's best guess.

    Refuses binary data (NUL bytes or many control characters) and bytes no
    encoding explains, with a sentence naming `label`.
    """
    encoding = bom_encoding(data)
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            raise ReaderError(f"{label} is not valid {encoding.upper()} text.") from None
    elif b"\x00" in data[:65536]:
        raise ReaderError(f"{label} is a binary file, not text.")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _guess_decode(data, label)
    sample = text[:65536]
    if sample and len(_BINARY_CONTROL_RE.findall(sample)) > max(8, len(sample) // 100):
        raise ReaderError(f"{label} is a binary file, not text.")
    return text


def _guess_decode(data: bytes, label: str) -> str:
    """Non-UTF-8 bytes: charset-normalizer picks the encoding (Windows-1256, ISO-8859-6...)."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is None:
        raise ReaderError(f"{label} is not text in any encoding reader knows.")
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        raise ReaderError(f"{label} is not text in any encoding reader knows.") from None
