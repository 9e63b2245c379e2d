"""Replay one neuron of the integer forward pass: every integer, next to the real number it stands for.

    x_c → (x_c − z_x)·w_c → Σ = acc → + bias → srdhm(acc, M0) → round(·/2^n) → + z_y → clamp → y_c

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
    x_c, kernel_code = codes[layer], int(codes[layer + 1][0, neuron])
    xc = x_c[0].astype(np.int64)
    wc = L.w_t[:, neuron].astype(np.int64)
    terms = (xc - L.z_in) * wc                                            # each product, an integer
    acc_products = int(terms.sum())
    acc = acc_products + int(L.b_c[neuron])
    M0, n = int(L.M0[neuron]), int(L.n[neuron])
    high = srdhm_reference(acc << max(-n, 0), M0)
    shifted = rounding_right_shift_reference(high, max(n, 0))
    y = shifted + L.z_out
    y_c = min(max(y, L.lo), QMAX)
    q_acc = L.q_in * L.q_w[neuron]
    M = q_acc / L.q_out
    lines = [f"layer {layer}, neuron {neuron}: integers (left) and the real numbers they stand for (right)",
             f"  input step q_x = {L.q_in:.6g}, zero point z_x = {L.z_in}; weight step q_w = {L.q_w[neuron]:.6g}",
             f"  {'k':>4} {'x_c':>5} {'x_c−z_x':>8} {'w_c':>5} {'product':>9}   {'x':>9} {'w':>10} {'x·w':>10}"]
    order = np.argsort(-np.abs(terms))[:show]
    for k in order:
        xr, wr = L.q_in * (xc[k] - L.z_in), L.q_w[neuron] * wc[k]
        lines.append(f"  {k:>4} {xc[k]:>5} {xc[k] - L.z_in:>8} {wc[k]:>5} {terms[k]:>9}   "
                     f"{xr:>9.4f} {wr:>10.5f} {xr * wr:>10.5f}")
    lines += [f"  ... {len(terms) - len(order)} more terms (largest |product| shown)",
              f"  Σ products          = {acc_products:>12}   = {q_acc * acc_products:>10.5f} (× q_x·q_w)",
              f"  + bias b_c          = {int(L.b_c[neuron]):>12}   = {q_acc * int(L.b_c[neuron]):>10.5f}",
              f"  accumulator acc     = {acc:>12}   = {q_acc * acc:>10.5f}   (int32)",
              f"  M = q_x·q_w/q_y     = {M:.9g} = M0·2^(−31−n) with M0 = {M0}, n = {n}",
              f"  srdhm(acc, M0)      = {high:>12}   ≈ acc·M0/2^31 = {acc * M0 / 2 ** 31:.4f}",
              f"  round(· / 2^{n:<2})     = {shifted:>12}   (acc·M = {acc * M:.4f}, ties away from zero)",
              f"  + z_y = {L.z_out:<4}        = {y:>12}",
              f"  clamp to [{L.lo}, {QMAX}]{' (ReLU)' if L.relu else ''} = {y_c:>8}   = {L.q_out * (y_c - L.z_out):>10.5f}"
              f"   (q_y = {L.q_out:.6g})"]
    lines.append(f"  the kernels produced {kernel_code}: "
                 + ("the same code" if kernel_code == y_c else "A DIFFERENT CODE (report this)"))
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
    return {"x_c": xc, "w_c": wc, "products": terms, "acc": acc, "M0": M0, "n": n, "srdhm": high,
            "shifted": shifted, "y_c": y_c, "kernel_code": kernel_code, "text": text}
