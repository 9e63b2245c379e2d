"""Replay one neuron of the integer forward pass: every integer, next to the real number it stands for.

    x_q → (x_q − z_x)·w_q → Σ = acc → + bias → srdhm(acc, M0) → round(·/2^n) → + z_y → clamp → y_q

The replay recomputes the chain with the scalar reference functions
(Python integers) and checks that it lands on the code the kernels produced.
"""

from __future__ import annotations

import numpy as np

from ..kernels.requant import rounding_right_shift_reference, srdhm_reference
from .mlp import QMAX, IntegerMLP


def replay(model: IntegerMLP, x, layer: int = 0, neuron: int = 0, show: int = 8) -> dict:
    """Trace ``neuron`` of ``layer`` for one input ``x`` (shape (in,)); returns the values and a text.

    ``show`` limits how many input terms are listed (the sum always uses all of them).
    """
    if not 0 <= layer < len(model.layers):
        raise ValueError(f"layer must be in [0, {len(model.layers)}), got {layer}")
    L = model.layers[layer]
    if not 0 <= neuron < L.w_t.shape[1]:
        raise ValueError(f"neuron must be in [0, {L.w_t.shape[1]}) for layer {layer}, got {neuron}")
    x = np.asarray(x, dtype=np.float32).reshape(1, -1)
    # The input codes of this layer, as the integer pass computes them.
    codes = model.forward_all(x)                  # what the kernels computed, layer by layer
    x_q, kernel_code = codes[layer], int(codes[layer + 1][0, neuron])
    xq = x_q[0].astype(np.int64)
    wq = L.w_t[:, neuron].astype(np.int64)
    terms = (xq - L.z_in) * wq                                            # each product, an integer
    acc_products = int(terms.sum())
    acc = acc_products + int(L.b_q[neuron])
    M0, n = int(L.M0[neuron]), int(L.n[neuron])
    high = srdhm_reference(acc << max(-n, 0), M0)
    shifted = rounding_right_shift_reference(high, max(n, 0))
    y = shifted + L.z_out
    y_q = min(max(y, L.lo), QMAX)
    s_acc = L.s_in * L.s_w[neuron]
    M = s_acc / L.s_out
    lines = [f"layer {layer}, neuron {neuron}: integers (left) and the real numbers they stand for (right)",
             f"  input scale S_x = {L.s_in:.6g}, zero point z_x = {L.z_in}; weight scale S_w = {L.s_w[neuron]:.6g}",
             f"  {'k':>4} {'x_q':>5} {'x_q−z_x':>8} {'w_q':>5} {'product':>9}   {'x':>9} {'w':>10} {'x·w':>10}"]
    order = np.argsort(-np.abs(terms))[:show]
    for k in order:
        xr, wr = L.s_in * (xq[k] - L.z_in), L.s_w[neuron] * wq[k]
        lines.append(f"  {k:>4} {xq[k]:>5} {xq[k] - L.z_in:>8} {wq[k]:>5} {terms[k]:>9}   "
                     f"{xr:>9.4f} {wr:>10.5f} {xr * wr:>10.5f}")
    lines += [f"  ... {len(terms) - len(order)} more terms (largest |product| shown)",
              f"  Σ products          = {acc_products:>12}   = {s_acc * acc_products:>10.5f} (× S_x·S_w)",
              f"  + bias b_q          = {int(L.b_q[neuron]):>12}   = {s_acc * int(L.b_q[neuron]):>10.5f}",
              f"  accumulator acc     = {acc:>12}   = {s_acc * acc:>10.5f}   (int32)",
              f"  M = S_x·S_w/S_y     = {M:.9g} = M0·2^(−31−n) with M0 = {M0}, n = {n}",
              f"  srdhm(acc, M0)      = {high:>12}   ≈ acc·M0/2^31 = {acc * M0 / 2 ** 31:.4f}",
              f"  round(· / 2^{n:<2})     = {shifted:>12}   (acc·M = {acc * M:.4f}, ties away from zero)",
              f"  + z_y = {L.z_out:<4}        = {y:>12}",
              f"  clamp to [{L.lo}, {QMAX}]{' (ReLU)' if L.relu else ''} = {y_q:>8}   = {L.s_out * (y_q - L.z_out):>10.5f}"
              f"   (S_y = {L.s_out:.6g})"]
    lines.append(f"  the kernels produced {kernel_code}: "
                 + ("the same code" if kernel_code == y_q else "A DIFFERENT CODE (report this)"))
    if model.float_model is not None:
        h, count = x.astype(np.float64), -1
        for m in model.float_model:                     # the float model, in plain NumPy
            if hasattr(m, "weight"):
                h, count = h @ m.weight.data.T + m.bias.data, count + 1
            else:
                h = np.maximum(h, 0)
            if count == layer and (not L.relu or not hasattr(m, "weight")):
                lines.append(f"  the float model computes {float(h[0, neuron]):.5f} here")
                break
    text = "\n".join(lines)
    return {"x_q": xq, "w_q": wq, "products": terms, "acc": acc, "M0": M0, "n": n, "srdhm": high,
            "shifted": shifted, "y_q": y_q, "kernel_code": kernel_code, "text": text}
