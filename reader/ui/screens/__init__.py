"""Screens of the reader app: the library, an article, search, feeds, entities, all notes, help,
and the dialogs they open (a file per screen)."""
