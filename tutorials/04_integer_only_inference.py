# %% [markdown]
# # 4. Integer-only inference: the MLP in int8 × int8 → int32
#
# Fake quantization (tutorials 2 and 3) only *simulates* low precision. The
# point of quantization is that the network can then run in integers:
# int8 products summed in int32, one integer requantization per layer, and no
# floats between the input and the logits (Jacob et al. 2018; gemmlowp).
#
# Real numbers and codes are tied by `r = q·(r̂ − z)`, with `q` the step, `r̂` the
# code and `z` the zero point (Jacob et al. write S·(q − z)); codes carry the
# suffix `_c`. For output channel j of a Linear layer:
#
#     acc[j] = Σ_k (x_c[k] − z_x)·w_c[j, k] + b_c[j]             (int32)
#     y_c[j] = clamp(z_y + M[j]·acc[j]),   M[j] = q_x·q_w[j] / q_y
#
# and M is applied with integers only: `M = M0·2^(−31−n)`.

# %%
import os
import time

import numpy as np

from minicompress.bill import storage_bill
from minicompress.data import digits_split
from minicompress.experiments import FULL, QUICK, shared_teacher
from minicompress.integer import IntegerMLP
from minicompress.integer.replay import replay
from minicompress.kernels.gemm import gemm_int8, gemm_int8_naive, gemm_int8_reference
from minicompress.kernels.microkernel import pack_b
from minicompress.kernels.pack import pack, unpack
from minicompress.kernels.requant import quantize_multiplier, rounding_right_shift_reference, srdhm_reference
from minicompress.plots import show
from minicompress.plots.integer import make_int_accumulators, make_int_requant_error
from minicompress.quant.conventions import conventions_table
from minicompress.train import evaluate

budget = QUICK if os.environ.get("MINICOMPRESS_QUICK") == "1" else FULL    # epochs and seeds for every step
if budget is QUICK:
    print("QUICK budget: a smoke test with few epochs and random seeds; its numbers are not the ones in the text")
FIGURES = os.environ.get("MINICOMPRESS_FIGURES", "out/figures")   # never the repo's figures/ unless asked

# %% [markdown]
# ## 4.1 int8 GEMM with an int32 accumulator
#
# NumPy multiplies int8 by int8 *in int8* and wraps around; Numba would
# silently promote to int64. The kernels cast to int32 on purpose.

# %%
A = np.full((1, 4), -128, np.int8)
B = np.full((4, 1), -128, np.int8)
print("NumPy int8 @ int8:", (A @ B)[0, 0])                      # 0 (4·16384 wrapped around)
print("gemm_int8:        ", gemm_int8(A, B)[0, 0])              # 65536
rng = np.random.default_rng(0)
A, B = rng.integers(-128, 128, (5, 7)).astype(np.int8), rng.integers(-128, 128, (7, 3)).astype(np.int8)
print("all three kernels agree:", np.array_equal(gemm_int8(A, B), gemm_int8_reference(A, B)) and
      np.array_equal(gemm_int8_naive(A, B), gemm_int8_reference(A, B)))      # True

# %% [markdown]
# ### Optional: what makes `gemm_int8` fast
#
# *This part is about the processor, not about quantization: skip it on a
# first read and go on to 4.2.* The kernel itself is written as a small
# LLVM IR template in `kernels/microkernel.py`; the readable twin,
# `gemm_int8_reference`, is the three nested sums above, and the tests check
# that both give the same integers.
#
# The same sum, reorganised the way every BLAS does it (`kernels/microkernel.py`):
# a 4×16 tile of C stays in eight vector registers while k runs, and is stored
# once at the end. Each step takes two k at a time, because x86's `vpmaddwd`
# multiplies 16 int16 pairs and adds neighbours: lane c gets
# a[2kk]·B[2kk, c] + a[2kk+1]·B[2kk+1, c]. So B is *packed* once, in panels of
# 16 columns with each column's k-pair side by side, and A's rows are widened
# to int16. A core issues two `vpmaddwd` per cycle (32 multiply-adds) but only
# two float32 FMAs (16), so on AVX2 the int8 kernel can outrun float32 BLAS;
# `python -m minicompress bench kernels` measures by how much.
#
# With AVX-512 the tile is 4×64 (`microkernel.WIDE` panels at once) in sixteen
# 512-bit registers. Each accumulator waits for its previous multiply-add, and
# where the processor has VNNI, LLVM fuses `vpmaddwd` and the add after it into
# one `vpdpwssd`, whose result arrives 5 cycles later: eight accumulators can
# start at most 8 multiply-adds in 5 cycles, sixteen can keep two units busy
# every cycle. On a 2-core Xeon with AVX-512 that made the whole forward take
# about a third less time. The packed order of a 3×2 B, pair by pair:

# %%
print(pack_b(np.array([[1, 2], [3, 4], [5, 6]], np.int8))[0, :, :4])   # [[1 3 2 4] [5 0 6 0]]

# %% [markdown]
# And the speed of the naive and fast kernels at one size:

