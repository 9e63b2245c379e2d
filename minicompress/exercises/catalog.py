"""The exercises: which reference code each one asks for, how the grader calls it, what it recognises.

The cases and known mistakes of each exercise are in ``cases.py``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np

from . import cases as C
from . import cases_compress as K
from .cases import Mistake


@dataclass
class Exercise:
    number: int
    slug: str
    title: str
    summary: str
    refs: list                       # ["module:function", ...] in the reference
    entry: str                       # the function the checker calls in the student's file
    regions: tuple
    preamble: str
    instructions: str
    cases: object                    # () -> [Case]
    reference: object                # args -> expected output
    mistakes: list = field(default_factory=list)
    rename: dict = field(default_factory=dict)
    exact: bool = False              # integers: compare exactly
    closure: tuple = ()              # (name, args, returns): the region sits in an op's backward closure

    @property
    def filename(self) -> str:
        return f"{self.number:02d}_{self.slug}.py"

    def functions(self):
        out = []
        for ref in self.refs:
            module, name = ref.split(":")
            obj = importlib.import_module(module)
            for part in name.split("."):                 # "Tensor.__mul__": a method
                obj = getattr(obj, part)
            out.append(obj)
        return out


EXERCISES = [
    Exercise(1, "mul_backward", "the backward of multiplication",
             "Given a, b and ∂L/∂out for out = a·b (elementwise), return (∂L/∂a, ∂L/∂b).",
             ["minicompress.autograd:Tensor.__mul__"], "mul_backward", ("mul_backward",), "import numpy as np",
             "For out = a · b, the chain rule gives ∂L/∂a = ∂L/∂out · ∂out/∂a. Work out ∂out/∂a and ∂out/∂b.",
             C.mul_cases, C.mul_through_autograd,
             [Mistake("swapped factors", lambda a, b, g: (g * a, g * b),
                      "∂(a·b)/∂a is b, not a: each input's gradient uses the *other* input")],
             closure=("mul_backward", ("a", "b", "grad"), ("grad_a", "grad_b"))),
    Exercise(2, "matmul_backward", "the backward of matrix multiplication",
             "Given A (M, K), B (K, N) and ∂L/∂out (M, N), return (∂L/∂A, ∂L/∂B).",
             ["minicompress.autograd:Tensor.__matmul__"], "matmul_backward", ("matmul_backward",), "import numpy as np",
             "out[i, j] = Σ_k A[i, k] B[k, j]. The gradients must have the shapes of A and B: let the shapes guide you.",
             C.matmul_cases, C.matmul_through_autograd,
             [Mistake("gradients returned in the wrong order", lambda a, b, g: (a.T @ g, g @ b.T),
                      "return (∂L/∂A, ∂L/∂B) in that order: ∂L/∂A has A's shape")],
             closure=("matmul_backward", ("A", "B", "G"), ("grad_A", "grad_B"))),
    Exercise(3, "relu_backward", "the backward of ReLU",
             "Given a and ∂L/∂out for out = max(a, 0), return ∂L/∂a.",
             ["minicompress.autograd:Tensor.relu"], "relu_backward", ("relu_backward",), "import numpy as np",
             "ReLU passes its input where it is positive and outputs 0 elsewhere. Its slope is 1 or 0; at exactly 0 use 0.",
             C.relu_cases, C.relu_through_autograd,
             [Mistake("slope 1 at a = 0", lambda a, g: g * (a >= 0), "at a = 0 minicompress (like PyTorch) uses slope 0"),
              Mistake("forgot the incoming gradient", lambda a, g: (a > 0).astype(float),
                      "chain rule: multiply the local slope by ∂L/∂out")],
             closure=("relu_backward", ("a", "grad"), ("grad_a",))),
    Exercise(4, "rounding", "round(w/q) with rounding modes",
             "ŵ = round(w/q) four ways: ties away from zero (四舍五入), ties to even, floor, stochastic.",
             ["minicompress.quant.rounding:round_half_away", "minicompress.quant.rounding:round_half_even",
              "minicompress.quant.rounding:round_stochastic", "minicompress.quant.rounding:apply_rounding"],
             "apply_rounding", ("round_half_away", "apply_rounding"),
             "import numpy as np\n\nROUNDING_MODES = ('half_away', 'half_even', 'floor', 'stochastic')",
             "Write round_half_away (the seed's 四舍五入: 2.5 → 3 and −2.5 → −3; np.rint and Python's round() "
             "send ties to the even neighbour instead; beware floor(x + 0.5), wrong for x = 0.49999999999999994), "
             "then apply_rounding, which picks the mode by name (stochastic rounding needs rng).",
             C.round_cases, lambda x, mode, rng: C.ref("minicompress.quant.rounding", "apply_rounding")(x, mode, rng),
             [Mistake("half-even rounding", lambda x, mode, rng: np.rint(x),
                      "you rounded ties to even (np.rint / round()); 四舍五入 sends 2.5 to 3 and −2.5 to −3"),
              Mistake("floor(x + 0.5)", lambda x, mode, rng: np.floor(x + 0.5),
                      "floor(x + 0.5) sends −2.5 to −2 and 0.49999999999999994 to 1; work with trunc(x) and |x − trunc(x)|")],
             rename={"from ..nn import as_generator": "from minicompress.nn import as_generator"}, exact=True),
    Exercise(5, "choose_qparams", "choosing q and z, symmetric and affine",
             "Compute the step q and the zero point z from a range [lo, hi] for both schemes.",
             ["minicompress.quant.qparams:qparams_from_range"], "qparams_from_range",
             ("choose_qparams_symmetric", "choose_qparams_affine"),
             "import numpy as np\n\nfrom minicompress.quant.qparams import MIN_STEP, SCHEMES, QParams\n"
             "from minicompress.quant.rounding import round_half_away\nfrom minicompress.quant.uniform import qrange",
             "In each of the two branches, assign q (the step) and zero_point (z): the return line builds "
             "QParams from those two names. Symmetric: q = max(|lo|, |hi|) / qmax with z = 0. Affine: first widen [lo, hi] to contain 0, then "
             "q = (hi − lo)/(qmax − qmin) and z = qmin − round(lo/q), clamped to [qmin, qmax]. Floor q at "
             "MIN_STEP (float32's epsilon) in both, so that an all-zero range still gets a step.",
             C.qparams_cases, lambda lo, hi, bits, scheme: C.qp(lo, hi, bits, scheme),
             [Mistake("symmetric step over 2^b − 1", lambda lo, hi, bits, scheme: np.array(
                 [max(abs(lo), abs(hi)) / (2 ** bits - 1), 0, -(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 1]),
                 "a symmetric signed range has 2^(b−1) − 1 steps on each side of 0, not 2^b − 1")]),
    Exercise(6, "gemm_int8", "int8 matrix product with an int32 accumulator",
             "C[i, j] = Σ_k A[i, k]·B[k, j] for int8 A, B, returned as int32.",
             ["minicompress.kernels.gemm:_naive"], "gemm_int8", ("gemm_int8",), "import numpy as np",
             "Products of two int8 values need 15 bits and their sums more: cast each factor to int32 before "
             "multiplying and keep the running sum in int32.",
             C.gemm_cases, C.ref("minicompress.kernels.gemm", "gemm_int8_reference"),
             [Mistake("int8 accumulation that wraps", C.gemm_wrap8,
                      "your sums wrapped around in int8: NumPy multiplies int8 by int8 in int8. Cast to int32 first"),
              Mistake("int16 accumulation that wraps", C.gemm_wrap16,
                      "the sum overflowed int16: accumulate in int32")],
             rename={"def _naive(": "def gemm_int8("}, exact=True),
    Exercise(7, "requantize", "requantization with M0 and a shift",
             "Apply M = M0·2^(−31−n) to an int32 accumulator with integers only.",
             ["minicompress.kernels.requant:srdhm_reference", "minicompress.kernels.requant:rounding_right_shift_reference"],
             "requantize", ("requantize",), "INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1",
             "srdhm(a, b) is round(a·b / 2^31) as gemmlowp computes it: add a nudge of 2^30 (1 − 2^30 for negative "
             "products), then divide by 2^31 truncating towards 0; INT32_MIN·INT32_MIN saturates. The shift "
             "rounds x / 2^n with ties away from zero.",
             C.requant_cases, C.requant_ref,
             [Mistake("floor division in srdhm", C.requant_floor_div,
                      "Python's // rounds towards −∞; C's integer division (and gemmlowp) truncates towards 0"),
              Mistake("a plain right shift", C.requant_plain_shift,
                      "x >> n rounds down; the rounding shift adds 1 when the remainder passes half")],
             exact=True),
    Exercise(8, "soft_labels", "soft labels with a temperature",
             "p = softmax(z / T) along the last axis, stable for huge logits.",
             ["minicompress.distill.soft_labels:soft_labels"], "soft_labels", ("soft_labels",),
             "import numpy as np\n\nfrom minicompress import functional as F\nfrom minicompress.autograd import Tensor\n"
             "from minicompress.distill.soft_labels import infinite_limit",
             "Subtract the row maximum (softmax does not change, and exp cannot overflow), divide by T, "
             "exponentiate and normalise so each row sums to 1. Subtract first: 1e308 / 0.5 overflows to inf.",
             C.soft_cases, C.ref("minicompress.distill.soft_labels", "soft_labels"),
             [Mistake("forgot the temperature", C.soft_no_T, "divide the logits by T before the softmax"),
              Mistake("multiplied by T", C.soft_times_T, "the logits are divided by T, not multiplied")]),
    Exercise(9, "kd_loss", "Hinton's distillation loss",
             "L = α·T²·KL(p_teacher ‖ p_student) + (1 − α)·CE(z_student, y), KL averaged over the batch.",
             ["minicompress.distill.kd_loss:kd_loss"], "kd_loss", ("kd_loss",),
             "import numpy as np\n\nfrom minicompress import functional as F\nfrom minicompress.autograd import Tensor\n"
             "from minicompress.distill.kd_loss import _student, check_alpha, kl_divergence",
             "Use kl_divergence(student_logits, teacher_logits, T=T) (it is KL(p_t ‖ p_s)) and F.cross_entropy. "
             "The soft term is multiplied by T²; labels may be None only when α = 1.",
             C.kd_cases, C.kd_ref,
             [Mistake("T² missing", lambda *a: C.kd_variant(*a, t2=False),
                      "the soft term must be multiplied by T²: the softmax at temperature T shrinks its gradient by 1/T²"),
              Mistake("KL direction reversed", lambda *a: C.kd_variant(*a, reverse=True),
                      "KL(p_teacher ‖ p_student) weights log-ratios by the teacher's probabilities; you computed "
                      "KL(p_student ‖ p_teacher)"),
              Mistake("KL summed over the batch", lambda *a: C.kd_variant(*a, mean=False),
                      "the KL term is averaged over the batch, like the cross-entropy beside it; a sum grows with "
                      "the batch size, so the learning rate that suits batch 32 is 4x too big at batch 128")]),
    Exercise(10, "kd_gradient", "the gradient of the KD loss",
             "∂(T²·KL(p_t ‖ p_s))/∂z_s per example, in closed form.",
             ["minicompress.distill.kd_loss:kd_gradient"], "kd_gradient", ("kd_gradient",),
             "import numpy as np\n\nfrom minicompress.distill.kd_loss import check_logit_pair\n"
             "from minicompress.distill.soft_labels import soft_labels",
             "Differentiate T²·Σ_i p_t,i (log p_t,i − log softmax(z_s/T)_i) with respect to z_s. The softmax's "
             "derivative brings a 1/T; what is left of the T²?",
             C.kdg_cases, C.kdg,
             [Mistake("T factor missing", lambda zs, zt, T: C.kdg(zs, zt, T) / T,
                      "the T² in front of the KL and the 1/T from the softmax leave a factor T"),
              Mistake("sign reversed", lambda zs, zt, T: -C.kdg(zs, zt, T),
                      "the gradient is T·(p_student − p_teacher): it pushes the student towards the teacher")]),
    Exercise(11, "kmeans", "k-means weight sharing",
             "Cluster 1-D weights into k groups with Lloyd's algorithm (linear initialisation).",
             ["minicompress.prune.share:init_centroids", "minicompress.prune.share:kmeans_1d"], "kmeans_1d", ("kmeans",),
             "import numpy as np\n\nfrom minicompress.nn import as_generator\n\nINITS = ('linear', 'random', 'density')",
             "Repeat: assign each value to its nearest centroid; move each centroid to the mean of its values "
             "(a centroid with no values stays); stop when nothing moves.",
             C.kmeans_cases, C.kmeans_ref,
             [Mistake("centroids never updated", C.kmeans_no_update,
                      "after assigning, move each centroid to the mean of the values assigned to it, and repeat")]),
    Exercise(12, "adaround_h", "AdaRound's rectified sigmoid h(V)",
             "h(V) = clip(σ(V)·(ζ − γ) + γ, 0, 1) with ζ = 1.1, γ = −0.1 (tutorial 10.3).",
             ["minicompress.quant.adaround:h_of_v"], "h_of_v", ("adaround_h",),
             "import numpy as np\n\nZETA, GAMMA = 1.1, -0.1",
             "Goal: a soft rounding variable that can reach exactly 0 and 1. Compute σ(V) = 1/(1 + e^(−V)) "
             "(clip V to ±60 first so exp cannot overflow), stretch it to (γ, ζ) = (−0.1, 1.1), then clip to "
             "[0, 1]. Worked example: V = 0 gives σ = ½ and h = 0.6 − 0.1 = 0.5.",
             K.adaround_h_cases, C.ref("minicompress.quant.adaround", "h_of_v"),
             [Mistake("plain sigmoid", K.adaround_h_plain_sigmoid,
                      "stretch σ(V) to (γ, ζ) = (−0.1, 1.1) so h can reach 0 and 1 exactly, then clip"),
              Mistake("no clip to [0, 1]", K.adaround_h_no_clip,
                      "after stretching, clip to [0, 1]: that is what makes h exactly 0 or 1 (and its gradient 0)")]),
    Exercise(13, "adaround_penalty", "AdaRound's rounding penalty",
             "f(h) = Σ (1 − |2h − 1|^β): zero only when every h is 0 or 1 (tutorial 10.3).",
             ["minicompress.quant.adaround:round_penalty"], "round_penalty", ("adaround_penalty",),
             "import numpy as np",
             "Goal: a penalty that pushes each h to 0 or 1. |2h − 1| is 1 at both ends and 0 at ½; raise it to "
             "β and take it from 1, then sum over all weights and return a float. Worked example: h = ¼, β = 2 "
             "gives 1 − (½)² = 0.75.",
             K.penalty_cases, C.ref("minicompress.quant.adaround", "round_penalty"),
             [Mistake("missing the 1 −", K.penalty_no_one_minus,
                      "|2h − 1|^β is largest at the ends; the penalty is 1 minus it, largest at h = ½"),
              Mistake("h instead of 2h − 1", K.penalty_h_not_2h_minus_1,
                      "map h from [0, 1] to [−1, 1] with 2h − 1 first, so both ends cost nothing")]),
    Exercise(14, "gptq_column", "one GPTQ column update",
             "Round column j of a block, then feed its error to the later columns (tutorial 10.4).",
             ["minicompress.quant.gptq:_nearest", "minicompress.quant.gptq:gptq_step"], "gptq_step",
             ("gptq_column",), "import numpy as np\n\nfrom minicompress.quant.rounding import round_half_away",
             "Goal: round one column and let the columns not yet rounded absorb its error (Frantar et al. 2022). "
             "c = round to nearest code of Wb[:, j]/q, clipped to [lo, hi]; e = (Wb[:, j] − q·c) / u[j]; then "
             "Wb[:, j:] −= outer(e, u[j:]). Return (c, e, Wb). Worked example in the docstring: 0.4 rounds to 0, "
             "e = 0.4, and the next weight 0.4 becomes 0.4 − 0.4·0.9 = 0.04.",
             K.gptq_cases, K.gptq_ref,
             [Mistake("error not divided by u[j]", K.gptq_no_divide,
                      "the error is measured in units of U_jj: e = (w − q·c) / u[j]"),
              Mistake("no error feedback", K.gptq_no_feedback,
                      "after rounding column j, subtract outer(e, u[j:]) from the block's columns j onwards")]),
    Exercise(15, "equalization_scales", "cross-layer equalization scales",
             "s_i = √(r₁,i / r₂,i) between two layers with a ReLU between them (tutorial 10.6).",
             ["minicompress.quant.equalize:equalization_scales"], "equalization_scales", ("equalization_scales",),
             "import numpy as np",
             "Goal: scales that give hidden unit i the same range in both layers. r₁,i = max_j |W₁[i, j]| (row i "
             "of the first layer), r₂,i = max_k |W₂[k, i]| (column i of the second); s_i = √(r₁,i / r₂,i), and "
             "s_i = 1 where either range is 0. Worked example: r₁ = 4, r₂ = 1 gives s = 2.",
             K.equalize_cases, C.ref("minicompress.quant.equalize", "equalization_scales"),
             [Mistake("ratio upside down", K.equalize_inverted,
                      "s = √(r₁ / r₂): dividing row i of W₁ by s and multiplying column i of W₂ by s makes both √(r₁r₂)")]),
    Exercise(16, "hutchinson", "Hutchinson's trace estimator",
             "tr(H) ≈ mean of vᵀHv over random ±1 vectors, with its standard error (tutorial 11.2).",
             ["minicompress.quant.sensitivity:hutchinson"], "hutchinson", ("hutchinson",), "import numpy as np",
             "Goal: a layer's Hessian trace without the Hessian. Given vectors V (m, n) of ±1 and their products "
             "HV (m, n), each sample is v_kᵀ(H v_k) (a row-wise dot product). Return (their mean, their standard "
             "error std/√m with ddof = 1) as two floats. Worked example: for a diagonal H every ±1 vector gives "
             "the trace itself, so the error is 0.",
             K.hutchinson_cases, K.hutchinson_ref,
             [Mistake("summed instead of averaged", K.hutchinson_sum,
                      "E[vᵀHv] = tr(H): the estimate is the mean of the samples, not their sum"),
              Mistake("spread instead of standard error", K.hutchinson_no_sqrt,
                      "the error of a mean of m samples is their std divided by √m")]),
    Exercise(17, "thin_pair", "removing hidden units (thinning)",
             "Keep only some hidden units: their rows in W₁ and b₁, their columns in W₂ (tutorial 11.4).",
             ["minicompress.prune.neurons:thin_pair"], "thin_pair", ("thin_pair",), "import numpy as np",
             "Goal: a smaller dense layer pair that computes what the kept units computed. Unit i is row i of "
             "W₁ (its incoming weights), b₁[i], and column i of W₂ (its outgoing weights). Return "
             "(W₁[keep, :], b₁[keep], W₂[:, keep]).",
             K.thin_cases, K.thin_ref,
             [Mistake("W₂ not thinned", K.thin_rows_of_w2,
                      "the next layer's columns belong to the removed units too: take W₂[:, keep]")]),
]

CALLERS = {"choose_qparams": C.qparams_call, "requantize": C.requant_call, "kd_loss": C.kd_call,
           "kd_gradient": C.kdg_call, "kmeans": C.kmeans_call, "gptq_column": K.gptq_call,
           "hutchinson": K.hutchinson_call, "thin_pair": K.thin_call}


def caller(ex: Exercise):
    """How the grader calls the student's code for this exercise: (module, args) -> output."""
    return CALLERS.get(ex.slug, C.call(ex.entry))


def by_slug(name: str) -> Exercise:
    for ex in EXERCISES:
        if name in (ex.slug, str(ex.number), f"{ex.number:02d}"):
            return ex
    raise SystemExit(f"unknown exercise {name!r}; see `python -m minicompress exercises list`")
