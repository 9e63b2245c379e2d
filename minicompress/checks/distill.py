"""Formula checks of the distillation sections (seed §2.2, §3.2.2, §4.1-4.3, §5.2) for ``verify``."""

from __future__ import annotations

import numpy as np

from . import Outcome, check

Y_HAT = np.array([0.9, 0.1, 0.0])      # seed §4.3: the soft label ŷ
Y_G = np.array([0.8, 0.2, 0.1])        # the big model's output
Y_S = np.array([0.6, 0.3, 0.1])        # the small model's output


@check("L_g(ŷ, y_g) = Σ(ŷ_i − y_g,i)²", "seed §4.1, §4.3", claim=0.02)
def _seed_lg():
    """(0.9 − 0.8)² + (0.1 − 0.2)² + (0 − 0.1)² = 0.01 + 0.01 + 0.01 = 0.03."""
    from ..distill.seed_losses import seed_model_distillation_loss
    v = round(seed_model_distillation_loss(Y_HAT, Y_G).item(), 12)
    return Outcome(0.03, v, v == 0.03, claim_ok=v == 0.02,
                   note="three differences of 0.1 each square to 0.01; the seed's 0.02 drops one")


@check("L_s(ŷ, y_s) = Σ(ŷ_i − y_s,i)²", "seed §4.1, §4.3", claim=0.26)
def _seed_ls():
    """(0.9 − 0.6)² + (0.1 − 0.3)² + (0 − 0.1)² = 0.09 + 0.04 + 0.01 = 0.14."""
    from ..distill.seed_losses import seed_parameter_distillation_loss
    v = round(seed_parameter_distillation_loss(Y_HAT, Y_S).item(), 12)
    kl = float(np.sum(Y_HAT[:2] * np.log(Y_HAT[:2] / Y_S[:2])))
    return Outcome(0.14, v, v == 0.14, claim_ok=v == 0.26,
                   note=f"the seed's 0.26 is not this sum; it matches KL(ŷ‖y_s) = {kl:.4f} to two places, "
                        "the loss Hinton's distillation uses")


@check("seed's soft label and outputs are distributions", "seed §4.3 ŷ, y_g, y_s",
       claim="y_g is the big model's output")
def _seed_distributions():
    """ŷ sums to 1.0, but y_g sums to 1.1 and y_s to 1.0: the big model's "output" is no probability vector."""
    sums = [round(float(v.sum()), 12) for v in (Y_HAT, Y_G, Y_S)]
    return Outcome([1.0, 1.1, 1.0], sums, sums == [1.0, 1.1, 1.0], claim_ok=False,
                   note="the seed presents y_g = [0.8, 0.2, 0.1] as a model output beside soft labels; "
                        "it sums to 1.1, so it is not a softmax output")


@check("KD loss, T = 1, α = 0 equals cross-entropy", "Hinton et al. 2015")
def _kd_is_ce():
    from .. import functional as F
    from ..distill.kd_loss import kd_loss
    g = np.random.default_rng(0)
    z, zt, y = g.normal(size=(6, 10)), g.normal(size=(6, 10)), g.integers(0, 10, 6)
    a, b = kd_loss(z, zt, y, T=1, alpha=0).item(), F.cross_entropy(z, y).item()
    return Outcome(f"{b:.10f}", f"{a:.10f}", abs(a - b) < 1e-12)


@check("∂(T²·KL)/∂z_s = T·(p_s − p_t)", "Hinton et al. 2015 §2.1")
def _kd_grad():
    from ..autograd import Tensor
    from ..distill.kd_loss import kd_gradient, kd_loss
    g = np.random.default_rng(1)
    zs, zt = g.normal(size=(4, 10)), g.normal(size=(4, 10))
    t = Tensor(zs, requires_grad=True)
    kd_loss(t, zt, T=5.0, alpha=1.0).backward()
    diff = float(np.abs(t.grad * 4 - kd_gradient(zs, zt, T=5.0)).max())   # undo the batch mean
    return Outcome("max |Δ| < 1e-12", f"{diff:.1e}", diff < 1e-12)


@check("high T: T·(p_s − p_t) → (z_s − z_t)/N", "Hinton et al. 2015 §2.1 (logit matching)")
def _logit_matching():
    """With zero-mean logits and T = 1000, the KD gradient equals (z_s − z_t)/N within 0.1%."""
    from ..distill.kd_loss import kd_gradient
    g = np.random.default_rng(2)
    zs, zt = g.normal(size=(3, 10)), g.normal(size=(3, 10))
    zs -= zs.mean(1, keepdims=True)
    zt -= zt.mean(1, keepdims=True)
    grad, match = kd_gradient(zs, zt, T=1000.0), (zs - zt) / 10
    rel = float(np.abs(grad - match).max() / np.abs(match).max())
    return Outcome("relative gap < 1e-3", f"{rel:.1e}", rel < 1e-3)


@check("seed §5.2 code listing, rewritten", "seed §5.2 (12 defects listed)", claim="the code runs")
def _seed_code():
    """The rewrite runs; the KD loss of the quantized copy falls and its codes stay integers."""
    from ..experiments.seed_example import SEED_CODE_DEFECTS, run_seed_example
    r = run_seed_example()
    first, last = float(r["losses"][:10].mean()), float(r["losses"][-10:].mean())
    return Outcome("loss falls", f"{first:.3f} → {last:.3f}", last < first and len(SEED_CODE_DEFECTS) == 12,
                   claim_ok=False, note="the printed listing raises at load_state_dict (shape mismatch) "
                                        "before anything is trained; see distill/seed_example.py")


@check("soft labels: softmax(z/T), not a normalisation", "seed §3.2.2 (归一化处理), §4.3 ŷ",
       claim="soft labels are the big model's outputs normalised", probe=([0.25, 0.75], [0.9, 0.1, 0.0], 1))
def _normalised(computed=None):
    """Three things a reader can compute by hand:

    * softmax of logits [0, ln 3] at T = 2 is [1, √3]/(1 + √3) = [0.3660, 0.6340]:
      the temperature flattens [0.25, 0.75] (T = 1);
    * normalising y_g = [0.8, 0.2, 0.1] by its sum 1.1 gives [8/11, 2/11, 1/11] =
      [0.7273, 0.1818, 0.0909], not the seed's ŷ = [0.9, 0.1, 0];
    * ŷ has an exact 0. Softmax gives 0 only by underflow: in float64, e^−g is
      0 once it is below half the smallest subnormal 2^−1074, and e^−745 =
      0.57·2^−1074 rounds up while e^−746 = 0.21·2^−1074 rounds to 0, so
      the logits must differ by at least 746·T.
    """
    from ..distill.soft_labels import soft_labels
    if computed is None:
        p = soft_labels(np.array([[0.0, np.log(3.0)]]), 2.0)[0]
        computed = ([round(float(v), 4) for v in p], [round(float(v), 4) for v in Y_G / Y_G.sum()],
                    next(g for g in range(1, 2000) if soft_labels(np.array([[float(g), 0.0]]), 1.0)[0, 1] == 0))
    expected = ([0.366, 0.634], [0.7273, 0.1818, 0.0909], 746)
    ok = computed[0] == expected[0] and computed[1] == expected[1] and computed[2] == 746
    return Outcome(expected, computed, ok,
                   "ŷ = softmax(z_big/T) of the big model's logits; no T turns y_g into the seed's ŷ, "
                   "and its 0 needs logits 746·T apart",
                   claim_ok=computed[1] == [0.9, 0.1, 0.0])