# %%
A, B = rng.integers(-128, 128, (256, 256)).astype(np.int8), rng.integers(-128, 128, (256, 256)).astype(np.int8)
for name, kernel in (("naive triple loop", gemm_int8_naive), ("fast", gemm_int8)):
    kernel(A, B)                                                # compile or load from Numba's cache first
    start = time.perf_counter()
    kernel(A, B)
    print(f"{name:>18}: {2 * 256 ** 3 / (time.perf_counter() - start) / 1e9:6.1f} GOP/s")

# %% [markdown]
# ## 4.2 A real multiplier with integers only
#
# `M = 0.1 = 0.8·2^−3`: store M0 = round(0.8·2^31) and n = 3. Applying it to
# acc = 1234 takes a rounding high multiply and a rounding shift.

# %%
M0, n = quantize_multiplier(0.1)
high = srdhm_reference(1234, M0)
print(M0, n, high, rounding_right_shift_reference(high, n))   # 1717986918 3 987 123  (1234·0.1 = 123.4)

# %% [markdown]
# The two roundings fold into one. The high multiply is ⌊(x·M0 + 2^30) / 2^31⌋
# and the rounding shift is ⌊(q + 2^(n−1) − [q < 0]) / 2^n⌋, and a floor of a
# floor of integer quotients is one floor:
#
#     y = ⌊(x·M0 + 2^30 + 2^(30+n) − 2^31·[x < 0]) / 2^(31+n)⌋
#
# The vector kernel computes exactly this: one 64-bit product and one sum per
# code (`twins.epilogue_params` derives its constants). It then keeps only the
# sum's high 32 bits, which are ⌊sum / 2^32⌋, and shifts those right by n − 1:
# a floor of a floor again, and a 32-bit shift, which every vector unit has.
# The `[x < 0]` term is RoundingDivideByPOT's rule that a negative half rounds
# away from zero.

# %%
for x in (1234, 1235, -1235, 2 ** 31 - 1):
    total = x * M0 + 2 ** 30 + 2 ** (30 + n) - 2 ** 31 * (x < 0)     # Python ints: exact
    folded, high_half = total >> (31 + n), (total >> 32) >> (n - 1)
    no_tie_rule = (x * M0 + 2 ** 30 + 2 ** (30 + n)) >> (31 + n)
    steps = rounding_right_shift_reference(srdhm_reference(x, M0), n)
    print(x, steps, folded, high_half, no_tie_rule)
# 1234 → 123 123 123 123; 1235 → 124 124 124 124 (123.5, a half); −1235 → −124 −124 −124 −123:
# without the [x < 0] term the negative half would round up, not away from zero

# %% [markdown]
# The `[x < 0]` term costs two instructions per vector (a mask and a subtract),
# and with AVX-512 half of them need only one. Taking 2^31 off the constant
# K = 2^30 + 2^(30+n) changes a fixed set of its bits, D = K ^ (K − 2^31): bit 31
# and the bits its borrow runs through. A negative x sign-extended to 64 bits
# has every bit from 31 up set, so K − 2^31·[x < 0] = K ^ (x & D), one
# `vpternlogq`, for the columns whose x arrives sign-extended.

# %%
K = 2 ** 30 + 2 ** (30 + n)
D = K ^ (K - 2 ** 31)
print(bin(K), bin(D))                      # D: bits 31, 32 and 33 (the borrow runs up to K's bit 33)
for x in (1234, -1235, -1, -2 ** 31):
    print(x, K ^ (x & D) == K - 2 ** 31 * (x < 0))   # True each time (Python's & sign-extends)

# %% [markdown]
# ## 4.3 The whole teacher in integers

# %%
split = digits_split()
teacher, _ = shared_teacher(epochs=budget.teacher_epochs)
integer = IntegerMLP.from_float(teacher, split.train.X)
print(f"float32:      {100 * evaluate(teacher, split.test):.1f}%")         # 98.4%
print(f"integer-only: {100 * integer.accuracy(split.test):.1f}%")          # 98.4% (the same 443 images right)
print(f"stored bytes: {storage_bill(integer).total} (float32: {storage_bill(teacher).total})")
int4 = IntegerMLP.from_float(teacher, split.train.X, weight_bits=4)
print(f"int4 weights: {100 * int4.accuracy(split.test):.1f}%, {storage_bill(int4).total} bytes")  # 98.7%, 46950
print("4-bit codes pack two to a byte:", pack([1, -1, 7, -8], 4), unpack(pack([1, -1, 7, -8], 4), 4, 4))

