"""The seed's two paper references (§7.3) as printed, beside the published records.

Each reference is split into the fields a reader checks: authors, title,
venue, year, pages and identifier. The published records are those of the
papers' arXiv pages and the proceedings; ``checks/references.py`` compares
the two field by field and recomputes the year an arXiv identifier encodes
(``YYMM.NNNNN`` is the month of submission).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    authors: tuple
    title: str
    venue: str
    year: int
    pages: str = ""
    arxiv: str = ""


SEED_HAN = Reference(
    authors=("Han, S.", "Mao, H.", "Dally, W. J."),
    title="Deep compression: Compressing deep neural network with pruning, trained quantization and "
          "huffman coding",
    venue="IEEE International Conference on Computer Vision (ICCV)", year=2015, pages="1261-1269")
PUBLISHED_HAN = Reference(
    authors=("Han, S.", "Mao, H.", "Dally, W. J."),
    title="Deep Compression: Compressing Deep Neural Networks with Pruning, Trained Quantization and "
          "Huffman Coding",
    venue="International Conference on Learning Representations (ICLR)", year=2016, pages="",
    arxiv="1510.00149")

SEED_HINTON = Reference(
    authors=("Hinton, G.", "van der Maaten, L.", "Misra, M.", "姥爷, O.", "Osindero, S."),
    title="Distilling a neural network into a smaller neural network",
    venue="arXiv preprint", year=2015, arxiv="1606.04455")
PUBLISHED_HINTON = Reference(
    authors=("Hinton, G.", "Vinyals, O.", "Dean, J."),
    title="Distilling the Knowledge in a Neural Network",
    venue="NIPS 2014 Deep Learning Workshop; arXiv preprint", year=2015, arxiv="1503.02531")

PAIRS = {"Han et al. (Deep Compression)": (SEED_HAN, PUBLISHED_HAN),
         "Hinton et al. (distillation)": (SEED_HINTON, PUBLISHED_HINTON)}


def arxiv_year(identifier: str) -> int:
    """The year an arXiv identifier of the 2007 scheme encodes: ``"1503.02531"`` → 2015.

    Raises ``ValueError`` for anything that is not ``YYMM.NNNN`` or ``YYMM.NNNNN``.
    """
    m = re.fullmatch(r"(\d\d)(\d\d)\.\d{4,5}", identifier)
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"{identifier!r} is not an arXiv identifier of the form YYMM.NNNNN (year, month, number)")
    return 2000 + int(m.group(1))


def _normal(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def differences(printed: Reference, published: Reference) -> list:
    """The fields where ``printed`` departs from ``published`` (case and punctuation of titles ignored).

    Also reports an arXiv identifier whose encoded year is later than the printed year (a paper can
    appear at a venue after its preprint, never before).
    """
    out = []
    missing = [a for a in published.authors if a not in printed.authors]
    extra = [a for a in printed.authors if a not in published.authors]
    if missing or extra:
        out.append(f"authors: {len(extra)} not on the paper, {len(missing)} left out")
    if _normal(printed.title) != _normal(published.title):
        out.append("title")
    if _normal(printed.venue) != _normal(published.venue) and not _normal(published.venue).endswith(
            _normal(printed.venue)):
        out.append("venue")
    if printed.year != published.year:
        out.append(f"year {printed.year} (published {published.year})")
    if printed.pages and printed.pages != published.pages:
        out.append("pages (the paper has no such pages)")
    if printed.arxiv and printed.arxiv != published.arxiv:
        out.append(f"arXiv id {printed.arxiv} (is {published.arxiv})")
    if printed.arxiv and arxiv_year(printed.arxiv) > printed.year:
        out.append(f"its id encodes {arxiv_year(printed.arxiv)}, after {printed.year}")
    return out
