"""``python -m minicompress tour``: train the digits teacher, run every stage, print one table.

Each compression method registers a stage (``registry.stage``) that gets the
trained teacher and the data and returns rows; the tour only orders them and
prints. Accuracy is printed as a percentage with one decimal and ratios with
an ``x``, so both people and scripts can read the table.
"""

from __future__ import annotations

import time

from .data import digits_split
from .registry import STAGES, TourContext, load_providers, say
from .teacher import shared_teacher


def format_table(rows, float32_bytes: int) -> str:
    head = f"{'method':<40}{'test acc':>9}{'params':>9}{'bytes':>10}{'ratio':>8}{'infer ms':>10}  note"
    lines = [head, "-" * len(head)]
    for r in rows:
        ratio = float32_bytes / r.nbytes if r.nbytes else float("nan")
        infer = f"{r.infer_ms:.2f}" if r.infer_ms == r.infer_ms else "-"
        lines.append(f"{r.method:<40}{100 * r.accuracy:>8.1f}%{r.params:>9d}{r.nbytes:>10d}"
                     f"{ratio:>7.1f}x{infer:>10}  {r.note}")
    return "\n".join(lines)


def run(quick: bool = False, seed: int = 0) -> str:
    """Train the teacher, run the stages in order, return the table as text."""
    load_providers()
    start = time.perf_counter()
    split = digits_split()
    say(f"minicompress tour: {len(split.train)} training and {len(split.test)} test digits")
    teacher, _ = shared_teacher(seed=seed, epochs=3 if quick else 20)
    float32_bytes = 4 * teacher.num_parameters()
    ctx = TourContext(split, teacher, seed, quick, float32_bytes)
    rows = []
    for spec in sorted(STAGES.values(), key=lambda s: s.order):
        say(f"stage: {spec.name}")
        rows.extend(spec.fn(ctx))
    table = format_table(rows, float32_bytes)
    say(f"tour finished in {time.perf_counter() - start:.1f} s")
    return table
