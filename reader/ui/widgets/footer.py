"""A footer that fits its width: compact when the full one would not fit, then fewer keys.

Textual's Footer lets a row of keys run off the right edge ("b Bi", "? He" at 80 columns).
This one measures the keys it would show; if they do not fit it switches to the compact
style, and if they still do not fit it leaves keys out from the right, keeping Help (which
lists every key) and the command palette key. No binding is lost: all stay in help/palette.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

#: Actions that are never left out of a narrow footer.
KEEP_ACTIONS = frozenset({"app.help", "help"})


def key_cells(key: FooterKey, *, compact: bool) -> int:
    """Cells one key takes in the footer (Textual's FooterKey and Footer CSS)."""
    label = cell_len(key.key_display)
    description = cell_len(key.description)
    palette = key.has_class("-command-palette")
    if compact:
        # key without padding, one space, description, then margin-right 1 (or border 1)
        return label + 1 + description + 1
    # " key " + "description " (+ border-left 1 and padding-right 1 for the palette key)
    return label + 2 + description + 1 + (2 if palette else 0)


def fit_keys(keys: list[FooterKey], width: int, *, compact: bool) -> list[FooterKey]:
    """The keys to show in `width` cells: all if they fit, else leave out from the right
    (never Help nor the palette key)."""
    kept = list(keys)
    total = sum(key_cells(key, compact=compact) for key in kept)
    for key in reversed(keys):
        if total <= width:
            break
        if key.action in KEEP_ACTIONS or key.has_class("-command-palette"):
            continue
        kept.remove(key)
        total -= key_cells(key, compact=compact)
    return kept


class FittingFooter(Footer):
    """Textual's Footer, fitted to the screen's width (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self._laid_out_for = -1
        self._shown: tuple[object, ...] | None = None
        """What the keys were composed from (`_keys_shown`)."""

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def _keys_shown(self) -> tuple[object, ...]:
        """Everything the footer's keys depend on: the shown bindings, whether each is enabled,
        and the width."""
        return (
            self._width(),
            tuple(
                (binding.key, binding.action, binding.description, enabled, tooltip)
                for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
                if binding.show or binding.key == self.app.COMMAND_PALETTE_BINDING
            ),
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Compose the keys again only when what they show changed: focus moving between
        widgets with the same keys, or a dialog opening over the screen, keeps them (each
        recompose mounts every key and lays the screen out again)."""
        unchanged = self._shown is not None and self.is_attached and screen is self.screen
        if unchanged and self._keys_shown() == self._shown:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        if self._bindings_ready:
            self._shown = self._keys_shown()
        items = list(super().compose())
        keys = [item for item in items if isinstance(item, FooterKey)]
        others: list[Widget] = [item for item in items if not isinstance(item, FooterKey)]
        width = self._width()
        self._laid_out_for = width
        full = sum(key_cells(key, compact=False) for key in keys)
        compact = full > width
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        kept = fit_keys(keys, width, compact=compact)
        for key in kept:
            key.compact = compact
        yield from others
        yield from (key for key in keys if key in kept)

    def on_resize(self, event: events.Resize) -> None:
        """Lay the keys out again when the width changes."""
        if event.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
