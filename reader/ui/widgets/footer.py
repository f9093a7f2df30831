"""A footer that fits its width: short labels, compact when the full one would not fit, then
fewer keys, the least needed first.

Textual's Footer lets a row of keys run off the right edge ("b Bi", "? He" at 80 columns).
This one shows some keys with a shorter label than their description (`FOOTER_LABELS`; help
and the palette keep the full one), measures the keys; if they do not fit it switches to the
compact style, and if they still do not fit it leaves keys out by `RANKS` (lowest first; among
equals from the right), never Help (which lists every key) nor the command palette key. The
screen's keys come first, most needed first, then the app's. No binding is lost: all stay in
help and the palette.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

# Textual does not export FooterKey; tests take it from here (an explicit re-export).
from textual.widgets._footer import FooterKey as FooterKey

#: Actions that are never left out of a narrow footer.
KEEP_ACTIONS = frozenset({"app.help", "help"})

#: Footer label (and key shown, when not the binding's own) by binding id, where the binding's
#: description (which help and the palette show) is longer than a footer can spare.
FOOTER_LABELS: dict[str, tuple[str | None, str]] = {
    "read.highlight_1": ("1-5", "Highlight"),
    "library.add": (None, "Add"),
    "library.delete": (None, "Delete"),
    "library.archive": (None, "Archive"),
    "library.undo": (None, "Undo"),
    "library.show_archived": (None, "Archived"),
    "library.refresh_feeds": (None, "Refresh"),
    "library.toggle_read": (None, "Read"),
    "library.unread_only": (None, "Unread"),
    "app.bidi": (None, "Bidi"),
}

#: How much a reader needs a key in the footer, by binding id (others: DEFAULT_RANK). When the
#: keys do not fit, the lowest go first.
RANKS: dict[str, int] = {
    "library.filter": 9,
    "library.search": 9,
    "read.select": 9,
    "read.highlight_1": 9,
    "read.note": 9,
    "article.back": 9,
    "article.find": 9,
    "article.find_next": 9,
    "article.find_previous": 8,
    "library.add": 8,
    "library.archive": 8,
    "library.delete": 8,
    "library.feeds": 7,
    "library.entities": 7,
    "article.pane": 7,
    "app.quit": 7,
    "library.undo": 6,
    "library.toggle_read": 6,
    "library.next_unread": 5,
    "library.unread_only": 5,
    "library.show_archived": 5,
    "article.export": 5,
    "library.refresh_feeds": 4,
    "article.previous": 4,
    "article.next": 4,
    "app.bidi": 3,
}
DEFAULT_RANK = 6


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


def fit_keys(
    keys: list[FooterKey], width: int, *, compact: bool, ranks: dict[str, int] | None = None
) -> list[FooterKey]:
    """The keys to show in `width` cells, in their order: all if they fit, else leave out the
    lowest ranked (`ranks` by action; among equals from the right), never Help nor the
    palette key."""
    rank = ranks or {}
    kept = list(keys)
    total = sum(key_cells(key, compact=compact) for key in kept)
    order = sorted(
        range(len(keys)), key=lambda index: (rank.get(keys[index].action, DEFAULT_RANK), -index)
    )
    for index in order:
        if total <= width:
            break
        key = keys[index]
        if key.action in KEEP_ACTIONS or key.has_class("-command-palette"):
            continue
        kept.remove(key)
        total -= key_cells(key, compact=compact)
    return kept


def take_binding(widget: FooterKey, source: FooterKey, *, compact: bool) -> None:
    """Make the mounted key `widget` show what the new (unmounted) `source` would."""
    widget.key = source.key
    widget.key_display = source.key_display
    widget.description = source.description
    widget.action = source.action
    disabled = source.has_class("-disabled")
    widget._disabled = disabled  # FooterKey's own flag: a click on a disabled key rings
    widget.set_class(disabled, "-disabled")
    widget.tooltip = source.tooltip
    widget.compact = compact
    widget.refresh(layout=True)


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
        recompose mounts every key and lays the screen out again). When they did change (the
        reading cursor moved onto a highlight, a selection began), the key widgets on screen
        take the new bindings and only the difference is mounted or removed."""
        current = self._shown is not None and self.is_attached and screen is self.screen
        if current and self._keys_shown() == self._shown:
            return
        if current and screen.app.app_focus:
            self.call_after_refresh(self._update_keys)
            return
        super().bindings_changed(screen)

    def _fitted(self) -> tuple[list[Widget], list[FooterKey], bool]:
        """(other widgets, the keys that fit in order, compact) for the bindings and width."""
        if self._bindings_ready:
            self._shown = self._keys_shown()
        items = list(super().compose())
        keys = [item for item in items if isinstance(item, FooterKey)]
        others: list[Widget] = [item for item in items if not isinstance(item, FooterKey)]
        ids = {
            binding.action: binding.id
            for _node, binding, _enabled, _tooltip in self.screen.active_bindings.values()
            if binding.show and binding.id
        }
        ranks: dict[str, int] = {}
        for key in keys:
            binding_id = ids.get(key.action)
            if binding_id is None:
                continue
            display, label = FOOTER_LABELS.get(binding_id, (None, key.description))
            key.key_display = display or key.key_display
            key.description = label
            ranks[key.action] = RANKS.get(binding_id, DEFAULT_RANK)
        # The screen's keys, most needed first; the app's (quit, help, bidi) at the end.
        keys.sort(
            key=lambda key: (
                ids.get(key.action, "").startswith("app.") or key.has_class("-command-palette"),
                -ranks.get(key.action, DEFAULT_RANK),
            )
        )
        width = self._width()
        self._laid_out_for = width
        full = sum(key_cells(key, compact=False) for key in keys)
        compact = full > width
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        kept = fit_keys(keys, width, compact=compact, ranks=ranks)
        for key in kept:
            # Not mounted (mounting styles it; or only a source for `take_binding`): set the
            # class without FooterKey's watcher, which restyles the loose widget at once.
            key.set_reactive(FooterKey.compact, compact)
            key.set_class(compact, "-compact", update=False)
        return others, kept, compact

    def compose(self) -> ComposeResult:
        others, kept, _compact = self._fitted()
        yield from others
        yield from kept

    def _update_keys(self) -> None:
        """Show the current bindings with the key widgets already mounted (bindings_changed)."""
        if not self.is_attached or self._keys_shown() == self._shown:
            return
        shown = list(self.children)
        others, kept, compact = self._fitted()
        if others or any(not isinstance(child, FooterKey) for child in shown):
            self.call_later(self.recompose)  # binding groups: Textual's own compose
            return
        old = [key for key in shown if isinstance(key, FooterKey)]
        old_plain = [key for key in old if not key.has_class("-command-palette")]
        new_plain = [key for key in kept if not key.has_class("-command-palette")]
        old_palette = [key for key in old if key.has_class("-command-palette")]
        new_palette = [key for key in kept if key.has_class("-command-palette")]
        for widget, source in [
            *zip(old_plain, new_plain, strict=False),
            *zip(old_palette, new_palette, strict=False),
        ]:
            take_binding(widget, source, compact=compact)
        surplus = old_plain[len(new_plain) :] + old_palette[len(new_palette) :]
        if surplus:
            self.remove_children(surplus)
        if len(new_plain) > len(old_plain):
            after = old_plain[-1] if old_plain else None
            if after is None:
                self.mount_all(new_plain, before=0)
            else:
                self.mount_all(new_plain[len(old_plain) :], after=after)
        if len(new_palette) > len(old_palette):
            self.mount_all(new_palette[len(old_palette) :])
        self.refresh(layout=True)

    def on_resize(self, event: events.Resize) -> None:
        """Lay the keys out again when the width changes."""
        if event.size.width != self._laid_out_for:
            self.call_after_refresh(self.recompose)
