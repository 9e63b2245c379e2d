"""The cases of exercises 12-17 (how to round, where to compress), each with where its answer comes from,
and the typical mistakes the grader names."""

from __future__ import annotations

import numpy as np

from .cases import Case, rng

# --- 12-15: how to round ------------------------------------------------------------------------------------------

def adaround_h_cases():
    g = rng(12)
    return [Case("V = −50, 0, ln 11", (np.array([-50.0, 0.0, np.log(11.0)]),),
                 "by hand: σ = 0, ½, 11/12 → 1.2σ − 0.1 = −0.1 → 0 (clipped), 0.5, 1.0"),
            Case("V = −3 … 3", (np.linspace(-3, 3, 7),), "minicompress.quant.adaround.h_of_v (Nagel et al. 2020)"),
            Case("random V (5, 4)", (g.normal(0, 3, (5, 4)),), "minicompress.quant.adaround.h_of_v")]


def adaround_h_plain_sigmoid(V):
    return 1.0 / (1.0 + np.exp(-np.asarray(V, dtype=np.float64)))


def adaround_h_no_clip(V):
    return adaround_h_plain_sigmoid(V) * 1.2 - 0.1


def penalty_cases():
    g = rng(13)
    return [Case("h = [0, 1, ½, ¼], β = 2", (np.array([0.0, 1.0, 0.5, 0.25]), 2.0),
                 "by hand: 0 + 0 + 1 + (1 − ½²) = 1.75"),
            Case("h = ½ everywhere (3 weights), β = 20", (np.full(3, 0.5), 20.0), "by hand: 3 · (1 − 0) = 3"),
            Case("random h (4, 5), β = 7", (g.random((4, 5)), 7.0), "minicompress.quant.adaround.round_penalty")]


def penalty_no_one_minus(h, beta):
    return float(np.sum(np.abs(2.0 * np.asarray(h) - 1.0) ** beta))


def penalty_h_not_2h_minus_1(h, beta):
    return float(np.sum(1.0 - np.abs(np.asarray(h)) ** beta))


def gptq_cases():
    g = rng(14)
    u = np.array([1.2, 0.5, -0.3, 0.1])
    return [Case("Wb = [[0.4, 0.4]], j = 0, q = 1, u = [1, 0.9]",
                 (np.array([[0.4, 0.4]]), 0, np.ones(1), np.array([1.0, 0.9]), -7, 7),
                 "by hand: c = 0, e = 0.4/1 = 0.4, Wb = [0.4 − 0.4, 0.4 − 0.4·0.9] = [0, 0.04]"),
            Case("random block (3, 4), j = 1, 2-bit codes", (g.normal(0, 1, (3, 4)), 1, np.array([0.5, 1.0, 2.0]),
                                                           u, -1, 1),
                 "minicompress.quant.gptq.gptq_step (Frantar et al. 2022)")]


def gptq_call(module, args):
    c, e, Wb = module.gptq_step(*args)
    return (np.asarray(c, float), np.asarray(e, float), np.asarray(Wb, float))


def gptq_ref(*args):
    from ..quant.gptq import gptq_step
    return gptq_step(*args)


def gptq_no_divide(Wb, j, q, u, lo, hi):
    c, e, _ = gptq_ref(Wb, j, q, u, lo, hi)
    e = e * u[j]
    Wb = np.array(Wb, dtype=np.float64)
    Wb[:, j:] -= np.outer(e, u[j:])
    return c, e, Wb


def gptq_no_feedback(Wb, j, q, u, lo, hi):
    c, e, _ = gptq_ref(Wb, j, q, u, lo, hi)
    return c, e, np.array(Wb, dtype=np.float64)


def equalize_cases():
    g = rng(15)
    return [Case("W₁ rows' max [4, 1], W₂ columns' max [1, 4]",
                 (np.array([[4.0, -1.0], [0.5, 1.0]]), np.array([[1.0, -4.0]])), "by hand: √(4/1) = 2, √(1/4) = ½"),
            Case("a unit with no outgoing weight keeps s = 1", (np.array([[2.0], [3.0]]), np.array([[1.0, 0.0]])),
                 "by hand: s = [√2, 1]"),
            Case("random W₁ (6, 3), W₂ (2, 6)", (g.normal(size=(6, 3)), g.normal(size=(2, 6))),
                 "minicompress.quant.equalize.equalization_scales (Nagel et al. 2019)")]


def equalize_inverted(W1, W2):
    from ..quant.equalize import equalization_scales
    return 1.0 / equalization_scales(W1, W2)


# --- 16-17: where to compress ---------------------------------------------------------------------------------

def hutchinson_cases():
    g = rng(16)
    H = g.normal(size=(6, 6))
    H = H + H.T
    V = g.choice([-1.0, 1.0], size=(50, 6))
    D = np.diag([1.0, 2.0, 3.0])
    V2 = np.array([[1.0, -1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, 1.0, -1.0]])
    return [Case("H = diag(1, 2, 3), three ±1 vectors", (V2, V2 @ D),
                 "by hand: vᵀHv = 1 + 2 + 3 = 6 for every ±1 vector, so (6, 0)"),
            Case("random symmetric H (6×6), 50 vectors", (V, V @ H),
                 "minicompress.quant.sensitivity.hutchinson (Hutchinson 1989)")]


def hutchinson_call(module, args):
    return np.array(module.hutchinson(*args), dtype=float)


def hutchinson_ref(V, HV):
    from ..quant.sensitivity import hutchinson
    return np.array(hutchinson(V, HV))


def hutchinson_sum(V, HV):
    values = np.sum(np.asarray(V) * np.asarray(HV), axis=1)
    return np.array([values.sum(), values.std(ddof=1) / np.sqrt(len(values))])


def hutchinson_no_sqrt(V, HV):
    values = np.sum(np.asarray(V) * np.asarray(HV), axis=1)
    return np.array([values.mean(), values.std(ddof=1)])


def thin_cases():
    g = rng(17)
    return [Case("W₁ (3, 2), b₁, W₂ (2, 3), keep units 0 and 2",
                 (np.arange(6.0).reshape(3, 2), np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3),
                  np.array([0, 2])), "by hand: rows 0, 2 of W₁; b₁ = [1, 3]; columns 0, 2 of W₂"),
            Case("random W₁ (8, 5), W₂ (4, 8), keep 5 units", (g.normal(size=(8, 5)), g.normal(size=8),
                                                              g.normal(size=(4, 8)), np.array([0, 1, 3, 6, 7])),
                 "minicompress.prune.neurons.thin_pair")]


def thin_call(module, args):
    return tuple(np.asarray(a, float) for a in module.thin_pair(*args))


def thin_ref(W1, b1, W2, keep):
    from ..prune.neurons import thin_pair
    return tuple(np.asarray(a, float) for a in thin_pair(W1, b1, W2, keep))


def thin_rows_of_w2(W1, b1, W2, keep):
    return W1[keep, :], b1[keep], W2

