"""Keep terminal control out of article text: escape sequences, C0/C1 controls, tabs.

Article text comes from the web and from files; printed raw, an ESC sequence could recolour,
retitle or scramble the user's terminal. The library importer cleans text before storing it
(`sanitize`), and the layout engine hides the same characters without changing offsets
(`neutralize`), so stored offsets stay valid even for text stored before cleaning.
Bidi formatting characters (LRE..RLO, LRI..PDI, LRM, RLM, ALM) are kept: they steer the bidi
algorithm; the layout engine never draws them.
"""

from __future__ import annotations

import re

TAB_SIZE = 4

#: Whole escape sequences: CSI, OSC/DCS/SOS/PM/APC strings (to BEL or ST, or the end of text),
#: two-byte and nF escapes, their 8-bit C1 forms, and a lone ESC.
_ESCAPE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d-\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
#: C0 and C1 controls other than tab and newline, plus DEL.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: What the layout engine hides: escapes, every control but tab, and line/paragraph separators.
_HIDDEN_RE = re.compile(_ESCAPE_RE.pattern + r"|[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")

#: Drawn in place of a hidden character by `neutralize`: zero width, bidi class BN.
HIDDEN = "\u200b"


def _blank(match: re.Match[str]) -> str:
    return HIDDEN * len(match.group())


def neutralize(text: str) -> str:
    """`text` with every escape sequence and control character (but tab) replaced by a
    zero-width, bidi-neutral placeholder: same length, so offsets are unchanged."""
    return _HIDDEN_RE.sub(_blank, text)


def has_hidden(text: str) -> bool:
    """True if `neutralize` would change `text`."""
    return _HIDDEN_RE.search(text) is not None


def sanitize(text: str, tab_size: int = TAB_SIZE) -> str:
    """Text safe to store and print: escape sequences removed whole, controls other than
    newline and tab dropped, tabs expanded to `tab_size` columns, CRLF/CR made newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ESCAPE_RE.sub("", text)
    text = _CONTROL_RE.sub("", text)
    if "\t" in text:
        text = "\n".join(line.expandtabs(tab_size) for line in text.split("\n"))
    return text
