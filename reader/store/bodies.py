"""Article bodies: content-addressed files, written once, deleted when nothing names them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from reader.files import atomic_write
from reader.models import Block
from reader.store.errors import CorruptFileError, StoreError
from reader.store.layout import Layout
from reader.store.records import body_payload
from reader.store.storage import read_json_file


class Bodies:
    """`bodies/SHA256.json`: an article's blocks as `[[kind, text], ...]`, named by their hash,
    so an unchanged body is never written twice and a changed one never overwrites."""

    def __init__(self, layout: Layout) -> None:
        self._layout = layout

    def write(self, blocks: list[Block]) -> str:
        """Save `blocks` (unless that body is saved already); the hash that names them."""
        digest, payload = body_payload(blocks)
        target = self._layout.bodies_dir / f"{digest}.json"
        if not target.exists():
            atomic_write(target, payload)
        return digest

    def read(self, digest: str, article: str) -> list[Block]:
        """The blocks in body file `digest`; `article` names the article in a StoreError."""
        path = self._layout.bodies_dir / f"{digest}.json"
        damaged = (
            f"The saved text of the article {article} is damaged, so it cannot be shown "
            f"(the file {path} is kept); add the article again from its source."
        )
        try:
            loaded = read_json_file(path)
        except CorruptFileError as error:
            raise StoreError(damaged) from error
        if loaded is None:
            raise StoreError(
                f"The saved text of the article {article} is missing ({path}), so it cannot "
                "be shown; add the article again from its source."
            )
        try:
            return [Block(str(kind), str(text)) for kind, text in loaded[0]]  # type: ignore[arg-type]
        except (TypeError, ValueError) as error:
            raise StoreError(damaged) from error

    def collect(self, named: Iterable[str]) -> None:
        """Delete every body file whose hash is not in `named` (call under the write lock)."""
        keep = set(named)
        for body in os.scandir(self._layout.bodies_dir):
            if body.name.endswith(".json") and body.name[:-5] not in keep:
                with contextlib.suppress(OSError):
                    os.unlink(body.path)
