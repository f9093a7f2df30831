"""What the database has to tell the user, and whether it may be written."""

from __future__ import annotations

import threading
from collections.abc import Callable


class Notices:
    """One-sentence notices for the UI/CLI (damage repaired, a newer schema, a full disk),
    and the read-only state with its reason."""

    def __init__(self, thread_lock: threading.RLock) -> None:
        self.messages: list[str] = []
        #: Called with each message added after opening (damage found on a later read).
        self.on_message: Callable[[str], None] | None = None
        self.read_only = False
        self.read_only_reason = ""
        self._thread_lock = thread_lock

    def tell(self, message: str) -> None:
        """Add a notice (once), and pass it on when someone is listening."""
        with self._thread_lock:
            if message in self.messages:
                return
            self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)

    def set_read_only(self, reason: str) -> None:
        """From now on every write raises StoreError with `reason` (also a notice)."""
        self.read_only = True
        self.read_only_reason = reason
        self.messages.append(reason)

    def unavailable(self) -> str | None:
        """Why nothing may be written, or None."""
        return self.read_only_reason if self.read_only else None
