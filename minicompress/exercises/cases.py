"""The exercises' test cases, their reference answers, and the typical wrong answers they recognise.

Each case's expectation is computed by the reference implementation in
minicompress (named in ``source``), on a golden input small enough to check
by hand or on a seeded random input. A ``Mistake`` computes what a typical
error would return, so the grader can name it when a student's output matches.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

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


def rng(seed):
    return np.random.default_rng(seed)


# --- 1-3: backward rules --------------------------------------------------------------------------------------
# The expected gradients come from running the op itself in minicompress's autograd.

def _grads(op, *arrays, grad):
    from ..autograd import Tensor
    ts = [Tensor(np.array(a, dtype=float), requires_grad=True) for a in arrays]
    op(*ts).backward(grad)
    return tuple(t.grad for t in ts)


def mul_through_autograd(a, b, grad):
    return _grads(lambda x, y: x * y, a, b, grad=grad)


def matmul_through_autograd(A, B, G):
    return _grads(lambda x, y: x @ y, A, B, grad=G)


def relu_through_autograd(a, grad):
    return _grads(lambda x: x.relu(), a, grad=grad)[0]


def mul_cases():
    g = rng(1)
    return [Case("a = [1, 2], b = [3, −1], grad = [1, 1]", (np.array([1.0, 2.0]), np.array([3.0, -1.0]), np.ones(2)),
                 "by hand: ∂(ab)/∂a = b, ∂(ab)/∂b = a"),
            Case("random (3, 4) arrays", (g.normal(size=(3, 4)), g.normal(size=(3, 4)), g.normal(size=(3, 4))),
                 "minicompress.Tensor.__mul__ through backward(), checked by central differences in its tests")]


def matmul_cases():
    g = rng(2)
    return [Case("A (1, 2), B (2, 1), grad [[1]]", (np.array([[1.0, 2.0]]), np.array([[3.0], [4.0]]), np.ones((1, 1))),
                 "by hand: ∂L/∂A = grad·Bᵀ = [[3, 4]], ∂L/∂B = Aᵀ·grad = [[1], [2]]"),
            Case("random A (4, 3), B (3, 5)", (g.normal(size=(4, 3)), g.normal(size=(3, 5)), g.normal(size=(4, 5))),
                 "minicompress.Tensor.__matmul__ through backward()")]


def relu_cases():
    g = rng(3)
    return [Case("a = [−1, 0, 2], grad = [5, 5, 5]", (np.array([-1.0, 0.0, 2.0]), np.full(3, 5.0)),
                 "by hand: gradient passes only where a > 0 (0 at a = 0, as PyTorch)"),
            Case("random (4, 4)", (g.normal(size=(4, 4)), g.normal(size=(4, 4))), "minicompress.Tensor.relu through backward()")]


# --- 4: rounding -------------------------------------------------------------------------------------------

def round_cases():
    g = rng(4)
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

def qp(lo, hi, bits, scheme):
    from ..quant.qparams import qparams_from_range
    qp = qparams_from_range(lo, hi, bits, scheme)
    return np.array([float(np.ravel(qp.q)[0]), float(np.ravel(qp.zero_point)[0]), qp.qmin, qp.qmax])


def qparams_cases():
    return [Case("symmetric, [−0.5, 1.27], 8 bits", (-0.5, 1.27, 8, "symmetric"), "q = max|w| / (2^(b−1) − 1) = 1.27/127 = 0.01"),
            Case("affine, [−1, 2], 2 bits", (-1.0, 2.0, 2, "affine"), "q = 3/3 = 1, z = 0 − round(−1/1) = 1"),
            Case("affine, [0.5, 6], 8 bits (widen to 0)", (0.5, 6.0, 8, "affine"), "range widened to [0, 6]: q = 6/255, z = 0"),
            Case("symmetric, [−3.5, 1], 4 bits", (-3.5, 1.0, 4, "symmetric"), "q = 3.5/7 = 0.5")]


def qparams_call(module, args):
    fn = getattr(module, "qparams_from_range")
    qp = fn(*args)
    return np.array([float(np.ravel(qp.q)[0]), float(np.ravel(qp.zero_point)[0]), qp.qmin, qp.qmax])


# --- 6: int8 GEMM -------------------------------------------------------------------------------------------------

def gemm_cases():
    g = rng(6)
    return [Case("A = [[1, −2], [127, −128]], B = [[3, 0], [4, −128]]",
                 (np.array([[1, -2], [127, -128]], np.int8), np.array([[3, 0], [4, -128]], np.int8)),
                 "by hand: [[−5, 256], [−131, 16384]]"),
            Case("all −128, K = 4", (np.full((1, 4), -128, np.int8), np.full((4, 1), -128, np.int8)),
                 "by hand: 4·16384 = 65536 (does not fit int8 or int16)"),
            Case("random (5, 9) @ (9, 3)", (g.integers(-128, 128, (5, 9)).astype(np.int8),
                                            g.integers(-128, 128, (9, 3)).astype(np.int8)),
                 "minicompress.kernels.gemm.gemm_int8_reference (int64 NumPy)")]


def gemm_wrap8(A, B):
    return (A.astype(np.int8) @ B.astype(np.int8)).astype(np.int64)     # NumPy multiplies int8 in int8


def gemm_wrap16(A, B):
    return (A.astype(np.int16) @ B.astype(np.int16)).astype(np.int64)


# --- 7: requantization ---------------------------------------------------------------------------------------------

def requant_cases():
    from ..kernels.requant import quantize_multiplier
    M0, n = quantize_multiplier(0.1)
    g = rng(7)
    accs = g.integers(-2 ** 20, 2 ** 20, 8)
    return [Case("acc = 1234, M = 0.1 (M0 = 1717986918, n = 3)", (1234, M0, n), "by hand: round(123.4) = 123"),
            Case("acc = −3, M0 = 2^30, n = 1", (-3, 2 ** 30, 1), "srdhm(−3, 2^30) = −1 (ties to +∞), then −1/2 → −1"),
            Case("acc = 5, M0 = 2^30, n = 1", (5, 2 ** 30, 1), "srdhm = 3 (2.5 → 3), then 3/2 = 1.5 → 2"),
            Case("acc = INT32_MIN, M0 = INT32_MIN, n = 0", (-2 ** 31, -2 ** 31, 0), "the saturating case: 2^31 − 1")] + \
        [Case(f"random acc {int(a)}, M = 0.00731", (int(a), *quantize_multiplier(0.00731)),
              "minicompress.kernels.requant (srdhm_reference, rounding_right_shift_reference)") for a in accs]


def requant_call(module, args):
    acc, M0, n = args
    x = acc << max(-n, 0)
    return module.rounding_right_shift_reference(module.srdhm_reference(x, M0), max(n, 0))


def requant_ref(acc, M0, n):
    from ..kernels.requant import rounding_right_shift_reference, srdhm_reference
    return rounding_right_shift_reference(srdhm_reference(acc << max(-n, 0), M0), max(n, 0))


def requant_floor_div(acc, M0, n):
    ab = acc * M0
    v = (ab + (2 ** 30 if ab >= 0 else 1 - 2 ** 30)) // 2 ** 31          # floor instead of truncation
    mask = (1 << n) - 1
    return (v >> n) + (1 if (v & mask) > (mask >> 1) + (1 if v < 0 else 0) else 0) if n else v


def requant_plain_shift(acc, M0, n):
    from ..kernels.requant import srdhm_reference
    return srdhm_reference(acc, M0) >> n                                   # no rounding in the shift


# --- 8: soft labels --------------------------------------------------------------------------------------------------

def soft_cases():
    g = rng(8)
    return [Case("z = [2, 1, 0], T = 1", (np.array([2.0, 1.0, 0.0]), 1.0), "softmax by hand: [0.6652, 0.2447, 0.0900]"),
            Case("z = [2, 1, 0], T = 4", (np.array([2.0, 1.0, 0.0]), 4.0), "e^{0.5}, e^{0.25}, 1 normalised: [0.4192, 0.3265, 0.2543]"),
            Case("z = [[1e4, 0, −1e4]], T = 1 (stability)", (np.array([[1e4, 0.0, -1e4]]), 1.0), "[[1, 0, 0]] without overflow"),
            Case("random (4, 10), T = 3", (g.normal(0, 3, (4, 10)), 3.0), "minicompress.distill.soft_labels")]


def soft_no_T(z, T):
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def soft_times_T(z, T):
    return soft_no_T(z * T, 1.0)


# --- 9: KD loss ------------------------------------------------------------------------------------------------------

def kd_cases():
    g = rng(9)
    zs, zt, y = g.normal(0, 2, (6, 5)), g.normal(0, 2, (6, 5)), g.integers(0, 5, 6)
    return [Case("student [[ln 4, 0]], teacher [[0, 0]], T = 1, α = 1", (np.array([[np.log(4.0), 0.0]]), np.zeros((1, 2)), None, 1.0, 1.0),
                 "KL([.5, .5] ‖ [.8, .2]) = 0.5 ln(.5/.8) + 0.5 ln(.5/.2) = 0.2231"),
            Case("random, T = 4, α = 0.9", (zs, zt, y, 4.0, 0.9), "minicompress.distill.kd_loss (Hinton et al. 2015)"),
            Case("random, T = 2, α = 1", (zs, zt, None, 2.0, 1.0), "minicompress.distill.kd_loss"),
            Case("T = 1, α = 0 is cross-entropy", (zs, zt, y, 1.0, 0.0), "minicompress.functional.cross_entropy")]


def kd_call(module, args):
    zs, zt, y, T, alpha = args
    return float(module.kd_loss(zs, zt, y, T=T, alpha=alpha).item())


def kd_ref(zs, zt, y, T, alpha):
    from ..distill.kd_loss import kd_loss
    return float(kd_loss(zs, zt, y, T=T, alpha=alpha).item())


def batch_kl(p, q, mean=True):
    return float(np.sum(p * (np.log(p) - np.log(q))) / (p.shape[0] if mean else 1))


def kd_variant(zs, zt, y, T, alpha, t2=True, reverse=False, mean=True):
    from .. import functional as F
    from ..distill.soft_labels import soft_labels
    ps, pt = soft_labels(zs, T), soft_labels(zt, T)
    kl = batch_kl(ps, pt, mean) if reverse else batch_kl(pt, ps, mean)
    loss = alpha * (T * T if t2 else 1.0) * kl
    if alpha < 1:
        loss += (1 - alpha) * F.cross_entropy(zs, y).item()
    return loss


# --- 10: the KD gradient -------------------------------------------------------------------------------------------

def kdg(zs, zt, T):
    from ..distill.kd_loss import kd_gradient
    return kd_gradient(zs, zt, T=T)


def kdg_call(module, args):
    zs, zt, T = args
    return module.kd_gradient(zs, zt, T=T)


def kdg_cases():
    g = rng(11)
    return [Case("z_s = [[ln 4, 0]], z_t = [[0, 0]], T = 1", (np.array([[np.log(4.0), 0.0]]), np.zeros((1, 2)), 1.0),
                 "by hand: p_s − p_t = [0.8 − 0.5, 0.2 − 0.5] = [0.3, −0.3]"),
            Case("random (3, 10), T = 4", (g.normal(size=(3, 10)), g.normal(size=(3, 10)), 4.0),
                 "minicompress.distill.kd_gradient, checked against the autograd of kd_loss")]


# --- 11: k-means -----------------------------------------------------------------------------------------------------

def kmeans_cases():
    g = rng(10)
    return [Case("[0.1, 0.12, 0.5, 0.52, 0.9], k = 3", (np.array([0.1, 0.12, 0.5, 0.52, 0.9]), 3),
                 "by hand: centroids [0.11, 0.51, 0.9], assignment [0, 0, 1, 1, 2]"),
            Case("random 200 weights, k = 8", (g.normal(size=200), 8), "minicompress.prune.share.kmeans_1d (linear init)")]


def kmeans_call(module, args):
    c, idx = module.kmeans_1d(*args)
    return np.concatenate([np.asarray(c, float), np.asarray(idx, float)])


def kmeans_ref(values, k):
    from ..prune.share import kmeans_1d
    c, idx = kmeans_1d(values, k)
    return np.concatenate([c, idx.astype(float)])


def kmeans_no_update(values, k):
    from ..prune.share import init_centroids
    c = init_centroids(np.asarray(values, float), k, "linear")
    idx = np.abs(np.asarray(values)[:, None] - c[None, :]).argmin(axis=1)
    return np.concatenate([c, idx.astype(float)])


def call(name):
    return lambda module, args: getattr(module, name)(*args)


def ref(module, name):
    return lambda *args: getattr(importlib.import_module(module), name)(*args)