# %% [markdown]
# ### One kernel for the whole network: the fused epilogue, and why it pays
#
# Written out, a layer is three steps, each a plain function you can print:
# the int8 GEMM into an int32 accumulator, the bias add, and requantization
# (`layer_reference`). Run that way (`forward_unfused`), the (450, 256) int32
# accumulator goes to memory after the GEMM, comes back for the bias, goes out
# again, and comes back once more to be requantized.
#
# `integer.forward_codes` makes *one* kernel call for the whole network
# (`kernels/network.py`): each thread takes its share of the rows, 64 at a
# time, quantizes them and takes them through every layer, so activations
# pass from step to step in cache.
# Inside a layer, each 4×16 tile of the output (4×64 with AVX-512) is summed
# over all of k in vector registers, and the epilogue runs on those registers
# before anything is stored (gemmlowp calls it the "output pipeline"):
#
# * the sums start at the bias instead of at 0, so the bias costs nothing;
# * the high multiply and the rounding shift are the folded formula of 4.2:
#   one 32×32 → 64-bit multiply per code (`vpmuldq`), an add, a mask for the
#   negative halves and one shift of the sum's high half, with no branch on
#   the data;
# * the zero point is an add, and the clamp (ReLU is the lower clamp) is a
#   saturating narrowing to int8 and a max and a min.
#
# Only the tile's int8 codes (64, or 256) leave the core. `microkernel._requant_ir`
# writes the folded form as LLVM IR; `microkernel._output_cols` keeps
# gemmlowp's two steps in plain Numba, and the tests check both against
# `requantize_reference`. The codes are the same, bit for bit.

# %%
import time  # noqa: E402

from minicompress.kernels.layer import layer_int8, layer_reference  # noqa: E402

x_c = integer.quantize_input(split.test.X)
L = integer.layers[0]
steps = layer_reference(x_c, L.w_t, L.bias, L.M0, L.n, L.z_out, L.lo, 127)
print("fused kernel = the three steps:", np.array_equal(integer.forward_all(split.test.X)[1], steps))   # True


def best_ms(fn, repeats=30):
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * min(times)


inputs = integer.forward_all(split.test.X)[:-1]
fused = best_ms(lambda: integer.forward_codes(split.test.X))
unfused = best_ms(lambda: integer.forward_unfused(split.test.X))
quantize_in = best_ms(lambda: integer.quantize_input(split.test.X))
gemm_only = best_ms(lambda: [layer_int8(c, L.fused, finish=False) for c, L in zip(inputs, integer.layers)])
print(f"450 digits, this machine: one pass per step {unfused:.3f} ms, fused {fused:.3f} ms ({unfused / fused:.2f}x)")
print(f"shares of the fused forward: quantize in {100 * quantize_in / fused:.0f}%, GEMM {100 * gemm_only / fused:.0f}%, "
      f"epilogue and the rest {100 * max(fused - quantize_in - gemm_only, 0) / fused:.0f}%")
# Why it pays: the unfused path stores and reloads 4 bytes per output three times; the fused one
# stores 1 byte once. `python -m minicompress bench kernels` measures the same shares and sets the
# forward beside float32 (x @ W + b in NumPy). Over nine runs on a 2-core Xeon VM with AVX-512 and VNNI:
# 0.143-0.161 ms against 0.43-0.46 at 450 images and 0.99-1.12 ms against 3.66-3.86 at 4096, with the
# VNNI tile; on the tile every processor runs, 0.175-0.195 and 1.46-1.66 ms; and compiled for AVX2
# alone, 0.32-0.35 ms against 0.48-0.55 (1.51-1.66x) and 2.8-3.1 ms against 6.2-7.0 (2.1-2.4x).
# Roughly 63-73% of the fused forward is GEMM, 9-19% quantizing the input, 8-27% the rest.

# %% [markdown]
# ## 4.4 Replay one neuron
#
# Every integer of one output, next to the real number it stands for.

# %%
print(replay(integer, split.test.X[0], layer=0, neuron=3)["text"])

# %% [markdown]
# ## 4.5 How often does the fixed-point rounding differ from exact rounding?
#
# It rounds twice (in the high multiply, then in the shift), so a value a hair
# from a tie can land on the other side. On the teacher this happens for a
# few codes in ten thousand (`python -m minicompress verify` prints the count).

# %%
show(make_int_requant_error(FIGURES, budget))
show(make_int_accumulators(FIGURES, budget))

# %% [markdown]
# ## 4.6 The same tensor under PyTorch, TFLite and ONNX Runtime rules
#
# They all use `r = S·(q − z)`, but differ in integer range, zero-point rule and
# tie rule, so the same activation gets different codes.

# %%
print(conventions_table(np.array([-0.3, 0.2, 1.7]), teacher[0].weight.data))

# %% [markdown]
# ## Read the code, then try this
#
# Each call above is a few lines of `minicompress`; these are the ones this
# tutorial leans on, with the file and line to open.
#
# **Try this.** Call `quantize_multiplier(3.0)`: which (M0, n) comes back, and what does
# `requantize` return for an accumulator of 10**9? (It saturates at 127, as
# gemmlowp does.) Then rebuild the teacher with `weight_bits=4` in 4.3.

# %%
from minicompress.source import sources  # noqa: E402

print(sources(
    "minicompress.kernels.gemm:gemm_int8_reference",
    "minicompress.kernels.requant:quantize_multiplier",
    "minicompress.kernels.requant:requantize_reference",
    "minicompress.integer.mlp:IntegerMLP.from_float",
    "minicompress.integer.mlp:simulate_layer",
))
