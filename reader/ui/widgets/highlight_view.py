"""The article view with a reading cursor, selection, highlights and notes.

`ReadingView` extends `ArticleView` (which draws marks cell-exact through the layout
maps) with what the reading screen needs:

- a reading cursor that moves by word (Left/Right), sentence (Shift+Left/Right) and
  paragraph (Shift+Up/Down) in reading order: in a right-to-left paragraph the key
  pointing left moves forward;
- `v` starts a selection that those motions extend, `s` selects the sentence, `p` the
  paragraph, Escape drops the selection; the mouse selects by press, drag and release in
  whole words (a drag never splits a word), double-click selects a word, triple-click a
  sentence, shift+click extends the selection (cells map back to logical offsets, so the
  selection is exactly the logical span of the words swept);
- keys 1-5 turn the selection into a highlight of that colour (on a highlight without a
  selection they change its colour); overlapping highlights are allowed;
- `n` (or Enter) opens the note editor on the highlight under the cursor, `t` its tags,
  `d` deletes it and `u` undoes the deletion; `A` lists the notes of every article.

Layers drawn: "highlight" (`$reader-highlight-N`), "selection" and "cursor". Everything
is stored as logical offsets, so marks stay right after resizing or a bidi-mode switch.

The screen gives the view its store and saver (attributes down); the view shows each change
at once, saves it through the saver, and posts `HighlightsChanged` (messages up). Note
dialogs and the all-notes list are the screen's and the app's: the view asks for them with
`EditNote` and `ShowAllNotes`, and `apply_note` saves what the dialog returned.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import ClassVar, Literal, Protocol, TypeVar

from textual import events
from textual.binding import Binding, BindingType

from reader.errors import ReaderError
from reader.models import Annotation, Article, now_iso, text_hash
from reader.text import motion
from reader.text.modes import BidiMode
from reader.text.sanitize import clean_annotation
from reader.ui.messages import EditNote, HighlightsChanged, NoteResult, ShowAllNotes
from reader.ui.saving import Saver
from reader.ui.widgets.article_view import ArticleView

T = TypeVar("T")

COLOURS = 5

BACKGROUND_SAVES_FROM = 20_000
"""Highlights on one article from which saves always go to the background thread: with
10,000 a save takes about 20 ms (benchmarks/bench_save.py), with 100,000 about 200 ms."""


def _ignore(_result: object) -> None:
    return None


class AnnotationStore(Protocol):
    """What the reading view asks of the store: one article's highlights."""

    def annotations_for(self, article_id: str) -> list[Annotation]:
        """The article's highlights, orphans included."""

    def add_annotation(self, annotation: Annotation) -> None:
        """Save a new highlight."""

    def update_annotation_fields(self, base: Annotation, **changes: object) -> Annotation:
        """Save some fields of a highlight onto the record as saved now."""

    def delete_annotation(self, annotation_id: str) -> Annotation | None:
        """Remove a highlight; what was removed."""


def note_changes(annotation: Annotation, result: NoteResult) -> dict[str, object]:
    """The fields the note dialog changed: only these are saved (see `_change`)."""
    changes: dict[str, object] = {}
    if result.note != annotation.note:
        changes["note"] = result.note
    if list(result.tags) != annotation.tags:
        changes["tags"] = list(result.tags)
    if result.color != annotation.color:
        changes["color"] = result.color
    return changes


