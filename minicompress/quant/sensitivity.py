"""How much a layer minds being perturbed: Hessian-vector products, Hutchinson's trace, the ½δᵀHδ prediction.

minicompress's autograd computes first derivatives only, so a Hessian-vector
product comes from **finite differences of gradients** (Pearlmutter 1994
gives the exact alternative, a double backward):

    H v ≈ (∇L(w + εv) − ∇L(w − εv)) / 2ε          error O(ε²) for a smooth loss

Hutchinson's estimator (1989) of a layer's Hessian trace averages vᵀHv over
random Rademacher vectors v (entries ±1), since E[vvᵀ] = I:

    tr(H) ≈ (1/m) Σ_k v_kᵀ H v_k,      standard error = std(v_kᵀ H v_k) / √m

Perturbing a layer's weights by δ (its quantization error, say) raises the
loss by about ∇Lᵀδ + ½ δᵀHδ; at a minimum the gradient term is about 0, so
½ δᵀHδ predicts the increase (HAWQ, Dong et al. 2019, ranks layers by
tr(H)/n · ‖δ‖², its average).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import as_generator


def layer_loss_grad(model, layer, X, y, W=None) -> tuple:
    """(cross-entropy on (X, y), its gradient with respect to ``layer.weight``), optionally at weights W.

    The model's weights are restored afterwards; nothing else is touched.
    """
    saved = layer.weight.data
    if W is not None:
        layer.weight.data = np.asarray(W, dtype=saved.dtype)
    try:
        for p in model.parameters():
            p.grad = None
        loss = F.cross_entropy(model(Tensor(X)), y)
        loss.backward()
        grad = np.array(layer.weight.grad, dtype=np.float64)
        for p in model.parameters():
            p.grad = None
        return float(loss.item()), grad
    finally:
        layer.weight.data = saved


def hvp(model, layer, X, y, v, eps: float = 1e-3) -> np.ndarray:
    """H v for the Hessian of the loss with respect to ``layer.weight``, by central differences of gradients."""
    W = layer.weight.data.astype(np.float64)
    _, g_plus = layer_loss_grad(model, layer, X, y, W + eps * v)
    _, g_minus = layer_loss_grad(model, layer, X, y, W - eps * v)
    return (g_plus - g_minus) / (2 * eps)


@dataclass(frozen=True)
class Trace:
    """Hutchinson's estimate of tr(H): the mean of vᵀHv and its standard error over the samples."""

    estimate: float
    stderr: float
    samples: int


def hutchinson(vectors, products) -> tuple:
    """(tr(H) estimate, its standard error) from Rademacher vectors v_k (m, n) and their products H v_k (m, n):

        estimate = (1/m) Σ_k v_kᵀ (H v_k),    stderr = std_k(v_kᵀ H v_k) / √m   (std with ddof = 1)

    >>> H = np.diag([1.0, 2.0, 3.0])                   # diagonal: every ±1 vector gives vᵀHv = 6 exactly
    >>> V = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]])
    >>> hutchinson(V, V @ H)
    (6.0, 0.0)
    """
    V, HV = np.asarray(vectors, dtype=np.float64), np.asarray(products, dtype=np.float64)
    # --- exercise: hutchinson ---
    values = np.sum(V * HV, axis=1)                             # v_kᵀ (H v_k), one per sample
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))
    # --- end exercise ---


def hutchinson_trace(model, layer, X, y, samples: int = 64, rng=0, eps: float = 1e-3) -> Trace:
    """tr(H) of the loss with respect to one layer's weights, with its sampling error."""
    if samples < 2:
        raise ValueError(f"Hutchinson's estimator needs at least 2 samples for an error bar, got {samples}")
    g = as_generator(rng)
    shape = layer.weight.data.shape
    vectors = g.choice([-1.0, 1.0], size=(samples, *shape))             # Rademacher: E[vvᵀ] = I
    products = np.array([hvp(model, layer, X, y, v, eps) for v in vectors])
    estimate, stderr = hutchinson(vectors.reshape(samples, -1), products.reshape(samples, -1))
    return Trace(estimate, stderr, samples)


def exact_hessian(model, layer, X, y, eps: float = 1e-4) -> np.ndarray:
    """The full Hessian with respect to one (small) layer's weights, column by column: H e_i.

    n columns of central differences of gradients, symmetrised; for checking the
    estimators on tiny models (n ≤ a few hundred), never for the teacher.
    """
    n = layer.weight.data.size
    if n > 2000:
        raise ValueError(f"exact_hessian builds an n×n matrix; n = {n} is too many weights (≤ 2000)")
    cols = [hvp(model, layer, X, y, np.eye(n)[i].reshape(layer.weight.data.shape), eps).ravel() for i in range(n)]
    H = np.array(cols).T
    return (H + H.T) / 2


def softmax_regression_trace(W, X, b=0.0) -> float:
    """The exact tr(H) of mean cross-entropy, with respect to W, for a linear softmax layer z = xWᵀ + b:

        H = (1/N) Σ_n (diag(p_n) − p_n p_nᵀ) ⊗ x_n x_nᵀ,   so   tr(H) = (1/N) Σ_n Σ_c p_nc(1 − p_nc)·‖x_n‖²

    (it does not depend on the labels), a closed form to test the estimators against.
    """
    X = np.asarray(X, dtype=np.float64)
    p = F.softmax(X @ np.asarray(W, dtype=np.float64).T + b).data
    return float(np.mean(np.sum(p * (1 - p), axis=1) * np.sum(X * X, axis=1)))


def second_order_increase(model, layer, X, y, delta, eps: float = 1e-3) -> float:
    """½ δᵀHδ: the loss increase predicted for moving one layer's weights by δ."""
    delta = np.asarray(delta, dtype=np.float64)
    return 0.5 * float(np.sum(delta * hvp(model, layer, X, y, delta, eps)))
