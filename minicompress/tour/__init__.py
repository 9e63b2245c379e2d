"""``python -m minicompress tour``: train the digits teacher, run every stage, print one table.

Each module of this package contributes stages with ``@stage``: a stage gets
the trained teacher, the data splits and the budget (a ``TourContext``) and
returns rows. The tour finds its own modules, runs the stages in order and
prints one table. Every ``bytes`` comes from the storage bill
(``minicompress.bill``). Every accuracy carries its 95% interval
(``minicompress.stats``): Wilson's for one model on the 450 test images,
mean ± std [t-interval] for several random seeds. A row may name the rows
it is to be compared with; the tour then prints the paired difference on
the same test images under the table, and calls it noise when its interval
holds zero. Numbers are printed so both people and scripts can read them.

    cache.py     the on-disk cache of the tour's rows, keyed by a hash of the code
    distill.py   small students on labels vs on the teacher's soft labels
    integer.py   compiling the Numba kernels; the teacher run in integers only
    prune.py     Deep Compression: pruned, + weight sharing, + Huffman (the decoded file)
    ptq.py       low-precision floats, weight-only PTQ, static vs dynamic activations
    qat.py       2-bit weights trained through quantization (QAT and LSQ), beside the fine-tuned float control
    rounding.py  data-aware post-training rounding: the step's choice, GPTQ, AdaRound, equalization
    teacher.py   the float32 teacher every other row is compared with
    timing.py    the infer ms column: each row's arithmetic rebuilt and timed on every run
    where.py     mixed precision against its exhaustive optimum, and neuron pruning
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from ..experiments.budget import FULL, Budget
from ..stats import format_accuracy, mcnemar, paired_bootstrap


@dataclass
class Row:
    """One line of the tour table."""

    method: str
    accuracy: float                    # test accuracy in [0, 1], the mean over seeds
    params: int
    nbytes: int                        # storage, from the bill
    infer_ms: float = float("nan")     # time to classify the whole test set: measured each run, never cached
    note: str = ""
    correct: list = field(default_factory=list)      # (random seeds, test images): 1 where the model is right
    compare: list = field(default_factory=list)      # methods of the rows this one is set against
    timing: dict | None = None         # how to rebuild the model's arithmetic to time it (timing.recipe_of)

    def accuracy_text(self) -> str:
        return format_accuracy(self.correct)


def measured(method: str, models, test, *, params: int, nbytes: int, timed: bool = True,
             note: str = "", compare=()) -> Row:
    """A Row for one or more trained models (one per random seed), scored image by image on ``test``.

    With ``timed`` the row keeps the recipe of the first model, and its ``infer ms`` is measured on
    every run from that recipe (``timing.py``).
    """
    from ..train import correct_matrix
    from .timing import recipe_of
    right = correct_matrix(models, test)                                                     # (seeds, n)
    if len(models) > 1:
        note = f"mean of {len(models)} seeds; {note}" if note else f"mean of {len(models)} seeds"
    return Row(method, float(right.mean()), params, nbytes, float("nan"), note, right.tolist(), list(compare),
               recipe_of(models[0]) if timed else None)


@dataclass
class TourContext:
    """What every tour stage receives."""

    split: object            # data.Split of the digits: train, val (decides) and test (reports)
    teacher: object          # the trained float MLP
    budget: Budget
    seed: int = 0
    float32_bytes: int = 0   # the teacher's size in float32, the ratio's reference
    teacher_epoch: int = 0   # the epoch the validation loss chose for the teacher


@dataclass
class StageSpec:
    name: str
    order: int
    fn: object            # (context) -> list of Row
    seconds: float = 1.0  # its typical time with the FULL budget on 2 cores: weighs the "time left" estimate


STAGES: dict = {}
TEACHER_SECONDS = 6.0     # training the teacher, before the first stage (FULL budget, 2 cores)
TIMING_SECONDS = 3.0      # timing every row at the end


def stage(name: str, order: int, seconds: float = 1.0):
    """Register ``fn(context) -> [Row, ...]`` as a stage of the tour (``seconds``: its typical FULL time)."""
    def register(fn):
        STAGES[name] = StageSpec(name, order, fn, seconds)
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
    head = (f"{'method':<44}{'test acc [95% interval]':>28}{'params':>8}{'bytes':>9}{'ratio':>8}"
            f"{'infer ms':>10}  note")
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = float32_bytes / r.nbytes if r.nbytes else float("nan")
        infer = f"{r.infer_ms:.2f}" if r.infer_ms == r.infer_ms else "-"
        lines.append(f"{r.method:<44}{r.accuracy_text():>28}{r.params:>8d}{r.nbytes:>9d}"
                     f"{ratio:>7.1f}x{infer:>10}  {r.note}")
    return "\n".join(lines)


def comparisons(rows, rng=0) -> list:
    """(row, reference, paired difference, McNemar or None) for every comparison a row asks for."""
    by_name = {r.method: r for r in rows}
    out = []
    for r in rows:
        for name in r.compare:
            if name not in by_name:
                raise KeyError(f"row {r.method!r} asks to be compared with {name!r}, which no stage produced")
            ref = by_name[name]
            d = paired_bootstrap(r.correct, ref.correct, rng=rng)
            single = len(r.correct) == 1 and len(ref.correct) == 1
            out.append((r, ref, d, mcnemar(r.correct, ref.correct) if single else None))
    return out


def format_comparisons(rows) -> str:
    """The paired tests under the table: Δ in points, its 95% interval, McNemar's p, and a verdict."""
    lines = ["paired on the same test images: Δ = row − reference in points, with its 95% bootstrap interval "
             "(images redrawn, and each row's seeds). Where both rows are single models McNemar's exact p "
             "decides (noise if p ≥ 0.05); otherwise noise if the interval holds 0"]
    for r, ref, d, m in comparisons(rows):
        same = np.array_equal(r.correct, ref.correct)
        noise = m.p_value >= 0.05 if m is not None else d.within_noise      # McNemar decides for single models
        verdict = ("same images right" if same else "within noise" if noise
                   else "better" if d.diff > 0 else "worse")
        p = f"p = {m.p_value:.2g}" if m is not None else "seeds"
        lines.append(f"  {r.method:<44} vs {ref.method:<44}{100 * d.diff:>+6.1f} "
                     f"[{100 * d.low:+.1f}, {100 * d.high:+.1f}]  {p:<9} {verdict}")
    return "\n".join(lines)


