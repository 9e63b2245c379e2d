"""Optimizers with PyTorch's update rules: SGD (momentum, weight decay) and Adam."""

from __future__ import annotations

import numpy as np


class Optimizer:
    """Holds a list of parameters; ``step()`` updates them from their ``.grad``."""

    def __init__(self, params, lr: float):
        self.params = list(params)
        if not self.params:
            raise ValueError("optimizer got an empty parameter list: nothing to train")
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"learning rate must be a finite number > 0, got lr={lr}")
        self.lr = float(lr)

    @staticmethod
    def _check_decay(weight_decay) -> float:
        if not (np.isfinite(weight_decay) and weight_decay >= 0):
            raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay}")
        return float(weight_decay)

    def zero_grad(self) -> None:
        """Forget the gradients (``grad = None``, PyTorch's ``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def step(self) -> None:
        # The updates write p.data in place with plain NumPy, so no graph is recorded.
        for i, p in enumerate(self.params):
            if p.grad is not None:
                self._update(i, p)

    def _update(self, i, p):
        raise NotImplementedError


class SGD(Optimizer):
    """g ← ∇w + λ·w;   v ← μ·v + g (v = g on the first step);   w ← w − lr·v.

    Exactly ``torch.optim.SGD`` without dampening or Nesterov.
    """

    def __init__(self, params, lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum, self.weight_decay = momentum, self._check_decay(weight_decay)
        self.velocity = [None] * len(self.params)

    def _update(self, i, p):
        g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
        if self.momentum:
            v = self.velocity[i]
            self.velocity[i] = g.copy() if v is None else self.momentum * v + g
            g = self.velocity[i]
        p.data -= self.lr * g


class Adam(Optimizer):
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂/(√v̂ + ε),

    with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ) (Kingma & Ba 2015; ``torch.optim.Adam``).
    ``weight_decay`` adds λ·w to g first (L2, not AdamW).
    """

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0):
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise ValueError(f"betas must each lie in [0, 1), got {betas}")
        if not (np.isfinite(eps) and eps > 0):
            raise ValueError(f"eps must be a finite number > 0, got {eps}: it keeps m̂/(√v̂ + ε) finite "
                             "where a gradient is 0")
        self.betas, self.eps = (float(b1), float(b2)), float(eps)
        self.weight_decay = self._check_decay(weight_decay)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.t = [0] * len(self.params)

    def _update(self, i, p):
        b1, b2 = self.betas
        g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
        self.t[i] += 1
        m, v = self.m[i], self.v[i]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        m_hat = m / (1 - b1 ** self.t[i])
        v_hat = v / (1 - b2 ** self.t[i])
        p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
