"""Write reader/text/data/bidi_classes.txt: the bidi class of every BMP code point.

`reader.text.bidi` reads it instead of asking Python's Unicode database about 65,536 code
points at every start; it is used only when made from the running Python's Unicode version
(else the table is computed as before). Run after a Python upgrade that changes
`unicodedata.unidata_version`: .venv/bin/python tools/bidi_table.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader.text.bidi import (
    BMP_CLASSES_FILE,
    bmp_classes_header,
    computed_bmp_classes,
)


def main() -> None:
    BMP_CLASSES_FILE.parent.mkdir(exist_ok=True)
    BMP_CLASSES_FILE.write_text(
        bmp_classes_header() + "\n" + computed_bmp_classes() + "\n", encoding="ascii"
    )
    print(f"wrote {BMP_CLASSES_FILE}")


if __name__ == "__main__":
    main()