def valid_entry(entry) -> bool:
    """Whether a cached tour entry has exactly the shape the tour writes, with values that can be true."""
    import math
    if not (isinstance(entry, dict) and set(entry) == {"rows", "float32_bytes"} and isinstance(entry["rows"], list)
            and type(entry["float32_bytes"]) is int and entry["float32_bytes"] > 0 and entry["rows"]):
        return False
    from .timing import valid_recipe
    fields = {"method": str, "accuracy": float, "params": int, "nbytes": int, "infer_ms": float, "note": str,
              "correct": list, "compare": list}
    for r in entry["rows"]:
        if not (isinstance(r, dict) and set(r) == set(fields) | {"timing"} and valid_recipe(r["timing"])
                and all(isinstance(r[k], t) and (t is not int or type(r[k]) is int) for k, t in fields.items())):
            return False
        c = r["correct"]
        if not (c and all(isinstance(x, list) and len(x) == len(c[0]) and all(v in (0, 1) for v in x) for x in c)):
            return False
        if (not 0 <= r["accuracy"] <= 1 or abs(r["accuracy"] - sum(map(sum, c)) / (len(c) * len(c[0]))) > 1e-9
                or r["params"] < 0 or r["nbytes"] < 0 or not all(isinstance(x, str) for x in r["compare"])
                or not (math.isnan(r["infer_ms"]) or r["infer_ms"] >= 0)):
            return False
    return True


def tour_rows(budget: Budget = FULL, seed: int = 0, fresh: bool = False) -> tuple:
    """(rows, float32 bytes, from_cache): every stage's rows, computed or loaded from the cache."""
    from dataclasses import asdict

    from ..bill import storage_bill
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from . import cache
    key = f"tour-seed{seed}-{budget.key()}"
    cached = None if fresh else cache.load(key, valid_entry)
    if cached is not None:
        rows = [Row(**r) for r in cached["rows"]]
        _time_rows(rows, digits_split().test.X)
        return rows, cached["float32_bytes"], True
    from ..progress import Stages
    stages = load_stages()
    split = digits_split()
    say(f"minicompress tour: {len(split.train)} training, {len(split.val)} validation and {len(split.test)} test digits")
    steps = Stages("tour", [TEACHER_SECONDS] + [spec.seconds for spec in stages] + [TIMING_SECONDS])
    steps.next("training the float teacher 64-256-256-10")
    teacher, history = shared_teacher(seed=seed, epochs=budget.teacher_epochs)
    float32_bytes = storage_bill(teacher).total
    best = next((r["epoch"] for r in history if r.get("best")), len(history))
    ctx = TourContext(split, teacher, budget, seed, float32_bytes, best)
    rows = []
    for spec in stages:
        steps.next(spec.name)
        rows.extend(spec.fn(ctx))
    cache.store(key, {"rows": [{**asdict(r), "infer_ms": float("nan")} for r in rows],   # times are never cached
                      "float32_bytes": float32_bytes})
    steps.next("timing every row on this machine")
    _time_rows(rows, split.test.X)
    return rows, float32_bytes, False


def _time_rows(rows, X) -> None:
    """Fill each row's ``infer_ms``, measured now from its recipe (``timing.py``), whatever the cache holds."""
    from .timing import measure
    for r in rows:
        r.infer_ms = measure(r.timing, X) if r.timing is not None else float("nan")


def run(budget: Budget = FULL, seed: int = 0, fresh: bool = False) -> str:
    """The tour's table as text (stages run, or their rows loaded from the cache)."""
    start = time.perf_counter()
    rows, float32_bytes, from_cache = tour_rows(budget, seed, fresh)
    if from_cache:
        say("results of an earlier run of this same code, from the cache (--fresh recomputes them)")
    say(f"tour finished in {time.perf_counter() - start:.1f} s")
    from ..data import digits_split
    split = digits_split()
    head = (f"splits: {len(split.train)} train images fit the weights; {len(split.val)} validation images decide "
            f"every choice (epochs, T, α, ε, the 3-bias); {len(split.test)} test images only report")
    if budget != FULL:
        head = (f"{budget.name.upper()} budget: a smoke test with few epochs and random seeds; these numbers are "
                f"not the README's\n{head}")
    return "\n\n".join([head, format_table(rows, float32_bytes), format_comparisons(rows)])
