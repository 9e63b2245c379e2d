"""The seed's reference list (§7.3), field by field against the published records, for ``verify``."""

from __future__ import annotations

from ..ledger.references import PUBLISHED_HAN, PUBLISHED_HINTON, SEED_HAN, SEED_HINTON, arxiv_year, differences
from . import Outcome, check


@check("reference: Han et al., Deep Compression", "seed §7.3 [1] vs arXiv 1510.00149",
       claim="ICCV 2015, pp. 1261-1269", probe=())
def _han(computed=None):
    """By reading the two records: the authors agree; the venue (ICCV), year (2015) and pages do not.

    The paper is ICLR 2016 (arXiv 1510.00149, October 2015); it never
    appeared at ICCV and has no pages 1261-1269. The seed's title says
    "network" where the ICLR title says "networks", which is the only
    change of the title.
    """
    if computed is None:
        computed = tuple(differences(SEED_HAN, PUBLISHED_HAN))
    expected = ("title", "venue", "year 2015 (published 2016)", "pages (the paper has no such pages)")
    return Outcome(len(expected), f"{len(computed)}: {', '.join(computed)}", tuple(computed) == expected,
                   f"published: {PUBLISHED_HAN.venue} {PUBLISHED_HAN.year}, arXiv {PUBLISHED_HAN.arxiv}",
                   claim_ok=not computed)


@check("reference: Hinton et al., distillation", "seed §7.3 [2] vs arXiv 1503.02531",
       claim="Hinton, van der Maaten, Misra, 姥爷, Osindero; arXiv 1606.04455", probe=())
def _hinton(computed=None):
    """By reading the two records: 4 listed authors are not on the paper and 2 (Vinyals, Dean) are left out;
    the title is another; the id is not the paper's, and it encodes June 2016, after the stated 2015.

    The paper (Hinton, Vinyals, Dean 2015) already distils an ensemble of
    models into one, the "multi-model distillation" §8.2 calls future work.
    """
    if computed is None:
        computed = tuple(differences(SEED_HINTON, PUBLISHED_HINTON))
    expected = ("authors: 4 not on the paper, 2 left out", "title", "arXiv id 1606.04455 (is 1503.02531)",
                f"its id encodes {arxiv_year('1606.04455')}, after 2015")
    return Outcome(len(expected), f"{len(computed)}: {', '.join(computed)}", tuple(computed) == expected,
                   f"published: {PUBLISHED_HINTON.title}, {', '.join(PUBLISHED_HINTON.authors)}",
                   claim_ok=not computed)
