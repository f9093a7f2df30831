"""Name lists and trigger words the entity extractor knows without a model.

The lists are plain UTF-8 text files in `reader/entities/data/wordlists/`, one entry a line, each
with a header saying what it holds, where it comes from and under which licence. Blank
lines and lines starting with # are skipped. Entries are matched after
`reader.text.arabic.fold`, so spelling variants of alef, taa marbuta and yaa need no separate
lines; genuinely different spellings (غوغل / جوجل) do.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable

from reader.errors import ReaderError

#: Where the shipped lists live inside the installed package.
WORDLIST_FOLDER = ("data", "wordlists")


@dataclass(frozen=True, slots=True)
class Gazetteers:
    """Every word list, by the name of its file (without `.txt`)."""

    countries: tuple[str, ...]
    cities: tuple[str, ...]
    regions: tuple[str, ...]
    international_bodies: tuple[str, ...]
    companies: tuple[str, ...]
    sports_clubs: tuple[str, ...]
    media: tuple[str, ...]
    misc_names: tuple[str, ...]
    people: tuple[str, ...]
    government_bodies: tuple[str, ...]
    orgs_more: tuple[str, ...]
    misc_more: tuple[str, ...]
    places_more: tuple[str, ...]
    given_names: tuple[str, ...]
    ambiguous_given: tuple[str, ...]
    surnames: tuple[str, ...]
    ambiguous_surnames: tuple[str, ...]
    name_links: tuple[str, ...]
    person_titles: tuple[str, ...]
    org_triggers: tuple[str, ...]
    misc_triggers: tuple[str, ...]
    loc_triggers: tuple[str, ...]
    say_verbs: tuple[str, ...]
    gregorian_months: tuple[str, ...]
    levantine_months: tuple[str, ...]
    hijri_months: tuple[str, ...]
    currencies: tuple[str, ...]
    scales: tuple[str, ...]
    not_entities: tuple[str, ...]
    stopwords: tuple[str, ...]
    money_context: tuple[str, ...]

    def digest(self) -> str:
        """SHA-256 over every list's name and entries (comments and blank lines left out)."""
        digest = hashlib.sha256()
        for name in LIST_NAMES:
            entries: tuple[str, ...] = getattr(self, name)
            digest.update(name.encode("utf-8") + b"\0")
            digest.update("\n".join(entries).encode("utf-8") + b"\0\0")
        return digest.hexdigest()


#: The list names, in field order: each is a file `NAME.txt`.
LIST_NAMES = tuple(f.name for f in dataclasses.fields(Gazetteers))


def parse_entries(text: str) -> tuple[str, ...]:
    """Non-empty stripped lines of a list, in order; lines starting with # are comments."""
    stripped = (line.strip() for line in text.splitlines())
    return tuple(line for line in stripped if line and not line.startswith("#"))


def read_gazetteers(folder: Traversable) -> Gazetteers:
    """Read every list from `folder` (a directory or an installed package's resource)."""
    lists: dict[str, tuple[str, ...]] = {}
    for name in LIST_NAMES:
        resource = folder / f"{name}.txt"
        try:
            text = resource.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ReaderError(
                f"The entity word list {name}.txt cannot be read ({error}); reinstall reader."
            ) from None
        lists[name] = parse_entries(text)
    return Gazetteers(**lists)


def shipped_folder() -> Traversable:
    """The folder of the lists shipped inside the package."""
    return files("reader.entities").joinpath(*WORDLIST_FOLDER)


@functools.cache
def shipped_gazetteers() -> Gazetteers:
    """The shipped lists, read once per process (they are read-only package data)."""
    return read_gazetteers(shipped_folder())
