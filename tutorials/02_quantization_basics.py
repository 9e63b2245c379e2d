# %% [markdown]
# # 2. Quantization basics: ŵ = round(w / q)
#
# The seed document (§4.1) writes quantization as one formula,
# `ŵ = round(w / q)`: divide by a step `q`, round to an integer. This tutorial
# runs that formula, adds what a real quantizer needs (a bit width, a clamp, a
# zero point), checks the seed's worked example, and measures the error.
#
# Conventions: the step is `q` everywhere in minicompress (PyTorch, TFLite and
# ONNX call it the "scale"); dequantization is `w̃ = q·(ŵ − z)` with zero point `z`.

# %%
import os

import numpy as np

from minicompress.plots import show
from minicompress.plots.quantization import make_quant_error_histogram, make_quant_mse_vs_bits, make_quant_staircase
from minicompress.quant import (
    choose_qparams,
    dequantize,
    explain_quantize,
    quant_error,
    quantize,
    reconstruction_error,
    seed_quantization_loss,
    to_fixed,
    to_low_precision,
)

FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked

# %% [markdown]
# ## 2.1 The seed's example, §4.3
#
# `w = [1.2, 2.5, 3.7]`, `q = 0.1`. The seed says the codes are `[12, 25, 37]`: right.

# %%
w = np.array([1.2, 2.5, 3.7])
codes = quantize(w, 0.1)
print(codes)                         # [12 25 37]
print(dequantize(codes, 0.1))        # [1.2 2.5 3.7]

# %% [markdown]
# The seed then computes its "quantization loss" `L(ŵ) = Σ(ŵ_i − y_i)²` with
# `y = [1, 2, 3]` and prints 197. Recomputed: (12−1)² + (25−2)² + (37−3)² =
# 121 + 529 + 1156 = **1806**. The seed's arithmetic is wrong, and the formula
# itself compares codes (ten times the weights) with targets on another
# scale. What measures the damage done by quantization is the reconstruction
# error `Σ(q·ŵ_i − w_i)²`, which here is 0 up to float64 rounding.

# %%
print(seed_quantization_loss(codes, np.array([1.0, 2.0, 3.0])))   # 1806.0, not 197
print(reconstruction_error(w, codes, 0.1))                          # ~5e-32

# %% [markdown]
# ## 2.2 Rounding, ties, and floating point
#
# 四舍五入 (the seed's rounding) sends ties away from zero; NumPy's `rint` and
# PyTorch send ties to the even neighbour. They differ only on exact ties,
# and a tie on paper is not always one in floating point:
# `0.25/0.1` is exactly 2.5, but `0.15/0.1` is 1.4999999999999998.

# %%
for x in (0.25, -0.25, 0.15):
    print(x, "→ w/q =", repr(x / 0.1), " half_away:", quantize([x], 0.1)[0],
          " half_even:", quantize([x], 0.1, rounding="half_even")[0])
# 0.25 → 2.5 → 3 and 2;  −0.25 → −3 and −2;  0.15 → 1.4999999999999998 → 1 and 1

# %% [markdown]
# ## 2.3 Bits, clamping and the trace of every step
#
# With `bits = 3` (signed) the codes must lie in [−4, 3]. `explain_quantize`
# prints each intermediate value, so you can follow a weight through
# divide by q → round → shift → clamp → dequantize.

# %%
print(explain_quantize([0.07, 0.25, -0.33, 1.0], 0.1, bits=3))
# 1.0 would need code 10; it is clamped to 3 and comes back as 0.3 (error −0.7)
show(make_quant_staircase(FIGURES))

# %% [markdown]
# **Try it.** The same staircase with sliders for q and the bits. In Jupyter
# run `%matplotlib widget` first (the `ipympl` package), or run this file in a
# desktop session, and drag them; here we move them from code, as a hand would.

# %%
from minicompress.plots.interactive import staircase_explorer  # noqa: E402

explorer = staircase_explorer(q=0.25, bits=3)
for bits in (3, 4, 8):
    explorer.set(bits=bits)
    print(f"{bits} bits, q = 0.25: largest |w̃ − w| on [−1.2, 1.2] = {explorer.state['max_error']:.3f}")
# 3 bits clip everything beyond 0.75 (error up to 0.45); from 4 bits on nothing is clipped and the error is ≤ q/2

# %% [markdown]
# ## 2.4 Choosing q: symmetric and affine
#
# Symmetric: `q = max|w| / (2^(b−1) − 1)`, zero point 0. Affine: the range
# [min, max] (widened to contain 0) is spread over all 2^b codes, and the
# zero point is the code of real 0, which is then exactly representable.

# %%
x = np.array([-0.3, 0.0, 0.5, 1.7])
sym, aff = choose_qparams(x, 8, "symmetric"), choose_qparams(x, 8, "affine")
print(sym)     # q = 0.013386 (1.7/127), z = 0, codes in [-127, 127]
print(aff)     # q = 0.007843 (2.0/255), z = 38, codes in [0, 255]
print("affine codes", aff.quantize(x), "→ real 0 comes back as", aff.dequantize(aff.quantize([0.0]))[0])

# %% [markdown]
# ## 2.5 How big is the error?
#
# Inside the range the error is at most q/2, and spread nearly uniformly over
# (−q/2, q/2), so the mean square error is close to q²/12. Every extra bit
# halves q and divides the MSE by four: about 6 dB of SQNR per bit.

# %%
rng = np.random.default_rng(0)
weights = rng.normal(size=100_000)
for bits in (8, 4, 2):
    qp = choose_qparams(weights, bits, "symmetric")
    print(f"{bits} bits:", quant_error(weights, qp.q, bits, narrow=True))
# 8 bits: MSE 1.162e-04 against q²/12 = 1.157e-04, SQNR 39.3 dB; at 2 bits the codes {−1, 0, 1}
# cannot follow the weights and the uniform model (1.866) overstates the measured MSE (0.941)
show(make_quant_error_histogram(FIGURES))
show(make_quant_mse_vs_bits(FIGURES))

# %% [markdown]
# ## 2.6 Fractional (fixed-point) and low-precision floats
#
# The seed's "小数量化" (fractional quantization) is fixed point: Qm.n has
# step 2^−n and saturates at its range. Low-precision floats instead keep a
# relative precision: float16 has 10 mantissa bits, bfloat16 7.

# %%
print(to_fixed([0.1, 1.03125, 100.0], 3, 4))        # [0.125 1.0625 7.9375]: q = 1/16, saturates at 7.9375
print(to_low_precision(0.1, "float16"), to_low_precision(0.1, "bfloat16"))   # 0.0999755859375 0.10009765625
