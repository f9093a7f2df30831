"""The one exception type for user errors: a plain sentence, never a traceback."""


class ReaderError(Exception):
    """A problem the user can act on; `str()` is one plain sentence naming what and where."""
