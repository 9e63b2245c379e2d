"""Formula checks of the tiny deep-learning library, for ``python -m minicompress verify``.

Each expected value is derived by hand in the docstring (a closed form), never
copied from an output of the code it checks.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..gradcheck import gradcheck
from ..nn import MLP, Linear
from . import Outcome, check


def _close(expected, computed, tol=1e-9) -> Outcome:
    ok = bool(np.allclose(computed, expected, rtol=0, atol=tol))
    return Outcome(expected, computed, ok)


@check("softmax of [0, ln 3]", "definition p_i = e^{z_i} / Σ_j e^{z_j}")
def _softmax_closed_form():
    """e^0 = 1 and e^{ln 3} = 3, so p = [1/4, 3/4]."""
    p = F.softmax(np.array([0.0, np.log(3.0)])).data
    return _close([0.25, 0.75], p.round(12).tolist())


@check("softmax sums to 1 (T = 1, 4, 20)", "Σ_i p_i = 1 for any T > 0")
def _softmax_sums():
    z = np.random.default_rng(0).normal(0, 5, (3, 10))
    sums = [float(F.softmax(z, T).data.sum(axis=1).max()) for T in (1, 4, 20)]
    return _close([1.0, 1.0, 1.0], [round(s, 12) for s in sums], 1e-12)


@check("log_softmax stable at |z| = 1e4", "log p = z − max z − log Σ e^{z − max z}")
def _log_softmax_large():
    """z = [1e4, 0]: log p_0 = −log(1 + e^{−1e4}) = 0, log p_1 = −1e4 (exactly, in float64)."""
    out = F.log_softmax(np.array([1e4, 0.0])).data
    return _close([0.0, -1e4], out.tolist(), 1e-9)


@check("cross-entropy of equal logits", "CE = −log(1/C) = ln C for C = 10 classes")
def _ce_uniform():
    ce = F.cross_entropy(np.zeros((4, 10)), np.array([0, 3, 5, 9])).item()
    return _close(round(np.log(10), 9), round(ce, 9))


@check("∂CE/∂z = (softmax(z) − onehot(y)) / B", "derivative of −log softmax")
def _ce_gradient():
    """The gradient the autograd produces against the closed form, largest difference."""
    g = np.random.default_rng(1)
    z = Tensor(g.normal(0, 2, (5, 10)), requires_grad=True)
    y = g.integers(0, 10, 5)
    F.cross_entropy(z, y).backward()
    closed = F.softmax(z.data).data
    closed[np.arange(5), y] -= 1
    diff = float(np.abs(z.grad - closed / 5).max())
    return Outcome("max |Δ| < 1e-12", f"{diff:.1e}", diff < 1e-12)


@check("backward of a 6-5-3 MLP", "central differences (gradcheck)")
def _mlp_gradcheck():
    model = MLP((6, 5, 3), rng=0).to(np.float64)
    x = np.random.default_rng(2).normal(size=(4, 6))
    W1, b1, W2, b2 = (p.data for p in model.parameters())
    report = gradcheck(lambda x, W1, b1, W2, b2: F.cross_entropy(
        F.linear(F.linear(x, W1, b1).relu(), W2, b2), np.array([0, 1, 2, 1])), x, W1, b1, W2, b2)
    worst = max(r.max_abs_diff for r in report)
    return Outcome("max |Δ| ≤ 1e-6", f"{worst:.1e}", report.ok)


@check("Linear init bound", "PyTorch default: U(−1/√in, 1/√in)")
def _linear_init():
    """For in_features = 64 the bound is 1/8 = 0.125."""
    w = Linear(64, 256, rng=0).weight.data
    return Outcome("max |w| ≤ 0.125", f"{np.abs(w).max():.4f}", bool(np.abs(w).max() <= 0.125))
