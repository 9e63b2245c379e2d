"""AdaRound (Nagel et al. 2020): learn, weight by weight, whether to round up or down.

Each weight w = q·(⌊w/q⌋ + r) gets a continuous variable V, and the layer uses

    W̃ = q · (⌊W/q⌋ + h(V)),     h(V) = clip(σ(V)(ζ − γ) + γ, 0, 1),   ζ = 1.1, γ = −0.1

(the rectified sigmoid: it reaches 0 and 1 exactly, where its gradient
stops). V starts where h(V) = w/q − ⌊w/q⌋, so W̃ = W and the output error
is 0: it is the regulariser, pushing every h to 0 or 1, that forces the
choices, and the output error that decides which way each one goes:

    L = ‖X̂ W̃ᵀ − X Wᵀ‖² / ‖X Wᵀ‖² + (λ / #W) Σ_ij (1 − |2h_ij − 1|^β),

(both terms scaled to be about 1 at worst, so one λ suits every layer), with
β annealed from 20 (a flat penalty: h moves freely) to 2 (a steep one:
h must choose) after a warm-up without the penalty. The final codes are
⌊W/q⌋ + [h ≥ ½]. X̂ is the input the *quantized* network feeds this layer,
X the float network's: the layer learns to repair the error upstream too.
No labels are used, only unlabelled calibration images.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Parameter, as_generator
from ..optim import Adam
from .uniform import qrange

ZETA, GAMMA = 1.1, -0.1


def h_of_v(V) -> np.ndarray:
    """h(V) = clip(σ(V)·(ζ − γ) + γ, 0, 1) with ζ = 1.1, γ = −0.1, for a NumPy array V.

    >>> h_of_v(np.array([-50.0, 0.0, np.log(11.0)])).round(6).tolist()     # σ(ln 11) = 11/12: 11/12·1.2 − 0.1 = 1
    [0.0, 0.5, 1.0]
    """
    V = np.asarray(V, dtype=np.float64)
    # --- exercise: adaround_h ---
    s = 1.0 / (1.0 + np.exp(-np.clip(V, -60, 60)))             # σ(V), clipped so exp cannot overflow
    return np.clip(s * (ZETA - GAMMA) + GAMMA, 0.0, 1.0)
    # --- end exercise ---


def round_penalty(h, beta: float) -> float:
    """f(h) = Σ (1 − |2h − 1|^β): 0 when every h is 0 or 1, largest (one per weight) at h = ½.

    >>> round_penalty(np.array([0.0, 1.0, 0.5, 0.25]), 2.0)                # 0 + 0 + 1 + (1 − ¼)
    1.75
    """
    h = np.asarray(h, dtype=np.float64)
    # --- exercise: adaround_penalty ---
    return float(np.sum(1.0 - np.abs(2.0 * h - 1.0) ** beta))
    # --- end exercise ---


def rectified_sigmoid(V) -> Tensor:
    """h = clip(σ(V)(ζ − γ) + γ, 0, 1);  ∂h/∂V = (ζ − γ)·σ(V)(1 − σ(V)) where 0 < h < 1, else 0.

    >>> rectified_sigmoid(np.array([-50.0, 0.0, 50.0])).data.round(4).tolist()
    [0.0, 0.5, 1.0]
    """
    V = V if isinstance(V, Tensor) else Tensor(np.asarray(V, dtype=np.float64))
    s = 1.0 / (1.0 + np.exp(-np.clip(V.data, -60, 60)))
    raw = s * (ZETA - GAMMA) + GAMMA
    out = Tensor.from_op(h_of_v(V.data), (V,), "rectified_sigmoid")
    if out.requires_grad:
        def _backward(grad):
            inside = (raw > 0) & (raw < 1)
            V._accumulate(grad * (ZETA - GAMMA) * s * (1 - s) * inside)
        out._backward = _backward
    return out


def round_regularizer(h, beta: float) -> Tensor:
    """f = Σ (1 − |2h − 1|^β): 0 when every h is 0 or 1;  ∂f/∂h = −2β·|2h − 1|^(β−1)·sign(2h − 1).

    >>> round(round_regularizer(np.array([0.0, 0.5, 1.0]), 2.0).item(), 6)    # only h = ½ pays
    1.0
    """
    h = h if isinstance(h, Tensor) else Tensor(np.asarray(h, dtype=np.float64))
    if not beta >= 1:
        raise ValueError(f"beta must be >= 1 (the penalty's steepness), got {beta}")
    u = 2.0 * h.data - 1.0
    out = Tensor.from_op(np.asarray(round_penalty(h.data, beta)), (h,), "round_regularizer")
    if out.requires_grad:
        def _backward(grad):
            h._accumulate(grad * (-2.0 * beta) * np.abs(u) ** (beta - 1) * np.sign(u))
        out._backward = _backward
    return out


def adaround(W, q, bits: int, X_hat, target, iters: int = 500, lam: float = 0.1, lr: float = 1e-2,
             warmup: float = 0.2, beta=(20.0, 2.0), batch: int = 256, rng=0) -> np.ndarray:
    """The codes (out, in) AdaRound learns for W with per-row steps q, on inputs X_hat and the float
    layer's outputs ``target`` (both (N, ·)); trained with Adam on minibatches of calibration rows."""
    W = np.asarray(W, dtype=np.float64)
    q = np.broadcast_to(np.asarray(q, dtype=np.float64), (W.shape[0],))[:, None]
    lo, hi = qrange(bits, True, True)
    floor = np.clip(np.floor(W / q), lo, hi - 1)                # h adds 0 or 1: the code stays in range
    rest = np.clip(W / q - floor, 0.01, 0.99)
    V = Parameter(-np.log((ZETA - GAMMA) / (rest - GAMMA) - 1))  # h(V) = rest: start at W itself
    opt = Adam([V], lr=lr)
    g = as_generator(rng)
    X_hat, target = np.asarray(X_hat, dtype=np.float64), np.asarray(target, dtype=np.float64)
    start = int(warmup * iters)
    for t in range(iters):
        idx = g.integers(0, len(X_hat), size=min(batch, len(X_hat)))
        h = rectified_sigmoid(V)
        W_soft = (h + floor) * q                                # q · (⌊W/q⌋ + h(V))
        out = Tensor(X_hat[idx]) @ W_soft.T
        # the output error relative to the target's energy, and the mean penalty per weight:
        # both near 1 at worst, so one λ suits every layer whatever its scale
        energy = float(np.sum(target[idx] ** 2)) or 1.0
        loss = F.mse(out, Tensor(target[idx]), reduction="sum") * (1.0 / energy)
        if t >= start:
            b = beta[0] + (beta[1] - beta[0]) * (t - start) / max(iters - start - 1, 1)
            loss = loss + round_regularizer(h, b) * (lam / W.size)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return floor + (rectified_sigmoid(V.data).data >= 0.5)
