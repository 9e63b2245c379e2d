"""Distillation: soft labels, the seed's losses, Hinton's KD loss and its gradient, variants, hints, errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import minicompress.functional as F
from minicompress import Tensor, gradcheck
from minicompress.data import make_moons
from minicompress.distill import (
    check_probabilities,
    distill,
    hard_label_loss,
    hard_labels,
    kd_gradient,
    kd_loss,
    kl_divergence,
    mixed_label_loss,
    mixed_targets,
    multi_teacher_targets,
    seed_model_distillation_loss,
    seed_parameter_distillation_loss,
    soft_cross_entropy,
    soft_labels,
    train_hints,
)
from minicompress.distill.fitnets import HintRegressor, hidden, hint_loss
from minicompress.experiments import QUICK
from minicompress.experiments.dark_knowledge import best_bias_shift
from minicompress.experiments.distill import report
from minicompress.experiments.seed_example import SEED_CODE_DEFECTS, SeedModel, run_seed_example
from minicompress.nn import MLP
from minicompress.stats import paired_bootstrap


def check(fn, *inputs):
    report_ = gradcheck(fn, *inputs)
    assert report_.ok, "\n" + str(report_)


# --- soft labels ---------------------------------------------------------------------------------

@given(arrays(np.float64, (3, 5), elements=st.floats(-30, 30)), st.floats(0.05, 50))
def test_soft_labels_are_distributions(z, T):
    p = soft_labels(z, T)
    assert np.all(p >= 0) and np.allclose(p.sum(axis=1), 1)


def test_soft_labels_limits_and_stability():
    z = np.array([3.0, 1.0, -2.0])
    assert np.allclose(soft_labels(z, 1e6), 1 / 3, atol=1e-5)               # T → ∞: uniform
    assert np.allclose(soft_labels(z, 1e-3), [1, 0, 0], atol=1e-12)         # T → 0: one-hot
    big = soft_labels(np.array([[1e4, -1e4, 0.0]]), 1.0)
    assert np.all(np.isfinite(big)) and np.allclose(big, [[1, 0, 0]])
    assert hard_labels(np.array([[0.1, 2.0, 0.3], [5, 1, 1]])).tolist() == [1, 0]
    assert isinstance(soft_labels(Tensor(z), 2.0), Tensor)


# --- the seed's losses -----------------------------------------------------------------------------

def test_seed_losses_recomputed_by_hand():
    y_hat, y_g, y_s = np.array([0.9, 0.1, 0.0]), np.array([0.8, 0.2, 0.1]), np.array([0.6, 0.3, 0.1])
    assert np.isclose(seed_model_distillation_loss(y_hat, y_g).item(), 0.03)       # the seed prints 0.02
    assert np.isclose(seed_parameter_distillation_loss(y_hat, y_s).item(), 0.14)   # the seed prints 0.26
    check(lambda a, b: seed_parameter_distillation_loss(a, b), y_hat, y_s)


# --- Hinton's loss ----------------------------------------------------------------------------------

@pytest.mark.parametrize("T, alpha", [(1.0, 0.5), (4.0, 0.9), (2.0, 1.0), (3.0, 0.0)])
def test_kd_loss_gradcheck(rng, T, alpha):
    zs, zt, y = rng.normal(0, 2, (4, 5)), rng.normal(0, 2, (4, 5)), rng.integers(0, 5, 4)
    check(lambda z: kd_loss(z, zt, y, T=T, alpha=alpha), zs)


def test_kd_with_T1_alpha0_is_cross_entropy(rng):
    z, zt, y = rng.normal(size=(6, 4)), rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    assert np.isclose(kd_loss(z, zt, y, T=1, alpha=0).item(), F.cross_entropy(z, y).item(), atol=1e-12)


def test_kl_direction_and_value_by_hand():
    # p_t = [0.5, 0.5], p_s = [0.8, 0.2]: KL(p_t ‖ p_s) = 0.5 ln(0.5/0.8) + 0.5 ln(0.5/0.2)
    zt, zs = np.array([[0.0, 0.0]]), np.array([[np.log(4.0), 0.0]])
    expected = 0.5 * np.log(0.5 / 0.8) + 0.5 * np.log(0.5 / 0.2)
    reverse = 0.8 * np.log(0.8 / 0.5) + 0.2 * np.log(0.2 / 0.5)
    assert np.isclose(kl_divergence(zs, zt).item(), expected)
    assert not np.isclose(expected, reverse)                      # the direction matters
    assert np.isclose(kd_loss(zs, zt, T=1, alpha=1).item(), expected)
    assert np.isclose(kd_loss(zs, zt, T=3, alpha=1).item(), 9 * kl_divergence(zs, zt, T=3).item())   # the T²


def test_kd_gradient_is_T_times_ps_minus_pt_per_example(rng):
    zs, zt = rng.normal(size=(5, 10)), rng.normal(size=(5, 10))
    for T in (1.0, 4.0, 20.0):
        t = Tensor(zs, requires_grad=True)
        kd_loss(t, zt, T=T, alpha=1.0).backward()
        assert np.allclose(t.grad * 5, T * (soft_labels(zs, T) - soft_labels(zt, T)), atol=1e-12)


def test_high_temperature_approaches_logit_matching(rng):
    zs, zt = rng.normal(size=(2, 10)), rng.normal(size=(2, 10))
    zs, zt = zs - zs.mean(1, keepdims=True), zt - zt.mean(1, keepdims=True)
    gaps = [np.abs(kd_gradient(zs, zt, T=T) - (zs - zt) / 10).max() for T in (10, 100, 1000)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-3


def test_soft_cross_entropy_golden_and_gradcheck(rng):
    assert np.isclose(soft_cross_entropy(np.zeros((1, 4)), np.full((1, 4), 0.25)).item(), np.log(4))
    p = soft_labels(rng.normal(size=(3, 4)), 1.0)
    check(lambda z: soft_cross_entropy(z, p, T=2.0), rng.normal(size=(3, 4)))


# --- variants --------------------------------------------------------------------------------------

def test_hard_label_loss_uses_the_teachers_argmax(rng):
    zs, zt = rng.normal(size=(4, 3)), np.array([[0, 5, 0], [9, 0, 0], [0, 0, 1], [0, 2, 0.0]])
    assert np.isclose(hard_label_loss(zs, zt).item(), F.cross_entropy(zs, np.array([1, 0, 2, 1])).item())


def test_mixed_targets_blend_by_hand():
    t = mixed_targets(np.array([[0.0, 0.0]]), np.array([1]), T=1, alpha=0.25)
    assert np.allclose(t, [[0.125, 0.875]])                      # 0.25·[0.5, 0.5] + 0.75·[0, 1]
    check(lambda z: mixed_label_loss(z, np.array([[1.0, 0.0]]), np.array([0]), T=2, alpha=0.5),
          np.array([[0.3, -0.2]]))


def test_multi_teacher_probability_and_logit_averaging_differ():
    a, b = np.array([[8.0, 0.0]]), np.array([[0.0, 4.0]])
    probs = multi_teacher_targets([a, b], T=1, mode="probs")
    logits = multi_teacher_targets([a, b], T=1, mode="logits")
    assert np.allclose(probs.sum(1), 1) and np.allclose(logits.sum(1), 1)
    assert np.allclose(logits, soft_labels(np.array([[4.0, 2.0]]), 1))   # softmax of the mean logits
    assert abs(probs[0, 0] - logits[0, 0]) > 0.3


def test_hints_regressor_and_hidden_layers(rng):
    student, teacher = MLP((4, 3, 2), rng=0), MLP((4, 6, 2), rng=1)
    x = rng.normal(size=(5, 4)).astype(np.float32)
    hs, ht = hidden(student, x, 2), hidden(teacher, x, 2)
    assert hs.shape == (5, 3) and ht.shape == (5, 6)
    reg = HintRegressor(3, 6, rng=0)
    loss = hint_loss(hs, ht, reg)
    assert loss.item() >= 0
    with pytest.raises(ValueError, match="upto must be in"):
        hidden(student, x, 3)
    data = make_moons(64, rng=0)
    s, t = MLP((2, 8, 2), rng=0), MLP((2, 16, 2), rng=1)
    before = hint_loss(hidden(s, data.X, 2), hidden(t, data.X, 2), HintRegressor(8, 16, rng=0)).item()
    reg = train_hints(s, t, data.X, 2, 2, epochs=30)
    after = hint_loss(hidden(s, data.X, 2), hidden(t, data.X, 2), reg).item()
    assert after < before


# --- training ----------------------------------------------------------------------------------------

def test_distill_moves_the_student_towards_the_teacher():
    data = make_moons(200, rng=0)
    teacher = MLP((2, 32, 2), rng=0)
    from minicompress.optim import Adam
    from minicompress.train import fit, predict_logits
    fit(teacher, data, epochs=60, optimizer=Adam(teacher.parameters(), lr=0.01))
    student = MLP((2, 8, 2), rng=1)
    zt = predict_logits(teacher, data.X)
    gap0 = kl_divergence(predict_logits(student, data.X), zt, T=4.0).item()
    distill(student, teacher, data, T=4.0, alpha=1.0, epochs=40)
    assert kl_divergence(predict_logits(student, data.X), zt, T=4.0).item() < gap0 / 3


def test_bias_shift_raises_the_omitted_class():
    class Fixed:
        training = False

        def eval(self):
            return self

        def __call__(self, x):
            return Tensor(np.tile([[1.0, 0.0]], (len(x.data), 1)))

    X, y = np.zeros((4, 2), np.float32), np.array([1, 1, 1, 0])
    assert best_bias_shift(Fixed(), X, y, cls=1) == 1.25              # the first shift past the tie


def test_seed_example_runs_quantized_and_learns():
    assert len(SEED_CODE_DEFECTS) == 12
    model = SeedModel(quantized=True, q=0.1)
    assert model.codes()["fc1.weight"].tolist() == [[12, 25, 37], [-13, -27, -31]]   # the seed's codes
    r = run_seed_example(steps=150)
    assert r["losses"][-10:].mean() < r["losses"][:10].mean()
    assert r["max_prob_gap_after"] < r["max_prob_gap_before"]
    w = r["student"].fc1.weight.data
    assert np.allclose(r["student"]._w(r["student"].fc1.weight).data, 0.5 * np.round(w / 0.5))


# --- bad input -------------------------------------------------------------------------------------

def test_bad_inputs():
    z = np.zeros((2, 3))
    with pytest.raises(ValueError, match="temperature T must be a finite number > 0, got T=0"):
        kd_loss(z, z, np.array([0, 1]), T=0)
    with pytest.raises(ValueError, match=r"alpha must lie in \[0, 1\]"):
        kd_loss(z, z, np.array([0, 1]), alpha=1.5)
    with pytest.raises(ValueError, match=r"student logits \(2, 3\) and teacher logits \(2, 4\)"):
        kd_loss(z, np.zeros((2, 4)), alpha=1.0)
    with pytest.raises(ValueError, match="needs labels"):
        kd_loss(z, z, None, alpha=0.5)
    with pytest.raises(ValueError, match="row 1 sums to 1.2"):
        check_probabilities(np.array([[0.5, 0.5], [0.6, 0.6]]))
    with pytest.raises(ValueError, match="non-negative"):
        soft_cross_entropy(np.zeros((1, 2)), np.array([[1.5, -0.5]]))
    with pytest.raises(ValueError, match="unknown multi-teacher mode"):
        multi_teacher_targets([z], mode="median")


def test_experiments_report_quick():
    text = report(QUICK)
    for needle in ("hard labels vs distillation", "controls", "label smoothing", "self-distilled", "few labels",
                   "T and α grid", "← chosen", "dark knowledge", "quantized students", "±", "within noise"):
        assert needle in text


@pytest.mark.slow
def test_dark_knowledge_student_recognises_most_of_the_never_seen_digit():
    from minicompress.experiments.dark_knowledge import dark_knowledge_table
    from minicompress.experiments.distill import Context
    dk = dark_knowledge_table(Context(), seeds=range(5))
    assert np.mean(dk["distilled"][0]) >= 0.5, dk["distilled"][0]
    assert np.mean(dk["hard (no 3s)"][0]) == 0.0       # a label never seen is never predicted


@pytest.mark.slow
def test_the_readme_distillation_sentences_hold():
    """README: a converged student on all labels gets ≥ 95.5%; with all labels distillation and label
    smoothing are within noise of it; with 5 labels per class the teacher's soft labels win by ≥ 2 points."""
    from minicompress.experiments.distill import Context, controls_table, few_labels_table
    ctx = Context()
    seeds = range(5)
    c = controls_table(ctx, seeds)
    assert c["hard"].mean >= 0.955, c["hard"].accs
    for key in ("kd", "smooth"):
        d = paired_bootstrap(c[key].correct, c["hard"].correct)
        assert d.within_noise, (key, d)
    f = few_labels_table(ctx, seeds)
    gain = paired_bootstrap(f["unlabelled"].correct, f["few"].correct)
    assert gain.diff >= 0.02 and gain.low > 0, gain
    assert paired_bootstrap(f["unlabelled"].correct, c["hard"].correct).within_noise