def apply_note_result(
    store: AnnotationStore, annotation: Annotation, result: NoteResult
) -> Annotation | None:
    """Save what the note dialog returned; the updated annotation, or None when deleted.

    Only the fields the dialog changed are written, onto the record as saved now
    (`Store.update_annotation_fields`), so what another process saved is kept.
    """
    if result.action == "delete":
        store.delete_annotation(annotation.id)
        return None
    # Typed or pasted text is cleaned like everything else that enters the store.
    cleaned = clean_annotation(
        dataclasses.replace(annotation, note=result.note, tags=list(result.tags))
    )
    result = dataclasses.replace(result, note=cleaned.note, tags=cleaned.tags)
    changes = note_changes(annotation, result)
    if not changes:
        return annotation
    return store.update_annotation_fields(annotation, updated=now_iso(), **changes)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """A span without white space at either end."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class ReadingView(ArticleView):
    """An `ArticleView` you can select in, highlight and annotate."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move('word', 'left')", "Word", show=False, id="read.word_left"),
        Binding("right", "move('word', 'right')", "Word", show=False, id="read.word_right"),
        Binding(
            "shift+left", "move('sentence', 'left')", "Sentence", show=False, id="read.sent_left"
        ),
        Binding(
            "shift+right",
            "move('sentence', 'right')",
            "Sentence",
            show=False,
            id="read.sent_right",
        ),
        Binding("shift+up", "move('paragraph', 'up')", "Paragraph", show=False, id="read.par_up"),
        Binding(
            "shift+down", "move('paragraph', 'down')", "Paragraph", show=False, id="read.par_down"
        ),
        Binding("v", "select", "Select", id="read.select"),
        Binding("s", "select_unit('sentence')", "Select sentence", show=False, id="read.sentence"),
        Binding("p", "select_unit('paragraph')", "Select paragraph", show=False, id="read.par"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="read.clear"),
        *(
            Binding(
                str(colour),
                f"highlight({colour})",
                f"Highlight in colour {colour}",
                show=colour == 1,
                id=f"read.highlight_{colour}",
            )
            for colour in range(1, COLOURS + 1)
        ),
        Binding("n", "note", "Note", id="read.note"),
        # Enter is not a find key: it opens the note even while find marks are shown.
        Binding("enter", "note('enter')", "Note", show=False, id="read.note_enter"),
        Binding("t", "tags", "Tags", show=False, id="read.tags"),
        Binding("d", "delete_highlight", "Delete highlight", show=False, id="read.delete"),
        Binding("u", "undo_delete", "Undo delete", show=False, id="read.undo"),
        Binding("A", "all_notes", "All notes", show=False, id="read.all_notes"),
    ]

    def __init__(
        self,
        article: Article | None = None,
        *,
        mode: BidiMode = "app",
        harakat: bool = True,
        reading_width: int = 80,
        store: AnnotationStore | None = None,
        saver: Saver | None = None,
        id: str | None = None,  # noqa: A002 - Textual's widget id
    ) -> None:
        self.store = store
        """Where highlights are read and saved (None: shown, never saved)."""
        self.saver = saver
        """Saves without waiting for another process (None: saved directly)."""
        super().__init__(article, mode=mode, harakat=harakat, reading_width=reading_width, id=id)
        self.cursor: int | None = None
        """Reading cursor: an offset into the article text (None until first used)."""
        self.selection: tuple[int, int] | None = None
        """Selected span of the article text."""
        self.annotations: list[Annotation] = []
        """The open article's annotations (orphans included), in reading order."""
        self._text = ""
        self._anchor: tuple[int, int] | None = None
        self._selecting = False
        self._drag_from: int | None = None
        """Offset pressed (None for a shift+press, which extends and is never a click)."""
        self._drag_span: tuple[int, int] | None = None
        """While the mouse button is down: the span the selection always includes."""
        self._undo: list[Annotation] = []
        self._fresh: set[str] = set()
        self._digest: str | None = None

    # ------------------------------------------------------------------ the article

    def set_article(self, article: Article, offset: int = 0) -> None:
        """Show `article` and its highlights; the cursor and selection start afresh."""
        super().set_article(article, offset)
        self._text = article.text
        self._digest = None
        self.cursor = None
        self.selection = None
        self._anchor = None
        self._selecting = False
        self._undo.clear()
        self.annotations = []
        if self.store is not None:
            self.annotations = list(self.store.annotations_for(article.id))
        self._draw_highlights()

    def reload_annotations(self) -> bool:
        """Show the article's highlights as saved now (another process changed them): the
        cursor, selection and scroll position stay. False when nothing changed."""
        if self.store is None or self.article is None:
            return False
        saved = list(self.store.annotations_for(self.article.id))
        if {a.id: a for a in saved} == {a.id: a for a in self.annotations}:
            return False
        self.annotations = saved
        self._notes_changed()
        return True

    @property
    def text(self) -> str:
        """The open article's logical text."""
        return self._text

    # ------------------------------------------------------------------ drawing

    @staticmethod
    def _spans(annotations: list[Annotation]) -> list[tuple[int, int, str]]:
        return [
            (a.start, a.end, f"$reader-highlight-{a.color}")
            for a in annotations
            if not a.orphan and a.end > a.start
        ]

    def _draw_highlights(self) -> None:
        """Draw every highlight in the "highlight" layer (on load, delete, recolour)."""
        self._fresh.clear()
        self.set_marks("highlight-new", [])
        self.set_marks("highlight", self._spans(self.annotations))

    def _draw_fresh(self) -> None:
        """Draw highlights made since the last full draw in their own small layer, so making
        one repaints only its lines however many the article has."""
        fresh = [a for a in self.annotations if a.id in self._fresh]
        self.set_marks("highlight-new", self._spans(fresh))

    def highlight_marks(self) -> list[tuple[int, int, str]]:
        """Every highlight span drawn now, sorted: (start, end, style)."""
        return sorted(self.marks("highlight") + self.marks("highlight-new"))

    def _draw_cursor(self) -> None:
        self.refresh_bindings()  # on a highlight or off it: the footer's keys follow
        if self.cursor is None or not self._text:
            self.set_marks("cursor", [])
            return
        start, end = motion.unit_at(self._text, self.cursor, "word")
        self.set_marks("cursor", [(start, end, "$reader-cursor")])

    def _draw_selection(self) -> None:
        self.refresh_bindings()
        spans = []
        if self.selection is not None and self.selection[1] > self.selection[0]:
            spans = [(self.selection[0], self.selection[1], "$reader-selection")]
        self.set_marks("selection", spans)

    def _notes_changed(self, *, redraw: bool = True) -> None:
        """Redraw the highlights and tell the screen (for the Notes tab) that they changed."""
        if redraw:
            self._draw_highlights()
        self.refresh_bindings()
        self.post_message(HighlightsChanged(list(self.annotations)))

    # ------------------------------------------------------------------ cursor motion

    def _cursor_on_screen(self) -> bool:
        if self.cursor is None:
            return False
        start, end = self.visible_range()
        return start <= self.cursor < max(end, start + 1)

    def _ensure_cursor(self) -> int:
        """The cursor; when it has none or it was scrolled away, the first word on screen."""
        if self.cursor is not None and self._cursor_on_screen():
            return self.cursor
        start, end = self.visible_range()
        following = motion.next_word(self._text, start) if start else 0
        word = motion.word_at(self._text, start)
        cursor = start if word is not None and word[0] == start else following
        if cursor >= len(self._text) or (end and cursor >= end):
            cursor = start
        self.cursor = cursor
        return cursor

    def _rtl_at(self, offset: int) -> bool:
        return self.rtl_at(offset)  # from the layout: no pass over a long paragraph

    def move_cursor(self, offset: int) -> None:
        """Put the reading cursor at `offset`, scrolling it into view."""
        offset = max(0, min(offset, max(0, len(self._text) - 1)))
        self.cursor = offset
        self._draw_cursor()
        visible_start, visible_end = self.visible_range()
        if not visible_start <= offset < max(visible_end, visible_start + 1):
            self.scroll_to_offset(offset, center=True)

    def action_move(self, unit: str, key: str) -> None:
        """Move the cursor by a word, sentence or paragraph; Left is forward in RTL text."""
        if not self._text:
            return
        if not self._cursor_on_screen():  # the first motion shows the cursor where reading is
            self.move_cursor(self._ensure_cursor())
            return
        cursor = self._ensure_cursor()
        if key in ("left", "right"):
            forward = (key == "left") == self._rtl_at(cursor)
        else:
            forward = key == "down"
        if unit == "sentence":
            step = motion.next_sentence if forward else motion.prev_sentence
        elif unit == "paragraph":
            step = motion.next_paragraph if forward else motion.prev_paragraph
        else:
            step = motion.next_word if forward else motion.prev_word
        target = step(self._text, cursor)
        if target >= len(self._text):
            target = cursor
        self.move_cursor(target)
        if self._selecting and self._anchor is not None:
            here = motion.unit_at(self._text, target, unit)
            self._set_selection(
                min(self._anchor[0], here[0]), max(self._anchor[1], here[1]), keep=True
            )

    # ------------------------------------------------------------------ selection

    def _set_selection(self, start: int, end: int, *, keep: bool = False) -> None:
        start, end = _trim(self._text, max(0, start), min(len(self._text), end))
        self.selection = (start, end) if end > start else None
        if not keep:
            self._selecting = False
        self._draw_selection()

    def select_span(self, start: int, end: int) -> None:
        """Select article text [start, end) (trimmed of white space at the ends)."""
        self._set_selection(start, end)

    def action_select(self) -> None:
        """Start a selection at the cursor's word (or drop the one in progress)."""
        if self._selecting:
            self.action_clear_selection()
            return
        cursor = self._ensure_cursor()
        self._anchor = motion.unit_at(self._text, cursor, "word")
        self._set_selection(*self._anchor, keep=True)
        self._selecting = True
        self._draw_cursor()

    def action_select_unit(self, unit: str) -> None:
        """Select the sentence or paragraph at the cursor; motions then extend it."""
        if not self._text:
            return
        cursor = self._ensure_cursor()
        self._anchor = motion.unit_at(self._text, cursor, unit)
        self._set_selection(*self._anchor, keep=True)
        self._selecting = True
        self._draw_cursor()

    def action_clear_selection(self) -> None:
        """Drop the selection."""
        self._selecting = False
        self._anchor = None
        self.selection = None
        self._draw_selection()

    def _word_or_cell(self, offset: int) -> tuple[int, int]:
        """The word holding `offset`, or the one character there (space, punctuation)."""
        word = motion.word_at(self._text, offset)
        return word if word is not None else (offset, min(len(self._text), offset + 1))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Start a drag at the word pressed; shift+press extends the selection (or from the
        cursor's word) to the word pressed."""
        if event.button != 1:
            return
        offset = self.offset_at(event.x, event.y, clamp=True)
        if offset is None or not self._text:
            return
        self.focus()
        if event.shift and (self.selection is not None or self.cursor is not None):
            if self.selection is not None:
                self._drag_span = self.selection
            else:
                self._drag_span = self._word_or_cell(self._ensure_cursor())
            self._drag_from = None  # not a click: the selection grows to here
            self._drag_to(offset)
        else:
            self._drag_span = self._word_or_cell(offset)
            self._drag_from = offset
        self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_span is None:
            return
        offset = self.offset_at(event.x, event.y, clamp=True)
        if offset is not None and offset != self._drag_from:
            self._drag_to(offset)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_span is None:
            return
        pressed = self._drag_from
        self.capture_mouse(False)
        offset = self.offset_at(event.x, event.y, clamp=True)
        if offset is None:
            self._drag_span = self._drag_from = None
            return
        if offset == pressed:  # a click, not a drag: drop any selection, cursor goes there
            self._drag_span = self._drag_from = None
            self.action_clear_selection()
            self.move_cursor(offset)
            return
        self._drag_to(offset)
        self._drag_span = self._drag_from = None
        self.move_cursor(offset)

    def on_click(self, event: events.Click) -> None:
        """Double-click selects the word, triple-click the sentence."""
        if event.button != 1 or event.chain < 2 or not self._text:
            return
        offset = self.offset_at(event.x, event.y, clamp=True)
        if offset is None:
            return
        if event.chain == 2:
            span = motion.word_at(self._text, offset)
            if span is None:
                return
        else:
            span = motion.unit_at(self._text, offset, "sentence")
        self._anchor = None
        self._set_selection(*span)
        self.move_cursor(span[0])

    def _drag_to(self, offset: int) -> None:
        """Select from the words where the drag started to the word at `offset`, whole words:
        a drag never splits a word (nor the joined letters of an Arabic one)."""
        if self._drag_span is None:
            return
        here = self._word_or_cell(offset)
        self._anchor = None
        self._set_selection(min(self._drag_span[0], here[0]), max(self._drag_span[1], here[1]))

    # ------------------------------------------------------------------ highlights

    def highlight_at(self, offset: int | None) -> Annotation | None:
        """The innermost placed highlight covering `offset`."""
        if offset is None:
            return None
        covering = [a for a in self.annotations if not a.orphan and a.start <= offset < a.end]
        return min(covering, key=lambda a: (a.end - a.start, a.created), default=None)

    def _target(self) -> Annotation | None:
        """The highlight a key acts on: under the selection's start, else the cursor."""
        if self.selection is not None:
            found = self.highlight_at(self.selection[0])
            if found is not None and (found.start, found.end) == self.selection:
                return found
        return self.highlight_at(self.cursor)

    def _save_failed(self, error: ReaderError) -> None:
        self.notify(str(error), severity="error")

    def _save(
        self,
        what: str,
        operation: Callable[[], T],
        on_saved: Callable[[T], None],
        on_failed: Callable[[ReaderError], None],
    ) -> None:
        """Save through the app's `Saver` (never waits on the UI thread for another
        process); directly where there is none."""
        saver = self.saver
        if saver is not None:
            big = len(self.annotations) > BACKGROUND_SAVES_FROM
            saver.save(what, operation, on_saved, on_failed, background=big)
            return
        try:
            result = operation()
        except ReaderError as error:
            on_failed(error)
            return
        on_saved(result)

    def _show(self, annotation: Annotation) -> None:
        """Put a changed copy of a highlight on screen (no-op if it is no longer there)."""
        if any(a.id == annotation.id for a in self.annotations):
            self.annotations = [
                annotation if a.id == annotation.id else a for a in self.annotations
            ]
            self._notes_changed()

    def _reload(self, annotation_id: str) -> None:
        """Show a highlight as it is saved now (after a refused or failed change)."""
        store = self.store
        if store is None or self.article is None:
            return
        try:
            saved = {a.id: a for a in store.annotations_for(self.article.id)}
        except ReaderError:
            return
        fresh = saved.get(annotation_id)
        if fresh is None:
            self.annotations = [a for a in self.annotations if a.id != annotation_id]
            self._notes_changed()
        else:
            self._show(fresh)

    def create_highlight(self, colour: int) -> Annotation | None:
        """Turn the selection into a highlight of `colour`: drawn at once, saved right after.

        The store write runs after the next screen refresh, so the highlight appears without
        waiting for the disk; if saving fails it is taken away again and the error shown.
        """
        from reader.notes.anchors import make_annotation

        if self.selection is None or self.article is None or self.store is None:
            return None
        start, end = self.selection
        try:
            if self._digest is None:
                self._digest = text_hash(self._text)
            annotation = make_annotation(
                self.article, start, end, color=colour, text=self._text, digest=self._digest
            )
        except ReaderError as error:
            self._save_failed(error)
            return None
        self.annotations.append(annotation)
        self.annotations.sort(key=lambda a: (a.orphan, a.start, a.end))
        self._fresh.add(annotation.id)
        self.action_clear_selection()
        if self.cursor is None or not start <= self.cursor < end:
            self.cursor = start  # so n, t, d and 1-5 act on the new highlight
            self._draw_cursor()
        self._draw_fresh()
        self.call_after_refresh(self._persist_new, annotation)
        return annotation

    def _persist_new(self, annotation: Annotation) -> None:
        """Save a highlight made by `create_highlight`; take it off the screen if that fails.

        While another process holds the database it stays on screen and is saved in the
        background (`reader.ui.saving`).
        """
        store = self.store
        if store is None or all(a.id != annotation.id for a in self.annotations):
            return  # deleted again before it was saved

        def failed(error: ReaderError) -> None:
            self.annotations = [a for a in self.annotations if a.id != annotation.id]
            self._notes_changed()
            self._save_failed(error)

        self._save(
            "the highlight",
            lambda: store.add_annotation(annotation),
            lambda _: self._notes_changed(redraw=False),
            failed,
        )

    def action_highlight(self, colour: int) -> None:
        """Highlight the selection in `colour`, or recolour the highlight under the cursor."""
        if self.selection is not None:
            self.create_highlight(colour)
            return
        target = self.highlight_at(self.cursor)
        if target is None:
            self.notify("Select some text first (v, s, p or the mouse).", timeout=3)
            return
        self._change(target, color=colour)

    def _change(self, target: Annotation, **changes: object) -> None:
        """Show a change to a highlight at once, then save only the changed fields.

        The store applies them to the record as saved now, so a note another process
        wrote meanwhile is kept (and shown once saved); a clash is refused in a sentence.
        """
        store = self.store
        if store is None or not changes:
            return
        stamp = now_iso()
        shown = dataclasses.replace(target, tags=list(target.tags), updated=stamp)
        for key, value in changes.items():
            setattr(shown, key, list(value) if isinstance(value, list) else value)
        self._show(shown)

        def failed(error: ReaderError) -> None:
            self._reload(target.id)
            self._save_failed(error)

        self._save(
            "the highlight",
            lambda: store.update_annotation_fields(target, updated=stamp, **changes),
            self._show,
            failed,
        )

    def delete_highlight(self, annotation: Annotation) -> None:
        """Delete a highlight (undo with `u`)."""
        store = self.store
        if store is None:
            return
        self._undo.append(annotation)
        self.annotations = [a for a in self.annotations if a.id != annotation.id]
        self._notes_changed()

        def saved(removed: Annotation | None) -> None:
            if removed is not None:  # undo brings back what was saved, note and all
                self._undo = [removed if a.id == removed.id else a for a in self._undo]

        def failed(error: ReaderError) -> None:
            self._undo = [a for a in self._undo if a.id != annotation.id]
            self._reload(annotation.id)
            if all(a.id != annotation.id for a in self.annotations):
                self.annotations.append(annotation)
                self.annotations.sort(key=lambda a: (a.orphan, a.start, a.end))
                self._notes_changed()
            self._save_failed(error)

        self.notify("Highlight deleted: u undoes.", timeout=3)
        self._save("the deletion", lambda: store.delete_annotation(annotation.id), saved, failed)

    def action_delete_highlight(self) -> None:
        """Delete the highlight under the cursor."""
        target = self._target()
        if target is not None:
            self.delete_highlight(target)

    def action_undo_delete(self) -> None:
        """Bring back the last deleted highlight."""
        store = self.store
        if not self._undo or store is None:
            return
        annotation = self._undo.pop()
        self.annotations.append(annotation)
        self.annotations.sort(key=lambda a: (a.orphan, a.start, a.end))
        self._notes_changed()

        def failed(error: ReaderError) -> None:
            self.annotations = [a for a in self.annotations if a.id != annotation.id]
            self._undo.append(annotation)
            self._notes_changed()
            self._save_failed(error)

        self._save("the highlight", lambda: store.add_annotation(annotation), _ignore, failed)

    # ------------------------------------------------------------------ notes

    def open_note(self, annotation: Annotation, focus: Literal["note", "tags"] = "note") -> None:
        """Ask the screen for the note dialog on `annotation` (`apply_note` saves its answer)."""
        self.post_message(EditNote(annotation, focus))

    def apply_note(self, annotation: Annotation, result: NoteResult) -> None:
        """Show and save what the note dialog returned for `annotation`."""
        if self.store is None:
            return
        if result.action == "delete":
            self.delete_highlight(annotation)
            return
        current = next((a for a in self.annotations if a.id == annotation.id), annotation)
        self._change(current, **note_changes(current, result))

    def _note_target(self) -> Annotation | None:
        target = self._target()
        if target is None and self.selection is not None:
            target = self.create_highlight(1)
        return target

    def action_note(self, key: str = "n") -> None:
        """Edit the note of the highlight under the cursor (a selection is highlighted first).

        `key` names the key that asked ("n" or "enter"), for `check_action`.
        """
        target = self._note_target()
        if target is not None:
            self.open_note(target)

    def action_tags(self) -> None:
        """Edit the tags of the highlight under the cursor."""
        target = self._note_target()
        if target is not None:
            self.open_note(target, focus="tags")

    def jump_to_annotation(self, annotation: Annotation) -> None:
        """Show a highlight (from the Notes tab or the all-notes view): cursor on its start."""
        if annotation.orphan:
            return
        self.focus()
        self.cursor = annotation.start
        self._draw_cursor()
        self.scroll_to_offset(annotation.start, center=True)

    def action_all_notes(self) -> None:
        """List the highlights and notes of every article."""
        self.post_message(ShowAllNotes())

    # ------------------------------------------------------------------ key checks

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys shared with the screen fall through to it when they have nothing to do here."""
        if action == "clear_selection":
            return self.selection is not None or self._selecting
        if action in ("note", "tags"):
            if self.marks("find") and action == "note" and parameters != ("enter",):
                return False  # `n` is "next match" while find is active (Enter is not)
            return self._target() is not None or self.selection is not None
        if action in ("delete_highlight",):
            return self._target() is not None
        if action == "undo_delete":
            return bool(self._undo)
        return True
