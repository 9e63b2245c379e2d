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


def tour_rows(quick: bool = False, seed: int = 0, fresh: bool = False) -> tuple:
    """(rows, float32 bytes, from_cache): every stage's rows, computed or loaded from the cache."""
    from dataclasses import asdict

    from . import cache
    from .registry import Row
    key = f"tour-seed{seed}{'-quick' if quick else ''}"
    cached = None if fresh else cache.load(key)
    if cached is not None:
        return [Row(**r) for r in cached["rows"]], cached["float32_bytes"], True
    load_providers()
    split = digits_split()
    say(f"minicompress tour: {len(split.train)} training and {len(split.test)} test digits")
    say("training the float teacher 64-256-256-10...")
    teacher, _ = shared_teacher(seed=seed, epochs=3 if quick else 20)
    float32_bytes = 4 * teacher.num_parameters()
    ctx = TourContext(split, teacher, seed, quick, float32_bytes)
    rows = []
    stages = sorted(STAGES.values(), key=lambda s: s.order)
    for i, spec in enumerate(stages, 1):
        say(f"[{i}/{len(stages)}] {spec.name}")
        rows.extend(spec.fn(ctx))
    cache.store(key, {"rows": [asdict(r) for r in rows], "float32_bytes": float32_bytes})
    return rows, float32_bytes, False


def run(quick: bool = False, seed: int = 0, fresh: bool = False) -> str:
    """The tour's table as text (stages run, or their rows loaded from the cache)."""
    start = time.perf_counter()
    rows, float32_bytes, from_cache = tour_rows(quick, seed, fresh)
    if from_cache:
        say("results of an earlier run of this same code, from the cache (--fresh recomputes them)")
    say(f"tour finished in {time.perf_counter() - start:.1f} s")
    return format_table(rows, float32_bytes)
