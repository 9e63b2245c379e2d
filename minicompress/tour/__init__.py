"""``python -m minicompress tour``: train the digits teacher, run every stage, print one table.

Each module of this package contributes stages with ``@stage``: a stage gets
the trained teacher, the data splits and the budget (a ``TourContext``) and
returns rows. The tour finds its own modules, runs the stages in order and
prints one table. Every ``bytes`` comes from the storage bill
(``minicompress.bill``). Accuracy is printed as a percentage with one
decimal and ratios with an ``x``, so both people and scripts can read it.

    cache.py     the on-disk cache of the tour's rows, keyed by a hash of the code
    distill.py   small students on labels vs on the teacher's soft labels
    integer.py   compiling the Numba kernels; the teacher run in integers only
    prune.py     Deep Compression: pruned, + weight sharing, + Huffman (the decoded file)
    ptq.py       low-precision floats, weight-only PTQ, static vs dynamic activations
    qat.py       2-bit weights trained through quantization (QAT and LSQ)
    teacher.py   the float32 teacher every other row is compared with
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from dataclasses import dataclass

from ..experiments.budget import FULL, Budget


@dataclass
class Row:
    """One line of the tour table."""

    method: str
    accuracy: float                    # test accuracy in [0, 1]
    params: int
    nbytes: int                        # storage, from the bill
    infer_ms: float = float("nan")     # time to classify the whole test set
    note: str = ""


@dataclass
class TourContext:
    """What every tour stage receives."""

    split: object            # data.Split of the digits
    teacher: object          # the trained float MLP
    budget: Budget
    seed: int = 0
    float32_bytes: int = 0   # the teacher's size in float32, the ratio's reference


@dataclass
class StageSpec:
    name: str
    order: int
    fn: object            # (context) -> list of Row


STAGES: dict = {}


def stage(name: str, order: int):
    """Register ``fn(context) -> [Row, ...]`` as a stage of the tour."""
    def register(fn):
        STAGES[name] = StageSpec(name, order, fn)
        return fn
    return register


def say(text: str) -> None:
    """Progress for people, on stderr, so stdout holds only results."""
    print(text, file=sys.stderr, flush=True)


def load_stages() -> list:
    """Import every module of this package (each registers its stages); the stages in order."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return sorted(STAGES.values(), key=lambda s: s.order)


def format_table(rows, float32_bytes: int) -> str:
    head = f"{'method':<40}{'test acc':>9}{'params':>9}{'bytes':>10}{'ratio':>8}{'infer ms':>10}  note"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = float32_bytes / r.nbytes if r.nbytes else float("nan")
        infer = f"{r.infer_ms:.2f}" if r.infer_ms == r.infer_ms else "-"
        lines.append(f"{r.method:<40}{100 * r.accuracy:>8.1f}%{r.params:>9d}{r.nbytes:>10d}"
                     f"{ratio:>7.1f}x{infer:>10}  {r.note}")
    return "\n".join(lines)


def tour_rows(budget: Budget = FULL, seed: int = 0, fresh: bool = False) -> tuple:
    """(rows, float32 bytes, from_cache): every stage's rows, computed or loaded from the cache."""
    from dataclasses import asdict

    from ..bill import storage_bill
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from . import cache
    key = f"tour-seed{seed}-{budget.key()}"
    cached = None if fresh else cache.load(key)
    if cached is not None:
        return [Row(**r) for r in cached["rows"]], cached["float32_bytes"], True
    stages = load_stages()
    split = digits_split()
    say(f"minicompress tour: {len(split.train)} training and {len(split.test)} test digits")
    say("training the float teacher 64-256-256-10...")
    teacher, _ = shared_teacher(seed=seed, epochs=budget.teacher_epochs)
    float32_bytes = storage_bill(teacher).total
    ctx = TourContext(split, teacher, budget, seed, float32_bytes)
    rows = []
    for i, spec in enumerate(stages, 1):
        say(f"[{i}/{len(stages)}] {spec.name}")
        rows.extend(spec.fn(ctx))
    cache.store(key, {"rows": [asdict(r) for r in rows], "float32_bytes": float32_bytes})
    return rows, float32_bytes, False


def run(budget: Budget = FULL, seed: int = 0, fresh: bool = False) -> str:
    """The tour's table as text (stages run, or their rows loaded from the cache)."""
    start = time.perf_counter()
    rows, float32_bytes, from_cache = tour_rows(budget, seed, fresh)
    if from_cache:
        say("results of an earlier run of this same code, from the cache (--fresh recomputes them)")
    say(f"tour finished in {time.perf_counter() - start:.1f} s")
    return format_table(rows, float32_bytes)
