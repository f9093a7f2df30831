"""Small helpers the screens share (kept light to import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.ingest.metadata import short_source

if TYPE_CHECKING:
    from textual import events
    from textual.screen import Screen
    from textual.widget import Widget
    from textual.widgets import Input

__all__ = ["short_source", "type_into_filter"]


def type_into_filter(screen: Screen[None], event: events.Key, table: Widget, box: Input) -> None:
    """Keys on a list with a filter `box` ("/" is bound to focusing it):
    - "/" on `table` focuses the box at once. Bindings run only once a key has bubbled up
      to the app, by when the keys typed after "/" (fast typing, a paste, a busy app) have
      reached `table` and would have run its bindings;
    - a printable key that nothing is bound to, pressed on `table`, starts filtering: the box
      takes focus and the character;
    - keys that reached `table` while the box was being focused go to the box too.
    Any other key is left alone."""
    if event.key == "slash" and screen.focused is table:
        screen.set_focus(box)
        event.stop()
        event.prevent_default()
        return
    if not event.is_printable or not event.character:
        return
    if screen.focused is table:
        if event.key in screen.active_bindings or event.character in screen.active_bindings:
            return
        screen.set_focus(box)  # now, so the keys queued behind this one find it focused
    elif screen.focused is not box:
        return
    box.insert_text_at_cursor(event.character)
    event.stop()
    event.prevent_default()
