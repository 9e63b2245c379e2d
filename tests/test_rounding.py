"""How to round: step search, brute-force optimal rounding, GPTQ and OBQ, AdaRound, equalization."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minicompress import gradcheck
from minicompress.nn import MLP
from minicompress.quant import quantize
from minicompress.quant.adaround import adaround, rectified_sigmoid, round_regularizer
from minicompress.quant.equalize import bias_correction, cross_layer_equalization, equalization_scales
from minicompress.quant.gptq import gptq, hessian, obq_row
from minicompress.quant.optimal_rounding import best_rounding, nearest_error, output_error, stochastic_roundings
from minicompress.quant.step_search import step_error, weight_step
from minicompress.train import predict_logits


def _small_layer(seed=0, out=4, n=10, N=64):
    g = np.random.default_rng(seed)
    X = g.normal(size=(N, n)) + g.normal(size=(N, 1))          # correlated inputs: H far from diagonal
    W = g.normal(size=(out, n)) * 0.5
    return W, X


# --- choosing the step ------------------------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(0, 10_000))
def test_the_mse_step_is_never_worse_than_max_or_percentile(bits, seed):
    W = np.random.default_rng(seed).standard_t(3, size=(5, 40))
    _, hi = 0, 2 ** (bits - 1) - 1
    err = {m: [] for m in ("max", "percentile", "mse")}
    for m in err:
        q = weight_step(W, bits, m)
        codes = np.clip(np.round(W / q[:, None]), -hi, hi)
        err[m] = ((W - q[:, None] * codes) ** 2).sum(axis=1)
    # the grid holds the max step (ratio 1), so the search can only match or beat it
    assert np.all(err["mse"] <= err["max"] + 1e-12)


def test_step_error_at_ratio_one_is_the_max_step():
    W = np.array([[1.0, 0.3, -0.3]])
    e = step_error(W, 2, [1.0])                                # q = 1: codes 1, 0, 0 → error 0.09 + 0.09
    assert e[0, 0] == pytest.approx(0.18)
    with pytest.raises(ValueError, match="unknown step method"):
        weight_step(W, 2, "median")


# --- brute force ------------------------------------------------------------------------------------

def test_brute_force_is_never_worse_than_any_heuristic():
    W, X = _small_layer()
    H = X.T @ X
    q = np.abs(W).max(axis=1) / 1.0                            # 2-bit codes {−1, 0, 1}, max step
    for r in range(len(W)):
        codes, best = best_rounding(W[r], q[r], 2, H)
        assert best == pytest.approx(output_error(q[r] * codes - W[r], H)[0])
        assert best <= nearest_error(W[r], q[r], 2, H) + 1e-12
        assert best <= stochastic_roundings(W[r], q[r], 2, H, 200, rng=r)[0] + 1e-12
        assert best <= output_error(q[r] * obq_row(W[r], H, q[r], 2) - W[r], H)[0] + 1e-12
    codes = gptq(W, 2 * H, q, 2)
    total_best = sum(best_rounding(W[r], q[r], 2, H)[1] for r in range(len(W)))
    assert total_best <= output_error(q[:, None] * codes - W, H).sum() + 1e-9


def test_nearest_is_not_the_best_for_the_output():
    W, X = _small_layer(seed=3)
    H = X.T @ X
    q = np.abs(W).max(axis=1)
    gaps = [nearest_error(W[r], q[r], 2, H) - best_rounding(W[r], q[r], 2, H)[1] for r in range(len(W))]
    assert max(gaps) > 0                                       # some row gains by rounding a weight the other way


# --- GPTQ and OBQ -----------------------------------------------------------------------------------

def test_gptq_with_an_identity_hessian_is_round_to_nearest():
    W, _ = _small_layer(seed=1)
    q = np.abs(W).max(axis=1) / 3
    nearest = quantize(W, q, 3, axis=0, narrow=True)
    assert np.array_equal(gptq(W, np.eye(W.shape[1]), q, 3), nearest)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([1, 2, 3, 7]))
def test_gptq_lazy_blocks_give_the_codes_of_one_column_at_a_time(seed, block):
    W, X = _small_layer(seed=seed, n=9)
    H = hessian(X)
    q = np.abs(W).max(axis=1) / 3
    assert np.array_equal(gptq(W, H, q, 3, block=block), gptq(W, H, q, 3, block=1))


def test_gptq_beats_nearest_on_the_output():
    W, X = _small_layer(seed=2, out=8, n=16, N=200)
    H = hessian(X, damp=0.0)
    q = np.abs(W).max(axis=1)
    codes = gptq(W, H, q, 2)
    nearest = quantize(W, q, 2, axis=0, narrow=True)
    err = [output_error(q[:, None] * c - W, H).sum() for c in (codes, nearest)]
    assert err[0] < err[1]


# --- AdaRound ---------------------------------------------------------------------------------------

def test_rectified_sigmoid_stays_in_0_1_and_its_gradient_checks():
    V = np.linspace(-8, 8, 41)
    h = rectified_sigmoid(V).data
    assert h.min() == 0.0 and h.max() == 1.0 and np.all(np.diff(h) >= 0)
    inside = np.array([-1.5, -0.2, 0.4, 2.0])                  # away from the clip points
    gradcheck(lambda v: rectified_sigmoid(v), inside, raise_on_failure=True)


def test_round_regularizer_by_hand_and_by_central_differences():
    assert round_regularizer(np.array([0.0, 1.0, 0.5]), 3.0).item() == pytest.approx(1.0)
    assert round_regularizer(np.array([0.25]), 2.0).item() == pytest.approx(1 - 0.25)    # |2·¼ − 1|² = ¼
    gradcheck(lambda h: round_regularizer(h, 2.5), np.array([0.1, 0.3, 0.7, 0.95]), raise_on_failure=True)
    with pytest.raises(ValueError, match="beta must be >= 1"):
        round_regularizer(np.array([0.5]), 0.5)


def test_adaround_learns_to_round_some_weights_up_where_nearest_rounds_all_down():
    # Ten inputs that move together and weights of 0.3q..0.49q: nearest rounds every weight down and
    # the output loses about 4 units of the shared signal; rounding about four of them up keeps it.
    g = np.random.default_rng(4)
    X = g.normal(size=(256, 1)) * 3 + g.normal(size=(256, 10)) * 0.1
    W = g.uniform(0.3, 0.49, size=(2, 10))        # not all equal: gradients cannot tell equal weights apart
    q = np.ones(2)
    codes = adaround(W, q, 4, X, X @ W.T, iters=400, rng=0)
    assert set(np.unique(codes)) <= {0.0, 1.0}
    H = X.T @ X
    err = [output_error(q[:, None] * c - W, H).sum() for c in (codes, np.zeros_like(W))]
    assert err[0] < 0.2 * err[1]
    assert 2 <= codes.sum(axis=1).min() and codes.sum(axis=1).max() <= 6


# --- equalization and bias correction ---------------------------------------------------------------

def test_equalization_preserves_the_function_exactly_and_balances_ranges():
    model = MLP((6, 9, 7, 3), rng=0)
    for i in (0, 2):                                           # make the ranges lopsided
        model[i].weight.data *= np.linspace(0.1, 5, model[i].weight.data.shape[0])[:, None].astype(np.float32)
    eq = cross_layer_equalization(model, iters=50)
    x = np.random.default_rng(0).normal(size=(20, 6))
    ref = MLP((6, 9, 7, 3), rng=0)
    for i in (0, 2, 4):
        ref[i].weight.data = model[i].weight.data.astype(np.float64)
        ref[i].bias.data = model[i].bias.data.astype(np.float64)
    a, b = predict_logits(ref, x), predict_logits(eq, x)
    assert np.max(np.abs(a - b)) <= 1e-12 * np.max(np.abs(a))
    s = equalization_scales(eq[0].weight.data, eq[2].weight.data)
    assert np.allclose(s, 1.0, atol=1e-6)                      # converged: both sides have equal ranges


def test_bias_correction_removes_the_mean_output_shift():
    W, X = _small_layer(seed=5)
    b = np.zeros(len(W))
    W_hat = np.round(W * 2) / 2
    b_hat = bias_correction(W, W_hat, b, X.mean(axis=0))
    assert np.allclose((X @ W_hat.T + b_hat).mean(axis=0), (X @ W.T + b).mean(axis=0))
