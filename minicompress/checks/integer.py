"""Formula checks of the integer path (Jacob et al. 2018; gemmlowp) for ``python -m minicompress verify``."""

from __future__ import annotations

import numpy as np

from . import Outcome, check


@check("M = 0.1 as M0·2^(−31−n)", "gemmlowp: M0 in [2^30, 2^31)")
def _multiplier():
    """0.1 = 0.8·2^−3, so n = 3 and M0 = round(0.8·2^31) = round(1717986918.4) = 1717986918."""
    from ..kernels.requant import quantize_multiplier
    got = quantize_multiplier(0.1)
    return Outcome((1717986918, 3), got, got == (1717986918, 3))


@check("srdhm saturates at INT32_MIN²", "gemmlowp SaturatingRoundingDoublingHighMul")
def _srdhm():
    """(−2^31)·(−2^31)·2 / 2^32 = 2^31 does not fit int32: the one case that saturates to 2^31 − 1."""
    from ..kernels.requant import _srdhm, srdhm_reference
    got = (srdhm_reference(-2 ** 31, -2 ** 31), int(_srdhm(-2 ** 31, -2 ** 31)))
    return Outcome((2 ** 31 - 1, 2 ** 31 - 1), got, got == (2 ** 31 - 1, 2 ** 31 - 1))


@check("rounding right shift: ties away from 0", "gemmlowp RoundingDivideByPOT")
def _shift():
    """−3/2 = −1.5 → −2, 3/2 = 1.5 → 2, 5/4 = 1.25 → 1, −5/4 → −1."""
    from ..kernels.requant import rounding_right_shift_reference as r
    got = [r(-3, 1), r(3, 1), r(5, 2), r(-5, 2)]
    return Outcome([-2, 2, 1, -1], got, got == [-2, 2, 1, -1])


@check("int32 accumulator bound", "|Σ_k a·b| ≤ K·128·128 ≤ 2^31 − 1")
def _max_k():
    """K ≤ (2^31 − 1) // 16384 = 131071."""
    from ..kernels.gemm import MAX_K
    return Outcome(131071, MAX_K, MAX_K == 131071)


@check("requantization vs round(acc·M)", "teacher layers on the test digits")
def _requant_mismatch():
    """The two-step fixed-point rounding differs from exact rounding only near ties: under 1% of codes."""
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from ..integer.mlp import IntegerMLP, simulate_layer
    split = digits_split()
    model = IntegerMLP.from_float(shared_teacher()[0], split.train.X)
    codes = model.forward_all(split.test.X)
    differ = total = 0
    for L, x_q, y_q in zip(model.layers, codes[:-1], codes[1:]):
        sim, _ = simulate_layer(L, x_q)
        differ += int(np.sum(sim != y_q))
        total += y_q.size
    return Outcome("< 1% differ", f"{differ}/{total} ({100 * differ / total:.3f}%)", differ < 0.01 * total)


@check("int8 integer-only accuracy", "within 0.5 points of float on the test digits")
def _integer_accuracy():
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from ..integer.mlp import IntegerMLP
    from ..train import evaluate
    split = digits_split()
    teacher = shared_teacher()[0]
    base = evaluate(teacher, split.test)
    acc = IntegerMLP.from_float(teacher, split.train.X).accuracy(split.test)
    return Outcome(f"≥ {100 * base - 0.5:.1f}%", f"{100 * acc:.1f}%", acc >= base - 0.005)
