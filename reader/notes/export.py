"""Exporting notes to files: where each document goes and writing it whole.

The documents themselves come from the pure serialisers (`reader.notes.markdown` for
Markdown, `reader.notes.webanno` for Web Annotation JSON); this module names files
after article titles (valid on every common file system, never clobbering another
article's export), finds the export folder and writes atomically. It needs of the
store only what `ExportStore` names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import platformdirs

from reader.errors import ReaderError
from reader.files import write_text_atomic, write_texts_atomic
from reader.models import Annotation, Article, now_iso
from reader.notes.markdown import EntityLike, article_markdown

EXPORT_DIR_SETTING = "export_dir"
"""Store setting naming the folder `export_article_file` writes into."""

MAX_NAME_BYTES = 200
"""File-name stem cap in UTF-8 bytes: leaves room for " (99)" and an extension under 255."""


class ExportStore(Protocol):
    """The part of `reader.store.database.Store` that exporting needs."""

    def get_article(self, article_id: str) -> Article | None: ...

    def annotations_for(self, article_id: str) -> list[Annotation]: ...

    def get_setting(self, key: str, default: Any = None) -> Any: ...


_FORBIDDEN_RE = re.compile(r'[/\\:*?"<>|]')
_BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{kind}{n}" for kind in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}


def safe_filename(title: str, *, fallback: str = "article", max_bytes: int = MAX_NAME_BYTES) -> str:
    """A file-name stem from a title, valid on Linux, macOS and Windows file systems.

    Drops / \\ : * ? " < > |, control and bidi-override characters (the latter can
    disguise a name), folds whitespace to single spaces, strips leading and trailing
    dots and spaces, avoids reserved Windows device names and caps the UTF-8 length
    at `max_bytes` without splitting a character. Arabic letters are kept as they are.
    """
    chars = []
    for char in title:
        if _FORBIDDEN_RE.match(char) or char.isspace():
            chars.append(" ")
        elif unicodedata.category(char) in ("Cc", "Cs", "Co", "Cn") or char in _BIDI_CONTROLS:
            continue
        else:
            chars.append(char)
    name = re.sub(r" {2,}", " ", "".join(chars)).strip(" .")
    encoded = name.encode("utf-8")
    if len(encoded) > max_bytes:
        name = encoded[:max_bytes].decode("utf-8", errors="ignore")
        # Do not leave a dangling combining mark or joiner cut from its letter.
        while name and (unicodedata.combining(name[-1]) or name[-1] in "\u200c\u200d"):
            name = name[:-1]
        name = name.strip(" .")
    if not name:
        name = fallback
    if name.split(".")[0].strip(" ").upper() in _WINDOWS_RESERVED:
        name = "_" + name
    return name


def default_export_dir(store: ExportStore) -> Path:
    """The setting `export_dir` if set, else the user's Documents folder / reader."""
    configured = store.get_setting(EXPORT_DIR_SETTING)
    if configured:
        return Path(str(configured)).expanduser()
    return Path(platformdirs.user_documents_dir()) / "reader"


def _owner_id(path: Path) -> str | None:
    """The `reader-id` in an existing export's front matter, if the file is one of ours."""
    try:
        with path.open(encoding="utf-8") as handle:
            head = handle.read(8192)
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r'^reader-id: "([^"\\]*)"$', head, re.MULTILINE)
    return match.group(1) if match else None


def target_path(
    folder: Path, article: Article, suffix: str, taken: set[Path] | None = None
) -> Path:
    """Where an article's export goes in `folder`: named from the title, never clobbering
    another article's export (or a name already used in this run) with the same title."""
    stem = safe_filename(article.title, fallback=safe_filename(article.id))
    for n in range(1, 1000):
        name = stem if n == 1 else f"{stem} ({n})"
        path = folder / f"{name}{suffix}"
        if taken is not None and path in taken:
            continue
        if not path.exists() or _owner_id(path) == article.id:
            return path
    raise ReaderError(f"Too many files named like {stem}{suffix} in {folder}.")


def export_article_file(store: ExportStore, article_id: str, folder: Path | None = None) -> Path:
    """Write one article's notes as Markdown into `folder` (default: the export folder).

    Re-exporting the same article replaces its earlier file; returns the path written.
    """
    article = store.get_article(article_id)
    if article is None:
        raise ReaderError(f"No article with id {article_id} in the library.")
    folder = folder if folder is not None else default_export_dir(store)
    path = target_path(folder, article, ".md")
    text = article_markdown(article, store.annotations_for(article_id), exported_at=now_iso())
    write_text_atomic(path, text)
    return path


def export_markdown_files(
    folder: Path,
    items: Iterable[tuple[Article, list[Annotation], Sequence[EntityLike] | None]],
    *,
    exported_at: str,
) -> list[Path]:
    """Write each article's notes (and entities, where given) as Markdown into `folder`, one
    file an article named by `target_path`; returns the paths, in the order of `items`.

    The files are written together (`write_texts_atomic`): each whole and fsynced, the folder
    fsynced once, so hundreds of files take a fraction of a second rather than an fsync each.
    """
    taken: set[Path] = set()
    files: list[tuple[Path, str]] = []
    for article, notes, entities in items:
        path = target_path(folder, article, ".md", taken)
        taken.add(path)
        files.append(
            (path, article_markdown(article, notes, entities=entities, exported_at=exported_at))
        )
    write_texts_atomic(files)
    return [path for path, _text in files]
