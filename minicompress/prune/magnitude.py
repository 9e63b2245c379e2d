"""Magnitude pruning (Han et al. 2015, "Learning both Weights and Connections"): remove the smallest weights.

    mask = |w| > θ        θ chosen so that a fraction ``sparsity`` of the weights is removed

* layer-wise: each layer loses the same fraction;
* global: one threshold for all layers, so layers with many small weights lose more.

``MaskedLinear`` computes with W ⊙ mask, so a pruned weight contributes
nothing and receives a zero gradient: retraining keeps it at zero. Biases
are not pruned (there are few of them).
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..nn import Linear, Module, Parameter, ReLU, Sequential

SCOPES = ("layer", "global")


def check_sparsity(sparsity: float) -> float:
    if not (0 <= sparsity < 1):
        raise ValueError(f"sparsity must lie in [0, 1) (the fraction of weights removed), got {sparsity}: "
                         "1 would remove every weight")
    return float(sparsity)


def _kth_threshold(values: np.ndarray, sparsity: float) -> float:
    """The magnitude below which ``sparsity`` of ``values`` lie (ties broken by keeping them)."""
    n_prune = int(round(sparsity * values.size))
    if n_prune == 0:
        return -np.inf
    return float(np.partition(np.abs(values).ravel(), n_prune - 1)[n_prune - 1])


def magnitude_masks(weights: list, sparsity: float, scope: str = "layer") -> list:
    """Boolean keep-masks, one per weight array: True where the weight survives."""
    check_sparsity(sparsity)
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; choose one of {SCOPES}")
    if scope == "global":
        theta = _kth_threshold(np.concatenate([np.abs(w).ravel() for w in weights]), sparsity)
        return [np.abs(w) > theta for w in weights]
    return [np.abs(w) > _kth_threshold(w, sparsity) for w in weights]


class MaskedLinear(Module):
    """y = x (W ⊙ M)ᵀ + b with a fixed 0/1 mask M."""

    def __init__(self, linear: Linear, mask: np.ndarray):
        super().__init__()
        if mask.shape != linear.weight.shape:
            raise ValueError(f"mask {mask.shape} does not fit weight {linear.weight.shape}")
        self.mask = mask.astype(linear.weight.dtype)
        self.weight = Parameter(linear.weight.data * self.mask)
        self.bias = Parameter(linear.bias.data.copy())
        self.in_features, self.out_features = linear.in_features, linear.out_features

    def forward(self, x):
        return F.linear(x, self.weight * self.mask, self.bias)

    def dense(self) -> Linear:
        lin = Linear(self.in_features, self.out_features, dtype=self.weight.dtype)
        lin.load_state_dict({"weight": self.weight.data * self.mask, "bias": self.bias.data})
        return lin


def prune(model: Sequential, sparsity: float, scope: str = "layer") -> Sequential:
    """A copy of an MLP with each Linear replaced by a MaskedLinear at the given sparsity."""
    linears = [m for m in model if isinstance(m, (Linear, MaskedLinear))]
    if not isinstance(model, Sequential) or not linears:
        raise TypeError("prune expects a Sequential of Linear and ReLU layers (an MLP)")
    weights = [m.weight.data * (m.mask if isinstance(m, MaskedLinear) else 1) for m in linears]
    masks = iter(magnitude_masks(weights, sparsity, scope))
    out = []
    for m in model:
        if isinstance(m, ReLU):
            out.append(ReLU())
        else:
            base = m.dense() if isinstance(m, MaskedLinear) else m
            out.append(MaskedLinear(base, next(masks)))
    return Sequential(*out)


def sparsity_report(model: Sequential) -> list:
    """(layer, weights, zeros, sparsity) for each Linear-like layer."""
    rows = []
    for i, m in enumerate(x for x in model if hasattr(x, "weight")):
        w = m.weight.data * (m.mask if isinstance(m, MaskedLinear) else 1)
        rows.append((i + 1, w.size, int(np.sum(w == 0)), float(np.mean(w == 0))))
    return rows


def to_dense(model: Sequential) -> Sequential:
    """Plain Linear/ReLU copy with the pruned weights set to zero."""
    return Sequential(*[ReLU() if isinstance(m, ReLU) else (m.dense() if isinstance(m, MaskedLinear) else m)
                        for m in model])
