"""Widgets of the reader app: the article view and its reading view, the side pane and its
Entities and Notes tabs, shaped text, input and note editor, the footer (a file per widget)."""
