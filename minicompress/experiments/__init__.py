"""Experiments: the studies behind the tour's rows, each a ``report(budget)`` over several seeds.

``python -m minicompress experiments NAME`` runs the module NAME's report;
the modules are found here, not listed anywhere else. The shared teacher
and the budget live here too, because every study starts from them.

    budget.py        Budget: epochs, seeds, calibration and benchmark sizes; FULL and QUICK
    dark_knowledge.py  a student that never sees one digit, distilled on the other nine
    distill.py       students on labels vs distilled, T and α sweeps, dark knowledge, quantized students
    prune.py         the Deep Compression pipeline stage by stage, with each stage's storage bill
    qat.py           PTQ vs QAT vs LSQ at 2, 3 and 4 bits, and LSQ's learned steps
    seed_example.py  the seed's §5.2 code, rewritten to run, with its defects listed
    teacher.py       the standard 64-256-256-10 teacher, trained once per process
    where.py         where to compress: per-layer sensitivity, mixed precision against its exhaustive optimum,
                     Hessian traces, neuron pruning
"""

from __future__ import annotations

import importlib
import pkgutil

from .budget import FULL, QUICK, Budget
from .teacher import shared_teacher, train_teacher

__all__ = ["FULL", "QUICK", "Budget", "shared_teacher", "train_teacher", "UnknownExperiment", "available", "report"]


class UnknownExperiment(LookupError):
    """No module of this package has a report by that name."""


def available() -> list:
    """Names of the modules here that have a ``report(budget)``."""
    names = []
    for info in pkgutil.iter_modules(__path__):
        if hasattr(importlib.import_module(f"{__name__}.{info.name}"), "report"):
            names.append(info.name)
    return names


def report(name: str, budget: Budget = FULL) -> str:
    names = available()
    if name not in names:
        raise UnknownExperiment(f"unknown experiment {name!r}; choose one of {names}")
    import sys
    print(f"experiments {name} ({budget.name} budget): running; each study is trained over several random seeds",
          file=sys.stderr, flush=True)
    return importlib.import_module(f"{__name__}.{name}").report(budget)
