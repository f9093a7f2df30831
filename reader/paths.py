"""Where things live: the user's database, and the seeds and themes we ship."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "reader"
DB_ENV = "READER_DB"
DB_FILENAME = "reader.json"

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """The platform's user data folder for reader (not created here)."""
    import platformdirs  # here: commands that never open the library do not load it

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The database path when neither `--db` nor `READER_DB` says otherwise."""
    return data_dir() / DB_FILENAME


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """`--db` wins, then `READER_DB`, then the user data folder."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return default_db_path()


def _shipped(name: str) -> Path:
    """A folder shipped in the wheel (reader/_data/NAME) or, from a checkout, at the root."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name


def seeds_dir() -> Path:
    """The sample articles a new library starts with."""
    return _shipped("seeds")


def themes_dir() -> Path:
    """The Textual themes we ship."""
    return _shipped("themes")
