"""Figures with sliders (matplotlib's own widgets): move q, bits, T or the sparsity and watch the picture follow.

    staircase_explorer(q, bits)        w̃ = q·clamp(round(w/q)) and its error, against the step and the bits
    soft_labels_explorer(logits, T)    softmax(z/T) of one digit's logits, against the temperature
    pruning_explorer(model, data, s)   a layer's weights, the magnitude cut, and accuracy, against the sparsity

Each returns an ``Explorer``: its figure, its sliders, and ``set(name=value)``,
which moves a slider exactly as a hand would (the tests drive the callbacks
this way). These figures are made with pyplot on whatever backend the
session has: in a desktop window, or in Jupyter with an interactive backend
(``%matplotlib widget``, from the ``ipympl`` package), the sliders move; under
Agg (scripts, tests) the figure is a static frame, and ``save`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Explorer:
    fig: object
    sliders: dict
    state: dict = field(default_factory=dict)     # what the last redraw computed, for reading and testing

    def set(self, **values) -> "Explorer":
        """Move sliders to ``values`` (their callbacks redraw the figure)."""
        for name, value in values.items():
            if name not in self.sliders:
                raise KeyError(f"no slider {name!r}; this figure has {sorted(self.sliders)}")
            self.sliders[name].set_val(value)
        return self

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fig.savefig(path, metadata={"Software": None})
        return path


def _figure(figsize):
    import matplotlib
    import matplotlib.pyplot as plt
    with matplotlib.rc_context({"axes.grid": True, "grid.alpha": 0.3, "font.size": 9}):
        fig = plt.figure(figsize=figsize)
    return fig


def _slider(fig, rect, label, lo, hi, value, step=None):
    from matplotlib.widgets import Slider
    return Slider(fig.add_axes(rect), label, lo, hi, valinit=value, valstep=step)


def staircase_explorer(q: float = 0.25, bits: int = 3) -> Explorer:
    """The rounding staircase and its error; sliders for the step q and the bits."""
    from .quantization import staircase_data
    fig = _figure((7, 5.5))
    a1, a2 = fig.add_axes([0.1, 0.45, 0.85, 0.48]), fig.add_axes([0.1, 0.2, 0.85, 0.2])
    w, wq, e = staircase_data(q, bits)
    a1.plot(w, w, "--", color="gray", lw=1)
    (stairs,) = a1.plot(w, wq, lw=2)
    (err,) = a2.plot(w, e, color="C3")
    a2.set_ylim(-0.6, 0.6)
    a2.set_xlabel("w")
    a1.set_ylabel("w̃")
    ex = Explorer(fig, {"q": _slider(fig, [0.15, 0.08, 0.7, 0.03], "step q", 0.02, 0.6, q),
                        "bits": _slider(fig, [0.15, 0.03, 0.7, 0.03], "bits", 2, 8, bits, step=1)})

    def redraw(_=None):
        q_, b_ = float(ex.sliders["q"].val), int(ex.sliders["bits"].val)
        _, wq_, e_ = staircase_data(q_, b_)
        stairs.set_ydata(wq_)
        err.set_ydata(e_)
        inside = np.abs(e_) <= q_ / 2 + 1e-12
        a1.set_title(f"q = {q_:.3f}, {b_} bits: codes {-(2 ** (b_ - 1))}..{2 ** (b_ - 1) - 1}; "
                     f"{100 * inside.mean():.0f}% of w within q/2", fontsize=9)
        ex.state.update(q=q_, bits=b_, max_error=float(np.abs(e_).max()), wq=wq_)
        fig.canvas.draw_idle()
    for s in ex.sliders.values():
        s.on_changed(redraw)
    redraw()
    return ex


def soft_labels_explorer(logits=None, T: float = 4.0) -> Explorer:
    """softmax(z/T) of one set of logits (default: the teacher's on test digit 0), with a slider for T."""
    from ..distill.soft_labels import soft_labels
    if logits is None:
        from ..data import digits_split
        from ..experiments.teacher import shared_teacher
        from ..train import predict_logits
        logits = predict_logits(shared_teacher()[0], digits_split().test.X[:1])[0]
    z = np.asarray(logits, dtype=np.float64)
    fig = _figure((7, 4.2))
    ax = fig.add_axes([0.1, 0.25, 0.85, 0.65])
    bars = ax.bar(np.arange(z.size), soft_labels(z, T), color="C0")
    ax.set_ylim(0, 1.05)
    ax.set_xticks(range(z.size))
    ax.set_xlabel("class")
    ax.set_ylabel("softmax(z / T)")
    ex = Explorer(fig, {"T": _slider(fig, [0.15, 0.06, 0.7, 0.04], "temperature T", 0.5, 20, T)})

    def redraw(_=None):
        T_ = float(ex.sliders["T"].val)
        p = soft_labels(z, T_)
        for bar, h in zip(bars, p):
            bar.set_height(h)
        rest = 1 - p.max()
        ax.set_title(f"T = {T_:.2f}: the top class keeps {100 * p.max():.1f}%, the others share "
                     f"{100 * rest:.1f}% (dark knowledge)", fontsize=9)
        ex.state.update(T=T_, probs=p)
        fig.canvas.draw_idle()
    ex.sliders["T"].on_changed(redraw)
    redraw()
    return ex


def pruning_explorer(model=None, data=None, sparsity: float = 0.5, layer: int = 1) -> Explorer:
    """One layer's weights with the global magnitude cut, and the model's accuracy without retraining."""
    from ..prune.magnitude import prune
    from ..train import evaluate
    if model is None:
        from ..data import digits_split
        from ..experiments.teacher import shared_teacher
        model, data = shared_teacher()[0], digits_split().test
    weights = [m.weight.data for m in model if hasattr(m, "weight")][layer].ravel()
    fig = _figure((7, 4.5))
    ax = fig.add_axes([0.1, 0.25, 0.85, 0.62])
    ax.hist(weights, bins=120, color="0.75")
    cut = [ax.axvline(0, color="C3"), ax.axvline(0, color="C3")]
    ax.set_xlabel(f"weights of layer {layer + 1}")
    ex = Explorer(fig, {"sparsity": _slider(fig, [0.15, 0.07, 0.7, 0.04], "sparsity", 0.0, 0.99, sparsity)})

    def redraw(_=None):
        s = float(ex.sliders["sparsity"].val)
        pruned = prune(model, s, scope="global")
        kept = [m.mask for m in pruned if hasattr(m, "mask")][layer].ravel() > 0
        theta = float(np.abs(weights[~kept]).max()) if (~kept).any() else 0.0
        for line, x in zip(cut, (-theta, theta)):
            line.set_xdata([x, x])
        acc = evaluate(pruned, data)
        ax.set_title(f"sparsity {100 * s:.0f}% (global): |w| ≤ {theta:.3f} removed; this layer keeps "
                     f"{100 * kept.mean():.0f}%; accuracy {100 * acc:.1f}% without retraining", fontsize=9)
        ex.state.update(sparsity=s, threshold=theta, accuracy=acc, kept=float(kept.mean()))
        fig.canvas.draw_idle()
    ex.sliders["sparsity"].on_changed(redraw)
    redraw()
    return ex
