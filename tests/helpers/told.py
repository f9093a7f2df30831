"""What an app told the reader in notifications, seen through Textual's public test hook."""

from __future__ import annotations

from textual.message import Message
from textual.notifications import Notification, Notify

from reader.ui.shaped import logical_message


class Told:
    """Every notification an app posts while it runs: pass `hook` to `run_test` as its
    `message_hook` (called for each message dispatched). Kept after a toast times out."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []

    def hook(self, message: Message) -> None:
        if isinstance(message, Notify):
            self.notifications.append(message.notification)

    @property
    def messages(self) -> list[str]:
        """What each notification said, in logical order (as the reader's code wrote it)."""
        return [logical_message(notification) for notification in self.notifications]
