"""Neuron (structured) pruning: remove whole hidden units, so the matrices get smaller and inference faster.

Removing hidden unit i of layer l deletes row i of W_l (and b_l,i) and
column i of W_{l+1}: the MLP stays dense, only thinner. Which units go is
decided by an importance score per unit:

    norm        ‖W_l[i, :]‖₂ · ‖W_{l+1}[:, i]‖₂      how strongly the unit can pass a signal on
    activation  mean_n a_i(x_n)                       how much it fires on calibration images
    taylor      (Σ_j ∂L/∂θ_j · θ_j)² over the unit's incoming weights and bias
                                                       first-order estimate of the loss change if
                                                       they were set to 0 (Molchanov et al. 2019)

``thin`` builds the smaller MLP. ``agp_schedule`` is the gradual schedule of
Zhu & Gupta (2017): s_t = s_f · (1 − (1 − t/n)³), removing much early and
little late, with fine-tuning in between.
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Linear, ReLU, Sequential

METHODS = ("norm", "activation", "taylor")


def _hidden_pairs(model) -> list:
    """(index of Linear l, index of Linear l+1) for every hidden layer followed by a ReLU and a Linear."""
    mods = list(model)
    if not isinstance(model, Sequential) or not all(isinstance(m, (Linear, ReLU)) for m in mods):
        raise TypeError("neuron pruning expects a Sequential of Linear and ReLU layers (an MLP)")
    lin = [i for i, m in enumerate(mods) if isinstance(m, Linear)]
    return [(a, b) for a, b in zip(lin, lin[1:]) if b == a + 2 and isinstance(mods[a + 1], ReLU)]


def unit_importance(model, method: str = "taylor", X=None, y=None) -> list:
    """One score per hidden unit (a list with an array per hidden layer); higher means keep.

    ``activation`` needs calibration images X; ``taylor`` needs X and labels y
    (training images, never the test set).
    """
    if method not in METHODS:
        raise ValueError(f"unknown importance {method!r}; choose one of {METHODS}")
    pairs = _hidden_pairs(model)
    if method == "norm":
        return [np.linalg.norm(model[a].weight.data, axis=1) * np.linalg.norm(model[b].weight.data, axis=0)
                for a, b in pairs]
    if X is None or (method == "taylor" and y is None):
        raise ValueError(f"the {method} importance needs calibration images X" + (" and labels y" if method ==
                                                                                   "taylor" else ""))
    if method == "activation":
        scores, h = [], Tensor(np.asarray(X, dtype=np.float32))
        for i, m in enumerate(model):
            h = m(h)
            if any(i == a + 1 for a, _ in pairs):          # after the ReLU of a hidden layer
                scores.append(h.data.mean(axis=0).astype(np.float64))
        return scores
    for p in model.parameters():
        p.grad = None
    F.cross_entropy(model(Tensor(np.asarray(X, dtype=np.float32))), y).backward()
    scores = []
    for a, _ in pairs:
        lin = model[a]
        contrib = (lin.weight.grad * lin.weight.data).sum(axis=1) + lin.bias.grad * lin.bias.data
        scores.append(contrib.astype(np.float64) ** 2)
    for p in model.parameters():
        p.grad = None
    return scores


def thin_pair(W1, b1, W2, keep) -> tuple:
    """(W₁[keep, :], b₁[keep], W₂[:, keep]): hidden units ``keep`` of the layer between W₁ and W₂ survive.

    >>> W1, b1, W2 = np.arange(6.0).reshape(3, 2), np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3)
    >>> [a.tolist() for a in thin_pair(W1, b1, W2, np.array([0, 2]))]
    [[[0.0, 1.0], [4.0, 5.0]], [1.0, 3.0], [[0.0, 2.0], [3.0, 5.0]]]
    """
    keep = np.asarray(keep, dtype=np.int64)
    # --- exercise: thin_pair ---
    return W1[keep, :], b1[keep], W2[:, keep]          # unit i: row i in, its bias, column i out
    # --- end exercise ---


def thin(model, keep: list) -> Sequential:
    """A smaller copy of the MLP keeping, in hidden layer l, only the units ``keep[l]`` (sorted indices).

    Row i of W_l and b_l, and column i of W_{l+1}, go with unit i.
    """
    pairs = _hidden_pairs(model)
    if len(keep) != len(pairs):
        raise ValueError(f"keep needs one index array per hidden layer ({len(pairs)}), got {len(keep)}")
    params = {i: [m.weight.data, m.bias.data] for i, m in enumerate(model) if isinstance(m, Linear)}
    for (a, b), k in zip(pairs, keep):
        k = np.sort(np.asarray(k, dtype=np.int64))
        if len(k) == 0:
            raise ValueError(f"keep removes every unit of layer {a}: a layer needs at least one")
        W1, b1, W2 = thin_pair(params[a][0], params[a][1], params[b][0], k)
        params[a][:2], params[b][0] = [W1, b1], W2
    out = []
    for i, m in enumerate(model):
        if isinstance(m, ReLU):
            out.append(ReLU())
            continue
        W, bias = params[i]
        lin = Linear(W.shape[1], W.shape[0], dtype=W.dtype)
        lin.load_state_dict({"weight": W.copy(), "bias": bias.copy()})
        out.append(lin)
    return Sequential(*out)


def keep_top(scores: list, fraction_removed: float) -> list:
    """In each hidden layer, the indices of the units to keep: all but the ``fraction_removed`` least important."""
    if not 0 <= fraction_removed < 1:
        raise ValueError(f"the share of units removed must lie in [0, 1), got {fraction_removed}")
    return [np.sort(np.argsort(-s, kind="stable")[:max(1, int(round(len(s) * (1 - fraction_removed))))])
            for s in scores]


def agp_schedule(final: float, steps: int) -> list:
    """s_t = s_f · (1 − (1 − t/n)³) for t = 1..n (Zhu & Gupta 2017): most is removed in the first steps.

    >>> [round(s, 3) for s in agp_schedule(0.5, 4)]
    [0.289, 0.438, 0.492, 0.5]
    """
    if steps < 1:
        raise ValueError(f"the schedule needs at least one step, got {steps}")
    return [final * (1 - (1 - t / steps) ** 3) for t in range(1, steps + 1)]
