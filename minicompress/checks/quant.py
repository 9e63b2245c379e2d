"""Formula checks of the quantization sections (seed §2.1, §3.2.1, §4.1-4.3) for ``verify``.

Every expected value is worked out by hand in the docstring of its check;
where the seed states a number, ``claim`` holds it and ``claim_ok`` says
whether the recomputation agrees.
"""

from __future__ import annotations

import numpy as np

from ..quant.error import quant_error
from ..quant.fixed_point import fixed_range, to_low_precision
from ..quant.qparams import choose_qparams
from ..quant.seed_loss import reconstruction_error, seed_quantization_loss
from ..quant.uniform import dequantize, quantize
from . import Outcome, check

W = np.array([1.2, 2.5, 3.7])   # seed §4.3
Q = 0.1


@check("ŵ = round(w/q), w=[1.2,2.5,3.7], q=0.1", "seed §4.1, §4.3", claim=[12, 25, 37])
def _seed_codes():
    """1.2/0.1 = 11.999999999999998 in float64 and rounds to 12; 2.5/0.1 = 25; 3.7/0.1 = 37."""
    codes = quantize(W, Q).tolist()
    return Outcome([12, 25, 37], codes, codes == [12, 25, 37], claim_ok=codes == [12, 25, 37])


@check("L(ŵ) = Σ(ŵ_i − y_i)², y = [1, 2, 3]", "seed §4.1, §4.3 (literal)", claim=197)
def _seed_loss():
    """(12 − 1)² + (25 − 2)² + (37 − 3)² = 121 + 529 + 1156 = 1806. The seed prints 197."""
    value = seed_quantization_loss(quantize(W, Q), np.array([1.0, 2.0, 3.0]))
    return Outcome(1806.0, value, value == 1806.0, claim_ok=value == 197,
                   note=f"the seed's 197 matches no reading of its numbers; its y = {np.floor(W).astype(int).tolist()} "
                        "is floor(w), so the formula compares codes (×10) with truncated weights: it measures "
                        "the scale, not the error")


@check("Σ(q·ŵ_i − w_i)² for the same example", "what seed §4.1 means: reconstruction")
def _seed_reconstruction():
    """q·ŵ = [1.2, 2.5, 3.7] up to float64 rounding, so the error is 0 (within 1e-28)."""
    value = reconstruction_error(W, quantize(W, Q), Q)
    return Outcome("0 (±1e-28)", f"{value:.1e}", value < 1e-28)


@check("tie 0.25/0.1 = 2.5: half_away vs half_even", "seed §3.2.1 四舍五入 vs IEEE rint")
def _ties():
    """0.25/0.1 is exactly 2.5 in float64: away from zero gives 3, to even gives 2; −2.5 gives −3 and −2."""
    got = (quantize([0.25, -0.25], Q, rounding="half_away").tolist(),
           quantize([0.25, -0.25], Q, rounding="half_even").tolist())
    return Outcome(([3, -3], [2, -2]), got, got == ([3, -3], [2, -2]))


@check("0.15/0.1 is no tie in float64", "IEEE 754 double arithmetic")
def _not_a_tie():
    """0.15/0.1 = 1.4999999999999998, so both tie rules give 1 (a tie on paper, not in the machine)."""
    got = (quantize([0.15], Q, rounding="half_away").tolist(), quantize([0.15], Q, rounding="half_even").tolist())
    return Outcome(([1], [1]), got, got == ([1], [1]))


@check("symmetric q = max|w| / (2^(b−1) − 1)", "symmetric int8, narrow range")
def _symmetric_scale():
    """max|w| = 1.27 at 8 bits: q = 1.27/127 = 0.01, and −0.5 → −50, 1.27 → 127."""
    qp = choose_qparams(np.array([-0.5, 0.25, 1.27]), 8, "symmetric")
    got = (round(float(qp.q), 12), qp.quantize([-0.5, 1.27]).tolist())
    return Outcome((0.01, [-50, 127]), got, got == (0.01, [-50, 127]))


@check("affine: real 0 is exactly representable", "Jacob et al. 2018 §2.1")
def _affine_zero():
    """Range [−0.3, 1.7] at 8 bits: q = 2/255, z = round(0.3·255/2) = round(38.25) = 38; q·(z − z) = 0."""
    qp = choose_qparams(np.array([-0.3, 1.7]), 8, "affine")
    zero = float(qp.dequantize(qp.quantize([0.0]))[0])
    got = (int(qp.zero_point), zero)
    return Outcome((38, 0.0), got, got == (38, 0.0))


@check("|w − w̃| ≤ q/2 inside the range", "nearest rounding")
def _half_step():
    """For 10,000 normal weights quantized to 8 bits, the largest in-range error is below q/2."""
    w = np.random.default_rng(0).normal(size=10_000)
    qp = choose_qparams(w, 8, "symmetric")
    e = quant_error(w, qp.q, 8, narrow=True)
    return Outcome(f"≤ {float(qp.q) / 2:.6f}", f"{e.max_abs_in_range:.6f}",
                   e.max_abs_in_range <= float(qp.q) / 2)


@check("uniform noise model MSE ≈ q²/12", "Widrow & Kollár 2008")
def _uniform_noise():
    """Uniform w on [−1, 1] with q = 0.01 (no clipping): MSE should be q²/12 = 8.333e-06 within 2%."""
    w = np.random.default_rng(1).uniform(-1, 1, 200_000)
    e = quant_error(w, 0.01)
    return Outcome(f"{0.01 ** 2 / 12:.4e} ± 2%", f"{e.mse:.4e}", abs(e.mse / (0.01 ** 2 / 12) - 1) < 0.02)


