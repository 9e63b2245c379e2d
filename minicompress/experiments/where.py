"""Where to compress: per-layer sensitivity, mixed precision against its exhaustive optimum, neuron pruning.

Every choice is made on the validation images; the test images only report.

1. sensitivity: each layer alone quantized (GPTQ, 2 to 8 bits) or pruned (magnitude, 50-95%),
   the others left in float: validation accuracy and loss increase;
2. curvature: each layer's Hessian trace (Hutchinson, finite-difference HVPs) and the
   second-order prediction ½δᵀHδ of its quantization's loss increase, beside the measured one;
3. mixed precision: every assignment of {2, 3, 4, 8} bits to the three layers (64 models), and,
   under a byte budget, the best of them on validation (the exhaustive optimum), a greedy
   allocation by measured sensitivity, and a HAWQ-style one by Hessian trace;
4. neuron pruning: half of each hidden layer removed (by weight norm, mean activation or
   first-order Taylor), one-shot or gradually (AGP), fine-tuned, over seeds.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass

import numpy as np

from .. import functional as F
from ..bill import storage_bill
from ..data import digits_split, shift_augment
from ..nn import Linear
from ..optim import Adam
from ..prune.neurons import agp_schedule, keep_top, thin, unit_importance
from ..quant.calibrated import round_weights
from ..quant.sensitivity import hutchinson_trace, second_order_increase
from ..stats import format_accuracy
from ..train import correct_matrix, fit, predict_logits
from .budget import FULL, Budget
from .teacher import shared_teacher

BITS = (2, 3, 4, 8)
SCAN_BITS = (2, 3, 4, 5, 6, 8)
SPARSITIES = (0.5, 0.7, 0.9, 0.95)
CALIBRATION = 512


def val_scores(model, split) -> tuple:
    """(validation accuracy, validation cross-entropy) of a model."""
    z = predict_logits(model, split.val.X)
    return float(np.mean(z.argmax(1) == split.val.y)), float(F.cross_entropy(z, split.val.y).item())


class Where:
    """The teacher, its splits and calibration images, and every model measured, computed once."""

    def __init__(self, budget: Budget = FULL, teacher=None, split=None):
        self.budget = budget
        self.split = split or digits_split()
        self.teacher = teacher if teacher is not None else shared_teacher(epochs=budget.teacher_epochs)[0]
        self.calib = self.split.train.X[np.random.default_rng(0).permutation(len(self.split.train))[:CALIBRATION]]
        self.base = val_scores(self.teacher, self.split)
        self._mixed = None
        self._traces = None
        self._single = {}
        self.scan = None                                    # sensitivity_scan's result, once computed

    @property
    def n_layers(self) -> int:
        return sum(isinstance(m, Linear) for m in self.teacher)

    def quantized(self, bits) -> object:
        """GPTQ (step max|w|/qmax, weights per channel) with per-layer widths; None keeps a layer float."""
        return round_weights(self.teacher, tuple(bits), self.calib, "gptq", step="max")

    def single(self, layer: int, bits: int):
        """The teacher with only ``layer`` quantized to ``bits`` (the others float), computed once."""
        if (layer, bits) not in self._single:
            widths = [None] * self.n_layers
            widths[layer] = bits
            self._single[layer, bits] = self.quantized(widths)
        return self._single[layer, bits]

    def mixed(self) -> list:
        """Every assignment of BITS to the layers: (bits, bytes, val acc, val loss, model)."""
        if self._mixed is None:
            self._mixed = []
            for bits in itertools.product(BITS, repeat=self.n_layers):
                m = self.quantized(bits)
                self._mixed.append((bits, storage_bill(m).total, *val_scores(m, self.split), m))
        return self._mixed

    def traces(self) -> list:
        """Hutchinson's trace of each layer's Hessian on the calibration images and their training labels."""
        if self._traces is None:
            model = copy.deepcopy(self.teacher)                 # the HVPs move its weights and put them back
            self._traces = [hutchinson_trace(model, lin, self.calib, self.calib_labels(),
                                             samples=self.budget.hutchinson_samples, rng=i)
                            for i, lin in enumerate(m for m in model if isinstance(m, Linear))]
        return self._traces

    def calib_labels(self) -> np.ndarray:
        """The training labels of the calibration images (curvature needs a loss; never the test set)."""
        return self.split.train.y[np.random.default_rng(0).permutation(len(self.split.train))[:CALIBRATION]]


def sensitivity_scan(w: Where) -> dict:
    """Per layer: {bits: (val acc, Δ val loss)} quantized alone, and {sparsity: (...)} pruned alone."""
    out = {"bits": [], "sparsity": []}
    acc0, loss0 = w.base
    for layer in range(w.n_layers):
        row = {}
        for b in SCAN_BITS:
            acc, loss = val_scores(w.single(layer, b), w.split)
            row[b] = (acc, loss - loss0)
        out["bits"].append(row)
        row = {}
        for s in SPARSITIES:
            m = copy.deepcopy(w.teacher)
            lin = [x for x in m if isinstance(x, Linear)][layer]
            W = lin.weight.data
            cut = np.quantile(np.abs(W), s)                # magnitude pruning of this layer alone
            lin.weight.data = np.where(np.abs(W) <= cut, 0, W).astype(W.dtype)
            acc, loss = val_scores(m, w.split)
            row[s] = (acc, loss - loss0)
        out["sparsity"].append(row)
    return out


def curvature_table(w: Where, bits: int = 2) -> list:
    """Per layer: (trace estimate, its stderr, predicted ½δᵀHδ, measured loss increase) at ``bits``."""
    X, y = w.calib, w.calib_labels()
    rows = []
    model = copy.deepcopy(w.teacher)
    layers = [m for m in model if isinstance(m, Linear)]
    base = F.cross_entropy(predict_logits(model, X), y).item()
    for i, (lin, tr) in enumerate(zip(layers, w.traces())):
        q = w.single(i, bits)
        delta = [m for m in q if hasattr(m, "weight_qp")][0].weight.data.astype(np.float64) - lin.weight.data
        predicted = second_order_increase(model, lin, X, y, delta)
        measured = F.cross_entropy(predict_logits(q, X), y).item() - base
        rows.append((tr.estimate, tr.stderr, predicted, measured))
    return rows


@dataclass
class Allocation:
    method: str
    bits: tuple
    nbytes: int
    val_acc: float
    model: object


def allocations(w: Where, budget_bytes: int) -> list:
    """Exhaustive optimum, greedy by measured sensitivity, and HAWQ-style by Hessian trace, under a byte budget."""
    fits = [m for m in w.mixed() if m[1] <= budget_bytes]
    if not fits:
        raise ValueError(f"no assignment of {BITS} bits fits in {budget_bytes} bytes")
    best = max(fits, key=lambda m: (m[2], -m[3]))                         # val accuracy, then val loss
    by_bits = {m[0]: m for m in w.mixed()}
    scan = sensitivity_scan_cached(w)
    # greedy: from all 8 bits, lower the layer whose measured Δ val loss per byte saved is least
    bits = [max(BITS)] * w.n_layers
    while by_bits[tuple(bits)][1] > budget_bytes:
        moves = []
        for layer in range(w.n_layers):
            lower = [b for b in BITS if b < bits[layer]]
            if not lower:
                continue
            b = max(lower)
            saved = by_bits[tuple(bits)][1] - by_bits[tuple(bits[:layer] + [b] + bits[layer + 1:])][1]
            cost = scan["bits"][layer][b][1] - scan["bits"][layer][bits[layer]][1]
            moves.append((cost / max(saved, 1), layer, b))
        _, layer, b = min(moves)
        bits[layer] = b
    greedy = by_bits[tuple(bits)]
    # HAWQ-style: minimise Σ_l tr(H_l)/n_l · ‖ΔW_l‖² over the assignments that fit
    traces = [t.estimate for t in w.traces()]
    lin = [m for m in w.teacher if isinstance(m, Linear)]
    err = {}
    for layer in range(w.n_layers):
        for b in BITS:
            q = [m for m in w.single(layer, b) if hasattr(m, "weight_qp")][0]
            err[layer, b] = float(np.sum((q.weight.data.astype(np.float64) - lin[layer].weight.data) ** 2))
    hawq = min(fits, key=lambda m: sum(traces[i] / lin[i].weight.data.size * err[i, b] for i, b in enumerate(m[0])))
    return [Allocation(name, m[0], m[1], m[2], m[4]) for name, m in
            (("exhaustive optimum", best), ("greedy (measured sensitivity)", greedy), ("HAWQ (Hessian trace)", hawq))]


def sensitivity_scan_cached(w: Where) -> dict:
    """``sensitivity_scan(w)``, computed once per ``Where``."""
    if w.scan is None:
        w.scan = sensitivity_scan(w)
    return w.scan


def uniform_budgets(w: Where) -> dict:
    """The bytes of uniform 2-, 3- and 4-bit weights: the budgets the allocations are held to."""
    by_bits = {m[0]: m[1] for m in w.mixed()}
    return {b: by_bits[(b,) * w.n_layers] for b in (2, 3, 4)}


def prune_neurons(w: Where, method: str = "taylor", fraction: float = 0.5, schedule: str = "one-shot",
                  seed: int = 0) -> tuple:
    """(thinned fine-tuned model, seconds): ``fraction`` of each hidden layer removed, then fine-tuned.

    Fine-tuning follows the teacher's recipe (Adam 1e-3, weight decay 1e-4, shifted images) and keeps
    its best validation epoch; AGP spreads the removal over 4 steps, with a share of the epochs after each.
    """
    start = time.perf_counter()
    data = shift_augment(w.split.train)
    y = w.split.train.y
    X = w.split.train.X
    steps = agp_schedule(fraction, 4) if schedule == "agp" else [fraction]
    epochs = max(1, w.budget.neuron_epochs // len(steps))
    model, removed = copy.deepcopy(w.teacher), 0.0
    for s in steps:
        share = 1 - (1 - s) / (1 - removed)                 # of the units still there
        model = thin(model, keep_top(unit_importance(model, method, X, y), share))
        removed = s
        fit(model, data, epochs=epochs, batch_size=64, rng=seed, val=w.split.val, keep_best=True,
            optimizer=Adam(model.parameters(), lr=1e-3, weight_decay=1e-4))
    return model, time.perf_counter() - start


def report(budget: Budget = FULL) -> str:
    w = Where(budget)
    split = w.split
    lines = [f"teacher: validation {100 * w.base[0]:.1f}%, test {format_accuracy(correct_matrix([w.teacher], split.test))}",
             f"quantizer: GPTQ, step max|w|/qmax, per channel, {CALIBRATION} unlabelled images; "
             "choices on validation, test only reports", "",
             "1. sensitivity: one layer at a time (others float), validation accuracy / Δ validation loss"]
    scan = sensitivity_scan_cached(w)
    lines.append("   bits " + "".join(f"{b:>16}" for b in SCAN_BITS))
    for i, row in enumerate(scan["bits"]):
        lines.append(f"   layer {i + 1}" + "".join(f"{100 * a:>8.1f}% {d:+.3f}" for a, d in row.values()))
    lines.append("   pruned " + "".join(f"{int(100 * s):>15}%" for s in SPARSITIES))
    for i, row in enumerate(scan["sparsity"]):
        lines.append(f"   layer {i + 1} " + "".join(f"{100 * a:>8.1f}% {d:+.3f}" for a, d in row.values()))
    lines += ["", "2. curvature (Hutchinson, finite-difference HVPs on 512 training images), 2-bit quantization",
              f"   {'layer':<8}{'tr(H) ± stderr':>22}{'½δᵀHδ':>12}{'measured Δ':>12}"]
    for i, (tr, se, pred, meas) in enumerate(curvature_table(w)):
        lines.append(f"   {i + 1:<8}{tr:>14.2f} ± {se:<6.2f}{pred:>12.4f}{meas:>12.4f}")
    lines += ["", "3. mixed precision: every assignment of {2, 3, 4, 8} bits to the 3 layers (64 models)",
              f"   {'budget':<22}{'allocation':<32}{'bits':<12}{'bytes':>8}{'val':>8}{'test [95%]':>24}"]
    for b, nbytes in uniform_budgets(w).items():
        uniform = next(m for m in w.mixed() if m[0] == (b,) * w.n_layers)
        for a in allocations(w, nbytes) + [Allocation(f"uniform {b}-bit", uniform[0], uniform[1], uniform[2],
                                                      uniform[4])]:
            lines.append(f"   ≤ {nbytes} (= {b}-bit){'':<4}{a.method:<32}{str(a.bits):<12}{a.nbytes:>8}"
                         f"{100 * a.val_acc:>7.1f}%{format_accuracy(correct_matrix([a.model], split.test)):>24}")
    lines += ["", "4. neuron pruning: half of each hidden layer removed, fine-tuned (mean over seeds)"]
    for method in ("norm", "activation", "taylor"):
        for schedule in ("one-shot", "agp"):
            models = [prune_neurons(w, method, 0.5, schedule, k)[0] for k in budget.seeds("prune")]
            sizes = "-".join(str(m.in_features) for m in models[0] if isinstance(m, Linear)) + "-10"
            lines.append(f"   {method:<11}{schedule:<10}{sizes:<16}"
                         f"{format_accuracy(correct_matrix(models, split.test)):>26}")
    return "\n".join(lines)
