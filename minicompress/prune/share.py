"""Trained quantization by weight sharing (Han et al. 2015, "Deep Compression", §3).

The surviving weights of a layer are clustered into k groups by k-means
(1-D, Lloyd's algorithm); every weight is replaced by its cluster's centroid,
so only the k centroids (the codebook) and a log2(k)-bit index per weight are
stored. Fine-tuning then trains the centroids: the gradient of centroid c is
the sum of the gradients of the weights assigned to c,

    ∂L/∂c_k = Σ_{i: idx_i = k} ∂L/∂w_i,

which the autograd gives for free, since W = c[idx] is an indexing op whose
backward adds (``np.add.at``) the gradients into the codebook.

Initialisation (the paper found linear best: it keeps the rare large weights):
linear (evenly spaced over [min, max]), random (k of the weights, seeded),
density (evenly spaced quantiles of the weights' distribution).
"""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..nn import Linear, Module, Parameter, ReLU, Sequential, as_generator
from .magnitude import MaskedLinear

INITS = ("linear", "random", "density")


def init_centroids(values: np.ndarray, k: int, init: str = "linear", rng=0) -> np.ndarray:
    if init == "linear":
        return np.linspace(values.min(), values.max(), k)
    if init == "random":
        return np.sort(as_generator(rng).choice(values, size=k, replace=False))
    if init == "density":
        return np.quantile(values, (np.arange(k) + 0.5) / k)
    raise ValueError(f"unknown initialisation {init!r}; choose one of {INITS}")


def kmeans_1d(values, k: int, init: str = "linear", rng=0, iters: int = 50):
    """Cluster 1-D ``values`` into k groups: (centroids (k,), assignment of each value)."""
    values = np.asarray(values, dtype=np.float64).ravel()
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a whole number >= 1, got {k!r}")
    if k > values.size:
        raise ValueError(f"k = {k} clusters for only {values.size} weights: each cluster needs a weight")
    c = init_centroids(values, k, init, rng).astype(np.float64)
    idx = np.zeros(values.size, dtype=np.int64)
    # --- exercise: kmeans ---
    for _ in range(iters):
        idx = np.abs(values[:, None] - c[None, :]).argmin(axis=1)          # step 1: assign
        sums = np.bincount(idx, weights=values, minlength=k)
        counts = np.bincount(idx, minlength=k)
        new = np.where(counts > 0, sums / np.maximum(counts, 1), c)        # step 2: move (empty: stay)
        if np.allclose(new, c, rtol=0, atol=0):
            break
        c = new
    return c, idx
    # --- end exercise ---


class SharedLinear(Module):
    """Linear whose weights are codebook entries: W = c[idx] ⊙ mask; the codebook c is trained."""

    def __init__(self, layer, k: int, init: str = "linear", rng=0):
        super().__init__()
        w = layer.weight.data
        mask = layer.mask if isinstance(layer, MaskedLinear) else np.ones_like(w)
        keep = mask.astype(bool)
        # A heavily pruned layer may keep fewer distinct weights than k (or none at all):
        # then it gets one centroid per distinct value, and an empty codebook when empty.
        k = min(k, np.unique(w[keep]).size)
        centroids, assign = kmeans_1d(w[keep], k, init, rng) if k else (np.zeros(0), np.zeros(0, np.int64))
        idx = np.zeros(w.shape, dtype=np.int64)
        idx[keep] = assign
        self.codebook = Parameter(centroids.astype(w.dtype))
        self.idx, self.mask = idx, mask.astype(w.dtype)
        self.bias = Parameter(layer.bias.data.copy())
        self.in_features, self.out_features = w.shape[1], w.shape[0]

    def weight_tensor(self) -> Tensor:
        if self.codebook.data.size == 0:                                     # every weight pruned
            return Tensor(np.zeros(self.idx.shape, dtype=self.codebook.dtype))
        return self.codebook[self.idx] * self.mask                          # (out, in)

    @property
    def weight(self):
        return self.weight_tensor()

    def forward(self, x):
        return F.linear(x, self.weight_tensor(), self.bias)

    def dense(self) -> Linear:
        lin = Linear(self.in_features, self.out_features, dtype=self.codebook.dtype)
        lin.load_state_dict({"weight": self.weight_tensor().data, "bias": self.bias.data})
        return lin


def share_weights(model: Sequential, k: int = 16, init: str = "linear", rng=0) -> Sequential:
    """A copy of an (optionally pruned) MLP whose layers share k weights each."""
    return Sequential(*[ReLU() if isinstance(m, ReLU) else SharedLinear(m, k, init, rng) for m in model])


def sharing_ratio(n: int, k: int, b: int = 32) -> float:
    """Deep Compression eq. 1: r = n·b / (n·log2(k) + k·b), for n weights shared among k values of b bits.

    Examples
    --------
    The paper's example, 16 weights in 4 clusters of 32-bit values:

    >>> sharing_ratio(16, 4)                  # 512 / (32 + 128)
    3.2
    """
    return float(n * b / (n * np.log2(k) + k * b))
