"""The tour's integer-only rows: the teacher run in int8 × int8 → int32 arithmetic."""

from __future__ import annotations

import time

from ..registry import Row, say, stage
from ..train import time_inference
from .mlp import IntegerMLP


def warm_up_kernels() -> float:
    """Compile the Numba kernels (or load them from Numba's cache); returns the seconds it took."""
    import numpy as np
    start = time.perf_counter()
    from ..nn import MLP
    IntegerMLP.from_float(MLP((2, 2, 2), rng=0), np.zeros((1, 2), np.float32)).forward_codes(np.zeros((1, 2)))
    return time.perf_counter() - start


@stage("integer-only inference", order=20)
def integer_rows(ctx):
    say("integer kernels: compiling with Numba (the first run only; later runs load them from its cache)...")
    seconds = warm_up_kernels()
    say(f"integer kernels ready in {seconds:.1f} s")
    rows = []
    test = ctx.split.test
    for bits in (8, 4):
        model = IntegerMLP.from_float(ctx.teacher, ctx.split.train.X, weight_bits=bits)
        rows.append(Row(f"int{bits} weights, int8 act, integer-only", model.accuracy(test),
                        model.num_parameters(), model.storage_bytes(),
                        time_inference(model.predict, test.X),
                        note="int8 GEMM + fixed-point requantization; weights packed"))
    return rows
