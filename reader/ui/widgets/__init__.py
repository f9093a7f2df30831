"""Widgets of the reader app (article view, side pane, and the panes other modules add)."""
