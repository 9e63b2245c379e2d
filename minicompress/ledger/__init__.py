"""``python -m minicompress seed``: the seed document audited claim by claim, with a glossary.

The seed is the Chinese article minicompress implements (§1 background, §2
concepts and a diagram, §3 algorithms, §4 formulas and worked numbers, §5 a
code listing, §6 applications, §7 references, §8 outlook, §9 questions).
Its ledger lists every claim, term, formula, number, diagram edge, code
line and reference, with a status and its evidence; each wrong or
misleading item names the ``verify`` row that recomputes or measures it.

    diagram.py     the §2.3 diagram as printed, the relations of the text, and a corrected taxonomy
    glossary.py    each seed term → the standard English term → minicompress's code, with flags
    items.py       the ledger's items and their statuses
    references.py  the §7.3 references as printed and as published; the year in an arXiv id
"""

from __future__ import annotations

from collections import Counter

from ..text import table
from .glossary import GLOSSARY, format_glossary
from .items import ITEMS, STATUSES, Item

__all__ = ["GLOSSARY", "ITEMS", "STATUSES", "Item", "format_glossary", "format_ledger", "select"]


def select(status=None, section=None) -> list:
    """The items with one of the given statuses (a name or a list) and in a section starting with ``section``.

    ``select(status="wrong", section="§4")`` gives the wrong items of §4.1-§4.3.
    """
    statuses = [status] if isinstance(status, str) else list(status or STATUSES)
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise ValueError(f"unknown status {unknown[0]!r}: the ledger's statuses are {', '.join(STATUSES)}")
    items = [i for i in ITEMS if i.status in statuses and (section is None or i.section.startswith(section))]
    if section is not None and not items and not any(i.section.startswith(section) for i in ITEMS):
        sections = sorted({i.section for i in ITEMS}, key=[i.section for i in ITEMS].index)
        raise ValueError(f"no section {section!r} in the ledger; its sections are {', '.join(sections)}")
    return items


def format_ledger(items=ITEMS) -> str:
    """The items grouped by section: status, key term and claim, then evidence, code and verify row."""
    lines, current = [], None
    widths = (14, 22, 72)
    for i in items:
        if i.section != current:
            current = i.section
            lines += ["", f"[{current}]"]
        lines.append(table([(i.status, i.term, i.claim)], widths))
        detail = [("", "evidence", i.evidence), ("", "minicompress", i.where)]
        if i.check:
            detail.append(("", "verify row", i.check))
        lines.append(table(detail, widths))
    counts = Counter(i.status for i in items)
    lines += ["", f"{len(items)} items: " + ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])]
    return "\n".join(lines).lstrip("\n")
