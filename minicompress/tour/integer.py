"""The tour's integer-only rows: the teacher run in int8 × int8 → int32 arithmetic."""

from __future__ import annotations

import time

from ..bill import storage_bill
from ..integer import IntegerMLP
from . import measured, say, stage
from .teacher import TEACHER


def warm_up_kernels() -> tuple:
    """Compile the Numba kernels, or load them from Numba's cache: (seconds, whether it compiled)."""
    import numpy as np

    from ..kernels import microkernel
    from ..kernels.layer import SERIAL_BELOW
    from ..nn import MLP
    start = time.perf_counter()
    # Three layers, as the teacher has: the whole-network kernel is compiled once per number of
    # layers (its layers are a tuple, whose length is part of the type), about 4 s for each more.
    model = IntegerMLP.from_float(MLP((2, 2, 2, 2), rng=0), np.zeros((1, 2), np.float32))
    for batch in (1, SERIAL_BELOW):                                    # the serial and the parallel network
        model.forward_codes(np.zeros((batch, 2)))
    from ..kernels.cpu import vnni_available
    kernel = microkernel._network_parallel_vnni if vnni_available() else microkernel._network_parallel
    stats = getattr(kernel, "stats", None)                             # None with NUMBA_DISABLE_JIT=1
    return time.perf_counter() - start, bool(stats and stats.cache_misses)


@stage("Numba integer kernels", order=-1, seconds=1)
def compile_kernels(ctx):
    """Before any stage uses them (QAT converts a model to integers too), so the wait is announced."""
    say("integer kernels: compiling with Numba on the first run, loading them from its cache after...")
    seconds, compiled = warm_up_kernels()
    say(f"integer kernels {'compiled' if compiled else 'loaded from the cache'} in {seconds:.1f} s")
    return []


@stage("integer-only inference", order=20, seconds=0.2)
def integer_rows(ctx):
    rows = []
    test = ctx.split.test
    for bits in (8, 4):
        model = IntegerMLP.from_float(ctx.teacher, ctx.split.train.X, weight_bits=bits)
        compare = (TEACHER, "int8 weights + int8 act, static") if bits == 8 else (TEACHER,)
        rows.append(measured(f"int{bits} weights, int8 act, integer-only", [model], test,
                             params=model.num_parameters(), nbytes=storage_bill(model).total,
                             note="int8 GEMM + fixed-point requantization; weights packed", compare=compare))
    return rows
