"""The exercises: which reference code each one asks for, its test cases, and the mistakes it recognises.

Each case's expectation is computed by the reference implementation in
minicompress (named in ``source``), on a golden input small enough to check
by hand or on a seeded random input.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Case:
    label: str
    args: tuple
    source: str                      # where the expected value comes from


@dataclass
class Mistake:
    name: str                        # what the student probably did
    wrong: object                    # args -> the output that mistake gives
    hint: str


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

    @property
    def filename(self) -> str:
        return f"{self.number:02d}_{self.slug}.py"

    def functions(self):
        out = []
        for ref in self.refs:
            module, name = ref.split(":")
            out.append(getattr(importlib.import_module(module), name))
        return out


def _rng(seed):
    return np.random.default_rng(seed)


# --- 1-3: backward rules --------------------------------------------------------------------------------------

def _mul_cases():
    g = _rng(1)
    return [Case("a = [1, 2], b = [3, −1], grad = [1, 1]", (np.array([1.0, 2.0]), np.array([3.0, -1.0]), np.ones(2)),
                 "by hand: ∂(ab)/∂a = b, ∂(ab)/∂b = a"),
            Case("random (3, 4) arrays", (g.normal(size=(3, 4)), g.normal(size=(3, 4)), g.normal(size=(3, 4))),
                 "minicompress.autograd.mul_backward, checked by central differences in its tests")]


def _matmul_cases():
    g = _rng(2)
    return [Case("A (1, 2), B (2, 1), grad [[1]]", (np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.ones((1, 1))),
                 "by hand: ∂L/∂A = grad·Bᵀ = [[3, 4]], ∂L/∂B = Aᵀ·grad = [[1], [2]]"),
            Case("random A (4, 3), B (3, 5)", (g.normal(size=(4, 3)), g.normal(size=(3, 5)), g.normal(size=(4, 5))),
                 "minicompress.autograd.matmul_backward")]


def _relu_cases():
    g = _rng(3)
    return [Case("a = [−1, 0, 2], grad = [5, 5, 5]", (np.array([-1.0, 0.0, 2.0]), np.full(3, 5.0)),
                 "by hand: gradient passes only where a > 0 (0 at a = 0, as PyTorch)"),
            Case("random (4, 4)", (g.normal(size=(4, 4)), g.normal(size=(4, 4))), "minicompress.autograd.relu_backward")]


# --- 4: rounding -------------------------------------------------------------------------------------------

def _round_cases():
    g = _rng(4)
    ties = np.array([2.5, -2.5, 0.5, -0.5, 3.5])
    return [Case("half_away on ties [2.5, −2.5, 0.5, −0.5, 3.5]", (ties, "half_away", None),
                 "seed §3.2.1 四舍五入: ties away from zero → [3, −3, 1, −1, 4]"),
            Case("half_away on 0.49999999999999994, −1.4, 1.6", (np.array([0.49999999999999994, -1.4, 1.6]), "half_away", None),
                 "by hand: 0, −1, 2"),
            Case("half_even on the same ties", (ties, "half_even", None), "IEEE / np.rint: [2, −2, 0, −0, 4]"),
            Case("floor on the same ties", (ties, "floor", None), "towards −∞: [2, −3, 0, −1, 3]"),
            Case("stochastic, seed 0", (np.array([0.3, 0.3, 0.3, 2.7, -1.5]), "stochastic", 0),
                 "minicompress.quant.rounding.round_stochastic with a seeded Generator"),
            Case("half_away on random values", (g.normal(size=50) * 10, "half_away", None),
                 "minicompress.quant.rounding.round_half_away")]


# --- 5: choose_qparams -----------------------------------------------------------------------------------------

def _qp(lo, hi, bits, scheme):
    from ..quant.qparams import qparams_from_range
    qp = qparams_from_range(lo, hi, bits, scheme)
    return np.array([float(np.ravel(qp.scale)[0]), float(np.ravel(qp.zero_point)[0]), qp.qmin, qp.qmax])


def _qparams_cases():
    return [Case("symmetric, [−0.5, 1.27], 8 bits", (-0.5, 1.27, 8, "symmetric"), "q = max|w| / (2^(b−1) − 1) = 1.27/127 = 0.01"),
            Case("affine, [−1, 2], 2 bits", (-1.0, 2.0, 2, "affine"), "q = 3/3 = 1, z = 0 − round(−1/1) = 1"),
            Case("affine, [0.5, 6], 8 bits (widen to 0)", (0.5, 6.0, 8, "affine"), "range widened to [0, 6]: q = 6/255, z = 0"),
            Case("symmetric, [−3.5, 1], 4 bits", (-3.5, 1.0, 4, "symmetric"), "q = 3.5/7 = 0.5")]


def _qparams_call(module, args):
    fn = getattr(module, "qparams_from_range")
    qp = fn(*args)
    return np.array([float(np.ravel(qp.scale)[0]), float(np.ravel(qp.zero_point)[0]), qp.qmin, qp.qmax])


# --- 6: int8 GEMM -------------------------------------------------------------------------------------------------

def _gemm_cases():
    g = _rng(6)
    return [Case("A = [[1, −2], [127, −128]], B = [[3, 0], [4, −128]]",
                 (np.array([[1, -2], [127, -128]], np.int8), np.array([[3, 0], [4, -128]], np.int8)),
                 "by hand: [[−5, 256], [−131, 16384]]"),
            Case("all −128, K = 4", (np.full((1, 4), -128, np.int8), np.full((4, 1), -128, np.int8)),
                 "by hand: 4·16384 = 65536 (does not fit int8 or int16)"),
            Case("random (5, 9) @ (9, 3)", (g.integers(-128, 128, (5, 9)).astype(np.int8),
                                            g.integers(-128, 128, (9, 3)).astype(np.int8)),
                 "minicompress.kernels.gemm.gemm_int8_reference (int64 NumPy)")]


def _gemm_wrap8(A, B):
    return (A.astype(np.int8) @ B.astype(np.int8)).astype(np.int64)     # NumPy multiplies int8 in int8


def _gemm_wrap16(A, B):
    return (A.astype(np.int16) @ B.astype(np.int16)).astype(np.int64)


# --- 7: requantization ---------------------------------------------------------------------------------------------

def _requant_cases():
    from ..kernels.requant import quantize_multiplier
    M0, n = quantize_multiplier(0.1)
    g = _rng(7)
    accs = g.integers(-2 ** 20, 2 ** 20, 8)
    return [Case("acc = 1234, M = 0.1 (M0 = 1717986918, n = 3)", (1234, M0, n), "by hand: round(123.4) = 123"),
            Case("acc = −3, M0 = 2^30, n = 1", (-3, 2 ** 30, 1), "srdhm(−3, 2^30) = −1 (ties to +∞), then −1/2 → −1"),
            Case("acc = 5, M0 = 2^30, n = 1", (5, 2 ** 30, 1), "srdhm = 3 (2.5 → 3), then 3/2 = 1.5 → 2"),
            Case("acc = INT32_MIN, M0 = INT32_MIN, n = 0", (-2 ** 31, -2 ** 31, 0), "the saturating case: 2^31 − 1")] + \
        [Case(f"random acc {int(a)}, M = 0.00731", (int(a), *quantize_multiplier(0.00731)),
              "minicompress.kernels.requant (srdhm_reference, rounding_right_shift_reference)") for a in accs]


def _requant_call(module, args):
    acc, M0, n = args
    x = acc << max(-n, 0)
    return module.rounding_right_shift_reference(module.srdhm_reference(x, M0), max(n, 0))


def _requant_ref(acc, M0, n):
    from ..kernels.requant import rounding_right_shift_reference, srdhm_reference
    return rounding_right_shift_reference(srdhm_reference(acc << max(-n, 0), M0), max(n, 0))


def _requant_floor_div(acc, M0, n):
    ab = acc * M0
    v = (ab + (2 ** 30 if ab >= 0 else 1 - 2 ** 30)) // 2 ** 31          # floor instead of truncation
    mask = (1 << n) - 1
    return (v >> n) + (1 if (v & mask) > (mask >> 1) + (1 if v < 0 else 0) else 0) if n else v


def _requant_plain_shift(acc, M0, n):
    from ..kernels.requant import srdhm_reference
    return srdhm_reference(acc, M0) >> n                                   # no rounding in the shift


# --- 8: soft labels --------------------------------------------------------------------------------------------------

def _soft_cases():
    g = _rng(8)
    return [Case("z = [2, 1, 0], T = 1", (np.array([2.0, 1.0, 0.0]), 1.0), "softmax by hand: [0.6652, 0.2447, 0.0900]"),
            Case("z = [2, 1, 0], T = 4", (np.array([2.0, 1.0, 0.0]), 4.0), "e^{0.5}, e^{0.25}, 1 normalised: [0.4192, 0.3265, 0.2543]"),
            Case("z = [[1e4, 0, −1e4]], T = 1 (stability)", (np.array([[1e4, 0.0, -1e4]]), 1.0), "[[1, 0, 0]] without overflow"),
            Case("random (4, 10), T = 3", (g.normal(0, 3, (4, 10)), 3.0), "minicompress.distill.soft_labels")]


def _soft_no_T(z, T):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _soft_times_T(z, T):
    return _soft_no_T(z * T, 1.0)


# --- 9: KD loss ------------------------------------------------------------------------------------------------------

def _kd_cases():
    g = _rng(9)
    zs, zt, y = g.normal(0, 2, (6, 5)), g.normal(0, 2, (6, 5)), g.integers(0, 5, 6)
    return [Case("student [[ln 4, 0]], teacher [[0, 0]], T = 1, α = 1", (np.array([[np.log(4.0), 0.0]]), np.zeros((1, 2)), None, 1.0, 1.0),
                 "KL([.5, .5] ‖ [.8, .2]) = 0.5 ln(.5/.8) + 0.5 ln(.5/.2) = 0.2231"),
            Case("random, T = 4, α = 0.9", (zs, zt, y, 4.0, 0.9), "minicompress.distill.kd_loss (Hinton et al. 2015)"),
            Case("random, T = 2, α = 1", (zs, zt, None, 2.0, 1.0), "minicompress.distill.kd_loss"),
            Case("T = 1, α = 0 is cross-entropy", (zs, zt, y, 1.0, 0.0), "minicompress.functional.cross_entropy")]


def _kd_call(module, args):
    return float(module.kd_loss(*args).item())


def _kd_ref(zs, zt, y, T, alpha):
    from ..distill.kd_loss import kd_loss
    return float(kd_loss(zs, zt, y, T, alpha).item())


def _kl(p, q):
    return float(np.sum(p * (np.log(p) - np.log(q))) / p.shape[0])


def _kd_variant(zs, zt, y, T, alpha, t2=True, reverse=False):
    from .. import functional as F
    from ..distill.soft_labels import soft_labels
    ps, pt = soft_labels(zs, T), soft_labels(zt, T)
    kl = _kl(ps, pt) if reverse else _kl(pt, ps)
    loss = alpha * (T * T if t2 else 1.0) * kl
    if alpha < 1:
        loss += (1 - alpha) * F.cross_entropy(zs, y).item()
    return loss


# --- 10: the KD gradient -------------------------------------------------------------------------------------------

def _kdg(zs, zt, T):
    from ..distill.kd_loss import kd_gradient
    return kd_gradient(zs, zt, T)


def _kdg_cases():
    g = _rng(11)
    return [Case("z_s = [[ln 4, 0]], z_t = [[0, 0]], T = 1", (np.array([[np.log(4.0), 0.0]]), np.zeros((1, 2)), 1.0),
                 "by hand: p_s − p_t = [0.8 − 0.5, 0.2 − 0.5] = [0.3, −0.3]"),
            Case("random (3, 10), T = 4", (g.normal(size=(3, 10)), g.normal(size=(3, 10)), 4.0),
                 "minicompress.distill.kd_gradient, checked against the autograd of kd_loss")]


# --- 11: k-means -----------------------------------------------------------------------------------------------------

def _kmeans_cases():
    g = _rng(10)
    return [Case("[0.1, 0.12, 0.5, 0.52, 0.9], k = 3", (np.array([0.1, 0.12, 0.5, 0.52, 0.9]), 3),
                 "by hand: centroids [0.11, 0.51, 0.9], assignment [0, 0, 1, 1, 2]"),
            Case("random 200 weights, k = 8", (g.normal(size=200), 8), "minicompress.prune.share.kmeans_1d (linear init)")]


def _kmeans_call(module, args):
    c, idx = module.kmeans_1d(*args)
    return np.concatenate([np.asarray(c, float), np.asarray(idx, float)])


def _kmeans_ref(values, k):
    from ..prune.share import kmeans_1d
    c, idx = kmeans_1d(values, k)
    return np.concatenate([c, idx.astype(float)])


def _kmeans_no_update(values, k):
    from ..prune.share import init_centroids
    c = init_centroids(np.asarray(values, float), k, "linear")
    idx = np.abs(np.asarray(values)[:, None] - c[None, :]).argmin(axis=1)
    return np.concatenate([c, idx.astype(float)])


def _call(name):
    return lambda module, args: getattr(module, name)(*args)


def _ref(module, name):
    return lambda *args: getattr(importlib.import_module(module), name)(*args)


EXERCISES = [
    Exercise(1, "mul_backward", "the backward of multiplication",
             "Given a, b and ∂L/∂out for out = a·b (elementwise), return (∂L/∂a, ∂L/∂b).",
             ["minicompress.autograd:mul_backward"], "mul_backward", ("mul_backward",), "import numpy as np",
             "For out = a · b, the chain rule gives ∂L/∂a = ∂L/∂out · ∂out/∂a. Work out ∂out/∂a and ∂out/∂b.",
             _mul_cases, _ref("minicompress.autograd", "mul_backward"),
             [Mistake("swapped factors", lambda a, b, g: (g * a, g * b),
                      "∂(a·b)/∂a is b, not a: each input's gradient uses the *other* input")]),
    Exercise(2, "matmul_backward", "the backward of matrix multiplication",
             "Given A (M, K), B (K, N) and ∂L/∂out (M, N), return (∂L/∂A, ∂L/∂B).",
             ["minicompress.autograd:matmul_backward"], "matmul_backward", ("matmul_backward",), "import numpy as np",
             "out[i, j] = Σ_k A[i, k] B[k, j]. The gradients must have the shapes of A and B: let the shapes guide you.",
             _matmul_cases, _ref("minicompress.autograd", "matmul_backward"),
             [Mistake("gradients returned in the wrong order", lambda a, b, g: (a.T @ g, g @ b.T),
                      "return (∂L/∂A, ∂L/∂B) in that order: ∂L/∂A has A's shape")]),
    Exercise(3, "relu_backward", "the backward of ReLU",
             "Given a and ∂L/∂out for out = max(a, 0), return ∂L/∂a.",
             ["minicompress.autograd:relu_backward"], "relu_backward", ("relu_backward",), "import numpy as np",
             "ReLU passes its input where it is positive and outputs 0 elsewhere. Its slope is 1 or 0; at exactly 0 use 0.",
             _relu_cases, _ref("minicompress.autograd", "relu_backward"),
             [Mistake("slope 1 at a = 0", lambda a, g: g * (a >= 0), "at a = 0 minicompress (like PyTorch) uses slope 0"),
              Mistake("forgot the incoming gradient", lambda a, g: (a > 0).astype(float),
                      "chain rule: multiply the local slope by ∂L/∂out")]),
    Exercise(4, "rounding", "round(w/q) with rounding modes",
             "ŵ = round(w/q) four ways: ties away from zero (四舍五入), ties to even, floor, stochastic.",
             ["minicompress.quant.rounding:round_half_away", "minicompress.quant.rounding:round_half_even",
              "minicompress.quant.rounding:round_stochastic", "minicompress.quant.rounding:apply_rounding"],
             "apply_rounding", ("round_half_away", "apply_rounding"),
             "import numpy as np\n\nROUNDING_MODES = ('half_away', 'half_even', 'floor', 'stochastic')",
             "Write round_half_away (the seed's 四舍五入: 2.5 → 3 and −2.5 → −3; np.rint and Python's round() "
             "send ties to the even neighbour instead; beware floor(x + 0.5), wrong for x = 0.49999999999999994), "
             "then apply_rounding, which picks the mode by name (stochastic rounding needs rng).",
             _round_cases, lambda x, mode, rng: _ref("minicompress.quant.rounding", "apply_rounding")(x, mode, rng),
             [Mistake("half-even rounding", lambda x, mode, rng: np.rint(x),
                      "you rounded ties to even (np.rint / round()); 四舍五入 sends 2.5 to 3 and −2.5 to −3"),
              Mistake("floor(x + 0.5)", lambda x, mode, rng: np.floor(x + 0.5),
                      "floor(x + 0.5) sends −2.5 to −2 and 0.49999999999999994 to 1; work with trunc(x) and |x − trunc(x)|")],
             rename={"from ..nn import as_generator": "from minicompress.nn import as_generator"}, exact=True),
    Exercise(5, "choose_qparams", "choosing q and z, symmetric and affine",
             "Compute the step (scale) and zero point from a range [lo, hi] for both schemes.",
             ["minicompress.quant.qparams:qparams_from_range"], "qparams_from_range",
             ("choose_qparams_symmetric", "choose_qparams_affine"),
             "import numpy as np\n\nfrom minicompress.quant.qparams import SCHEMES, QParams, bound_or_span\n"
             "from minicompress.quant.rounding import round_half_away\nfrom minicompress.quant.uniform import qrange",
             "Symmetric: q = max(|lo|, |hi|) / qmax with z = 0. Affine: first widen [lo, hi] to contain 0, then "
             "q = (hi − lo)/(qmax − qmin) and z = qmin − round(lo/q), clamped to [qmin, qmax].",
             _qparams_cases, lambda lo, hi, bits, scheme: _qp(lo, hi, bits, scheme),
             [Mistake("symmetric step over 2^b − 1", lambda lo, hi, bits, scheme: np.array(
                 [max(abs(lo), abs(hi)) / (2 ** bits - 1), 0, -(2 ** (bits - 1)) + 1, 2 ** (bits - 1) - 1]),
                 "a symmetric signed range has 2^(b−1) − 1 steps on each side of 0, not 2^b − 1")]),
    Exercise(6, "gemm_int8", "int8 matrix product with an int32 accumulator",
             "C[i, j] = Σ_k A[i, k]·B[k, j] for int8 A, B, returned as int32.",
             ["minicompress.kernels.gemm:_naive"], "gemm_int8", ("gemm_int8",), "import numpy as np",
             "Products of two int8 values need 15 bits and their sums more: cast each factor to int32 before "
             "multiplying and keep the running sum in int32.",
             _gemm_cases, _ref("minicompress.kernels.gemm", "gemm_int8_reference"),
             [Mistake("int8 accumulation that wraps", _gemm_wrap8,
                      "your sums wrapped around in int8: NumPy multiplies int8 by int8 in int8. Cast to int32 first"),
              Mistake("int16 accumulation that wraps", _gemm_wrap16,
                      "the sum overflowed int16: accumulate in int32")],
             rename={"def _naive(": "def gemm_int8("}, exact=True),
    Exercise(7, "requantize", "requantization with M0 and a shift",
             "Apply M = M0·2^(−31−n) to an int32 accumulator with integers only.",
             ["minicompress.kernels.requant:srdhm_reference", "minicompress.kernels.requant:rounding_right_shift_reference"],
             "requantize", ("requantize",), "INT32_MIN, INT32_MAX = -(2 ** 31), 2 ** 31 - 1",
             "srdhm(a, b) is round(a·b / 2^31) as gemmlowp computes it: add a nudge of 2^30 (1 − 2^30 for negative "
             "products), then divide by 2^31 truncating towards 0; INT32_MIN·INT32_MIN saturates. The shift "
             "rounds x / 2^n with ties away from zero.",
             _requant_cases, _requant_ref,
             [Mistake("floor division in srdhm", _requant_floor_div,
                      "Python's // rounds towards −∞; C's integer division (and gemmlowp) truncates towards 0"),
              Mistake("a plain right shift", _requant_plain_shift,
                      "x >> n rounds down; the rounding shift adds 1 when the remainder passes half")],
             exact=True),
    Exercise(8, "soft_labels", "soft labels with a temperature",
             "p = softmax(z / T) along the last axis, stable for huge logits.",
             ["minicompress.distill.soft_labels:soft_labels"], "soft_labels", ("soft_labels",),
             "import numpy as np\n\nfrom minicompress import functional as F\nfrom minicompress.autograd import Tensor",
             "Divide the logits by T, subtract the row maximum (softmax does not change, and exp cannot overflow), "
             "exponentiate and normalise so each row sums to 1.",
             _soft_cases, _ref("minicompress.distill.soft_labels", "soft_labels"),
             [Mistake("forgot the temperature", _soft_no_T, "divide the logits by T before the softmax"),
              Mistake("multiplied by T", _soft_times_T, "the logits are divided by T, not multiplied")]),
    Exercise(9, "kd_loss", "Hinton's distillation loss",
             "L = α·T²·KL(p_teacher ‖ p_student) + (1 − α)·CE(z_student, y), KL averaged over the batch.",
             ["minicompress.distill.kd_loss:kd_loss"], "kd_loss", ("kd_loss",),
             "import numpy as np\n\nfrom minicompress import functional as F\nfrom minicompress.autograd import Tensor\n"
             "from minicompress.distill.kd_loss import _check_T_alpha, kl_divergence",
             "Use kl_divergence(teacher_logits, student_logits, T) (it is KL(p_t ‖ p_s)) and F.cross_entropy. "
             "The soft term is multiplied by T²; labels may be None only when α = 1.",
             _kd_cases, _kd_ref,
             [Mistake("T² missing", lambda *a: _kd_variant(*a, t2=False),
                      "the soft term must be multiplied by T²: the softmax at temperature T shrinks its gradient by 1/T²"),
              Mistake("KL direction reversed", lambda *a: _kd_variant(*a, reverse=True),
                      "KL(p_teacher ‖ p_student) weights log-ratios by the teacher's probabilities; you computed "
                      "KL(p_student ‖ p_teacher)")]),
    Exercise(10, "kd_gradient", "the gradient of the KD loss",
             "∂(T²·KL(p_t ‖ p_s))/∂z_s per example, in closed form.",
             ["minicompress.distill.kd_loss:kd_gradient"], "kd_gradient", ("kd_gradient",),
             "import numpy as np\n\nfrom minicompress.distill.soft_labels import soft_labels",
             "Differentiate T²·Σ_i p_t,i (log p_t,i − log softmax(z_s/T)_i) with respect to z_s. The softmax's "
             "derivative brings a 1/T; what is left of the T²?",
             _kdg_cases, _ref("minicompress.distill.kd_loss", "kd_gradient"),
             [Mistake("T factor missing", lambda zs, zt, T: _kdg(zs, zt, T) / T,
                      "the T² in front of the KL and the 1/T from the softmax leave a factor T"),
              Mistake("sign reversed", lambda zs, zt, T: -_kdg(zs, zt, T),
                      "the gradient is T·(p_student − p_teacher): it pushes the student towards the teacher")]),
    Exercise(11, "kmeans", "k-means weight sharing",
             "Cluster 1-D weights into k groups with Lloyd's algorithm (linear initialisation).",
             ["minicompress.prune.share:init_centroids", "minicompress.prune.share:kmeans_1d"], "kmeans_1d", ("kmeans",),
             "import numpy as np\n\nfrom minicompress.nn import as_generator\n\nINITS = ('linear', 'random', 'density')",
             "Repeat: assign each value to its nearest centroid; move each centroid to the mean of its values "
             "(a centroid with no values stays); stop when nothing moves.",
             _kmeans_cases, _kmeans_ref,
             [Mistake("centroids never updated", _kmeans_no_update,
                      "after assigning, move each centroid to the mean of the values assigned to it, and repeat")]),
]

CALLERS = {"choose_qparams": _qparams_call, "requantize": _requant_call, "kd_loss": _kd_call, "kmeans": _kmeans_call}


def caller(ex: Exercise):
    """How the grader calls the student's code for this exercise: (module, args) -> output."""
    return CALLERS.get(ex.slug, _call(ex.entry))


def by_slug(name: str) -> Exercise:
    for ex in EXERCISES:
        if name in (ex.slug, str(ex.number), f"{ex.number:02d}"):
            return ex
    raise SystemExit(f"unknown exercise {name!r}; see `python -m minicompress exercises list`")
