"""Benchmarks, measured side by side in one run and reported as ratios: ``python -m minicompress bench NAME``.

Timings are the best of several repeats (the least disturbed run), each
repeat timing many calls. Nothing here asserts a time: the tests only check
that the two sides of a comparison compute the same thing. Each file
registers its benchmarks with ``@bench``:

    autograd.py  one training step: minicompress's autograd against the same step in plain NumPy
    busy.py      tutorial 1 alone and beside two busy processes (run only when named)
    kernels.py   int8 GEMM, fused quantize, requantize, the integer-only MLP against float32
    neurons.py   the teacher against the same teacher with half of each hidden layer removed
"""

from __future__ import annotations

import time

from ..experiments.budget import FULL, Budget

BENCHES = {}
ON_REQUEST = {"busy"}        # run only when named: it starts competing processes and takes minutes


def bench(name):
    """Register ``fn(budget) -> str`` as ``python -m minicompress bench NAME``."""
    def register(fn):
        BENCHES[name] = fn
        return fn
    return register


def best_times(fns, repeats: int = 7, number: int = 20, interleave: bool = True) -> list:
    """Seconds per call of each function, timed side by side in one run.

    With ``interleave`` the functions take turns (a, b, a, b, ...), so a slow
    spell of the machine hits all of them alike. Without it each function
    runs all its repeats in one block: needed when one contender disturbs the
    next (OpenBLAS's worker threads keep spinning after a float matmul and
    steal the cores from a parallel Numba kernel called right after).
    Each result is the minimum over ``repeats`` of the mean of ``number`` calls.
    """
    for fn in fns:
        fn()  # warm-up: caches, first-call allocations, JIT compilation
    best = [float("inf")] * len(fns)
    order = [(r, i) for r in range(repeats) for i in range(len(fns))] if interleave else \
        [(r, i) for i in range(len(fns)) for r in range(repeats)]
    for r, i in order:
        if not interleave and r == 0:
            time.sleep(0.3)         # let the previous contender's spinning threads go idle
            fns[i]()
        start = time.perf_counter()
        for _ in range(number):
            fns[i]()
        best[i] = min(best[i], (time.perf_counter() - start) / number)
    return best


# --- autograd: one training step against the same step written by hand ------------------


def run(names, budget: Budget = FULL) -> str:
    """Run the named benchmarks (all but those run on request, by default), side by side in one process."""
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        raise SystemExit(f"unknown benchmark {unknown}; choose from {sorted(BENCHES)}")
    out = []
    for n in names or sorted(set(BENCHES) - ON_REQUEST):
        text = BENCHES[n](budget)
        out.append(f"== bench {n} ==\n" + text)
    return "\n\n".join(out)


from .autograd import autograd_step, numpy_step  # noqa: E402  (each module registers its benchmarks)
from .busy import busy_times  # noqa: E402
from .kernels import measure_gemm  # noqa: E402

from . import neurons  # noqa: E402,F401  isort: skip

__all__ = ["BENCHES", "autograd_step", "bench", "best_times", "busy_times", "measure_gemm", "numpy_step", "run"]