@check("float16(0.1), bfloat16(0.1)", "IEEE 754 half; bfloat16")
def _low_precision():
    """0.1 ≈ 1.6·2^−4. float16 keeps 10 mantissa bits: 1638/16384 = 0.0999755859375;
    bfloat16 keeps 7: 205/2048 = 0.10009765625."""
    got = (float(to_low_precision(0.1, "float16")), float(to_low_precision(0.1, "bfloat16")))
    return Outcome((1638 / 16384, 205 / 2048), got, got == (1638 / 16384, 205 / 2048))


@check("fixed point Q3.4: range and step", "seed §2.1 小数量化 (fractional)")
def _fixed_point():
    """1 sign + 3 integer + 4 fractional bits: q = 2^−4 = 0.0625, range [−8, 8 − 0.0625]."""
    got = fixed_range(3, 4)
    return Outcome((-8.0, 7.9375, 0.0625), got, got == (-8.0, 7.9375, 0.0625))


@check("dequantize(quantize(w)) idempotent", "w̃ is on the grid, so it quantizes to the same codes")
def _idempotent():
    w = np.random.default_rng(2).normal(size=1000)
    qp = choose_qparams(w, 4, "affine")
    codes = qp.quantize(w)
    again = qp.quantize(dequantize(codes, qp.q, qp.zero_point))
    return Outcome("codes unchanged", "codes unchanged" if np.array_equal(codes, again) else "changed",
                   bool(np.array_equal(codes, again)))


FLOAT32_TENTH = 13421773 / 2 ** 27    # 0.1 = 1.6·2^−4; 24 significand bits: round(0.1·2^27) / 2^27


@check("full precision is already rounded: float32(0.1)", "seed §2.1 全精度量化",
       claim="full precision keeps all parameter information", probe=0.1)
def _full_precision(computed=None):
    """float32 keeps 24 significant bits. 0.1 lies in [2^−4, 2^−3), so its grid step is 2^−27 and
    float32(0.1) = round(0.1·2^27)/2^27 = 13,421,773/134,217,728 = 0.100000001490116…, not 0.1.

    "Full precision" is itself a rounding (to float32's grid, relative error
    ≤ 2^−24); it is the reference every other format is measured against,
    not a quantization that keeps everything.
    """
    if computed is None:
        computed = float(to_low_precision(0.1, "float32"))
    ok = computed == FLOAT32_TENTH
    return Outcome(f"{FLOAT32_TENTH!r}", f"{computed!r}", ok,
                   f"error {computed - 0.1:.3e}; float32 is the reference format, itself a rounding",
                   claim_ok=computed == 0.1)


@check("low precision keeps accuracy (teacher, fp16 / int8)", "seed §2.1, §3.3", claim="performance is kept")
def _low_precision_accuracy():
    """float16 weights and int8 per-channel weights leave the teacher's test accuracy within 0.5 points."""
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from ..quant.model import quantize_model, round_model
    from ..train import evaluate
    split = digits_split()
    t = shared_teacher()[0]
    base = evaluate(t, split.test)
    fp16 = evaluate(round_model(t, "float16"), split.test)
    int8 = evaluate(quantize_model(t, 8, mode="weight_only"), split.test)
    ok = abs(fp16 - base) <= 0.005 and abs(int8 - base) <= 0.005
    return Outcome(f"{100 * base:.1f}% ± 0.5", f"fp16 {100 * fp16:.1f}%, int8 {100 * int8:.1f}%", ok, claim_ok=ok)


@check("very low precision costs accuracy", "seed §3.3 (缺点)", claim="accuracy may drop at low precision")
def _low_bits_drop():
    """2-bit post-training weights (codes −1, 0, 1) lose most of the teacher's accuracy."""
    from ..data import digits_split
    from ..experiments.teacher import shared_teacher
    from ..quant.model import quantize_model
    from ..train import evaluate
    split = digits_split()
    t = shared_teacher()[0]
    base = evaluate(t, split.test)
    acc2 = evaluate(quantize_model(t, 2, mode="weight_only"), split.test)
    return Outcome(f"far below the teacher's {100 * base:.1f}%", f"{100 * acc2:.1f}%", acc2 < 0.5,
                   claim_ok=acc2 < 0.9)


@check("§2.1 'performance kept' at every precision", "seed §2.1 (保证模型性能)",
       claim="low precision keeps performance", probe=(0.98, 0.98, 0.98, 0.98, 0.98))
def _guaranteed(computed=None):
    """Teacher, float16, int8, int4 and int2 per-channel weights (nearest rounding), test accuracy.

    float16 and int8 stay within 0.5 points of the teacher; 2 bits
    (codes −1, 0, 1) falls below 50%. Nothing is guaranteed: it depends on
    the bits (and on how one rounds: see the tour's rounding rows).
    """
    if computed is None:
        from ..data import digits_split
        from ..experiments.teacher import shared_teacher
        from ..quant.model import quantize_model, round_model
        from ..train import evaluate
        test, t = digits_split().test, shared_teacher()[0]
        computed = (evaluate(t, test), evaluate(round_model(t, "float16"), test),
                    *(evaluate(quantize_model(t, b, mode="weight_only"), test) for b in (8, 4, 2)))
    base, fp16, int8, int4, int2 = computed
    ok = abs(fp16 - base) <= 0.005 and abs(int8 - base) <= 0.005 and int2 < 0.5
    return Outcome("fp16, int8 within 0.5 pt; int2 < 50%",
                   " / ".join(f"{100 * a:.1f}" for a in computed) + " (teacher/fp16/int8/int4/int2)", ok,
                   claim_ok=all(abs(a - base) <= 0.005 for a in computed))
