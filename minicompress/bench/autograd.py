"""One training step, forward, backward and SGD: minicompress's autograd against the same step in plain NumPy."""

from __future__ import annotations

import numpy as np

from .. import functional as F
from ..autograd import Tensor
from ..experiments.budget import FULL, Budget
from ..nn import MLP
from ..optim import SGD
from . import bench, best_times


def autograd_step(model, opt, x, y):
    """One SGD step of minicompress: forward, cross-entropy, backward, update."""
    loss = F.cross_entropy(model(Tensor(x)), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


def numpy_step(params, x, y, lr):
    """The same step written out in NumPy, with every derivative by hand.

    ``params`` is ``[W1, b1, W2, b2, ...]`` with W of shape (out, in), updated in place.
    """
    acts, h = [x], x
    n_layers = len(params) // 2
    for i in range(n_layers):                                   # forward
        h = h @ params[2 * i].T + params[2 * i + 1]
        if i < n_layers - 1:
            h = np.maximum(h, 0)
        acts.append(h)
    B = len(y)
    z = h - h.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(B), y].mean()
    g = np.exp(logp)                                            # ∂loss/∂logits
    g[np.arange(B), y] -= 1.0
    g /= B
    for i in reversed(range(n_layers)):                         # backward + update
        gW, gb = g.T @ acts[i], g.sum(axis=0)
        if i > 0:
            g = (g @ params[2 * i]) * (acts[i] > 0)
        params[2 * i] -= lr * gW
        params[2 * i + 1] -= lr * gb
    return loss


@bench("autograd")
def bench_autograd(budget: Budget = FULL) -> str:
    """Training-step time: minicompress autograd vs hand-written NumPy (target ≤ 1.5x)."""
    lines = ["one training step (forward, backward, SGD), float32, best of 15 alternating repeats",
             f"{'MLP':<12}{'batch':>6}{'minicompress':>15}{'plain NumPy':>14}{'ratio':>8}"]
    for sizes, batch in (((64, 128, 10), 64), ((784, 256, 10), 256)):
        g = np.random.default_rng(0)
        x = g.standard_normal((batch, sizes[0])).astype(np.float32)
        y = g.integers(0, sizes[-1], batch)
        model = MLP(sizes, rng=0)
        opt = SGD(model.parameters(), lr=1e-3)
        params = [p.data.copy() for p in model.parameters()]
        t_auto, t_np = best_times([lambda: autograd_step(model, opt, x, y),
                                   lambda: numpy_step(params, x, y, 1e-3)],
                                  repeats=budget.bench_repeats, number=budget.bench_number)
        name = "-".join(map(str, sizes))
        lines.append(f"{name:<12}{batch:>6}{t_auto * 1e6:>12.1f} µs{t_np * 1e6:>11.1f} µs"
                     f"{t_auto / t_np:>7.2f}x")
    lines.append("target: minicompress costs at most 1.5x the hand-written step")
    return "\n".join(lines)
