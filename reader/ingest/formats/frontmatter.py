"""Front matter: YAML fields between `---` lines at the top of a text or Markdown file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reader.errors import ReaderError

FRONT_MATTER_MAX_CHARS = 64 * 1024
"""Front matter longer than this is refused rather than parsed (64 KB)."""

_FRONT_MATTER_KEY_RE = re.compile(r"^[A-Za-z_][\w-]*$")
_FRONT_MATTER_START_RE = re.compile(r"^\s*[A-Za-z_][\w-]*\s*:")


def _front_matter_value(value: Any) -> str | None:
    """A field as text: strings as they are, a list of strings joined with commas."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(item for item in value if isinstance(item, str) and item)
    return None


def split_front_matter(text: str, label: str = "the file") -> tuple[dict[str, str], str]:
    """`---` / YAML fields / `---` (or `...`) at the very top: the fields and the rest.

    Parsed with PyYAML's BaseLoader (safe, and every value stays text: `2024-03-15`,
    `yes` and `1.0` are not turned into a date, a boolean or a number). A block that
    is not a mapping of field names (a paragraph between two rules) is not front
    matter and stays in the text; a block that starts like fields but is not valid
    YAML is a `ReaderError` naming `label` and the line.
    """
    stripped = text.lstrip("\ufeff")
    lines = stripped.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, text
    end = next(
        (index for index, line in enumerate(lines[1:], 1) if line.strip() in ("---", "...")),
        None,
    )
    if end is None:
        return {}, text
    block = "\n".join(lines[1:end])
    first = next((line for line in lines[1:end] if line.strip()), "")
    looks_like_fields = bool(_FRONT_MATTER_START_RE.match(first))
    if len(block) > FRONT_MATTER_MAX_CHARS:
        if not looks_like_fields:
            return {}, text
        raise ReaderError(
            f"{label} has front matter longer than {FRONT_MATTER_MAX_CHARS // 1024} KB, "
            "more than reader reads."
        )
    import yaml

    try:
        data = yaml.load(block, Loader=yaml.BaseLoader)  # builds no objects: safe
    except yaml.YAMLError as error:
        if not looks_like_fields:
            return {}, text
        # "while scanning a quoted scalar" marks where the quote opened: the line to fix
        context = getattr(error, "context", None) or ""
        mark = getattr(error, "context_mark", None) or getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(error, "problem", None) or "it cannot be parsed"
        problem = f"{problem} {context}".strip()
        raise ReaderError(
            f"{label} has front matter (between the --- lines) that is not valid YAML"
            f"{where}: {problem}."
        ) from None
    if data is None:  # nothing but blank lines and comments
        return {}, "\n".join(lines[end + 1 :])
    if not isinstance(data, dict) or not all(
        isinstance(key, str) and _FRONT_MATTER_KEY_RE.match(key) for key in data
    ):
        return {}, text
    fields: dict[str, str] = {}
    for key, value in data.items():
        as_text = _front_matter_value(value)
        if as_text is not None:
            fields[key.lower()] = as_text
    return fields, "\n".join(lines[end + 1 :])


def front_matter_meta(fields: Mapping[str, str]) -> dict[str, str]:
    aliases = {
        "title": "title",
        "source": "source",
        "url": "source",
        "link": "source",
        "date": "date",
        "published": "date",
        "author": "author",
        "language": "language",
        "lang": "language",
    }
    meta: dict[str, str] = {}
    for key, value in fields.items():
        target = aliases.get(key)
        if target and value and target not in meta:
            meta[target] = value
    return meta
