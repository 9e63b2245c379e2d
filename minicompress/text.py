"""Plain-text tables whose columns line up in a terminal, Chinese included.

A terminal gives East Asian wide and full-width characters (量, ，) two
columns and everything else one, so ``len`` misaligns any table with a
Chinese term in it. ``text_width`` counts columns as the terminal does;
``pad`` fills to a width; ``wrap`` breaks a long cell into lines of at most
``width`` columns (at spaces where it can), so that nothing is cut.
"""

from __future__ import annotations

import unicodedata


def text_width(text: str) -> int:
    """Terminal columns of ``text``: 2 for wide (W) and full-width (F) characters, 0 for combining marks, else 1."""
    width = 0
    for ch in str(text):
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (unchanged when it is already wider)."""
    text = str(text)
    return text + " " * max(0, width - text_width(text))


def wrap(text: str, width: int) -> list:
    """Lines of at most ``width`` columns that together hold all of ``text``, broken at spaces where possible.

    A word wider than ``width`` is broken inside (Chinese has no spaces). ``width`` must be at least 2,
    so that a wide character fits.
    """
    if width < 2:
        raise ValueError(f"wrap needs a width of at least 2 columns (a wide character takes 2), got {width}")
    lines, line = [], ""
    for word in str(text).split(" "):
        candidate = word if not line else line + " " + word
        if text_width(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:                          # a word too wide for a line of its own: break inside it
            if text_width(line + ch) > width:
                lines.append(line)
                line = ""
            line += ch
    lines.append(line)
    return lines


def table(rows, widths) -> str:
    """Rows of cells as text: each cell wrapped to its column's width, rows as tall as their tallest cell.

    ``widths`` gives each column's width in columns; ``None`` leaves the last column unwrapped.
    """
    out = []
    for row in rows:
        cells = [wrap(c, w) if w else [str(c)] for c, w in zip(row, widths)]
        for k in range(max(len(c) for c in cells)):
            parts = [pad(c[k] if k < len(c) else "", w or 0) for c, w in zip(cells, widths)]
            out.append("  ".join(parts).rstrip())
    return "\n".join(out)
