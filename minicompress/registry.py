"""Registries that let each part of minicompress add to the shared commands.

* ``@check(...)``  adds a formula check to ``python -m minicompress verify``;
* ``@figure(...)`` adds a figure to ``python -m minicompress figures``;
* ``@stage(...)``  adds rows to the ``tour`` table.

A method package registers its own entries in its own module; the commands
in ``verify.py``, ``plots/`` and ``tour.py`` only import those modules
(listed in ``PROVIDERS``), run the entries and print them. This file imports
nothing from the package, so anything may import it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Modules whose import registers checks, figures and tour stages, in order.
PROVIDERS = [
    "minicompress.core_checks",
    "minicompress.quant.checks",
    "minicompress.quant.qat_checks",
    "minicompress.integer.checks",
    "minicompress.distill.checks",
    "minicompress.prune.checks",
    "minicompress.plots.training",
    "minicompress.plots.quantization",
    "minicompress.plots.integer",
    "minicompress.plots.distillation",
    "minicompress.plots.qat",
    "minicompress.plots.prune",
    "minicompress.plots.tour",
    "minicompress.plots.seed",
    "minicompress.tour_stages",
    "minicompress.quant.tour_stage",
    "minicompress.quant.qat_tour_stage",
    "minicompress.integer.tour_stage",
    "minicompress.distill.tour_stage",
    "minicompress.prune.tour_stage",
]

CHECKS: dict = {}
FIGURES: dict = {}
STAGES: dict = {}


@dataclass
class CheckSpec:
    name: str
    source: str           # where the formula comes from: "seed §4.3", "Hinton et al. 2015", ...
    fn: object            # () -> Outcome
    claim: object = None  # what the seed document states, when it states a number


@dataclass
class Outcome:
    """What a check found: an independently derived value and minicompress's value."""

    expected: object
    computed: object
    ok: bool
    note: str = ""
    claim_ok: object = None  # True/False when the seed document states a value, else None


def check(name: str, source: str, claim=None):
    """Register ``fn() -> Outcome`` as a formula check."""
    def register(fn):
        if name in CHECKS:
            raise ValueError(f"a check named {name!r} is already registered")
        CHECKS[name] = CheckSpec(name, source, fn, claim)
        return fn
    return register


@dataclass
class FigureSpec:
    name: str
    topic: str
    fn: object            # (out_dir, quick=False) -> path of the written PNG


def figure(name: str, topic: str):
    """Register ``make_<name>(out_dir, quick=False)`` for ``python -m minicompress figures``."""
    def register(fn):
        FIGURES[name] = FigureSpec(name, topic, fn)
        return fn
    return register


@dataclass
class StageSpec:
    name: str
    order: int
    fn: object            # (context) -> list of Row


@dataclass
class Row:
    """One line of the tour table."""

    method: str
    accuracy: float                    # test accuracy in [0, 1]
    params: int
    nbytes: int                        # storage at the stated precision
    infer_ms: float = float("nan")     # time to classify the whole test set
    note: str = ""


@dataclass
class TourContext:
    """What every tour stage receives."""

    split: object            # data.Split of the digits
    teacher: object          # the trained float MLP
    seed: int = 0
    quick: bool = False
    float32_bytes: int = 0   # the teacher's size in float32, the ratio's reference


def stage(name: str, order: int):
    """Register ``fn(context) -> [Row, ...]`` as a stage of the tour."""
    def register(fn):
        STAGES[name] = StageSpec(name, order, fn)
        return fn
    return register


def say(text: str) -> None:
    """Progress for people, on stderr, so stdout holds only results."""
    import sys
    print(text, file=sys.stderr, flush=True)


def load_providers() -> None:
    import importlib
    for module in PROVIDERS:
        importlib.import_module(module)
